//! The display form of values (language reference section 12 and rule 16.6):
//! `[1, 2]`, `Point { x: 1, y: -2 }`, `Name {}`, `Shape.Circle(1.5)`, `Option.None`,
//! `{"a": 1, "b": 2}` (maps in insertion order), `{}`; strings are quoted inside
//! containers. Containers are walked with an explicit stack of open arrays, structs, enums
//! and maps (never by recursion), so any depth prints. A container that is already open (a
//! cycle made with `SetField` or `MapSet`) prints as `...`, so printing always
//! terminates; output longer than the heap's object limit (`Heap::max_object`) is an
//! out-of-memory error.

use std::collections::HashSet;
use std::io::Write;

use crate::bytecode::chunk::{Program, RtType, TypeId};
use crate::heap::{Heap, HeapResult};

use super::interp::{internal, rt_type as rt};

/// How many of the outermost open containers are checked for cycles by a linear scan;
/// deeper ones are also kept in a hash set.
const SCAN: usize = 16;

/// What kind of container is open, with what its items need to print.
#[derive(Clone, Copy)]
enum Kind<'p> {
    Array(TypeId),
    /// Field names and types in declaration order.
    Struct(&'p [(String, TypeId)]),
    /// Payload types of the variant.
    Enum(&'p [TypeId]),
    /// Key and value types; the items are keys and values alternating.
    Map(TypeId, TypeId),
}

/// A container being printed: its handle, its items, the next one to print.
struct Open<'p> {
    handle: u64,
    items: Vec<u64>,
    next: usize,
    kind: Kind<'p>,
}

/// The stack of open containers (the path from the printed value to the current item).
struct Walker<'p> {
    open: Vec<Open<'p>>,
    /// Handles of `open[SCAN..]`.
    deep: HashSet<u64>,
}

impl<'p> Walker<'p> {
    fn on_path(&self, h: u64) -> bool {
        self.open.iter().take(SCAN).any(|o| o.handle == h) || self.deep.contains(&h)
    }

    fn push(&mut self, o: Open<'p>) {
        if self.open.len() >= SCAN {
            self.deep.insert(o.handle);
        }
        self.open.push(o);
    }

    fn pop(&mut self) -> Option<Open<'p>> {
        let o = self.open.pop()?;
        if self.open.len() >= SCAN {
            self.deep.remove(&o.handle);
        }
        Some(o)
    }

    /// Writes one value; a non-empty container is opened (pushed) instead of written whole.
    fn value(
        &mut self,
        heap: &mut Heap,
        prog: &'p Program,
        v: u64,
        ty: TypeId,
        quoted: bool,
        out: &mut Vec<u8>,
    ) -> HeapResult<()> {
        let t = rt(prog, ty)?;
        let container =
            matches!(t, RtType::Array(_) | RtType::Struct { .. } | RtType::Enum { .. } | RtType::Map { .. });
        if container && self.on_path(v) {
            out.extend_from_slice(b"...");
            return Ok(());
        }
        let _ = match t {
            RtType::Void => write!(out, "()"),
            RtType::Bool => write!(out, "{}", v != 0),
            RtType::I32 | RtType::I64 => write!(out, "{}", v as i64),
            RtType::U32 | RtType::U64 => write!(out, "{v}"),
            RtType::F64 => write!(out, "{}", f64::from_bits(v)),
            RtType::Str => {
                let bytes = heap.str_bytes(v)?;
                if quoted {
                    escape(bytes, out);
                } else {
                    out.extend_from_slice(bytes);
                }
                Ok(())
            }
            RtType::Array(elem) => {
                let items = heap.array(v)?.items.clone();
                out.push(b'[');
                self.open_items(v, items, Kind::Array(*elem), b"]", out);
                Ok(())
            }
            RtType::Struct { name, fields } => {
                let items = heap.struct_obj(v)?.fields.to_vec();
                if items.len() != fields.len() {
                    return Err(internal("struct object does not match its type"));
                }
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b" {");
                self.open_items(v, items, Kind::Struct(fields), b"}", out);
                Ok(())
            }
            RtType::Enum { name, variants } => {
                let e = heap.enum_obj(v)?;
                let Some((variant, payload)) = variants.get(e.tag as usize) else {
                    return Err(internal("enum tag out of range"));
                };
                if e.payload.len() != payload.len() {
                    return Err(internal("enum object does not match its type"));
                }
                let items = e.payload.to_vec();
                let _ = write!(out, "{name}.{variant}");
                if !items.is_empty() {
                    out.push(b'(');
                    self.open_items(v, items, Kind::Enum(payload), b")", out);
                }
                Ok(())
            }
            RtType::Map { key, value } => {
                let items = heap.map(v)?.pairs();
                out.push(b'{');
                self.open_items(v, items, Kind::Map(*key, *value), b"}", out);
                Ok(())
            }
            RtType::Func { .. } => {
                let f = heap.closure(v)?.func;
                let name = prog.functions.get(f as usize).map_or("?", |f| f.name.as_str());
                write!(out, "<fn {name}>")
            }
            RtType::Range(elem) => {
                let r = heap.range(v)?;
                let signed = matches!(rt(prog, *elem)?, RtType::I32 | RtType::I64);
                let int = |x: u64| if signed { (x as i64).to_string() } else { x.to_string() };
                let dots = if r.inclusive { "..=" } else { ".." };
                let _ = write!(out, "{}{dots}{}", int(r.start), int(r.end));
                if r.step != 1 {
                    let _ = write!(out, "..{}", int(r.step));
                }
                Ok(())
            }
            RtType::Error => {
                let (message, _) = heap.error(v)?;
                out.extend_from_slice(b"Error: ");
                out.extend_from_slice(heap.str_bytes(message)?);
                Ok(())
            }
        };
        Ok(())
    }

    /// Opens a container whose opening text is written; an empty one is closed at once.
    fn open_items(&mut self, handle: u64, items: Vec<u64>, kind: Kind<'p>, close: &[u8], out: &mut Vec<u8>) {
        if items.is_empty() {
            out.extend_from_slice(close);
        } else {
            self.push(Open { handle, items, next: 0, kind });
        }
    }
}

