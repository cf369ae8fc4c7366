//! Conversions between Rust and Orus values for host functions, globals and calls:
//! `OrusType` names a Rust type's Orus type (`i64` → `i64`, `Vec<String>` → `[string]`,
//! `Option<f64>` → `Option<f64>`, `()` → `void`, ...), `FromOrus` reads a value out of the
//! heap and `IntoOrus` builds one. Both check the program's runtime type first (`accepts`),
//! so a mismatch is an error value, never a misread.

use std::collections::HashMap;
use std::hash::Hash;

use super::types::Type;
use super::value::{conversion_error, Value};
use crate::bytecode::chunk::{RtType, TypeId};
use crate::vm::error::RuntimeError;
use crate::vm::host::HostCx;

/// A Rust type with a fixed Orus type.
pub trait OrusType {
    fn orus_type() -> Type;
}

/// A Rust type that can be read from an Orus value.
pub trait FromOrus: Sized {
    /// Whether runtime type `ty` can be read as `Self`.
    fn accepts(types: &[RtType], ty: TypeId) -> bool;
    /// Reads `bits` (of runtime type `ty`, already accepted).
    fn from_orus(cx: &mut HostCx<'_>, bits: u64, ty: TypeId) -> Result<Self, RuntimeError>;
}

/// A Rust value that can be turned into an Orus value.
pub trait IntoOrus {
    /// Whether `Self` can be written as runtime type `ty`.
    fn accepts(types: &[RtType], ty: TypeId) -> bool;
    /// Builds the value as runtime type `ty` (already accepted).
    fn into_orus(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError>;
}

fn rt(types: &[RtType], ty: TypeId) -> Option<&RtType> {
    types.get(ty as usize)
}

macro_rules! scalar {
    ($t:ty, $orus:ident, $rt:ident, |$b:ident| $from:expr, |$v:ident| $into:expr) => {
        impl OrusType for $t {
            fn orus_type() -> Type {
                Type::$orus
            }
        }
        impl FromOrus for $t {
            #[inline]
            fn accepts(types: &[RtType], ty: TypeId) -> bool {
                matches!(rt(types, ty), Some(RtType::$rt))
            }
            #[inline]
            fn from_orus(_: &mut HostCx<'_>, $b: u64, _: TypeId) -> Result<Self, RuntimeError> {
                Ok($from)
            }
        }
        impl IntoOrus for $t {
            #[inline]
            fn accepts(types: &[RtType], ty: TypeId) -> bool {
                matches!(rt(types, ty), Some(RtType::$rt))
            }
            #[inline]
            fn into_orus(self, _: &mut HostCx<'_>, _: TypeId) -> Result<u64, RuntimeError> {
                let $v = self;
                Ok($into)
            }
        }
    };
}

scalar!(bool, Bool, Bool, |b| b != 0, |v| v as u64);
scalar!(i32, I32, I32, |b| b as i64 as i32, |v| v as i64 as u64);
scalar!(i64, I64, I64, |b| b as i64, |v| v as u64);
scalar!(u32, U32, U32, |b| b as u32, |v| v as u64);
scalar!(u64, U64, U64, |b| b, |v| v);
scalar!(f64, F64, F64, |b| f64::from_bits(b), |v| v.to_bits());
scalar!((), Void, Void, |_b| (), |_v| 0);

impl OrusType for String {
    fn orus_type() -> Type {
        Type::Str
    }
}

impl FromOrus for String {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(rt(types, ty), Some(RtType::Str))
    }
    fn from_orus(cx: &mut HostCx<'_>, bits: u64, _: TypeId) -> Result<Self, RuntimeError> {
        Ok(String::from_utf8_lossy(cx.heap.str_bytes(bits)?).into_owned())
    }
}

impl IntoOrus for String {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(rt(types, ty), Some(RtType::Str))
    }
    fn into_orus(self, cx: &mut HostCx<'_>, _: TypeId) -> Result<u64, RuntimeError> {
        Ok(cx.heap.alloc_string(self.into_bytes()))
    }
}

impl OrusType for &str {
    fn orus_type() -> Type {
        Type::Str
    }
}

