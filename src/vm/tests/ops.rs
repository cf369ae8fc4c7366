//! Arithmetic, comparisons, casts, jumps, counted loops, globals.

use super::{error, output};
use crate::diag::codes;

/// 1-based line of the first line of `src` containing `needle`.
pub fn line_of(src: &str, needle: &str) -> u32 {
    src.lines().position(|l| l.contains(needle)).expect("needle") as u32 + 1
}

#[test]
fn i32_arithmetic() {
    let src = "
.sig i32 i32 i32 i32 i32 i32
.fn main params=1 regs=12
  LoadI 1 -7
  LoadI 2 2
  AddI32 3 1 2
  SubI32 4 1 2
  MulI32 5 1 2
  DivI32 6 1 2
  RemI32 7 1 2
  AddII32 8 1 -100
  Print 3 6 0
  LoadI 0 0
  Ret 0
";
    assert_eq!(output(src), "-5 -9 -14 -3 -1 -107\n");
}

fn binop(op: &str, ty: &str, a: &str, b: &str) -> String {
    format!(
        "
.sig {ty}
.const {a}
.const {b}
.fn main params=1 regs=4
  LoadK 1 0
  LoadK 2 1
  {op} 3 1 2
  Print 3 1 0
  LoadI 0 0
  Ret 0
"
    )
}

#[test]
fn overflow_and_division_errors() {
    let cases = [
        ("AddI32", "i32", "2147483647", "1", codes::OVERFLOW),
        ("SubI32", "i32", "-2147483648", "1", codes::OVERFLOW),
        ("MulI32", "i32", "2147483647", "2", codes::OVERFLOW),
        ("DivI32", "i32", "-2147483648", "-1", codes::OVERFLOW),
        ("DivI32", "i32", "5", "0", codes::DIVISION_BY_ZERO),
        ("RemI32", "i32", "5", "0", codes::DIVISION_BY_ZERO),
        ("AddI64", "i64", "9223372036854775807", "1", codes::OVERFLOW),
        ("MulI64", "i64", "-9223372036854775808", "-1", codes::OVERFLOW),
        ("DivI64", "i64", "-9223372036854775808", "-1", codes::OVERFLOW),
        ("RemI64", "i64", "1", "0", codes::DIVISION_BY_ZERO),
        ("DivU", "u64", "1", "0", codes::DIVISION_BY_ZERO),
        ("RemU", "u32", "1", "0", codes::DIVISION_BY_ZERO),
        ("ShlI32", "i32", "1", "32", codes::SHIFT_OUT_OF_RANGE),
        ("ShlI64", "i64", "1", "-1", codes::SHIFT_OUT_OF_RANGE),
        ("ShrU32", "u32", "1", "32", codes::SHIFT_OUT_OF_RANGE),
        ("ShrU64", "u64", "1", "64", codes::SHIFT_OUT_OF_RANGE),
    ];
    for (op, ty, a, b, code) in cases {
        let src = binop(op, ty, a, b);
        let (e, out) = error(&src);
        assert_eq!(e.code, code, "{op} {a} {b}: {}", e.message);
        assert_eq!(out, "");
        assert_eq!(e.trace.len(), 1);
        assert_eq!(e.trace[0].function, "main");
        assert_eq!(e.trace[0].line, line_of(&src, op));
    }
    assert_eq!(error(&binop("DivI32", "i32", "1", "0")).0.message, "division by zero");
    assert_eq!(error(&binop("AddI32", "i32", "2147483647", "1")).0.message, "integer overflow");
}

