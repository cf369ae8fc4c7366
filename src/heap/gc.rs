//! Precise, non-moving mark-sweep collection with an explicit gray worklist (no recursion).
//! Roots are handed in by the VM; anything that is not a live handle (out of range, a free
//! slot) is ignored, so a stale register value can at worst retain an object, never corrupt
//! the heap.

use std::time::Instant;

use super::object::{Obj, NONE};
use super::{Heap, MIN_THRESHOLD};

impl Heap {
    /// Marks everything reachable from `roots`, frees the rest, and sets the next threshold
    /// to three times the live size (at least `MIN_THRESHOLD`, at most the heap limit; zero in
    /// stress mode).
    pub fn collect(&mut self, roots: &[u64]) {
        let start = Instant::now();
        self.stats.peak_heap_bytes = self.stats.peak_heap_bytes.max(self.bytes);
        for &r in roots {
            self.mark(r);
        }
        self.drain_gray();
        let live = self.sweep();
        self.bytes = live;
        self.threshold = if self.stress { 0 } else { live.saturating_mul(3).max(MIN_THRESHOLD).min(self.limit) };
        let pause = start.elapsed();
        let s = &mut self.stats;
        s.collections += 1;
        s.live_bytes = live;
        s.peak_live_bytes = s.peak_live_bytes.max(live);
        s.total_pause += pause;
        s.max_pause = s.max_pause.max(pause);
    }

    /// The counters, with the peak heap size brought up to date.
    pub fn final_stats(&self) -> super::GcStats {
        let mut s = self.stats;
        s.peak_heap_bytes = s.peak_heap_bytes.max(self.bytes);
        s
    }

    fn mark(&mut self, h: u64) {
        let Ok(i) = usize::try_from(h) else { return };
        let (Some(obj), Some(mark)) = (self.slots.get(i), self.marks.get_mut(i)) else { return };
        if *mark || matches!(obj, Obj::Free(_)) {
            return;
        }
        *mark = true;
        self.gray.push(i as u32);
    }

    fn drain_gray(&mut self) {
        let mut children = Vec::new();
        while let Some(i) = self.gray.pop() {
            if let Some(obj) = self.slots.get(i as usize) {
                obj.for_each_ref(&self.layouts, |c| children.push(c));
            }
            for c in children.drain(..) {
                self.mark(c);
            }
        }
    }

    /// Frees unmarked objects, clears marks, drops trailing free slots (so an emptied heap
    /// gives memory back), rebuilds the free list; returns live bytes.
    fn sweep(&mut self) -> usize {
        let mut live = 0usize;
        let mut freed = 0u64;
        let mut len = 0;
        for (i, (obj, mark)) in self.slots.iter_mut().zip(self.marks.iter_mut()).enumerate() {
            if *mark {
                *mark = false;
                live += obj.size();
                len = i + 1;
            } else if !matches!(obj, Obj::Free(_)) {
                freed += 1;
                let dead = std::mem::replace(obj, Obj::Free(NONE));
                if dead.owns_nothing() {
                    // nothing to free: skip the out-of-line destructor
                    std::mem::forget(dead);
                }
            }
        }
        self.slots.truncate(len);
        self.marks.truncate(len);
        let mut free_head = NONE;
        for (i, obj) in self.slots.iter_mut().enumerate().rev() {
            if let Obj::Free(next) = obj {
                *next = free_head;
                free_head = i as u32;
            }
        }
        self.free_head = free_head;
        self.stats.freed_objects += freed;
        live
    }
}
