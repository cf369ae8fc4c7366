//! Inference of expressions: literals (typed by context, checked after defaulting), names
//! and instantiation of generic functions, operators and their classes, casts.

use super::adt::OPTION;
use super::classes::{Class, ClassSet};
use super::infer::{substitute, BlockValue, CastRecord, Infer, LitRecord};
use super::ty::Ty;
use super::CallTarget;
use crate::diag::{codes, Diagnostic};
use crate::resolve::{Builtin, FnId, Res, Resolution};
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use hashbrown::HashMap;

impl<'a> Infer<'a> {
    // ---- expressions ----

    pub(super) fn expr(&mut self, e: &Expr) -> Ty {
        let ty = self.expr_inner(e);
        self.t.expr_types.insert(e.id, ty.clone());
        ty
    }

    pub(super) fn expr_inner(&mut self, e: &Expr) -> Ty {
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

    pub(super) fn int_literal(&mut self, value: u64, suffix: Option<IntSuffix>, negated: bool, span: Span) -> Ty {
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

    pub(super) fn name(&mut self, id: NodeId, n: &Ident) -> Ty {
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
            Res::Host(_) => self.error(
                Diagnostic::error(
                    codes::NOT_CALLABLE,
                    format!("host function `{}` can only be called", n.name),
                    n.span,
                    "host functions are not values",
                )
                .with_help(format!("wrap it in a function: `fn(x): {}(x)`", n.name)),
            ),
            // A struct or enum name used as a value (the resolver leaves type names to us).
            Res::Error if self.t.adt_ids.contains_key(&n.name) => self.error(
                Diagnostic::error(
                    codes::NOT_CALLABLE,
                    format!("`{}` is a type, not a value", n.name),
                    n.span,
                    "a struct or enum name",
                )
                .with_help(format!("build a value with `{}{{ field: value }}` or one of its variants", n.name)),
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

    pub(super) fn unary(&mut self, op: UnOp, operand: &Expr, span: Span) -> Ty {
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

    pub(super) fn negatable(&mut self, t: Ty, span: Span) -> Ty {
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
}

pub(super) fn class_yields_bool(c: Class) -> bool {
    matches!(c, Class::Equatable | Class::Comparable)
}

/// Whether `e` is a call to `panic` (which never returns).
pub(super) fn is_diverging_call(res: &Resolution, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { callee, .. } => {
            matches!(res.names.get(&callee.id), Some(Res::Builtin(crate::resolve::Builtin::Panic)))
        }
        _ => false,
    }
}

pub(super) fn cast_allowed(from: &Ty, to: &Ty) -> bool {
    match (from, to) {
        (_, Ty::Str) => !matches!(from, Ty::Void),
        (Ty::Unknown, _) | (_, Ty::Unknown) => true,
        (a, b) if a.is_int() && (b.is_int() || *b == Ty::F64 || *b == Ty::Bool) => true,
        (Ty::F64, b) if b.is_int() || *b == Ty::F64 => true,
        (Ty::Bool, b) if b.is_int() || *b == Ty::Bool => true,
        (a, b) => a == b,
    }
}