/// Appends the display form of `v` (type `ty`) to `out`; strings unquoted at top level.
pub(crate) fn display(heap: &mut Heap, prog: &Program, v: u64, ty: TypeId, out: &mut Vec<u8>) -> HeapResult<()> {
    display_quoted(heap, prog, v, ty, false, out)
}

/// Appends the display form `v` has inside a container (a string is quoted).
pub(crate) fn display_inner(heap: &mut Heap, prog: &Program, v: u64, ty: TypeId, out: &mut Vec<u8>) -> HeapResult<()> {
    display_quoted(heap, prog, v, ty, true, out)
}

fn display_quoted(
    heap: &mut Heap,
    prog: &Program,
    v: u64,
    ty: TypeId,
    quoted: bool,
    out: &mut Vec<u8>,
) -> HeapResult<()> {
    let mut w = Walker { open: Vec::new(), deep: HashSet::new() };
    w.value(heap, prog, v, ty, quoted, out)?;
    while let Some(top) = w.open.last_mut() {
        let i = top.next;
        let Some(&item) = top.items.get(i) else {
            let close: &[u8] = match top.kind {
                Kind::Array(_) => b"]",
                Kind::Struct(_) => b" }",
                Kind::Enum(_) => b")",
                Kind::Map(..) => b"}",
            };
            out.extend_from_slice(close);
            w.pop();
            continue;
        };
        top.next += 1;
        let sep: &[u8] = if i > 0 { b", " } else { b"" };
        let ty = match top.kind {
            Kind::Array(elem) => {
                out.extend_from_slice(sep);
                elem
            }
            Kind::Struct(fields) => {
                let Some((name, ty)) = fields.get(i) else { return Err(internal("struct field")) };
                out.extend_from_slice(if i > 0 { b", " } else { b" " });
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b": ");
                *ty
            }
            Kind::Enum(payload) => {
                out.extend_from_slice(sep);
                *payload.get(i).ok_or_else(|| internal("enum payload"))?
            }
            Kind::Map(key, _) if i % 2 == 0 => {
                out.extend_from_slice(sep);
                key
            }
            Kind::Map(_, value) => {
                out.extend_from_slice(b": ");
                value
            }
        };
        w.value(heap, prog, item, ty, true, out)?;
        if out.len() > heap.max_object() {
            return Err(heap.oom());
        }
    }
    Ok(())
}

/// A string as written inside a container: quoted, with escapes.
pub(crate) fn escape(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0 => out.extend_from_slice(b"\\0"),
            c if c < 0x20 || c == 0x7f => {
                let _ = write!(out, "\\u{{{c:x}}}");
            }
            c => out.push(c),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut out = Vec::new();
        escape(b"a\n\"\\\x01", &mut out);
        assert_eq!(out, b"\"a\\n\\\"\\\\\\u{1}\"");
    }
}
