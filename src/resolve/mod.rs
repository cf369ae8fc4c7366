//! Name resolution: binds every name use to its declaration, decides whether `x = e`
//! declares or reassigns, enforces `mut`, same-block redeclaration, labels and
//! `break`/`continue` placement, hoists top-level declarations, and records which
//! variables closures capture (and which of those need a shared cell).
//!
//! May import: `syntax`, `diag`, `modules` (the units of a linked program). Produces a `Resolution` of side tables keyed by `NodeId`
//! and declaration spans; the AST itself is not changed.

mod scope;
pub mod suggest;

use crate::diag::{codes, Diagnostic};
use crate::modules::Unit;
use crate::syntax::ast::*;
use crate::syntax::host::{HostDecls, HOST_FILE};
use crate::syntax::span::Span;
use hashbrown::HashMap;
use scope::Resolver;

pub type BindingId = u32;
pub type FnId = u32;

/// The module's top-level code is function 0.
pub const MODULE_INIT: FnId = 0;

/// What a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    /// A local of some function (the current one, or an enclosing one: a capture).
    Local(BindingId),
    /// A module-level binding or constant, stored in a global slot.
    Global(BindingId),
    /// A top-level function.
    Func(FnId),
    /// A prelude built-in.
    Builtin(Builtin),
    /// A native function registered by the embedding host (index into `HostDecls::fns`).
    Host(u32),
    /// Unresolvable; already reported.
    Error,
}

#[derive(Clone, Debug)]
pub struct BindingInfo {
    pub name: String,
    pub mutable: bool,
    pub constant: bool,
    /// The function whose frame holds it (`MODULE_INIT` for globals).
    pub owner: FnId,
    pub global: bool,
    /// Captured by a closure and shared through a heap cell.
    pub boxed: bool,
    /// Bound to a nested `fn` (hoisted within its block, so captured before assignment).
    pub nested_fn: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FnKind {
    ModuleInit,
    TopLevel,
    /// A `fn name` inside another function (a closure bound to `binding`).
    Nested {
        binding: BindingId,
    },
    Lambda,
}

#[derive(Clone, Debug)]
pub struct FnInfo {
    pub name: String,
    pub kind: FnKind,
    pub parent: Option<FnId>,
    /// Bindings of enclosing functions this function uses, in capture-index order.
    pub captures: Vec<BindingId>,
    pub params: Vec<BindingId>,
    pub span: Span,
}

/// How a plain `name = value` target was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignKind {
    Declare(BindingId),
    Reassign(Res),
}

#[derive(Default, Debug)]
pub struct Resolution {
    /// Every `ExprKind::Name` (outside assignment targets).
    pub names: HashMap<NodeId, Res>,
    /// Bare-name assignment targets.
    pub targets: HashMap<NodeId, AssignKind>,
    /// Declarations keyed by the declared identifier's span: `Decl`, params, `for` vars,
    /// `catch` vars, nested `fn` names, constants.
    pub decls: HashMap<Span, BindingId>,
    /// Functions keyed by their declaration span (`FnDecl::span`).
    pub fn_ids: HashMap<Span, FnId>,
    pub bindings: Vec<BindingInfo>,
    pub functions: Vec<FnInfo>,
    /// The main file's top-level functions by name (`main` is looked up here).
    pub top_fns: HashMap<String, FnId>,
    /// Method-call sugar `x.f(...)` (by the call's `NodeId`) where `f` names a top-level
    /// function in scope at the call: the function, which takes `x` first.
    pub method_sugar: HashMap<NodeId, FnId>,
    /// Whether the module's top-level statements call `main` themselves.
    pub top_level_calls_main: bool,
    /// Names of the module's structs and enums.
    pub type_names: hashbrown::HashSet<String>,
    /// Methods and associated functions: (type name, function name) -> function.
    pub methods: HashMap<(String, String), FnId>,
    /// The global binding of each host global (`HostDecls::globals`), in order.
    pub host_globals: Vec<BindingId>,
}

impl Resolution {
    pub fn binding(&self, id: BindingId) -> &BindingInfo {
        &self.bindings[id as usize]
    }
    pub fn function(&self, id: FnId) -> &FnInfo {
        &self.functions[id as usize]
    }
    pub fn decl(&self, name: &Ident) -> Option<BindingId> {
        self.decls.get(&name.span).copied()
    }
    /// Index of `binding` among `f`'s captures.
    pub fn capture_index(&self, f: FnId, binding: BindingId) -> Option<usize> {
        self.functions.get(f as usize)?.captures.iter().position(|b| *b == binding)
    }
}

