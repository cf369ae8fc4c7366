//! Fuzz target `run`: compiles the input and, when it compiles, runs it with small limits
//! (16 MB heap, an instruction budget of 1,000,000, a 1 s deadline, 10,000 frames), no
//! input and output discarded. Any result is fine (an exit code or an Orus runtime error)
//! except an internal error (E9001, a bug in Orus), which is reported as a crash, as is
//! any panic.
#![no_main]

use std::io::{sink, Cursor};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use orus::diag::codes::INTERNAL;
use orus::VmConfig;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let compiled = orus::compile_source("fuzz.orus", &src);
    if let Some(d) = compiled.diagnostics.iter().find(|d| d.code == INTERNAL) {
        panic!("internal compiler error: {} ({:?})", d.title, d.primary.message);
    }
    let Some(program) = compiled.program else { return };
    let config = VmConfig {
        max_call_depth: 10_000,
        gc_stress: false,
        max_heap_bytes: Some(16 << 20),
        instruction_budget: Some(1_000_000),
        deadline: Some(Instant::now() + Duration::from_secs(1)),
        interrupt: None,
    };
    let (result, _stats) = orus::vm::run_with_io(&program, &config, &[], &mut Cursor::new(Vec::new()), &mut sink());
    if let Err(e) = result {
        assert_ne!(e.code, INTERNAL, "internal runtime error: {}", e.message);
    }
});
