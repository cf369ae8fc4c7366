//! `Engine`: what a host sets up once and compiles many programs with: native functions
//! (Rust closures whose Orus types come from their signatures), typed globals, limits,
//! print capture, and the choice of standard modules.

use std::io::{BufRead, Read};
use std::sync::Arc;
use std::time::Duration;

use super::convert::{FromOrus, HostReturn, IntoOrus, OrusType};
use super::error::Diagnostics;
use super::program::Program;
use super::types::Type;
use super::value::Value;
use crate::diag::{codes, Diagnostic};
use crate::syntax::host::{HostDecls, HostFnDecl, HostGlobalDecl};
use crate::syntax::span::Span;
use crate::vm::error::RuntimeError;
use crate::vm::host::{HostCx, HostFn};
use crate::vm::VmConfig;

/// Builds a global's value in a program's heap.
pub(crate) type GlobalInit = Arc<dyn Fn(&mut HostCx<'_>, u16) -> Result<u64, RuntimeError> + Send + Sync>;

pub(crate) struct HostEntry {
    pub name: String,
    pub params: Vec<Type>,
    pub ret: Type,
    pub f: Arc<HostFn>,
}

#[derive(Clone)]
pub(crate) struct GlobalEntry {
    pub name: String,
    pub ty: Type,
    pub mutable: bool,
    pub init: GlobalInit,
}

/// Limits every run and call of a program starts with. Each violation is a catchable
/// Orus runtime error (E0015 budget, E0014 heap, E0004 depth, E0016 deadline).
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// Instruction budget per `run`/`call` (counted at calls and loop iterations).
    pub max_instructions: Option<u64>,
    /// Heap byte limit (live data).
    pub max_heap_bytes: Option<usize>,
    /// Most nested Orus calls (default 250,000).
    pub max_call_depth: Option<usize>,
    /// Wall-clock limit per `run`/`call`.
    pub timeout: Option<Duration>,
}

/// Which standard modules (`use std.NAME`) scripts may import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StdModules {
    All,
    Only(Vec<String>),
}

pub(crate) type PrintFn = Arc<dyn Fn(&str) + Send + Sync>;

/// The embedding entry point. See the module documentation (`orus::api`) for an example.
pub struct Engine {
    pub(crate) fns: Vec<HostEntry>,
    pub(crate) globals: Vec<GlobalEntry>,
    pub(crate) limits: Limits,
    pub(crate) std_modules: StdModules,
    pub(crate) print: Option<PrintFn>,
    pub(crate) stdin: bool,
    pub(crate) gc_stress: bool,
    pub(crate) module_files: bool,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

/// Configures an `Engine`: limits and standard modules.
///
/// ```
/// use std::time::Duration;
/// let engine = orus::api::Engine::builder()
///     .max_instructions(1_000_000)
///     .max_heap_bytes(64 << 20)
///     .max_call_depth(1000)
///     .timeout(Duration::from_secs(2))
///     .std_modules(&["std.math"])
///     .build();
/// # let _ = engine;
/// ```
#[derive(Default)]
pub struct EngineBuilder {
    limits: Limits,
    std_modules: Option<Vec<String>>,
    stdin: bool,
    module_files: bool,
}

impl EngineBuilder {
    pub fn max_instructions(mut self, n: u64) -> Self {
        self.limits.max_instructions = Some(n);
        self
    }
    pub fn max_heap_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_heap_bytes = Some(bytes);
        self
    }
    pub fn max_call_depth(mut self, depth: usize) -> Self {
        self.limits.max_call_depth = Some(depth);
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.limits.timeout = Some(t);
        self
    }
    /// Only these standard modules can be imported (`std_modules(&[])`: none).
    pub fn std_modules(mut self, names: &[&str]) -> Self {
        self.std_modules = Some(names.iter().map(|s| s.to_string()).collect());
        self
    }
    /// Let `input()` read the process's stdin (by default it reads nothing: end of input).
    pub fn inherit_stdin(mut self, yes: bool) -> Self {
        self.stdin = yes;
        self
    }
    /// Let `use` load module files (from the current directory and `ORUSPATH`, as the
    /// command line does). Off by default: embedded scripts import only `std` modules.
    pub fn module_files(mut self, yes: bool) -> Self {
        self.module_files = yes;
        self
    }
    pub fn build(self) -> Engine {
        Engine {
            limits: self.limits,
            std_modules: self.std_modules.map_or(StdModules::All, StdModules::Only),
            stdin: self.stdin,
            module_files: self.module_files,
            ..Engine::new()
        }
    }
}

/// A Rust closure usable as an Orus function: `Fn(A1, ..., An) -> R` for up to 8
/// arguments of `FromOrus + OrusType` types, `R` any `HostReturn`.
pub trait HostFunction<Args>: Send + Sync + 'static {
    /// Parameter and result types.
    fn signature() -> (Vec<Type>, Type);
    /// The VM-level function; `index` is its position among the engine's functions.
    fn into_host(self, index: usize) -> Arc<HostFn>;
}

