//! Display forms and `print` templates (section 12, rule 16.6, conformance/printing).

use super::output;

/// Prints the given (type, constant) values with one `Print`.
fn print_vals(vals: &[(&str, &str)]) -> String {
    let types: Vec<&str> = vals.iter().map(|v| v.0).collect();
    let mut src = format!(".sig {}\n", types.join(" "));
    for (_, v) in vals {
        src += &format!(".const {v}\n");
    }
    src += &format!(".fn main params=1 regs={}\n", vals.len() + 2);
    for i in 0..vals.len() {
        src += &format!("  LoadK {} {i}\n", i + 1);
    }
    src += &format!("  Print 1 {} 0 !0\n  LoadI 0 0\n  Ret 0\n", vals.len());
    let out = output(&src);
    out.strip_suffix('\n').expect("newline").to_string()
}

#[test]
fn format_specifiers() {
    let s = |t: &str| format!("\"{t}\"");
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (vec![("str", s("@ + @ = @")), ("i32", "1".into()), ("i32", "2".into()), ("i32", "3".into())], "1 + 2 = 3"),
        (vec![("str", s("n:")), ("i32", "5".into())], "n: 5"),
        (
            vec![
                ("str", s("hex @x HEX @X bin @b oct @o")),
                ("i32", "255".into()),
                ("i32", "255".into()),
                ("i32", "10".into()),
                ("i32", "8".into()),
            ],
            "hex ff HEX FF bin 1010 oct 10",
        ),
        (vec![("str", s("negative i32 in hex: @x")), ("i32", "-17".into())], "negative i32 in hex: ffffffef"),
        (vec![("str", s("negative i64 in hex: @x")), ("i64", "-1".into())], "negative i64 in hex: ffffffffffffffff"),
        (
            vec![("str", s("two's complement: @b / @o")), ("i32", "-8".into()), ("i32", "-8".into())],
            "two's complement: 11111111111111111111111111111000 / 37777777770",
        ),
        (vec![("str", s("@X")), ("u32", "3735928559".into())], "DEADBEEF"),
        (
            vec![
                ("str", s("pi ~ @.2f, @.4f, @.0f")),
                ("f64", "3.14159265f".into()),
                ("f64", "3.14159265f".into()),
                ("f64", "2.71828f".into()),
            ],
            "pi ~ 3.14, 3.1416, 3",
        ),
        (vec![("str", s("@ and @")), ("str", s("only one"))], "only one and @"),
        (vec![("str", s("cost: @.2f"))], "cost: @.2f"),
        (
            vec![("str", s("template")), ("str", s("with")), ("str", s("leftovers")), ("i32", "42".into())],
            "template with leftovers 42",
        ),
        (
            vec![("str", s("@ items:")), ("i32", "3".into()), ("str", s("extra")), ("bool", "1".into())],
            "3 items: extra true",
        ),
        (vec![("str", s("@x")), ("i32", "48879".into()), ("str", s("and more"))], "beef and more"),
        (vec![("i32", "1".into()), ("f64", "2.5f".into()), ("bool", "1".into()), ("str", s("x"))], "1 2.5 true x"),
        (vec![("str", s("100% sure"))], "100% sure"),
        (vec![("str", s("@.2f|@.1f")), ("i32", "3".into()), ("f64", "2.675f".into())], "3.00|2.7"),
        (vec![("str", s("@.2f")), ("f64", "2.675f".into())], "2.67"),
        (vec![("str", s("@x @.3f")), ("f64", "2.5f".into()), ("str", s("s"))], "2.5 s"),
        (vec![("str", s("a@b.c")), ("u64", "5".into())], "a101.c"),
        (vec![("str", s("tab\tseparated")), ("str", s("value"))], "tab\tseparated value"),
        (vec![], ""),
    ];
    for (vals, want) in cases {
        let v: Vec<(&str, &str)> = vals.iter().map(|(t, c)| (*t, c.as_str())).collect();
        assert_eq!(print_vals(&v), want, "{vals:?}");
    }
}

