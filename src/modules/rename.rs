//! Rewrites one unit's AST against its imports: type names become their qualified names
//! (`Point` → `geometry.Point`), and `ns.member` through a module namespace becomes a single
//! name (`ns.member`, bound by the unit's value imports) or a qualified type name. Unknown
//! and private members are reported here, with the expression replaced by `Error` so that
//! later stages stay quiet about it.

use hashbrown::HashMap;

use super::exports::{Exports, Kind};
use crate::diag::{codes, Diagnostic};
use crate::resolve::suggest::closest;
use crate::syntax::ast::*;
use crate::syntax::span::Span;

/// A type name that later stages accept as "already reported" (an unknown type).
pub const ERROR_TYPE: &str = "{error}";

/// Prefix of a type-map entry for a name two glob imports bring from different modules;
/// the rest names both (`geometry.Point and shapes.Point`).
pub const AMBIGUOUS_TYPE: &str = "{ambiguous}";

/// A module bound to a name by `use a.b` / `use a.b as m`.
pub struct Namespace {
    /// The module's full name, for messages.
    pub module: String,
    pub exports: Exports,
    /// Its public types: name → qualified name.
    pub types: HashMap<String, String>,
    /// The module was not found (already reported): every member is a quiet error.
    pub broken: bool,
}

enum Member {
    Type(String),
    Value,
    Missing,
}

pub struct Renamer<'a> {
    types: &'a HashMap<String, String>,
    namespaces: &'a HashMap<String, Namespace>,
    /// Generic parameters in scope: they shadow type names.
    generics: Vec<String>,
    diags: &'a mut Vec<Diagnostic>,
}

pub fn private_name(module: &str, name: &Ident, decl: Span) -> Diagnostic {
    Diagnostic::error(
        codes::PRIVATE_NAME,
        format!("`{}` is private to module `{module}`", name.name),
        name.span,
        "not visible outside its module",
    )
    .with_label(decl, "declared here without `pub`")
    .with_help(format!("mark it `pub` in `{module}` if it is meant to be used elsewhere"))
}

pub fn unknown_member(module: &str, name: &Ident, exports: &Exports) -> Diagnostic {
    let mut d = Diagnostic::error(
        codes::UNKNOWN_MODULE_NAME,
        format!("module `{module}` has no `{}`", name.name),
        name.span,
        "not declared in that module",
    );
    if let Some(best) = closest(&name.name, exports.public(None).into_iter()) {
        d = d.with_help(format!("did you mean `{best}`?"));
    }
    d
}

impl<'a> Renamer<'a> {
    pub fn new(
        types: &'a HashMap<String, String>,
        namespaces: &'a HashMap<String, Namespace>,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Renamer<'a> {
        Renamer { types, namespaces, generics: Vec::new(), diags }
    }

    fn type_name(&self, name: &str) -> Option<&'a String> {
        if self.generics.iter().any(|g| g == name) {
            return None;
        }
        self.types.get(name)
    }

    fn rename(&mut self, id: &mut Ident) {
        let Some(q) = self.type_name(&id.name) else { return };
        if let Some(both) = q.strip_prefix(AMBIGUOUS_TYPE) {
            let d = Diagnostic::error(
                codes::DUPLICATE_DEFINITION,
                format!("`{}` is ambiguous", id.name),
                id.span,
                format!("both {both} are imported with `*`"),
            )
            .with_help("import the one you mean by name (`use module: Name`), or use a namespace");
            self.diags.push(d);
            id.name = ERROR_TYPE.to_string();
            return;
        }
        id.name = q.clone();
    }

    /// `ns.member`: what it names, reporting private and unknown members.
    fn member(&mut self, ns: &str, member: &Ident) -> Member {
        let Some(n) = self.namespaces.get(ns) else { return Member::Missing };
        if n.broken {
            return Member::Missing;
        }
        match n.exports.names.get(&member.name) {
            Some(e) if e.public && e.kind == Kind::Type => {
                Member::Type(n.types.get(&member.name).cloned().unwrap_or_else(|| member.name.clone()))
            }
            Some(e) if e.public => Member::Value,
            Some(e) => {
                let d = private_name(&n.module, member, e.span);
                self.diags.push(d);
                Member::Missing
            }
            None => {
                let d = unknown_member(&n.module, member, &n.exports);
                self.diags.push(d);
                Member::Missing
            }
        }
    }

    fn is_namespace(&self, name: &str) -> bool {
        self.namespaces.contains_key(name) && self.type_name(name).is_none()
    }

    /// A type path `[T]` or `[ns, T]` (a struct literal's or a type annotation's).
    fn type_path(&mut self, path: &mut Vec<Ident>) {
        match path.as_mut_slice() {
            [one] => self.rename(one),
            [ns, t] if self.is_namespace(&ns.name) => {
                let span = ns.span.to(t.span);
                let name = match self.member(&ns.name.clone(), &t.clone()) {
                    Member::Type(q) => q,
                    Member::Value => {
                        let d = Diagnostic::error(
                            codes::UNKNOWN_TYPE,
                            format!("`{}.{}` is not a type", ns.name, t.name),
                            span,
                            "a function or constant, not a type",
                        );
                        self.diags.push(d);
                        ERROR_TYPE.to_string()
                    }
                    Member::Missing => ERROR_TYPE.to_string(),
                };
                *path = vec![Ident { name, span }];
            }
            _ => {}
        }
    }

    fn with_generics(&mut self, generics: &[GenericParam], f: impl FnOnce(&mut Self)) {
        let n = self.generics.len();
        self.generics.extend(generics.iter().map(|g| g.name.name.clone()));
        f(self);
        self.generics.truncate(n);
    }

