//! `Value`: a dynamic, owned copy of an Orus value for hosts that do not know a value's
//! type statically (generic tools, the REPL): read from results and globals by following
//! the program's runtime types, and written back the same way. Conversion copies deeply;
//! it is bounded in depth and size, so cyclic or huge structures are an error, not a hang.

use std::fmt;

use crate::bytecode::chunk::{RtType, TypeId};
use crate::diag::codes;
use crate::vm::error::RuntimeError;
use crate::vm::host::HostCx;

/// Deepest nesting `Value` conversion follows (cycles through mutable struct fields end here).
const MAX_DEPTH: usize = 512;
/// Most values one conversion creates.
const MAX_NODES: usize = 50_000_000;

/// An Orus value, copied out of (or to be copied into) a program's heap.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Void,
    Bool(bool),
    I32(i32),
    I64(i64),
    U32(u32),
    U64(u64),
    F64(f64),
    Str(String),
    Array(Vec<Value>),
    /// Entries in insertion order.
    Map(Vec<(Value, Value)>),
    Struct {
        name: String,
        fields: Vec<(String, Value)>,
    },
    /// `Option` and `Result` values are enums too (`Option.Some(3)`, `Result.Err("x")`).
    Enum {
        name: String,
        variant: String,
        payload: Vec<Value>,
    },
    Range {
        start: i64,
        end: i64,
        step: i64,
        inclusive: bool,
    },
    /// A function value (only its type's text is copied; it cannot be written back).
    Func(String),
    /// The `Error` value of `catch err`.
    Error {
        code: String,
        message: String,
    },
}

