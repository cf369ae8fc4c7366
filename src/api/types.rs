//! `Type`: an Orus type as the embedding API describes it: derived from Rust types for host
//! functions and globals, written in Orus syntax (`Display`, `Type::parse`), turned into
//! the checker's type expressions, and compared with a compiled program's runtime types
//! (to check `Program::call` arguments and results before a call).

use std::fmt;

use crate::bytecode::chunk::{RtType, TypeId};
use crate::syntax::ast::{Ident, TypeExpr, TypeExprKind};
use crate::syntax::host::HOST_FILE;
use crate::syntax::span::Span;

/// An Orus type. `Display` writes it in Orus syntax (`[i64]`, `Option<string>`,
/// `fn(i32) -> bool`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Void,
    Bool,
    I32,
    I64,
    U32,
    U64,
    F64,
    Str,
    Array(Box<Type>),
    Map(Box<Type>, Box<Type>),
    Option(Box<Type>),
    Result(Box<Type>, Box<Type>),
    Func(Vec<Type>, Box<Type>),
    /// A struct or enum of the script, by name, with its type arguments.
    Named(String, Vec<Type>),
    /// The `Error` value of `catch err`.
    Error,
}

impl Type {
    /// Parses a type written in Orus syntax, e.g. `Map<string, [i32]>`; `None` if malformed.
    ///
    /// ```
    /// use orus::api::Type;
    /// let t = Type::parse("Map<string, [Option<i64>]>").unwrap();
    /// assert_eq!(t.to_string(), "Map<string, [Option<i64>]>");
    /// ```
    pub fn parse(text: &str) -> Option<Type> {
        let mut p = Parser { s: text.as_bytes(), i: 0, depth: 0 };
        let t = p.ty()?;
        p.ws();
        (p.i == p.s.len()).then_some(t)
    }

    /// The type expression the checker reads for a host declaration.
    pub(crate) fn to_type_expr(&self) -> TypeExpr {
        let span = Span::new(HOST_FILE, 0, 0);
        let named = |name: &str, args: Vec<TypeExpr>| TypeExpr {
            kind: TypeExprKind::Named { path: vec![Ident { name: name.to_string(), span }], args },
            span,
        };
        match self {
            Type::Array(e) => {
                TypeExpr { kind: TypeExprKind::Array { elem: Box::new(e.to_type_expr()), len: None }, span }
            }
            Type::Func(ps, r) => TypeExpr {
                kind: TypeExprKind::Func {
                    params: ps.iter().map(Type::to_type_expr).collect(),
                    ret: (**r != Type::Void).then(|| Box::new(r.to_type_expr())),
                },
                span,
            },
            Type::Map(k, v) => named("Map", vec![k.to_type_expr(), v.to_type_expr()]),
            Type::Option(t) => named("Option", vec![t.to_type_expr()]),
            Type::Result(t, e) => named("Result", vec![t.to_type_expr(), e.to_type_expr()]),
            Type::Named(n, args) => named(n, args.iter().map(Type::to_type_expr).collect()),
            scalar => named(&scalar.to_string(), Vec::new()),
        }
    }

    /// Whether runtime type `id` of a program is this type. Struct and enum type arguments
    /// are not recorded at run time, so `Named` compares the name only.
    pub fn matches(&self, types: &[RtType], id: TypeId) -> bool {
        let Some(rt) = types.get(id as usize) else { return false };
        match (self, rt) {
            (Type::Void, RtType::Void)
            | (Type::Bool, RtType::Bool)
            | (Type::I32, RtType::I32)
            | (Type::I64, RtType::I64)
            | (Type::U32, RtType::U32)
            | (Type::U64, RtType::U64)
            | (Type::F64, RtType::F64)
            | (Type::Str, RtType::Str)
            | (Type::Error, RtType::Error) => true,
            (Type::Array(e), RtType::Array(id)) => e.matches(types, *id),
            (Type::Map(k, v), RtType::Map { key, value }) => k.matches(types, *key) && v.matches(types, *value),
            (Type::Func(ps, r), RtType::Func { params, ret }) => {
                ps.len() == params.len()
                    && ps.iter().zip(params).all(|(p, id)| p.matches(types, *id))
                    && r.matches(types, *ret)
            }
            (Type::Option(t), RtType::Enum { name, variants }) if name == "Option" => {
                matches!(variants.first(), Some((_, p)) if p.len() == 1 && t.matches(types, p[0]))
            }
            (Type::Result(t, e), RtType::Enum { name, variants }) if name == "Result" => match variants.as_slice() {
                [(_, ok), (_, err)] if ok.len() == 1 && err.len() == 1 => {
                    t.matches(types, ok[0]) && e.matches(types, err[0])
                }
                _ => false,
            },
            (Type::Named(n, _), RtType::Struct { name, .. } | RtType::Enum { name, .. }) => n == name,
            _ => false,
        }
    }
}

