//! The resolver at module level: each unit's (file's) top-level scope with its imports,
//! and hoisting of top-level functions, constants, types and methods so they can be used
//! before their textual position.

use super::*;

impl<'d> Resolver<'d> {
    /// Resolve one unit's top-level statements in a fresh top-level scope holding its imports.
    pub fn unit(&mut self, unit: &Unit, stmts: &[Stmt]) {
        self.unit = UnitCtx {
            prefix: if unit.is_main() { String::new() } else { format!("{}.", unit.path) },
            is_main: unit.is_main(),
            is_std: unit.is_std,
            namespaces: unit.namespaces.clone(),
            fns: HashMap::new(),
        };
        // "Did you mean `Shape.Circle`" suggestions name this unit's own enums only.
        self.variant_names.clear();
        self.push_scope(ScopeKind::Function(MODULE_INIT));
        self.hoist_top_level(stmts);
        // Explicit imports first, then globs. A name the unit declares wins: a clash with an
        // explicit import was reported by the linker (E2029); globs yield silently, also to
        // the unit's module-level bindings (`count = 0` after `use std.string: *`).
        let assigned = top_level_binding_names(stmts);
        let mut from_glob: HashMap<String, usize> = HashMap::new();
        for imp in unit.imports.iter().filter(|i| !i.glob).chain(unit.imports.iter().filter(|i| i.glob)) {
            if imp.glob && assigned.contains(imp.name.as_str()) {
                continue;
            }
            let Some(entry) = self.unit_scopes.get(imp.from).and_then(|names| names.get(&imp.member)).copied() else {
                continue;
            };
            // A second glob bringing the same name from another module: ambiguous.
            if let Some(first) = from_glob.get(&imp.name).copied().filter(|f| imp.glob && *f != imp.from) {
                let modules = [first, imp.from].map(|u| self.unit_paths.get(u).cloned().unwrap_or_default());
                let index = self.ambiguous.len() as u32;
                self.ambiguous.push((imp.name.clone(), modules.to_vec()));
                if let Some(scope) = self.scopes.last_mut() {
                    scope.names.insert(imp.name.clone(), Entry::Ambiguous(index));
                }
                continue;
            }
            let Some(scope) = self.scopes.last_mut() else { continue };
            if !scope.names.contains_key(&imp.name) {
                scope.names.insert(imp.name.clone(), entry);
                if imp.glob {
                    from_glob.insert(imp.name.clone(), imp.from);
                }
            }
        }
        // Names whose import failed are renamed to this one (see `modules::rename`).
        if let Some(scope) = self.scopes.last_mut() {
            scope.names.insert(crate::modules::ERROR_TYPE.to_string(), Entry::Poisoned);
        }
        // Types of every unit already resolved are known by their qualified names.
        let qualified: Vec<String> = self.out.type_names.iter().filter(|n| n.contains('.')).cloned().collect();
        for name in qualified {
            if let Some(scope) = self.scopes.last_mut() {
                scope.names.entry(name).or_insert(Entry::Type);
            }
        }
        self.top_level(stmts);
        let names = self.scopes.last().map(|s| s.names.clone()).unwrap_or_default();
        self.unit_scopes.push(names);
        self.unit_paths.push(unit.path.clone());
        self.pop_scope();
    }

