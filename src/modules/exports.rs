//! The top-level names a module declares, with their kind and visibility, read from its AST
//! before anything is resolved: what `use m: x`, `use m: *` and `m.x` may refer to.

use hashbrown::HashMap;

use crate::syntax::ast::*;
use crate::syntax::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A function or constant (or a module-level binding, which is never public).
    Value,
    /// A struct or enum.
    Type,
}

#[derive(Clone, Copy, Debug)]
pub struct Export {
    pub kind: Kind,
    pub public: bool,
    pub span: Span,
}

#[derive(Clone, Default, Debug)]
pub struct Exports {
    pub names: HashMap<String, Export>,
}

impl Exports {
    pub fn of(stmts: &[Stmt]) -> Exports {
        let mut names = HashMap::new();
        let mut add = |name: &Ident, kind, public| {
            names.entry(name.name.clone()).or_insert(Export { kind, public, span: name.span });
        };
        for s in stmts {
            match &s.kind {
                StmtKind::Fn(f) => add(&f.name, Kind::Value, f.public),
                StmtKind::Const { public, name, .. } => add(name, Kind::Value, *public),
                StmtKind::Struct(d) => add(&d.name, Kind::Type, d.public),
                StmtKind::Enum(d) => add(&d.name, Kind::Type, d.public),
                StmtKind::Decl { name, .. } => add(name, Kind::Value, false),
                StmtKind::Assign { targets, .. } => {
                    for t in targets {
                        if let ExprKind::Name(n) = &t.kind {
                            add(n, Kind::Value, false);
                        }
                    }
                }
                _ => {}
            }
        }
        Exports { names }
    }

    /// Public names of one kind, sorted (for globs and suggestions).
    pub fn public(&self, kind: Option<Kind>) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .names
            .iter()
            .filter(|(_, e)| e.public && kind.is_none_or(|k| e.kind == k))
            .map(|(n, _)| n.as_str())
            .collect();
        v.sort_unstable();
        v
    }
}
