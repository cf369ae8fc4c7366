//! The abstract syntax tree produced by the parser. Every node has a span; expressions and
//! patterns also carry a `NodeId` that later stages use as a key for side tables (resolved
//! names, inferred types, instantiations). The grammar does not decide whether `x = e`
//! declares or reassigns: that is `resolve`'s job.

use super::span::Span;

/// Identifies an expression or pattern node within one module. Assigned by the parser,
/// unique per parse.
pub type NodeId = u32;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A parsed source file.
#[derive(Clone, Debug, Default)]
pub struct Module {
    pub stmts: Vec<Stmt>,
    /// One past the largest `NodeId` used in this module.
    pub node_count: u32,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// An expression statement (calls, `if`/`match` used as statements, tail values).
    Expr(Expr),
    /// `mut x = e`, `x: T = e`, `let x = e`, `let mut x: T = e`: always a new binding.
    Decl {
        mutable: bool,
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `t = e` or chained `t1 = t2 = e` (targets in source order). A single bare-name target
    /// may turn out to be a declaration; `resolve` decides.
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    /// `t op= e`.
    CompoundAssign {
        target: Expr,
        op: BinOp,
        value: Expr,
    },
    /// `NAME: T := e` / `pub NAME := e`.
    Const {
        public: bool,
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    While {
        label: Option<Ident>,
        cond: Expr,
        body: Block,
    },
    /// `for var in iter: body`; `var` is `None` for `_`. `iter` may be an `ExprKind::Range`.
    For {
        label: Option<Ident>,
        var: Option<Ident>,
        iter: Expr,
        body: Block,
    },
    Break {
        label: Option<Ident>,
    },
    Continue {
        label: Option<Ident>,
    },
    Return(Option<Expr>),
    Pass,
    /// `try: body catch err: handler` (`err` absent for a bare `catch:`).
    Try {
        body: Block,
        err: Option<Ident>,
        handler: Block,
    },
    Fn(FnDecl),
    Struct(StructDecl),
    Enum(EnumDecl),
    Impl(ImplDecl),
    Use(UseDecl),
    /// A statement the parser could not make sense of; a diagnostic was already reported.
    Error,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub id: NodeId,
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntSuffix {
    I32,
    I64,
    U32,
    U64,
    F64,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// An integer literal's magnitude (negation is `Unary(Neg)`); values above u64::MAX are
    /// rejected by the lexer.
    Int {
        value: u64,
        suffix: Option<IntSuffix>,
    },
    Float(f64),
    /// String literal, escapes already decoded.
    Str(String),
    Bool(bool),
    Name(Ident),
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    /// Binary operators, including short-circuit `and` / `or`.
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `then if cond else otherwise`.
    Cond {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `callee(args)` or `callee::<types>(args)`. Method calls are `Call` of a `Field`.
    Call {
        callee: Box<Expr>,
        type_args: Vec<TypeExpr>,
        args: Vec<Expr>,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `base[start..end]`; missing bounds are `None`.
    Slice {
        base: Box<Expr>,
        start: Option<Box<Expr>>,
        end: Option<Box<Expr>>,
    },
    /// `base.name` (field, method, enum variant, module member: decided later).
    Field {
        base: Box<Expr>,
        name: Ident,
    },
    /// `Path{ field: value, ... }`; `path` is `[Name]` or `[module, Name]`.
    StructLit {
        path: Vec<Ident>,
        type_args: Vec<TypeExpr>,
        fields: Vec<FieldInit>,
    },
    Array(Vec<Expr>),
    /// `[value; count]`.
    ArrayFill {
        value: Box<Expr>,
        count: Box<Expr>,
    },
    /// `start..end`, `start..=end`, optionally `..step`.
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
        step: Option<Box<Expr>>,
        inclusive: bool,
    },
    /// `fn(params) -> ret: body` (an anonymous closure).
    Lambda(Box<FnDecl>),
    /// `if c1: b1 elif c2: b2 else: b3` used anywhere (statement or value).
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `value matches pattern`.
    Matches {
        value: Box<Expr>,
        pattern: Pattern,
    },
    /// `value as ty`.
    Cast {
        value: Box<Expr>,
        ty: TypeExpr,
    },
    /// An expression the parser could not make sense of; a diagnostic was already reported.
    Error,
}

#[derive(Clone, Debug)]
pub struct FieldInit {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Not,
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

#[derive(Clone, Debug)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    /// `-> expr` is a block holding one expression statement.
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Pattern {
    pub id: NodeId,
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum PatternKind {
    Wildcard,
    /// A bare name: a binding, or a unit variant such as `None` (decided later).
    Binding(Ident),
    /// Integer literal, sign included.
    Int(i128),
    Float(f64),
    Str(String),
    Bool(bool),
    /// `lo..hi` / `lo..=hi` over integer literals.
    Range {
        lo: i128,
        hi: i128,
        inclusive: bool,
    },
    /// `Type.Variant(sub, ...)`, `Some(x)`, `Shape.Empty`: `path` has one or two parts
    /// (three with a module qualifier); `args` is `None` when there are no parentheses.
    Variant {
        path: Vec<Ident>,
        args: Option<Vec<Pattern>>,
    },
    /// `p1 | p2 | ...`.
    Or(Vec<Pattern>),
}

#[derive(Clone, Debug)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeExprKind {
    /// `i32`, `string`, `Point`, `Option<T>`, `Map<K, V>`, `geo.Point` (path of 1 or 2).
    Named { path: Vec<Ident>, args: Vec<TypeExpr> },
    /// `[T]` or `[T, N]`.
    Array { elem: Box<TypeExpr>, len: Option<u64> },
    /// `fn(A, B) -> R`; `ret` is `None` for a void function.
    Func { params: Vec<TypeExpr>, ret: Option<Box<TypeExpr>> },
}

#[derive(Clone, Debug)]
pub struct GenericParam {
    pub name: Ident,
    /// Constraint class names: `T: Comparable + Hashable`.
    pub bounds: Vec<Ident>,
}

#[derive(Clone, Debug)]
pub struct Param {
    /// `self` is an ordinary identifier named "self".
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FnDecl {
    pub public: bool,
    /// For lambdas, a synthesized name `<lambda>` with the `fn` keyword's span.
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct StructDecl {
    pub public: bool,
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumDecl {
    pub public: bool,
    pub name: Ident,
    pub generics: Vec<GenericParam>,
    pub variants: Vec<VariantDecl>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct VariantDecl {
    pub name: Ident,
    /// Empty for a unit variant. Named payloads (`Circle(radius: f64)`) keep their names.
    pub fields: Vec<VariantField>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct VariantField {
    pub name: Option<Ident>,
    pub ty: TypeExpr,
}

#[derive(Clone, Debug)]
pub struct ImplDecl {
    pub generics: Vec<GenericParam>,
    pub target: TypeExpr,
    pub methods: Vec<FnDecl>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct UseDecl {
    /// `a.b.c` as its parts.
    pub path: Vec<Ident>,
    pub kind: UseKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum UseKind {
    /// `use a.b` or `use a.b as m`.
    Module { alias: Option<Ident> },
    /// `use a.b: x, y as z`.
    Names(Vec<(Ident, Option<Ident>)>),
    /// `use a.b: *`.
    Glob,
}