#[test]
fn float_display() {
    let cases = [
        ("5f", "5"),
        ("-2.5f", "-2.5"),
        ("100f", "100"),
        ("0.3333333333333333f", "0.3333333333333333"),
        ("1e21f", "1000000000000000000000"),
        ("1.5e22f", "15000000000000000000000"),
        ("123456789.125f", "123456789.125"),
        ("1e-7f", "0.0000001"),
        ("6.02214076e23f", "602214076000000000000000"),
        ("-0f", "-0"),
        ("inff", "inf"),
        ("-inff", "-inf"),
        ("NaNf", "NaN"),
        ("9007199254740994f", "9007199254740994"),
    ];
    for (c, want) in cases {
        assert_eq!(print_vals(&[("f64", c)]), want);
    }
    assert_eq!(
        print_vals(&[("u64", "-1"), ("i64", "-9223372036854775808")]),
        "18446744073709551615 -9223372036854775808"
    );
}

#[test]
fn containers_functions_ranges_errors() {
    let src = "
.sig [i32] [[i32]] [i32] [i32] [str] [f64] [bool]
.sig fn range range urange
.sig str
.const \"a\"
.const \"b c\"
.const \"line\\nbreak\"
.const 1.5f
.const 2f
.const \"helper\"
.fn helper params=0 regs=1
  LoadI 0 1
  Ret 0
.fn main params=1 regs=20
  LoadI 1 1
  LoadI 2 2
  LoadI 3 3
  NewArray 4 1 3 0 !0,4
  NewArray 5 1 2 0 !0,4,5
  NewArray 6 3 1 0 !0,4,5,6
  NewArray 7 0 0 0 !0,4,5,6,7
  Move 8 5
  Move 9 6
  Move 10 7
  NewArray 5 8 3 1 !0,4,5,7
  LoadK 11 0
  LoadK 12 1
  LoadK 13 2
  NewArray 8 11 3 1 !0,4,5,7,8
  LoadK 11 3
  LoadK 12 4
  NewArray 9 11 2 0 !0,4,5,7,8,9
  LoadI 11 1
  LoadI 12 0
  NewArray 10 11 2 0 !0,4,5,7,8,9,10
  Move 6 7
  Print 4 7 0 !0
  Closure 1 helper !0,1
  LoadI 11 0
  LoadI 12 10
  LoadI 13 1
  LoadI 14 0
  NewRange 2 11 i32 !0,1,2
  LoadI 12 5
  LoadI 14 1
  NewRange 3 11 i32 !0,1,2,3
  LoadI 12 10
  LoadI 13 2
  LoadI 14 0
  NewRange 4 11 u32 !0,1,2,3,4
  Print 1 4 1 !0,1
  ToStr 5 1 fn !0,5
  Print 5 1 2 !0
  LoadI 0 0
  Ret 0
";
    assert_eq!(
        output(src),
        "[1, 2, 3] [[1, 2], [3], []] [] [] [\"a\", \"b c\", \"line\\nbreak\"] [1.5, 2] [true, false]\n\
         <fn helper> 0..10 0..=5 0..10..2\n\
         <fn helper>\n"
    );
}

#[test]
fn to_str_and_error_display() {
    let src = "
.sig str str str
.sig Error
.const \"!\"
.const \"bad thing\"
.fn main params=1 regs=10
  LoadI 1 42
  ToStr 2 1 i32 !0,2
  LoadK 3 0
  Concat 2 2 3 !0,2
  LoadI 4 -7
  ToStr 3 4 i64 !0,2,3
  LoadI 5 1
  ToStr 4 5 bool !0,2,3,4
  Print 2 3 0 !0
  TryBegin 6 h !0
  LoadK 7 1
  Panic 7
h:
  Print 6 1 1 !0
  LoadI 0 0
  Ret 0
";
    assert_eq!(output(src), "42! -7 true\nError: bad thing\n");
}
