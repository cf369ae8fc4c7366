//! Collector tests through the VM: live structures survive stress collection, garbage is
//! reclaimed, globals and closures are roots.

use super::{output, run_with};
use crate::vm::VmConfig;

/// Builds a 2000-node chain `[str(i), next]` while allocating garbage, then walks it.
const CHAIN: &str = "
.sig i32 i32
.const 2000
.fn main params=1 regs=16
  LoadI 1 0
  ToStr 2 1 i32 !0,2
  NewArray 3 2 1 1 !0,3
  LoadI 4 1
  LoadK 5 0
build:
  LtS 6 4 5
  JmpIfNot 6 walk
  ToStr 7 4 i32 !0,3,7
  Move 8 3
  NewArray 3 7 2 1 !0,3
  NewArray 9 4 2 0 !0,3
  NewCell 10 7 1 !0,3
  AddII32 4 4 1
  Jmp build
walk:
  LoadI 11 0
  LoadI 12 0
loop:
  LoadI 13 0
  ArrayGet 14 3 13
  CallN 13 1 ParseInt !0,3
  AddI32 11 11 13
  AddII32 12 12 1
  ArrayLen 13 3
  LoadI 14 2
  LtS 15 13 14
  JmpIf 15 done
  LoadI 13 1
  ArrayGet 3 3 13
  Jmp loop
done:
  Print 11 2 0 !0
  LoadI 0 0
  Ret 0
";

#[test]
fn long_chain_survives_stress_collection() {
    let cfg = VmConfig { max_call_depth: 1000, gc_stress: true, ..VmConfig::default() };
    let o = run_with(CHAIN, &cfg, &[], "");
    assert_eq!(o.result, Ok(0));
    assert_eq!(o.out, "1999000 2000\n");
    assert!(o.stats.collections > 8000, "{:?}", o.stats);
    assert!(o.stats.freed_objects > 4000, "{:?}", o.stats);
}

#[test]
fn normal_mode_collects_by_threshold() {
    // 300k iterations of `s = str(i)` with nothing kept: collections happen and the heap
    // stays small.
    let src = "
.sig i32
.const 300000
.fn main params=1 regs=8
  LoadI 1 0
  LoadK 2 0
top:
  LtS 3 1 2
  JmpIfNot 3 end
  ToStr 4 1 i32 !0
  AddII32 1 1 1
  Jmp top
end:
  Print 1 1 0 !0
  LoadI 0 0
  Ret 0
";
    let cfg = VmConfig { max_call_depth: 1000, gc_stress: false, ..VmConfig::default() };
    let o = run_with(src, &cfg, &[], "");
    assert_eq!(o.out, "300000\n");
    assert!(o.stats.collections >= 2, "{:?}", o.stats);
    assert!(o.stats.live_bytes < 1 << 20, "{:?}", o.stats);
}

#[test]
fn globals_callers_and_closures_are_roots() {
    // A global array, a caller's live register and a closure's capture all survive
    // collections triggered deep inside a callee.
    let src = "
.sig [str] str str
.sig str
.global keep ref
.const \"kept\"
.const \"caller\"
.const \"captured\"
.fn churn params=0 regs=6
  LoadI 0 0
  LoadI 1 200
top:
  LtS 2 0 1
  JmpIfNot 2 end
  ToStr 3 0 i32
  NewArray 4 3 1 1
  AddII32 0 0 1
  Jmp top
end:
  Ret0
.fn reader params=0 regs=2 caps=R1*
  CallK 0 0 churn
  GetCap 0 0
  Ret 0
.fn main params=1 regs=10
  LoadK 2 0
  ToStr 2 2 str
  Concat 2 2 2 !0,2
  NewArray 3 2 1 1 !0,3
  SetGlobal 3 keep
  LoadK 4 1
  Concat 4 4 4 !0,4
  LoadK 1 2
  Concat 1 1 1 !0,1,4
  Closure 5 reader !0,4,5
  LoadI 1 0
  CallK 6 0 churn !0,4,5
  Call 5 0 !0,4
  GetGlobal 3 keep
  Move 6 4
  Move 7 5
  Print 3 3 0 !0
  LoadI 0 0
  Ret 0
";
    assert_eq!(output(src), "[\"keptkept\"] callercaller capturedcaptured\n");
}

#[test]
fn result_register_of_an_allocating_call_is_rooted() {
    // The safepoint of the CallN omits its own result register R1.
    let src = "
.sig str
.const \"shout\"
.fn main params=1 regs=4
  LoadK 2 0
  CallN 1 1 ToUpper !0
  Print 1 1 0 !0
  LoadI 0 0
  Ret 0
";
    assert_eq!(output(src), "SHOUT\n");
}
