//! Orus: a statically typed, indentation-based language compiled to register bytecode.
//!
//! The pipeline, one module per stage, data flowing one way:
//! `syntax` (lexer, layout, parser) → `modules` (imports, linking) → `resolve` (names) → `types` (inference) →
//! `codegen` (monomorphization + bytecode) → `bytecode::verify` → `vm` (with `heap`).
//! `diag` holds diagnostics as data and renders them. The CLI (`src/main.rs`) uses only
//! the functions below.
//!
//! ```
//! let out = orus::run_source_captured("demo.orus", "print(1 + 2)").unwrap();
//! assert_eq!(out.stdout, "3\n");
//! ```

pub mod api;
pub mod bytecode;
pub mod codegen;
pub mod diag;
pub mod heap;
pub mod modules;
pub mod repl;
pub mod resolve;
pub mod syntax;
pub mod types;
pub mod vm;

use bytecode::chunk::Program;
use diag::{codes, Diagnostic, SourceFile};
pub use modules::ModuleOptions;
use syntax::span::{LineIndex, Span};
pub use vm::error::RuntimeError;
pub use vm::VmConfig;

/// Compilation runs on a thread with a large stack: the passes recurse over the tree,
/// whose depth the parser bounds, and this keeps deep-but-legal input from overflowing.
const COMPILER_STACK: usize = 256 << 20;

/// The outcome of compiling one source file.
pub struct Compiled {
    pub files: Vec<SourceFile>,
    /// The program, when there were no errors.
    pub program: Option<Program>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }
}

/// Compile `src` (named `name` in diagnostics; its directory is where `use` looks first),
/// with the default module options (`ORUSPATH`, the whole standard library). Never panics:
/// an internal failure becomes an E9001 diagnostic.
pub fn compile_source(name: &str, src: &str) -> Compiled {
    compile_with(name, src, &ModuleOptions::default())
}

/// Compile `src` with explicit module options (search path, file access, standard modules).
pub fn compile_with(name: &str, src: &str, options: &ModuleOptions) -> Compiled {
    compile_full(name, src, options, syntax::host::HostDecls::default())
}

/// `compile_source` with the functions and globals an embedding host declares (see `api`).
/// Embedded scripts may import the standard modules `host.std_modules` allows, and module
/// files only when `host.module_files` is set: by default a sandbox reads no files.
pub fn compile_source_host(name: &str, src: &str, host: syntax::host::HostDecls) -> Compiled {
    let base = if host.module_files { ModuleOptions::default() } else { ModuleOptions::std_only() };
    let options = ModuleOptions { std_modules: host.std_modules.clone(), ..base };
    compile_full(name, src, &options, host)
}

fn compile_full(name: &str, src: &str, options: &ModuleOptions, host: syntax::host::HostDecls) -> Compiled {
    let (n, s, o) = (name.to_string(), src.to_string(), options.clone());
    let result = std::thread::Builder::new()
        .stack_size(COMPILER_STACK)
        .spawn(move || std::panic::catch_unwind(|| compile_inner(&n, &s, &o, &host)))
        .map_err(|e| e.to_string())
        .and_then(|h| h.join().map_err(|_| "compiler thread failed".to_string()))
        .and_then(|r| r.map_err(|p| panic_message(&p)));
    match result {
        Ok(compiled) => compiled,
        Err(msg) => Compiled {
            files: vec![SourceFile { name: name.to_string(), text: src.to_string() }],
            program: None,
            diagnostics: vec![internal_error(&msg)],
        },
    }
}

/// Type-check `src` and return its diagnostics (empty when clean).
pub fn check_source(name: &str, src: &str) -> Vec<Diagnostic> {
    compile_source(name, src).diagnostics
}

fn compile_inner(name: &str, src: &str, options: &ModuleOptions, host: &syntax::host::HostDecls) -> Compiled {
    let linked = modules::link(name, src, options);
    let (program, diagnostics) = compile_linked(&linked, host);
    Compiled { files: linked.files, program, diagnostics }
}

fn compile_linked(linked: &modules::Linked, host: &syntax::host::HostDecls) -> (Option<Program>, Vec<Diagnostic>) {
    let module = &linked.module;
    let mut diags = linked.diagnostics.clone();
    if linked.parse_failed {
        return (None, sorted(diags));
    }
    let resolution = resolve::resolve_program_host(module, &linked.units, &mut diags, host);
    let typed = types::check_module_host(module, &resolution, &mut diags, host);
    if diags.iter().any(|d| d.is_error()) {
        return (None, sorted(diags));
    }
    let lines: Vec<LineIndex> = linked.files.iter().map(|f| LineIndex::new(&f.text)).collect();
    let names = linked.files.iter().map(|f| f.name.clone()).collect();
    match codegen::generate_host(module, &resolution, &typed, &lines, names, host) {
        Ok(program) => match bytecode::verify::verify(&program) {
            Ok(()) => (Some(program), sorted(diags)),
            Err(e) => {
                diags.push(internal_error(&format!("generated bytecode failed verification: {e}")));
                (None, diags)
            }
        },
        Err(mut errs) => {
            diags.append(&mut errs);
            (None, sorted(diags))
        }
    }
}

/// Sort by position and drop exact duplicates, so every independent error shows once.
fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by_key(|d| (d.primary.span.file, d.primary.span.start, d.primary.span.end));
    diags.dedup_by(|a, b| a.code == b.code && a.primary.span == b.primary.span && a.title == b.title);
    diags
}

fn internal_error(msg: &str) -> Diagnostic {
    Diagnostic::error(codes::INTERNAL, "internal compiler error", Span::default(), msg)
        .with_note("this is a bug in Orus, not in your program; please report it")
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// Run a compiled program, writing its output to `out`. Returns the exit code.
pub fn run_program(
    program: &Program,
    config: &VmConfig,
    args: &[String],
    out: &mut dyn std::io::Write,
) -> Result<i32, RuntimeError> {
    vm::run(program, config, args, out)
}

/// The result of `run_source_captured`.
pub struct Captured {
    pub stdout: String,
    pub exit_code: i32,
}

/// Compile and run `src`, capturing its output. Compile errors are returned as rendered
/// short-form text; runtime errors as their one-line form.
pub fn run_source_captured(name: &str, src: &str) -> Result<Captured, String> {
    let compiled = compile_source(name, src);
    let Some(program) = compiled.program else {
        return Err(diag::render::render_diagnostics(
            &compiled.diagnostics,
            &compiled.files,
            diag::render::ErrorFormat::Short,
            false,
        ));
    };
    let mut out = Vec::new();
    let result = run_program(&program, &VmConfig::default(), &[], &mut out);
    let stdout = String::from_utf8_lossy(&out).into_owned();
    match result {
        Ok(exit_code) => Ok(Captured { stdout, exit_code }),
        Err(e) => Err(format!("{stdout}{e}")),
    }
}