impl IntoOrus for &str {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(rt(types, ty), Some(RtType::Str))
    }
    fn into_orus(self, cx: &mut HostCx<'_>, _: TypeId) -> Result<u64, RuntimeError> {
        Ok(cx.heap.alloc_str(self.as_bytes()))
    }
}

impl<T: OrusType> OrusType for Vec<T> {
    fn orus_type() -> Type {
        Type::Array(Box::new(T::orus_type()))
    }
}

impl<T: FromOrus> FromOrus for Vec<T> {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(rt(types, ty), Some(RtType::Array(e)) if T::accepts(types, *e))
    }
    fn from_orus(cx: &mut HostCx<'_>, bits: u64, ty: TypeId) -> Result<Self, RuntimeError> {
        let Some(RtType::Array(e)) = rt(&cx.prog.types, ty).cloned() else {
            return Err(conversion_error("not an array"));
        };
        let items = cx.heap.array(bits)?.items.clone();
        items.into_iter().map(|v| T::from_orus(cx, v, e)).collect()
    }
}

impl<T: IntoOrus> IntoOrus for Vec<T> {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(rt(types, ty), Some(RtType::Array(e)) if T::accepts(types, *e))
    }
    fn into_orus(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError> {
        let Some(RtType::Array(e)) = rt(&cx.prog.types, ty).cloned() else {
            return Err(conversion_error("not an array"));
        };
        let refs = rt(&cx.prog.types, e).is_some_and(RtType::is_ref);
        let items = self.into_iter().map(|v| v.into_orus(cx, e)).collect::<Result<Vec<_>, _>>()?;
        Ok(cx.heap.alloc_array(items, refs))
    }
}

/// The payload types of variant `tag` of enum type `ty` named `name`.
fn variant(types: &[RtType], ty: TypeId, name: &str, tag: usize) -> Option<Vec<TypeId>> {
    match rt(types, ty) {
        Some(RtType::Enum { name: n, variants }) if n == name => variants.get(tag).map(|v| v.1.clone()),
        _ => None,
    }
}

impl<T: OrusType> OrusType for Option<T> {
    fn orus_type() -> Type {
        Type::Option(Box::new(T::orus_type()))
    }
}

impl<T: FromOrus> FromOrus for Option<T> {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(variant(types, ty, "Option", 0).as_deref(), Some([t]) if T::accepts(types, *t))
    }
    fn from_orus(cx: &mut HostCx<'_>, bits: u64, ty: TypeId) -> Result<Self, RuntimeError> {
        let e = cx.heap.enum_obj(bits)?;
        if e.tag != 0 {
            return Ok(None);
        }
        let v = e.payload.first().copied().unwrap_or(0);
        let t = variant(&cx.prog.types, ty, "Option", 0).and_then(|p| p.first().copied()).unwrap_or(0);
        Ok(Some(T::from_orus(cx, v, t)?))
    }
}

impl<T: IntoOrus> IntoOrus for Option<T> {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(variant(types, ty, "Option", 0).as_deref(), Some([t]) if T::accepts(types, *t))
    }
    fn into_orus(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError> {
        Ok(match self {
            Some(v) => {
                let t = variant(&cx.prog.types, ty, "Option", 0).and_then(|p| p.first().copied()).unwrap_or(0);
                let bits = v.into_orus(cx, t)?;
                cx.heap.alloc_enum(ty, 0, Box::new([bits]))
            }
            None => cx.heap.alloc_enum(ty, 1, Box::new([])),
        })
    }
}

/// An Orus `Result<T, E>` value read by the host. (A host *function* returning a Rust
/// `Result` raises its `Err` as a runtime error instead; see `HostReturn`.)
impl<T: OrusType, E: OrusType> OrusType for Result<T, E> {
    fn orus_type() -> Type {
        Type::Result(Box::new(T::orus_type()), Box::new(E::orus_type()))
    }
}

