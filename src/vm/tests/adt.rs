//! Structs and enums: construction, field access and update, tags, display (section 12,
//! rule 16.6), structural equality, and what the verifier and disassembler make of them.

use super::asm::assemble;
use super::{error, output};
use crate::bytecode::disasm::disassemble;
use crate::bytecode::op::{Instr, Op};
use crate::bytecode::verify::verify;
use crate::diag::codes;

/// Type declarations shared by the tests of this file.
pub const DECLS: &str = "
.struct Point x:i32 y:i32
.struct User name:str tags:[str] home:Point
.struct Unit
.enum Shape Circle(f64) Rect(f64,f64) Empty
.enum Option<str> Some(str) None
.enum Result<i32,str> Ok(i32) Err(str)
.array Shape
.array Point
";

fn out(body: &str) -> String {
    output(&format!("{DECLS}{body}"))
}

#[test]
fn construct_get_set_and_tags() {
    let src = "
.const 1.5f
.sig i32 i32 Point Point
.sig i32 f64
.sig i32
.fn main params=1 regs=12
  LoadI 1 3
  LoadI 2 4
  NewStruct 3 1 2 Point !0,3
  GetField 4 3 0
  GetField 5 3 1
  Move 7 3
  LoadI 6 -9
  SetField 3 1 6
  Move 6 3
  Print 4 4 0 !0,3
  LoadK 7 0
  NewEnum 8 7 1 Shape.Circle !0,8
  EnumTag 9 8
  GetField 10 8 0
  Print 9 2 1 !0
  NewEnum 8 0 0 Shape.Empty !0,8
  EnumTag 9 8
  Print 9 1 2 !0
  LoadI 0 0
  Ret 0
";
    // R7 aliases the struct before the update: reference semantics.
    assert_eq!(out(src), "3 4 Point { x: 3, y: -9 } Point { x: 3, y: -9 }\n0 1.5\n2\n");
}

#[test]
fn display_of_structs_and_enums() {
    let src = "
.const \"Ann\"
.const \"admin\"
.const \"dev\"
.const 1.5f
.const \"hi\"
.const \"boom\"
.const 0.25f
.const 2.0f
.const 3.0f
.sig Point
.sig User
.sig Unit
.sig Shape Shape Shape
.sig Option<str> Option<str>
.sig Result<i32,str> Result<i32,str>
.sig [Shape]
.sig str
.fn main params=1 regs=20
  LoadI 1 1
  LoadI 2 -2
  NewStruct 3 1 2 Point !0,3
  Print 3 1 0 !0,3
  LoadK 4 0
  LoadK 6 1
  LoadK 7 2
  NewArray 5 6 2 1 !0,3,4,5
  Move 6 3
  NewStruct 7 4 3 User !0,7
  Print 7 1 1 !0,7
  NewStruct 8 0 0 Unit !0,7,8
  Print 8 1 2 !0,7
  LoadK 9 3
  NewEnum 10 9 1 Shape.Circle !0,7,10
  LoadK 11 7
  LoadK 12 8
  NewEnum 11 11 2 Shape.Rect !0,7,10,11
  NewEnum 12 0 0 Shape.Empty !0,7,10,11,12
  Print 10 3 3 !0,7
  LoadK 13 4
  NewEnum 13 13 1 Option<str>.Some !0,7,13
  NewEnum 14 0 0 Option<str>.None !0,7,13,14
  Print 13 2 4 !0,7
  LoadK 15 5
  NewEnum 15 15 1 Result<i32,str>.Err !0,7,15
  LoadI 16 42
  NewEnum 16 16 1 Result<i32,str>.Ok !0,7,15,16
  Print 15 2 5 !0,7
  NewEnum 17 0 0 Shape.Empty !0,7,17
  LoadK 18 6
  NewEnum 18 18 1 Shape.Circle !0,7,17,18
  NewArray 19 17 2 1 !0,7,19
  Print 19 1 6 !0,7
  ToStr 17 7 User !0,17
  Print 17 1 7 !0
  LoadI 0 0
  Ret 0
";
    let user = "User { name: \"Ann\", tags: [\"admin\", \"dev\"], home: Point { x: 1, y: -2 } }";
    let want = [
        "Point { x: 1, y: -2 }",
        user,
        "Unit {}",
        "Shape.Circle(1.5) Shape.Rect(2, 3) Shape.Empty",
        "Option.Some(\"hi\") Option.None",
        "Result.Err(\"boom\") Result.Ok(42)",
        "[Shape.Empty, Shape.Circle(0.25)]",
        user,
    ];
    assert_eq!(out(src), want.join("\n") + "\n");
}

