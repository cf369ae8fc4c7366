//! Typing of calls: ordinary function values, method-call sugar (`x.f(a)` is `f(x, a)`),
//! and the prelude built-ins, several of which are overloaded (`len`, `contains`) or
//! variadic (`print`) and so are typed here rather than by a signature.

use super::adt::{OPTION, RESULT};
use super::classes::{Class, ClassSet};
use super::infer::Infer;
use super::ty::Ty;
use super::CallTarget;
use crate::diag::{codes, Diagnostic};
use crate::resolve::{Builtin, Res};
use crate::syntax::ast::*;
use crate::syntax::span::Span;

impl<'a> Infer<'a> {
    pub(super) fn call(&mut self, call: &Expr, callee: &Expr, args: &[Expr]) -> Ty {
        if let ExprKind::Name(_) = callee.kind {
            if let Some(Res::Builtin(b)) = self.res.names.get(&callee.id).copied() {
                match b {
                    Builtin::SomeVariant => return self.prelude_constructor(call, OPTION, 0, args),
                    Builtin::OkVariant => return self.prelude_constructor(call, RESULT, 0, args),
                    Builtin::ErrVariant => return self.prelude_constructor(call, RESULT, 1, args),
                    Builtin::NoneVariant => {
                        return self.error(Diagnostic::error(
                            codes::PAYLOAD_ARITY,
                            "`None` carries no value",
                            call.span,
                            "write `None` without parentheses",
                        ))
                    }
                    _ => {}
                }
                self.record_call_target(call.id, CallTarget::Builtin(b));
                let arg_refs: Vec<&Expr> = args.iter().collect();
                return self.builtin(b, &arg_refs, None, call.span);
            }
        }
        if let ExprKind::Field { base, name } = &callee.kind {
            if let Some(t) = self.method_call(call, base, name, args) {
                return t;
            }
        }
        let ft = match (&callee.kind, self.res.names.get(&callee.id)) {
            (ExprKind::Name(_), Some(Res::Host(h))) => {
                let t = self.t.host_fn_types.get(*h as usize).cloned().unwrap_or(Ty::Unknown);
                self.t.expr_types.insert(callee.id, t.clone());
                t
            }
            (ExprKind::Name(_), Some(Res::Func(f))) => {
                let type_args = match &call.kind {
                    ExprKind::Call { type_args, .. } => type_args.as_slice(),
                    _ => &[],
                };
                let t = self.function_ref_explicit(callee.id, *f, type_args, callee.span);
                self.t.expr_types.insert(callee.id, t.clone());
                t
            }
            _ => self.expr(callee),
        };
        let arg_types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        let recursive = match self.res.names.get(&callee.id) {
            Some(Res::Func(f)) if !self.generalized.contains(f) => Some(self.res.function(*f).name.clone()),
            _ => None,
        };
        let saved = std::mem::replace(&mut self.recursive_call, recursive);
        let t = self.apply(&ft, &arg_types, args, call.span, callee.span);
        self.recursive_call = saved;
        t
    }

    /// Check a call of a function-typed value with already-inferred arguments.
    pub(super) fn apply(&mut self, ft: &Ty, arg_types: &[Ty], args: &[Expr], span: Span, callee_span: Span) -> Ty {
        match self.table().shallow(ft) {
            Ty::Func(params, ret) => {
                if params.len() != arg_types.len() {
                    return self.arity_error(params.len(), arg_types.len(), span, callee_span);
                }
                for ((p, a), e) in params.iter().zip(arg_types).zip(args) {
                    self.expect(p, a, e.span);
                }
                *ret
            }
            Ty::Var(v) if !self.t.table.classes_of(v).is_empty() => {
                let shown = self.table().display(ft);
                self.not_callable(&shown, callee_span)
            }
            Ty::Var(_) => {
                let ret = self.fresh();
                let f = Ty::Func(arg_types.to_vec(), Box::new(ret.clone()));
                self.expect(ft, &f, callee_span);
                ret
            }
            Ty::Unknown => Ty::Unknown,
            other => {
                let shown = self.table().display(&other);
                self.not_callable(&shown, callee_span)
            }
        }
    }

