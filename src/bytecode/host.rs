//! What a program records for an embedding host (`src/api/`): the runtime types of the
//! host functions it calls with `CallHost`, the global slots of host globals, and (when
//! compiled with `HostDecls::export_all`) every compiled top-level function with its
//! concrete signature and the type of every global, so the host can call functions and
//! read globals with their types checked. Empty for programs compiled by the CLI.

use super::chunk::TypeId;

#[derive(Clone, Debug, Default)]
pub struct HostInfo {
    /// Per host function (`CallHost` extra word): parameter and result types.
    pub fns: Vec<HostSig>,
    /// Per host global, in declaration order: its global slot and type.
    pub globals: Vec<HostGlobal>,
    /// Compiled top-level functions (methods as `Type.method`; each instantiation of a
    /// generic function separately, all under the function's name).
    pub exports: Vec<Export>,
    /// Per global slot (only with `export_all`): its type, name and mutability.
    pub global_types: Vec<GlobalInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalInfo {
    pub ty: TypeId,
    /// The type's Orus name, e.g. `Map<string, [i32]>`.
    pub type_name: String,
    pub mutable: bool,
    /// A `NAME := value` constant.
    pub constant: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostSig {
    pub params: Vec<TypeId>,
    pub ret: TypeId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostGlobal {
    pub slot: u16,
    pub ty: TypeId,
}

#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    /// Function index.
    pub func: u32,
    pub sig: HostSig,
    /// The Orus signature, e.g. `fn(i64, string) -> bool`.
    pub signature: String,
    /// Whether this is an instantiation of a generic function.
    pub generic: bool,
}
