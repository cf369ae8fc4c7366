//! Helpers shared by the criterion benchmarks (`benches/*.rs` include this with `mod common;`).
//! Not every bench uses every helper.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use orus::bytecode::chunk::Program;
use orus::diag::render::{render_diagnostics, ErrorFormat};
use orus::VmConfig;

/// `bench/programs/` in this repository (copies of `../shared/bench/programs/*.orus`).
pub fn programs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench").join("programs")
}

/// Compile `src` or panic with the rendered diagnostics.
pub fn compile(name: &str, src: &str) -> Program {
    let compiled = orus::compile_source(name, src);
    match compiled.program {
        Some(p) => p,
        None => panic!(
            "benchmark program {name} failed to compile:\n{}",
            render_diagnostics(&compiled.diagnostics, &compiled.files, ErrorFormat::Short, false)
        ),
    }
}

/// Run with output discarded (what the timed loops do). Panics on a runtime error or a
/// non-zero exit code.
pub fn run_to_sink(program: &Program) {
    let mut sink = std::io::sink();
    match orus::run_program(program, &VmConfig::default(), &[], &mut sink) {
        Ok(0) => {}
        Ok(code) => panic!("program exited with code {code}"),
        Err(e) => panic!("runtime error: {e:?}"),
    }
}

/// Run once, returning the program's stdout.
pub fn run_captured(program: &Program) -> String {
    let mut out = Vec::new();
    match orus::run_program(program, &VmConfig::default(), &[], &mut out) {
        Ok(0) => {}
        Ok(code) => panic!("program exited with code {code}"),
        Err(e) => panic!("runtime error: {e:?}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The last non-empty line of `text` (the checksum line of a benchmark program).
pub fn last_line(text: &str) -> &str {
    text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
}

/// Wall time of one call of `f`.
pub fn time_once(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

/// Median wall time of `reps` calls of `f` (after one untimed warm-up call).
pub fn median_time(reps: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..reps.max(1)).map(|_| time_once(&mut f)).collect();
    times.sort();
    times[times.len() / 2]
}

/// Human-readable duration with 3 significant-ish digits.
pub fn fmt_duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns >= 1e9 {
        format!("{:.3} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.3} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
