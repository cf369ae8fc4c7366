//! Finding, reading and parsing module files in the spec's search order (the importer's
//! directory, the main file's directory, `ORUSPATH`, then the embedded standard library),
//! ordering them by a depth-first walk of the import graph that reports cycles, and
//! assembling the linked module.

use std::path::{Path, PathBuf};

use hashbrown::HashMap;

use super::exports::{Exports, Kind};
use super::rename::{Namespace, Renamer, AMBIGUOUS_TYPE, ERROR_TYPE};
use super::{stdlib, Linked, ModuleOptions, Unit, ValueImport};
use crate::diag::{codes, Diagnostic, SourceFile};
use crate::resolve::suggest::closest;
use crate::syntax::ast::*;
use crate::syntax::parse_module_from;
use crate::syntax::span::Span;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Unvisited,
    Active,
    Done,
}

struct Loaded {
    path: String,
    dir: Option<PathBuf>,
    is_std: bool,
    module: Module,
    state: State,
}

struct Loader<'o> {
    opts: &'o ModuleOptions,
    main_dir: Option<PathBuf>,
    files: Vec<SourceFile>,
    /// Indexed by file id.
    units: Vec<Loaded>,
    /// Canonical file path (or `<std>:name`) to file id: each file is loaded once.
    by_key: HashMap<String, usize>,
    /// The file id each top-level `use` (by its span) refers to.
    targets: HashMap<Span, usize>,
    /// Units in post-order: every unit after the units it imports.
    order: Vec<usize>,
    stack: Vec<usize>,
    next_id: NodeId,
    diags: Vec<Diagnostic>,
    parse_failed: bool,
}

/// Load the main file and everything it imports, and link them (see the module docs).
pub fn link(main_name: &str, main_src: &str, opts: &ModuleOptions) -> Linked {
    let main_path = Path::new(main_name);
    let main_dir = opts.file_system.then(|| main_path.parent().map(Path::to_path_buf).unwrap_or_default());
    let mut l = Loader {
        opts,
        main_dir: main_dir.clone(),
        files: Vec::new(),
        units: Vec::new(),
        by_key: HashMap::new(),
        targets: HashMap::new(),
        order: Vec::new(),
        stack: Vec::new(),
        next_id: 0,
        diags: Vec::new(),
        parse_failed: false,
    };
    if let Some(key) = opts.file_system.then(|| canonical_key(main_path)).flatten() {
        l.by_key.insert(key, 0);
    }
    l.add_unit(String::new(), main_name.to_string(), main_src.to_string(), main_dir, false);
    l.visit(0);
    l.assemble()
}

fn canonical_key(p: &Path) -> Option<String> {
    std::fs::canonicalize(p).ok().map(|c| c.to_string_lossy().into_owned())
}

/// E3001 for a standard module the embedding host left out.
fn not_allowed(diags: &mut Vec<Diagnostic>, decl: &UseDecl, name: &str) {
    diags.push(
        Diagnostic::error(
            codes::MODULE_NOT_FOUND,
            format!("module `{name}` is not available here"),
            use_span(decl),
            "not enabled by the program embedding Orus",
        )
        .with_note("the host chose which standard modules scripts may import"),
    );
}

/// `dir`, or `.` for the current directory (a main file given without a directory).
fn shown_dir(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

fn use_name(u: &UseDecl) -> String {
    u.path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".")
}

fn use_span(u: &UseDecl) -> Span {
    match (u.path.first(), u.path.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => u.span,
    }
}

fn top_level_uses(m: &Module) -> Vec<UseDecl> {
    m.stmts
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Use(u) => Some(u.clone()),
            _ => None,
        })
        .collect()
}

