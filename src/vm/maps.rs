//! The map instructions other than `NewMap` (the map object itself is `heap/map.rs`), with
//! the `Option<V>` results of `MapGetOpt`/`MapRemove` and the E0013 error of `MapGet`.

use super::display::display_inner;
use super::error::RuntimeError;
use super::interp::{internal, rt_type};
use crate::bytecode::chunk::{Program, RtType, TypeId};
use crate::bytecode::op::Op;
use crate::diag::codes;
use crate::heap::Heap;

/// Runs map instruction `op` on the values `[R[A], R[B], R[C]]`, operand C and extra word
/// `w`; returns the value for R[A], or `None` (`MapSet`).
pub(crate) fn map_op(
    heap: &mut Heap,
    prog: &Program,
    units: &[Box<[Option<u64>]>],
    op: Op,
    [x, y, z]: [u64; 3],
    c: usize,
    w: u32,
) -> Result<Option<u64>, RuntimeError> {
    let types = &prog.types;
    Ok(Some(match op {
        Op::MapGet => match heap.map_get(types, y, z)? {
            Some(v) => v,
            None => return Err(key_not_found(heap, prog, y, z)),
        },
        Op::MapSet => {
            heap.map_set(types, x, y, z)?;
            return Ok(None);
        }
        Op::MapGetOpt => {
            let v = heap.map_get(types, y, z)?;
            option(heap, units, w as TypeId, v)
        }
        Op::MapRemove => {
            let v = heap.map_remove(types, y, z)?;
            option(heap, units, w as TypeId, v)
        }
        Op::MapContains => heap.map_get(types, y, z)?.is_some() as u64,
        Op::MapLen => heap.map(y)?.len().min(i32::MAX as usize) as u64,
        Op::MapKeys | Op::MapValues => {
            let m = heap.map(y)?;
            let items = if op == Op::MapKeys { m.keys() } else { m.values() };
            heap.alloc_array(items, c != 0)
        }
        _ => return Err(internal("not a map instruction")),
    }))
}

/// `Some(v)` (tag 0, a new object) or `None` (tag 1, the shared unit object when there is
/// one) of the `Option<V>` enum type `ty`.
pub(crate) fn option(heap: &mut Heap, units: &[Box<[Option<u64>]>], ty: TypeId, v: Option<u64>) -> u64 {
    match v {
        Some(v) => heap.alloc_enum(ty, 0, Box::new([v])),
        None => match units.get(ty as usize).and_then(|u| u.get(1)).copied().flatten() {
            Some(h) => h,
            None => heap.alloc_enum(ty, 1, Box::new([])),
        },
    }
}

/// E0013 `key not found: <key>`, the key in its display form inside containers (strings
/// quoted).
pub(crate) fn key_not_found(heap: &mut Heap, prog: &Program, m: u64, key: u64) -> RuntimeError {
    let key_ty = match heap.map(m).map(|m| m.ty).and_then(|ty| rt_type(prog, ty)) {
        Ok(RtType::Map { key, .. }) => *key,
        Ok(_) => return internal("map object of a non-map type"),
        Err(e) => return e,
    };
    let mut out = b"key not found: ".to_vec();
    if let Err(e) = display_inner(heap, prog, key, key_ty, &mut out) {
        return e;
    }
    RuntimeError::new(codes::KEY_NOT_FOUND, String::from_utf8_lossy(&out).into_owned())
}
