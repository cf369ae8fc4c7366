//! Maps in the display form (section 12: insertion order, `{}`, nested in containers, cycles
//! as `...`) and under structural equality (order-independent; `contains`, `assert_eq`).

use super::maps::DECLS;
use super::{error, output};
use crate::diag::codes;

fn out(body: &str) -> String {
    output(&format!("{DECLS}{body}"))
}

#[test]
fn display_nests_and_stops_at_cycles() {
    let src = "
.const \"a\"
.const \"k\"
.const 1.5f
.const \"s\"
.sig [Map<str,i32>] Map<str,[i32]> Map<i64,bool>
.sig S
.sig str
.fn main params=1 regs=24
  NewMap 1 Map<str,i32> !0,1
  LoadK 2 0
  LoadI 3 1
  MapSet 1 2 3 !0,1
  NewMap 4 Map<str,i32> !0,1,4
  Move 2 4
  NewArray 5 1 2 1 !0,1,5
  NewMap 6 Map<str,[i32]> !0,5,6
  LoadI 7 1
  LoadI 8 2
  NewArray 9 7 2 0 !0,5,6,9
  LoadK 2 1
  MapSet 6 2 9 !0,5,6
  NewMap 7 Map<i64,bool> !0,5,6,7
  LoadI 8 -1
  LoadI 9 1
  MapSet 7 8 9 !0,5,6,7
  Print 5 3 0 !0
  NewMap 10 Map<str,S> !0,10
  LoadK 11 3
  Move 12 10
  NewStruct 13 11 2 S !0,10,13
  LoadK 14 3
  MapSet 10 14 13 !0,10,13
  Print 13 1 1 !0,13
  ToStr 15 10 Map<str,S> !0,15
  Print 15 1 2 !0
  LoadI 0 0
  Ret 0
";
    assert_eq!(
        out(src),
        "[{\"a\": 1}, {}] {\"k\": [1, 2]} {-1: true}\n\
         S { name: \"s\", m: {\"s\": ...} }\n\
         {\"s\": S { name: \"s\", m: ... }}\n"
    );
}

#[test]
fn equality_ignores_order_and_serves_contains_and_assert_eq() {
    let src = "
.const \"a\"
.const \"b\"
.const \"maps\"
.sig bool bool bool bool bool bool
.fn main params=1 regs=30
  LoadK 10 0
  LoadK 11 1
  LoadI 12 1
  LoadI 13 2
  LoadI 14 3
  NewMap 1 Map<str,i32> !0,1
  MapSet 1 10 12 !0,1
  MapSet 1 11 13 !0,1
  NewMap 2 Map<str,i32> !0,1,2
  MapSet 2 11 13 !0,1,2
  MapSet 2 10 12 !0,1,2
  NewMap 3 Map<str,i32> !0,1,2,3
  MapSet 3 10 12 !0,1,2,3
  MapSet 3 11 14 !0,1,2,3
  NewMap 4 Map<str,i32> !0,1,2,3,4
  MapSet 4 10 12 !0,1,2,3,4
  EqDeep 20 1 2 Map<str,i32>
  EqDeep 21 1 3 Map<str,i32>
  EqDeep 22 1 4 Map<str,i32>
  EqDeep 23 4 1 Map<str,i32>
  NewArray 5 3 2 1 !0,1,2,3,4,5
  Move 27 5
  Move 28 1
  CallN 26 2 ArrayContains:Map<str,i32> !0,1,2,3,4,5
  Move 24 26
  MapSet 4 11 13 !0,1,2,3,4,5
  Move 27 5
  Move 28 1
  CallN 26 2 ArrayContains:Map<str,i32> !0,1,2,3,4
  Move 25 26
  Print 20 6 0 !0,1,2,3
  LoadK 27 2
  Move 28 1
  Move 29 2
  CallN 26 3 AssertEq:Map<str,i32> !0,1,2,3
  Move 29 3
  CallN 26 3 AssertEq:Map<str,i32> !0
  LoadI 0 0
  Ret 0
";
    let (e, printed) = error(&format!("{DECLS}{src}"));
    assert_eq!(printed, "true false false false false true\n");
    assert_eq!(e.code, codes::ASSERTION_FAILED);
    assert_eq!(e.message, "assertion failed: maps: expected {\"a\": 1, \"b\": 3}, actual {\"a\": 1, \"b\": 2}");
}

#[test]
fn equality_of_nested_and_cyclic_maps() {
    let src = "
.const \"k\"
.const \"s\"
.sig bool bool bool
.fn main params=1 regs=24
  LoadK 10 0
  LoadI 11 1
  NewArray 12 11 1 0 !0,12
  NewArray 13 11 1 0 !0,12,13
  NewMap 1 Map<str,[i32]> !0,1,12,13
  MapSet 1 10 12 !0,1,13
  NewMap 2 Map<str,[i32]> !0,1,2,13
  MapSet 2 10 13 !0,1,2,13
  EqDeep 20 1 2 Map<str,[i32]>
  LoadI 14 2
  ArrayPush 13 14 !0,1,2
  EqDeep 21 1 2 Map<str,[i32]>
  NewMap 3 Map<str,S> !0,3
  LoadK 4 1
  Move 5 3
  NewStruct 6 4 2 S !0,3,6
  MapSet 3 4 6 !0,3,6
  NewMap 7 Map<str,S> !0,3,6,7
  Move 8 7
  NewStruct 9 4 2 S !0,3,6,7,9
  MapSet 7 4 9 !0,3,6,7,9
  EqDeep 22 6 9 S
  Print 20 3 0 !0
  LoadI 0 0
  Ret 0
";
    assert_eq!(out(src), "true false true\n");
}
