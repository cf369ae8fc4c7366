//! Garbage collection at a safepoint: gathers the precise root set and runs the collector.
//! Roots: for the innermost frame, the registers its safepoint at the allocating instruction
//! lists; for every suspended caller, the registers live across its call instruction; every
//! frame's closure; initialized reference globals; string constants, the one-byte strings
//! and the args array. Defensively, R[A] of the allocating instruction is a root too: it
//! is the fresh object (or the array pushed to, or a scalar, which marking ignores or which
//! at worst retains one object until the next collection), so a safepoint that forgot its
//! own result register cannot free it.
//!
//! The heap limit is enforced here: after collecting, if the live bytes still exceed it, the
//! allocating instruction raises E0014 (catchable; what the unwound frames held is freed by
//! the next collection).

use super::error::RuntimeError;
use super::interp::{Vm, NO_CLOSURE};
use crate::bytecode::chunk::RegSet;
use crate::bytecode::op::Instr;

impl Vm<'_> {
    /// Collects now; `pc` is the allocating instruction of the innermost frame. Errors with
    /// E0014 when the live heap exceeds the heap limit.
    pub(crate) fn collect_at(&mut self, pc: usize) -> Result<(), RuntimeError> {
        let mut roots = std::mem::take(&mut self.root_buf);
        roots.clear();
        let last = self.frames.len().saturating_sub(1);
        for (i, fr) in self.frames.iter().enumerate() {
            let at = if i == last { pc } else { fr.pc as usize };
            let Some(f) = self.prog.functions.get(fr.func as usize) else { continue };
            if let Some(set) = f.safepoint(at) {
                push_regs(&mut roots, &self.regs, fr.base as usize, set);
            }
            if i == last {
                if let Some(&word) = f.code.get(at) {
                    roots.extend(self.regs.get(fr.base as usize + Instr(word).a()));
                }
            }
            if fr.closure != NO_CLOSURE {
                roots.push(fr.closure as u64);
            }
        }
        for &g in &self.ref_globals {
            if self.global_set.get(g) == Some(&true) {
                roots.extend(self.globals.get(g));
            }
        }
        roots.extend_from_slice(&self.pinned);
        self.heap.collect(&roots);
        self.root_buf = roots;
        if self.heap.over_limit() {
            return Err(self.heap.oom());
        }
        Ok(())
    }
}

fn push_regs(roots: &mut Vec<u64>, regs: &[u64], base: usize, set: &RegSet) {
    for (word, bits) in set.0.iter().enumerate() {
        let mut bits = *bits;
        while bits != 0 {
            let r = word * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            roots.extend(regs.get(base + r));
        }
    }
}
