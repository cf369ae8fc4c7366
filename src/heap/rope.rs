//! Rope strings. A string object is a flat `Leaf`, a flat `View` (a prefix of a shared,
//! growable `Buf`), or a `Concat` node holding two child handles, the total length and the
//! depth. Concatenation is O(1) (results under `SHORT` bytes are copied flat); a node deeper
//! than `MAX_DEPTH` is flattened at once. Flattening a rope whose leftmost leaf is a view
//! ending exactly at the end of its buffer appends the remaining bytes to that buffer in
//! place (views only ever read a fixed prefix, so sharing stays correct). Hence a loop of
//! `s = s + piece` costs O(total bytes): each flatten copies only the bytes added since the
//! previous one. (Prepending in a loop still copies the whole string every `MAX_DEPTH`
//! steps.) Readers flatten once and replace the node's content by the flat result; no
//! traversal recurses on the Rust stack.

use super::object::{Obj, StrObj};
use super::{bad_handle, Heap, HeapResult};

/// Concatenations shorter than this are copied into a flat leaf.
pub const SHORT: usize = 64;
/// A concat node deeper than this is flattened when created.
pub const MAX_DEPTH: u32 = 48;
/// Flattened strings at least this long go into a growable shared buffer.
pub const VIEW_MIN: usize = 256;

impl Heap {
    /// Allocates a flat string holding a copy of `bytes`.
    pub fn alloc_str(&mut self, bytes: &[u8]) -> u64 {
        self.alloc(Obj::Str(StrObj::Leaf(bytes.into())))
    }

    /// Allocates a flat string taking ownership of `bytes`.
    pub fn alloc_string(&mut self, bytes: Vec<u8>) -> u64 {
        self.alloc(Obj::Str(StrObj::Leaf(bytes.into_boxed_slice())))
    }

    fn str_node(&self, h: u64) -> HeapResult<&StrObj> {
        match self.get(h) {
            Some(Obj::Str(s)) => Ok(s),
            _ => Err(bad_handle(h, "string")),
        }
    }

    /// Byte length, without flattening.
    pub fn str_len(&self, h: u64) -> HeapResult<usize> {
        Ok(match self.str_node(h)? {
            StrObj::Leaf(b) => b.len(),
            StrObj::View { len, .. } | StrObj::Concat { len, .. } => *len,
        })
    }

    fn depth(&self, h: u64) -> HeapResult<u32> {
        Ok(match self.str_node(h)? {
            StrObj::Concat { depth, .. } => *depth,
            _ => 0,
        })
    }

    pub fn is_flat(&self, h: u64) -> bool {
        matches!(self.get(h), Some(Obj::Str(StrObj::Leaf(_) | StrObj::View { .. })))
    }

    /// `a + b`: O(1) for long operands; never modifies `a` or `b`'s content.
    pub fn concat(&mut self, a: u64, b: u64) -> HeapResult<u64> {
        let (la, lb) = (self.str_len(a)?, self.str_len(b)?);
        if lb == 0 {
            return Ok(a);
        }
        if la == 0 {
            return Ok(b);
        }
        let len = la.saturating_add(lb);
        Heap::check_size(len)?;
        if len <= SHORT {
            let mut v = Vec::with_capacity(len);
            v.extend_from_slice(self.str_bytes(a)?);
            v.extend_from_slice(self.str_bytes(b)?);
            return Ok(self.alloc_string(v));
        }
        let depth = self.depth(a)?.max(self.depth(b)?) + 1;
        let node = StrObj::Concat { left: a as u32, right: b as u32, len, depth };
        let h = self.alloc(Obj::Str(node));
        if depth > MAX_DEPTH {
            self.flatten(h)?;
        }
        Ok(h)
    }

