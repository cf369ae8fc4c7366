//! The resolver's walk: a stack of lexical scopes, each owned by one function, and the
//! statement/expression traversal that fills in the `Resolution` tables.

use super::*;

mod module_level;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// A function's outermost scope (parameters); the module's top level is function 0.
    Function(FnId),
    Block,
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    Binding(BindingId),
    Func(FnId),
    /// A struct or enum name: resolved by the type checker.
    Type,
    /// A name whose import failed (already reported): resolves quietly to an error.
    Poisoned,
    /// A name two `use m: *` imports bring from different modules (index into
    /// `Resolver::ambiguous`): an error where it is used.
    Ambiguous(u32),
    /// A host function (`Res::Host`).
    Host(u32),
}

struct Scope {
    kind: ScopeKind,
    func: FnId,
    names: HashMap<String, Entry>,
}

/// What the resolver knows about the unit whose code it is walking.
#[derive(Default)]
struct UnitCtx {
    /// Prefix for its functions' names (`geometry.`); empty for the main file.
    prefix: String,
    is_main: bool,
    is_std: bool,
    /// Names bound to module namespaces: a binding may not reuse one.
    namespaces: Vec<String>,
    /// Its top-level functions by name, for duplicate definitions.
    fns: HashMap<String, FnId>,
}

struct LoopCtx {
    label: Option<String>,
}

pub struct Resolver<'d> {
    out: Resolution,
    scopes: Vec<Scope>,
    fn_stack: Vec<FnId>,
    loops: Vec<LoopCtx>,
    /// Bodies of module-level lambdas, resolved once every module-level name is known.
    deferred: Vec<(FnId, FnDecl)>,
    /// Enum variant names with their qualified form, for "did you mean `Shape.Circle`".
    variant_names: HashMap<String, String>,
    /// The unit (file) being resolved.
    unit: UnitCtx,
    /// Each resolved unit's top-level names, by unit index: what its importers may bind.
    unit_scopes: Vec<HashMap<String, Entry>>,
    /// Each resolved unit's module path, by unit index (for messages).
    unit_paths: Vec<String>,
    /// Names made ambiguous by glob imports, with the modules exporting them.
    ambiguous: Vec<(String, Vec<String>)>,
    /// Whether `scopes[0]` holds the embedding host's declarations (`host_scope`).
    host_scope: bool,
    diags: &'d mut Vec<Diagnostic>,
}

