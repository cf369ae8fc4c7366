//! Maps: the nine map instructions, insertion order (overwrite keeps the position, remove
//! and re-insert moves to the end), E0013 for a missing key, rope and structured keys, and
//! what the verifier and disassembler make of them. Display and equality are tested in
//! `map_show.rs`, collection and speed in `map_gc.rs`.

use super::asm::assemble;
use super::{error, output};
use crate::bytecode::disasm::disassemble;
use crate::bytecode::verify::verify;
use crate::diag::codes;

/// Type declarations shared by the map tests.
pub const DECLS: &str = "
.map str i32
.map i64 bool
.map str str
.map str [i32]
.map i32 i32
.map P i32
.map Option<str> i32
.map str S
.array Map<str,i32>
.enum Option<i32> Some(i32) None
.enum Option<str> Some(str) None
.enum Option<bool> Some(bool) None
.enum Option<S> Some(S) None
.struct P x:i32 s:str
.struct S name:str m:Map<str,S>
";

fn out(body: &str) -> String {
    output(&format!("{DECLS}{body}"))
}

#[test]
fn set_get_remove_and_insertion_order() {
    let src = "
.const \"bob\"
.const \"al\"
.const \"cy\"
.const \"zz\"
.sig Map<str,i32>
.sig Option<i32> Option<i32>
.sig i32 i32 bool bool
.sig [str] [i32]
.fn main params=1 regs=20
  NewMap 1 Map<str,i32> !0,1
  Print 1 1 0 !0,1
  LoadK 2 0
  LoadI 3 31
  MapSet 1 2 3 !0,1
  LoadK 4 1
  LoadI 5 4
  MapSet 1 4 5 !0,1
  LoadK 6 2
  LoadI 7 9
  MapSet 1 6 7 !0,1
  LoadI 3 32
  MapSet 1 2 3 !0,1
  Print 1 1 0 !0,1
  MapRemove 8 1 4 Option<i32> !0,1,8
  MapRemove 9 1 4 Option<i32> !0,1,8,9
  Print 8 2 1 !0,1
  MapSet 1 4 5 !0,1
  Print 1 1 0 !0,1
  MapGet 10 1 6
  MapLen 11 1
  MapContains 12 1 2
  LoadK 14 3
  MapContains 13 1 14
  Print 10 4 2 !0,1
  MapKeys 15 1 1 !0,1,15
  MapValues 16 1 0 !0,1,15,16
  Print 15 2 3 !0,1
  MapGetOpt 17 1 6 Option<i32> !0,1,17
  MapGetOpt 18 1 14 Option<i32> !0,1,17,18
  Print 17 2 1 !0,1
  LoadI 0 0
  Ret 0
";
    assert_eq!(
        out(src),
        "{}\n\
         {\"bob\": 32, \"al\": 4, \"cy\": 9}\n\
         Option.Some(4) Option.None\n\
         {\"bob\": 32, \"cy\": 9, \"al\": 4}\n\
         9 3 true false\n\
         [\"bob\", \"cy\", \"al\"] [32, 9, 4]\n\
         Option.Some(9) Option.None\n"
    );
}