#[test]
fn wrapping_and_edge_results() {
    let cases = [
        ("SubU32", "u32", "0", "1", "4294967295"),
        ("AddU32", "u32", "4294967295", "2", "1"),
        ("MulU32", "u32", "65536", "65536", "0"),
        ("SubU64", "u64", "0", "1", "18446744073709551615"),
        ("MulU64", "u64", "-1", "2", "18446744073709551614"),
        ("RemI32", "i32", "-2147483648", "-1", "0"),
        ("RemI64", "i64", "-7", "3", "-1"),
        ("DivU", "u64", "-1", "2", "9223372036854775807"),
        ("ShlI32", "i32", "1", "31", "-2147483648"),
        ("ShlI32", "i32", "3", "31", "-2147483648"),
        ("ShrI32", "i32", "-16", "2", "-4"),
        ("ShrI64", "i64", "-1", "63", "-1"),
        ("ShrU32", "u32", "4294967295", "28", "15"),
        ("ShlU32", "u32", "4294967295", "4", "4294967280"),
        ("ShlU64", "u64", "1", "63", "9223372036854775808"),
        ("BitAnd", "i32", "12", "10", "8"),
        ("BitOr", "i32", "12", "10", "14"),
        ("BitXor", "i32", "12", "10", "6"),
        ("LtS", "bool", "-1", "0", "true"),
        ("LtU", "bool", "-1", "0", "false"),
        ("LeS", "bool", "3", "3", "true"),
        ("Eq", "bool", "3", "4", "false"),
        ("Ne", "bool", "3", "4", "true"),
        ("AddF64", "f64", "0.1f", "0.2f", "0.30000000000000004"),
        ("DivF64", "f64", "1f", "0f", "inf"),
        ("DivF64", "f64", "0f", "0f", "NaN"),
        ("RemF64", "f64", "7.5f", "2f", "1.5"),
        ("LtF64", "bool", "1f", "2f", "true"),
        ("EqF64", "bool", "0f", "-0f", "true"),
    ];
    for (op, ty, a, b, want) in cases {
        assert_eq!(output(&binop(op, ty, a, b)), format!("{want}\n"), "{op} {a} {b}");
    }
}

fn unop(op: &str, from: &str, to: &str, a: &str) -> String {
    format!(
        "
.sig {to}
.const {a}
.fn main params=1 regs=4
  LoadK 1 0
  {op} 3 1
  Print 3 1 0
  LoadI 0 0
  Ret 0
; {from}
"
    )
}

#[test]
fn unary_ops_and_casts() {
    let ok = [
        ("NegI32", "i32", "i32", "5", "-5"),
        ("NegF64", "f64", "f64", "0f", "-0"),
        ("BitNot", "i32", "i32", "12", "-13"),
        ("BitNotU32", "u32", "u32", "4294967295", "0"),
        ("Not", "bool", "bool", "0", "true"),
        ("TruncI32", "i64", "i32", "4294967301", "5"),
        ("TruncI32", "i64", "i32", "2147483648", "-2147483648"),
        ("TruncU32", "i32", "u32", "-1", "4294967295"),
        ("IntToBool", "i32", "bool", "-4", "true"),
        ("SIntToF64", "i64", "f64", "-3", "-3"),
        ("UIntToF64", "u64", "f64", "-1", "18446744073709552000"),
        ("F64ToI32", "f64", "i32", "-3.99f", "-3"),
        ("F64ToI64", "f64", "i64", "2.5e9f", "2500000000"),
        ("F64ToU32", "f64", "u32", "255.9f", "255"),
        ("F64ToU64", "f64", "u64", "1e10f", "10000000000"),
    ];
    for (op, from, to, a, want) in ok {
        assert_eq!(output(&unop(op, from, to, a)), format!("{want}\n"), "{op} {a}");
    }
    let bad = [
        ("NegI32", "-2147483648", codes::OVERFLOW),
        ("NegI64", "-9223372036854775808", codes::OVERFLOW),
        ("F64ToI32", "NaNf", codes::BAD_CONVERSION),
        ("F64ToI32", "2147483648f", codes::BAD_CONVERSION),
        ("F64ToI64", "1e20f", codes::BAD_CONVERSION),
        ("F64ToU32", "-1.5f", codes::BAD_CONVERSION),
        ("F64ToU64", "infinityf", codes::BAD_CONVERSION),
    ];
    for (op, a, code) in bad {
        assert_eq!(error(&unop(op, "f64", "i32", a)).0.code, code, "{op} {a}");
    }
}

fn counted(prep: &str, start: i64, end: i64, step: i64, incl: bool, ty: &str) -> String {
    format!(
        "
.sig {ty}
.const {start}
.const {end}
.const {step}
.fn main params=1 regs=8
  LoadK 1 0
  LoadK 2 1
  LoadK 3 2
  LoadI 4 {}
  {prep} 1 done
body:
  Print 4 1 0
  ForLoop 1 body
done:
  LoadI 0 0
  Ret 0
",
        incl as i32
    )
}

