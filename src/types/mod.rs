//! Hindley–Milner type inference with levels and constraint classes.
//!
//! Order: constants, then top-level functions grouped into strongly connected components
//! (callees before callers; each group inferred together, then generalized), then the
//! module's top-level code. Literal types are fixed per function before defaulting; casts
//! and literal ranges are checked after defaulting. Inference is total: every error is
//! recorded and the offending node gets `Ty::Unknown`, which unifies with anything.
//!
//! May import: `syntax`, `resolve`, `diag`. Output: `Typed`, side tables keyed by NodeId,
//! BindingId and FnId, read by codegen.

pub mod adt;
mod builtins;
pub mod classes;
mod data;
mod exprs;
mod groups;
pub(crate) mod infer;
mod internal;
mod maps;
mod patterns;
mod scc;
mod stmts;
pub mod ty;

use crate::diag::Diagnostic;
use crate::resolve::{FnId, Res, Resolution};
use crate::syntax::ast::{Module, NodeId};
use hashbrown::HashMap;
use ty::{TvId, Ty, TyTable};

/// A function's signature; for generalized top-level functions `generics` lists the type
/// variables that are instantiated afresh at each use.
#[derive(Clone, Debug, Default)]
pub struct FnSig {
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub generics: Vec<TvId>,
    /// The variables of the declared `<T, U>` parameters, in order (for turbofish).
    pub declared: Vec<Ty>,
}

/// What a call expression calls, when it is not simply "the value of the callee".
#[derive(Clone, Debug, PartialEq)]
pub enum CallTarget {
    /// `b(args)` or `recv.b(args)` for a prelude built-in (receiver first when a method).
    Builtin(crate::resolve::Builtin),
    /// `recv.f(args)` for a top-level function with the receiver as first argument; its
    /// type arguments are in `Typed::instantiations` under the call's id.
    Method(FnId),
    /// `Type.f(args)`: an associated function (no receiver); instantiation as for `Method`.
    Associated(FnId),
    /// A prelude method of `Option`/`Result` (`unwrap`, `is_some`, `map`, ...), receiver first.
    EnumMethod(&'static str),
    /// `value.field(args)`: call the function stored in struct field `slot`.
    FieldCall(u32),
    /// `Map.new()` ("new") or a map method (`get`, `remove`, `keys`, `values`), receiver first.
    MapMethod(&'static str),
}

#[derive(Default, Debug)]
pub struct Typed {
    pub table: TyTable,
    pub expr_types: HashMap<NodeId, Ty>,
    pub binding_types: Vec<Ty>,
    pub fn_sigs: Vec<FnSig>,
    /// Type arguments at each use of a generic top-level function (`Name` nodes).
    pub instantiations: HashMap<NodeId, Vec<Ty>>,
    /// Call expressions whose target is a built-in or a method-call sugar.
    pub call_targets: HashMap<NodeId, CallTarget>,
    /// Struct and enum definitions; `Ty::Adt` ids index this (0 = Option, 1 = Result).
    pub adts: Vec<adt::AdtDef>,
    pub adt_ids: HashMap<String, u32>,
    /// Expressions that construct an enum variant (`Shape.Circle(1.0)`, `None`, `Some(x)`):
    /// the call or name node, with (adt id, variant tag).
    pub variants: HashMap<NodeId, (u32, u32)>,
    /// Struct field accesses: the `Field` node and its slot.
    pub field_slots: HashMap<NodeId, u32>,
    /// Bindings introduced by patterns, keyed by the binding's span.
    pub pattern_tags: HashMap<NodeId, (u32, u32)>,
    /// `Type.f` used as a value (not called): the method or associated function `f`.
    pub method_values: HashMap<NodeId, FnId>,
    /// The function type of each host function (`HostDecls::fns`), in order.
    pub host_fn_types: Vec<Ty>,
}

impl Typed {
    pub fn expr_type(&self, id: NodeId) -> Ty {
        self.expr_types.get(&id).cloned().unwrap_or(Ty::Unknown)
    }
}

/// Type-check one resolved module.
pub fn check_module(module: &Module, res: &Resolution, diags: &mut Vec<Diagnostic>) -> Typed {
    let mut cx = infer::Infer::new(res, diags);
    cx.run(module);
    cx.finish()
}

/// `check_module` with the functions and globals an embedding host declares (their types
/// come from the declarations' type expressions).
pub fn check_module_host(
    module: &Module,
    res: &Resolution,
    diags: &mut Vec<Diagnostic>,
    host: &crate::syntax::host::HostDecls,
) -> Typed {
    let mut cx = infer::Infer::new(res, diags);
    cx.host = Some(host);
    cx.run(module);
    cx.finish()
}

/// The resolved target of a name, for codegen convenience.
pub fn name_res(res: &Resolution, id: NodeId) -> Res {
    res.names.get(&id).copied().unwrap_or(Res::Error)
}
