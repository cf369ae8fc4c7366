//! Rope strings. A string object is a flat `Leaf`, a flat `View` (a range of a shared
//! `Buf` that grows at both ends, see `object::BufObj`), or a `Concat` node holding two
//! child handles, the total length and the depth. Literals and results under `SHORT` bytes
//! are flat copies; longer concatenations are O(1) `Concat` nodes. Readers (indexing,
//! comparison, hashing, printing) flatten a rope once, in place: the node's content is
//! replaced by the flat result, so every handle to it sees the flat string afterwards.
//!
//! A node deeper than `MAX_DEPTH` is flattened when created, which bounds both the depth
//! and the per-byte overhead of nodes. Flattening is incremental: it looks for an *anchor*,
//! a view leaf that sits at the front of its buffer (if bytes come before it in the rope)
//! and at the back (if bytes come after it); the other leaves' bytes are then written
//! around it, in place, and the result is a view of the grown buffer. Views only read their
//! own fixed range, so sharing stays correct. Hence `s = s + piece`, `s = piece + s` and
//! `s = a + s + b` loops cost O(total bytes): each flatten copies only the bytes added
//! since the previous one (the buffer's doubling keeps the growth amortized). Readers in
//! between do not change that. No traversal recurses on the Rust stack.
//!
//! A string longer than the heap's object limit (`Heap::max_object`: the heap limit, at
//! most `MAX_ALLOC_BYTES`) is an out-of-memory error when it is built, even as a rope,
//! since it could never be flattened.

use smallvec::SmallVec;

use super::object::{block, BufObj, Obj, StrObj, BUF_ORIGIN};
use super::{bad_handle, Heap, HeapResult};

/// Concatenations shorter than this are copied into a flat leaf.
pub const SHORT: usize = 64;
/// A concat node deeper than this is flattened when created.
pub const MAX_DEPTH: u32 = 48;
/// Flattened strings at least this long go into a growable shared buffer.
pub const VIEW_MIN: usize = 256;

