//! Strings: rope concatenation in loops, indexing, slicing, comparison.

use std::time::Instant;

use super::{error, output, run_with};
use crate::diag::codes;
use crate::vm::VmConfig;

/// `s = s + piece` n times (or `s = piece + s` when `prepend`), then prints len(s),
/// s[len - 1], s[0..6] and whether s == s + "".
fn concat_loop(n: u32, prepend: bool) -> String {
    let concat = if prepend { "Concat 1 2 1 !0,1,2" } else { "Concat 1 1 2 !0,1,2" };
    format!(
        "
.sig i32 str str bool
.const \"\"
.const \"ab\"
.const {n}
.fn main params=1 regs=12
  LoadK 1 0
  LoadK 2 1
  LoadI 3 0
  LoadK 4 2
top:
  LtS 5 3 4
  JmpIfNot 5 end
  {concat}
  AddII32 3 3 1
  Jmp top
end:
  StrLen 5 1
  AddII32 7 5 -1
  StrIndex 6 1 7 !0,1,6
  LoadI 9 0
  LoadI 10 6
  StrSlice 7 1 9 !0,1,6,7
  LoadK 9 0
  Concat 9 1 9 !0,1,6,7,9
  EqStr 8 1 9
  Print 5 4 0 !0
  LoadI 0 0
  Ret 0
"
    )
}

#[test]
fn concat_loop_of_100000_is_fast() {
    let t = Instant::now();
    assert_eq!(output(&concat_loop(100_000, false)), "200000 b ababab true\n");
    assert!(t.elapsed().as_secs_f64() < 5.0, "took {:?}", t.elapsed());
}

#[test]
fn concat_loop_is_linear() {
    let cfg = VmConfig { max_call_depth: 1000, gc_stress: false, ..VmConfig::default() };
    let t = Instant::now();
    let o = run_with(&concat_loop(2_000_000, false), &cfg, &[], "");
    assert_eq!(o.out, "4000000 b ababab true\n");
    assert!(t.elapsed().as_secs_f64() < 5.0, "took {:?}", t.elapsed());
}

#[test]
fn prepend_loop_is_correct() {
    assert_eq!(output(&concat_loop(3000, true)), "6000 b ababab true\n");
}

#[test]
fn index_slice_compare() {
    let src = "
.sig str str str str bool bool bool bool
.const \"Hello, World\"
.const \"apple\"
.const \"banana\"
.const \"ab\"
.const \"c\"
.const \"abc\"
.const 100
.fn main params=1 regs=20
  LoadK 1 0
  LoadI 9 7
  StrIndex 2 1 9 !0,1,2
  LoadI 10 100
  StrSlice 3 1 9 !0,1,2,3
  LoadI 9 -5
  LoadI 10 5
  StrSlice 4 1 9 !0,1,2,3,4
  LoadK 11 1
  LoadK 12 2
  LtStr 5 11 12
  LeStr 6 12 11
  LoadK 13 3
  LoadK 14 4
  Concat 13 13 14 !0,1,2,3,4,13
  LoadK 14 5
  EqStr 7 13 14
  NeStr 8 13 14
  Print 1 8 0 !0
  LoadI 9 12
  StrIndex 2 1 9 !0
  Ret0
";
    let (e, out) = error(src);
    assert_eq!(out, "Hello, World W World Hello true false true false\n");
    assert_eq!(e.code, codes::INDEX_OUT_OF_RANGE);
    assert_eq!(e.message, "index 12 out of range for length 12");
}
