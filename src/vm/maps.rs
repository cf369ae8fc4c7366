//! Helpers of the map instructions (the map object itself is `heap/map.rs`): the
//! `Option<V>` results of `MapGetOpt`/`MapRemove` and the E0013 error of `MapGet`.

use super::display::display_inner;
use super::error::RuntimeError;
use super::interp::{internal, rt_type};
use crate::bytecode::chunk::{Program, RtType, TypeId};
use crate::diag::codes;
use crate::heap::Heap;

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
