//! Native functions: string and array helpers, parsing, assertions, input, exit.

use super::{error, output, run_with};
use crate::diag::codes;
use crate::vm::VmConfig;

/// Calls native `call` (e.g. `Split` or `Min:i32`) on constant arguments and prints the
/// result as type `ret`.
fn native_src(call: &str, args: &[&str], ret: &str) -> String {
    let mut src = format!(".sig {ret}\n");
    for a in args {
        src += &format!(".const {a}\n");
    }
    src += ".fn main params=1 regs=10\n";
    for i in 0..args.len() {
        src += &format!("  LoadK {} {i}\n", i + 2);
    }
    src += &format!("  CallN 1 {} {call} !0,1\n  Print 1 1 0 !0\n  LoadI 0 0\n  Ret 0\n", args.len());
    src
}

fn native(call: &str, args: &[&str], ret: &str) -> String {
    output(&native_src(call, args, ret)).trim_end_matches('\n').to_string()
}

#[test]
fn string_natives() {
    let s = |t: &str| format!("\"{t}\"");
    let cases: Vec<(&str, Vec<String>, &str, &str)> = vec![
        ("Split", vec![s("alpha,beta,,gamma"), s(",")], "[str]", r#"["alpha", "beta", "", "gamma"]"#),
        ("Split", vec![s(""), s(",")], "[str]", r#"[""]"#),
        ("Split", vec![s("héllo"), s("")], "[str]", r#"["h", "é", "l", "l", "o"]"#),
        ("Chars", vec![s("日本")], "[str]", r#"["日", "本"]"#),
        ("Trim", vec![s("  trim me \t")], "str", "trim me"),
        ("ToUpper", vec![s("Mixed Case")], "str", "MIXED CASE"),
        ("ToLower", vec![s("Mixed Case")], "str", "mixed case"),
        ("Replace", vec![s("a-b-c"), s("-"), s("+")], "str", "a+b+c"),
        ("Replace", vec![s("aaa"), s("a"), s("bb")], "str", "bbbbbb"),
        ("Replace", vec![s("ab"), s(""), s("-")], "str", "-a-b-"),
        ("Repeat", vec![s("ab"), "3".into()], "str", "ababab"),
        ("Repeat", vec![s("ab"), "-2".into()], "str", ""),
        ("StrContains", vec![s("haystack"), s("st")], "bool", "true"),
        ("StrContains", vec![s("haystack"), s("needle")], "bool", "false"),
        ("StartsWith", vec![s("report.pdf"), s("rep")], "bool", "true"),
        ("EndsWith", vec![s("report.pdf"), s(".pdf")], "bool", "true"),
        ("EndsWith", vec![s("report"), s("port!")], "bool", "false"),
        ("ParseInt", vec![s(" 42 ")], "i32", "42"),
        ("ParseInt", vec![s("-17")], "i32", "-17"),
        ("ParseInt", vec![s("+5")], "i32", "5"),
        ("ParseFloat", vec![s("3.25")], "f64", "3.25"),
        ("ParseFloat", vec![s(" 1e3\\n")], "f64", "1000"),
        ("ParseFloat", vec![s("inf")], "f64", "inf"),
        ("ParseFloat", vec![s("-2")], "f64", "-2"),
        ("Min:i32", vec!["3".into(), "-2".into()], "i32", "-2"),
        ("Max:i32", vec!["3".into(), "-2".into()], "i32", "3"),
        ("Max:u64", vec!["-1".into(), "2".into()], "u64", "18446744073709551615"),
        ("Min:f64", vec!["2.5f".into(), "1.5f".into()], "f64", "1.5"),
        ("Max:str", vec![s("pear"), s("apple")], "str", "pear"),
        ("Abs:i32", vec!["-7".into()], "i32", "7"),
        ("Abs:i64", vec!["-5000000000".into()], "i64", "5000000000"),
        ("Abs:f64", vec!["-2.5f".into()], "f64", "2.5"),
        ("AssertEq:i32", vec![s("sum"), "4".into(), "4".into()], "bool", "true"),
    ];
    for (call, args, ret, want) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(native(call, &a, ret), want, "{call} {args:?}");
    }
}

#[test]
fn native_errors() {
    let s = |t: &str| format!("\"{t}\"");
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        ("ParseInt", vec![s("12x")], codes::BAD_CONVERSION),
        ("ParseInt", vec![s("")], codes::BAD_CONVERSION),
        ("ParseInt", vec![s("3.9")], codes::BAD_CONVERSION),
        ("ParseInt", vec![s("2147483648")], codes::BAD_CONVERSION),
        ("ParseFloat", vec![s("abc")], codes::BAD_CONVERSION),
        ("Abs:i32", vec!["-2147483648".into()], codes::OVERFLOW),
        ("Assert", vec!["0".into()], codes::ASSERTION_FAILED),
        ("Input", vec![], codes::END_OF_INPUT),
    ];
    for (call, args, code) in cases {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let ret = if call == "Input" { "str" } else { "i32" };
        assert_eq!(error(&native_src(call, &a, ret)).0.code, code, "{call} {args:?}");
    }
    let (e, _) = error(&native_src("AssertEq:i32", &["\"big total\"", "30", "31"], "bool"));
    assert_eq!(e.code, codes::ASSERTION_FAILED);
    assert!(e.message.contains("big total") && e.message.contains("31") && e.message.contains("30"), "{}", e.message);
}

#[test]
fn array_natives() {
    // xs = [5, 3, 8]; insert(xs, 0, 42); remove(xs, 1); sorted; sort; reverse; contains.
    let src = "
.sig [i32] [i32] bool bool i32
.sig [str] [str]
.const \"pear\"
.const \"Apple\"
.const \"fig\"
.fn main params=1 regs=16
  LoadI 1 5
  LoadI 2 3
  LoadI 3 8
  NewArray 4 1 3 0 !0,4
  Move 12 4
  LoadI 13 0
  LoadI 14 42
  CallN 11 3 ArrayInsert !0,4
  Move 12 4
  LoadI 13 1
  CallN 11 2 ArrayRemove !0,4
  Move 8 11
  Move 12 4
  CallN 11 1 Reverse !0,4
  Move 12 4
  CallN 11 1 Sorted:i32 !0,4,11
  Move 5 11
  Move 12 4
  LoadI 13 8
  CallN 11 2 ArrayContains:i32 !0,4,5
  Move 6 11
  Move 12 4
  LoadI 13 100
  CallN 11 2 ArrayContains:i32 !0,4,5
  Move 7 11
  Print 4 5 0 !0,4
  LoadK 1 0
  LoadK 2 1
  LoadK 3 2
  NewArray 9 1 3 1 !0,4,9
  Move 12 9
  CallN 11 1 Sorted:str !0,4,9,11
  Move 10 11
  Print 9 2 1 !0,4
  Move 12 4
  LoadI 13 3
  CallN 11 2 ArrayRemove !0
  Ret0
";
    let (e, out) = error(src);
    assert_eq!(
        out,
        "[8, 3, 42] [3, 8, 42] true false 5\n[\"pear\", \"Apple\", \"fig\"] [\"Apple\", \"fig\", \"pear\"]\n"
    );
    assert_eq!(e.code, codes::INDEX_OUT_OF_RANGE);
}

#[test]
fn input_lines_and_prompt() {
    let src = "
.sig str str
.const \"name? \"
.fn main params=1 regs=8
  LoadK 2 0
  CallN 1 1 InputPrompt !0,1
  CallN 2 0 Input !0,1,2
  Print 1 2 0 !0
  CallN 2 0 Input !0
  Ret0
";
    let o = run_with(src, &VmConfig::default(), &[], "Ada\r\nsecond\n");
    assert_eq!(o.out, "name? Ada second\n");
    assert_eq!(o.result.expect_err("eof").code, codes::END_OF_INPUT);
}

#[test]
fn exit_and_args() {
    let src = "
.sig [str]
.fn main params=1 regs=4
  Print 0 1 0 !0
  LoadI 2 4
  CallN 1 1 Exit !0
  LoadI 0 9
  Ret 0
";
    let o = run_with(src, &VmConfig::default(), &["alpha", "b c"], "");
    assert_eq!(o.out, "[\"alpha\", \"b c\"]\n");
    assert_eq!(o.result, Ok(4));
}