impl Value {
    /// The field `name` of a struct value.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct { fields, .. } => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::I32(v) => Some(v as i64),
            Value::I64(v) => Some(v),
            Value::U32(v) => Some(v as i64),
            Value::U64(v) => i64::try_from(v).ok(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F64(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Reads the value `bits` of runtime type `ty`.
    pub(crate) fn read(cx: &mut HostCx<'_>, bits: u64, ty: TypeId) -> Result<Value, RuntimeError> {
        let mut nodes = 0;
        read(cx, bits, ty, 0, &mut nodes)
    }

    /// Builds this value in the heap as runtime type `ty`; an error if it does not fit.
    pub(crate) fn write(&self, cx: &mut HostCx<'_>, ty: TypeId) -> Result<u64, RuntimeError> {
        write(self, cx, ty, 0)
    }
}

pub(crate) fn conversion_error(msg: impl Into<String>) -> RuntimeError {
    RuntimeError::new(codes::HOST_ERROR, msg)
}

fn rt(cx: &HostCx<'_>, ty: TypeId) -> Result<RtType, RuntimeError> {
    cx.prog.types.get(ty as usize).cloned().ok_or_else(|| conversion_error("unknown runtime type"))
}

fn read(cx: &mut HostCx<'_>, bits: u64, ty: TypeId, depth: usize, nodes: &mut usize) -> Result<Value, RuntimeError> {
    *nodes += 1;
    if depth > MAX_DEPTH || *nodes > MAX_NODES {
        return Err(conversion_error("value too deeply nested or too large to copy (is it cyclic?)"));
    }
    let mut sub = |cx: &mut HostCx<'_>, bits: u64, ty: TypeId| read(cx, bits, ty, depth + 1, nodes);
    Ok(match rt(cx, ty)? {
        RtType::Void => Value::Void,
        RtType::Bool => Value::Bool(bits != 0),
        RtType::I32 => Value::I32(bits as i64 as i32),
        RtType::I64 => Value::I64(bits as i64),
        RtType::U32 => Value::U32(bits as u32),
        RtType::U64 => Value::U64(bits),
        RtType::F64 => Value::F64(f64::from_bits(bits)),
        RtType::Str => Value::Str(String::from_utf8_lossy(cx.heap.str_bytes(bits)?).into_owned()),
        RtType::Array(e) => {
            let items = cx.heap.array(bits)?.items.clone();
            Value::Array(items.into_iter().map(|v| sub(cx, v, e)).collect::<Result<_, _>>()?)
        }
        RtType::Map { key, value } => {
            let m = cx.heap.map(bits)?;
            let (keys, values) = (m.keys(), m.values());
            let mut out = Vec::with_capacity(keys.len());
            for (k, v) in keys.into_iter().zip(values) {
                out.push((sub(cx, k, key)?, sub(cx, v, value)?));
            }
            Value::Map(out)
        }
        RtType::Struct { name, fields } => {
            let slots = cx.heap.struct_obj(bits)?.fields.to_vec();
            let mut out = Vec::with_capacity(fields.len());
            for ((fname, fty), v) in fields.into_iter().zip(slots) {
                out.push((fname, sub(cx, v, fty)?));
            }
            Value::Struct { name, fields: out }
        }
        RtType::Enum { name, variants } => {
            let obj = cx.heap.enum_obj(bits)?;
            let (tag, payload) = (obj.tag as usize, obj.payload.to_vec());
            let Some((variant, tys)) = variants.into_iter().nth(tag) else {
                return Err(conversion_error("enum tag out of range"));
            };
            let payload = payload.into_iter().zip(tys).map(|(v, t)| sub(cx, v, t)).collect::<Result<_, _>>()?;
            Value::Enum { name, variant, payload }
        }
        RtType::Range(_) => {
            let r = cx.heap.range(bits)?;
            Value::Range { start: r.start as i64, end: r.end as i64, step: r.step as i64, inclusive: r.inclusive }
        }
        RtType::Func { .. } => Value::Func(super::types::rt_name(&cx.prog.types, ty)),
        RtType::Error => {
            let (message, code) = cx.heap.error(bits)?;
            let message = String::from_utf8_lossy(cx.heap.str_bytes(message)?).into_owned();
            let code = String::from_utf8_lossy(cx.heap.str_bytes(code)?).into_owned();
            Value::Error { code, message }
        }
    })
}

fn mismatch(v: &Value, cx: &HostCx<'_>, ty: TypeId) -> RuntimeError {
    let want = super::types::rt_name(&cx.prog.types, ty);
    conversion_error(format!("value {v} does not have the Orus type {want}"))
}

fn write(v: &Value, cx: &mut HostCx<'_>, ty: TypeId, depth: usize) -> Result<u64, RuntimeError> {
    if depth > MAX_DEPTH {
        return Err(conversion_error("value too deeply nested"));
    }
    let t = rt(cx, ty)?;
    let is_ref = |cx: &HostCx<'_>, id: TypeId| cx.prog.types.get(id as usize).is_some_and(RtType::is_ref);
    Ok(match (v, &t) {
        (Value::Void, RtType::Void) => 0,
        (Value::Bool(b), RtType::Bool) => *b as u64,
        (Value::I32(n), RtType::I32) => *n as i64 as u64,
        (Value::I64(n), RtType::I64) => *n as u64,
        (Value::U32(n), RtType::U32) => *n as u64,
        (Value::U64(n), RtType::U64) => *n,
        (Value::F64(x), RtType::F64) => x.to_bits(),
        (Value::Str(s), RtType::Str) => cx.heap.alloc_str(s.as_bytes()),
        (Value::Array(items), RtType::Array(e)) => {
            let bits = items.iter().map(|x| write(x, cx, *e, depth + 1)).collect::<Result<Vec<_>, _>>()?;
            let refs = is_ref(cx, *e);
            cx.heap.alloc_array(bits, refs)
        }
        (Value::Map(entries), RtType::Map { key, value }) => {
            let m = cx.heap.alloc_map(ty)?;
            for (k, x) in entries {
                let kb = write(k, cx, *key, depth + 1)?;
                let vb = write(x, cx, *value, depth + 1)?;
                cx.heap.map_set(&cx.prog.types, m, kb, vb)?;
            }
            m
        }
        (Value::Struct { name, fields }, RtType::Struct { name: want, fields: tys }) if name == want => {
            let mut slots = Vec::with_capacity(tys.len());
            for (fname, fty) in tys {
                let Some(x) = fields.iter().find(|(n, _)| n == fname).map(|(_, x)| x) else {
                    return Err(conversion_error(format!("struct {name} value has no field `{fname}`")));
                };
                slots.push(write(x, cx, *fty, depth + 1)?);
            }
            cx.heap.alloc_struct(ty, slots.into())
        }
        (Value::Enum { name, variant, payload }, RtType::Enum { name: want, variants }) if name == want => {
            let Some(tag) = variants.iter().position(|(n, _)| n == variant) else {
                return Err(conversion_error(format!("enum {name} has no variant `{variant}`")));
            };
            let tys = variants.get(tag).map(|v| v.1.clone()).unwrap_or_default();
            if tys.len() != payload.len() {
                return Err(conversion_error(format!("{name}.{variant} carries {} values", tys.len())));
            }
            let bits =
                payload.iter().zip(&tys).map(|(x, t)| write(x, cx, *t, depth + 1)).collect::<Result<Vec<_>, _>>()?;
            cx.heap.alloc_enum(ty, tag as u16, bits.into())
        }
        (Value::Range { start, end, step, inclusive }, RtType::Range(elem)) => {
            let range = crate::heap::RangeObj {
                start: *start as u64,
                end: *end as u64,
                step: *step as u64,
                inclusive: *inclusive,
                elem: *elem,
            };
            cx.heap.alloc(crate::heap::Obj::Range(range))
        }
        (Value::Error { code, message }, RtType::Error) => cx.heap.alloc_error(message, code),
        _ => return Err(mismatch(v, cx, ty)),
    })
}

impl fmt::Display for Value {
    /// Like Orus prints values, except that strings are always quoted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, vs: &[Value]| -> fmt::Result {
            for (i, v) in vs.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{v}")?;
            }
            Ok(())
        };
        match self {
            Value::Void => f.write_str("void"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::I32(n) => write!(f, "{n}"),
            Value::I64(n) => write!(f, "{n}"),
            Value::U32(n) => write!(f, "{n}"),
            Value::U64(n) => write!(f, "{n}"),
            Value::F64(x) => write!(f, "{x}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Array(vs) => {
                f.write_str("[")?;
                list(f, vs)?;
                f.write_str("]")
            }
            Value::Map(es) if es.is_empty() => f.write_str("{}"),
            Value::Map(es) => {
                f.write_str("{")?;
                for (i, (k, v)) in es.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            Value::Struct { name, fields } => {
                write!(f, "{name} {{ ")?;
                for (i, (n, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{n}: {v}")?;
                }
                f.write_str(" }")
            }
            Value::Enum { name, variant, payload } if payload.is_empty() => write!(f, "{name}.{variant}"),
            Value::Enum { name, variant, payload } => {
                write!(f, "{name}.{variant}(")?;
                list(f, payload)?;
                f.write_str(")")
            }
            Value::Range { start, end, step, inclusive } => {
                let dots = if *inclusive { "..=" } else { ".." };
                if *step == 1 {
                    write!(f, "{start}{dots}{end}")
                } else {
                    write!(f, "{start}{dots}{end}..{step}")
                }
            }
            Value::Func(t) => write!(f, "<{t}>"),
            Value::Error { code, message } => write!(f, "error[{code}]: {message}"),
        }
    }
}
