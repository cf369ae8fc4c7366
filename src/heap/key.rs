//! Map keys: how values of a Hashable type hash and compare. Integers and bool hash and
//! compare by their register bits; strings by content (a rope hashes like its flat form);
//! structs and enums structurally (field by field, tag then payload), consistent with deep
//! equality (`vm/equality.rs`): equal values always hash alike.
//!
//! Hashing may flatten strings (it takes `&mut Heap`), so keys that were hashed are flat and
//! later comparisons, which only read the heap, take the fast path. Structured keys are
//! walked with an explicit stack, never by recursion; hashing looks at no more than
//! `HASH_NODES` containers (so a cyclic key made with `SetField` hashes in finite time: equal
//! values unfold alike, so their truncated walks hash alike) and comparison treats a pair
//! met again as equal, like deep equality.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{Heap, HeapResult};
use crate::bytecode::chunk::{RtType, TypeId};

/// How keys of one type hash and compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyKind {
    /// Integers and bool (and, by identity, any type that is not Hashable): register bits.
    #[default]
    Bits,
    /// Strings, by content.
    Str,
    /// Structs and enums of this type, structurally.
    Deep(TypeId),
}

impl KeyKind {
    pub fn of(types: &[RtType], key: TypeId) -> KeyKind {
        match types.get(key as usize) {
            Some(RtType::Str) => KeyKind::Str,
            Some(RtType::Struct { .. } | RtType::Enum { .. }) => KeyKind::Deep(key),
            _ => KeyKind::Bits,
        }
    }
}

const SEED: u64 = 0x243F_6A88_85A3_08D3;
const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;
/// Containers a structured key's hash looks at, at most.
const HASH_NODES: usize = 256;
/// Container pairs compared before key equality starts remembering pairs (cycles).
const FREE_EXPANSIONS: usize = 1024;

/// The high and low halves of the 128-bit product, xored: a fast, well-mixing step.
#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let p = (a as u128).wrapping_mul(b as u128);
    (p as u64) ^ ((p >> 64) as u64)
}

#[inline(always)]
pub fn hash_bits(x: u64) -> u64 {
    fold(x ^ SEED, K1)
}

pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = fold(SEED ^ bytes.len() as u64, K2);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = fold(h ^ u64::from_le_bytes(w), K1);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = fold(h ^ u64::from_le_bytes(w), K2);
    }
    h
}

/// The hash of a key of kind `Bits` (as `Heap::key_hash` computes it).
#[inline(always)]
pub fn bits_key_hash(key: u64) -> u32 {
    finish(hash_bits(key))
}

