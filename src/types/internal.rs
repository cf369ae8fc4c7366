//! Signatures of the standard library's runtime hooks (`__sqrt`, `__read_file`, ...): plain
//! monomorphic functions, which only `std.*` modules can name.

use super::adt::{OPTION, RESULT};
use super::ty::Ty;
use crate::resolve::Builtin;

/// Parameter types and result type of an internal built-in; `None` for the others.
pub(super) fn signature(b: Builtin) -> Option<(Vec<Ty>, Ty)> {
    let f1 = || (vec![Ty::F64], Ty::F64);
    let result = |ok: Ty| Ty::Adt(RESULT, vec![ok, Ty::Error]);
    Some(match b {
        Builtin::Sqrt | Builtin::Floor | Builtin::Ceil | Builtin::Round => f1(),
        Builtin::Sin | Builtin::Cos | Builtin::Tan | Builtin::Exp | Builtin::Ln | Builtin::Log10 => f1(),
        Builtin::Pow | Builtin::Atan2 => (vec![Ty::F64, Ty::F64], Ty::F64),
        Builtin::ReadFile => (vec![Ty::Str], result(Ty::Str)),
        Builtin::WriteFile => (vec![Ty::Str, Ty::Str], result(Ty::Void)),
        Builtin::ReadLines => (vec![Ty::Str], result(Ty::array(Ty::Str))),
        Builtin::Args => (vec![], Ty::array(Ty::Str)),
        Builtin::Env => (vec![Ty::Str], Ty::Adt(OPTION, vec![Ty::Str])),
        Builtin::Exit => (vec![Ty::I32], Ty::Void),
        Builtin::Sleep => (vec![Ty::F64], Ty::Void),
        Builtin::Now => (vec![], Ty::F64),
        _ => return None,
    })
}