/// `pts(k)` = `[Point { x: 1, y: k }, Point { x: 2, y: 3 }]`, built afresh on each call.
const PTS: &str = "
.fn point params=2 regs=3
  NewStruct 2 0 2 Point !2
  Ret 2
.fn pts params=1 regs=8
  LoadI 2 1
  Move 3 0
  CallK 1 2 point
  LoadI 3 2
  LoadI 4 3
  CallK 2 2 point !1
  NewArray 3 1 2 1 !3
  Ret 3
";

#[test]
fn structural_equality() {
    let src = format!(
        "{PTS}
.const NaNf
.sig bool bool bool bool bool bool bool bool bool bool bool
.fn main params=1 regs=24
  LoadI 2 5
  CallK 1 1 pts !0
  LoadI 3 5
  CallK 2 1 pts !0,1
  LoadI 4 6
  CallK 3 1 pts !0,1,2
  EqDeep 10 1 2 [Point]
  EqDeep 11 1 3 [Point]
  LoadI 4 7
  ToStr 5 4 i32 !0,1,2,3,5
  ToStr 6 4 i32 !0,1,2,3,5,6
  NewEnum 5 5 1 Option<str>.Some !0,1,2,3,5,6
  NewEnum 6 6 1 Option<str>.Some !0,1,2,3,5,6
  NewEnum 7 0 0 Option<str>.None !0,1,2,3,5,6,7
  EqDeep 12 5 6 Option<str>
  EqDeep 13 5 7 Option<str>
  EqDeep 14 7 7 Option<str>
  LoadK 8 0
  NewEnum 8 8 1 Shape.Circle !0,1,2,3,8
  LoadK 9 0
  NewEnum 9 9 1 Shape.Circle !0,1,2,3,8,9
  EqDeep 15 8 8 Shape
  EqDeep 16 8 9 Shape
  LoadI 4 0
  ArrayGet 4 1 4
  LoadI 5 1
  ArrayGet 5 2 5
  EqDeep 17 4 5 Point
  LoadI 5 0
  ArrayGet 5 2 5
  EqDeep 18 4 5 Point
  Move 21 1
  Move 22 5
  CallN 20 2 ArrayContains:Point !0,1,2,3
  Move 19 20
  Move 21 3
  CallN 20 2 ArrayContains:Point !0,1,2,3
  Print 10 11 0 !0
  LoadI 0 0
  Ret 0
"
    );
    // [Point] equal / different; Some(\"7\") twice from distinct strings; Some vs None;
    // None vs itself; NaN payload: same object equal, distinct objects not; points.
    assert_eq!(out(&src), "true false true false true true false false true true false\n");
}

#[test]
fn assert_eq_shows_structs() {
    let src = format!(
        "{PTS}
.const \"points\"
.fn main params=1 regs=8
  LoadI 2 5
  CallK 1 1 pts !0
  LoadI 3 6
  CallK 2 1 pts !0,1
  LoadK 4 0
  Move 5 1
  Move 6 2
  CallN 3 3 AssertEq:[Point] !0
  LoadI 0 0
  Ret 0
"
    );
    let (e, _) = error(&format!("{DECLS}{src}"));
    assert_eq!(e.code, codes::ASSERTION_FAILED);
    assert_eq!(
        e.message,
        "assertion failed: points: expected [Point { x: 1, y: 6 }, Point { x: 2, y: 3 }], \
         actual [Point { x: 1, y: 5 }, Point { x: 2, y: 3 }]"
    );
}

