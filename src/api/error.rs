//! Errors of the embedding API: `Diagnostics` (compile errors, renderable with the same
//! renderer as the command line, or inspectable one by one) and `Error` (what running or
//! calling a program can end with: an uncaught Orus runtime error, `exit()`, or a host-side
//! mistake such as calling a function that does not exist or with the wrong Rust types).

use std::fmt;

use crate::diag::render::{render_diagnostics, render_runtime_error, ErrorFormat};
use crate::diag::{Diagnostic, Severity, SourceFile};
use crate::syntax::span::LineIndex;
use crate::vm::error::RuntimeError;

/// The diagnostics of a failed compilation (errors, and any warnings).
#[derive(Clone, Debug)]
pub struct Diagnostics {
    pub(crate) diags: Vec<Diagnostic>,
    pub(crate) files: Vec<SourceFile>,
}

/// One diagnostic, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagnosticInfo {
    /// The code, e.g. `E2002`; `orus explain CODE` describes it.
    pub code: &'static str,
    pub is_error: bool,
    /// The one-line title, e.g. `type mismatch`.
    pub message: String,
    /// The primary label's text.
    pub label: String,
    /// Byte range of the primary span in the source.
    pub start: usize,
    pub end: usize,
    /// 1-based line and column of the primary span's start (0 when it has no location,
    /// e.g. a host declaration).
    pub line: u32,
    pub column: u32,
    pub help: Option<String>,
    pub note: Option<String>,
}

impl Diagnostics {
    /// Every diagnostic, in source order.
    pub fn iter(&self) -> impl Iterator<Item = DiagnosticInfo> + '_ {
        self.diags.iter().map(|d| {
            let file = self.files.get(d.primary.span.file as usize);
            let (line, column) = match file {
                Some(f) => LineIndex::new(&f.text).line_col(d.primary.span.start),
                None => (0, 0),
            };
            DiagnosticInfo {
                code: d.code,
                is_error: d.severity == Severity::Error,
                message: d.title.clone(),
                label: d.primary.message.clone(),
                start: d.primary.span.start as usize,
                end: d.primary.span.end as usize,
                line,
                column,
                help: d.help.clone(),
                note: d.note.clone(),
            }
        })
    }

    /// The first error's code.
    pub fn first_code(&self) -> Option<&'static str> {
        self.diags.iter().find(|d| d.is_error()).map(|d| d.code)
    }

    /// Rendered like the command line does, with source excerpts (no color).
    pub fn render(&self) -> String {
        render_diagnostics(&self.diags, &self.files, ErrorFormat::Human, false)
    }

    /// Rendered in a chosen format and with or without ANSI colors.
    pub fn render_as(&self, format: ErrorFormat, color: bool) -> String {
        render_diagnostics(&self.diags, &self.files, format, color)
    }

    /// The underlying diagnostics.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.diags
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_diagnostics(&self.diags, &self.files, ErrorFormat::Short, false))
    }
}

impl std::error::Error for Diagnostics {}

/// How running or calling a program failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// An Orus runtime error nothing caught (including limits, host function errors E0020
    /// and host panics E0021), with its code, message and Orus stack trace.
    Runtime(RuntimeError),
    /// The script called `exit(code)` during a `call`.
    Exit(i32),
    /// No top-level function of that name was compiled (generic functions exist only at
    /// the instantiations the script uses).
    NoSuchFunction(String),
    /// No global of that name.
    NoSuchGlobal(String),
    /// The Rust argument or result types do not match the Orus function or global.
    Signature {
        name: String,
        /// The Orus type(s), e.g. `fn(i64) -> bool`.
        orus: String,
        /// The Rust side, e.g. `(i32,) -> bool`.
        rust: String,
    },
}

impl Error {
    /// The runtime error code (`E0015`, ...), for runtime errors.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Error::Runtime(e) => Some(e.code),
            _ => None,
        }
    }

    /// The runtime error's message, or a description of the other kinds.
    pub fn message(&self) -> String {
        match self {
            Error::Runtime(e) => e.message.clone(),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Runtime(e) => write!(f, "{e}"),
            Error::Exit(code) => write!(f, "the script called exit({code})"),
            Error::NoSuchFunction(n) => write!(f, "no function `{n}` in the program"),
            Error::NoSuchGlobal(n) => write!(f, "no global `{n}` in the program"),
            Error::Signature { name, orus, rust } => {
                write!(f, "`{name}` has Orus type `{orus}`, which does not match the Rust types {rust}")
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<RuntimeError> for Error {
    fn from(e: RuntimeError) -> Error {
        Error::Runtime(e)
    }
}

/// Renders a runtime error with its Orus stack trace against the program's source.
pub(crate) fn render_runtime(err: &RuntimeError, files: &[SourceFile]) -> String {
    render_runtime_error(err, files, ErrorFormat::Human, false)
}
