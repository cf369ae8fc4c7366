//! The embedding API: use Orus as a scripting language from Rust.
//!
//! An [`Engine`] holds what the host provides: native functions (plain Rust closures whose
//! Orus types come from their signatures), typed globals, limits, print capture and the
//! standard modules scripts may import. [`Engine::compile`] type-checks a script against
//! all of that and returns a [`Program`] (or [`Diagnostics`], renderable like the command
//! line's). A program owns a VM that persists: run its top-level code once, then call its
//! functions by name as often as needed, with the Rust argument and result types checked
//! against the function's Orus signature before anything runs.
//!
//! ```
//! use orus::api::{Engine, Error};
//!
//! let mut engine = Engine::new();
//! engine.register_fn("clamp", |x: i64, lo: i64, hi: i64| x.max(lo).min(hi));
//! engine.register_fn("lookup", |key: String| -> Result<i64, String> {
//!     if key == "answer" { Ok(42) } else { Err(format!("no key {key}")) }
//! });
//! engine.set_global("limit", 100i64);
//!
//! let src = "
//! fn score(x: i64) -> i64:
//!     return clamp(x * 2, 0, limit)
//!
//! fn safe(key: string) -> i64:
//!     try:
//!         return lookup(key)
//!     catch err:
//!         return -1
//! ";
//! let mut program = engine.compile(src).expect("compiles");
//! assert_eq!(program.call::<(i64,), i64>("score", (70,)).unwrap(), 100);
//! assert_eq!(program.call::<(String,), i64>("safe", ("answer".into(),)).unwrap(), 42);
//! assert_eq!(program.call::<(String,), i64>("safe", ("nope".into(),)).unwrap(), -1);
//!
//! // A type error in the script is a normal diagnostic:
//! let diags = engine.compile("x = clamp(1.5, 0, 1)").err().expect("type error");
//! assert_eq!(diags.first_code(), Some("E2002"));
//!
//! // Calling with the wrong Rust types is an error value, not a panic:
//! assert!(matches!(program.call::<(String,), i64>("score", ("x".into(),)), Err(Error::Signature { .. })));
//! ```
//!
//! Type mapping (Rust → Orus): `i32`, `i64`, `u32`, `u64`, `f64`, `bool` as themselves;
//! `String` (and `&str` for values given to Orus) → `string`; `Vec<T>` → `[T]`;
//! `HashMap<K, V>` → `Map<K, V>`; `Option<T>` → `Option<T>`; `()` → `void`. A host
//! function returning `Result<T, E>` has Orus result type `T`; an `Err(e)` raises the
//! catchable runtime error E0020 with `e.to_string()` as its message, and a panic raises
//! E0021. `Result<T, E>` as an argument or a value read from Orus is the Orus `Result`
//! enum. [`Value`] reads anything (structs with field names, enums with variant names).
//! See `docs/EMBEDDING.md`.

mod convert;
mod engine;
mod error;
mod program;
mod types;
mod value;

pub use crate::vm::host::{HostCx, HostFn};
pub use convert::{FromOrus, HostReturn, IntoOrus, OrusType};
pub use engine::{Engine, EngineBuilder, HostFunction, Limits, StdModules};
pub use error::{DiagnosticInfo, Diagnostics, Error};
pub use program::{Args, Func, GlobalDesc, InterruptHandle, Program};
pub use types::Type;
pub use value::Value;
