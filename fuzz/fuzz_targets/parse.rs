//! Fuzz target `parse`: the lexer, the layout pass and the parser (`syntax::parse_module`)
//! must return a module and diagnostics for any input, never panic or hang. Invalid UTF-8
//! is replaced (the CLI reads files the same way).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let _ = orus::syntax::parse_module(&src, 0);
});
