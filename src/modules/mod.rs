//! Modules: finds the files a program imports (`use a.b`), parses each once, checks imported
//! names, and links them into one module for the later stages.
//!
//! Linking works on the AST, before name resolution:
//! - Each file is a *unit*. Units are ordered dependencies first (a post-order of the import
//!   graph from the main file), and the linked module's statements are the units' statements
//!   concatenated in that order, so every module's top-level code runs once, before the code
//!   of the first module that imports it (see docs/DECISIONS.md, "Modules").
//! - Type names are qualified with their module path (`geometry.Point`) in every unit except
//!   the main one, and every reference to an imported type is rewritten to that name, so the
//!   type checker sees one flat namespace of types.
//! - Values (functions, constants) are resolved per unit by `resolve`, which gives each
//!   unit its own top-level scope and adds the unit's `imports` to it. `ns.member` for a
//!   module namespace becomes the single name `ns.member`, which the unit's imports bind.
//!
//! May import: `syntax`, `diag`.

mod exports;
mod load;
mod rename;
pub use rename::ERROR_TYPE;
pub mod stdlib;

use std::path::PathBuf;

use crate::diag::{Diagnostic, SourceFile};
use crate::syntax::ast::Module;
use crate::syntax::span::Span;

pub use load::{imported_and_declared, link};

/// Where `use` looks for modules, and which standard modules exist.
#[derive(Clone, Debug)]
pub struct ModuleOptions {
    /// Directories searched after the importer's and the main file's directories. The CLI
    /// and `Default` take them from `ORUSPATH` (separated by `:`).
    pub search_path: Vec<PathBuf>,
    /// Whether `use` may read module files at all; when false only `std.*` is available.
    pub file_system: bool,
    /// The standard modules that exist, by full name (`"std.math"`) or short name
    /// (`"math"`); `None` means all.
    pub std_modules: Option<Vec<String>>,
}

impl Default for ModuleOptions {
    fn default() -> ModuleOptions {
        let search_path = std::env::var_os("ORUSPATH")
            .map(|p| std::env::split_paths(&p).filter(|d| !d.as_os_str().is_empty()).collect())
            .unwrap_or_default();
        ModuleOptions { search_path, file_system: true, std_modules: None }
    }
}

impl ModuleOptions {
    /// Only the standard library (all of it), no file access: for embedding.
    pub fn std_only() -> ModuleOptions {
        ModuleOptions { search_path: Vec::new(), file_system: false, std_modules: None }
    }

    /// Whether the standard module `name` (`std.math`) exists; the list may name it either
    /// way (`"std.math"` or `"math"`).
    fn std_allowed(&self, name: &str) -> bool {
        let short = name.strip_prefix("std.").unwrap_or(name);
        self.std_modules.as_ref().is_none_or(|list| list.iter().any(|m| m == name || m == short))
    }
}

/// A name a unit imports from another unit: `name` in the importer's scope is `member` of
/// unit `from` (a function or constant; types are handled by renaming).
#[derive(Clone, Debug)]
pub struct ValueImport {
    pub name: String,
    pub from: usize,
    pub member: String,
    /// The name of the importing `use`, or of its `as` alias.
    pub span: Span,
    /// Brought in by `use m: *`: the unit's own declarations take precedence.
    pub glob: bool,
}

/// One source file of the program.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The module path (`"geometry"`, `"lib.textutil"`, `"std.math"`); empty for the main file.
    pub path: String,
    /// Index into `Linked::files` (and the file id of its spans).
    pub file: u32,
    /// Part of the standard library: may call the `__` natives.
    pub is_std: bool,
    /// Its statements in `Linked::module.stmts`.
    pub stmts: std::ops::Range<usize>,
    pub imports: Vec<ValueImport>,
    /// Names bound to whole modules (`use a.b`, `use a.b as m`).
    pub namespaces: Vec<String>,
}

impl Unit {
    pub fn is_main(&self) -> bool {
        self.path.is_empty()
    }
}

/// A linked program: one module whose statements are every unit's, dependencies first.
pub struct Linked {
    pub module: Module,
    pub files: Vec<SourceFile>,
    /// In execution order; the main unit is last. `units[i]` is unit id `i`.
    pub units: Vec<Unit>,
    pub diagnostics: Vec<Diagnostic>,
    /// Some file failed to lex or parse: the later stages would only add noise.
    pub parse_failed: bool,
}
