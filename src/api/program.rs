//! `Program`: a compiled script bound to its own VM, which persists between calls: run the
//! top-level code, call functions by name with typed arguments (checked against the
//! function's Orus signature before the call), read and write globals, capture output,
//! and stop it from another thread. No Orus error or host panic unwinds into the caller.

use std::io::Write;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::convert::{FromOrus, IntoOrus};
use super::engine::{Engine, PrintFn};
use super::error::{render_runtime, Error};
use super::types::rt_name;
use super::value::Value;
use crate::bytecode::chunk::{Program as Bytecode, RtType, TypeId};
use crate::bytecode::host::Export;
use crate::diag::{codes, Diagnostic, SourceFile};
use crate::vm::error::RuntimeError;
use crate::vm::host::{CallEnd, HostFns, Machine, MAX_HOST_ARGS};

/// A compiled program with its VM. Not `Send`: create it on the thread that runs it (the
/// `InterruptHandle` is `Send` and stops it from elsewhere).
pub struct Program {
    machine: Machine,
    files: Vec<SourceFile>,
    warnings: Vec<Diagnostic>,
    timeout: Option<Duration>,
    ran: bool,
    interrupt: Option<Arc<AtomicBool>>,
}

/// A global as `Program::globals` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalDesc {
    pub name: String,
    /// Its Orus type, e.g. `[string]`.
    pub ty: String,
    pub mutable: bool,
    pub constant: bool,
}

/// Stops a running program from any thread: the VM notices within a few microseconds (at
/// its next call or loop iteration) and raises E0018. The flag stays set, so later runs
/// and calls stop at once too, until `clear`.
#[derive(Clone, Debug)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn clear(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A tuple of Rust arguments for `Program::call` (up to 8, each `IntoOrus`).
pub trait Args {
    const LEN: usize;
    /// Whether each element can be written as the corresponding parameter type.
    fn accepts(types: &[RtType], params: &[TypeId]) -> bool;
    /// The Rust types, for error messages.
    fn rust_types() -> String;
    /// Converts the arguments into `out`.
    fn write(
        self,
        cx: &mut crate::vm::host::HostCx<'_>,
        params: &[TypeId],
        out: &mut [u64],
    ) -> Result<(), RuntimeError>;
}

macro_rules! args_tuple {
    ($len:expr; $($a:ident $i:tt),*) => {
        impl<$($a: IntoOrus,)*> Args for ($($a,)*) {
            const LEN: usize = $len;
            #[allow(unused_variables)]
            fn accepts(types: &[RtType], params: &[TypeId]) -> bool {
                params.len() == $len $(&& params.get($i).is_some_and(|t| $a::accepts(types, *t)))*
            }
            fn rust_types() -> String {
                let names: Vec<&str> = vec![$(std::any::type_name::<$a>()),*];
                format!("({})", names.join(", "))
            }
            #[allow(unused_variables)]
            fn write(self, cx: &mut crate::vm::host::HostCx<'_>, params: &[TypeId], out: &mut [u64]) -> Result<(), RuntimeError> {
                $(
                    let (Some(t), Some(slot)) = (params.get($i), out.get_mut($i)) else {
                        return Err(RuntimeError::new(codes::INTERNAL, "internal error: arguments"));
                    };
                    *slot = self.$i.into_orus(cx, *t)?;
                )*
                Ok(())
            }
        }
    };
}

args_tuple!(0;);
args_tuple!(1; A0 0);
args_tuple!(2; A0 0, A1 1);
args_tuple!(3; A0 0, A1 1, A2 2);
args_tuple!(4; A0 0, A1 1, A2 2, A3 3);
args_tuple!(5; A0 0, A1 1, A2 2, A3 3, A4 4);
args_tuple!(6; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5);
args_tuple!(7; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6);
args_tuple!(8; A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7);

/// A function of a program, with its Rust argument and result types checked once
/// (`Program::get_fn`): the fast way to call the same function many times.
pub struct Func<A, R> {
    func: u32,
    params: Vec<TypeId>,
    ret: TypeId,
    _types: PhantomData<fn(A) -> R>,
}