fn arg_error() -> RuntimeError {
    RuntimeError::new(codes::INTERNAL, "internal error: host function arguments")
}

macro_rules! host_function {
    ($($a:ident),*) => {
        impl<F, R, $($a,)*> HostFunction<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: HostReturn,
            $($a: FromOrus + OrusType,)*
        {
            fn signature() -> (Vec<Type>, Type) {
                (vec![$($a::orus_type()),*], R::ret_type())
            }

            #[allow(non_snake_case, unused_mut, unused_variables, unused_assignments)]
            fn into_host(self, index: usize) -> Arc<HostFn> {
                Arc::new(move |cx: &mut HostCx<'_>, args: &[u64]| {
                    let prog = cx.prog;
                    let Some(sig) = prog.host.fns.get(index) else { return Err(arg_error()) };
                    let mut i = 0;
                    $(
                        let $a = match (args.get(i), sig.params.get(i)) {
                            (Some(b), Some(t)) => $a::from_orus(cx, *b, *t)?,
                            _ => return Err(arg_error()),
                        };
                        i += 1;
                    )*
                    (self)($($a),*).into_ret(cx, sig.ret)
                })
            }
        }
    };
}

host_function!();
host_function!(A1);
host_function!(A1, A2);
host_function!(A1, A2, A3);
host_function!(A1, A2, A3, A4);
host_function!(A1, A2, A3, A4, A5);
host_function!(A1, A2, A3, A4, A5, A6);
host_function!(A1, A2, A3, A4, A5, A6, A7);
host_function!(A1, A2, A3, A4, A5, A6, A7, A8);

impl Engine {
    /// An engine with every standard module and no limits.
    pub fn new() -> Engine {
        Engine {
            fns: Vec::new(),
            globals: Vec::new(),
            limits: Limits::default(),
            std_modules: StdModules::All,
            print: None,
            stdin: false,
            gc_stress: std::env::var("ORUS_GC_STRESS").is_ok_and(|v| v == "1"),
            module_files: false,
        }
    }

    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// Registers a Rust closure as the Orus function `name`; its Orus type comes from the
    /// closure's signature. Scripts calling it are type-checked like any call. Registering
    /// a name again replaces the function. A script's own definition of `name` shadows it.
    ///
    /// ```
    /// let mut engine = orus::api::Engine::new();
    /// engine.register_fn("scale", |x: i64, by: f64| -> f64 { x as f64 * by });
    /// let mut program = engine.compile("fn run() -> f64:\n    return scale(3, 1.5)\n").unwrap();
    /// assert_eq!(program.call::<(), f64>("run", ()).unwrap(), 4.5);
    /// ```
    pub fn register_fn<Args, F: HostFunction<Args>>(&mut self, name: &str, f: F) -> &mut Self {
        let (params, ret) = F::signature();
        let index = self.fns.iter().position(|e| e.name == name).unwrap_or(self.fns.len());
        let entry = HostEntry { name: name.to_string(), params, ret, f: f.into_host(index) };
        match self.fns.get_mut(index) {
            Some(slot) => *slot = entry,
            None => self.fns.push(entry),
        }
        self
    }

    /// Registers a host function at the VM level: arguments and result as raw register
    /// bits of the declared types, read and built with `HostCx` (for hosts that need more
    /// than the typed closures offer).
    pub fn register_raw_fn(&mut self, name: &str, params: Vec<Type>, ret: Type, f: Arc<HostFn>) -> &mut Self {
        let entry = HostEntry { name: name.to_string(), params, ret, f };
        match self.fns.iter_mut().find(|e| e.name == name) {
            Some(slot) => *slot = entry,
            None => self.fns.push(entry),
        }
        self
    }