impl<T: FromOrus, E: FromOrus> FromOrus for Result<T, E> {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        let ok = matches!(variant(types, ty, "Result", 0).as_deref(), Some([t]) if T::accepts(types, *t));
        ok && matches!(variant(types, ty, "Result", 1).as_deref(), Some([e]) if E::accepts(types, *e))
    }
    fn from_orus(cx: &mut HostCx<'_>, bits: u64, ty: TypeId) -> Result<Self, RuntimeError> {
        let e = cx.heap.enum_obj(bits)?;
        let (tag, v) = (e.tag as usize, e.payload.first().copied().unwrap_or(0));
        let t = variant(&cx.prog.types, ty, "Result", tag).and_then(|p| p.first().copied()).unwrap_or(0);
        Ok(if tag == 0 { Ok(T::from_orus(cx, v, t)?) } else { Err(E::from_orus(cx, v, t)?) })
    }
}

impl<K: OrusType, V: OrusType> OrusType for HashMap<K, V> {
    fn orus_type() -> Type {
        Type::Map(Box::new(K::orus_type()), Box::new(V::orus_type()))
    }
}

impl<K: FromOrus + Eq + Hash, V: FromOrus> FromOrus for HashMap<K, V> {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(rt(types, ty), Some(RtType::Map { key, value }) if K::accepts(types, *key) && V::accepts(types, *value))
    }
    fn from_orus(cx: &mut HostCx<'_>, bits: u64, ty: TypeId) -> Result<Self, RuntimeError> {
        let Some(RtType::Map { key, value }) = rt(&cx.prog.types, ty).cloned() else {
            return Err(conversion_error("not a map"));
        };
        let m = cx.heap.map(bits)?;
        let (keys, values) = (m.keys(), m.values());
        let mut out = HashMap::with_capacity(keys.len());
        for (k, v) in keys.into_iter().zip(values) {
            out.insert(K::from_orus(cx, k, key)?, V::from_orus(cx, v, value)?);
        }
        Ok(out)
    }
}

impl<K: IntoOrus, V: IntoOrus> IntoOrus for HashMap<K, V> {
    fn accepts(types: &[RtType], ty: TypeId) -> bool {
        matches!(rt(types, ty), Some(RtType::Map { key, value }) if K::accepts(types, *key) && V::accepts(types, *value))
    }
    fn into_orus(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError> {
        let Some(RtType::Map { key, value }) = rt(&cx.prog.types, ty).cloned() else {
            return Err(conversion_error("not a map"));
        };
        let m = cx.heap.alloc_map(ty)?;
        for (k, v) in self {
            let kb = k.into_orus(cx, key)?;
            let vb = v.into_orus(cx, value)?;
            cx.heap.map_set(&cx.prog.types, m, kb, vb)?;
        }
        Ok(m)
    }
}

impl FromOrus for Value {
    fn accepts(_: &[RtType], _: TypeId) -> bool {
        true
    }
    fn from_orus(cx: &mut HostCx<'_>, bits: u64, ty: TypeId) -> Result<Self, RuntimeError> {
        Value::read(cx, bits, ty)
    }
}

impl IntoOrus for Value {
    fn accepts(_: &[RtType], _: TypeId) -> bool {
        true
    }
    fn into_orus(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError> {
        self.write(cx, ty)
    }
}

/// What a host function may return: any `IntoOrus + OrusType` value, or a Rust `Result`
/// whose `Err` (any `Display`) becomes the catchable Orus runtime error E0020.
pub trait HostReturn {
    fn ret_type() -> Type;
    fn into_ret(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError>;
}

impl<T: IntoOrus + OrusType> HostReturn for T {
    fn ret_type() -> Type {
        T::orus_type()
    }
    #[inline]
    fn into_ret(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError> {
        self.into_orus(cx, ty)
    }
}

impl<T: IntoOrus + OrusType, E: std::fmt::Display> HostReturn for Result<T, E> {
    fn ret_type() -> Type {
        T::orus_type()
    }
    fn into_ret(self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError> {
        match self {
            Ok(v) => v.into_orus(cx, ty),
            Err(e) => Err(RuntimeError::new(crate::diag::codes::HOST_ERROR, e.to_string())),
        }
    }
}
