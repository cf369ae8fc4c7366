//! The garbage-collected heap: a slab of objects addressed by u32 handles with a free list,
//! byte accounting that decides when to collect, and typed accessors. Collection itself is in
//! `gc.rs`, strings (ropes) in `rope.rs`, object layouts in `object.rs`, struct and enum
//! objects in `adt.rs` (their reference masks per type in `layout.rs`), maps in `map.rs`
//! (their keys' hashing and equality in `key.rs`).
//!
//! The heap never collects on its own: the VM calls `collect` at instruction boundaries when
//! `wants_gc` says so, passing the roots. Between two such points any handle held in a Rust
//! local stays valid.
//!
//! An optional byte limit (`set_limit`) bounds the accounted bytes: a single object that
//! would be larger than the limit is refused at once (`check_size`, E0014); otherwise an
//! allocation proceeds, the collection threshold never exceeds the limit, and after the
//! collection at the next safepoint the VM raises E0014 if the live bytes still exceed it
//! (`over_limit`). So the accounted heap never exceeds the limit by more than what one
//! instruction allocates.

pub mod adt;
pub mod gc;
pub mod key;
pub mod layout;
pub mod map;
pub mod object;
pub mod rope;

use std::time::Duration;

use crate::diag::codes;
use crate::vm::error::RuntimeError;
pub use key::KeyKind;
pub use layout::Layouts;
pub use map::{MapInfo, MapObj};
pub use object::{ArrayObj, ClosureObj, EnumObj, Obj, RangeObj, StrObj, StructObj, NONE};

/// Smallest collection threshold in bytes.
pub const MIN_THRESHOLD: usize = 1 << 20;
/// Largest single allocation (bytes) the heap accepts before reporting out of memory.
pub const MAX_ALLOC_BYTES: usize = 1 << 31;

/// Collector counters, for reporting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcStats {
    pub collections: u64,
    pub total_pause: Duration,
    /// Longest single collection.
    pub max_pause: Duration,
    /// Bytes allocated over the whole run.
    pub allocated_bytes: u64,
    /// Bytes live after the last collection.
    pub live_bytes: usize,
    /// Most bytes live after any collection.
    pub peak_live_bytes: usize,
    /// Most bytes accounted at once (live plus not yet collected garbage).
    pub peak_heap_bytes: usize,
    /// Objects freed over the whole run.
    pub freed_objects: u64,
}

pub struct Heap {
    slots: Vec<Obj>,
    marks: Vec<bool>,
    free_head: u32,
    /// Bytes accounted since start, minus what collections freed.
    bytes: usize,
    threshold: usize,
    /// Heap byte limit (`usize::MAX` when unlimited).
    limit: usize,
    stress: bool,
    gray: Vec<u32>,
    /// Which slots of struct and enum objects are references, per type.
    layouts: Layouts,
    pub stats: GcStats,
    /// Bytes copied by flattening ropes (gathered and written into buffers), to test that
    /// rope loops stay linear.
    pub copied: std::cell::Cell<u64>,
}

pub type HeapResult<T> = Result<T, RuntimeError>;

/// An internal error: a handle does not name an object of the expected kind. Only a
/// compiler bug (or an unverified program) can cause it.
#[cold]
#[inline(never)]
pub fn bad_handle(h: u64, want: &str) -> RuntimeError {
    RuntimeError::new(codes::INTERNAL, format!("internal error: value {h:#x} is not a live {want}"))
}

pub fn out_of_memory() -> RuntimeError {
    RuntimeError::new(codes::OUT_OF_MEMORY, "out of memory")
}

/// E0014 for a heap limit of `limit` bytes.
pub fn heap_limit_error(limit: usize) -> RuntimeError {
    RuntimeError::new(codes::OUT_OF_MEMORY, format!("out of memory (heap limit {limit} bytes)"))
}