impl Loader<'_> {
    fn add_unit(&mut self, path: String, file_name: String, text: String, dir: Option<PathBuf>, is_std: bool) -> usize {
        let id = self.units.len();
        let (module, diags) = parse_module_from(&text, id as u32, self.next_id);
        self.next_id = module.node_count;
        self.parse_failed |= diags.iter().any(|d| d.is_error());
        self.diags.extend(diags);
        self.files.push(SourceFile { name: file_name, text });
        self.units.push(Loaded { path, dir, is_std, module, state: State::Unvisited });
        id
    }

    fn visit(&mut self, u: usize) {
        self.units[u].state = State::Active;
        self.stack.push(u);
        for decl in top_level_uses(&self.units[u].module) {
            let Some(t) = self.find(u, &decl) else { continue };
            self.targets.insert(decl.span, t);
            match self.units[t].state {
                State::Unvisited => self.visit(t),
                State::Active => self.report_cycle(t, &decl),
                State::Done => {}
            }
        }
        self.stack.pop();
        self.units[u].state = State::Done;
        self.order.push(u);
    }

    fn display_name(&self, u: usize) -> String {
        match self.units[u].path.as_str() {
            "" => self.files[u].name.clone(),
            p => p.to_string(),
        }
    }

    fn report_cycle(&mut self, t: usize, decl: &UseDecl) {
        let start = self.stack.iter().position(|x| *x == t).unwrap_or(0);
        let mut names: Vec<String> = self.stack[start..].iter().map(|u| self.display_name(*u)).collect();
        names.push(self.display_name(t));
        let cycle = names.join(" -> ");
        if names.len() == 2 {
            let d = Diagnostic::error(
                codes::IMPORT_CYCLE,
                format!("module `{}` imports itself", names[0]),
                use_span(decl),
                "a module cannot import itself",
            )
            .with_help("remove this `use`: the module's own names are already in scope");
            self.diags.push(d);
            return;
        }
        self.diags.push(
            Diagnostic::error(
                codes::IMPORT_CYCLE,
                format!("import cycle: {cycle}"),
                use_span(decl),
                "this import closes the cycle",
            )
            .with_note(format!("the modules import each other in a cycle: {cycle}"))
            .with_help("move the declarations they share into a module that both can import"),
        );
    }

    /// The file id of the module `decl` names, loading it if needed.
    fn find(&mut self, importer: usize, decl: &UseDecl) -> Option<usize> {
        let name = use_name(decl);
        let rel: PathBuf = decl.path.iter().map(|p| p.name.as_str()).collect::<PathBuf>().with_extension("orus");
        // `std.*` always names the standard library: a `std/` folder beside a program must
        // not shadow it (see docs/DECISIONS.md).
        let dirs = if name.starts_with("std.") { Vec::new() } else { self.search_dirs(importer) };
        for dir in &dirs {
            let path = dir.join(&rel);
            if !path.is_file() {
                continue;
            }
            let key = canonical_key(&path).unwrap_or_else(|| path.to_string_lossy().into_owned());
            if let Some(id) = self.by_key.get(&key) {
                return Some(*id);
            }
            let shown = path.to_string_lossy().into_owned();
            match std::fs::read(&path).map(String::from_utf8) {
                Ok(Ok(text)) => {
                    let unique = self.unique_path(name, &path);
                    let id = self.add_unit(unique, shown, text, path.parent().map(Path::to_path_buf), false);
                    self.by_key.insert(key, id);
                    return Some(id);
                }
                Ok(Err(_)) => return self.unreadable(decl, &shown, "it is not valid UTF-8"),
                Err(e) => return self.unreadable(decl, &shown, &e.to_string()),
            }
        }
        if let Some((file, src)) = stdlib::find(&name).filter(|_| self.opts.std_allowed(&name)) {
            let key = format!("<std>:{name}");
            if let Some(id) = self.by_key.get(&key) {
                return Some(*id);
            }
            let id = self.add_unit(name, file.to_string(), src.to_string(), None, true);
            self.by_key.insert(key, id);
            return Some(id);
        }
        self.not_found(decl, &name, &rel, &dirs);
        None
    }

    /// The module path that qualifies a file's type names. Two different files may be
    /// imported under the same name from different directories (`use util` in `lib/x.orus`
    /// finds `lib/util.orus`, in `main.orus` finds `util.orus`); the second one is named
    /// after its path relative to the main file's directory (`lib.util`), or numbered.
    fn unique_path(&self, name: String, file: &Path) -> String {
        let taken = |p: &str| self.units.iter().any(|u| u.path == p);
        if !taken(&name) {
            return name;
        }
        let relative = self
            .main_dir
            .as_ref()
            .and_then(|d| file.strip_prefix(d).ok())
            .map(|r| r.with_extension("").iter().map(|c| c.to_string_lossy()).collect::<Vec<_>>().join("."))
            .filter(|r| !r.is_empty() && !taken(r));
        relative.unwrap_or_else(|| (2..).map(|i| format!("{name}#{i}")).find(|p| !taken(p)).unwrap_or(name))
    }

    /// Directories to search from `importer`, in order, without repeats. Standard modules
    /// only see the standard library.
    fn search_dirs(&self, importer: usize) -> Vec<PathBuf> {
        if !self.opts.file_system || self.units[importer].is_std {
            return Vec::new();
        }
        let mut dirs: Vec<PathBuf> = Vec::new();
        let candidates =
            self.units[importer].dir.iter().chain(self.main_dir.iter()).chain(self.opts.search_path.iter());
        for d in candidates {
            if !dirs.contains(d) {
                dirs.push(d.clone());
            }
        }
        dirs
    }

    fn unreadable(&mut self, decl: &UseDecl, path: &str, why: &str) -> Option<usize> {
        self.diags.push(
            Diagnostic::error(
                codes::MODULE_NOT_FOUND,
                format!("module `{}` could not be read", use_name(decl)),
                use_span(decl),
                "imported here",
            )
            .with_note(format!("reading `{path}` failed: {why}")),
        );
        None
    }

    fn not_found(&mut self, decl: &UseDecl, name: &str, rel: &Path, dirs: &[PathBuf]) {
        let mut searched: Vec<String> =
            dirs.iter().map(|d| shown_dir(d).join(rel).to_string_lossy().into_owned()).collect();
        if name.starts_with("std.") || dirs.is_empty() {
            searched.push("the standard library".to_string());
        }
        if name.starts_with("std.") && stdlib::find(name).is_some() {
            not_allowed(&mut self.diags, decl, name);
            return;
        }
        let mut d = Diagnostic::error(
            codes::MODULE_NOT_FOUND,
            format!("module `{name}` not found"),
            use_span(decl),
            "no file for this module",
        )
        .with_note(format!("searched: {}", searched.join(", ")));
        let candidates = self.module_candidates(decl, dirs);
        if let Some(best) = closest(name, candidates.iter().map(|s| s.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        self.diags.push(d);
    }

    /// Modules that exist beside the missing one: for "did you mean".
    fn module_candidates(&self, decl: &UseDecl, dirs: &[PathBuf]) -> Vec<String> {
        let parents: Vec<&str> =
            decl.path.iter().take(decl.path.len().saturating_sub(1)).map(|p| p.name.as_str()).collect();
        let mut out: Vec<String> = stdlib::names().filter(|n| self.opts.std_allowed(n)).map(str::to_string).collect();
        for dir in dirs {
            let sub: PathBuf = shown_dir(dir).join(parents.iter().collect::<PathBuf>());
            let Ok(entries) = std::fs::read_dir(&sub) else { continue };
            for entry in entries.flatten() {
                let p = entry.path();
                if p.extension().is_some_and(|e| e == "orus") {
                    if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                        let mut full = parents.join(".");
                        if !full.is_empty() {
                            full.push('.');
                        }
                        full.push_str(stem);
                        out.push(full);
                    }
                }
            }
        }
        out
    }

    /// Rename every unit against its imports, then concatenate them in execution order.
    /// When some file failed to parse, only the parse errors are kept: a module's names are
    /// not reliable then, and compilation stops after linking anyway.
    fn assemble(mut self) -> Linked {
        let parse_diags = self.diags.len();
        let exports: Vec<Exports> = self.units.iter().map(|u| Exports::of(&u.module.stmts)).collect();
        let position: HashMap<usize, usize> = self.order.iter().enumerate().map(|(i, u)| (*u, i)).collect();
        let mut stmts = Vec::new();
        let mut units = Vec::new();
        for &u in &self.order.clone() {
            let module = std::mem::take(&mut self.units[u].module);
            let mut imports = self.imports_of(u, &module, &exports);
            for imp in &mut imports.values {
                imp.from = position.get(&imp.from).copied().unwrap_or(usize::MAX);
            }
            let mut renamer = Renamer::new(&imports.types, &imports.namespaces, &mut self.diags);
            let mut body = module.stmts;
            for s in &mut body {
                renamer.stmt(s);
            }
            let start = stmts.len();
            stmts.extend(body);
            let loaded = &self.units[u];
            units.push(Unit {
                path: loaded.path.clone(),
                file: u as u32,
                is_std: loaded.is_std,
                stmts: start..stmts.len(),
                imports: imports.values,
                namespaces: imports.namespaces.keys().cloned().collect(),
            });
        }
        if self.parse_failed {
            self.diags.truncate(parse_diags);
        }
        let module = Module { stmts, node_count: self.next_id };
        Linked { module, files: self.files, units, diagnostics: self.diags, parse_failed: self.parse_failed }
    }

    fn qualified(&self, unit: usize, name: &str) -> String {
        match self.units[unit].path.as_str() {
            "" => name.to_string(),
            p => format!("{p}.{name}"),
        }
    }

    /// What unit `u`'s `use` statements bring into scope; reports unknown and private names.
    fn imports_of(&mut self, u: usize, module: &Module, exports: &[Exports]) -> Imports {
        let mut out = Imports::default();
        let own: Vec<&Ident> = module
            .stmts
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Struct(StructDecl { name, .. }) | StmtKind::Enum(EnumDecl { name, .. }) => Some(name),
                _ => None,
            })
            .collect();
        // Names the unit declares itself (functions, constants, types): an explicit import or
        // a namespace of the same name is an error (E2029); globs yield to them.
        let declared: HashMap<String, Span> = module
            .stmts
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Fn(FnDecl { name, .. })
                | StmtKind::Const { name, .. }
                | StmtKind::Struct(StructDecl { name, .. })
                | StmtKind::Enum(EnumDecl { name, .. }) => Some((name.name.clone(), name.span)),
                _ => None,
            })
            .collect();
        // Names bound by explicit imports and namespaces, to report one bound twice.
        let mut bound: HashMap<String, Span> = HashMap::new();
        let mut bind_once = |diags: &mut Vec<Diagnostic>, name: &Ident| {
            if let Some(mine) = declared.get(&name.name) {
                diags.push(imported_and_declared(name, *mine));
            }
            match bound.get(&name.name) {
                Some(first) => diags.push(imported_twice(name, *first)),
                None => {
                    bound.insert(name.name.clone(), name.span);
                }
            }
        };
        for decl in top_level_uses(module) {
            match &decl.kind {
                UseKind::Module { alias } => {
                    if let Some(ns) = alias.as_ref().or(decl.path.last()) {
                        bind_once(&mut self.diags, ns);
                    }
                }
                UseKind::Names(list) => {
                    list.iter().for_each(|(n, a)| bind_once(&mut self.diags, a.as_ref().unwrap_or(n)))
                }
                UseKind::Glob => {}
            }
            let Some(&t) = self.targets.get(&decl.span) else {
                out.failed_import(&decl);
                continue;
            };
            let ex = &exports[t];
            match &decl.kind {
                UseKind::Module { alias } => {
                    let Some(ns) = alias.as_ref().or(decl.path.last()) else { continue };
                    for m in ex.public(Some(Kind::Value)) {
                        out.value(format!("{}.{m}", ns.name), t, m, ns.span, false);
                    }
                    let types = ex.public(Some(Kind::Type)).into_iter().map(|m| (m.to_string(), self.qualified(t, m)));
                    let namespace = Namespace {
                        module: use_name(&decl),
                        exports: ex.clone(),
                        types: types.collect(),
                        broken: false,
                    };
                    out.namespaces.insert(ns.name.clone(), namespace);
                }
                UseKind::Names(list) => {
                    for (n, alias) in list {
                        let local = alias.as_ref().unwrap_or(n);
                        match ex.names.get(&n.name) {
                            Some(e) if e.public && e.kind == Kind::Type => {
                                out.types.insert(local.name.clone(), self.qualified(t, &n.name));
                                out.glob_types.remove(&local.name);
                            }
                            Some(e) if e.public => out.value(local.name.clone(), t, &n.name, local.span, false),
                            Some(e) => {
                                let e = *e;
                                self.diags.push(super::rename::private_name(&use_name(&decl), n, e.span));
                                out.poison(local);
                            }
                            None => {
                                self.diags.push(super::rename::unknown_member(&use_name(&decl), n, ex));
                                out.poison(local);
                            }
                        }
                    }
                }
                // Names a glob brings in yield to explicit imports and to the unit's own
                // declarations (as Rust's glob imports do).
                UseKind::Glob => {
                    for m in ex.public(Some(Kind::Value)) {
                        out.value(m.to_string(), t, m, decl.span, true);
                    }
                    for m in ex.public(Some(Kind::Type)) {
                        let q = self.qualified(t, m);
                        match out.types.get(m) {
                            None => {
                                out.types.insert(m.to_string(), q);
                                out.glob_types.insert(m.to_string());
                            }
                            // A second glob with another type of this name: ambiguous on use.
                            Some(first)
                                if out.glob_types.contains(m) && *first != q && !first.starts_with(AMBIGUOUS_TYPE) =>
                            {
                                let both = format!("{AMBIGUOUS_TYPE}`{first}` and `{q}`");
                                out.types.insert(m.to_string(), both);
                            }
                            Some(_) => {}
                        }
                    }
                }
            }
        }
        for name in own {
            out.types.insert(name.name.clone(), self.qualified(u, &name.name));
        }
        out
    }
}

