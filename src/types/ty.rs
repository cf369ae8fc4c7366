//! Types and type variables. Variables live in a union-find table with levels (Rémy's
//! generalization); each unbound variable carries the constraint classes it must satisfy.
//! Unification binds variables, checks classes when a variable meets a concrete type, and
//! propagates `Equatable` into array elements.

use super::classes::{kind_of, Class, ClassSet};
use std::fmt;

pub type TvId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Ty {
    Var(TvId),
    Void,
    Bool,
    I32,
    I64,
    U32,
    U64,
    F64,
    Str,
    Array(Box<Ty>),
    Func(Vec<Ty>, Box<Ty>),
    Range(Box<Ty>),
    /// A struct or enum (user-defined or `Option`/`Result`) with its type arguments;
    /// the id indexes `Typed::adts`.
    Adt(u32, Vec<Ty>),
    /// `Map<K, V>`.
    Map(Box<Ty>, Box<Ty>),
    /// The `Error` type of `catch err`.
    Error,
    /// The type of an expression that already failed to check: unifies with everything.
    #[default]
    Unknown,
}

impl Ty {
    pub fn is_int(&self) -> bool {
        matches!(self, Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64)
    }
    pub fn is_signed_int(&self) -> bool {
        matches!(self, Ty::I32 | Ty::I64)
    }
    pub fn array(elem: Ty) -> Ty {
        Ty::Array(Box::new(elem))
    }
}

#[derive(Clone, Debug)]
pub enum VarState {
    Unbound { level: u32, classes: ClassSet, literal: bool },
    Link(Ty),
}

/// Why two types failed to unify.
#[derive(Clone, Debug)]
pub enum UnifyError {
    Mismatch,
    /// The concrete type does not satisfy the class.
    Class(Ty, Class),
    Occurs,
}

#[derive(Clone, Debug, Default)]
pub struct TyTable {
    vars: Vec<VarState>,
    /// Names of the struct and enum types, indexed by `Ty::Adt` ids (for messages).
    pub adt_names: Vec<String>,
}

impl TyTable {
    pub fn fresh(&mut self, level: u32, classes: ClassSet) -> Ty {
        self.fresh_var(level, classes, false)
    }

    pub fn fresh_var(&mut self, level: u32, classes: ClassSet, literal: bool) -> Ty {
        self.vars.push(VarState::Unbound { level, classes, literal });
        Ty::Var(self.vars.len() as TvId - 1)
    }

    pub fn var_count(&self) -> u32 {
        self.vars.len() as u32
    }

    pub fn state(&self, v: TvId) -> &VarState {
        &self.vars[v as usize]
    }

    /// Follow links at the top of `t`.
    /// `t` with variable links followed, borrowed (no clone).
    pub fn resolve<'s>(&'s self, mut t: &'s Ty) -> &'s Ty {
        while let Ty::Var(v) = t {
            match self.vars.get(*v as usize) {
                Some(VarState::Link(next)) => t = next,
                _ => return t,
            }
        }
        t
    }

    pub fn shallow(&self, t: &Ty) -> Ty {
        let mut t = t.clone();
        while let Ty::Var(v) = t {
            match &self.vars[v as usize] {
                VarState::Link(next) => t = next.clone(),
                VarState::Unbound { .. } => return t,
            }
        }
        t
    }

    /// Replace every bound variable in `t` by what it is bound to.
    pub fn zonk(&self, t: &Ty) -> Ty {
        match self.shallow(t) {
            Ty::Array(e) => Ty::Array(Box::new(self.zonk(&e))),
            Ty::Range(e) => Ty::Range(Box::new(self.zonk(&e))),
            Ty::Func(ps, r) => Ty::Func(ps.iter().map(|p| self.zonk(p)).collect(), Box::new(self.zonk(&r))),
            Ty::Adt(id, args) => Ty::Adt(id, args.iter().map(|a| self.zonk(a)).collect()),
            Ty::Map(k, v) => Ty::Map(Box::new(self.zonk(&k)), Box::new(self.zonk(&v))),
            other => other,
        }
    }

    /// Unbound variables occurring in `t`, in first-occurrence order.
    pub fn free_vars(&self, t: &Ty, out: &mut Vec<TvId>) {
        match self.shallow(t) {
            Ty::Var(v) if !out.contains(&v) => out.push(v),
            Ty::Array(e) | Ty::Range(e) => self.free_vars(&e, out),
            Ty::Func(ps, r) => {
                ps.iter().for_each(|p| self.free_vars(p, out));
                self.free_vars(&r, out);
            }
            Ty::Adt(_, args) => args.iter().for_each(|a| self.free_vars(a, out)),
            Ty::Map(k, v) => {
                self.free_vars(&k, out);
                self.free_vars(&v, out);
            }
            _ => {}
        }
    }

