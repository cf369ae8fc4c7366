//! Runtime errors: an error code (E0xxx), a one-line message, and the Orus stack trace at
//! the point the error was raised (innermost frame first).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    /// Function display name (`main`, `max_of<i32>`, `<top level>`).
    pub function: String,
    /// Index into `Program::files`.
    pub file: u32,
    /// 1-based source line being executed in that frame.
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    pub code: &'static str,
    pub message: String,
    pub trace: Vec<TraceFrame>,
    /// Frames left out of `trace` between its innermost and outermost parts (very deep
    /// recursion); a renderer can print "... N more frames ..." after the innermost ones.
    /// The omitted frames sit at index `TRACE_INNER` of `trace`.
    pub frames_omitted: usize,
}

/// How many innermost frames a trace keeps when it omits some.
pub const TRACE_INNER: usize = 48;
/// How many outermost frames a trace keeps when it omits some.
pub const TRACE_OUTER: usize = 16;

impl RuntimeError {
    /// An error without a trace yet; the VM fills the trace in when it raises it.
    pub fn new(code: &'static str, message: impl Into<String>) -> RuntimeError {
        RuntimeError { code, message: message.into(), trace: Vec::new(), frames_omitted: 0 }
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for RuntimeError {}