impl<A, R> Clone for Func<A, R> {
    fn clone(&self) -> Self {
        Func { func: self.func, params: self.params.clone(), ret: self.ret, _types: PhantomData }
    }
}

impl<A: Args, R: FromOrus> Func<A, R> {
    /// Calls the function in `program` (the program it was looked up in).
    pub fn call(&self, program: &mut Program, args: A) -> Result<R, Error> {
        program.invoke(self.func, &self.params, self.ret, args)
    }
}

/// Writes printed text to a callback, one line at a time.
struct LineSink {
    buf: Vec<u8>,
    f: PrintFn,
}

impl Write for LineSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        while let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=i).collect();
            (self.f)(&String::from_utf8_lossy(&line[..i]));
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let rest = std::mem::take(&mut self.buf);
            (self.f)(&String::from_utf8_lossy(&rest));
        }
        Ok(())
    }
}

/// Stdout, flushed only when something was written (flushing is per call).
struct Stdout {
    dirty: bool,
}

impl Write for Stdout {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.dirty = true;
        std::io::stdout().write(data)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if std::mem::take(&mut self.dirty) {
            std::io::stdout().flush()?;
        }
        Ok(())
    }
}

fn panicked() -> Error {
    Error::Runtime(RuntimeError::new(codes::INTERNAL, "internal error: the Orus VM panicked (this is a bug in Orus)"))
}

impl Program {
    pub(crate) fn new(
        engine: &Engine,
        bytecode: Bytecode,
        files: Vec<SourceFile>,
        warnings: Vec<Diagnostic>,
    ) -> Result<Program, RuntimeError> {
        let hosts: HostFns = engine.fns.iter().map(|e| e.f.clone()).collect();
        let out: Box<dyn Write> = match &engine.print {
            Some(f) => Box::new(LineSink { buf: Vec::new(), f: f.clone() }),
            None => Box::new(Stdout { dirty: false }),
        };
        let globals = bytecode.host.globals.clone();
        let mut machine = Machine::new(Arc::new(bytecode), engine.vm_config(), hosts, engine.input(), out);
        machine.ensure_loaded();
        for (g, entry) in globals.iter().zip(&engine.globals) {
            let bits = (entry.init)(&mut machine.cx(), g.ty)?;
            machine.set_global(g.slot as usize, bits)?;
        }
        Ok(Program { machine, files, warnings, timeout: engine.limits.timeout, ran: false, interrupt: None })
    }

    /// Runs the top-level statements (and `main`, if the script has one and does not call
    /// it itself); returns the exit code (`main`'s `i32`, `exit()`'s argument, else 0).
    /// Running again runs the top-level code again.
    ///
    /// ```
    /// let mut engine = orus::api::Engine::new();
    /// let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    /// let sink = lines.clone();
    /// engine.on_print(move |line| sink.lock().unwrap().push(line.to_string()));
    /// let mut program = engine.compile("print(\"hello\")\nprint(1 + 2)").unwrap();
    /// assert_eq!(program.run().unwrap(), 0);
    /// assert_eq!(*lines.lock().unwrap(), ["hello", "3"]);
    /// ```
    pub fn run(&mut self) -> Result<i32, Error> {
        self.ran = true;
        self.arm_deadline();
        let machine = &mut self.machine;
        match catch_unwind(AssertUnwindSafe(|| machine.run_entry())) {
            Ok(Ok(code)) => Ok(code),
            Ok(Err(e)) => Err(Error::Runtime(e)),
            Err(_) => Err(panicked()),
        }
    }

    /// Calls the top-level function `name` (a method as `Type.method`) with `args`, after
    /// checking the Rust types against its Orus signature: a mismatch is
    /// `Error::Signature`, nothing runs. The first call runs the top-level code first if
    /// `run` was not called, so functions see the globals it defines.
    ///
    /// ```
    /// let engine = orus::api::Engine::new();
    /// let mut program = engine.compile("fn add(a: i64, b: i64) -> i64:\n    return a + b\n").unwrap();
    /// assert_eq!(program.call::<(i64, i64), i64>("add", (2, 3)).unwrap(), 5);
    /// assert!(matches!(program.call::<(i32, i64), i64>("add", (2, 3)), Err(orus::api::Error::Signature { .. })));
    /// ```
    pub fn call<A: Args, R: FromOrus>(&mut self, name: &str, args: A) -> Result<R, Error> {
        let f: Func<A, R> = self.get_fn(name)?;
        f.call(self, args)
    }