macro_rules! builtins {
    ($($name:ident = $text:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Builtin { $($name,)* }
        impl Builtin {
            pub const ALL: &'static [Builtin] = &[$(Builtin::$name,)*];
            pub fn name(self) -> &'static str {
                match self { $(Builtin::$name => $text,)* }
            }
            /// `Some`, `None`, `Ok`, `Err`: prelude enum variants, not functions.
            pub fn is_variant(self) -> bool {
                matches!(self.name(), "Some" | "None" | "Ok" | "Err")
            }
            /// The standard library's runtime hooks (`__sqrt`, ...): only `std.*` modules
            /// may name them.
            pub fn is_internal(self) -> bool {
                self.name().starts_with("__")
            }
            pub fn from_name(name: &str) -> Option<Builtin> {
                match name { $($text => Some(Builtin::$name),)* _ => None }
            }
        }
    };
}

builtins! {
    Print = "print",
    Len = "len",
    Push = "push",
    Pop = "pop",
    Insert = "insert",
    Remove = "remove",
    Sorted = "sorted",
    Sort = "sort",
    Reverse = "reverse",
    Contains = "contains",
    Range = "range",
    Min = "min",
    Max = "max",
    Abs = "abs",
    Input = "input",
    Int = "int",
    Float = "float",
    TypeOf = "typeof",
    IsType = "istype",
    Timestamp = "timestamp",
    Assert = "assert",
    AssertEq = "assert_eq",
    Panic = "panic",
    StartsWith = "starts_with",
    EndsWith = "ends_with",
    Split = "split",
    Join = "join",
    Trim = "trim",
    ToUpper = "to_upper",
    ToLower = "to_lower",
    Replace = "replace",
    Repeat = "repeat",
    Chars = "chars",
    Find = "find",
    SomeVariant = "Some",
    NoneVariant = "None",
    OkVariant = "Ok",
    ErrVariant = "Err",
    // The standard library's hooks into the runtime (see `types::internal`).
    Sqrt = "__sqrt",
    Pow = "__pow",
    Floor = "__floor",
    Ceil = "__ceil",
    Round = "__round",
    Sin = "__sin",
    Cos = "__cos",
    Tan = "__tan",
    Atan2 = "__atan2",
    Exp = "__exp",
    Ln = "__ln",
    Log10 = "__log10",
    ReadFile = "__read_file",
    WriteFile = "__write_file",
    ReadLines = "__read_lines",
    Args = "__args",
    Env = "__env",
    Exit = "__exit",
    Sleep = "__sleep",
    Now = "__now",
}

/// Resolve a linked program: each unit (file) in order, with its own top-level scope that
/// also holds the names it imports. Diagnostics are appended to `diags`.
pub fn resolve_program(module: &Module, units: &[Unit], diags: &mut Vec<Diagnostic>) -> Resolution {
    resolve_program_host(module, units, diags, &HostDecls::default())
}

/// `resolve_program` with the functions and globals an embedding host declares: they live
/// in a scope around every unit's own, so a script may shadow them.
pub fn resolve_program_host(
    module: &Module,
    units: &[Unit],
    diags: &mut Vec<Diagnostic>,
    host: &HostDecls,
) -> Resolution {
    let mut r = Resolver::new(diags);
    r.new_function("<top level>", FnKind::ModuleInit, None, Span::default());
    if !host.fns.is_empty() || !host.globals.is_empty() {
        r.host_scope(host);
    }
    for unit in units {
        let stmts = module.stmts.get(unit.stmts.clone()).unwrap_or_default();
        r.unit(unit, stmts);
    }
    r.finish()
}

/// Resolve a single-file program (no imports).
pub fn resolve_module(module: &Module, diags: &mut Vec<Diagnostic>) -> Resolution {
    let unit = Unit {
        path: String::new(),
        file: 0,
        is_std: false,
        stmts: 0..module.stmts.len(),
        imports: Vec::new(),
        namespaces: Vec::new(),
    };
    resolve_program(module, std::slice::from_ref(&unit), diags)
}

pub(crate) fn unknown_name(name: &Ident, candidates: Vec<String>) -> Diagnostic {
    let mut d = Diagnostic::error(
        codes::UNKNOWN_NAME,
        format!("unknown name `{}`", name.name),
        name.span,
        "not found in this scope",
    );
    if let Some(best) = suggest::closest(&name.name, candidates.iter().map(|s| s.as_str())) {
        d = d.with_help(format!("did you mean `{best}`?"));
    }
    d
}