impl Heap {
    /// `stress`: collect at every opportunity (`wants_gc` is always true).
    pub fn new(stress: bool) -> Heap {
        Heap {
            slots: Vec::new(),
            marks: Vec::new(),
            free_head: NONE,
            bytes: 0,
            threshold: if stress { 0 } else { MIN_THRESHOLD },
            limit: usize::MAX,
            stress,
            gray: Vec::new(),
            layouts: Layouts::default(),
            stats: GcStats::default(),
            copied: std::cell::Cell::new(0),
        }
    }

    /// Installs the reference masks of the program's struct and enum types (before any
    /// struct or enum object is allocated). Without them every slot is traced.
    pub fn set_layouts(&mut self, layouts: Layouts) {
        self.layouts = layouts;
    }

    /// Sets the heap byte limit (`None`: unlimited).
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit.unwrap_or(usize::MAX);
        self.threshold = self.threshold.min(self.limit);
    }

    /// The heap byte limit, if any.
    pub fn limit(&self) -> Option<usize> {
        (self.limit != usize::MAX).then_some(self.limit)
    }

    /// Largest single object (and longest string) the heap accepts, in bytes.
    pub fn max_object(&self) -> usize {
        self.limit.min(MAX_ALLOC_BYTES)
    }

    /// How large an object now `current` bytes may grow speculatively (by doubling): by what
    /// the limit leaves free, at most `max_object`. Growth that is needed now is checked
    /// against `max_object` alone; this only keeps reserve capacity from pushing the heap
    /// over its limit.
    pub fn growth_limit(&self, current: usize) -> usize {
        if self.limit == usize::MAX {
            return MAX_ALLOC_BYTES;
        }
        current.saturating_add(self.limit.saturating_sub(self.bytes)).min(self.max_object())
    }

    /// The E0014 error of this heap (naming the limit when there is one).
    pub fn oom(&self) -> RuntimeError {
        match self.limit() {
            Some(limit) => heap_limit_error(limit),
            None => out_of_memory(),
        }
    }

    /// Whether the accounted bytes exceed the limit (checked by the VM after collecting).
    pub fn over_limit(&self) -> bool {
        self.bytes > self.limit
    }

    /// Bytes accounted now (live plus garbage not yet collected).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Stores `obj` in a free slot and returns its handle.
    #[inline]
    pub fn alloc(&mut self, obj: Obj) -> u64 {
        self.account(obj.size());
        if let Some(slot) = self.slots.get_mut(self.free_head as usize) {
            let next = match slot {
                Obj::Free(next) => *next,
                _ => NONE,
            };
            let h = self.free_head;
            *slot = obj;
            self.free_head = next;
            return h as u64;
        }
        self.slots.push(obj);
        self.marks.push(false);
        (self.slots.len() - 1) as u64
    }

    /// Records `n` more bytes in use (an object grew).
    pub fn account(&mut self, n: usize) {
        self.bytes = self.bytes.saturating_add(n);
        self.stats.allocated_bytes = self.stats.allocated_bytes.saturating_add(n as u64);
    }

    /// Errors with E0014 when an object of `n` bytes is too large to attempt: larger than
    /// the heap limit (no collection could make room for it) or than `MAX_ALLOC_BYTES`.
    pub fn check_size(&self, n: usize) -> HeapResult<()> {
        if n > self.max_object() {
            Err(self.oom())
        } else {
            Ok(())
        }
    }

    /// Whether the VM should collect at the current safepoint.
    #[inline(always)]
    pub fn wants_gc(&self) -> bool {
        self.bytes >= self.threshold
    }

    pub fn is_stress(&self) -> bool {
        self.stress
    }

    /// Number of live (non-free) objects; O(slots), for tests and reports.
    pub fn live_objects(&self) -> usize {
        self.slots.iter().filter(|o| !matches!(o, Obj::Free(_))).count()
    }

    #[inline(always)]
    pub fn get(&self, h: u64) -> Option<&Obj> {
        let obj = self.slots.get(usize::try_from(h).ok()?)?;
        (!matches!(obj, Obj::Free(_))).then_some(obj)
    }

    #[inline(always)]
    pub fn get_mut(&mut self, h: u64) -> Option<&mut Obj> {
        let obj = self.slots.get_mut(usize::try_from(h).ok()?)?;
        (!matches!(obj, Obj::Free(_))).then_some(obj)
    }

    #[inline(always)]
    pub fn array(&self, h: u64) -> HeapResult<&ArrayObj> {
        match self.get(h) {
            Some(Obj::Array(a)) => Ok(a),
            _ => Err(bad_handle(h, "array")),
        }
    }

    #[inline(always)]
    pub fn array_mut(&mut self, h: u64) -> HeapResult<&mut ArrayObj> {
        match self.get_mut(h) {
            Some(Obj::Array(a)) => Ok(a),
            _ => Err(bad_handle(h, "array")),
        }
    }

    pub fn alloc_array(&mut self, items: Vec<u64>, refs: bool) -> u64 {
        self.alloc(Obj::Array(ArrayObj { items, refs }))
    }

    /// Appends to an array, accounting the growth.
    #[inline]
    pub fn push(&mut self, h: u64, v: u64) -> HeapResult<()> {
        // fast path: room left (the accounted size, the capacity, does not change)
        if let Some(Obj::Array(a)) = usize::try_from(h).ok().and_then(|i| self.slots.get_mut(i)) {
            if a.items.len() < a.items.capacity() {
                a.items.push(v);
                return Ok(());
            }
        }
        self.insert(h, None, v)
    }

    /// Inserts `v` at `at` (an index not past the end; `None`: at the end) of array `h`.
    /// A full array doubles its capacity (less when near the heap limit); if even one more
    /// element would exceed the object limit, E0014 with the array unchanged. The growth is
    /// accounted.
    pub fn insert(&mut self, h: u64, at: Option<usize>, v: u64) -> HeapResult<()> {
        let (max, cap) = (self.max_object(), self.array(h)?.items.capacity());
        let room = self.growth_limit(cap * 8).saturating_sub(object::SLOT_BYTES) / 8;
        let a = self.array_mut(h)?;
        let len = a.items.len();
        if len == cap {
            if (len + 1).saturating_mul(8).saturating_add(object::SLOT_BYTES) > max {
                return Err(self.oom());
            }
            let want = cap.saturating_mul(2).max(4).min(room).max(len + 1);
            a.items.reserve_exact(want - len);
        }
        match at {
            Some(i) if i < len => a.items.insert(i, v),
            _ => a.items.push(v),
        }
        let grown = a.items.capacity() - cap;
        self.account(grown * 8);
        Ok(())
    }

    #[inline]
    pub fn closure(&self, h: u64) -> HeapResult<&ClosureObj> {
        match self.get(h) {
            Some(Obj::Closure(c)) => Ok(c),
            _ => Err(bad_handle(h, "closure")),
        }
    }

    #[inline]
    pub fn cell(&self, h: u64) -> HeapResult<u64> {
        match self.get(h) {
            Some(Obj::Cell { value, .. }) => Ok(*value),
            _ => Err(bad_handle(h, "cell")),
        }
    }

    #[inline]
    pub fn set_cell(&mut self, h: u64, v: u64) -> HeapResult<()> {
        match self.get_mut(h) {
            Some(Obj::Cell { value, .. }) => {
                *value = v;
                Ok(())
            }
            _ => Err(bad_handle(h, "cell")),
        }
    }

    #[inline]
    pub fn range(&self, h: u64) -> HeapResult<RangeObj> {
        match self.get(h) {
            Some(Obj::Range(r)) => Ok(*r),
            _ => Err(bad_handle(h, "range")),
        }
    }

    /// (message, code) string handles of an Error object.
    pub fn error(&self, h: u64) -> HeapResult<(u64, u64)> {
        match self.get(h) {
            Some(Obj::Error { message, code }) => Ok((*message, *code)),
            _ => Err(bad_handle(h, "error")),
        }
    }

    pub fn alloc_error(&mut self, message: &str, code: &str) -> u64 {
        let message = self.alloc_str(message.as_bytes());
        let code = self.alloc_str(code.as_bytes());
        self.alloc(Obj::Error { message, code })
    }
}

#[cfg(test)]
mod map_tests;
#[cfg(test)]
mod rope_tests;
#[cfg(test)]
mod tests;
