//! Typing of struct and enum expressions: struct literals (with defaults), field access,
//! variant construction (`Shape.Circle(1.0)`, `Some(x)`, `None`), methods and associated
//! functions (`p.translate(1, 2)`, `Point.origin()`), and the prelude methods of
//! `Option` and `Result`.

use super::adt::{AdtKind, OPTION, RESULT};
use super::infer::Infer;
use super::ty::Ty;
use super::CallTarget;
use crate::diag::{codes, Diagnostic};
use crate::resolve::{suggest, Res};
use crate::syntax::ast::*;

impl<'a> Infer<'a> {
    /// The ADT named by `e` when `e` is a bare type name (`Shape` in `Shape.Circle`).
    pub(super) fn type_named(&self, e: &Expr) -> Option<u32> {
        match &e.kind {
            ExprKind::Name(n) if matches!(self.res.names.get(&e.id), None | Some(Res::Error)) => {
                self.t.adt_ids.get(&n.name).copied()
            }
            _ => None,
        }
    }

    pub(super) fn field(&mut self, e: &Expr, base: &Expr, name: &Ident) -> Ty {
        if let Some(adt) = self.type_named(base) {
            return match self.t.adts[adt as usize].variant(&name.name) {
                Some((tag, v)) if v.fields.is_empty() => self.variant_value(e.id, adt, tag as u32, &[]),
                Some(_) => self.error(Diagnostic::error(
                    codes::PAYLOAD_ARITY,
                    format!("variant `{}` needs its payload", name.name),
                    e.span,
                    "call it with its values, e.g. `Type.Variant(x)`",
                )),
                None => {
                    let type_name = self.t.adts[adt as usize].name.clone();
                    match self.res.methods.get(&(type_name, name.name.clone())).copied() {
                        Some(f) => {
                            self.t.method_values.insert(e.id, f);
                            self.function_ref(e.id, f)
                        }
                        None => self.unknown_variant(adt, name),
                    }
                }
            };
        }
        let bt = self.expr(base);
        match (self.t.table.shallow(&bt), name.name.as_str()) {
            (Ty::Error, "message" | "code") => Ty::Str,
            (Ty::Unknown, _) => Ty::Unknown,
            (Ty::Adt(id, args), _) => match self.t.adts[id as usize].field(&name.name) {
                Some((slot, f)) => {
                    let fty = f.ty.clone();
                    self.t.field_slots.insert(e.id, slot as u32);
                    self.instantiate_in(id, &args, &fty)
                }
                None => self.unknown_field(id, name),
            },
            (Ty::Var(_), _) => self.error(
                Diagnostic::error(
                    codes::CANNOT_INFER,
                    format!("cannot tell which type has the field `{}`", name.name),
                    base.span,
                    "the type of this value is not known here",
                )
                .with_help("annotate the parameter or binding with its struct type"),
            ),
            (other, _) => {
                let shown = self.t.table.display(&other);
                self.error(Diagnostic::error(
                    codes::UNKNOWN_FIELD,
                    format!("no field `{}` on type `{shown}`", name.name),
                    name.span,
                    "unknown field",
                ))
            }
        }
    }

