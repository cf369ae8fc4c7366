//! Structs and enums ("algebraic data types"): their definitions as the checker sees them
//! (generic parameters as placeholder variables, field and payload types written in terms
//! of them), the prelude's `Option` and `Result`, and instantiation at type arguments.

use super::classes::ClassSet;
use super::infer::{substitute, Infer};
use super::ty::{TvId, Ty};
use crate::diag::{codes, Diagnostic};
use crate::syntax::ast::*;
use hashbrown::HashMap;

pub const OPTION: u32 = 0;
pub const RESULT: u32 = 1;

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    pub has_default: bool,
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    pub fields: Vec<Ty>,
}

#[derive(Clone, Debug)]
pub enum AdtKind {
    Struct(Vec<FieldDef>),
    Enum(Vec<VariantDef>),
}

#[derive(Clone, Debug)]
pub struct AdtDef {
    pub name: String,
    /// Placeholder variables of `<T, ...>`; never unified, only substituted.
    pub params: Vec<TvId>,
    /// The constraint classes declared on each parameter (`<T: Comparable>`).
    pub param_classes: Vec<ClassSet>,
    pub kind: AdtKind,
}

impl AdtDef {
    pub fn variant(&self, name: &str) -> Option<(usize, &VariantDef)> {
        match &self.kind {
            AdtKind::Enum(vs) => vs.iter().enumerate().find(|(_, v)| v.name == name),
            AdtKind::Struct(_) => None,
        }
    }

    pub fn field(&self, name: &str) -> Option<(usize, &FieldDef)> {
        match &self.kind {
            AdtKind::Struct(fs) => fs.iter().enumerate().find(|(_, f)| f.name == name),
            AdtKind::Enum(_) => None,
        }
    }

    /// Substitution from this definition's parameters to `args`.
    pub fn subst(&self, args: &[Ty]) -> HashMap<TvId, Ty> {
        self.params.iter().copied().zip(args.iter().cloned()).collect()
    }
}

