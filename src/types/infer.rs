//! The inference walk over statements and expressions, group by group.

use super::adt::OPTION;
use super::classes::{default_for, Class, ClassSet};
use super::scc;
use super::ty::{Ty, TyTable, UnifyError, VarState};
use super::{CallTarget, FnSig, Typed};
use crate::diag::{codes, Diagnostic};
use crate::resolve::{AssignKind, Builtin, FnId, FnKind, Res, Resolution, MODULE_INIT};
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use hashbrown::{HashMap, HashSet};

/// Level of module-level bindings and top-level code; function groups infer one deeper.
const TOP: u32 = 0;

struct LitRecord {
    value: u64,
    negated: bool,
    ty: Ty,
    span: Span,
}

struct CastRecord {
    from: Ty,
    to: Ty,
    span: Span,
}

/// What the end of a block leaves behind.
#[derive(Clone, Debug)]
pub(super) enum BlockValue {
    Value(Ty),
    NoValue,
    Diverges,
}

pub(super) struct Infer<'a> {
    pub(super) res: &'a Resolution,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    pub(super) t: Typed,
    pub(super) level: u32,
    fn_ret: Vec<Ty>,
    literals: Vec<LitRecord>,
    casts: Vec<CastRecord>,
    generic_scopes: Vec<HashMap<String, Ty>>,
    generalized: HashSet<FnId>,
    self_refs: Vec<(NodeId, FnId)>,
    top_fns: HashMap<FnId, &'a FnDecl>,
    /// The `impl` block of each method.
    impls: HashMap<FnId, &'a ImplDecl>,
}