#[test]
fn counted_loops() {
    let lines = |s: String| s.lines().map(str::to_string).collect::<Vec<_>>().join(" ");
    assert_eq!(lines(output(&counted("ForPrepS", 0, 10, 2, false, "i32"))), "0 2 4 6 8");
    assert_eq!(lines(output(&counted("ForPrepS", 10, 0, -3, false, "i32"))), "10 7 4 1");
    assert_eq!(lines(output(&counted("ForPrepS", 0, 3, 1, true, "i32"))), "0 1 2 3");
    assert_eq!(lines(output(&counted("ForPrepS", 0, 10, 5, true, "i32"))), "0 5 10");
    assert_eq!(lines(output(&counted("ForPrepS", 5, 5, 1, false, "i32"))), "");
    assert_eq!(lines(output(&counted("ForPrepS", 3, 0, 1, true, "i32"))), "");
    assert_eq!(
        lines(output(&counted("ForPrepS", 2147483645, 2147483647, 1, true, "i32"))),
        "2147483645 2147483646 2147483647"
    );
    assert_eq!(
        lines(output(&counted("ForPrepU", 4294967293, 4294967295, 1, true, "u32"))),
        "4294967293 4294967294 4294967295"
    );
    let (e, _) = error(&counted("ForPrepS", 0, 10, 0, false, "i32"));
    assert_eq!(e.code, codes::ZERO_STEP);
    assert_eq!(error(&counted("ForPrepU", 0, 10, 0, false, "u32")).0.code, codes::ZERO_STEP);
}

#[test]
fn jumps_and_while_loop() {
    // sum = 0; i = 0; while i < 100000: sum += i; i += 1
    let src = "
.sig i64
.fn main params=1 regs=8
  LoadI 1 0
  LoadI 2 0
  LoadK 3 0
top:
  LtS 4 2 3
  JmpIfNot 4 end
  AddI64 1 1 2
  AddII64 2 2 1
  Jmp top
end:
  Print 1 1 0
  LoadI 0 0
  Ret 0
.const 100000
";
    assert_eq!(output(src), "4999950000\n");
}

#[test]
fn globals() {
    let src = "
.sig i32
.global counter
.global later ref
.fn main params=1 regs=4
  LoadI 1 41
  SetGlobal 1 counter
  GetGlobal 2 counter
  AddII32 2 2 1
  Print 2 1 0
  GetGlobal 3 later
  Ret0
";
    let (e, out) = error(src);
    assert_eq!(out, "42\n");
    assert_eq!(e.code, codes::UNINITIALIZED);
    assert!(e.message.contains("later"), "{}", e.message);
}

#[test]
fn exit_code_from_entry() {
    let src = "
.fn main params=1 regs=2
  LoadI 1 -3
  Ret 1
";
    assert_eq!(super::run(src).result, Ok(-3));
}

/// Timing smoke test: `cargo test --release -- --ignored --nocapture loop_timing`.
#[test]
#[ignore]
fn loop_timing() {
    // 20M iterations of a 5-instruction while loop, then a 20M-trip counted loop.
    let src = "
.sig i64 i64
.const 20000000
.fn main params=1 regs=12
  LoadI 1 0
  LoadI 2 0
  LoadK 3 0
top:
  LtS 4 2 3
  JmpIfNot 4 end
  AddI64 1 1 2
  AddII64 2 2 1
  Jmp top
end:
  LoadI 5 0
  LoadI 6 0
  LoadK 7 0
  LoadI 8 1
  LoadI 9 0
  ForPrepS 6 done
body:
  AddI64 5 5 9
  ForLoop 6 body
done:
  Move 2 5
  Print 1 2 0
  LoadI 0 0
  Ret 0
";
    let t = std::time::Instant::now();
    let o = super::run_with(src, &crate::vm::VmConfig::default(), &[], "");
    println!("loops: {} in {:?}", o.out.trim(), t.elapsed());
    assert_eq!(o.out, "199999990000000 199999990000000\n");
}
