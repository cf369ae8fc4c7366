//! Inference of statements and blocks: bindings and assignments, loops and iteration,
//! `if` as statement or value, returns, try/catch, nested functions.

use super::exprs::is_diverging_call;
use super::infer::{BlockValue, Infer};
use super::ty::Ty;
use crate::diag::{codes, Diagnostic};
use crate::resolve::{AssignKind, FnKind, Res};
use crate::syntax::ast::*;
use crate::syntax::span::Span;

impl<'a> Infer<'a> {
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
                if let Some(ann) = ty {
                    self.check_literal_length(ann, value);
                }
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
            // Imports were linked before resolution (see `modules`).
            StmtKind::Enum(_) | StmtKind::Impl(_) | StmtKind::Use(_) => {}
        }
        BlockValue::NoValue
    }

    /// `xs: [T, N] = [a, b]`: a literal of the wrong length is a compile error (other
    /// values are checked when the binding is made, at run time).
    pub(super) fn check_literal_length(&mut self, ann: &TypeExpr, value: &Expr) {
        let TypeExprKind::Array { len: Some(want), .. } = &ann.kind else { return };
        let found = match &value.kind {
            ExprKind::Array(items) => items.len() as u64,
            ExprKind::ArrayFill { count, .. } => match count.kind {
                ExprKind::Int { value, .. } => value,
                _ => return,
            },
            _ => return,
        };
        if found != *want {
            self.diags.push(
                Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    format!("expected an array of length {want}, found {found} element(s)"),
                    value.span,
                    format!("this array has {found} element(s)"),
                )
                .with_label(ann.span, format!("the annotation requires exactly {want}")),
            );
        }
    }

    pub(super) fn nested_fn(&mut self, f: &FnDecl) {
        let Some(id) = self.res.fn_ids.get(&f.span).copied() else { return };
        let sig = self.signature(f);
        let fty = Ty::Func(sig.params.clone(), Box::new(sig.ret.clone()));
        if let FnKind::Nested { binding } = self.res.function(id).kind {
            self.t.binding_types[binding as usize] = fty;
        }
        self.t.fn_sigs[id as usize] = sig;
        self.function_body(id, f);
    }

    pub(super) fn assign_target(&mut self, target: &Expr, vt: &Ty, span: Span) {
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
    pub(super) fn bind_type(&mut self, b: u32, ty: Ty, span: Span) {
        let existing = self.t.binding_types[b as usize].clone();
        if existing == Ty::Unknown {
            self.t.binding_types[b as usize] = ty;
        } else {
            self.expect(&existing, &ty, span);
        }
    }

    /// The type of an existing assignment target (a name, element or field).
    pub(super) fn target_type(&mut self, target: &Expr) -> Ty {
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
    pub(super) fn iteration(&mut self, iter: &Expr) -> Ty {
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
}