impl<'d> Resolver<'d> {
    pub fn new(diags: &'d mut Vec<Diagnostic>) -> Resolver<'d> {
        Resolver {
            out: Resolution::default(),
            scopes: Vec::new(),
            fn_stack: Vec::new(),
            loops: Vec::new(),
            deferred: Vec::new(),
            variant_names: HashMap::new(),
            unit: UnitCtx::default(),
            unit_scopes: Vec::new(),
            unit_paths: Vec::new(),
            ambiguous: Vec::new(),
            host_scope: false,
            diags,
        }
    }

    pub fn finish(self) -> Resolution {
        self.out
    }

    fn current_fn(&self) -> FnId {
        self.fn_stack.last().copied().unwrap_or(MODULE_INIT)
    }

    pub fn new_function(&mut self, name: &str, kind: FnKind, parent: Option<FnId>, span: Span) -> FnId {
        let id = self.out.functions.len() as FnId;
        self.out.functions.push(FnInfo {
            name: name.to_string(),
            kind,
            parent,
            captures: Vec::new(),
            params: Vec::new(),
            span,
        });
        self.out.fn_ids.insert(span, id);
        id
    }

    pub fn push_scope(&mut self, kind: ScopeKind) {
        if let ScopeKind::Function(f) = kind {
            self.fn_stack.push(f);
        }
        let func = self.current_fn();
        self.scopes.push(Scope { kind, func, names: HashMap::new() });
    }

    pub fn pop_scope(&mut self) {
        if let Some(scope) = self.scopes.pop() {
            if let ScopeKind::Function(_) = scope.kind {
                self.fn_stack.pop();
            }
        }
    }

    /// Whether the innermost scope is the module's outermost block.
    fn at_module_level(&self) -> bool {
        self.scopes.len() == 1 + self.host_scope as usize
    }

    /// The embedding host's scope, outside the module's: its functions, and its globals as
    /// module-level bindings (spans in the pseudo-file `HOST_FILE`, one per global).
    pub fn host_scope(&mut self, host: &HostDecls) {
        let mut names = HashMap::new();
        for (i, f) in host.fns.iter().enumerate() {
            names.insert(f.name.clone(), Entry::Host(i as u32));
        }
        for (i, g) in host.globals.iter().enumerate() {
            let id = self.out.bindings.len() as BindingId;
            let span = Span::new(HOST_FILE, i, i);
            self.out.bindings.push(BindingInfo {
                name: g.name.clone(),
                mutable: g.mutable,
                constant: false,
                owner: MODULE_INIT,
                global: true,
                boxed: false,
                nested_fn: false,
                span,
            });
            self.out.decls.insert(span, id);
            self.out.host_globals.push(id);
            names.insert(g.name.clone(), Entry::Binding(id));
        }
        self.scopes.push(Scope { kind: ScopeKind::Block, func: MODULE_INIT, names });
        self.host_scope = true;
    }

    fn declare(&mut self, name: &Ident, mutable: bool, constant: bool) -> BindingId {
        let global = self.at_module_level();
        let id = self.out.bindings.len() as BindingId;
        self.out.bindings.push(BindingInfo {
            name: name.name.clone(),
            mutable,
            constant,
            owner: self.current_fn(),
            global,
            boxed: false,
            nested_fn: false,
            span: name.span,
        });
        self.out.decls.insert(name.span, id);
        if self.unit.namespaces.contains(&name.name) {
            self.diags.push(
                Diagnostic::error(
                    codes::REDECLARED,
                    format!("`{}` already names an imported module", name.name),
                    name.span,
                    "declared here",
                )
                .with_help("rename the binding, or import the module under another name with `use ... as`"),
            );
        }
        if let Some(scope) = self.scopes.last_mut() {
            if let Some(prev) = scope.names.get(&name.name).copied() {
                let prev_span = match prev {
                    Entry::Binding(b) => Some(self.out.bindings[b as usize].span),
                    Entry::Func(f) => Some(self.out.functions[f as usize].span),
                    Entry::Type | Entry::Poisoned | Entry::Ambiguous(_) | Entry::Host(_) => None,
                };
                let mut d = Diagnostic::error(
                    codes::REDECLARED,
                    format!("`{}` is already declared in this block", name.name),
                    name.span,
                    "declared again here",
                )
                .with_help("use a different name, or assign without redeclaring (the binding must be `mut`)");
                if let Some(p) = prev_span {
                    d = d.with_label(p, "first declared here");
                }
                self.diags.push(d);
            }
            scope.names.insert(name.name.clone(), Entry::Binding(id));
        }
        id
    }

    fn lookup_entry(&self, name: &str) -> Option<(Entry, FnId)> {
        self.scopes.iter().rev().find_map(|s| s.names.get(name).map(|e| (*e, s.func)))
    }

    /// Resolve a use of `name`, recording captures.
    fn lookup(&mut self, name: &str) -> Option<Res> {
        match self.lookup_entry(name) {
            Some((Entry::Binding(b), _)) => {
                let info = &self.out.bindings[b as usize];
                if info.global {
                    return Some(Res::Global(b));
                }
                let owner = info.owner;
                if owner != self.current_fn() {
                    self.capture(b, owner);
                }
                Some(Res::Local(b))
            }
            Some((Entry::Func(f), _)) => Some(Res::Func(f)),
            Some((Entry::Host(i), _)) => Some(Res::Host(i)),
            Some((Entry::Type, _)) => None,
            Some((Entry::Poisoned | Entry::Ambiguous(_), _)) => Some(Res::Error),
            None => Builtin::from_name(name).filter(|b| self.unit.is_std || !b.is_internal()).map(Res::Builtin),
        }
    }

    /// Record that every function between the current one and `owner` captures `b`.
    fn capture(&mut self, b: BindingId, owner: FnId) {
        let info = &mut self.out.bindings[b as usize];
        if info.mutable || info.constant || info.nested_fn {
            info.boxed = true;
        }
        for f in self.fn_stack.iter().rev() {
            if *f == owner {
                break;
            }
            let caps = &mut self.out.functions[*f as usize].captures;
            if !caps.contains(&b) {
                caps.push(b);
            }
        }
    }

    fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.scopes.iter().flat_map(|s| s.names.keys().cloned()).collect();
        names.extend(Builtin::ALL.iter().filter(|b| !b.is_internal()).map(|b| b.name().to_string()));
        names
    }

