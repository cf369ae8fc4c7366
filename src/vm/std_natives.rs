//! The standard library's natives (`std.math`, `std.io`, `std.os`, `std.time`), reached
//! from `std/*.orus` through the `__` built-ins. Failures that a program should handle
//! (a missing file) are `Err` values, not runtime errors.

use super::error::RuntimeError;
use super::interp::{internal, Vm};
use crate::bytecode::chunk::TypeId;
use crate::bytecode::native::Native;
use crate::diag::codes;

type R<T> = Result<T, RuntimeError>;

/// Tags of the prelude enums' variants, as declared (`Ok`/`Some` first).
const OK: u16 = 0;
const ERR: u16 = 1;

fn f64_of(bits: u64) -> f64 {
    f64::from_bits(bits)
}

impl Vm<'_> {
    pub(crate) fn std_native(&mut self, n: Native, ty: TypeId, a0: u64, a1: u64) -> R<u64> {
        let math1 = |f: fn(f64) -> f64| f(f64_of(a0)).to_bits();
        Ok(match n {
            Native::Sqrt => math1(f64::sqrt),
            Native::Floor => math1(f64::floor),
            Native::Ceil => math1(f64::ceil),
            Native::Round => math1(f64::round),
            Native::Sin => math1(f64::sin),
            Native::Cos => math1(f64::cos),
            Native::Tan => math1(f64::tan),
            Native::Exp => math1(f64::exp),
            Native::Ln => math1(f64::ln),
            Native::Log10 => math1(f64::log10),
            Native::Pow => f64_of(a0).powf(f64_of(a1)).to_bits(),
            Native::Atan2 => f64_of(a0).atan2(f64_of(a1)).to_bits(),
            Native::ReadFile => {
                let path = self.path_arg(a0)?;
                match read_text(&path) {
                    Ok(bytes) => {
                        self.heap.check_size(bytes.len())?;
                        let s = self.heap.alloc_string(bytes);
                        self.heap.alloc_enum(ty, OK, Box::new([s]))
                    }
                    Err(e) => self.io_err(ty, &path, &e),
                }
            }
            Native::ReadLines => {
                let path = self.path_arg(a0)?;
                match read_text(&path) {
                    Ok(bytes) => {
                        self.heap.check_size(bytes.len().saturating_mul(2))?;
                        let items = lines(&bytes).into_iter().map(|l| self.heap.alloc_str(l)).collect();
                        let arr = self.heap.alloc_array(items, true);
                        self.heap.alloc_enum(ty, OK, Box::new([arr]))
                    }
                    Err(e) => self.io_err(ty, &path, &e),
                }
            }
            Native::WriteFile => {
                let path = self.path_arg(a0)?;
                let text = self.heap.str_bytes(a1)?.to_vec();
                match std::fs::write(&path, text) {
                    Ok(()) => self.heap.alloc_enum(ty, OK, Box::new([0])),
                    Err(e) => self.io_err(ty, &path, &e),
                }
            }
            Native::Args => {
                let items = self.heap.array(self.argv)?.items.clone();
                self.heap.alloc_array(items, true)
            }
            Native::Env => {
                let name = String::from_utf8_lossy(self.heap.str_bytes(a0)?).into_owned();
                let value = std::env::var_os(&name).map(|v| v.to_string_lossy().into_owned());
                let value = value.map(|v| self.heap.alloc_str(v.as_bytes()));
                super::maps::option(&mut self.heap, &self.unit_variants, ty, value)
            }
            Native::Sleep => {
                self.flush()?;
                self.limits.sleep(f64_of(a0))?;
                0
            }
            _ => return Err(internal("unknown native")),
        })
    }

    fn path_arg(&mut self, h: u64) -> R<String> {
        let bytes = self.heap.str_bytes(h)?;
        String::from_utf8(bytes.to_vec())
            .map_err(|_| RuntimeError::new(codes::IO_ERROR, "a file path must be valid UTF-8"))
    }

    /// `Err(Error{ message, code: "E0017" })` of the `Result` type `ty`.
    fn io_err(&mut self, ty: TypeId, path: &str, e: &std::io::Error) -> u64 {
        let msg = format!("{path}: {}", io_message(e));
        let err = self.heap.alloc_error(&msg, codes::IO_ERROR);
        self.heap.alloc_enum(ty, ERR, Box::new([err]))
    }
}

/// A file's bytes, which must be UTF-8 (Orus strings read from files are text).
fn read_text(path: &str) -> std::io::Result<Vec<u8>> {
    let bytes = std::fs::read(path)?;
    match std::str::from_utf8(&bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not valid UTF-8 (at byte {})", e.valid_up_to()),
        )),
    }
}

/// The error's description in lower case, without Rust's "(os error N)" suffix.
fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "no such file or directory".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => {
            let s = e.to_string();
            let s = s.find(" (os error").map_or(s.as_str(), |i| &s[..i]);
            let mut chars = s.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => "input/output error".to_string(),
            }
        }
    }
}

/// Lines of a file: split on `\n`, a `\r` before it dropped, no empty last line for a
/// trailing newline (like Python's `splitlines` and Rust's `lines`).
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    body.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).collect()
}
