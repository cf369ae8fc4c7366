//! Out-of-line helpers of the dispatch loop (`interp.rs`): decoding the immediates of the
//! `*K*` instructions, turning faults into runtime errors off the hot path, string slices,
//! enum values (shared unit variants), closures, and the start-up allocation of the unit
//! variants.

use super::arith;
use super::error::RuntimeError;
use super::interp::{internal, Vm, WINDOW};
use crate::bytecode::chunk::{CaptureSource, Program, RtType, TypeId};
use crate::heap::{ClosureObj, Heap, Obj};

/// Converts a failure into the runtime error, out of the dispatch loop's hot path (kept
/// out of line so the loop's handlers stay small).
#[cold]
#[inline(never)]
pub(crate) fn cold_err<E: Into<RuntimeError>>(e: E) -> RuntimeError {
    e.into()
}

/// The i32 immediate of a `*KI32`/`*KI64` instruction in register representation.
#[inline(always)]
pub(crate) fn imm(w: u32) -> u64 {
    w as i32 as i64 as u64
}

/// The f64 immediate (stored as f32 bits) of a `*KF64` instruction, as register bits.
#[inline(always)]
pub(crate) fn fimm(w: u32) -> u64 {
    (f32::from_bits(w) as f64).to_bits()
}

impl Vm<'_> {
    /// Allocates and pins one object per payload-free enum variant of the program.
    pub(crate) fn alloc_unit_variants(&mut self) {
        for (ty, t) in self.prog.types.iter().enumerate() {
            let units = match t {
                RtType::Enum { variants, .. } => variants
                    .iter()
                    .enumerate()
                    .map(|(tag, (_, payload))| {
                        payload.is_empty().then(|| self.heap.alloc_enum(ty as TypeId, tag as u16, Box::new([])))
                    })
                    .collect(),
                _ => Box::default(),
            };
            self.pinned.extend(units.iter().flatten());
            self.unit_variants.push(units);
        }
    }
}

/// `s[lo..hi]` with clamped bounds (a new flat string, or `s` itself when whole).
pub(crate) fn str_slice(heap: &mut Heap, byte_strs: &[u64], s: u64, lo: u64, hi: u64) -> Result<u64, RuntimeError> {
    let bytes = heap.str_bytes(s)?;
    let (lo, hi) = arith::clamp_range(lo, hi, bytes.len());
    if lo == 0 && hi == bytes.len() {
        return Ok(s);
    }
    let part = bytes.get(lo..hi).unwrap_or_default();
    if let [byte] = part {
        return Ok(byte_strs.get(*byte as usize).copied().unwrap_or(0));
    }
    let part = part.to_vec();
    Ok(heap.alloc_string(part))
}

/// `NewEnum` of variant `tag` of enum type `ty`: the shared unit object when there is no
/// payload, else a new object.
#[inline]
pub(crate) fn new_enum(heap: &mut Heap, units: &[Box<[Option<u64>]>], ty: TypeId, tag: u16, payload: &[u64]) -> u64 {
    if payload.is_empty() {
        if let Some(h) = units.get(ty as usize).and_then(|u| u.get(tag as usize)).copied().flatten() {
            return h;
        }
    }
    heap.alloc_enum_from(ty, tag, payload)
}

/// Builds a closure of function `f` from the running frame's registers and closure.
pub(crate) fn make_closure(
    heap: &mut Heap,
    prog: &Program,
    f: usize,
    r: &[u64; WINDOW],
    current: u64,
) -> Result<u64, RuntimeError> {
    let g = prog.functions.get(f).ok_or_else(|| internal("closure function index"))?;
    let mut caps = Vec::with_capacity(g.captures.len());
    for cap in &g.captures {
        let v = match cap.source {
            CaptureSource::Register(x) => r[x as usize],
            CaptureSource::Capture(i) => {
                let cl = heap.closure(current)?;
                *cl.caps.get(i as usize).ok_or_else(|| internal("capture source"))?
            }
        };
        caps.push(v);
    }
    let ref_caps = g.captures.iter().map(|c| c.is_ref).collect();
    Ok(heap.alloc(Obj::Closure(ClosureObj { func: f as u32, caps: caps.into_boxed_slice(), ref_caps })))
}