/// Keys 0..40; keys 0..30 removed (compacting the entries on the way), then 39, 36, ..., 0
/// set to -1: the survivors keep their positions, the re-inserted keys go to the end.
#[test]
fn many_removals_keep_order_through_compaction() {
    let src = "
.const 40
.sig Map<i32,i32>
.sig i32
.fn main params=1 regs=12
  NewMap 1 Map<i32,i32> !0,1
  LoadI 2 0
  LoadK 3 0
ins:
  LtS 4 2 3
  JmpIfNot 4 rem
  MapSet 1 2 2 !0,1
  AddII32 2 2 1
  Jmp ins
rem:
  LoadI 2 0
  LoadI 8 30
rem_loop:
  LtS 4 2 8
  JmpIfNot 4 back
  MapRemove 5 1 2 Option<i32> !0,1
  AddII32 2 2 1
  Jmp rem_loop
back:
  MapLen 7 1
  Print 7 1 1 !0,1
  LoadI 2 39
back_loop:
  LoadI 4 0
  LtS 4 2 4
  JmpIf 4 done
  LoadI 6 -1
  MapSet 1 2 6 !0,1
  AddII32 2 2 -3
  Jmp back_loop
done:
  MapLen 7 1
  Print 7 1 1 !0,1
  Print 1 1 0 !0,1
  LoadI 0 0
  Ret 0
";
    let expect: Vec<String> = (30..40)
        .map(|i| if i % 3 == 0 { format!("{i}: -1") } else { format!("{i}: {i}") })
        .chain((0..30).rev().filter(|i| i % 3 == 0).map(|i| format!("{i}: -1")))
        .collect();
    assert_eq!(out(src), format!("10\n20\n{{{}}}\n", expect.join(", ")));
}

#[test]
fn missing_keys_raise_e0013_with_the_key() {
    let src = format!(
        "{DECLS}
.const \"bob\"
.const \"b\"o\\nb\"
.sig i32
.fn main params=1 regs=8
  NewMap 1 Map<str,i32> !0,1
  LoadK 2 0
  LoadI 3 1
  MapSet 1 2 3 !0,1
  MapGet 4 1 2
  Print 4 1 0 !0,1
  LoadK 2 1
  MapGet 4 1 2
  LoadI 0 0
  Ret 0
"
    );
    let (e, printed) = error(&src);
    assert_eq!(printed, "1\n");
    assert_eq!(e.code, codes::KEY_NOT_FOUND);
    assert_eq!(e.message, "key not found: \"b\\\"o\\nb\"");
    let lines: Vec<&str> = src.lines().collect();
    let line = lines.iter().rposition(|l| l.trim() == "MapGet 4 1 2").map(|i| i as u32 + 1);
    assert_eq!(e.trace.first().map(|t| t.line), line);

    let (e, _) = error(&format!(
        "{DECLS}
.fn main params=1 regs=8
  NewMap 1 Map<i64,bool> !0,1
  LoadI 2 -5
  MapGet 4 1 2
  Ret 0
"
    ));
    assert_eq!((e.code, e.message.as_str()), (codes::KEY_NOT_FOUND, "key not found: -5"));

    let (e, _) = error(&format!(
        "{DECLS}
.const \"a\"
.fn main params=1 regs=8
  NewMap 1 Map<P,i32> !0,1
  LoadI 2 1
  LoadK 3 0
  NewStruct 4 2 2 P !0,1,4
  MapGet 5 1 4
  Ret 0
"
    ));
    assert_eq!(e.message, "key not found: P { x: 1, s: \"a\" }");
}

#[test]
fn rope_keys_equal_flat_keys() {
    let (a, b) = ("a".repeat(40), "b".repeat(40));
    let long = "a".repeat(320);
    let src = format!(
        "{DECLS}
.const \"{a}\"
.const \"{b}\"
.const \"{a}{b}\"
.const \"{long}\"
.sig i32 i32 bool i32
.sig bool bool i32
.fn main params=1 regs=20
  NewMap 1 Map<str,i32> !0,1
  LoadK 2 0
  LoadK 3 1
  Concat 4 2 3 !0,1,2,3,4
  LoadI 5 1
  MapSet 1 4 5 !0,1,2,3
  LoadK 6 2
  MapGet 10 1 6
  LoadI 5 2
  MapSet 1 6 5 !0,1,2,3
  Concat 7 2 3 !0,1,2,3,7
  MapGet 11 1 7
  MapContains 12 1 7
  MapLen 13 1
  Print 10 4 0 !0,1,2
  Concat 8 2 2 !0,1,2,8
  Concat 8 8 8 !0,1,2,8
  Concat 8 8 8 !0,1,2,8
  LoadI 5 3
  MapSet 1 8 5 !0,1,2
  LoadK 9 3
  MapContains 14 1 9
  Concat 8 2 2 !0,1,2,8,9
  Concat 8 8 8 !0,1,2,8,9
  Concat 8 8 8 !0,1,2,8,9
  MapContains 15 1 8
  MapRemove 16 1 9 Option<i32> !0,1
  MapLen 16 1
  Print 14 3 1 !0,1
  LoadI 0 0
  Ret 0
"
    );
    assert_eq!(output(&src), "1 2 true 1\ntrue true 1\n");
}

