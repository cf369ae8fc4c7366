//! The inference context (`Infer`): its state, the entry point that runs the passes in
//! order, error reporting helpers shared by the other files, and source type expressions.
//! The walk itself is split over `groups.rs`, `stmts.rs` and `exprs.rs`.

use super::classes::{Class, ClassSet};
use super::ty::{Ty, TyTable, UnifyError, VarState};
use super::{FnSig, Typed};
use crate::diag::{codes, Diagnostic};
use crate::resolve::{FnId, Resolution};
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use hashbrown::{HashMap, HashSet};

/// Level of module-level bindings and top-level code; function groups infer one deeper.
pub(super) const TOP: u32 = 0;

pub(super) struct LitRecord {
    pub(super) value: u64,
    pub(super) negated: bool,
    pub(super) ty: Ty,
    pub(super) span: Span,
}

pub(super) struct CastRecord {
    pub(super) from: Ty,
    pub(super) to: Ty,
    pub(super) span: Span,
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
    pub(super) fn_ret: Vec<Ty>,
    pub(super) literals: Vec<LitRecord>,
    pub(super) casts: Vec<CastRecord>,
    pub(super) generic_scopes: Vec<HashMap<String, Ty>>,
    pub(super) generalized: HashSet<FnId>,
    pub(super) self_refs: Vec<(NodeId, FnId)>,
    pub(super) top_fns: HashMap<FnId, &'a FnDecl>,
    /// The `impl` block of each method.
    pub(super) impls: HashMap<FnId, &'a ImplDecl>,
    /// Set while checking the arguments of a call to a function of the group being
    /// inferred (its name): an infinite type there is polymorphic recursion.
    pub(super) recursive_call: Option<String>,
    /// Declarations of the embedding host, if any (`check_module_host`).
    pub(super) host: Option<&'a crate::syntax::host::HostDecls>,
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
            recursive_call: None,
            host: None,
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
        self.host_types();
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

    /// Types of the host's functions and globals, from their declared type expressions.
    fn host_types(&mut self) {
        let Some(host) = self.host else { return };
        for f in &host.fns {
            let params = f.params.iter().map(|p| self.type_expr(p)).collect();
            let ret = self.type_expr(&f.ret);
            self.t.host_fn_types.push(Ty::Func(params, Box::new(ret)));
        }
        for (g, b) in host.globals.iter().zip(&self.res.host_globals) {
            self.t.binding_types[*b as usize] = self.type_expr(&g.ty);
        }
    }

    // ---- reporting helpers ----

    /// Unify `found` into `expected`, reporting a mismatch at `span`. Returns success.
    pub(super) fn expect(&mut self, expected: &Ty, found: &Ty, span: Span) -> bool {
        // Fast path: the same scalar type on both sides (most checks) needs no unification
        // and, above all, no display strings for a message that will not be written.
        if same_scalar(self.t.table.resolve(expected), self.t.table.resolve(found)) {
            return true;
        }
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
                let d = match &self.recursive_call {
                    // A generic function calling itself at a type built from its own type
                    // parameter: monomorphization would never end.
                    Some(name) => Diagnostic::error(
                        codes::POLYMORPHIC_RECURSION,
                        format!("polymorphic recursion: `{name}` calls itself at a growing type"),
                        span,
                        format!("this argument's type `{got}` contains the type it must equal"),
                    )
                    .with_note("each instantiation of a generic function is compiled separately, so this would need infinitely many")
                    .with_help("make the recursive call at the same type, or use a non-generic helper"),
                    None => Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        "infinite type",
                        span,
                        format!("`{got}` would have to contain itself"),
                    ),
                };
                self.diags.push(d);
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

    pub(super) fn is_literal_var(&self, t: &Ty) -> bool {
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
                    // A type path the module linker already reported.
                    crate::modules::ERROR_TYPE => return Ty::Unknown,
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

/// Both sides are the same type without parts (no variables, nothing to unify).
fn same_scalar(a: &Ty, b: &Ty) -> bool {
    use Ty::*;
    matches!(
        (a, b),
        (Void, Void)
            | (Bool, Bool)
            | (I32, I32)
            | (I64, I64)
            | (U32, U32)
            | (U64, U64)
            | (F64, F64)
            | (Str, Str)
            | (Error, Error)
    )
}
