//! Declarations an embedding host adds to a program (see `src/api/`): native functions and
//! typed globals, with their Orus types written as type expressions. The resolver puts
//! them in a scope outside the module's own (so the script may shadow them), the checker
//! types them from these expressions, and codegen calls the functions with `CallHost` and
//! keeps the globals in ordinary global slots that the host fills before running.

use super::ast::TypeExpr;

/// Everything a host declares for one compilation. `HostDecls::default()` declares
/// nothing, which is what the command line uses.
#[derive(Clone, Debug, Default)]
pub struct HostDecls {
    /// Native functions, called from scripts by name; index = host function id.
    pub fns: Vec<HostFnDecl>,
    /// Globals provided by the host (also the REPL's persisted `let` bindings).
    pub globals: Vec<HostGlobalDecl>,
    /// Compile every non-generic top-level function, even those the script never calls,
    /// and list all compiled top-level functions in `Program::host.exports` (for
    /// `Program::call` of the embedding API).
    pub export_all: bool,
    /// The standard modules scripts may import (`use std.NAME`): `None` means all of them.
    /// `compile_source_host` passes it to the module loader, which reports E3001 for others.
    pub std_modules: Option<Vec<String>>,
    /// Whether `use` may load module files (the REPL: from the current directory and
    /// `ORUSPATH`); otherwise only the standard library exists.
    pub module_files: bool,
}

#[derive(Clone, Debug)]
pub struct HostFnDecl {
    pub name: String,
    pub params: Vec<TypeExpr>,
    pub ret: TypeExpr,
}

#[derive(Clone, Debug)]
pub struct HostGlobalDecl {
    pub name: String,
    pub ty: TypeExpr,
    pub mutable: bool,
}

/// The pseudo-file of host declarations' spans (a host global `i` is at `i..i`).
pub const HOST_FILE: u32 = u32::MAX;
