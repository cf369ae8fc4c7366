//! The virtual machine: runs a verified `Program` on one register file shared by all frames,
//! with a mark-sweep heap, try/catch handlers, natives and Orus stack traces.
//!
//! Layout: `interp.rs` (state and the dispatch loop), `frames.rs` (calls, returns, errors,
//! unwinding, traces), `roots.rs` (collection at safepoints, the heap limit), `host.rs` (the embedding
//! host's functions and a VM that persists between calls), `limits.rs`
//! (instruction budget, deadline, interrupt), `arith.rs` (checked
//! arithmetic, shifts, casts, loops), `display.rs` (the display form of values),
//! `format.rs` (`as string` and `print` templates), `objects.rs` (out-of-line helpers of the
//! dispatch loop: immediates, slices, enum values, closures), `equality.rs`
//! (deep equality and ordering), `natives.rs` (built-in functions), `maps.rs` (helpers
//! of the map instructions; the map object is `heap/map.rs`).

mod arith;
mod display;
mod equality;
pub mod error;
mod format;
mod frames;
pub mod host;
pub(crate) mod interp;
mod limits;
mod maps;
mod natives;
mod objects;
mod roots;
mod std_natives;
#[cfg(test)]
mod tests;

use std::io::{BufRead, Write};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use crate::bytecode::chunk::Program;
use crate::diag::codes;
pub use crate::heap::GcStats;
use error::RuntimeError;

/// Limits and switches for one run. Every limit violation is an ordinary, catchable Orus
/// runtime error with a stack trace. The default has no heap limit, no budget, no deadline
/// and no interrupt flag (see docs/RUNTIME.md).
#[derive(Clone, Debug)]
pub struct VmConfig {
    /// Most Orus frames alive at once; one more call raises E0004 "stack overflow".
    pub max_call_depth: usize,
    /// Collect at every allocating instruction (to prove no reference is missed).
    pub gc_stress: bool,
    /// Heap byte limit: an object larger than it is refused at once, and if the live heap
    /// still exceeds it after the collection at the next safepoint, E0014 "out of memory
    /// (heap limit N bytes)". Strings count their full length, even as ropes.
    pub max_heap_bytes: Option<usize>,
    /// Instruction budget, charged at calls (1) and taken backward jumps (the loop's length
    /// in code words); running out raises E0015.
    pub instruction_budget: Option<u64>,
    /// Wall-clock deadline, checked at the same points (every few thousand units); passing
    /// it raises E0016.
    pub deadline: Option<Instant>,
    /// Set from any thread to stop the program with E0018 (checked like the deadline).
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl Default for VmConfig {
    fn default() -> VmConfig {
        VmConfig {
            max_call_depth: 250_000,
            gc_stress: std::env::var("ORUS_GC_STRESS").is_ok_and(|v| v == "1"),
            max_heap_bytes: None,
            instruction_budget: None,
            deadline: None,
            interrupt: None,
        }
    }
}

/// Runs `program.entry`, whose R[0] is given an array of strings holding `args`; returns the
/// i32 the entry function returns (the process exit code), or the exit code passed to the
/// `Exit` native, or the uncaught runtime error with its Orus stack trace. Reads `input()`
/// from the process's stdin; `out` is flushed before reading stdin and before returning.
pub fn run(program: &Program, config: &VmConfig, args: &[String], out: &mut dyn Write) -> Result<i32, RuntimeError> {
    run_stats(program, config, args, out).0
}

/// `run`, also returning the collector's counters (for `orus run --gc-stats`).
pub fn run_stats(
    program: &Program,
    config: &VmConfig,
    args: &[String],
    out: &mut dyn Write,
) -> (Result<i32, RuntimeError>, GcStats) {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    run_with_io(program, config, args, &mut input, out)
}

/// `run` with an explicit input stream, also returning the collector's counters.
pub fn run_with_io(
    program: &Program,
    config: &VmConfig,
    args: &[String],
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> (Result<i32, RuntimeError>, GcStats) {
    if let Err(e) = verify(program) {
        let err = RuntimeError::new(codes::INTERNAL, format!("internal error: invalid bytecode: {e}"));
        return (Err(err), GcStats::default());
    }
    let mut vm = interp::Vm::new(host::ProgRef::Borrowed(program), config, Box::new(input), Box::new(out));
    let result = vm.start(args);
    let flushed = vm.flush();
    let stats = vm.gc_stats();
    (result.and_then(|code| flushed.map(|_| code)), stats)
}

/// Checks a program once at load (see `bytecode::verify`).
pub fn verify(program: &Program) -> Result<(), String> {
    crate::bytecode::verify::verify(program)
}