#[test]
fn bad_slots_are_internal_errors() {
    for (op, what) in [("GetField 4 3 2", "slot"), ("SetField 3 2 1", "slot"), ("EnumTag 4 3", "enum")] {
        let src = format!(
            "{DECLS}
.fn main params=1 regs=6
  LoadI 1 1
  LoadI 2 2
  NewStruct 3 1 2 Point !0,3
  {op}
  LoadI 0 0
  Ret 0
"
        );
        let (e, _) = error(&src);
        assert_eq!(e.code, codes::INTERNAL, "{op}");
        assert!(e.message.contains(what), "{op}: {}", e.message);
    }
}

const GOOD: &str = "
.const 1.5f
.fn main params=1 regs=8
  LoadI 1 1
  LoadI 2 2
  NewStruct 3 1 2 Point !0,3
  GetField 4 3 1
  SetField 3 0 4
  LoadK 5 0
  NewEnum 6 5 1 Shape.Circle !0,3,6
  NewEnum 7 0 0 Shape.Empty !0,3,6,7
  EnumTag 4 6
  Ret 4
";

#[test]
fn verifier_checks_struct_and_enum_instructions() {
    let good = assemble(&format!("{DECLS}{GOOD}"));
    verify(&good).unwrap();
    let tweak = |pc: usize, word: u32| {
        let mut p = good.clone();
        p.functions[0].code[pc] = word;
        p
    };
    let ty = |name: &str| good.types.iter().position(|t| format!("{t:?}").contains(name)).unwrap() as u32;
    let (point, shape) = (ty("\"Point\""), ty("\"Shape\""));
    let cases = [
        ("a struct with too few values", tweak(2, Instr::abc(Op::NewStruct, 3, 1, 1).0)),
        ("a struct of a non-struct type", tweak(3, shape)),
        ("a struct value range past nregs", tweak(2, Instr::abc(Op::NewStruct, 3, 7, 2).0)),
        ("a bad GetField register", tweak(4, Instr::abc(Op::GetField, 4, 9, 1).0)),
        ("a bad SetField register", tweak(5, Instr::abc(Op::SetField, 3, 0, 8).0)),
        ("a bad EnumTag register", tweak(11, Instr::abc(Op::EnumTag, 8, 6, 0).0)),
        ("an enum with too many values", tweak(7, Instr::abc(Op::NewEnum, 6, 5, 2).0)),
        ("a variant tag out of range", tweak(8, shape | 3 << 16)),
        ("a unit variant with a payload", tweak(8, shape | 2 << 16)),
        ("a payload variant without one", tweak(10, shape)),
        ("an enum of a struct type", tweak(8, point)),
        ("an enum of a type out of range", tweak(8, 999)),
    ];
    for (what, p) in cases {
        assert!(verify(&p).is_err(), "accepted {what}");
    }
    for pc in [2, 7] {
        let mut p = good.clone();
        p.functions[0].safepoints.retain(|s| s.pc != pc);
        assert!(verify(&p).unwrap_err().contains("missing safepoint"), "pc {pc}");
    }
    let mut p = good.clone();
    p.types.push(crate::bytecode::chunk::RtType::Enum { name: "Bad".into(), variants: vec![("A".into(), vec![999])] });
    assert!(verify(&p).is_err(), "accepted an enum payload type out of range");
}

#[test]
fn disassembly_names_types_fields_and_variants() {
    let text = disassemble(&assemble(&format!("{DECLS}{GOOD}")));
    for needle in [
        "NewStruct   R3, R1, 2, T18    ; Point { x, y }",
        "GetField    R4, R3, 1    ; R4 = R3.slot1",
        "SetField    R3, 0, R4    ; R3.slot0 = R4",
        "NewEnum     R6, R5, 1, T21.0    ; Shape.Circle",
        "NewEnum     R7, R0, 0, T21.2    ; Shape.Empty",
        "EnumTag     R4, R6",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}