pub(crate) use crate::bytecode::disasm::rt_type_name as rt_name;

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |ts: &[Type]| ts.iter().map(Type::to_string).collect::<Vec<_>>().join(", ");
        match self {
            Type::Void => f.write_str("void"),
            Type::Bool => f.write_str("bool"),
            Type::I32 => f.write_str("i32"),
            Type::I64 => f.write_str("i64"),
            Type::U32 => f.write_str("u32"),
            Type::U64 => f.write_str("u64"),
            Type::F64 => f.write_str("f64"),
            Type::Str => f.write_str("string"),
            Type::Error => f.write_str("Error"),
            Type::Array(e) => write!(f, "[{e}]"),
            Type::Map(k, v) => write!(f, "Map<{k}, {v}>"),
            Type::Option(t) => write!(f, "Option<{t}>"),
            Type::Result(t, e) => write!(f, "Result<{t}, {e}>"),
            Type::Func(ps, r) if **r == Type::Void => write!(f, "fn({})", list(ps)),
            Type::Func(ps, r) => write!(f, "fn({}) -> {r}", list(ps)),
            Type::Named(n, args) if args.is_empty() => f.write_str(n),
            Type::Named(n, args) => write!(f, "{n}<{}>", list(args)),
        }
    }
}

/// A small recursive-descent parser for type syntax (depth-limited).
struct Parser<'s> {
    s: &'s [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.s.get(self.i) == Some(&c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn name(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.') {
            self.i += 1;
        }
        self.s.get(start..self.i).filter(|n| !n.is_empty()).map(|n| String::from_utf8_lossy(n).into_owned())
    }

    fn list(&mut self, close: u8) -> Option<Vec<Type>> {
        let mut out = Vec::new();
        if self.eat(close) {
            return Some(out);
        }
        loop {
            out.push(self.ty()?);
            if self.eat(close) {
                return Some(out);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn ty(&mut self) -> Option<Type> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let t = self.ty_inner();
        self.depth -= 1;
        t
    }

    fn ty_inner(&mut self) -> Option<Type> {
        if self.eat(b'[') {
            let e = self.ty()?;
            return self.eat(b']').then(|| Type::Array(Box::new(e)));
        }
        let name = self.name()?;
        if name == "fn" {
            if !self.eat(b'(') {
                return None;
            }
            let params = self.list(b')')?;
            self.ws();
            let ret = if self.s.get(self.i..self.i + 2) == Some(b"->") {
                self.i += 2;
                self.ty()?
            } else {
                Type::Void
            };
            return Some(Type::Func(params, Box::new(ret)));
        }
        let args = if self.eat(b'<') { self.list(b'>')? } else { Vec::new() };
        let arg = |i: usize| args.get(i).cloned().map(Box::new);
        Some(match (name.as_str(), args.len()) {
            ("void", 0) => Type::Void,
            ("bool", 0) => Type::Bool,
            ("i32", 0) => Type::I32,
            ("i64", 0) => Type::I64,
            ("u32", 0) => Type::U32,
            ("u64", 0) => Type::U64,
            ("f64", 0) => Type::F64,
            ("string", 0) => Type::Str,
            ("Error", 0) => Type::Error,
            ("Option", 1) => Type::Option(arg(0)?),
            ("Result", 2) => Type::Result(arg(0)?, arg(1)?),
            ("Map", 2) => Type::Map(arg(0)?, arg(1)?),
            _ => Type::Named(name, args),
        })
    }
}
