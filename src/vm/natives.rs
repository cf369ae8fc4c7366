//! Built-in functions called by `CallN` (see `bytecode/native.rs` for their contracts).
//! Natives run without an Orus frame; they may allocate freely and hold handles in locals,
//! since the collector only runs between instructions. Errors they return unwind like any
//! runtime error.

use std::cmp::Ordering;

use super::arith::{index, Fault};
use super::equality::{compare, deep_eq, sort_values};
use super::error::RuntimeError;
use super::format::display;
use super::interp::Vm;
use crate::bytecode::chunk::{RtType, TypeId};
use crate::bytecode::native::Native;
use crate::diag::codes;
use crate::heap::object::SLOT_BYTES;

/// What a native call produced.
pub(crate) enum Flow {
    Value(u64),
    /// The program ends with this exit code.
    Exit(i32),
}

type R<T> = Result<T, RuntimeError>;

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn bad_conversion(text: &[u8], ty: &str) -> RuntimeError {
    RuntimeError::new(codes::BAD_CONVERSION, format!("cannot convert {:?} to {ty}", lossy(text)))
}

/// Byte offset of the first occurrence of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The Unicode scalars of `s` as separate byte strings; invalid bytes stand alone.
fn scalars(s: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for chunk in s.utf8_chunks() {
        out.extend(chunk.valid().chars().map(|c| c.to_string().into_bytes()));
        out.extend(chunk.invalid().iter().map(|b| vec![*b]));
    }
    out
}

/// Number of Unicode scalars of `s` (invalid bytes count one each).
fn scalar_count(s: &[u8]) -> usize {
    s.utf8_chunks().map(|c| c.valid().chars().count() + c.invalid().len()).sum()
}

/// Number of non-overlapping occurrences of a non-empty `needle` in `hay`.
fn occurrences(hay: &[u8], needle: &[u8]) -> usize {
    let (mut n, mut rest) = (0, hay);
    while let Some(i) = find(rest, needle) {
        n += 1;
        rest = rest.get(i + needle.len().max(1)..).unwrap_or_default();
    }
    n
}

/// Bytes the array of strings `split(s, sep)` needs (slots, elements and bytes), to check
/// it against the heap's object limit before building it.
fn split_bytes(s: &[u8], sep: &[u8]) -> usize {
    let parts = if sep.is_empty() { scalar_count(s) } else { occurrences(s, sep) + 1 };
    parts.saturating_mul(SLOT_BYTES + 8).saturating_add(s.len())
}

/// Length of `replace(s, from, to)`.
fn replaced_len(s: &[u8], from: &[u8], to: &[u8]) -> usize {
    let (n, removed) = if from.is_empty() { (scalar_count(s) + 1, 0) } else { (occurrences(s, from), from.len()) };
    s.len().saturating_sub(n.saturating_mul(removed)).saturating_add(n.saturating_mul(to.len()))
}

fn split(s: &[u8], sep: &[u8]) -> Vec<Vec<u8>> {
    if sep.is_empty() {
        return scalars(s);
    }
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(i) = find(rest, sep) {
        parts.push(rest[..i].to_vec());
        rest = &rest[i + sep.len()..];
    }
    parts.push(rest.to_vec());
    parts
}

