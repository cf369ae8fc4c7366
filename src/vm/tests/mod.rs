//! VM tests on hand-assembled programs (see `asm.rs` for the syntax).

mod adt;
mod adt_gc;
mod asm;
mod calls;
mod display;
mod gc;
mod map_gc;
mod map_show;
mod maps;
mod natives;
mod ops;
mod strings;
mod verifier;

use std::io::Cursor;

use super::error::RuntimeError;
use super::{run_with_io, GcStats, VmConfig};

pub struct Outcome {
    pub result: Result<i32, RuntimeError>,
    pub out: String,
    pub stats: GcStats,
}

pub fn run_with(src: &str, config: &VmConfig, args: &[&str], stdin: &str) -> Outcome {
    let prog = asm::assemble(src);
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut input = Cursor::new(stdin.as_bytes().to_vec());
    let mut out = Vec::new();
    let (result, stats) = run_with_io(&prog, config, &args, &mut input, &mut out);
    Outcome { result, out: String::from_utf8_lossy(&out).into_owned(), stats }
}

/// Runs normally and under GC stress; both runs must agree. Returns the normal run.
pub fn run(src: &str) -> Outcome {
    let normal = run_with(src, &VmConfig { max_call_depth: 250_000, gc_stress: false, ..VmConfig::default() }, &[], "");
    let stress = run_with(src, &VmConfig { max_call_depth: 250_000, gc_stress: true, ..VmConfig::default() }, &[], "");
    assert_eq!(normal.out, stress.out, "output differs under GC stress");
    assert_eq!(normal.result, stress.result, "result differs under GC stress");
    normal
}

/// Runs and expects exit code 0; returns stdout.
pub fn output(src: &str) -> String {
    let o = run(src);
    if let Err(e) = &o.result {
        panic!("unexpected error {e} {:?}\noutput so far:\n{}", e.trace, o.out);
    }
    assert_eq!(o.result, Ok(0));
    o.out
}

/// Runs and expects an uncaught runtime error; returns it and stdout.
pub fn error(src: &str) -> (RuntimeError, String) {
    let o = run(src);
    match o.result {
        Err(e) => (e, o.out),
        Ok(code) => panic!("expected an error, got exit {code}; output:\n{}", o.out),
    }
}
