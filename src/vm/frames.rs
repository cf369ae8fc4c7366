//! Frames, calls and returns, and runtime errors: entering a callee (depth and register-file
//! limits, zeroing its non-parameter registers; the call's unit of the instruction budget
//! is charged by the dispatch loop), returning into the caller's result
//! register, unwinding to a `TryBegin` handler with an Error object, and building the Orus
//! stack trace of an uncaught error.

use super::error::{RuntimeError, TraceFrame, TRACE_INNER, TRACE_OUTER};
use super::interp::{internal, Frame, Vm, REG_CAP, WINDOW};
use crate::bytecode::chunk::{Function, Program};
use crate::diag::codes;

fn stack_overflow() -> RuntimeError {
    RuntimeError::new(codes::STACK_OVERFLOW, "stack overflow")
}

impl<'a> Vm<'a> {
    /// Enters `func` of `prog` (the VM's program, passed in so the returned function's
    /// borrow is not tied to `self`) with its registers starting at `base` and returns it;
    /// the caller's pc must already point at its call instruction.
    #[inline(always)]
    pub(crate) fn push_frame<'p>(
        &mut self,
        prog: &'p Program,
        func: u32,
        closure: u32,
        base: usize,
    ) -> Result<&'p Function, RuntimeError> {
        if self.frames.len() >= self.max_depth {
            return Err(stack_overflow());
        }
        let f = prog.functions.get(func as usize).ok_or_else(|| internal("call of a missing function"))?;
        let need = base + WINDOW;
        if self.regs.len() < need {
            self.grow_regs(need)?;
        }
        // Zero the non-parameter registers. Small frames zero a fixed 8 slots (the ones
        // past `nregs` are free; whatever runs there later zeroes or writes them first),
        // which compiles to a few stores instead of a `memset` call.
        let (lo, hi) = (base + f.nparams as usize, base + f.nregs as usize);
        match self.regs.get_mut(lo..lo + 8) {
            Some(regs) if hi <= lo + 8 => regs.copy_from_slice(&[0; 8]),
            _ => {
                if let Some(regs) = self.regs.get_mut(lo..hi) {
                    regs.fill(0);
                }
            }
        }
        self.frames.push(Frame { func, closure, base: base as u32, pc: 0 });
        Ok(f)
    }

    #[cold]
    #[inline(never)]
    fn grow_regs(&mut self, need: usize) -> Result<(), RuntimeError> {
        if need > REG_CAP {
            return Err(stack_overflow());
        }
        let len = need.max(self.regs.len().saturating_mul(2)).min(REG_CAP);
        self.regs.resize(len, 0);
        Ok(())
    }

    /// Leaves the running frame (dropping its handlers). Returns the caller's frame, whose
    /// pc is still that of its call instruction, or `None` when the entry frame returned.
    /// The dispatch loop stores the result in the call's A register and resumes the caller
    /// after the call (`Call`: one word, `CallK`: two).
    #[inline(always)]
    pub(crate) fn pop_frame(&mut self) -> Option<Frame> {
        let depth = self.frames.len().saturating_sub(1) as u32;
        while self.handlers.last().is_some_and(|h| h.frame >= depth) {
            self.handlers.pop();
        }
        self.frames.pop();
        self.frames.last().copied()
    }

    /// Hands an error to the innermost handler: unwinds to its frame, stores a new Error
    /// object in its register and resumes at its target. Without a handler, returns the
    /// error with its stack trace. The innermost frame's pc must be the faulting one.
    pub(crate) fn throw(&mut self, err: RuntimeError) -> Result<(), RuntimeError> {
        let Some(h) = self.handlers.pop() else { return Err(self.with_trace(err)) };
        self.frames.truncate(h.frame as usize + 1);
        let Some(frame) = self.frames.last_mut() else { return Err(self.with_trace(err)) };
        frame.pc = h.target;
        let slot = frame.base as usize + h.reg as usize;
        let e = self.heap.alloc_error(&err.message, err.code);
        match self.regs.get_mut(slot) {
            Some(r) => *r = e,
            None => return Err(internal("handler register")),
        }
        Ok(())
    }

    fn trace_frame(&self, fr: &Frame) -> TraceFrame {
        match self.prog.functions.get(fr.func as usize) {
            Some(f) => TraceFrame {
                function: f.name.clone(),
                file: f.file_at(fr.pc as usize),
                line: f.lines.get(fr.pc as usize).copied().unwrap_or(0),
            },
            None => TraceFrame { function: "?".into(), file: 0, line: 0 },
        }
    }

    /// Attaches the stack trace (innermost first; the middle of very deep stacks omitted).
    fn with_trace(&self, mut err: RuntimeError) -> RuntimeError {
        let n = self.frames.len();
        let frames = self.frames.iter().rev();
        if n > TRACE_INNER + TRACE_OUTER {
            err.trace = frames.clone().take(TRACE_INNER).map(|f| self.trace_frame(f)).collect();
            err.trace.extend(frames.skip(n - TRACE_OUTER).map(|f| self.trace_frame(f)));
            err.frames_omitted = n - TRACE_INNER - TRACE_OUTER;
        } else {
            err.trace = frames.map(|f| self.trace_frame(f)).collect();
        }
        err
    }
}