fn replace(s: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        let mut out = to.to_vec();
        for part in scalars(s) {
            out.extend_from_slice(&part);
            out.extend_from_slice(to);
        }
        return out;
    }
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = find(rest, from) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(to);
        rest = &rest[i + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn trim(s: &[u8]) -> &[u8] {
    match std::str::from_utf8(s) {
        Ok(t) => t.trim().as_bytes(),
        Err(_) => s.trim_ascii(),
    }
}

fn change_case(s: &[u8], upper: bool) -> Vec<u8> {
    match (std::str::from_utf8(s), upper) {
        (Ok(t), true) => t.to_uppercase().into_bytes(),
        (Ok(t), false) => t.to_lowercase().into_bytes(),
        (Err(_), true) => s.to_ascii_uppercase(),
        (Err(_), false) => s.to_ascii_lowercase(),
    }
}

impl Vm<'_> {
    pub(crate) fn call_native(&mut self, n: Native, ty: TypeId, args: &[u64]) -> R<Flow> {
        let arg = |i: usize| args.get(i).copied().unwrap_or(0);
        let (a0, a1, a2) = (arg(0), arg(1), arg(2));
        let v = match n {
            Native::Input => self.read_line(None)?,
            Native::InputPrompt => self.read_line(Some(a0))?,
            Native::ParseInt => self.parse_int(a0)?,
            Native::ParseFloat => self.parse_float(a0)?,
            Native::Timestamp => self.started.elapsed().as_secs_f64().to_bits(),
            Native::Assert if a0 == 0 => return Err(RuntimeError::new(codes::ASSERTION_FAILED, "assertion failed")),
            Native::Assert => 0,
            Native::AssertEq => self.assert_eq(a0, a1, a2, ty)?,
            Native::Min | Native::Max => self.min_max(n == Native::Min, a0, a1, ty)?,
            Native::Abs => self.abs(a0, ty)?,
            Native::ArrayInsert => self.array_insert(a0, a1, a2)?,
            Native::ArrayRemove => self.array_remove(a0, a1)?,
            Native::Sort => self.sort(a0, ty)?,
            Native::Sorted => {
                let arr = self.heap.array(a0)?;
                let copy = self.heap.alloc_array(arr.items.clone(), arr.refs);
                self.sort(copy, ty)?;
                copy
            }
            Native::Reverse => {
                self.heap.array_mut(a0)?.items.reverse();
                0
            }
            Native::ArrayContains => self.array_contains(a0, a1, ty)?,
            Native::StrContains => self.str_test(a0, a1, |s, t| find(s, t).is_some())?,
            Native::StrFind => {
                let needle = self.heap.str_bytes(a1)?.to_vec();
                let at = find(self.heap.str_bytes(a0)?, &needle);
                let at = at.map(|i| i as i32 as i64 as u64);
                super::maps::option(&mut self.heap, &self.unit_variants, ty, at)
            }
            Native::StartsWith => self.str_test(a0, a1, |s, t| s.starts_with(t))?,
            Native::EndsWith => self.str_test(a0, a1, |s, t| s.ends_with(t))?,
            Native::Split => {
                let sep = self.heap.str_bytes(a1)?.to_vec();
                let need = split_bytes(self.heap.str_bytes(a0)?, &sep);
                self.heap.check_size(need)?;
                let parts = split(self.heap.str_bytes(a0)?, &sep);
                self.string_array(parts)
            }
            Native::Join => self.join(a0, a1)?,
            Native::Trim => self.str_map(a0, |s| trim(s).to_vec())?,
            Native::ToUpper => self.str_map(a0, |s| change_case(s, true))?,
            Native::ToLower => self.str_map(a0, |s| change_case(s, false))?,
            Native::Replace => {
                let (from, to) = (self.heap.str_bytes(a1)?.to_vec(), self.heap.str_bytes(a2)?.to_vec());
                let need = replaced_len(self.heap.str_bytes(a0)?, &from, &to);
                self.heap.check_size(need)?;
                self.str_map(a0, |s| replace(s, &from, &to))?
            }
            Native::Repeat => self.repeat(a0, a1)?,
            Native::Chars => {
                let need = split_bytes(self.heap.str_bytes(a0)?, b"");
                self.heap.check_size(need)?;
                let parts = scalars(self.heap.str_bytes(a0)?);
                self.string_array(parts)
            }
            Native::Exit => {
                self.flush()?;
                self.exited = Some(a0 as i32);
                return Ok(Flow::Exit(a0 as i32));
            }
            _ => self.std_native(n, ty, a0, a1)?,
        };
        Ok(Flow::Value(v))
    }

    fn rt(&self, ty: TypeId) -> Option<&RtType> {
        self.prog.types.get(ty as usize)
    }

    fn read_line(&mut self, prompt: Option<u64>) -> R<u64> {
        if let Some(p) = prompt {
            let text = self.heap.str_bytes(p)?;
            self.out.write_all(text).map_err(io_error)?;
        }
        self.flush()?;
        let mut line = Vec::new();
        let n = self.input.read_until(b'\n', &mut line).map_err(io_error)?;
        if n == 0 {
            return Err(RuntimeError::new(codes::END_OF_INPUT, "end of input"));
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Ok(self.heap.alloc_string(line))
    }

    fn parse_int(&mut self, s: u64) -> R<u64> {
        let text = self.heap.str_bytes(s)?;
        std::str::from_utf8(text.trim_ascii())
            .ok()
            .and_then(|t| t.parse::<i32>().ok())
            .map(|v| v as i64 as u64)
            .ok_or_else(|| bad_conversion(text, "int"))
    }

    fn parse_float(&mut self, s: u64) -> R<u64> {
        let text = self.heap.str_bytes(s)?;
        std::str::from_utf8(text.trim_ascii())
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .map(f64::to_bits)
            .ok_or_else(|| bad_conversion(text, "float"))
    }

    fn shown(&mut self, v: u64, ty: TypeId) -> R<String> {
        let mut out = Vec::new();
        display(&mut self.heap, &self.prog, v, ty, &mut out)?;
        Ok(lossy(&out))
    }

    fn assert_eq(&mut self, label: u64, actual: u64, expected: u64, ty: TypeId) -> R<u64> {
        if deep_eq(&mut self.heap, &self.prog, actual, expected, ty)? {
            return Ok(1);
        }
        let label = lossy(self.heap.str_bytes(label)?);
        let (exp, act) = (self.shown(expected, ty)?, self.shown(actual, ty)?);
        let msg = format!("assertion failed: {label}: expected {exp}, actual {act}");
        Err(RuntimeError::new(codes::ASSERTION_FAILED, msg))
    }

    fn min_max(&mut self, min: bool, a: u64, b: u64, ty: TypeId) -> R<u64> {
        let ord = compare(&mut self.heap, &self.prog, b, a, ty)?;
        let take_b = if min { ord == Ordering::Less } else { ord == Ordering::Greater };
        Ok(if take_b { b } else { a })
    }

    fn abs(&self, v: u64, ty: TypeId) -> R<u64> {
        Ok(match self.rt(ty) {
            Some(RtType::I32) => (v as i32).checked_abs().ok_or(Fault::Overflow)? as i64 as u64,
            Some(RtType::I64) => (v as i64).checked_abs().ok_or(Fault::Overflow)? as u64,
            Some(RtType::F64) => f64::from_bits(v).abs().to_bits(),
            _ => v,
        })
    }

    fn array_insert(&mut self, xs: u64, i: u64, v: u64) -> R<u64> {
        let len = self.heap.array(xs)?.items.len();
        let at = i as i64;
        if at < 0 || at as u64 > len as u64 {
            return Err(Fault::Index(at, len).into());
        }
        self.heap.insert(xs, Some(at as usize), v)?;
        Ok(0)
    }

    fn array_remove(&mut self, xs: u64, i: u64) -> R<u64> {
        let items = &mut self.heap.array_mut(xs)?.items;
        let at = index(i, items.len())?;
        Ok(items.remove(at))
    }

    fn sort(&mut self, xs: u64, ty: TypeId) -> R<u64> {
        let mut items = std::mem::take(&mut self.heap.array_mut(xs)?.items);
        let sorted = sort_values(&mut self.heap, &self.prog, &mut items, ty);
        self.heap.array_mut(xs)?.items = items;
        sorted?;
        Ok(0)
    }

    fn array_contains(&mut self, xs: u64, v: u64, ty: TypeId) -> R<u64> {
        let items = self.heap.array(xs)?.items.clone();
        for item in items {
            if deep_eq(&mut self.heap, &self.prog, item, v, ty)? {
                return Ok(1);
            }
        }
        Ok(0)
    }

    fn str_test(&mut self, s: u64, t: u64, test: impl Fn(&[u8], &[u8]) -> bool) -> R<u64> {
        self.heap.flatten(s)?;
        self.heap.flatten(t)?;
        Ok(test(self.heap.flat_bytes(s)?, self.heap.flat_bytes(t)?) as u64)
    }

    /// A new string computed from the bytes of `s`.
    fn str_map(&mut self, s: u64, f: impl FnOnce(&[u8]) -> Vec<u8>) -> R<u64> {
        let out = f(self.heap.str_bytes(s)?);
        Ok(self.heap.alloc_string(out))
    }

    fn string_array(&mut self, parts: Vec<Vec<u8>>) -> u64 {
        let items = parts.into_iter().map(|p| self.heap.alloc_string(p)).collect();
        self.heap.alloc_array(items, true)
    }

    fn join(&mut self, parts: u64, sep: u64) -> R<u64> {
        let items = self.heap.array(parts)?.items.clone();
        let sep = self.heap.str_bytes(sep)?.to_vec();
        let mut out = Vec::new();
        for (i, s) in items.into_iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(&sep);
            }
            out.extend_from_slice(self.heap.str_bytes(s)?);
            self.heap.check_size(out.len())?;
        }
        Ok(self.heap.alloc_string(out))
    }

    fn repeat(&mut self, s: u64, n: u64) -> R<u64> {
        let n = (n as i64).max(0) as usize;
        let len = self.heap.str_len(s)?;
        self.heap.check_size(len.saturating_mul(n))?;
        self.str_map(s, |b| b.repeat(n))
    }
}

fn io_error(e: std::io::Error) -> RuntimeError {
    RuntimeError::new(codes::IO_ERROR, format!("I/O error: {e}"))
}