/// Maps keep 32-bit hashes (next to each index in their table, so growing the table never
/// reads the entries).
#[inline(always)]
fn finish(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

impl Heap {
    /// The hash of `key` (flattening the strings it reaches).
    #[inline]
    pub fn key_hash(&mut self, types: &[RtType], kind: KeyKind, key: u64) -> HeapResult<u32> {
        Ok(finish(match kind {
            KeyKind::Bits => return Ok(bits_key_hash(key)),
            KeyKind::Str => hash_bytes(self.str_bytes(key)?),
            KeyKind::Deep(ty) => self.deep_hash(types, ty, key)?,
        }))
    }

    fn deep_hash(&mut self, types: &[RtType], ty: TypeId, key: u64) -> HeapResult<u64> {
        let mut h = SEED;
        let mut budget = HASH_NODES;
        let mut stack = vec![(key, ty)];
        while let Some((v, t)) = stack.pop() {
            let x = match types.get(t as usize) {
                Some(RtType::Str) => hash_bytes(self.str_bytes(v)?),
                Some(RtType::Struct { fields, .. }) => {
                    if budget == 0 {
                        break;
                    }
                    budget -= 1;
                    let s = self.struct_obj(v)?;
                    stack.extend(s.fields.iter().zip(fields).rev().map(|(v, f)| (*v, f.1)));
                    s.fields.len() as u64
                }
                Some(RtType::Enum { variants, .. }) => {
                    if budget == 0 {
                        break;
                    }
                    budget -= 1;
                    let e = self.enum_obj(v)?;
                    let payload = variants.get(e.tag as usize).map_or(&[][..], |v| &v.1);
                    stack.extend(e.payload.iter().zip(payload).rev().map(|(v, t)| (*v, *t)));
                    e.tag as u64
                }
                _ => v,
            };
            h = fold(h ^ x, K1);
        }
        Ok(h)
    }

    /// Whether keys `a` and `b` are equal. Reads only; a string that is not flat (a key
    /// whose fields changed after it was hashed) is gathered into a temporary buffer. A
    /// value that is not what its type says compares unequal.
    pub fn key_eq(&self, types: &[RtType], kind: KeyKind, a: u64, b: u64) -> bool {
        a == b
            || match kind {
                KeyKind::Bits => false,
                KeyKind::Str => self.str_eq_ref(a, b),
                KeyKind::Deep(ty) => self.deep_key_eq(types, ty, a, b),
            }
    }

    /// Byte equality of two strings without modifying the heap.
    pub fn str_eq_ref(&self, a: u64, b: u64) -> bool {
        if let (Some(x), Some(y)) = (self.try_flat(a), self.try_flat(b)) {
            return x == y;
        }
        match (self.str_len(a), self.str_len(b)) {
            (Ok(x), Ok(y)) if x == y => {}
            _ => return false,
        }
        match (self.str_cow(a), self.str_cow(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    /// The bytes of a string, borrowed when flat, else gathered into a new buffer.
    pub fn str_cow(&self, h: u64) -> Option<Cow<'_, [u8]>> {
        if let Some(b) = self.try_flat(h) {
            return Some(Cow::Borrowed(b));
        }
        let mut out = Vec::with_capacity(self.str_len(h).ok()?);
        self.gather(h, &mut out).ok()?;
        Some(Cow::Owned(out))
    }

    fn deep_key_eq(&self, types: &[RtType], ty: TypeId, a: u64, b: u64) -> bool {
        let mut work = vec![(a, b, ty)];
        let mut expanded = 0usize;
        let mut seen: HashSet<(u64, u64)> = HashSet::new();
        while let Some((a, b, t)) = work.pop() {
            if a == b {
                continue;
            }
            let same = match types.get(t as usize) {
                Some(RtType::Str) => self.str_eq_ref(a, b),
                Some(RtType::Struct { fields, .. }) => match (self.struct_obj(a), self.struct_obj(b)) {
                    (Ok(x), Ok(y)) => {
                        !enter(&mut expanded, &mut seen, a, b)
                            || queue(types, &x.fields, &y.fields, fields.iter().map(|f| f.1), &mut work)
                    }
                    _ => false,
                },
                Some(RtType::Enum { variants, .. }) => match (self.enum_obj(a), self.enum_obj(b)) {
                    (Ok(x), Ok(y)) if x.tag == y.tag => {
                        let payload = variants.get(x.tag as usize).map_or(&[][..], |v| &v.1);
                        !enter(&mut expanded, &mut seen, a, b)
                            || queue(types, &x.payload, &y.payload, payload.iter().copied(), &mut work)
                    }
                    _ => false,
                },
                _ => false,
            };
            if !same {
                return false;
            }
        }
        true
    }
}

/// Whether the container pair `(a, b)` must be compared (false: already being compared,
/// so assumed equal). The first `FREE_EXPANSIONS` pairs are not remembered.
fn enter(expanded: &mut usize, seen: &mut HashSet<(u64, u64)>, a: u64, b: u64) -> bool {
    if *expanded < FREE_EXPANSIONS {
        *expanded += 1;
        return true;
    }
    seen.insert((a, b))
}

/// Compares slot values `xs` and `ys` whose types are `tys`: bits at once, strings and
/// containers queued on `work`. False when bits differ or the shapes disagree.
fn queue(
    types: &[RtType],
    xs: &[u64],
    ys: &[u64],
    tys: impl DoubleEndedIterator<Item = TypeId> + ExactSizeIterator,
    work: &mut Vec<(u64, u64, TypeId)>,
) -> bool {
    if xs.len() != ys.len() || xs.len() != tys.len() {
        return false;
    }
    for ((x, y), t) in xs.iter().zip(ys).zip(tys).rev() {
        match types.get(t as usize) {
            Some(RtType::Str | RtType::Struct { .. } | RtType::Enum { .. }) => work.push((*x, *y, t)),
            _ if x != y => return false,
            _ => {}
        }
    }
    true
}