impl<'a> Infer<'a> {
    pub fn new(res: &'a Resolution, diags: &'a mut Vec<Diagnostic>) -> Infer<'a> {
        let t = Typed {
            binding_types: vec![Ty::Unknown; res.bindings.len()],
            fn_sigs: vec![FnSig::default(); res.functions.len()],
            ..Typed::default()
        };
        Infer {
            res,
            diags,
            t,
            level: TOP,
            fn_ret: Vec::new(),
            literals: Vec::new(),
            casts: Vec::new(),
            generic_scopes: Vec::new(),
            generalized: HashSet::new(),
            self_refs: Vec::new(),
            top_fns: HashMap::new(),
            impls: HashMap::new(),
        }
    }

    pub fn finish(self) -> Typed {
        self.t
    }

    pub(super) fn push_generic_scope(&mut self, scope: HashMap<String, Ty>) {
        self.generic_scopes.push(scope);
    }

    pub(super) fn pop_generic_scope(&mut self) {
        self.generic_scopes.pop();
    }

    pub fn run(&mut self, module: &'a Module) {
        self.collect_adts(&module.stmts);
        for (i, b) in self.res.bindings.iter().enumerate() {
            if b.global {
                self.t.binding_types[i] = self.t.table.fresh(TOP, ClassSet::default());
            }
        }
        for s in &module.stmts {
            if let StmtKind::Const { name, ty, value, .. } = &s.kind {
                self.constant(name, ty.as_ref(), value);
            }
        }
        for s in &module.stmts {
            match &s.kind {
                StmtKind::Fn(f) => {
                    if let Some(id) = self.res.fn_ids.get(&f.span) {
                        self.top_fns.insert(*id, f);
                    }
                }
                StmtKind::Impl(imp) => {
                    for m in &imp.methods {
                        if let Some(id) = self.res.fn_ids.get(&m.span) {
                            self.top_fns.insert(*id, m);
                            self.impls.insert(*id, imp);
                        }
                    }
                }
                _ => {}
            }
        }
        self.annotated_globals(&module.stmts);
        self.function_groups();
        self.check_main();
        let start = self.t.table.var_count();
        for s in &module.stmts {
            match &s.kind {
                StmtKind::Const { .. } | StmtKind::Fn(_) => {}
                _ => {
                    self.stmt(s, false);
                }
            }
        }
        self.report_ambiguous_bindings();
        self.close_group(start, &[]);
        self.default_remaining();
        for (node, f) in std::mem::take(&mut self.self_refs) {
            let generics = self.t.fn_sigs[f as usize].generics.iter().map(|v| Ty::Var(*v)).collect();
            self.t.instantiations.insert(node, generics);
        }
    }

    /// Functions are inferred before the top-level code, so a module-level binding's
    /// annotation must be known first: functions may use the binding before its statement.
    fn annotated_globals(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            if let StmtKind::Decl { name, ty: Some(ann), .. } = &s.kind {
                if let Some(b) = self.res.decl(name) {
                    let t = self.type_expr(ann);
                    self.bind_type(b, t, ann.span);
                }
            }
        }
    }

    /// `main` takes nothing or `[string]`, and returns nothing or `i32` (section 2).
    fn check_main(&mut self) {
        let Some(main) = self.res.top_fns.get("main").copied() else { return };
        let Some(decl) = self.top_fns.get(&main).copied() else { return };
        let sig = self.t.fn_sigs[main as usize].clone();
        let params_ok = match sig.params.as_slice() {
            [] => true,
            [p] => self.t.table.unify(p, &Ty::array(Ty::Str)).is_ok(),
            _ => false,
        };
        let ret = self.t.table.shallow(&sig.ret);
        let ret_ok = ret == Ty::Void || self.t.table.unify(&ret, &Ty::I32).is_ok();
        if !(params_ok && ret_ok) {
            let shown = self.t.table.display(&Ty::Func(sig.params, Box::new(sig.ret)));
            self.diags.push(
                Diagnostic::error(
                    codes::BAD_MAIN,
                    "`main` has an invalid signature",
                    decl.name.span,
                    format!("`main` is `{shown}`"),
                )
                .with_help("use `fn main()` or `fn main(args: [string])`, optionally returning `i32` (the exit code)"),
            );
        }
    }

    /// Module-level bindings whose type nothing determines (`empty = []` never used as a
    /// particular type): ask for an annotation instead of guessing.
    fn report_ambiguous_bindings(&mut self) {
        // After another error, an open type is usually its consequence, not a new problem.
        if self.diags.iter().any(|d| d.is_error()) {
            return;
        }
        let mut reported: Vec<u32> = Vec::new();
        for (b, info) in self.res.bindings.iter().enumerate() {
            if !(info.global || info.owner == MODULE_INIT) {
                continue;
            }
            let mut vars = Vec::new();
            self.t.table.free_vars(&self.t.binding_types[b], &mut vars);
            let open = vars.into_iter().find(|v| {
                matches!(self.t.table.state(*v), VarState::Unbound { classes, literal: false, level: TOP } if classes.is_empty())
            });
            if let Some(v) = open.filter(|v| !reported.contains(v)) {
                reported.push(v);
                self.diags.push(
                    Diagnostic::error(
                        codes::CANNOT_INFER,
                        format!("cannot infer the type of `{}`", info.name),
                        info.span,
                        "nothing in the program fixes this binding's type",
                    )
                    .with_help(format!(
                        "add a type annotation to `{}`, e.g. `{}: [string] = []`",
                        info.name, info.name
                    )),
                );
            }
        }
    }

    fn constant(&mut self, name: &Ident, ty: Option<&TypeExpr>, value: &Expr) {
        let vt = self.expr(value);
        let Some(b) = self.res.decl(name) else { return };
        let bt = self.t.binding_types[b as usize].clone();
        if let Some(ann) = ty {
            let at = self.type_expr(ann);
            self.expect(&at, &vt, value.span);
        }
        self.expect(&bt, &vt, value.span);
    }

    // ---- top-level functions, by strongly connected component ----

    fn function_groups(&mut self) {
        let ids: Vec<FnId> = {
            let mut v: Vec<FnId> = self.top_fns.keys().copied().collect();
            v.sort_unstable();
            v
        };
        let index: HashMap<FnId, usize> = ids.iter().enumerate().map(|(i, f)| (*f, i)).collect();
        let edges: Vec<Vec<usize>> = ids
            .iter()
            .map(|f| {
                let mut refs = Vec::new();
                if let Some(decl) = self.top_fns.get(f) {
                    collect_fn_refs(self.res, &decl.body, &mut refs);
                }
                refs.iter().filter_map(|r| index.get(r).copied()).collect()
            })
            .collect();
        for comp in scc::components(&edges) {
            let group: Vec<FnId> = comp.iter().filter_map(|i| ids.get(*i).copied()).collect();
            self.infer_group(&group);
        }
    }

    fn infer_group(&mut self, group: &[FnId]) {
        self.level = TOP + 1;
        let start = self.t.table.var_count();
        let mut decls = Vec::new();
        for f in group {
            if let Some(decl) = self.top_fns.get(f).copied() {
                // One set of variables for `<T, ...>`, shared by the signature and the body;
                // a method also sees its `impl<...>` parameters.
                let imp = self.impls.get(f).copied();
                let mut scope = imp.map(|i| self.generic_params(&i.generics)).unwrap_or_default();
                let own = self.generic_params(&decl.generics);
                let declared = decl.generics.iter().filter_map(|g| own.get(&g.name.name).cloned()).collect();
                scope.extend(own);
                self.generic_scopes.push(scope);
                let mut sig = self.signature(decl);
                sig.declared = declared;
                if let (Some(imp), Some(first)) = (imp, decl.params.first()) {
                    if first.name.name == "self" && first.ty.is_none() {
                        let self_ty = self.type_expr(&imp.target);
                        if let Some(p) = sig.params.first().cloned() {
                            self.expect(&p, &self_ty, first.span);
                        }
                    }
                }
                self.t.fn_sigs[*f as usize] = sig;
                decls.push((*f, decl, self.generic_scopes.pop().unwrap_or_default()));
            }
        }
        for (f, decl, scope) in decls {
            self.generic_scopes.push(scope);
            self.function_body(f, decl);
            if let Some(scope) = self.generic_scopes.pop() {
                self.check_rigid_params(decl, &scope);
            }
        }
        let mut sig_vars = Vec::new();
        for f in group {
            let sig = &self.t.fn_sigs[*f as usize];
            let fty = Ty::Func(sig.params.clone(), Box::new(sig.ret.clone()));
            self.t.table.free_vars(&fty, &mut sig_vars);
        }
        self.close_group(start, &sig_vars);
        for f in group {
            let sig = &self.t.fn_sigs[*f as usize];
            let fty = Ty::Func(sig.params.clone(), Box::new(sig.ret.clone()));
            let mut vars = Vec::new();
            self.t.table.free_vars(&fty, &mut vars);
            let generics = vars.into_iter().filter(|v| self.t.table.level_of(*v).is_some_and(|l| l > TOP)).collect();
            self.t.fn_sigs[*f as usize].generics = generics;
            self.generalized.insert(*f);
        }
        self.level = TOP;
    }

    fn generic_params(&mut self, generics: &[GenericParam]) -> HashMap<String, Ty> {
        let mut map = HashMap::new();
        for g in generics {
            let classes = self.bound_classes(g);
            map.insert(g.name.name.clone(), self.t.table.fresh(self.level, classes));
        }
        map
    }

    /// The classes named in `T: A + B`.
    pub(super) fn bound_classes(&mut self, g: &GenericParam) -> ClassSet {
        let mut classes = ClassSet::default();
        for b in &g.bounds {
            match Class::from_name(&b.name) {
                Some(c) => classes = classes.with(c),
                None => self.diags.push(Diagnostic::error(
                    codes::UNKNOWN_TYPE,
                    format!("unknown constraint class `{}`", b.name),
                    b.span,
                    "expected Numeric, Integer, Comparable, Equatable or Hashable",
                )),
            }
        }
        classes
    }

    /// Declared type parameters are rigid: the body may not fix them to a type, nor use
    /// them with operations their bounds do not allow.
    fn check_rigid_params(&mut self, decl: &FnDecl, scope: &HashMap<String, Ty>) {
        for g in &decl.generics {
            let Some(var) = scope.get(&g.name.name) else { continue };
            let declared = self.bound_classes(g);
            match self.t.table.shallow(var) {
                Ty::Var(v) => {
                    let used = self.t.table.classes_of(v);
                    if let Some(extra) = used.iter().find(|c| !declared.contains(*c) && !implied(declared, *c)) {
                        self.diags.push(
                            Diagnostic::error(
                                codes::CONSTRAINT_NOT_SATISFIED,
                                format!("type parameter `{}` is used as {}", g.name.name, extra.describe()),
                                g.name.span,
                                format!("`{}` is not declared {}", g.name.name, extra.describe()),
                            )
                            .with_help(format!(
                                "declare the bound: `{}: {}`",
                                g.name.name,
                                extra.describe()
                            )),
                        );
                    }
                }
                Ty::Unknown => {}
                other => {
                    let shown = self.t.table.display(&other);
                    self.diags.push(Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        format!("type parameter `{}` is used as `{shown}`", g.name.name),
                        g.name.span,
                        format!("the body only works when `{}` is `{shown}`", g.name.name),
                    ));
                }
            }
        }
    }

    pub(super) fn signature(&mut self, decl: &FnDecl) -> FnSig {
        let params = decl
            .params
            .iter()
            .map(|p| match &p.ty {
                Some(t) => self.type_expr(t),
                None => self.t.table.fresh(self.level, ClassSet::default()),
            })
            .collect();
        let ret = match &decl.ret {
            Some(t) => self.type_expr(t),
            None => self.t.table.fresh(self.level, ClassSet::default()),
        };
        FnSig { params, ret, generics: Vec::new(), declared: Vec::new() }
    }

    /// Infer a function body against the signature already stored for `f`.
    pub(super) fn function_body(&mut self, f: FnId, decl: &FnDecl) {
        let sig = self.t.fn_sigs[f as usize].clone();
        for (b, ty) in self.res.function(f).params.iter().zip(sig.params.iter()) {
            self.t.binding_types[*b as usize] = ty.clone();
        }
        self.fn_ret.push(sig.ret.clone());
        let end = self.block(&decl.body, true);
        self.fn_ret.pop();
        match end {
            BlockValue::Value(t) => {
                let span = decl.body.stmts.last().map(|s| s.span).unwrap_or(decl.body.span);
                self.expect(&sig.ret, &t, span);
            }
            BlockValue::NoValue => {
                let span = decl.ret.as_ref().map(|r| r.span).unwrap_or(decl.name.span);
                if self.t.table.unify(&sig.ret, &Ty::Void).is_err() {
                    let want = self.t.table.display(&sig.ret);
                    self.diags.push(
                        Diagnostic::error(
                            codes::TYPE_MISMATCH,
                            format!("function `{}` may end without returning a `{want}`", decl.name.name),
                            span,
                            format!("expected `{want}` because of this return type"),
                        )
                        .with_help("end the body with a value or a `return` statement"),
                    );
                }
            }
            BlockValue::Diverges => {}
        }
    }

    /// Fix the types created since var `start`: literals first, then every variable that
    /// does not occur in `keep` (the group's signatures, which get generalized); then check
    /// literal ranges and casts.
    fn close_group(&mut self, start: u32, keep: &[u32]) {
        for lit in &self.literals {
            if let Ty::Var(v) = self.t.table.shallow(&lit.ty) {
                if !keep.contains(&v) && self.t.table.level_of(v).is_some_and(|l| l >= self.level) {
                    let ty = if lit.value <= i32::MAX as u64 + u64::from(lit.negated) { Ty::I32 } else { Ty::I64 };
                    let _ = self.t.table.unify(&Ty::Var(v), &ty);
                }
            }
        }
        for v in start..self.t.table.var_count() {
            if keep.contains(&v) {
                continue;
            }
            if let VarState::Unbound { level, classes, .. } = self.t.table.state(v).clone() {
                if level > TOP || self.level == TOP {
                    let _ = self.t.table.unify(&Ty::Var(v), &default_for(classes));
                }
            }
        }
        self.check_literals();
        self.check_casts();
    }

    /// Default what is still open at module level. Variables of deeper levels are the
    /// generalized parameters of generic functions and must stay open for instantiation.
    fn default_remaining(&mut self) {
        for v in 0..self.t.table.var_count() {
            if let VarState::Unbound { classes, level: TOP, .. } = self.t.table.state(v).clone() {
                let _ = self.t.table.unify(&Ty::Var(v), &default_for(classes));
            }
        }
    }

    fn check_literals(&mut self) {
        for lit in std::mem::take(&mut self.literals) {
            let ty = self.t.table.shallow(&lit.ty);
            let max: u64 = match ty {
                Ty::I32 => i32::MAX as u64 + u64::from(lit.negated),
                Ty::I64 => i64::MAX as u64 + u64::from(lit.negated),
                Ty::U32 => u32::MAX as u64,
                Ty::U64 => u64::MAX,
                // Still generic: checked per instantiation would be ideal; every numeric
                // type holds small literals, so nothing is lost for typical code.
                Ty::Var(_) => continue,
                _ => continue,
            };
            if lit.value > max {
                let name = self.t.table.display(&ty);
                self.diags.push(
                    Diagnostic::error(
                        codes::LITERAL_OUT_OF_RANGE,
                        format!("literal out of range for `{name}`"),
                        lit.span,
                        format!("this value does not fit in `{name}`"),
                    )
                    .with_note(format!("the range of `{name}` ends at {max}"))
                    .with_help("use a wider type such as `i64` or `u64`, via an annotation or a suffix"),
                );
            }
        }
    }

    fn check_casts(&mut self) {
        for c in std::mem::take(&mut self.casts) {
            let from = self.t.table.zonk(&c.from);
            let to = self.t.table.zonk(&c.to);
            if matches!(from, Ty::Var(_)) {
                continue; // a generic operand: its instantiations are checked at their call sites
            }
            if !cast_allowed(&from, &to) {
                let (f, t) = (self.t.table.display(&from), self.t.table.display(&to));
                let mut d = Diagnostic::error(
                    codes::INVALID_CAST,
                    format!("cannot cast `{f}` as `{t}`"),
                    c.span,
                    "invalid cast",
                );
                if from == Ty::Str && to.is_int() {
                    d = d.with_help("use `int(s)` to parse a string");
                } else if from == Ty::Str && to == Ty::F64 {
                    d = d.with_help("use `float(s)` to parse a string");
                }
                self.diags.push(d);
            }
        }
    }

    // ---- reporting helpers ----

    /// Unify `found` into `expected`, reporting a mismatch at `span`. Returns success.
    pub(super) fn expect(&mut self, expected: &Ty, found: &Ty, span: Span) -> bool {
        let literal_side = self.is_literal_var(expected) || self.is_literal_var(found);
        // Shown as they were before unification, which may bind parts of them even when
        // it fails (so `{integer}` is not reported as the type it was compared with).
        let (want, got) = (self.t.table.display(expected), self.t.table.display(found));
        let result = self.t.table.unify(expected, found);
        match result {
            Ok(()) => true,
            Err(UnifyError::Class(ty, class)) if !(literal_side && class == Class::Numeric) => {
                let shown = self.t.table.display(&ty);
                self.constraint_error(&shown, class, span);
                false
            }
            Err(UnifyError::Occurs) => {
                self.diags.push(Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    "infinite type",
                    span,
                    format!("`{got}` would have to contain itself"),
                ));
                false
            }
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        "type mismatch",
                        span,
                        format!("expected `{want}`, found `{got}`"),
                    )
                    .with_note(format!("expected type: {want}\n   found type: {got}")),
                );
                false
            }
        }
    }

    fn is_literal_var(&self, t: &Ty) -> bool {
        match self.t.table.shallow(t) {
            Ty::Var(v) => matches!(self.t.table.state(v), VarState::Unbound { literal: true, .. }),
            _ => false,
        }
    }

    pub(super) fn constraint_error(&mut self, shown: &str, class: Class, span: Span) {
        self.diags.push(Diagnostic::error(
            codes::CONSTRAINT_NOT_SATISFIED,
            format!("`{shown}` does not satisfy {}", class.describe()),
            span,
            format!("`{shown}` is not {}", class.describe()),
        ));
    }

    /// Require classes of a type, reporting at `span`.
    pub(super) fn require(&mut self, t: &Ty, classes: ClassSet, span: Span) -> bool {
        match self.t.table.require(t, classes) {
            Ok(()) => true,
            Err(UnifyError::Class(ty, class)) => {
                let shown = self.t.table.display(&ty);
                self.constraint_error(&shown, class, span);
                false
            }
            Err(_) => false,
        }
    }

    pub(super) fn error(&mut self, d: Diagnostic) -> Ty {
        self.diags.push(d);
        Ty::Unknown
    }

    pub(super) fn fresh(&mut self) -> Ty {
        self.t.table.fresh(self.level, ClassSet::default())
    }

    pub(super) fn table(&mut self) -> &mut TyTable {
        &mut self.t.table
    }

    // ---- types written in the source ----

    pub(super) fn type_expr(&mut self, t: &TypeExpr) -> Ty {
        match &t.kind {
            TypeExprKind::Array { elem, .. } => Ty::array(self.type_expr(elem)),
            TypeExprKind::Func { params, ret } => {
                let ps = params.iter().map(|p| self.type_expr(p)).collect();
                let r = ret.as_ref().map(|r| self.type_expr(r)).unwrap_or(Ty::Void);
                Ty::Func(ps, Box::new(r))
            }
            TypeExprKind::Named { path, args } => {
                let name = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                if let Some(t) = self.generic_scopes.iter().rev().find_map(|s| s.get(&name)) {
                    return t.clone();
                }
                let prim = match name.as_str() {
                    "i32" => Some(Ty::I32),
                    "i64" => Some(Ty::I64),
                    "u32" => Some(Ty::U32),
                    "u64" => Some(Ty::U64),
                    "f64" => Some(Ty::F64),
                    "bool" => Some(Ty::Bool),
                    "string" => Some(Ty::Str),
                    "void" => Some(Ty::Void),
                    "Error" => Some(Ty::Error),
                    _ => None,
                };
                match prim {
                    Some(p) if args.is_empty() => p,
                    Some(_) => self.error(Diagnostic::error(
                        codes::TYPE_ARG_COUNT,
                        format!("type `{name}` takes no type arguments"),
                        t.span,
                        "remove the `<...>`",
                    )),
                    None if self.t.adt_ids.contains_key(&name) => {
                        self.adt_type(&name, args, t.span).unwrap_or(Ty::Unknown)
                    }
                    None if name == "Map" => self.map_type(args, t.span),
                    None => {
                        let known = ["i32", "i64", "u32", "u64", "f64", "bool", "string", "void", "Error"];
                        let mut d = Diagnostic::error(
                            codes::UNKNOWN_TYPE,
                            format!("unknown type `{name}`"),
                            t.span,
                            "no type with this name is in scope",
                        );
                        if let Some(best) = crate::resolve::suggest::closest(&name, known.into_iter()) {
                            d = d.with_help(format!("did you mean `{best}`?"));
                        }
                        self.error(d)
                    }
                }
            }
        }
    }

    // ---- statements ----

    pub(super) fn block(&mut self, b: &Block, want_value: bool) -> BlockValue {
        let mut end = BlockValue::NoValue;
        let n = b.stmts.len();
        for (i, s) in b.stmts.iter().enumerate() {
            end = self.stmt(s, want_value && i + 1 == n);
        }
        end
    }

    pub(super) fn stmt(&mut self, s: &Stmt, want_value: bool) -> BlockValue {
        match &s.kind {
            StmtKind::Expr(e) => {
                let ty = match &e.kind {
                    ExprKind::If { branches, otherwise } => {
                        let v = self.if_expr(e, branches, otherwise.as_ref(), want_value);
                        if !want_value {
                            return BlockValue::NoValue;
                        }
                        return v;
                    }
                    ExprKind::Match { scrutinee, arms } => {
                        let v = self.match_arms(e, scrutinee, arms, want_value);
                        return if want_value { v } else { BlockValue::NoValue };
                    }
                    _ => self.expr(e),
                };
                if is_diverging_call(self.res, e) {
                    return BlockValue::Diverges;
                }
                if want_value {
                    return BlockValue::Value(ty);
                }
            }
            StmtKind::Decl { name, ty, value, .. } => {
                let vt = self.expr(value);
                self.reject_void(&vt, value);
                let bt = match ty {
                    Some(ann) => {
                        let at = self.type_expr(ann);
                        self.expect(&at, &vt, value.span);
                        at
                    }
                    None => vt,
                };
                if let Some(b) = self.res.decl(name) {
                    self.bind_type(b, bt, value.span);
                }
            }
            StmtKind::Assign { targets, value } => {
                let vt = self.expr(value);
                self.reject_void(&vt, value);
                for t in targets {
                    self.assign_target(t, &vt, value.span);
                }
            }
            StmtKind::CompoundAssign { target, op, value } => {
                let tt = self.target_type(target);
                let vt = self.expr(value);
                self.binary_types(*op, &tt, &vt, value.span);
            }
            StmtKind::Const { name, ty, value, .. } => self.constant(name, ty.as_ref(), value),
            StmtKind::While { cond, body, .. } => {
                self.condition(cond);
                self.block(body, false);
            }
            StmtKind::For { var, iter, body, .. } => {
                let elem = self.iteration(iter);
                if let Some(b) = var.as_ref().and_then(|v| self.res.decl(v)) {
                    self.t.binding_types[b as usize] = elem;
                }
                self.block(body, false);
            }
            StmtKind::Break { .. } | StmtKind::Continue { .. } => return BlockValue::Diverges,
            StmtKind::Return(value) => {
                let vt = match value {
                    Some(v) => self.expr(v),
                    None => Ty::Void,
                };
                if let Some(ret) = self.fn_ret.last().cloned() {
                    self.expect(&ret, &vt, value.as_ref().map(|v| v.span).unwrap_or(s.span));
                }
                return BlockValue::Diverges;
            }
            StmtKind::Pass | StmtKind::Error => {}
            StmtKind::Try { body, err, handler } => {
                let body_end = self.block(body, false);
                if let Some(b) = err.as_ref().and_then(|e| self.res.decl(e)) {
                    self.t.binding_types[b as usize] = Ty::Error;
                }
                let handler_end = self.block(handler, false);
                if matches!((body_end, handler_end), (BlockValue::Diverges, BlockValue::Diverges)) {
                    return BlockValue::Diverges;
                }
            }
            StmtKind::Fn(f) => self.nested_fn(f),
            StmtKind::Struct(d) => self.check_defaults(d),
            StmtKind::Enum(_) | StmtKind::Impl(_) => {}
            StmtKind::Use(_) => {
                self.not_supported("modules (`use`) are", s.span);
            }
        }
        BlockValue::NoValue
    }

    pub(super) fn not_supported(&mut self, what: &str, span: Span) -> Ty {
        self.error(Diagnostic::error(
            codes::NOT_YET_SUPPORTED,
            format!("{what} not supported yet"),
            span,
            "not implemented in this version of Orus",
        ))
    }

    fn nested_fn(&mut self, f: &FnDecl) {
        let Some(id) = self.res.fn_ids.get(&f.span).copied() else { return };
        let sig = self.signature(f);
        let fty = Ty::Func(sig.params.clone(), Box::new(sig.ret.clone()));
        if let FnKind::Nested { binding } = self.res.function(id).kind {
            self.t.binding_types[binding as usize] = fty;
        }
        self.t.fn_sigs[id as usize] = sig;
        self.function_body(id, f);
    }

    fn assign_target(&mut self, target: &Expr, vt: &Ty, span: Span) {
        match self.res.targets.get(&target.id).copied() {
            Some(AssignKind::Declare(b)) => {
                self.bind_type(b, vt.clone(), span);
                self.t.expr_types.insert(target.id, vt.clone());
            }
            Some(AssignKind::Reassign(_)) | None => {
                let tt = self.target_type(target);
                self.expect(&tt, vt, span);
            }
        }
    }

    /// A `void` result (of a function without a value) cannot be stored or printed.
    pub(super) fn reject_void(&mut self, t: &Ty, e: &Expr) {
        if self.t.table.shallow(t) == Ty::Void {
            self.diags.push(
                Diagnostic::error(codes::TYPE_MISMATCH, "this expression has no value", e.span, "its type is `void`")
                    .with_note("a function without `->` and without a value at its end returns nothing"),
            );
        }
    }

    /// Give binding `b` its declared type. Module-level bindings already have a type
    /// variable (functions inferred earlier may have used it), so unify with that.
    fn bind_type(&mut self, b: u32, ty: Ty, span: Span) {
        let existing = self.t.binding_types[b as usize].clone();
        if existing == Ty::Unknown {
            self.t.binding_types[b as usize] = ty;
        } else {
            self.expect(&existing, &ty, span);
        }
    }

    /// The type of an existing assignment target (a name, element or field).
    fn target_type(&mut self, target: &Expr) -> Ty {
        if let ExprKind::Index { base, .. } = &target.kind {
            let t = self.expr(target);
            if self.t.table.shallow(&self.t.expr_type(base.id)) == Ty::Str {
                return self.error(
                    Diagnostic::error(
                        codes::INVALID_TARGET,
                        "strings are immutable",
                        target.span,
                        "cannot assign to a byte of a string",
                    )
                    .with_help("build a new string, e.g. `s = s[..i] + \"x\" + s[i + 1..]`"),
                );
            }
            return t;
        }
        let ty = match (&target.kind, self.res.targets.get(&target.id)) {
            (ExprKind::Name(_), Some(AssignKind::Reassign(Res::Local(b) | Res::Global(b)))) => {
                self.t.binding_types[*b as usize].clone()
            }
            (ExprKind::Name(_), _) => Ty::Unknown,
            _ => return self.expr(target),
        };
        self.t.expr_types.insert(target.id, ty.clone());
        ty
    }

    pub(super) fn condition(&mut self, cond: &Expr) {
        let ct = self.expr(cond);
        let literal = self.is_literal_var(&ct);
        if let (Ty::Var(_) | Ty::Bool | Ty::Unknown, false) = (self.t.table.shallow(&ct), literal) {
            self.expect(&Ty::Bool, &ct, cond.span);
        } else {
            let found = self.t.table.display(&ct);
            self.diags.push(
                Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    "condition is not a `bool`",
                    cond.span,
                    format!("expected `bool`, found `{found}`"),
                )
                .with_note("Orus has no truthiness: conditions must be `bool`")
                .with_help("compare explicitly, e.g. `x != 0`"),
            );
        }
    }

    /// The element type produced by iterating `iter` in a `for` loop.
    fn iteration(&mut self, iter: &Expr) -> Ty {
        if let ExprKind::Range { .. } = iter.kind {
            return match self.expr(iter) {
                Ty::Range(e) => *e,
                _ => Ty::Unknown,
            };
        }
        let it = self.expr(iter);
        match self.t.table.shallow(&it) {
            Ty::Array(e) | Ty::Range(e) => *e,
            Ty::Map(k, _) => *k,
            Ty::Str => Ty::Str,
            Ty::Unknown => Ty::Unknown,
            Ty::Var(_) if self.is_literal_var(&it) => self.error(
                Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    "cannot iterate over a number",
                    iter.span,
                    "expected an array, a string or a range",
                )
                .with_help("to count, iterate over a range: `for i in 0..n`"),
            ),
            Ty::Var(_) => {
                let e = self.fresh();
                self.expect(&Ty::array(e.clone()), &it, iter.span);
                e
            }
            other => {
                let shown = self.t.table.display(&other);
                self.error(Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    format!("cannot iterate over `{shown}`"),
                    iter.span,
                    "expected an array, a string or a range",
                ))
            }
        }
    }

    pub(super) fn if_expr(
        &mut self,
        e: &Expr,
        branches: &[(Expr, Block)],
        otherwise: Option<&Block>,
        want_value: bool,
    ) -> BlockValue {
        let mut result: Option<Ty> = None;
        let mut all_valued = want_value && otherwise.is_some();
        let mut diverges = otherwise.is_some();
        let blocks: Vec<&Block> = branches.iter().map(|(_, b)| b).chain(otherwise).collect();
        for (c, _) in branches {
            self.condition(c);
        }
        for b in blocks {
            match self.block(b, want_value) {
                BlockValue::Value(t) => {
                    diverges = false;
                    match &result {
                        Some(r) => {
                            let r = r.clone();
                            let span = b.stmts.last().map(|s| s.span).unwrap_or(b.span);
                            self.expect(&r, &t, span);
                        }
                        None => result = Some(t),
                    }
                }
                BlockValue::NoValue => {
                    diverges = false;
                    all_valued = false;
                }
                BlockValue::Diverges => {}
            }
        }
        if all_valued {
            if let Some(t) = result {
                self.t.expr_types.insert(e.id, t.clone());
                return BlockValue::Value(t);
            }
        }
        self.t.expr_types.insert(e.id, Ty::Void);
        if diverges {
            BlockValue::Diverges
        } else {
            BlockValue::NoValue
        }
    }

    // ---- expressions ----

    pub(super) fn expr(&mut self, e: &Expr) -> Ty {
        let ty = self.expr_inner(e);
        self.t.expr_types.insert(e.id, ty.clone());
        ty
    }

    fn expr_inner(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Int { value, suffix } => self.int_literal(*value, *suffix, false, e.span),
            ExprKind::Float(_) => Ty::F64,
            ExprKind::Str(_) => Ty::Str,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Name(n) => self.name(e.id, n),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
            ExprKind::Binary { op, lhs, rhs } => {
                let lt = self.expr(lhs);
                if matches!(op, BinOp::And | BinOp::Or) {
                    self.expect(&Ty::Bool, &lt, lhs.span);
                    let rt = self.expr(rhs);
                    self.expect(&Ty::Bool, &rt, rhs.span);
                    return Ty::Bool;
                }
                let rt = self.expr(rhs);
                self.binary_types(*op, &lt, &rt, rhs.span)
            }
            ExprKind::Cond { cond, then, otherwise } => {
                self.condition(cond);
                let a = self.expr(then);
                let b = self.expr(otherwise);
                self.expect(&a, &b, otherwise.span);
                a
            }
            ExprKind::Call { callee, args, .. } => self.call(e, callee, args),
            ExprKind::Index { base, index } => {
                let bt = self.expr(base);
                let it = self.expr(index);
                if let Ty::Map(k, v) = self.t.table.shallow(&bt) {
                    self.expect(&k, &it, index.span);
                    return *v;
                }
                self.require(&it, ClassSet::of(Class::Integer), index.span);
                match self.t.table.shallow(&bt) {
                    Ty::Str => Ty::Str,
                    _ => {
                        let elem = self.fresh();
                        self.expect(&Ty::array(elem.clone()), &bt, base.span);
                        elem
                    }
                }
            }
            ExprKind::Slice { base, start, end } => {
                let bt = self.expr(base);
                for b in start.iter().chain(end.iter()) {
                    let t = self.expr(b);
                    self.require(&t, ClassSet::of(Class::Integer), b.span);
                }
                match self.t.table.shallow(&bt) {
                    Ty::Str => Ty::Str,
                    _ => {
                        let elem = self.fresh();
                        self.expect(&Ty::array(elem), &bt, base.span);
                        bt
                    }
                }
            }
            ExprKind::Field { base, name } => self.field(e, base, name),
            ExprKind::Array(items) => {
                let elem = self.fresh();
                for it in items {
                    let t = self.expr(it);
                    self.expect(&elem, &t, it.span);
                }
                Ty::array(elem)
            }
            ExprKind::ArrayFill { value, count } => {
                let vt = self.expr(value);
                let ct = self.expr(count);
                self.require(&ct, ClassSet::of(Class::Integer), count.span);
                Ty::array(vt)
            }
            ExprKind::Range { start, end, step, .. } => {
                let st = self.expr(start);
                self.require(&st, ClassSet::of(Class::Integer), start.span);
                let et = self.expr(end);
                self.expect(&st, &et, end.span);
                if let Some(s) = step {
                    let t = self.expr(s);
                    self.expect(&st, &t, s.span);
                }
                Ty::Range(Box::new(st))
            }
            ExprKind::Lambda(f) => {
                let Some(id) = self.res.fn_ids.get(&f.span).copied() else { return Ty::Unknown };
                let sig = self.signature(f);
                self.t.fn_sigs[id as usize] = sig.clone();
                self.function_body(id, f);
                Ty::Func(sig.params, Box::new(sig.ret))
            }
            ExprKind::If { branches, otherwise } => match self.if_expr(e, branches, otherwise.as_ref(), true) {
                BlockValue::Value(t) => t,
                _ => {
                    if otherwise.is_none() {
                        self.error(Diagnostic::error(
                            codes::TYPE_MISMATCH,
                            "`if` used as a value needs an `else` branch",
                            e.span,
                            "this `if` has no `else`",
                        ))
                    } else {
                        Ty::Void
                    }
                }
            },
            ExprKind::Cast { value, ty } => {
                let from = self.expr(value);
                let to = self.type_expr(ty);
                self.casts.push(CastRecord { from, to: to.clone(), span: e.span });
                to
            }
            ExprKind::Match { scrutinee, arms } => self.match_expr(e, scrutinee, arms, true),
            ExprKind::Matches { value, pattern } => {
                let vt = self.expr(value);
                self.pattern(pattern, &vt, false);
                Ty::Bool
            }
            ExprKind::StructLit { path, type_args, fields } => self.struct_lit(e, path, type_args, fields),
            ExprKind::Error => Ty::Unknown,
        }
    }

    fn int_literal(&mut self, value: u64, suffix: Option<IntSuffix>, negated: bool, span: Span) -> Ty {
        let ty = match suffix {
            Some(IntSuffix::I32) => Ty::I32,
            Some(IntSuffix::I64) => Ty::I64,
            Some(IntSuffix::U32) => Ty::U32,
            Some(IntSuffix::U64) => Ty::U64,
            Some(IntSuffix::F64) => return Ty::F64,
            None => self.t.table.fresh_var(self.level, ClassSet::of(Class::Numeric), true),
        };
        self.literals.push(LitRecord { value, negated, ty: ty.clone(), span });
        ty
    }

    fn name(&mut self, id: NodeId, n: &Ident) -> Ty {
        match self.res.names.get(&id).copied().unwrap_or(Res::Error) {
            Res::Local(b) | Res::Global(b) => self.t.binding_types[b as usize].clone(),
            Res::Func(f) => self.function_ref(id, f),
            Res::Builtin(Builtin::NoneVariant) => self.variant_value(id, OPTION, 1, &[]),
            Res::Builtin(b) => self.error(
                Diagnostic::error(
                    codes::NOT_CALLABLE,
                    format!("built-in `{}` can only be called", b.name()),
                    n.span,
                    "built-ins are not values",
                )
                .with_help(format!("wrap it in a function: `fn(x): {}(x)`", b.name())),
            ),
            Res::Error => Ty::Unknown,
        }
    }

    /// The type of a use of top-level function `f`: instantiated when already generalized.
    pub(super) fn function_ref(&mut self, node: NodeId, f: FnId) -> Ty {
        self.function_ref_explicit(node, f, &[], Span::default())
    }

    /// A use of `f` with explicit type arguments (`f::<i64>`), which fix its declared
    /// generic parameters in order.
    pub(super) fn function_ref_explicit(&mut self, node: NodeId, f: FnId, explicit: &[TypeExpr], span: Span) -> Ty {
        let sig = self.t.fn_sigs[f as usize].clone();
        if !explicit.is_empty() && explicit.len() != sig.declared.len() {
            let name = &self.res.function(f).name;
            self.diags.push(Diagnostic::error(
                codes::TYPE_ARG_COUNT,
                format!("`{name}` takes {} type argument(s) but {} were given", sig.declared.len(), explicit.len()),
                span,
                "wrong number of type arguments",
            ));
        }
        let explicit_tys: Vec<Ty> = explicit.iter().map(|t| self.type_expr(t)).collect();
        if !self.generalized.contains(&f) {
            self.self_refs.push((node, f));
            for (d, t) in sig.declared.iter().zip(&explicit_tys) {
                self.expect(d, t, span);
            }
            return Ty::Func(sig.params, Box::new(sig.ret));
        }
        let mut map = HashMap::new();
        let mut args = Vec::new();
        for v in &sig.generics {
            // The literal flag of a generalized variable only mattered for defaulting
            // inside its function; at a use site its classes are what constrain it.
            let classes = self.t.table.classes_of(*v);
            let fresh = self.t.table.fresh_var(self.level, classes, false);
            map.insert(*v, fresh.clone());
            args.push(fresh);
        }
        self.t.instantiations.insert(node, args);
        for (d, t) in sig.declared.iter().zip(&explicit_tys) {
            let param = substitute(&self.t.table, d, &map);
            self.expect(&param, t, span);
        }
        let fty = Ty::Func(sig.params, Box::new(sig.ret));
        substitute(&self.t.table, &fty, &map)
    }

    fn unary(&mut self, op: UnOp, operand: &Expr, span: Span) -> Ty {
        if let (UnOp::Neg, ExprKind::Int { value, suffix }) = (op, &operand.kind) {
            let t = self.int_literal(*value, *suffix, true, span);
            self.t.expr_types.insert(operand.id, t.clone());
            return self.negatable(t, span);
        }
        let t = self.expr(operand);
        match op {
            UnOp::Neg => self.negatable(t, span),
            UnOp::Not => {
                self.expect(&Ty::Bool, &t, operand.span);
                Ty::Bool
            }
            UnOp::BitNot => {
                self.require(&t, ClassSet::of(Class::Integer), operand.span);
                t
            }
        }
    }

    fn negatable(&mut self, t: Ty, span: Span) -> Ty {
        if let ty @ (Ty::U32 | Ty::U64) = self.t.table.shallow(&t) {
            let name = self.t.table.display(&ty);
            return self.error(
                Diagnostic::error(
                    codes::UNSIGNED_NEGATION,
                    format!("cannot negate an unsigned `{name}`"),
                    span,
                    "unary `-` needs a signed type",
                )
                .with_help("cast to a signed type first, e.g. `-(x as i64)`"),
            );
        }
        self.require(&t, ClassSet::of(Class::Signed), span);
        t
    }

    /// Check a binary operator's operands (already inferred) and give the result type.
    pub(super) fn binary_types(&mut self, op: BinOp, lt: &Ty, rt: &Ty, span: Span) -> Ty {
        let class = match op {
            BinOp::Add => Class::Addable,
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => Class::Numeric,
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr => Class::Integer,
            BinOp::Eq | BinOp::Ne => Class::Equatable,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Class::Comparable,
            BinOp::And | BinOp::Or => {
                self.expect(&Ty::Bool, lt, span);
                self.expect(&Ty::Bool, rt, span);
                return Ty::Bool;
            }
        };
        if !self.expect(lt, rt, span) {
            let (l, r) = (self.t.table.shallow(lt), self.t.table.shallow(rt));
            if op == BinOp::Add && (l == Ty::Str) != (r == Ty::Str) {
                if let Some(d) = self.diags.last_mut() {
                    d.help = Some("convert the other operand with `as string` to concatenate".to_string());
                }
            } else if l != r {
                if let Some(d) = self.diags.last_mut() {
                    d.help = Some("operands must have the same type; convert one with `as`".to_string());
                }
            }
            return if class_yields_bool(class) { Ty::Bool } else { Ty::Unknown };
        }
        if !self.require(lt, ClassSet::of(class), span) {
            return if class_yields_bool(class) { Ty::Bool } else { Ty::Unknown };
        }
        if class_yields_bool(class) {
            Ty::Bool
        } else {
            lt.clone()
        }
    }

    pub(super) fn record_call_target(&mut self, call: NodeId, target: CallTarget) {
        self.t.call_targets.insert(call, target);
    }

    pub(super) fn top_fn_named(&self, name: &str) -> Option<FnId> {
        self.res.top_fns.get(name).copied().filter(|f| *f != MODULE_INIT)
    }
}