/// E2029: a selected import and a declaration of the same module share a name.
pub fn imported_and_declared(import: &Ident, decl: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_DEFINITION,
        format!("`{}` is both imported and declared in this module", import.name),
        import.span,
        "imported here",
    )
    .with_label(decl, "declared here")
    .with_help("rename one of them, or import under another name with `as`")
}

fn imported_twice(name: &Ident, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_DEFINITION,
        format!("`{}` is imported twice", name.name),
        name.span,
        "imported again here",
    )
    .with_label(first, "first imported here")
    .with_help("import one of them under another name with `as`")
}

#[derive(Default)]
struct Imports {
    types: HashMap<String, String>,
    /// Type names that came from a glob import (an explicit import replaces them).
    glob_types: hashbrown::HashSet<String>,
    namespaces: HashMap<String, Namespace>,
    values: Vec<ValueImport>,
}

impl Imports {
    /// A name that failed to import (already reported): its uses become quiet errors.
    fn poison(&mut self, name: &Ident) {
        self.types.insert(name.name.clone(), ERROR_TYPE.to_string());
    }

    /// The names a `use` of a module that was not found would bind.
    fn failed_import(&mut self, decl: &UseDecl) {
        match &decl.kind {
            UseKind::Module { alias } => {
                if let Some(ns) = alias.as_ref().or(decl.path.last()) {
                    let broken = Namespace {
                        module: use_name(decl),
                        exports: Exports::default(),
                        types: HashMap::new(),
                        broken: true,
                    };
                    self.namespaces.insert(ns.name.clone(), broken);
                }
            }
            UseKind::Names(list) => list.iter().for_each(|(n, alias)| self.poison(alias.as_ref().unwrap_or(n))),
            UseKind::Glob => {}
        }
    }

    fn value(&mut self, name: String, from: usize, member: &str, span: Span, glob: bool) {
        self.values.push(ValueImport { name, from, member: member.to_string(), span, glob });
    }
}
