//! Typing of `Map<K, V>`: the type written in annotations, `Map.new()`, and the methods
//! `get`, `remove`, `keys`, `values` (indexing, `len`, `contains` and `for k in m` are
//! typed with the other overloaded forms). Keys must be `Hashable`.

use super::adt::OPTION;
use super::classes::{Class, ClassSet};
use super::infer::Infer;
use super::ty::Ty;
use super::CallTarget;
use crate::diag::{codes, Diagnostic};
use crate::syntax::ast::*;
use crate::syntax::span::Span;

impl<'a> Infer<'a> {
    /// `Map<K, V>` in an annotation.
    pub(super) fn map_type(&mut self, args: &[TypeExpr], span: Span) -> Ty {
        let tys: Vec<Ty> = args.iter().map(|a| self.type_expr(a)).collect();
        let (k, v) = match tys.as_slice() {
            [k, v] => (k.clone(), v.clone()),
            [] => (self.fresh(), self.fresh()),
            _ => {
                return self.error(Diagnostic::error(
                    codes::TYPE_ARG_COUNT,
                    format!("`Map` takes 2 type arguments but {} were given", tys.len()),
                    span,
                    "write `Map<K, V>`",
                ))
            }
        };
        self.require(&k, ClassSet::of(Class::Hashable), span);
        Ty::Map(Box::new(k), Box::new(v))
    }

    /// `Map.new()`.
    pub(super) fn map_new(&mut self, call: &Expr, name: &Ident, args: &[Expr]) -> Ty {
        if name.name != "new" || !args.is_empty() {
            for a in args {
                self.expr(a);
            }
            return self.error(
                Diagnostic::error(
                    codes::UNKNOWN_METHOD,
                    format!("`Map` has no associated function `{}` taking {} argument(s)", name.name, args.len()),
                    name.span,
                    "unknown function",
                )
                .with_help("create a map with `Map.new()`"),
            );
        }
        self.record_call_target(call.id, CallTarget::MapMethod("new"));
        let level = self.level;
        let k = self.table().fresh(level, ClassSet::of(Class::Hashable));
        Ty::Map(Box::new(k), Box::new(self.fresh()))
    }

    /// `m.get(k)`, `m.remove(k)`, `m.keys()`, `m.values()`; `None` for other names.
    pub(super) fn map_method(&mut self, call: &Expr, bt: &Ty, name: &Ident, args: &[Expr]) -> Option<Ty> {
        let Ty::Map(k, v) = self.t.table.shallow(bt) else { return None };
        let (method, want, ty): (&'static str, usize, Ty) = match name.name.as_str() {
            "get" => ("get", 1, Ty::Adt(OPTION, vec![(*v).clone()])),
            "remove" => ("remove", 1, Ty::Adt(OPTION, vec![(*v).clone()])),
            "keys" => ("keys", 0, Ty::array((*k).clone())),
            "values" => ("values", 0, Ty::array((*v).clone())),
            _ => return None,
        };
        let arg_types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        if arg_types.len() != want {
            return Some(self.error(Diagnostic::error(
                codes::WRONG_ARITY,
                format!("`{}` takes {want} argument(s) but {} were supplied", name.name, arg_types.len()),
                call.span,
                "wrong number of arguments",
            )));
        }
        if let (Some(t), Some(a)) = (arg_types.first(), args.first()) {
            self.expect(&k, t, a.span);
        }
        self.record_call_target(call.id, CallTarget::MapMethod(method));
        Some(ty)
    }
}
