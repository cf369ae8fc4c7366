//! Fuzz target `check`: the whole front end and code generator (`orus::check_source`:
//! parse, resolve, type-check, generate and verify bytecode). `check_source` turns an
//! internal panic into an E9001 diagnostic, so this target reports E9001 as a crash: a
//! bug must not hide behind the safety net.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let diags = orus::check_source("fuzz.orus", &src);
    if let Some(d) = diags.iter().find(|d| d.code == orus::diag::codes::INTERNAL) {
        panic!("internal compiler error: {} ({:?})", d.title, d.primary.message);
    }
});
