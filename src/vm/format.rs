//! `value as string` and `print` with `@` templates (language reference section 12); the
//! display form itself is in `display.rs`.

use std::io::Write;

use crate::bytecode::chunk::{Program, RtType, TypeId};
use crate::diag::codes;
use crate::heap::{Heap, HeapResult};
use crate::vm::error::RuntimeError;

pub(crate) use super::display::display;
use super::interp::rt_type as rt;

/// `value as string`: a new string with the display form (a string is returned as is).
pub(crate) fn to_string(heap: &mut Heap, prog: &Program, v: u64, ty: TypeId) -> HeapResult<u64> {
    if matches!(rt(prog, ty)?, RtType::Str) {
        return Ok(v);
    }
    let mut out = Vec::new();
    display(heap, prog, v, ty, &mut out)?;
    Ok(heap.alloc_string(out))
}

/// One `@` specifier of a print template.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Spec {
    Display,
    Fixed(usize),
    Radix(u8),
}

/// The specifier after an `@` and how many bytes (after the `@`) it takes.
fn parse_spec(rest: &[u8]) -> (Spec, usize) {
    match rest.first() {
        Some(&c @ (b'x' | b'X' | b'b' | b'o')) => (Spec::Radix(c), 1),
        Some(b'.') => {
            let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            let n = std::str::from_utf8(&rest[1..1 + digits]).ok().and_then(|s| s.parse::<usize>().ok());
            match n {
                Some(n) if digits <= 3 && rest.get(1 + digits) == Some(&b'f') => (Spec::Fixed(n), 2 + digits),
                _ => (Spec::Display, 0),
            }
        }
        _ => (Spec::Display, 0),
    }
}

fn format_spec(heap: &mut Heap, prog: &Program, spec: Spec, v: u64, ty: TypeId, out: &mut Vec<u8>) -> HeapResult<()> {
    let t = rt(prog, ty)?;
    let _ = match (spec, t) {
        (Spec::Fixed(n), RtType::F64) => write!(out, "{:.n$}", f64::from_bits(v)),
        (Spec::Fixed(n), RtType::I32 | RtType::I64) => write!(out, "{:.n$}", v as i64 as f64),
        (Spec::Fixed(n), RtType::U32 | RtType::U64) => write!(out, "{:.n$}", v as f64),
        (Spec::Radix(r), RtType::I32 | RtType::U32) => radix(out, r, v as u32 as u64),
        (Spec::Radix(r), RtType::I64 | RtType::U64) => radix(out, r, v),
        _ => return display(heap, prog, v, ty, out),
    };
    Ok(())
}

fn radix(out: &mut Vec<u8>, r: u8, v: u64) -> std::io::Result<()> {
    match r {
        b'x' => write!(out, "{v:x}"),
        b'X' => write!(out, "{v:X}"),
        b'b' => write!(out, "{v:b}"),
        _ => write!(out, "{v:o}"),
    }
}

/// Expands a template; returns how many of `args` it consumed.
fn template(heap: &mut Heap, prog: &Program, t: &[u8], args: &[(u64, TypeId)], out: &mut Vec<u8>) -> HeapResult<usize> {
    let mut next = 0;
    let mut i = 0;
    while i < t.len() {
        if t[i] != b'@' {
            let end = t[i..].iter().position(|&c| c == b'@').map_or(t.len(), |p| i + p);
            out.extend_from_slice(&t[i..end]);
            i = end;
            continue;
        }
        let (spec, len) = parse_spec(&t[i + 1..]);
        match args.get(next) {
            Some(&(v, ty)) => {
                format_spec(heap, prog, spec, v, ty, out)?;
                next += 1;
            }
            None => out.extend_from_slice(&t[i..i + 1 + len]),
        }
        i += 1 + len;
    }
    Ok(next)
}

/// The line `print` writes for `vals` of types `types`, without the newline.
pub(crate) fn print_line(heap: &mut Heap, prog: &Program, vals: &[u64], types: &[TypeId]) -> HeapResult<Vec<u8>> {
    let args: Vec<(u64, TypeId)> = vals.iter().copied().zip(types.iter().copied()).collect();
    let mut line = Vec::new();
    let mut rest = &args[..];
    let mut space = false;
    if let Some((&(first, ty), tail)) = args.split_first() {
        if matches!(rt(prog, ty)?, RtType::Str) {
            let t = heap.str_bytes(first)?.to_vec();
            let used = template(heap, prog, &t, tail, &mut line)?;
            rest = tail.get(used..).unwrap_or_default();
            space = true;
        }
    }
    for &(v, ty) in rest {
        if space {
            line.push(b' ');
        }
        space = true;
        display(heap, prog, v, ty, &mut line)?;
    }
    Ok(line)
}

/// `print`: the line and a newline, written to `out`.
pub(crate) fn print(
    heap: &mut Heap,
    prog: &Program,
    vals: &[u64],
    types: &[TypeId],
    out: &mut dyn Write,
) -> HeapResult<()> {
    let mut line = print_line(heap, prog, vals, types)?;
    line.push(b'\n');
    out.write_all(&line).map_err(|e| RuntimeError::new(codes::IO_ERROR, format!("cannot write output: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(parse_spec(b".2f rest"), (Spec::Fixed(2), 3));
        assert_eq!(parse_spec(b"x"), (Spec::Radix(b'x'), 1));
        assert_eq!(parse_spec(b".f"), (Spec::Display, 0));
        assert_eq!(parse_spec(b".2"), (Spec::Display, 0));
        assert_eq!(parse_spec(b""), (Spec::Display, 0));
        assert_eq!(parse_spec(b".1234f"), (Spec::Display, 0));
    }
}
