//! Calls, deep recursion and its limit, closures and cells, try/catch unwinding.

use super::ops::line_of;
use super::{error, output, run_with};
use crate::diag::codes;
use crate::vm::VmConfig;

const FIB: &str = "
.sig i32
.fn main params=1 regs=4
  LoadI 2 20
  CallK 1 1 fib
  Print 1 1 0
  LoadI 0 0
  Ret 0
.fn fib params=1 regs=5
  LoadI 1 2
  LtS 2 0 1
  JmpIfNot 2 rec
  Ret 0
rec:
  AddII32 3 0 -1
  CallK 2 1 fib
  AddII32 4 0 -2
  CallK 3 1 fib
  AddI32 2 2 3
  Ret 2
";

#[test]
fn recursive_calls() {
    assert_eq!(output(FIB), "6765\n");
}

fn deep(n: i64) -> String {
    format!(
        "
.sig i32
.const {n}
.fn main params=1 regs=4
  LoadK 2 0
  CallK 1 1 deep
  Print 1 1 0
  LoadI 0 0
  Ret 0
.fn deep params=1 regs=4
  LoadI 1 0
  Eq 2 0 1
  JmpIfNot 2 rec
  Ret 1
rec:
  AddII32 3 0 -1
  CallK 2 1 deep
  AddII32 2 2 1
  Ret 2
"
    )
}

#[test]
fn million_frames_with_raised_limit() {
    let cfg = VmConfig { max_call_depth: 1_100_000, gc_stress: false, ..VmConfig::default() };
    let o = run_with(&deep(1_000_000), &cfg, &[], "");
    assert_eq!(o.result, Ok(0));
    assert_eq!(o.out, "1000000\n");
}

#[test]
fn default_limit_is_a_stack_overflow_error() {
    let cfg = VmConfig { max_call_depth: 250_000, gc_stress: false, ..VmConfig::default() };
    let src = deep(1_000_000);
    let o = run_with(&src, &cfg, &[], "");
    let e = o.result.expect_err("must overflow");
    assert_eq!(e.code, codes::STACK_OVERFLOW);
    assert_eq!(e.message, "stack overflow");
    assert_eq!(e.trace.len(), 64);
    assert_eq!(e.frames_omitted, 250_000 - 64);
    assert_eq!(e.trace[0].function, "deep");
    assert_eq!(e.trace[0].line, line_of(&src, "CallK 2 1 deep"));
    assert_eq!(e.trace.last().map(|t| t.function.as_str()), Some("main"));
    // Within the limit it works.
    assert_eq!(run_with(&deep(200_000), &cfg, &[], "").out, "200000\n");
}

#[test]
fn stack_overflow_is_catchable_and_recursion_still_works() {
    let src = "
.sig str
.sig i32
.const \"caught\"
.const 90000
.fn forever params=1 regs=4
  AddII32 3 0 1
  CallK 2 1 forever
  Ret 2
.fn deep params=1 regs=4
  LoadI 1 0
  Eq 2 0 1
  JmpIfNot 2 rec
  Ret 1
rec:
  AddII32 3 0 -1
  CallK 2 1 deep
  AddII32 2 2 1
  Ret 2
.fn main params=1 regs=6
  TryBegin 1 handler !0
  LoadI 3 0
  CallK 2 1 forever !0
  TryEnd
handler:
  LoadK 2 0
  Print 2 1 0 !0
  LoadK 3 1
  CallK 2 1 deep !0
  Print 2 1 1
  LoadI 0 0
  Ret 0
";
    let cfg = VmConfig { max_call_depth: 100_000, gc_stress: false, ..VmConfig::default() };
    let o = run_with(src, &cfg, &[], "");
    assert_eq!(o.result, Ok(0));
    assert_eq!(o.out, "caught\n90000\n");
}

const COUNTER: &str = "
.sig i32 i32 i32
.sig i32
.fn make params=0 regs=3
  LoadI 1 0
  NewCell 0 1 0 !0
  Closure 2 counter !0,2
  Ret 2
.fn counter params=0 regs=3 caps=R0*
  GetCap 0 0
  GetCell 1 0
  AddII32 1 1 1
  SetCell 0 1
  Ret 1
.fn main params=1 regs=8
  CallK 1 0 make !0
  Move 2 1
  Call 2 0 !0,1
  Move 3 1
  Call 3 0 !0,1
  Move 4 1
  Call 4 0 !0,1
  Print 2 3 0 !0,1
  CallK 5 0 make !0,1
  Call 5 0 !0,1
  Print 5 1 1 !0,1
  LoadI 0 0
  Ret 0