    fn unknown_field(&mut self, adt: u32, name: &Ident) -> Ty {
        let def = &self.t.adts[adt as usize];
        let names: Vec<String> = match &def.kind {
            AdtKind::Struct(fs) => fs.iter().map(|f| f.name.clone()).collect(),
            AdtKind::Enum(_) => Vec::new(),
        };
        let mut d = Diagnostic::error(
            codes::UNKNOWN_FIELD,
            format!("no field `{}` on type `{}`", name.name, def.name),
            name.span,
            "unknown field",
        );
        if let Some(best) = suggest::closest(&name.name, names.iter().map(|s| s.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        } else if !names.is_empty() {
            d = d.with_note(format!("the fields of `{}` are: {}", def.name, names.join(", ")));
        }
        self.error(d)
    }

    pub(super) fn unknown_variant(&mut self, adt: u32, name: &Ident) -> Ty {
        let def = &self.t.adts[adt as usize];
        let names: Vec<String> = match &def.kind {
            AdtKind::Enum(vs) => vs.iter().map(|v| v.name.clone()).collect(),
            AdtKind::Struct(_) => Vec::new(),
        };
        let methods: Vec<String> =
            self.res.methods.keys().filter(|(t, _)| *t == def.name).map(|(_, m)| m.clone()).collect();
        let mut d = Diagnostic::error(
            codes::UNKNOWN_VARIANT,
            format!("`{}` has no variant or associated function `{}`", def.name, name.name),
            name.span,
            "not found",
        );
        if let Some(best) = suggest::closest(&name.name, names.iter().chain(methods.iter()).map(|s| s.as_str())) {
            d = d.with_help(format!("did you mean `{best}`?"));
        }
        self.error(d)
    }

    /// Construct variant `tag` of `adt` with payload `args` at node `node`.
    pub(super) fn variant_value(&mut self, node: NodeId, adt: u32, tag: u32, args: &[&Expr]) -> Ty {
        let targs = self.fresh_args(adt);
        let Some(fields) = self.t.adts.get(adt as usize).and_then(|d| match &d.kind {
            AdtKind::Enum(vs) => vs.get(tag as usize).map(|v| v.fields.clone()),
            AdtKind::Struct(_) => None,
        }) else {
            return Ty::Unknown;
        };
        self.t.variants.insert(node, (adt, tag));
        if fields.len() != args.len() {
            let span = args.first().map(|a| a.span).unwrap_or_default();
            for a in args {
                self.expr(a);
            }
            return self.error(Diagnostic::error(
                codes::PAYLOAD_ARITY,
                format!("this variant carries {} value(s) but {} were given", fields.len(), args.len()),
                span,
                "wrong number of payload values",
            ));
        }
        for (f, a) in fields.iter().zip(args) {
            let want = self.instantiate_in(adt, &targs, f);
            let got = self.expr(a);
            self.expect(&want, &got, a.span);
        }
        Ty::Adt(adt, targs)
    }

    pub(super) fn struct_lit(&mut self, e: &Expr, path: &[Ident], type_args: &[TypeExpr], fields: &[FieldInit]) -> Ty {
        let Some(name) = path.last() else { return Ty::Unknown };
        let Some(adt) = self.t.adt_ids.get(&name.name).copied() else {
            for f in fields {
                self.expr(&f.value);
            }
            if name.name == crate::modules::ERROR_TYPE {
                return Ty::Unknown; // a failed import, already reported
            }
            return self.error(Diagnostic::error(
                codes::UNKNOWN_TYPE,
                format!("unknown struct `{}`", name.name),
                name.span,
                "no struct with this name",
            ));
        };
        let Some(Ty::Adt(_, targs)) = self.adt_type(&name.name, type_args, name.span) else { return Ty::Unknown };
        let AdtKind::Struct(defs) = self.t.adts[adt as usize].kind.clone() else {
            return self.error(Diagnostic::error(
                codes::TYPE_MISMATCH,
                format!("`{}` is an enum, not a struct", name.name),
                name.span,
                "use one of its variants",
            ));
        };
        let mut seen = Vec::new();
        for f in fields {
            let got = self.expr(&f.value);
            match defs.iter().find(|d| d.name == f.name.name) {
                Some(d) => {
                    if seen.contains(&f.name.name) {
                        self.error(Diagnostic::error(
                            codes::UNKNOWN_FIELD,
                            format!("field `{}` is given twice", f.name.name),
                            f.name.span,
                            "duplicate field",
                        ));
                    }
                    seen.push(f.name.name.clone());
                    let want = self.instantiate_in(adt, &targs, &d.ty);
                    self.expect(&want, &got, f.value.span);
                }
                None => {
                    self.unknown_field(adt, &f.name);
                }
            }
        }
        let missing: Vec<&str> =
            defs.iter().filter(|d| !d.has_default && !seen.contains(&d.name)).map(|d| d.name.as_str()).collect();
        if !missing.is_empty() {
            let list = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
            self.error(
                Diagnostic::error(
                    codes::MISSING_FIELD,
                    format!("missing field(s) {list} in `{}` literal", name.name),
                    e.span,
                    format!("{list} must be given"),
                )
                .with_help("give every field that has no default value"),
            );
        }
        Ty::Adt(adt, targs)
    }

    /// Field defaults are checked against the field types once, at the declaration.
    pub(super) fn check_defaults(&mut self, d: &StructDecl) {
        let Some(adt) = self.t.adt_ids.get(&d.name.name).copied() else { return };
        let targs = self.fresh_args(adt);
        for f in &d.fields {
            let def_ty = self.t.adts[adt as usize].field(&f.name.name).map(|(_, def)| def.ty.clone());
            if let (Some(e), Some(ty)) = (&f.default, def_ty) {
                let want = self.instantiate_in(adt, &targs, &ty);
                let got = self.expr(e);
                self.expect(&want, &got, e.span);
            }
        }
    }

    /// `Type.name(args)`: a variant constructor or an associated function.
    pub(super) fn type_call(&mut self, call: &Expr, adt: u32, name: &Ident, args: &[Expr]) -> Ty {
        if let Some((tag, _)) = self.t.adts[adt as usize].variant(&name.name) {
            let refs: Vec<&Expr> = args.iter().collect();
            return self.variant_value(call.id, adt, tag as u32, &refs);
        }
        let type_name = self.t.adts[adt as usize].name.clone();
        match self.res.methods.get(&(type_name, name.name.clone())).copied() {
            Some(f) => {
                let ft = self.function_ref(call.id, f);
                self.record_call_target(call.id, CallTarget::Associated(f));
                let arg_types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
                self.apply(&ft, &arg_types, args, call.span, name.span)
            }
            None => {
                for a in args {
                    self.expr(a);
                }
                self.unknown_variant(adt, name)
            }
        }
    }

    /// `recv.name(args)` where `recv` has a struct/enum type: a user method, or a prelude
    /// method of `Option`/`Result`. `None` when the type has no such method.
    pub(super) fn adt_method(&mut self, call: &Expr, base: &Expr, bt: &Ty, name: &Ident, args: &[Expr]) -> Option<Ty> {
        let Ty::Adt(id, targs) = self.t.table.shallow(bt) else { return None };
        let type_name = self.t.adts.get(id as usize)?.name.clone();
        if let Some(f) = self.res.methods.get(&(type_name, name.name.clone())).copied() {
            let ft = self.function_ref(call.id, f);
            self.record_call_target(call.id, CallTarget::Method(f));
            if let Ty::Func(ps, _) = self.t.table.shallow(&ft) {
                // Count arguments as written, without the receiver.
                if ps.len() != args.len() + 1 {
                    for a in args {
                        self.expr(a);
                    }
                    let want = ps.len().saturating_sub(1);
                    return Some(self.error(Diagnostic::error(
                        codes::WRONG_ARITY,
                        format!("method `{}` takes {want} argument(s) but {} were supplied", name.name, args.len()),
                        call.span,
                        format!("expected {want} argument(s)"),
                    )));
                }
            }
            let mut arg_types = vec![bt.clone()];
            arg_types.extend(args.iter().map(|a| self.expr(a)));
            let mut all = vec![base.clone()];
            all.extend(args.iter().cloned());
            return Some(self.apply(&ft, &arg_types, &all, call.span, name.span));
        }
        if id == OPTION || id == RESULT {
            return self.prelude_method(call, id, &targs, name, args);
        }
        None
    }

    fn prelude_method(&mut self, call: &Expr, id: u32, targs: &[Ty], name: &Ident, args: &[Expr]) -> Option<Ty> {
        let value = targs.first().cloned().unwrap_or(Ty::Unknown);
        let arg_types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        let arity = |n: usize| arg_types.len() == n;
        let (method, ty): (&'static str, Ty) = match (id, name.name.as_str()) {
            (OPTION, "is_some") if arity(0) => ("is_some", Ty::Bool),
            (OPTION, "is_none") if arity(0) => ("is_none", Ty::Bool),
            (RESULT, "is_ok") if arity(0) => ("is_ok", Ty::Bool),
            (RESULT, "is_err") if arity(0) => ("is_err", Ty::Bool),
            (_, "unwrap") if arity(0) => ("unwrap", value),
            (_, "unwrap_or") if arity(1) => {
                self.expect(&value, &arg_types[0], args[0].span);
                ("unwrap_or", value)
            }
            (_, "map") if arity(1) => {
                let out = self.fresh();
                let f = Ty::Func(vec![value], Box::new(out.clone()));
                self.expect(&f, &arg_types[0], args[0].span);
                let mut new_args = targs.to_vec();
                if let Some(first) = new_args.first_mut() {
                    *first = out;
                }
                ("map", Ty::Adt(id, new_args))
            }
            (RESULT, "map_err") if arity(1) => {
                let err = targs.get(1).cloned().unwrap_or(Ty::Unknown);
                let out = self.fresh();
                let f = Ty::Func(vec![err], Box::new(out.clone()));
                self.expect(&f, &arg_types[0], args[0].span);
                ("map_err", Ty::Adt(id, vec![value, out]))
            }
            _ => {
                let shown = self.t.table.adt_names.get(id as usize).cloned().unwrap_or_default();
                let known = if id == OPTION {
                    "is_some, is_none, unwrap, unwrap_or, map"
                } else {
                    "is_ok, is_err, unwrap, unwrap_or, map, map_err"
                };
                return Some(
                    self.error(
                        Diagnostic::error(
                            codes::UNKNOWN_METHOD,
                            format!("no method `{}` taking {} argument(s) on `{shown}`", name.name, arg_types.len()),
                            name.span,
                            "unknown method",
                        )
                        .with_note(format!("`{shown}` has: {known}")),
                    ),
                );
            }
        };
        self.record_call_target(call.id, CallTarget::EnumMethod(method));
        Some(ty)
    }

    /// `Some(x)`, `Ok(x)`, `Err(e)` written unqualified.
    pub(super) fn prelude_constructor(&mut self, call: &Expr, adt: u32, tag: u32, args: &[Expr]) -> Ty {
        let refs: Vec<&Expr> = args.iter().collect();
        self.variant_value(call.id, adt, tag, &refs)
    }
}