    /// Declare top-level functions, constants and type names before anything runs, so
    /// they can be used before their textual position.
    pub fn hoist_top_level(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            match &s.kind {
                StmtKind::Fn(f) => {
                    if let Some(prev) = self.unit.fns.get(&f.name.name) {
                        let prev_span = self.out.functions[*prev as usize].span;
                        self.diags.push(
                            Diagnostic::error(
                                codes::DUPLICATE_DEFINITION,
                                format!("function `{}` is defined twice", f.name.name),
                                f.name.span,
                                "second definition",
                            )
                            .with_label(prev_span, "first definition"),
                        );
                        continue;
                    }
                    let qualified = format!("{}{}", self.unit.prefix, f.name.name);
                    let id = self.new_function(&qualified, FnKind::TopLevel, Some(MODULE_INIT), f.span);
                    self.unit.fns.insert(f.name.name.clone(), id);
                    if self.unit.is_main {
                        self.out.top_fns.insert(f.name.name.clone(), id);
                    }
                    if let Some(scope) = self.scopes.last_mut() {
                        scope.names.insert(f.name.name.clone(), Entry::Func(id));
                    }
                }
                StmtKind::Const { name, .. } => {
                    self.declare(name, false, true);
                }
                StmtKind::Struct(d) => self.declare_type(&d.name),
                StmtKind::Enum(d) => {
                    self.declare_type(&d.name);
                    for v in &d.variants {
                        self.variant_names.insert(v.name.name.clone(), format!("{}.{}", d.name.name, v.name.name));
                    }
                }
                StmtKind::Impl(imp) => self.hoist_methods(imp),
                _ => {}
            }
        }
        self.report_type_fn_clashes(stmts);
    }

    /// Methods are top-level functions reached through their type: `Type.f` / `value.f`.
    fn hoist_methods(&mut self, imp: &ImplDecl) {
        let TypeExprKind::Named { path, .. } = &imp.target.kind else { return };
        let Some(type_name) = path.last().map(|p| p.name.clone()) else { return };
        for m in &imp.methods {
            let key = (type_name.clone(), m.name.name.clone());
            if let Some(prev) = self.out.methods.get(&key) {
                let prev_span = self.out.functions[*prev as usize].span;
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_DEFINITION,
                        format!("`{}.{}` is defined twice", type_name, m.name.name),
                        m.name.span,
                        "second definition",
                    )
                    .with_label(prev_span, "first definition"),
                );
                continue;
            }
            let id =
                self.new_function(&format!("{type_name}.{}", m.name.name), FnKind::TopLevel, Some(MODULE_INIT), m.span);
            self.out.methods.insert(key, id);
        }
    }

    /// A use of a name that two glob imports bring from different modules.
    pub(super) fn report_ambiguous(&mut self, name: &Ident, index: u32) {
        let modules = self.ambiguous.get(index as usize).map(|(_, m)| m.join("` and `")).unwrap_or_default();
        let d = Diagnostic::error(
            codes::DUPLICATE_DEFINITION,
            format!("`{}` is ambiguous", name.name),
            name.span,
            format!("exported by both `{modules}`, each imported with `*`"),
        )
        .with_help("import the one you mean by name (`use module: name`), or use a namespace");
        self.diags.push(d);
    }

    /// A struct or enum and a function of the same name at module level (whichever comes
    /// first): calls would be ambiguous.
    fn report_type_fn_clashes(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            let (StmtKind::Struct(StructDecl { name, .. }) | StmtKind::Enum(EnumDecl { name, .. })) = &s.kind else {
                continue;
            };
            if let Some(f) = self.unit.fns.get(&name.name).copied() {
                let fn_span = self.out.functions.get(f as usize).map(|f| f.span);
                let mut d = Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    format!("`{}` is both a type and a function", name.name),
                    name.span,
                    "type declared here",
                );
                if let Some(span) = fn_span {
                    d = d.with_label(span, "function declared here");
                }
                self.diags.push(d);
            }
        }
    }

    fn declare_type(&mut self, name: &Ident) {
        self.out.type_names.insert(name.name.clone());
        if let Some(scope) = self.scopes.last_mut() {
            scope.names.insert(name.name.clone(), Entry::Type);
        }
    }

    /// Top-level statements in order, then every top-level function body (which may see
    /// every module-level binding).
    pub fn top_level(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
        for (id, f) in std::mem::take(&mut self.deferred) {
            self.function_body(id, &f);
        }
        for s in stmts {
            match &s.kind {
                StmtKind::Fn(f) => {
                    if let Some(id) = self.out.fn_ids.get(&f.span).copied() {
                        self.function_body(id, f);
                    }
                }
                StmtKind::Impl(imp) => {
                    for m in &imp.methods {
                        if let Some(id) = self.out.fn_ids.get(&m.span).copied() {
                            self.function_body(id, m);
                        }
                    }
                }
                StmtKind::Struct(d) => {
                    // Defaults are evaluated where a literal omits the field, so they may
                    // only use module-level names.
                    for f in &d.fields {
                        if let Some(e) = &f.default {
                            self.expr(e);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Names that module-level `x = ...` / `let x = ...` statements bind.
fn top_level_binding_names(stmts: &[Stmt]) -> hashbrown::HashSet<&str> {
    let mut out = hashbrown::HashSet::new();
    for s in stmts {
        match &s.kind {
            StmtKind::Decl { name, .. } => {
                out.insert(name.name.as_str());
            }
            StmtKind::Assign { targets, .. } => {
                for t in targets {
                    if let ExprKind::Name(n) = &t.kind {
                        out.insert(n.name.as_str());
                    }
                }
            }
            _ => {}
        }
    }
    out
}