    fn not_callable(&mut self, shown: &str, span: Span) -> Ty {
        self.error(Diagnostic::error(
            codes::NOT_CALLABLE,
            format!("`{shown}` is not a function"),
            span,
            "this value cannot be called",
        ))
    }

    fn arity_error(&mut self, want: usize, got: usize, span: Span, callee_span: Span) -> Ty {
        let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
        self.error(
            Diagnostic::error(
                codes::WRONG_ARITY,
                format!(
                    "this function takes {want} {} but {got} {} supplied",
                    plural(want),
                    if got == 1 { "was" } else { "were" }
                ),
                span,
                format!("expected {want} {}", plural(want)),
            )
            .with_label(callee_span, "function called here"),
        )
    }

    /// `recv.name(args)`: a method of the receiver's type, or a built-in or top-level
    /// function taking the receiver first; `Type.name(args)` for variants and associated
    /// functions.
    fn method_call(&mut self, call: &Expr, base: &Expr, name: &Ident, args: &[Expr]) -> Option<Ty> {
        if let Some(adt) = self.type_named(base) {
            return Some(self.type_call(call, adt, name, args));
        }
        if let ExprKind::Name(n) = &base.kind {
            if n.name == "Map" && matches!(self.res.names.get(&base.id), None | Some(Res::Error)) {
                return Some(self.map_new(call, name, args));
            }
            if matches!(self.res.names.get(&base.id), None | Some(Res::Error)) {
                // Already reported by the resolver; check the arguments for their own errors.
                for a in args {
                    self.expr(a);
                }
                return Some(Ty::Unknown);
            }
        }
        let bt = self.expr(base);
        if self.table().shallow(&bt) == Ty::Unknown {
            // The receiver already failed to check: do not add a second error.
            for a in args {
                self.expr(a);
            }
            return Some(Ty::Unknown);
        }
        if let Some(t) = self.adt_method(call, base, &bt, name, args) {
            return Some(t);
        }
        if let Some(t) = self.map_method(call, &bt, name, args) {
            return Some(t);
        }
        if let Some(f) = self.res.method_sugar.get(&call.id).copied() {
            let ft = self.function_ref(call.id, f);
            self.record_call_target(call.id, CallTarget::Method(f));
            let mut all: Vec<Expr> = vec![base.clone()];
            all.extend(args.iter().cloned());
            let mut arg_types = vec![bt];
            arg_types.extend(args.iter().map(|a| self.expr(a)));
            return Some(self.apply(&ft, &arg_types, &all, call.span, name.span));
        }
        if let Some(b) = Builtin::from_name(&name.name).filter(|b| !b.is_variant() && !b.is_internal()) {
            self.record_call_target(call.id, CallTarget::Builtin(b));
            let mut all: Vec<&Expr> = vec![base];
            all.extend(args.iter());
            return Some(self.builtin(b, &all, Some(bt), call.span));
        }
        if let Some(t) = self.call_fn_field(call, &bt, name, args) {
            return Some(t);
        }
        let shown = self.table().display(&bt);
        let mut candidates: Vec<String> =
            Builtin::ALL.iter().filter(|b| !b.is_variant() && !b.is_internal()).map(|b| b.name().to_string()).collect();
        if let Ty::Adt(id, _) = self.table().shallow(&bt) {
            let type_name = self.t.adts.get(id as usize).map(|d| d.name.clone()).unwrap_or_default();
            candidates.extend(self.res.methods.keys().filter(|(t, _)| *t == type_name).map(|(_, m)| m.clone()));
        }
        let mut d = Diagnostic::error(
            codes::UNKNOWN_METHOD,
            format!("no method `{}` for `{shown}`", name.name),
            name.span,
            "unknown method",
        );
        if let Some(best) = crate::resolve::suggest::closest(&name.name, candidates.iter().map(|s| s.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        Some(self.error(d))
    }

    /// `h.run(x)` where `run` is a struct field holding a function (and not a method):
    /// call the stored function.
    fn call_fn_field(&mut self, call: &Expr, bt: &Ty, name: &Ident, args: &[Expr]) -> Option<Ty> {
        let Ty::Adt(id, targs) = self.table().shallow(bt) else { return None };
        let (slot, fty) = {
            let (slot, f) = self.t.adts.get(id as usize)?.field(&name.name)?;
            (slot, f.ty.clone())
        };
        let fty = self.instantiate_in(id, &targs, &fty);
        if !matches!(self.table().shallow(&fty), Ty::Func(..)) {
            return None;
        }
        self.record_call_target(call.id, CallTarget::FieldCall(slot as u32));
        let arg_types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        Some(self.apply(&fty, &arg_types, args, call.span, name.span))
    }

    /// `first`: the receiver's type when it was already inferred (method-call syntax).
    fn builtin(&mut self, b: Builtin, args: &[&Expr], first: Option<Ty>, span: Span) -> Ty {
        let skip = usize::from(first.is_some());
        let mut types: Vec<Ty> = first.into_iter().collect();
        types.extend(args.iter().skip(skip).map(|a| self.expr(a)));
        if let Some((params, ret)) = super::internal::signature(b) {
            if params.len() != types.len() {
                return self.arity_error(params.len(), types.len(), span, span);
            }
            self.expect_args(&params, &types, args);
            return ret;
        }
        let arity_ok = |min: usize, max: usize| types.len() >= min && types.len() <= max;
        let (min, max) = builtin_arity(b);
        if !arity_ok(min, max) {
            return self.arity_error(min, types.len(), span, span);
        }
        let arg = |i: usize| (types[i].clone(), args[i].span);
        match b {
            Builtin::Print => {
                for (t, a) in types.iter().zip(args) {
                    self.reject_void(t, a);
                }
                Ty::Void
            }
            Builtin::Len => {
                let (t, s) = arg(0);
                self.require(&t, ClassSet::of(Class::Sized), s);
                Ty::I32
            }
            Builtin::Push => {
                let elem = self.array_arg(arg(0));
                let (v, s) = arg(1);
                self.expect(&elem, &v, s);
                Ty::Void
            }
            Builtin::Pop => self.array_arg(arg(0)),
            Builtin::Insert => {
                let elem = self.array_arg(arg(0));
                self.int_arg(arg(1));
                let (v, s) = arg(2);
                self.expect(&elem, &v, s);
                Ty::Void
            }
            Builtin::Remove => {
                let elem = self.array_arg(arg(0));
                self.int_arg(arg(1));
                elem
            }
            Builtin::Sorted | Builtin::Sort => {
                let (t, s) = arg(0);
                let elem = self.array_arg((t.clone(), s));
                self.require(&elem, ClassSet::of(Class::Comparable), s);
                if b == Builtin::Sorted {
                    t
                } else {
                    Ty::Void
                }
            }
            Builtin::Reverse => {
                self.array_arg(arg(0));
                Ty::Void
            }
            Builtin::Contains => {
                let (t, s) = arg(0);
                let (v, vs) = arg(1);
                if self.table().shallow(&t) == Ty::Str {
                    self.expect(&Ty::Str, &v, vs);
                } else if let Ty::Map(k, _) = self.table().shallow(&t) {
                    self.expect(&k, &v, vs);
                } else {
                    let elem = self.array_arg((t, s));
                    self.expect(&elem, &v, vs);
                    self.require(&elem, ClassSet::of(Class::Equatable), vs);
                }
                Ty::Bool
            }
            Builtin::Range => {
                let first = types[0].clone();
                self.require(&first, ClassSet::of(Class::Integer), args[0].span);
                for i in 1..types.len() {
                    let (t, s) = arg(i);
                    self.expect(&first, &t, s);
                }
                Ty::Range(Box::new(first))
            }
            Builtin::Min | Builtin::Max | Builtin::Abs => {
                let (t, s) = arg(0);
                self.require(&t, ClassSet::of(Class::Numeric), s);
                if types.len() > 1 {
                    let (u, us) = arg(1);
                    self.expect(&t, &u, us);
                }
                t
            }
            Builtin::Input => {
                if !types.is_empty() {
                    let (t, s) = arg(0);
                    self.expect(&Ty::Str, &t, s);
                }
                Ty::Str
            }
            Builtin::Int | Builtin::Float => {
                let (t, s) = arg(0);
                self.require(&t, ClassSet::of(Class::Convertible), s);
                if b == Builtin::Int {
                    Ty::I32
                } else {
                    Ty::F64
                }
            }
            Builtin::TypeOf => Ty::Str,
            Builtin::IsType => {
                let (t, s) = arg(1);
                self.expect(&Ty::Str, &t, s);
                Ty::Bool
            }
            Builtin::Timestamp => Ty::F64,
            Builtin::Assert => {
                let (t, s) = arg(0);
                self.expect(&Ty::Bool, &t, s);
                Ty::Void
            }
            Builtin::AssertEq => {
                self.expect_args(&[Ty::Str], &types[..1], args);
                let (a, _) = arg(1);
                let (e, es) = arg(2);
                self.expect(&a, &e, es);
                self.require(&a, ClassSet::of(Class::Equatable), es);
                Ty::Bool
            }
            Builtin::Panic => {
                self.expect_args(&[Ty::Str], &types, args);
                self.fresh()
            }
            Builtin::StartsWith | Builtin::EndsWith => {
                self.expect_args(&[Ty::Str, Ty::Str], &types, args);
                Ty::Bool
            }
            Builtin::Split => {
                self.expect_args(&[Ty::Str, Ty::Str], &types, args);
                Ty::array(Ty::Str)
            }
            Builtin::Join => {
                self.expect_args(&[Ty::array(Ty::Str), Ty::Str], &types, args);
                Ty::Str
            }
            Builtin::Trim | Builtin::ToUpper | Builtin::ToLower => {
                self.expect_args(&[Ty::Str], &types, args);
                Ty::Str
            }
            Builtin::Replace => {
                self.expect_args(&[Ty::Str, Ty::Str, Ty::Str], &types, args);
                Ty::Str
            }
            Builtin::Repeat => {
                self.expect_args(&[Ty::Str, Ty::I32], &types, args);
                Ty::Str
            }
            Builtin::Chars => {
                self.expect_args(&[Ty::Str], &types, args);
                Ty::array(Ty::Str)
            }
            Builtin::Find => {
                self.expect_args(&[Ty::Str, Ty::Str], &types, args);
                Ty::Adt(OPTION, vec![Ty::I32])
            }
            Builtin::SomeVariant | Builtin::NoneVariant | Builtin::OkVariant | Builtin::ErrVariant => Ty::Unknown,
            _ => Ty::Unknown, // the internal ones, typed above
        }
    }

    fn expect_args(&mut self, want: &[Ty], got: &[Ty], args: &[&Expr]) {
        for ((w, g), a) in want.iter().zip(got).zip(args) {
            self.expect(w, g, a.span);
        }
    }

    /// The element type of an argument that must be an array.
    fn array_arg(&mut self, (t, span): (Ty, Span)) -> Ty {
        if let Ty::Array(e) = self.table().shallow(&t) {
            return *e;
        }
        let elem = self.fresh();
        self.expect(&Ty::array(elem.clone()), &t, span);
        elem
    }

    fn int_arg(&mut self, (t, span): (Ty, Span)) {
        self.require(&t, ClassSet::of(Class::Integer), span);
    }
}

/// Minimum and maximum argument counts (receiver included).
fn builtin_arity(b: Builtin) -> (usize, usize) {
    match b {
        Builtin::Print => (0, usize::MAX),
        Builtin::Input => (0, 1),
        Builtin::Timestamp => (0, 0),
        Builtin::Range => (1, 3),
        Builtin::Len | Builtin::Pop | Builtin::Sorted | Builtin::Sort | Builtin::Reverse => (1, 1),
        Builtin::Abs | Builtin::Int | Builtin::Float | Builtin::TypeOf | Builtin::Assert | Builtin::Panic => (1, 1),
        Builtin::Trim | Builtin::ToUpper | Builtin::ToLower | Builtin::Chars => (1, 1),
        Builtin::Push | Builtin::Remove | Builtin::Contains | Builtin::Min | Builtin::Max | Builtin::IsType => (2, 2),
        Builtin::StartsWith | Builtin::EndsWith | Builtin::Split | Builtin::Join | Builtin::Repeat => (2, 2),
        Builtin::Find => (2, 2),
        Builtin::Insert | Builtin::AssertEq | Builtin::Replace => (3, 3),
        Builtin::SomeVariant | Builtin::NoneVariant | Builtin::OkVariant | Builtin::ErrVariant => (0, usize::MAX),
        _ => super::internal::signature(b).map(|(p, _)| (p.len(), p.len())).unwrap_or((0, 0)),
    }
}