    pub fn bind(&mut self, v: TvId, t: Ty) {
        self.vars[v as usize] = VarState::Link(t);
    }

    /// `shallow` with path compression: every variable on the way is linked straight to
    /// the end of the chain, so repeated unification stays near-constant time.
    fn find(&mut self, t: &Ty) -> Ty {
        let end = self.shallow(t);
        let mut cur = t.clone();
        while let Ty::Var(v) = cur {
            match &self.vars[v as usize] {
                VarState::Link(next) if *next != end => {
                    let next = next.clone();
                    self.vars[v as usize] = VarState::Link(end.clone());
                    cur = next;
                }
                _ => break,
            }
        }
        end
    }

    pub fn unify(&mut self, a: &Ty, b: &Ty) -> Result<(), UnifyError> {
        let (a, b) = (self.find(a), self.find(b));
        match (&a, &b) {
            // An erroneous type absorbs the variable, so one error does not cascade.
            (Ty::Var(v), Ty::Unknown) | (Ty::Unknown, Ty::Var(v)) => {
                self.bind(*v, Ty::Unknown);
                Ok(())
            }
            (Ty::Unknown, _) | (_, Ty::Unknown) => Ok(()),
            (Ty::Var(x), Ty::Var(y)) if x == y => Ok(()),
            (Ty::Var(x), Ty::Var(y)) => self.merge_vars(*x, *y),
            (Ty::Var(v), t) | (t, Ty::Var(v)) => self.bind_var(*v, t),
            (Ty::Array(x), Ty::Array(y)) | (Ty::Range(x), Ty::Range(y)) => self.unify(x, y),
            (Ty::Func(p1, r1), Ty::Func(p2, r2)) => {
                if p1.len() != p2.len() {
                    return Err(UnifyError::Mismatch);
                }
                for (x, y) in p1.iter().zip(p2.iter()) {
                    self.unify(x, y)?;
                }
                self.unify(r1, r2)
            }
            (Ty::Map(k1, v1), Ty::Map(k2, v2)) => {
                self.unify(k1, k2)?;
                self.unify(v1, v2)
            }
            (Ty::Adt(i, xs), Ty::Adt(j, ys)) if i == j && xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys.iter()) {
                    self.unify(x, y)?;
                }
                Ok(())
            }
            _ if a == b => Ok(()),
            _ => Err(UnifyError::Mismatch),
        }
    }

    fn merge_vars(&mut self, x: TvId, y: TvId) -> Result<(), UnifyError> {
        let (
            VarState::Unbound { level: lx, classes: cx, literal: tx },
            VarState::Unbound { level: ly, classes: cy, literal: ty },
        ) = (self.vars[x as usize].clone(), self.vars[y as usize].clone())
        else {
            return Err(UnifyError::Mismatch);
        };
        let classes = cx.union(cy);
        if classes.allowed_kinds() == 0 {
            return Err(UnifyError::Mismatch);
        }
        // Link the newer variable to the older one: long-lived variables (bindings) then stay
        // representatives instead of growing chains.
        let (keep, link) = if x < y { (x, y) } else { (y, x) };
        self.vars[keep as usize] = VarState::Unbound { level: lx.min(ly), classes, literal: tx || ty };
        self.bind(link, Ty::Var(keep));
        Ok(())
    }

    fn bind_var(&mut self, v: TvId, t: &Ty) -> Result<(), UnifyError> {
        let VarState::Unbound { level, classes, .. } = self.vars[v as usize].clone() else {
            return Err(UnifyError::Mismatch);
        };
        if self.occurs(v, t) {
            return Err(UnifyError::Occurs);
        }
        self.bind(v, t.clone());
        self.adjust_levels(t, level);
        self.require(t, classes)
    }

    fn occurs(&self, v: TvId, t: &Ty) -> bool {
        let mut vars = Vec::new();
        self.free_vars(t, &mut vars);
        vars.contains(&v)
    }

    fn adjust_levels(&mut self, t: &Ty, level: u32) {
        let mut vars = Vec::new();
        self.free_vars(t, &mut vars);
        for v in vars {
            if let VarState::Unbound { level: l, .. } = &mut self.vars[v as usize] {
                *l = (*l).min(level);
            }
        }
    }

    /// Check that `t` satisfies every class in `classes` (adding them to variables).
    pub fn require(&mut self, t: &Ty, classes: ClassSet) -> Result<(), UnifyError> {
        if classes.is_empty() {
            return Ok(());
        }
        match self.shallow(t) {
            Ty::Var(v) => {
                if let VarState::Unbound { level, classes: c, literal } = self.vars[v as usize].clone() {
                    let merged = c.union(classes);
                    if merged.allowed_kinds() == 0 {
                        let class = classes.iter().next().unwrap_or(Class::Equatable);
                        return Err(UnifyError::Class(Ty::Var(v), class));
                    }
                    self.vars[v as usize] = VarState::Unbound { level, classes: merged, literal };
                }
                Ok(())
            }
            Ty::Unknown => Ok(()),
            concrete => {
                let kind = kind_of(&concrete);
                for class in classes.iter() {
                    if class.allowed_kinds() & kind == 0 {
                        return Err(UnifyError::Class(concrete, class));
                    }
                }
                if classes.contains(Class::Equatable) {
                    if let Ty::Array(e) = &concrete {
                        return self.require(e, ClassSet::of(Class::Equatable));
                    }
                }
                Ok(())
            }
        }
    }

    pub fn classes_of(&self, v: TvId) -> ClassSet {
        match &self.vars[v as usize] {
            VarState::Unbound { classes, .. } => *classes,
            VarState::Link(_) => ClassSet::default(),
        }
    }

    pub fn level_of(&self, v: TvId) -> Option<u32> {
        match &self.vars[v as usize] {
            VarState::Unbound { level, .. } => Some(*level),
            VarState::Link(_) => None,
        }
    }

    /// Render a type for messages, with unresolved variables as `T`, `U`, ... (or `{integer}`).
    pub fn display(&self, t: &Ty) -> String {
        DisplayTy { table: self, ty: self.zonk(t) }.to_string()
    }
}