#[test]
fn struct_and_enum_keys_compare_structurally() {
    let src = "
.const \"a\"
.const \"x\"
.sig i32 bool i32 Map<P,i32>
.sig i32 i32 Map<Option<str>,i32>
.fn main params=1 regs=24
  NewMap 1 Map<P,i32> !0,1
  LoadI 2 1
  LoadK 3 0
  NewStruct 4 2 2 P !0,1,4
  NewStruct 5 2 2 P !0,1,4,5
  LoadI 2 2
  NewStruct 6 2 2 P !0,1,4,5,6
  LoadI 7 10
  MapSet 1 4 7 !0,1,4,5,6
  MapGet 10 1 5
  MapContains 11 1 6
  LoadI 7 11
  MapSet 1 5 7 !0,1,4,5,6
  MapLen 12 1
  Move 13 1
  Print 10 4 0 !0,1
  NewMap 1 Map<Option<str>,i32> !0,1
  LoadK 2 1
  NewEnum 3 2 1 Option<str>.Some !0,1,3
  LoadI 4 1
  MapSet 1 3 4 !0,1
  NewEnum 3 0 0 Option<str>.None !0,1,3
  LoadI 4 2
  MapSet 1 3 4 !0,1
  NewEnum 3 2 1 Option<str>.Some !0,1,3
  MapGet 14 1 3
  NewEnum 3 0 0 Option<str>.None !0,1,3
  MapGet 15 1 3
  Move 16 1
  Print 14 3 1 !0,1
  LoadI 0 0
  Ret 0
";
    assert_eq!(out(src), "10 false 1 {P { x: 1, s: \"a\" }: 11}\n1 2 {Option.Some(\"x\"): 1, Option.None: 2}\n");
}

#[test]
fn verifier_checks_map_operands() {
    let good = format!(
        "{DECLS}
.fn main params=1 regs=6
  NewMap 1 Map<str,i32> !0,1
  MapGetOpt 2 1 3 Option<i32> !0,1,2
  MapKeys 4 1 1 !0,1,4
  MapSet 1 3 5 !0,1
  LoadI 0 0
  Ret 0
"
    );
    verify(&assemble(&good)).unwrap();
    let listing = disassemble(&assemble(&good));
    assert!(listing.contains("NewMap      R1, T"), "{listing}");
    assert!(listing.contains("; Map<string, i32>"), "{listing}");
    assert!(listing.contains("R1[R3] = R5"), "{listing}");
    assert!(listing.contains("MapKeys     R4, R1, 1"), "{listing}");
    for (bad, what) in [
        (good.replace("NewMap 1 Map<str,i32>", "NewMap 1 i32"), "is not a map type"),
        (good.replace("MapGetOpt 2 1 3 Option<i32>", "MapGetOpt 2 1 3 P"), "is not an Option type"),
        (good.replace("MapGetOpt 2 1 3 Option<i32>", "MapGetOpt 2 1 3 S"), "is not an Option type"),
        (good.replace("MapKeys 4 1 1", "MapKeys 4 1 2"), "must be 0 or 1"),
        (good.replace("MapSet 1 3 5", "MapSet 1 3 6"), "out of range"),
    ] {
        match verify(&assemble(&bad)) {
            Ok(()) => panic!("accepted: {what}"),
            Err(e) => assert!(e.contains(what), "{e}"),
        }
    }
}
