//! Inference order: module-level annotations, top-level functions and methods grouped into
//! strongly connected components (inferred together, then generalized), `main`'s signature,
//! and closing a group: literal defaulting, remaining defaults, literal ranges and casts.

use super::classes::{default_for, Class, ClassSet};
use super::exprs::cast_allowed;
use super::infer::{BlockValue, Infer, TOP};
use super::scc;
use super::ty::{Ty, VarState};
use super::FnSig;
use crate::diag::{codes, Diagnostic};
use crate::resolve::{FnId, Res, Resolution, MODULE_INIT};
use crate::syntax::ast::*;
use hashbrown::HashMap;

impl<'a> Infer<'a> {
    /// Functions are inferred before the top-level code, so a module-level binding's
    /// annotation must be known first: functions may use the binding before its statement.
    pub(super) fn annotated_globals(&mut self, stmts: &[Stmt]) {
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
    pub(super) fn check_main(&mut self) {
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
    pub(super) fn report_ambiguous_bindings(&mut self) {
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

    pub(super) fn constant(&mut self, name: &Ident, ty: Option<&TypeExpr>, value: &Expr) {
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

    pub(super) fn function_groups(&mut self) {
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

    pub(super) fn infer_group(&mut self, group: &[FnId]) {
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

    pub(super) fn generic_params(&mut self, generics: &[GenericParam]) -> HashMap<String, Ty> {
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
    pub(super) fn check_rigid_params(&mut self, decl: &FnDecl, scope: &HashMap<String, Ty>) {
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
    pub(super) fn close_group(&mut self, start: u32, keep: &[u32]) {
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
    pub(super) fn default_remaining(&mut self) {
        for v in 0..self.t.table.var_count() {
            if let VarState::Unbound { classes, level: TOP, .. } = self.t.table.state(v).clone() {
                let _ = self.t.table.unify(&Ty::Var(v), &default_for(classes));
            }
        }
    }

    pub(super) fn check_literals(&mut self) {
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

    pub(super) fn check_casts(&mut self) {
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

/// Top-level functions referred to in a body (by name, or as `x.f(...)` method sugar).
fn collect_fn_refs(res: &Resolution, body: &Block, out: &mut Vec<FnId>) {
    crate::syntax::visit::each_expr_in_block(body, &mut |e: &Expr| match &e.kind {
        ExprKind::Name(_) => {
            if let Some(Res::Func(f)) = res.names.get(&e.id) {
                out.push(*f);
            }
        }
        // `Type.f` as a value.
        ExprKind::Field { base, name } if matches!(&base.kind, ExprKind::Name(n) if res.type_names.contains(&n.name)) =>
        {
            out.extend(res.methods.iter().filter(|((_, m), _)| *m == name.name).map(|(_, f)| *f));
        }
        ExprKind::Call { callee, .. } => {
            if let ExprKind::Field { name, .. } = &callee.kind {
                if let Some(f) = res.method_sugar.get(&e.id) {
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