";

#[test]
fn closures_share_cells() {
    assert_eq!(output(COUNTER), "1 2 3\n1\n");
}

#[test]
fn nested_closure_captures_capture() {
    // outer(x) returns a closure that returns a closure that reads the captured string.
    let src = "
.sig str
.const \"captured\"
.fn outer params=1 regs=3
  Closure 1 mid !0,1
  Ret 1
.fn mid params=0 regs=2 caps=R0*
  Closure 0 inner !0
  Ret 0
.fn inner params=0 regs=2 caps=C0*
  GetCap 0 0
  Ret 0
.fn main params=1 regs=6
  LoadK 2 0
  CallK 1 1 outer !0
  Call 1 0 !0
  Call 1 0 !0
  Print 1 1 0
  LoadI 0 0
  Ret 0
";
    assert_eq!(output(src), "captured\n");
}

const TRY: &str = "
.sig str
.sig Error
.const \"boom\"
.fn thrower params=0 regs=2
  LoadK 0 0
  Panic 0
.fn middle params=0 regs=2
  CallK 0 0 thrower
  Ret0
.fn main params=1 regs=6
  TryBegin 1 handler !0
  CallK 2 0 middle !0
  TryEnd
  Jmp after
handler:
  ErrorField 3 1 0
  Print 3 1 0 !0,1
  ErrorField 3 1 1
  Print 3 1 0 !0,1
  Print 1 1 1 !0
after:
  CallK 2 0 middle !0
  LoadI 0 0
  Ret 0
";

#[test]
fn try_catch_unwinds_across_frames() {
    let (e, out) = error(TRY);
    assert_eq!(out, "boom\nE0006\nError: boom\n");
    assert_eq!(e.code, codes::PANIC);
    assert_eq!(e.message, "boom");
    let names: Vec<&str> = e.trace.iter().map(|t| t.function.as_str()).collect();
    assert_eq!(names, ["thrower", "middle", "main"]);
    assert_eq!(e.trace[0].line, line_of(TRY, "Panic 0"));
    assert_eq!(e.trace[2].line, line_of(TRY, "after:") + 1);
}

#[test]
fn nested_handlers_rethrow_and_native_errors() {
    let src = "
.sig str str
.const \"inner saw:\"
.const \"outer saw:\"
.const \"abc\"
.const \"rethrown\"
.fn risky params=0 regs=4
  TryBegin 0 h
  LoadK 2 2
  CallN 1 1 ParseInt !
  TryEnd
  Ret0
h:
  LoadK 1 0
  ErrorField 2 0 0
  Print 1 2 0 !0
  LoadK 3 3
  Panic 3
.fn main params=1 regs=6
  TryBegin 1 handler !0
  CallK 2 0 risky !0
  TryEnd
  LoadI 0 1
  Ret 0
handler:
  LoadK 2 1
  ErrorField 3 1 0
  Print 2 2 0 !0
  LoadI 0 0
  Ret 0
";
    assert_eq!(output(src), "inner saw: cannot convert \"abc\" to int\nouter saw: rethrown\n");
}

#[test]
fn returning_drops_the_frames_handlers() {
    let src = "
.const \"late\"
.fn guarded params=0 regs=2
  TryBegin 0 h
  Ret0
h:
  Ret0
.fn main params=1 regs=4
  CallK 1 0 guarded !0
  LoadK 2 0
  Panic 2
";
    let (e, _) = error(src);
    assert_eq!(e.message, "late");
    assert_eq!(e.trace.len(), 1);
}

#[test]
fn calling_a_closure_with_wrong_arity_is_internal() {
    let src = "
.fn f params=1 regs=2
  Ret 0
.fn main params=1 regs=4
  Closure 1 f !0,1
  Call 1 0 !0
  Ret0
";
    assert_eq!(error(src).0.code, codes::INTERNAL);
}

/// Timing smoke test: `cargo test --release -- --ignored --nocapture fib_timing`.
#[test]
#[ignore]
fn fib_timing() {
    let src = FIB.replace("LoadI 2 20", "LoadI 2 32");
    let t = std::time::Instant::now();
    let o = run_with(&src, &VmConfig::default(), &[], "");
    println!("fib(32) = {} in {:?}", o.out.trim(), t.elapsed());
    assert_eq!(o.out, "2178309\n");
}