    /// Exposes `value` to scripts as the immutable global `name`, typed from the Rust type.
    ///
    /// ```
    /// let mut engine = orus::api::Engine::new();
    /// engine.set_global("limit", 10i64).set_global("greeting", "hi");
    /// let mut program = engine.compile("fn f() -> string:\n    return greeting + \" \" + ((limit * 2) as string)\n").unwrap();
    /// assert_eq!(program.call::<(), String>("f", ()).unwrap(), "hi 20");
    /// ```
    pub fn set_global<T: IntoOrus + OrusType + Clone + Send + Sync + 'static>(
        &mut self,
        name: &str,
        value: T,
    ) -> &mut Self {
        let init: GlobalInit = Arc::new(move |cx: &mut HostCx<'_>, ty| value.clone().into_orus(cx, ty));
        self.add_global(GlobalEntry { name: name.to_string(), ty: T::orus_type(), mutable: false, init })
    }

    /// Like `set_global`, but scripts may assign the global too (`name = ...`).
    pub fn set_global_mut<T: IntoOrus + OrusType + Clone + Send + Sync + 'static>(
        &mut self,
        name: &str,
        value: T,
    ) -> &mut Self {
        let init: GlobalInit = Arc::new(move |cx: &mut HostCx<'_>, ty| value.clone().into_orus(cx, ty));
        self.add_global(GlobalEntry { name: name.to_string(), ty: T::orus_type(), mutable: true, init })
    }

    /// A global of an explicit Orus type holding a dynamic `Value` (which must fit it when a
    /// program is created). `Named` types refer to the script's structs and enums.
    pub fn set_global_value(&mut self, name: &str, ty: Type, value: Value, mutable: bool) -> &mut Self {
        let init: GlobalInit = Arc::new(move |cx: &mut HostCx<'_>, t| value.write(cx, t));
        self.add_global(GlobalEntry { name: name.to_string(), ty, mutable, init })
    }

    fn add_global(&mut self, g: GlobalEntry) -> &mut Self {
        match self.globals.iter_mut().find(|e| e.name == g.name) {
            Some(slot) => *slot = g,
            None => self.globals.push(g),
        }
        self
    }

    /// Calls `f` with every line the script prints (without the newline) instead of
    /// writing to stdout. Text printed without a newline (`input` prompts) is passed on
    /// when the run or call ends.
    pub fn on_print(&mut self, f: impl Fn(&str) + Send + Sync + 'static) -> &mut Self {
        self.print = Some(Arc::new(f));
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn limits_mut(&mut self) -> &mut Limits {
        &mut self.limits
    }

    /// The standard modules scripts may import.
    pub fn std_modules(&self) -> &StdModules {
        &self.std_modules
    }

    /// Compiles `src` (named `script.orus` in diagnostics).
    pub fn compile(&self, src: &str) -> Result<Program, Diagnostics> {
        self.compile_named("script.orus", src)
    }

    /// Compiles `src`, naming it `name` in diagnostics and stack traces.
    pub fn compile_named(&self, name: &str, src: &str) -> Result<Program, Diagnostics> {
        let compiled = crate::compile_source_host(name, src, self.host_decls());
        let files = compiled.files;
        match compiled.program {
            Some(p) if !compiled.diagnostics.iter().any(Diagnostic::is_error) => {
                Program::new(self, p, files.clone(), compiled.diagnostics).map_err(|e| Diagnostics {
                    diags: vec![Diagnostic::error(
                        codes::HOST_ERROR,
                        "cannot set a host global",
                        Span::default(),
                        e.message,
                    )],
                    files,
                })
            }
            _ => Err(Diagnostics { diags: compiled.diagnostics, files }),
        }
    }

    /// Type-checks `src` without building a program; the diagnostics (warnings included).
    pub fn check(&self, src: &str) -> Diagnostics {
        let compiled = crate::compile_source_host("script.orus", src, self.host_decls());
        Diagnostics { diags: compiled.diagnostics, files: compiled.files }
    }

    pub(crate) fn host_decls(&self) -> HostDecls {
        HostDecls {
            fns: self
                .fns
                .iter()
                .map(|f| HostFnDecl {
                    name: f.name.clone(),
                    params: f.params.iter().map(Type::to_type_expr).collect(),
                    ret: f.ret.to_type_expr(),
                })
                .collect(),
            globals: self
                .globals
                .iter()
                .map(|g| HostGlobalDecl { name: g.name.clone(), ty: g.ty.to_type_expr(), mutable: g.mutable })
                .collect(),
            export_all: true,
            // The module loader refuses `use std.X` (E3001) for X not listed.
            std_modules: match &self.std_modules {
                StdModules::All => None,
                StdModules::Only(names) => Some(names.clone()),
            },
            module_files: self.module_files,
        }
    }

    pub(crate) fn vm_config(&self) -> VmConfig {
        VmConfig {
            max_call_depth: self.limits.max_call_depth.unwrap_or(VmConfig::default().max_call_depth),
            gc_stress: self.gc_stress,
            max_heap_bytes: self.limits.max_heap_bytes,
            instruction_budget: self.limits.max_instructions,
            deadline: None,
            interrupt: None,
        }
    }

    pub(crate) fn input(&self) -> Box<dyn BufRead> {
        if self.stdin {
            Box::new(StdinLines::default())
        } else {
            Box::new(std::io::empty())
        }
    }
}

/// The process's stdin, read a line at a time through the shared `Stdin` buffer, so a
/// host (the REPL) and the script can both read it without either taking lines ahead.
#[derive(Default)]
struct StdinLines {
    buf: Vec<u8>,
    pos: usize,
}

impl Read for StdinLines {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for StdinLines {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            std::io::stdin().lock().read_until(b'\n', &mut self.buf)?;
        }
        Ok(self.buf.get(self.pos..).unwrap_or_default())
    }
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}