/// Classes that declared bounds imply (`Comparable` implies `Equatable`; every number is
/// `Equatable`; `Integer` implies `Numeric`).
fn implied(declared: ClassSet, c: Class) -> bool {
    let has = |x| declared.contains(x);
    match c {
        Class::Equatable => {
            has(Class::Comparable) || has(Class::Numeric) || has(Class::Integer) || has(Class::Hashable)
        }
        Class::Numeric | Class::Addable => has(Class::Integer) || has(Class::Numeric),
        Class::Comparable => has(Class::Numeric) || has(Class::Integer),
        Class::Convertible => has(Class::Numeric) || has(Class::Integer),
        _ => false,
    }
}

fn class_yields_bool(c: Class) -> bool {
    matches!(c, Class::Equatable | Class::Comparable)
}

/// Whether `e` is a call to `panic` (which never returns).
fn is_diverging_call(res: &Resolution, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { callee, .. } => {
            matches!(res.names.get(&callee.id), Some(Res::Builtin(crate::resolve::Builtin::Panic)))
        }
        _ => false,
    }
}

fn cast_allowed(from: &Ty, to: &Ty) -> bool {
    match (from, to) {
        (_, Ty::Str) => !matches!(from, Ty::Void),
        (Ty::Unknown, _) | (_, Ty::Unknown) => true,
        (a, b) if a.is_int() && (b.is_int() || *b == Ty::F64 || *b == Ty::Bool) => true,
        (Ty::F64, b) if b.is_int() || *b == Ty::F64 => true,
        (Ty::Bool, b) if b.is_int() || *b == Ty::Bool => true,
        (a, b) => a == b,
    }
}