    /// Looks up `name` and checks the Rust types once, for repeated calls.
    pub fn get_fn<A: Args, R: FromOrus>(&self, name: &str) -> Result<Func<A, R>, Error> {
        let types = &self.machine.program().types;
        let mut found: Option<&Export> = None;
        for e in self.exports().filter(|e| e.name == name) {
            found = Some(e);
            if A::accepts(types, &e.sig.params) && R::accepts(types, e.sig.ret) {
                return Ok(Func { func: e.func, params: e.sig.params.clone(), ret: e.sig.ret, _types: PhantomData });
            }
        }
        match found {
            None => Err(Error::NoSuchFunction(name.to_string())),
            Some(e) => Err(Error::Signature {
                name: name.to_string(),
                orus: e.signature.clone(),
                rust: format!("{} -> {}", A::rust_types(), std::any::type_name::<R>()),
            }),
        }
    }

    fn invoke<A: Args, R: FromOrus>(&mut self, func: u32, params: &[TypeId], ret: TypeId, args: A) -> Result<R, Error> {
        if !self.ran {
            self.run()?;
        }
        self.arm_deadline();
        let machine = &mut self.machine;
        let result = catch_unwind(AssertUnwindSafe(|| -> Result<R, Error> {
            let mut bits = [0u64; MAX_HOST_ARGS];
            let slots =
                bits.get_mut(..A::LEN).ok_or_else(|| RuntimeError::new(codes::HOST_ERROR, "too many arguments"))?;
            args.write(&mut machine.cx(), params, slots)?;
            match machine.call(func, slots)? {
                CallEnd::Value(v) => Ok(R::from_orus(&mut machine.cx(), v, ret)?),
                CallEnd::Exit(code) => Err(Error::Exit(code)),
            }
        }));
        result.unwrap_or_else(|_| Err(panicked()))
    }

    fn arm_deadline(&mut self) {
        if let Some(t) = self.timeout {
            self.machine.config_mut().deadline = Instant::now().checked_add(t);
        }
    }

