//! Structural equality (`EqDeep`, `assert_eq`, `contains`) and ordering (`sort`, `min`,
//! `max`, string comparisons) of values of a known runtime type. Nested values (arrays,
//! structs, enums, maps) are compared with an explicit worklist, never by recursion. Maps
//! are equal when they have the same length and each key of one maps to an equal value in
//! the other (order does not matter).

use std::cmp::Ordering;

use crate::bytecode::chunk::{Program, RtType, TypeId};
use crate::heap::{Heap, HeapResult};

use super::interp::rt_type as rt;

/// Byte-wise string equality (same handle: equal without looking).
pub(crate) fn str_eq(heap: &mut Heap, a: u64, b: u64) -> HeapResult<bool> {
    if a == b {
        return Ok(true);
    }
    if let (Some(x), Some(y)) = (heap.try_flat(a), heap.try_flat(b)) {
        // Length and first byte first: most unequal strings differ there (no memcmp call).
        return Ok(x.len() == y.len() && x.first() == y.first() && x == y);
    }
    if heap.str_len(a)? != heap.str_len(b)? {
        return Ok(false);
    }
    heap.flatten(a)?;
    heap.flatten(b)?;
    Ok(heap.flat_bytes(a)? == heap.flat_bytes(b)?)
}

/// Byte-wise string ordering.
pub(crate) fn str_cmp(heap: &mut Heap, a: u64, b: u64) -> HeapResult<Ordering> {
    if a == b {
        return Ok(Ordering::Equal);
    }
    if let (Some(x), Some(y)) = (heap.try_flat(a), heap.try_flat(b)) {
        return Ok(x.cmp(y));
    }
    heap.flatten(a)?;
    heap.flatten(b)?;
    Ok(heap.flat_bytes(a)?.cmp(heap.flat_bytes(b)?))
}

/// Whether values of this type compare equal exactly when their register bits do.
fn bitwise_eq(t: &RtType) -> bool {
    matches!(
        t,
        RtType::Void | RtType::Bool | RtType::I32 | RtType::I64 | RtType::U32 | RtType::U64 | RtType::Func { .. }
    )
}

/// Container pairs compared before equality starts remembering which pairs it has entered.
const FREE_EXPANSIONS: usize = 1024;

/// Pairs of containers already being compared. Equality is decided coinductively: a pair
/// met again (through a cycle) is assumed equal, which is sound for structural equality and
/// makes comparing cyclic values terminate. Small comparisons never allocate the set.
#[derive(Default)]
struct Seen {
    expanded: usize,
    pairs: std::collections::HashSet<(u64, u64)>,
}

impl Seen {
    /// Whether the pair `(a, b)` must be compared (false: already entered).
    fn enter(&mut self, a: u64, b: u64) -> bool {
        if self.expanded < FREE_EXPANSIONS {
            self.expanded += 1;
            return true;
        }
        self.pairs.insert((a, b))
    }
}

