//! The VM side of embedding (`src/api/` builds the public API on it): host functions
//! called by `CallHost`, and `Machine`, a VM that persists after the top-level code ran so
//! the host can call Orus functions repeatedly and read or write globals, with the heap
//! and globals surviving between calls.
//!
//! A host function receives its arguments as raw register bits and returns the result's
//! bits; `HostCx` gives it the heap and the program's runtime types to read and build
//! values. It runs under `catch_unwind`: a panic becomes the catchable Orus runtime error
//! E0021, and an `Err` it returns unwinds like any runtime error.

use std::io::{BufRead, Write};
use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use super::error::RuntimeError;
use super::interp::{internal, Vm, NO_CLOSURE};
use super::limits::Limits;
use super::VmConfig;
use crate::bytecode::chunk::Program;
use crate::diag::codes;
use crate::heap::{GcStats, Heap};

/// Most arguments a host function takes.
pub const MAX_HOST_ARGS: usize = 16;

/// The program a VM runs: borrowed for one run, or shared by a persistent `Machine`.
#[derive(Clone)]
pub enum ProgRef<'a> {
    Borrowed(&'a Program),
    Shared(Arc<Program>),
}

impl Deref for ProgRef<'_> {
    type Target = Program;
    fn deref(&self) -> &Program {
        match self {
            ProgRef::Borrowed(p) => p,
            ProgRef::Shared(p) => p,
        }
    }
}

/// What a host function sees besides its arguments.
pub struct HostCx<'h> {
    pub heap: &'h mut Heap,
    pub prog: &'h Program,
}

/// A host function: arguments as register bits, result bits or a runtime error.
pub type HostFn = dyn Fn(&mut HostCx<'_>, &[u64]) -> Result<u64, RuntimeError> + Send + Sync;

/// The host functions of one program, indexed like `Program::host.fns`.
pub type HostFns = Arc<[Arc<HostFn>]>;

impl Vm<'_> {
    /// Runs host function `index` on `args`; a panic becomes E0021.
    pub(crate) fn call_host(&mut self, index: u32, args: &[u64]) -> Result<u64, RuntimeError> {
        let Some(f) = self.hosts.get(index as usize) else { return Err(internal("host function index")) };
        let mut cx = HostCx { heap: &mut self.heap, prog: &self.prog };
        match catch_unwind(AssertUnwindSafe(|| f(&mut cx, args))) {
            Ok(result) => result,
            Err(payload) => {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_string());
                Err(RuntimeError::new(codes::HOST_PANIC, format!("host function panicked: {what}")))
            }
        }
    }
}

/// A VM that outlives one run: load it, run the top-level code once, then call functions
/// and read globals as often as needed.
pub struct Machine {
    vm: Vm<'static>,
    config: VmConfig,
    loaded: bool,
}

impl Machine {
    pub fn new(
        prog: Arc<Program>,
        config: VmConfig,
        hosts: HostFns,
        input: Box<dyn BufRead>,
        out: Box<dyn Write>,
    ) -> Machine {
        let mut vm = Vm::new(ProgRef::Shared(prog), &config, input, out);
        vm.hosts = hosts;
        Machine { vm, config, loaded: false }
    }

    pub fn program(&self) -> &Program {
        &self.vm.prog
    }

    /// The configuration each run and call starts with (limits are re-armed per call).
    pub fn config_mut(&mut self) -> &mut VmConfig {
        &mut self.config
    }

    /// Allocates the constants once; needed before globals are written.
    pub fn ensure_loaded(&mut self) {
        if !self.loaded {
            self.vm.load(&[]);
            self.loaded = true;
        }
    }

    /// Forgets the frames of an earlier error and re-arms the limits.
    fn reset(&mut self) {
        self.vm.frames.clear();
        self.vm.handlers.clear();
        self.vm.exited = None;
        if self.config.instruction_budget.is_some() || self.config.deadline.is_some() || self.config.interrupt.is_some()
        {
            self.vm.limits = Limits::new(&self.config);
        }
        self.vm.max_depth = self.config.max_call_depth.max(1);
        self.vm.heap.set_limit(self.config.max_heap_bytes);
    }

    /// Runs the top-level code (then `main`, as the program decides); returns the exit code.
    pub fn run_entry(&mut self) -> Result<i32, RuntimeError> {
        self.ensure_loaded();
        self.reset();
        let prog = self.vm.prog.clone();
        let result = self.vm.push_frame(&prog, prog.entry, NO_CLOSURE, 0).and_then(|_| self.vm.run_loop());
        let flushed = self.vm.flush();
        result.and_then(|code| flushed.map(|()| code))
    }

    /// Calls function `func` with `args` (already converted to register bits); returns the
    /// result's bits, or `CallEnd::Exit` when the function called `exit(n)`.
    pub fn call(&mut self, func: u32, args: &[u64]) -> Result<CallEnd, RuntimeError> {
        self.ensure_loaded();
        self.reset();
        let f = self.vm.prog.functions.get(func as usize).ok_or_else(|| internal("function index"))?;
        if f.nparams as usize != args.len() {
            return Err(internal("wrong number of arguments"));
        }
        let prog = self.vm.prog.clone();
        self.vm.push_frame(&prog, func, NO_CLOSURE, 0)?;
        if let Some(regs) = self.vm.regs.get_mut(..args.len()) {
            regs.copy_from_slice(args);
        }
        let result = self.vm.run_loop();
        let flushed = self.vm.flush();
        result?;
        flushed?;
        Ok(match self.vm.exited {
            Some(code) => CallEnd::Exit(code),
            None => CallEnd::Value(self.vm.ret_bits),
        })
    }

    /// The value of global `slot`, if it was initialized.
    pub fn global(&self, slot: usize) -> Option<u64> {
        match self.vm.global_set.get(slot) {
            Some(true) => self.vm.globals.get(slot).copied(),
            _ => None,
        }
    }

    /// Sets global `slot` (the value must be of the global's type; a handle must come
    /// from this machine's heap).
    pub fn set_global(&mut self, slot: usize, bits: u64) -> Result<(), RuntimeError> {
        match (self.vm.globals.get_mut(slot), self.vm.global_set.get_mut(slot)) {
            (Some(v), Some(set)) => {
                *v = bits;
                *set = true;
                Ok(())
            }
            _ => Err(internal("global index")),
        }
    }

    /// The heap and program, to convert values (no collection runs meanwhile).
    pub fn cx(&mut self) -> HostCx<'_> {
        HostCx { heap: &mut self.vm.heap, prog: &self.vm.prog }
    }

    pub fn gc_stats(&self) -> GcStats {
        self.vm.gc_stats()
    }
}

/// How a call into Orus ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallEnd {
    Value(u64),
    /// The function called `exit(code)`.
    Exit(i32),
}