struct DisplayTy<'a> {
    table: &'a TyTable,
    ty: Ty,
}

impl fmt::Display for DisplayTy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub = |t: &Ty| DisplayTy { table: self.table, ty: t.clone() };
        match &self.ty {
            Ty::Var(v) => match self.table.state(*v) {
                VarState::Unbound { literal: true, .. } => write!(f, "{{integer}}"),
                // Not yet known: shown as `_`, as Rust does, rather than an internal name.
                _ => write!(f, "_"),
            },
            Ty::Array(e) => write!(f, "[{}]", sub(e)),
            Ty::Range(e) => write!(f, "Range<{}>", sub(e)),
            Ty::Map(k, v) => write!(f, "Map<{}, {}>", sub(k), sub(v)),
            Ty::Adt(id, args) => {
                write!(f, "{}", self.table.adt_names.get(*id as usize).map(|s| s.as_str()).unwrap_or("?"))?;
                if !args.is_empty() {
                    write!(f, "<")?;
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            write!(f, ", ")?;
                        }
                        write!(f, "{}", sub(a))?;
                    }
                    write!(f, ">")?;
                }
                Ok(())
            }
            Ty::Func(ps, r) => {
                write!(f, "fn(")?;
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}", sub(p))?;
                }
                write!(f, ")")?;
                if **r != Ty::Void {
                    write!(f, " -> {}", sub(r))?;
                }
                Ok(())
            }
            other => write!(f, "{}", concrete_name(other)),
        }
    }
}

/// A struct or enum's name as programs see it at run time: without the module path that
/// types from imported modules carry inside the compiler (`geometry.Point` → `Point`).
pub fn runtime_type_name(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Name of a concrete (variable-free) type, as `typeof` reports it.
pub fn type_name(t: &Ty, adt_names: &[String]) -> String {
    let type_name = |t: &Ty| type_name(t, adt_names);
    match t {
        Ty::Adt(id, args) => {
            let name = adt_names.get(*id as usize).map(|n| runtime_type_name(n)).unwrap_or_default().to_string();
            if args.is_empty() {
                name
            } else {
                format!("{name}<{}>", args.iter().map(type_name).collect::<Vec<_>>().join(", "))
            }
        }
        Ty::Array(e) => format!("[{}]", type_name(e)),
        Ty::Range(e) => format!("Range<{}>", type_name(e)),
        Ty::Map(k, v) => format!("Map<{}, {}>", type_name(k), type_name(v)),
        Ty::Func(ps, r) => {
            let params: Vec<String> = ps.iter().map(type_name).collect();
            if **r == Ty::Void {
                format!("fn({})", params.join(", "))
            } else {
                format!("fn({}) -> {}", params.join(", "), type_name(r))
            }
        }
        other => concrete_name(other).to_string(),
    }
}

fn concrete_name(t: &Ty) -> &'static str {
    match t {
        Ty::Void => "void",
        Ty::Bool => "bool",
        Ty::I32 => "i32",
        Ty::I64 => "i64",
        Ty::U32 => "u32",
        Ty::U64 => "u64",
        Ty::F64 => "f64",
        Ty::Str => "string",
        Ty::Error => "Error",
        Ty::Unknown => "{unknown}",
        _ => "?",
    }
}