/// Compares slot values `xs` and `ys` whose types are `tys`: scalars at once, the rest
/// queued on `work`. False when a scalar differs or the shapes disagree.
fn slots(
    prog: &Program,
    xs: &[u64],
    ys: &[u64],
    tys: impl DoubleEndedIterator<Item = TypeId> + ExactSizeIterator,
    work: &mut Vec<(u64, u64, TypeId)>,
) -> HeapResult<bool> {
    if xs.len() != ys.len() || xs.len() != tys.len() {
        return Ok(false);
    }
    // Reversed, so the worklist compares fields left to right.
    for ((x, y), ty) in xs.iter().zip(ys).zip(tys).rev() {
        let t = rt(prog, ty)?;
        let equal = match t {
            _ if bitwise_eq(t) => x == y,
            RtType::F64 => f64::from_bits(*x) == f64::from_bits(*y),
            _ => {
                work.push((*x, *y, ty));
                true
            }
        };
        if !equal {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Structural equality of `a` and `b` of type `ty` (IEEE for f64, so NaN != NaN). Structs
/// compare field by field in order, enums by tag then payload; the same struct or enum
/// object is equal to itself. Terminates on cyclic values.
pub(crate) fn deep_eq(heap: &mut Heap, prog: &Program, a: u64, b: u64, ty: TypeId) -> HeapResult<bool> {
    let mut work = vec![(a, b, ty)];
    let mut seen = Seen::default();
    while let Some((a, b, ty)) = work.pop() {
        let t = rt(prog, ty)?;
        let equal = match t {
            _ if bitwise_eq(t) => a == b,
            RtType::F64 => f64::from_bits(a) == f64::from_bits(b),
            RtType::Str => str_eq(heap, a, b)?,
            RtType::Range(_) => {
                let (x, y) = (heap.range(a)?, heap.range(b)?);
                (x.start, x.end, x.step, x.inclusive) == (y.start, y.end, y.step, y.inclusive)
            }
            RtType::Error => {
                let ((m1, c1), (m2, c2)) = (heap.error(a)?, heap.error(b)?);
                str_eq(heap, m1, m2)? && str_eq(heap, c1, c2)?
            }
            RtType::Array(elem) => {
                let (x, y) = (&heap.array(a)?.items, &heap.array(b)?.items);
                if x.len() != y.len() {
                    false
                } else if bitwise_eq(rt(prog, *elem)?) {
                    x == y
                } else if seen.enter(a, b) {
                    work.extend(x.iter().zip(y.iter()).map(|(p, q)| (*p, *q, *elem)));
                    true
                } else {
                    true
                }
            }
            RtType::Struct { fields, .. } => {
                a == b || !seen.enter(a, b) || {
                    let (x, y) = (heap.struct_obj(a)?, heap.struct_obj(b)?);
                    slots(prog, &x.fields, &y.fields, fields.iter().map(|f| f.1), &mut work)?
                }
            }
            RtType::Enum { variants, .. } => {
                let (x, y) = (heap.enum_obj(a)?, heap.enum_obj(b)?);
                a == b
                    || x.tag == y.tag && {
                        let payload = variants.get(x.tag as usize).map_or(&[][..], |v| &v.1);
                        !seen.enter(a, b) || slots(prog, &x.payload, &y.payload, payload.iter().copied(), &mut work)?
                    }
            }
            RtType::Map { value, .. } => {
                a == b || {
                    let same_len = heap.map(a)?.len() == heap.map(b)?.len();
                    same_len && (!seen.enter(a, b) || map_values(heap, prog, a, b, *value, &mut work)?)
                }
            }
            _ => a == b,
        };
        if !equal {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether every key of map `a` is in map `b` (same type) with an equal value: scalar
/// values compared at once, the rest queued on `work`.
fn map_values(
    heap: &Heap,
    prog: &Program,
    a: u64,
    b: u64,
    value: TypeId,
    work: &mut Vec<(u64, u64, TypeId)>,
) -> HeapResult<bool> {
    let (x, y) = (heap.map(a)?, heap.map(b)?);
    let t = rt(prog, value)?;
    for (hash, key, v) in x.entries() {
        let Some(w) = y.find(heap, &prog.types, hash, key).and_then(|i| y.value_at(i)) else {
            return Ok(false);
        };
        let equal = match t {
            _ if bitwise_eq(t) => v == w,
            RtType::F64 => f64::from_bits(v) == f64::from_bits(w),
            _ => {
                work.push((v, w, value));
                true
            }
        };
        if !equal {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Ordering of two values of a Comparable type (numbers and strings); f64 uses IEEE
/// comparison, NaN comparing equal to everything.
pub(crate) fn compare(heap: &mut Heap, prog: &Program, a: u64, b: u64, ty: TypeId) -> HeapResult<Ordering> {
    Ok(match rt(prog, ty)? {
        RtType::I32 | RtType::I64 => (a as i64).cmp(&(b as i64)),
        RtType::F64 => f64::from_bits(a).partial_cmp(&f64::from_bits(b)).unwrap_or(Ordering::Equal),
        RtType::Str => str_cmp(heap, a, b)?,
        _ => a.cmp(&b),
    })
}

/// Sorts `items` (values of type `ty`) in place, stably; f64 uses the IEEE total order.
pub(crate) fn sort_values(heap: &mut Heap, prog: &Program, items: &mut [u64], ty: TypeId) -> HeapResult<()> {
    match rt(prog, ty)? {
        RtType::I32 | RtType::I64 => items.sort_by_key(|v| *v as i64),
        RtType::F64 => items.sort_by(|x, y| f64::from_bits(*x).total_cmp(&f64::from_bits(*y))),
        RtType::Str => {
            for &s in items.iter() {
                heap.flatten(s)?;
            }
            let heap: &Heap = heap;
            items.sort_by(|x, y| heap.flat_bytes(*x).unwrap_or_default().cmp(heap.flat_bytes(*y).unwrap_or_default()));
        }
        _ => items.sort(),
    }
    Ok(())
}