    pub fn stmt(&mut self, s: &mut Stmt) {
        match &mut s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Decl { ty, value, .. } | StmtKind::Const { ty, value, .. } => {
                if let Some(t) = ty {
                    self.ty(t);
                }
                self.expr(value);
            }
            StmtKind::Assign { targets, value } => {
                targets.iter_mut().for_each(|t| self.expr(t));
                self.expr(value);
            }
            StmtKind::CompoundAssign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::While { cond, body, .. } => {
                self.expr(cond);
                self.block(body);
            }
            StmtKind::For { iter, body, .. } => {
                self.expr(iter);
                self.block(body);
            }
            StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::Try { body, handler, .. } => {
                self.block(body);
                self.block(handler);
            }
            StmtKind::Fn(f) => self.fn_decl(f),
            StmtKind::Struct(d) => {
                self.rename(&mut d.name);
                self.with_generics(&d.generics, |r| {
                    for f in &mut d.fields {
                        r.ty(&mut f.ty);
                        if let Some(e) = &mut f.default {
                            r.expr(e);
                        }
                    }
                });
            }
            StmtKind::Enum(d) => {
                self.rename(&mut d.name);
                self.with_generics(&d.generics, |r| {
                    for v in &mut d.variants {
                        v.fields.iter_mut().for_each(|f| r.ty(&mut f.ty));
                    }
                });
            }
            StmtKind::Impl(imp) => self.with_generics(&imp.generics, |r| {
                r.ty(&mut imp.target);
                imp.methods.iter_mut().for_each(|m| r.fn_decl(m));
            }),
            StmtKind::Return(None)
            | StmtKind::Break { .. }
            | StmtKind::Continue { .. }
            | StmtKind::Pass
            | StmtKind::Use(_)
            | StmtKind::Error => {}
        }
    }

    fn block(&mut self, b: &mut Block) {
        b.stmts.iter_mut().for_each(|s| self.stmt(s));
    }

    fn fn_decl(&mut self, f: &mut FnDecl) {
        self.with_generics(&f.generics, |r| {
            for p in &mut f.params {
                if let Some(t) = &mut p.ty {
                    r.ty(t);
                }
            }
            if let Some(t) = &mut f.ret {
                r.ty(t);
            }
            r.block(&mut f.body);
        });
    }

    fn ty(&mut self, t: &mut TypeExpr) {
        match &mut t.kind {
            TypeExprKind::Named { path, args } => {
                self.type_path(path);
                args.iter_mut().for_each(|a| self.ty(a));
            }
            TypeExprKind::Array { elem, .. } => self.ty(elem),
            TypeExprKind::Func { params, ret } => {
                params.iter_mut().for_each(|p| self.ty(p));
                if let Some(r) = ret {
                    self.ty(r);
                }
            }
        }
    }

    fn pattern(&mut self, p: &mut Pattern) {
        match &mut p.kind {
            PatternKind::Variant { path, args } => {
                match path.as_mut_slice() {
                    [t, _] => self.rename(t),
                    [ns, t, v] if self.is_namespace(&ns.name) => {
                        let span = ns.span.to(t.span);
                        let name = match self.member(&ns.name.clone(), &t.clone()) {
                            Member::Type(q) => q,
                            _ => ERROR_TYPE.to_string(),
                        };
                        *path = vec![Ident { name, span }, v.clone()];
                    }
                    _ => {}
                }
                if let Some(args) = args {
                    args.iter_mut().for_each(|a| self.pattern(a));
                }
            }
            PatternKind::Or(ps) => ps.iter_mut().for_each(|a| self.pattern(a)),
            _ => {}
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        if let ExprKind::Field { base, name } = &e.kind {
            if let ExprKind::Name(ns) = &base.kind {
                if self.is_namespace(&ns.name) {
                    let (ns, member) = (ns.name.clone(), name.clone());
                    e.kind = match self.member(&ns, &member) {
                        Member::Type(q) => ExprKind::Name(Ident { name: q, span: e.span }),
                        Member::Value => ExprKind::Name(Ident { name: format!("{ns}.{}", member.name), span: e.span }),
                        Member::Missing => ExprKind::Error,
                    };
                    return;
                }
            }
        }
        match &mut e.kind {
            ExprKind::Name(n) => self.rename(n),
            ExprKind::Int { .. } | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Error => {}
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Cond { cond, then, otherwise } => {
                self.expr(cond);
                self.expr(then);
                self.expr(otherwise);
            }
            ExprKind::Call { callee, type_args, args } => {
                self.expr(callee);
                type_args.iter_mut().for_each(|t| self.ty(t));
                args.iter_mut().for_each(|a| self.expr(a));
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.expr(index);
            }
            ExprKind::Slice { base, start, end } => {
                self.expr(base);
                start.iter_mut().chain(end.iter_mut()).for_each(|x| self.expr(x));
            }
            ExprKind::Field { base, .. } => self.expr(base),
            ExprKind::StructLit { path, type_args, fields } => {
                self.type_path(path);
                type_args.iter_mut().for_each(|t| self.ty(t));
                fields.iter_mut().for_each(|f| self.expr(&mut f.value));
            }
            ExprKind::Array(items) => items.iter_mut().for_each(|x| self.expr(x)),
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
            ExprKind::Lambda(f) => self.fn_decl(f),
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
                    self.pattern(&mut arm.pattern);
                    if let Some(g) = &mut arm.guard {
                        self.expr(g);
                    }
                    self.block(&mut arm.body);
                }
            }
            ExprKind::Matches { value, pattern } => {
                self.expr(value);
                self.pattern(pattern);
            }
            ExprKind::Cast { value, ty } => {
                self.expr(value);
                self.ty(ty);
            }
        }
    }
}