    /// The compiled top-level functions with their Orus signatures (`fn(i64) -> bool`).
    pub fn functions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.exports().map(|e| (e.name.as_str(), e.signature.as_str()))
    }

    fn exports(&self) -> impl Iterator<Item = &Export> {
        self.machine.program().host.exports.iter()
    }

    /// The slot of the visible global `name` (the script's own binding shadows a host's).
    fn global_slot(&self, name: &str) -> Result<usize, Error> {
        let p = self.machine.program();
        p.globals.iter().rposition(|g| g.name == name).ok_or_else(|| Error::NoSuchGlobal(name.to_string()))
    }

    fn global_type(&self, slot: usize) -> Result<(TypeId, String), Error> {
        let p = self.machine.program();
        let info = p.host.global_types.get(slot).ok_or_else(|| Error::NoSuchGlobal(format!("#{slot}")))?;
        Ok((info.ty, info.type_name.clone()))
    }

    /// The slot and type of global `name`, after checking that the Rust type `T` (whose
    /// `accepts` is given) matches its Orus type.
    fn typed_global<T>(&self, name: &str, accepts: fn(&[RtType], TypeId) -> bool) -> Result<(usize, TypeId), Error> {
        let slot = self.global_slot(name)?;
        let (ty, orus) = self.global_type(slot)?;
        if !accepts(&self.machine.program().types, ty) {
            return Err(Error::Signature {
                name: name.to_string(),
                orus,
                rust: std::any::type_name::<T>().to_string(),
            });
        }
        Ok((slot, ty))
    }

    /// Reads global `name` (a module-level binding of the script, or a host global).
    pub fn global<T: FromOrus>(&mut self, name: &str) -> Result<T, Error> {
        let (slot, ty) = self.typed_global::<T>(name, T::accepts)?;
        let bits = self.machine.global(slot).ok_or_else(|| {
            Error::Runtime(RuntimeError::new(codes::UNINITIALIZED, format!("`{name}` used before initialization")))
        })?;
        Ok(T::from_orus(&mut self.machine.cx(), bits, ty)?)
    }

    /// Reads global `name` as a dynamic `Value`, with its Orus type's name.
    pub fn global_value(&mut self, name: &str) -> Result<(Value, String), Error> {
        let slot = self.global_slot(name)?;
        let (_, orus) = self.global_type(slot)?;
        Ok((self.global(name)?, orus))
    }

    /// Sets global `name` from the host (whatever its `mut`-ness in the script).
    pub fn set_global<T: IntoOrus>(&mut self, name: &str, value: T) -> Result<(), Error> {
        let (slot, ty) = self.typed_global::<T>(name, T::accepts)?;
        let bits = value.into_orus(&mut self.machine.cx(), ty)?;
        Ok(self.machine.set_global(slot, bits)?)
    }

    /// The globals (module-level bindings and host globals) with their Orus types, in
    /// slot order; a name may repeat when the script shadows a host global.
    pub fn globals(&self) -> Vec<GlobalDesc> {
        let p = self.machine.program();
        p.globals
            .iter()
            .zip(&p.host.global_types)
            .map(|(g, info)| GlobalDesc {
                name: g.name.clone(),
                ty: info.type_name.clone(),
                mutable: info.mutable,
                constant: info.constant,
            })
            .collect()
    }

    /// A handle that stops this program from another thread (E0018).
    pub fn interrupt_handle(&mut self) -> InterruptHandle {
        let flag = self.interrupt.get_or_insert_with(|| Arc::new(AtomicBool::new(false))).clone();
        self.machine.config_mut().interrupt = Some(flag.clone());
        InterruptHandle(flag)
    }

    /// Renders an error like the command line does (for runtime errors: with the Orus
    /// stack trace and source lines).
    pub fn render_error(&self, err: &Error) -> String {
        match err {
            Error::Runtime(e) => render_runtime(e, &self.files),
            other => format!("error: {other}\n"),
        }
    }

    /// `render_error` with the main file's text replaced by `main_text`, which must have
    /// the same lines (the REPL compiles `__it = (expr)` but shows what was typed).
    pub(crate) fn render_error_as_typed(&self, err: &Error, main_text: &str) -> String {
        let Error::Runtime(e) = err else { return self.render_error(err) };
        let mut files = self.files.clone();
        if let Some(main) = files.first_mut() {
            main.text = main_text.to_string();
        }
        render_runtime(e, &files)
    }

    /// Compile warnings of the program.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The bytecode of the functions whose name is `name` (all functions if `None`).
    pub fn disassemble(&self, name: Option<&str>) -> String {
        let p = self.machine.program();
        let text = crate::bytecode::disasm::disassemble(p);
        let Some(name) = name else { return text };
        // Sections start with a line `fn NAME...`; keep the matching ones.
        let mut out = String::new();
        let mut keep = false;
        for line in text.lines() {
            if line.starts_with("fn #") {
                keep = section_name(line).is_some_and(|n| n == name || n.starts_with(&format!("{name}<")));
            }
            if keep {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The Orus name of the runtime type `ty` of this program.
    pub fn type_name(&self, ty: TypeId) -> String {
        rt_name(&self.machine.program().types, ty)
    }

    /// The bytecode program (for tools).
    pub fn bytecode(&self) -> &Bytecode {
        self.machine.program()
    }

    /// The garbage collector's counters so far.
    pub fn gc_stats(&self) -> crate::vm::GcStats {
        self.machine.gc_stats()
    }
}

/// The function name of a disassembly section header (`fn #3 name [entry] (params: ...`).
fn section_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("fn #")?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit()).strip_prefix(' ')?;
    let name = rest.split(" (params").next()?;
    Some(name.strip_suffix(" [entry]").unwrap_or(name))
}
