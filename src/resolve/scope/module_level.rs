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
        self.push_scope(ScopeKind::Function(MODULE_INIT));
        self.hoist_top_level(stmts);
        // Explicit imports first (clashing with a declaration is an error), then globs,
        // which yield to both.
        let mut imported: hashbrown::HashSet<&str> = hashbrown::HashSet::new();
        for imp in unit.imports.iter().filter(|i| !i.glob).chain(unit.imports.iter().filter(|i| i.glob)) {
            let Some(entry) = self.unit_scopes.get(imp.from).and_then(|names| names.get(&imp.member)).copied() else {
                continue;
            };
            let Some(scope) = self.scopes.last_mut() else { continue };
            match scope.names.get(&imp.name).copied() {
                None => {
                    scope.names.insert(imp.name.clone(), entry);
                    imported.insert(&imp.name);
                }
                // Globs yield; two imports of one name were reported by the linker.
                Some(_) if imp.glob || imported.contains(imp.name.as_str()) => {}
                Some(existing) => {
                    if let Some(span) = self.entry_span(existing) {
                        let ident = Ident { name: imp.name.clone(), span: imp.span };
                        self.diags.push(crate::modules::imported_and_declared(&ident, span));
                    }
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
        self.pop_scope();
    }

    /// Where the declaration behind a scope entry is (for "declared here" labels).
    fn entry_span(&self, e: Entry) -> Option<Span> {
        match e {
            Entry::Binding(b) => self.out.bindings.get(b as usize).map(|b| b.span),
            Entry::Func(f) => self.out.functions.get(f as usize).map(|f| f.span),
            Entry::Type | Entry::Poisoned | Entry::Host(_) => None,
        }
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