    fn report_unknown(&mut self, name: &Ident) {
        if self.unit.namespaces.contains(&name.name) {
            let d = Diagnostic::error(
                codes::UNKNOWN_NAME,
                format!("`{}` is a module, not a value", name.name),
                name.span,
                "an imported module",
            )
            .with_help(format!("use one of its members: `{}.name`", name.name));
            self.diags.push(d);
            return;
        }
        if let Some(qualified) = self.variant_names.get(&name.name) {
            let d = Diagnostic::error(
                codes::UNKNOWN_NAME,
                format!("unknown name `{}`", name.name),
                name.span,
                "enum variants are written with their type",
            )
            .with_help(format!("did you mean `{qualified}`?"));
            self.diags.push(d);
            return;
        }
        let candidates = self.visible_names();
        self.diags.push(unknown_name(name, candidates));
    }

    fn is_type_name(&self, name: &str) -> bool {
        matches!(self.lookup_entry(name), Some((Entry::Type, _)))
    }

    /// Nested `fn`s are visible in their whole block, so they can call each other.
    fn hoist_nested_fns(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            if let StmtKind::Fn(f) = &s.kind {
                let b = self.declare(&f.name, false, false);
                self.out.bindings[b as usize].nested_fn = true;
                let parent = self.current_fn();
                self.new_function(&f.name.name, FnKind::Nested { binding: b }, Some(parent), f.span);
            }
        }
    }

    fn function_body(&mut self, id: FnId, f: &FnDecl) {
        let saved_loops = std::mem::take(&mut self.loops);
        self.push_scope(ScopeKind::Function(id));
        let mut params = Vec::new();
        for p in &f.params {
            params.push(self.declare(&p.name, false, false));
        }
        self.out.functions[id as usize].params = params;
        self.block(&f.body);
        self.pop_scope();
        self.loops = saved_loops;
    }

    // ---- statements ----

    fn block(&mut self, b: &Block) {
        self.push_scope(ScopeKind::Block);
        self.hoist_nested_fns(&b.stmts);
        for s in &b.stmts {
            self.stmt(s);
        }
        self.pop_scope();
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Decl { mutable, name, value, .. } => {
                self.expr(value);
                self.declare(name, *mutable, false);
            }
            StmtKind::Assign { targets, value } => self.assign(targets, value),
            StmtKind::CompoundAssign { target, value, .. } => {
                self.expr(value);
                self.reassign_target(target, true);
            }
            StmtKind::Const { name, value, .. } => {
                self.expr(value);
                if !self.at_module_level() {
                    self.declare(name, false, true);
                }
            }
            StmtKind::While { label, cond, body } => {
                self.expr(cond);
                self.in_loop(label, |r| r.block(body));
            }
            StmtKind::For { label, var, iter, body } => {
                self.expr(iter);
                self.push_scope(ScopeKind::Block);
                if let Some(v) = var {
                    self.declare(v, false, false);
                }
                self.in_loop(label, |r| r.block(body));
                self.pop_scope();
            }
            StmtKind::Break { label } | StmtKind::Continue { label } => self.check_jump(s, label),
            StmtKind::Return(value) => {
                if self.current_fn() == MODULE_INIT {
                    self.diags.push(Diagnostic::error(
                        codes::RETURN_OUTSIDE_FN,
                        "`return` outside of a function",
                        s.span,
                        "not inside a function",
                    ));
                }
                if let Some(v) = value {
                    self.expr(v);
                }
            }
            StmtKind::Pass | StmtKind::Error => {}
            StmtKind::Try { body, err, handler } => {
                self.block(body);
                self.push_scope(ScopeKind::Block);
                if let Some(e) = err {
                    self.declare(e, false, false);
                }
                self.block(handler);
                self.pop_scope();
            }
            StmtKind::Fn(f) => {
                // Top-level functions are resolved after the top-level statements; nested
                // ones were declared when their block was entered.
                if let (false, Some(id)) = (self.at_module_level(), self.out.fn_ids.get(&f.span).copied()) {
                    self.function_body(id, f);
                }
            }
            StmtKind::Use(u) if !self.at_module_level() => {
                self.diags.push(
                    Diagnostic::error(
                        codes::USE_IN_BLOCK,
                        "`use` inside a block",
                        u.span,
                        "imports belong at module level",
                    )
                    .with_help("move the `use` to the top level of the file"),
                );
                // It binds nothing, quietly: its names' uses are not reported again.
                let names: Vec<&Ident> = match &u.kind {
                    UseKind::Module { alias } => alias.iter().chain(u.path.last()).take(1).collect(),
                    UseKind::Names(list) => list.iter().map(|(n, a)| a.as_ref().unwrap_or(n)).collect(),
                    UseKind::Glob => Vec::new(),
                };
                if let Some(scope) = self.scopes.last_mut() {
                    for n in names {
                        scope.names.insert(n.name.clone(), Entry::Poisoned);
                    }
                }
            }
            StmtKind::Struct(_) | StmtKind::Enum(_) | StmtKind::Impl(_) | StmtKind::Use(_) => {}
        }
    }

    fn in_loop(&mut self, label: &Option<Ident>, body: impl FnOnce(&mut Self)) {
        self.loops.push(LoopCtx { label: label.as_ref().map(|l| l.name.clone()) });
        body(self);
        self.loops.pop();
    }

    fn check_jump(&mut self, s: &Stmt, label: &Option<Ident>) {
        let word = if matches!(s.kind, StmtKind::Break { .. }) { "break" } else { "continue" };
        if self.loops.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    codes::BREAK_OUTSIDE_LOOP,
                    format!("`{word}` outside of a loop"),
                    s.span,
                    format!("`{word}` can only be used inside a `for` or `while` loop"),
                )
                .with_note("a function body is not inside the loops of its caller"),
            );
            return;
        }
        if let Some(l) = label {
            if !self.loops.iter().any(|c| c.label.as_deref() == Some(l.name.as_str())) {
                let labels: Vec<String> = self.loops.iter().filter_map(|c| c.label.clone()).collect();
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_LABEL,
                    format!("unknown loop label `{}`", l.name),
                    l.span,
                    "no enclosing loop has this label",
                );
                if let Some(best) = suggest::closest(&l.name, labels.iter().map(|s| s.as_str())) {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                self.diags.push(d);
            }
        }
    }

    fn assign(&mut self, targets: &[Expr], value: &Expr) {
        self.expr(value);
        let names: Vec<&Ident> = targets
            .iter()
            .filter_map(|t| match &t.kind {
                ExprKind::Name(n) => Some(n),
                _ => None,
            })
            .collect();
        let all_new = names.len() == targets.len() && names.iter().all(|n| self.lookup_entry(&n.name).is_none());
        let some_new =
            names.iter().any(|n| self.lookup_entry(&n.name).is_none() && Builtin::from_name(&n.name).is_none());
        if targets.len() > 1 && some_new && !all_new {
            // Declare the new names anyway so later uses do not cascade into more errors.
            let span = targets[0].span.to(targets[targets.len() - 1].span);
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_TARGET,
                    "chained assignment mixes new and existing names",
                    span,
                    "all targets must be new, or all existing `mut` bindings",
                )
                .with_help("split it into separate statements"),
            );
            for t in targets {
                if let ExprKind::Name(n) = &t.kind {
                    if self.lookup_entry(&n.name).is_none() {
                        let b = self.declare(n, false, false);
                        self.out.targets.insert(t.id, AssignKind::Declare(b));
                    }
                }
            }
            return;
        }
        for t in targets {
            match &t.kind {
                ExprKind::Name(n) if all_new => {
                    let b = self.declare(n, false, false);
                    self.out.targets.insert(t.id, AssignKind::Declare(b));
                }
                _ => self.reassign_target(t, false),
            }
        }
    }

    /// A target that must already exist: a `mut` name, an element or a field.
    fn reassign_target(&mut self, target: &Expr, compound: bool) {
        let ExprKind::Name(n) = &target.kind else {
            match &target.kind {
                ExprKind::Index { .. } | ExprKind::Field { .. } => self.expr(target),
                _ => {
                    self.expr(target);
                    self.diags.push(Diagnostic::error(
                        codes::INVALID_TARGET,
                        "invalid assignment target",
                        target.span,
                        "cannot assign to this expression",
                    ));
                }
            }
            return;
        };
        let Some(res) = self.lookup(&n.name) else {
            self.report_unknown(n);
            self.out.targets.insert(target.id, AssignKind::Reassign(Res::Error));
            return;
        };
        if compound {
            self.out.names.insert(target.id, res);
        }
        self.out.targets.insert(target.id, AssignKind::Reassign(res));
        self.check_mutable(n, res);
    }

    fn check_mutable(&mut self, n: &Ident, res: Res) {
        let (Res::Local(b) | Res::Global(b)) = res else {
            if let Res::Func(_) | Res::Builtin(_) | Res::Host(_) = res {
                self.diags.push(Diagnostic::error(
                    codes::IMMUTABLE_ASSIGN,
                    format!("cannot assign to function `{}`", n.name),
                    n.span,
                    "functions cannot be reassigned",
                ));
            }
            return;
        };
        let info = &self.out.bindings[b as usize];
        if info.constant {
            let d = Diagnostic::error(
                codes::CONSTANT_ASSIGN,
                format!("cannot assign to constant `{}`", n.name),
                n.span,
                "constants can never be reassigned",
            )
            .with_label(info.span, "constant declared here");
            self.diags.push(d);
        } else if !info.mutable {
            let d = Diagnostic::error(
                codes::IMMUTABLE_ASSIGN,
                format!("cannot assign twice to immutable binding `{}`", n.name),
                n.span,
                "cannot assign to an immutable binding",
            )
            .with_label(info.span, "first assigned here")
            .with_help(format!("declare it as `mut {} = ...` to allow reassignment", n.name));
            self.diags.push(d);
        }
    }

    // ---- expressions ----

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(n) => {
                if let Some((Entry::Ambiguous(i), _)) = self.lookup_entry(&n.name) {
                    self.report_ambiguous(n, i);
                    self.out.names.insert(e.id, Res::Error);
                    return;
                }
                if n.name == "main" && self.current_fn() == MODULE_INIT && self.unit.is_main {
                    self.out.top_level_calls_main = true;
                }
                match self.lookup(&n.name) {
                    Some(res) => {
                        self.out.names.insert(e.id, res);
                    }
                    None => {
                        if !self.is_type_name(&n.name) {
                            self.report_unknown(n);
                        }
                        self.out.names.insert(e.id, Res::Error);
                    }
                }
            }
            ExprKind::Int { .. } | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Error => {}
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Cond { cond, then, otherwise } => {
                self.expr(then);
                self.expr(cond);
                self.expr(otherwise);
            }
            ExprKind::Call { callee, args, .. } => {
                if let ExprKind::Field { name, .. } = &callee.kind {
                    if let Some((Entry::Func(f), _)) = self.lookup_entry(&name.name) {
                        self.out.method_sugar.insert(e.id, f);
                    }
                }
                self.expr(callee);
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Slice { base, start, end } => {
                self.expr(base);
                start.iter().chain(end.iter()).for_each(|x| self.expr(x));
            }
            ExprKind::Field { base, .. } => {
                // `Type.member` is resolved by the checker; any other unknown base is an error
                // here (module namespaces were rewritten to names by the linker).
                let is_type = matches!(&base.kind, ExprKind::Name(n)
                    if self.is_type_name(&n.name)
                        || (self.lookup_entry(&n.name).is_none() && matches!(n.name.as_str(), "Map" | "Option" | "Result")));
                if !is_type {
                    self.expr(base);
                }
            }
            ExprKind::StructLit { fields, .. } => fields.iter().for_each(|f| self.expr(&f.value)),
            ExprKind::Array(items) => items.iter().for_each(|x| self.expr(x)),
            ExprKind::ArrayFill { value, count } => {
                self.expr(value);
                self.expr(count);
            }
            ExprKind::Range { start, end, step, .. } => {
                self.expr(start);
                self.expr(end);
                if let Some(s) = step {
                    self.expr(s);
                }
            }
            ExprKind::Lambda(f) => {
                let parent = self.current_fn();
                let id = self.new_function("<lambda>", FnKind::Lambda, Some(parent), f.span);
                if self.at_module_level() {
                    // Like a top-level `fn`, a lambda in the module's outermost block may use
                    // every module-level binding, including the one it is assigned to.
                    self.deferred.push((id, (**f).clone()));
                } else {
                    self.function_body(id, f);
                }
            }
            ExprKind::If { branches, otherwise } => {
                for (c, b) in branches {
                    self.expr(c);
                    self.block(b);
                }
                if let Some(b) = otherwise {
                    self.block(b);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.push_scope(ScopeKind::Block);
                    self.pattern_bindings(&arm.pattern);
                    if let Some(g) = &arm.guard {
                        self.expr(g);
                    }
                    self.block(&arm.body);
                    self.pop_scope();
                }
            }
            ExprKind::Matches { value, .. } => self.expr(value),
            ExprKind::Cast { value, .. } => self.expr(value),
        }
    }

    fn pattern_bindings(&mut self, p: &Pattern) {
        match &p.kind {
            PatternKind::Binding(n) => {
                if let Some(qualified) = self.variant_names.get(&n.name) {
                    // A bare variant name would silently bind everything.
                    let d = Diagnostic::error(
                        codes::UNKNOWN_VARIANT,
                        format!("`{}` in a pattern is a new binding, not the variant", n.name),
                        n.span,
                        "this would match every value",
                    )
                    .with_help(format!("write `{qualified}` to match the variant"));
                    self.diags.push(d);
                }
                if n.name != "None" {
                    self.declare(n, false, false);
                }
            }
            PatternKind::Variant { args: Some(args), .. } => args.iter().for_each(|a| self.pattern_bindings(a)),
            PatternKind::Or(alts) => alts.iter().for_each(|a| self.pattern_bindings(a)),
            _ => {}
        }
    }
}