impl<'a> Infer<'a> {
    /// Register `Option`, `Result` and every struct and enum of the module, then fill in
    /// their field types (which may refer to each other, so names come first).
    pub(super) fn collect_adts(&mut self, stmts: &'a [Stmt]) {
        self.prelude_adts();
        let mut decls = Vec::new();
        for s in stmts {
            let (name, generics) = match &s.kind {
                StmtKind::Struct(d) => (&d.name, &d.generics),
                StmtKind::Enum(d) => (&d.name, &d.generics),
                _ => continue,
            };
            if self.t.adt_ids.get(&name.name).is_some_and(|id| *id > RESULT) {
                self.error(Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    format!("the type `{}` is defined twice", name.name),
                    name.span,
                    "second definition",
                ));
                continue;
            }
            let params: Vec<TvId> = generics.iter().map(|_| self.placeholder()).collect();
            let param_classes = generics.iter().map(|g| self.bound_classes(g)).collect();
            let id = self.t.adts.len() as u32;
            self.t.adts.push(AdtDef {
                name: name.name.clone(),
                params,
                param_classes,
                kind: AdtKind::Struct(Vec::new()),
            });
            self.t.table.adt_names.push(name.name.clone());
            self.t.adt_ids.insert(name.name.clone(), id);
            decls.push((id, s));
        }
        for (id, s) in decls {
            let def = self.t.adts[id as usize].clone();
            let scope: HashMap<String, Ty> = match &s.kind {
                StmtKind::Struct(d) => generic_scope(&d.generics, &def.params),
                StmtKind::Enum(d) => generic_scope(&d.generics, &def.params),
                _ => HashMap::new(),
            };
            self.push_generic_scope(scope);
            let kind = match &s.kind {
                StmtKind::Struct(d) => AdtKind::Struct(
                    d.fields
                        .iter()
                        .map(|f| FieldDef {
                            name: f.name.name.clone(),
                            ty: self.type_expr(&f.ty),
                            has_default: f.default.is_some(),
                        })
                        .collect(),
                ),
                StmtKind::Enum(d) => AdtKind::Enum(
                    d.variants
                        .iter()
                        .map(|v| VariantDef {
                            name: v.name.name.clone(),
                            fields: v.fields.iter().map(|f| self.type_expr(&f.ty)).collect(),
                        })
                        .collect(),
                ),
                _ => continue,
            };
            self.pop_generic_scope();
            self.report_duplicate_members(s);
            self.t.adts[id as usize].kind = kind;
        }
    }

    /// Two fields of one struct, or two variants of one enum, with the same name.
    fn report_duplicate_members(&mut self, s: &Stmt) {
        let names: Vec<&Ident> = match &s.kind {
            StmtKind::Struct(d) => d.fields.iter().map(|f| &f.name).collect(),
            StmtKind::Enum(d) => d.variants.iter().map(|v| &v.name).collect(),
            _ => Vec::new(),
        };
        for (i, n) in names.iter().enumerate() {
            if let Some(first) = names[..i].iter().find(|m| m.name == n.name) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    format!("`{}` is declared twice", n.name),
                    n.span,
                    "second declaration",
                )
                .with_label(first.span, "first declared here");
                self.error(d);
            }
        }
    }

    fn placeholder(&mut self) -> TvId {
        match self.t.table.fresh(u32::MAX, ClassSet::default()) {
            Ty::Var(v) => v,
            _ => 0,
        }
    }

    fn prelude_adts(&mut self) {
        let t = self.placeholder();
        let (ok, err) = (self.placeholder(), self.placeholder());
        let option = AdtDef {
            name: "Option".into(),
            params: vec![t],
            param_classes: Vec::new(),
            kind: AdtKind::Enum(vec![
                VariantDef { name: "Some".into(), fields: vec![Ty::Var(t)] },
                VariantDef { name: "None".into(), fields: vec![] },
            ]),
        };
        let result = AdtDef {
            name: "Result".into(),
            params: vec![ok, err],
            param_classes: Vec::new(),
            kind: AdtKind::Enum(vec![
                VariantDef { name: "Ok".into(), fields: vec![Ty::Var(ok)] },
                VariantDef { name: "Err".into(), fields: vec![Ty::Var(err)] },
            ]),
        };
        let (option, result) = (
            AdtDef { param_classes: vec![ClassSet::default()], ..option },
            AdtDef { param_classes: vec![ClassSet::default(); 2], ..result },
        );
        for def in [option, result] {
            self.t.adt_ids.insert(def.name.clone(), self.t.adts.len() as u32);
            self.t.table.adt_names.push(def.name.clone());
            self.t.adts.push(def);
        }
    }

    /// Fresh type arguments for a use of ADT `id`.
    pub(super) fn fresh_args(&mut self, id: u32) -> Vec<Ty> {
        let classes = self.t.adts.get(id as usize).map(|d| d.param_classes.clone()).unwrap_or_default();
        let level = self.level;
        classes.into_iter().map(|c| self.t.table.fresh(level, c)).collect()
    }

    /// `ty` (written in terms of ADT `id`'s parameters) at type arguments `args`.
    pub(super) fn instantiate_in(&self, id: u32, args: &[Ty], ty: &Ty) -> Ty {
        match self.t.adts.get(id as usize) {
            Some(def) => substitute(&self.t.table, ty, &def.subst(args)),
            None => Ty::Unknown,
        }
    }

    /// A named type with arguments written in the source: `Point`, `Pair<i32, string>`.
    pub(super) fn adt_type(&mut self, name: &str, args: &[TypeExpr], span: crate::syntax::span::Span) -> Option<Ty> {
        let id = *self.t.adt_ids.get(name)?;
        let want = self.t.adts[id as usize].params.len();
        let tys: Vec<Ty> = args.iter().map(|a| self.type_expr(a)).collect();
        if tys.len() != want {
            if !tys.is_empty() {
                self.error(Diagnostic::error(
                    codes::TYPE_ARG_COUNT,
                    format!("`{name}` takes {want} type argument(s) but {} were given", tys.len()),
                    span,
                    "wrong number of type arguments",
                ));
            }
            return Some(Ty::Adt(id, self.fresh_args(id)));
        }
        let classes = self.t.adts[id as usize].param_classes.clone();
        for (t, c) in tys.iter().zip(classes) {
            self.require(t, c, span);
        }
        Some(Ty::Adt(id, tys))
    }
}

fn generic_scope(generics: &[GenericParam], params: &[TvId]) -> HashMap<String, Ty> {
    generics.iter().zip(params).map(|(g, v)| (g.name.name.clone(), Ty::Var(*v))).collect()
}