    /// The bytes of `h` if it is a flat string (no error is built otherwise: a fast probe).
    #[inline]
    pub fn try_flat(&self, h: u64) -> Option<&[u8]> {
        match self.get(h)? {
            Obj::Str(StrObj::Leaf(b)) => Some(b),
            Obj::Str(StrObj::View { buf, len }) => match self.get(*buf as u64)? {
                Obj::Buf(v) => v.get(..*len),
                _ => None,
            },
            _ => None,
        }
    }

    /// The bytes of a string that is already flat.
    pub fn flat_bytes(&self, h: u64) -> HeapResult<&[u8]> {
        self.try_flat(h).ok_or_else(|| bad_handle(h, "flat string"))
    }

    /// Flattens `h` if needed and returns its bytes.
    #[inline]
    pub fn str_bytes(&mut self, h: u64) -> HeapResult<&[u8]> {
        if !self.is_flat(h) {
            self.flatten(h)?;
        }
        self.flat_bytes(h)
    }

    /// Replaces a concat node's content by a flat string with the same bytes.
    pub fn flatten(&mut self, h: u64) -> HeapResult<()> {
        let len = match self.str_node(h)? {
            StrObj::Concat { len, .. } => *len,
            _ => return Ok(()),
        };
        Heap::check_size(len)?;
        let flat = match self.extendable_buffer(h, len)? {
            Some((buf, mut bytes)) => {
                let before = bytes.capacity();
                let walked = self.gather(h, &mut bytes, Some(buf));
                let grown = bytes.capacity().saturating_sub(before);
                if let Some(Obj::Buf(v)) = self.get_mut(buf as u64) {
                    *v = bytes;
                }
                walked?;
                self.account(grown);
                StrObj::View { buf, len }
            }
            None => {
                let mut bytes = Vec::with_capacity(len);
                self.gather(h, &mut bytes, None)?;
                if len >= VIEW_MIN {
                    let buf = self.alloc(Obj::Buf(bytes)) as u32;
                    StrObj::View { buf, len }
                } else {
                    self.account(len);
                    StrObj::Leaf(bytes.into_boxed_slice())
                }
            }
        };
        match self.get_mut(h) {
            Some(obj) => *obj = Obj::Str(flat),
            None => return Err(bad_handle(h, "string")),
        }
        Ok(())
    }

    /// If the leftmost leaf of `h` is a view ending at the end of its buffer and the result
    /// is long, takes that buffer's bytes out (to be extended and put back).
    fn extendable_buffer(&mut self, h: u64, len: usize) -> HeapResult<Option<(u32, Vec<u8>)>> {
        if len < VIEW_MIN {
            return Ok(None);
        }
        let mut first = h;
        while let StrObj::Concat { left, .. } = self.str_node(first)? {
            first = *left as u64;
        }
        let StrObj::View { buf, len: view_len } = *self.str_node(first)? else { return Ok(None) };
        match self.get_mut(buf as u64) {
            Some(Obj::Buf(v)) if v.len() == view_len => Ok(Some((buf, std::mem::take(v)))),
            _ => Ok(None),
        }
    }

    /// Appends the bytes of every leaf of `h`, left to right. With `taken = Some(buf)`, `out`
    /// already holds the bytes of buffer `buf` (taken out of the heap) and the leftmost leaf,
    /// a view of it, is skipped.
    pub(super) fn gather(&self, h: u64, out: &mut Vec<u8>, taken: Option<u32>) -> HeapResult<()> {
        let mut skip_first = taken.is_some();
        let mut stack = vec![h];
        while let Some(n) = stack.pop() {
            match self.str_node(n)? {
                StrObj::Concat { left, right, .. } => {
                    stack.push(*right as u64);
                    stack.push(*left as u64);
                }
                StrObj::View { buf, len } if Some(*buf) == taken => {
                    if skip_first {
                        skip_first = false;
                    } else if *len <= out.len() {
                        out.extend_from_within(..*len);
                    } else {
                        return Err(bad_handle(n, "string view"));
                    }
                }
                _ => out.extend_from_slice(self.flat_bytes(n)?),
            }
        }
        Ok(())
    }
}