/// Replace variables per `map` (used to instantiate a generalized signature).
pub(crate) fn substitute(table: &TyTable, t: &Ty, map: &HashMap<u32, Ty>) -> Ty {
    match table.shallow(t) {
        Ty::Var(v) => map.get(&v).cloned().unwrap_or(Ty::Var(v)),
        Ty::Array(e) => Ty::array(substitute(table, &e, map)),
        Ty::Range(e) => Ty::Range(Box::new(substitute(table, &e, map))),
        Ty::Func(ps, r) => {
            Ty::Func(ps.iter().map(|p| substitute(table, p, map)).collect(), Box::new(substitute(table, &r, map)))
        }
        Ty::Adt(id, args) => Ty::Adt(id, args.iter().map(|a| substitute(table, a, map)).collect()),
        Ty::Map(k, v) => Ty::Map(Box::new(substitute(table, &k, map)), Box::new(substitute(table, &v, map))),
        other => other,
    }
}

/// Top-level functions referred to in a body (by name, or as `x.f(...)` method sugar).
fn collect_fn_refs(res: &Resolution, body: &Block, out: &mut Vec<FnId>) {
    crate::syntax::visit::each_expr_in_block(body, &mut |e: &Expr| match &e.kind {
        ExprKind::Name(_) => {
            if let Some(Res::Func(f)) = res.names.get(&e.id) {
                out.push(*f);
            }
        }
        ExprKind::Call { callee, .. } => {
            if let ExprKind::Field { name, .. } = &callee.kind {
                if let Some(f) = res.top_fns.get(&name.name) {
                    out.push(*f);
                }
                // `x.m()` / `T.m()`: any method of that name (the receiver's type is not
                // known yet), so methods are checked before their callers.
                out.extend(res.methods.iter().filter(|((_, m), _)| *m == name.name).map(|(_, f)| *f));
            }
        }
        _ => {}
    });
}