/// The leaf that a flatten grows its result around.
#[derive(Clone, Copy)]
struct Anchor {
    /// Its index in left-to-right leaf order.
    index: usize,
    /// Bytes before it in the rope.
    offset: usize,
    buf: u32,
    start: usize,
    len: usize,
}

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

    /// Depth of a rope (0 for a flat string).
    pub fn str_depth(&self, h: u64) -> HeapResult<u32> {
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
        self.check_size(len)?;
        if len <= SHORT {
            let mut v = Vec::with_capacity(len);
            v.extend_from_slice(self.str_bytes(a)?);
            v.extend_from_slice(self.str_bytes(b)?);
            return Ok(self.alloc_string(v));
        }
        let depth = self.str_depth(a)?.max(self.str_depth(b)?) + 1;
        let node = StrObj::Concat { left: a as u32, right: b as u32, len, depth };
        let h = self.alloc(Obj::Str(node));
        if depth > MAX_DEPTH {
            self.flatten(h)?;
        }
        Ok(h)
    }

    /// The bytes of `h` if it is a flat string (no error is built otherwise: a fast probe).
    #[inline(always)]
    pub fn try_flat(&self, h: u64) -> Option<&[u8]> {
        match self.get(h)? {
            Obj::Str(StrObj::Leaf(b)) => Some(b),
            Obj::Str(StrObj::View { buf, start, len }) => match self.get(*buf as u64)? {
                Obj::Buf(b) => b.slice(*start, *len),
                _ => None,
            },
            _ => None,
        }
    }

    /// The bytes of a string that is already flat.
    #[inline]
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
        self.check_size(len)?;
        let flat = if len < VIEW_MIN {
            let mut bytes = Vec::with_capacity(len);
            self.gather(h, &mut bytes)?;
            self.account(block(len));
            StrObj::Leaf(bytes.into_boxed_slice())
        } else {
            match self.grow_anchor(h, len)? {
                Some(view) => view,
                None => {
                    let mut bytes = Vec::with_capacity(len);
                    self.gather(h, &mut bytes)?;
                    let buf = self.alloc(Obj::Buf(BufObj::new(bytes))) as u32;
                    StrObj::View { buf, start: BUF_ORIGIN as usize, len }
                }
            }
        };
        match self.get_mut(h) {
            Some(obj) => *obj = Obj::Str(flat),
            None => return Err(bad_handle(h, "string")),
        }
        Ok(())
    }

    /// Calls `f` with every leaf (flat string) of `h`, left to right, iteratively.
    fn for_each_leaf(&self, h: u64, mut f: impl FnMut(u64, &StrObj) -> HeapResult<()>) -> HeapResult<()> {
        let mut stack: SmallVec<[u64; 64]> = SmallVec::new();
        stack.push(h);
        while let Some(n) = stack.pop() {
            match self.str_node(n)? {
                StrObj::Concat { left, right, .. } => {
                    stack.push(*right as u64);
                    stack.push(*left as u64);
                }
                leaf => f(n, leaf)?,
            }
        }
        Ok(())
    }

    /// Appends the bytes of every leaf of `h`, left to right.
    pub(super) fn gather(&self, h: u64, out: &mut Vec<u8>) -> HeapResult<()> {
        self.copied.set(self.copied.get() + self.str_len(h)? as u64);
        self.for_each_leaf(h, |n, _| {
            out.extend_from_slice(self.flat_bytes(n)?);
            Ok(())
        })
    }

    /// The longest view leaf of `h` (length `len`) whose buffer can take the bytes before it
    /// at its front and the bytes after it at its back.
    fn find_anchor(&self, h: u64, len: usize) -> HeapResult<Option<Anchor>> {
        let (mut best, mut offset, mut index) = (None::<Anchor>, 0usize, 0usize);
        self.for_each_leaf(h, |_, leaf| {
            let n = match leaf {
                StrObj::Leaf(b) => b.len(),
                StrObj::View { buf, start, len: n } => {
                    let after = len.saturating_sub(offset + n);
                    if let Some(Obj::Buf(b)) = self.get(*buf as u64) {
                        let front_ok = offset == 0 || *start == b.lo as usize;
                        let back_ok = after == 0 || start + n == b.hi();
                        if front_ok && back_ok && best.is_none_or(|a| a.len < *n) {
                            best = Some(Anchor { index, offset, buf: *buf, start: *start, len: *n });
                        }
                    }
                    *n
                }
                StrObj::Concat { .. } => 0,
            };
            offset += n;
            index += 1;
            Ok(())
        })?;
        Ok(best)
    }

    /// Flattens `h` (length `len`) around its anchor, if it has one: writes the other
    /// leaves' bytes before and after the anchor in its buffer and returns the view of the
    /// whole result. The buffer is taken out of the heap meanwhile; leaves that are views of
    /// it (as in `s + s`) are copied within it.
    fn grow_anchor(&mut self, h: u64, len: usize) -> HeapResult<Option<StrObj>> {
        let Some(anchor) = self.find_anchor(h, len)? else { return Ok(None) };
        let (pre, post) = (anchor.offset, len.saturating_sub(anchor.offset + anchor.len));
        let Some(start) = anchor.start.checked_sub(pre) else { return Ok(None) };
        let mut b = match self.get_mut(anchor.buf as u64) {
            Some(Obj::Buf(b)) if b.can_grow(pre, post) => std::mem::take(b),
            _ => return Ok(None),
        };
        let before = b.data.capacity();
        let max = self.growth_limit(before).max(before.saturating_add(pre + post));
        b.reserve_front(pre, max);
        b.reserve_back(post, max);
        let written = self.write_around(h, anchor, &mut b);
        let added = b.data.capacity().saturating_sub(before);
        if let Some(Obj::Buf(slot)) = self.get_mut(anchor.buf as u64) {
            *slot = b;
        }
        self.account(added);
        self.copied.set(self.copied.get() + (pre + post) as u64);
        written?;
        Ok(Some(StrObj::View { buf: anchor.buf, start, len }))
    }

    /// Writes the leaves of `h` other than `anchor` into `b` (the anchor's buffer, taken out
    /// of the heap, with room reserved): those before it into the front room, those after it
    /// at the back. Front bytes become part of the buffer only once all are written.
    fn write_around(&self, h: u64, anchor: Anchor, b: &mut BufObj) -> HeapResult<()> {
        let gap = b.gap as usize;
        let mut at = gap.checked_sub(anchor.offset).ok_or_else(|| bad_handle(h, "rope"))?;
        let mut index = 0usize;
        self.for_each_leaf(h, |n, leaf| {
            let i = index;
            index += 1;
            if i == anchor.index {
                return Ok(());
            }
            let within = match leaf {
                StrObj::View { buf, start, len } if *buf == anchor.buf => {
                    let from = b.phys(*start).ok_or_else(|| bad_handle(n, "string view"))?;
                    b.data.get(from..from + len).ok_or_else(|| bad_handle(n, "string view"))?;
                    Some(from..from + len)
                }
                _ => None,
            };
            let leaf_len = match leaf {
                StrObj::Leaf(bytes) => bytes.len(),
                StrObj::View { len, .. } | StrObj::Concat { len, .. } => *len,
            };
            if i < anchor.index && at + leaf_len > gap {
                return Err(bad_handle(h, "rope"));
            }
            match (within, i < anchor.index) {
                (Some(range), true) => {
                    b.data.copy_within(range, at);
                    at += leaf_len;
                }
                (Some(range), false) => b.data.extend_from_within(range),
                (None, true) => {
                    let bytes = self.flat_bytes(n)?;
                    let dst = b.data.get_mut(at..at + bytes.len()).ok_or_else(|| bad_handle(h, "rope"))?;
                    dst.copy_from_slice(bytes);
                    at += leaf_len;
                }
                (None, false) => b.data.extend_from_slice(self.flat_bytes(n)?),
            }
            Ok(())
        })?;
        b.gap = (gap - anchor.offset) as u32;
        b.lo -= anchor.offset as u32;
        Ok(())
    }
}
