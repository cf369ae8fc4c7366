//! Structs and enums under the collector: a linked list through `Option` payloads survives
//! stress collection while garbage is freed; very long lists compare and print without
//! host recursion; cyclic structs (made with `SetField`) print and compare in finite time.

use super::{output, run_with};
use crate::vm::VmConfig;

const DECLS: &str = "
.struct Node v:str next:Option<Node>
.enum Option<Node> Some(Node) None
.struct Link v:i32 next:Option<Link>
.enum Option<Link> Some(Link) None
.struct Ring v:i32 next:Option<Ring>
.enum Option<Ring> Some(Ring) None
.struct Twin v:i32 a:Option<Twin> b:Option<Twin>
.enum Option<Twin> Some(Twin) None
";

/// Builds a list of N nodes holding `str(i)` (allocating garbage on the way), then walks it
/// (allocating more) and prints the sum of the parsed values and the node count.
const NODE_LIST: &str = "
.const 1500
.sig i32 i32
.fn main params=1 regs=16
  NewEnum 1 0 0 Option<Node>.None !0,1
  LoadI 2 0
  LoadK 3 0
build:
  LtS 4 2 3
  JmpIfNot 4 walk
  ToStr 5 2 i32 !0,1,5
  Move 6 1
  NewStruct 7 5 2 Node !0,7
  NewEnum 1 7 1 Option<Node>.Some !0,1
  ToStr 8 2 i32 !0,1
  NewArray 9 8 1 1 !0,1
  AddII32 2 2 1
  Jmp build
walk:
  Move 14 1
  LoadI 10 0
  LoadI 11 0
loop:
  EnumTag 4 1
  LoadI 12 1
  Eq 12 4 12
  JmpIf 12 done
  GetField 7 1 0
  GetField 13 7 0
  CallN 12 1 ParseInt !0,7,14
  NewStruct 15 13 2 Node !0,7,14
  AddI32 10 10 12
  AddII32 11 11 1
  GetField 1 7 1
  Jmp loop
done:
  Print 10 2 0 !0
  LoadI 0 0
  Ret 0
";

#[test]
fn linked_list_survives_stress_collection() {
    let src = format!("{DECLS}{NODE_LIST}");
    assert_eq!(output(&src), "1124250 1500\n");
    let o = run_with(&src, &VmConfig { max_call_depth: 1000, gc_stress: true, ..VmConfig::default() }, &[], "");
    assert_eq!(o.out, "1124250 1500\n");
    assert!(o.stats.collections > 6000, "{:?}", o.stats);
    assert!(o.stats.freed_objects > 4500, "{:?}", o.stats);
}

/// `chain(n)`: a list of `n` links `Link { v: i, next: ... }` ending in `None`.
const CHAIN: &str = "
.fn chain params=1 regs=8
  NewEnum 1 0 0 Option<Link>.None !1
  LoadI 2 0
top:
  LtS 3 2 0
  JmpIfNot 3 end
  Move 4 2
  Move 5 1
  NewStruct 6 4 2 Link !1,6
  NewEnum 1 6 1 Option<Link>.Some !1
  AddII32 2 2 1
  Jmp top
end:
  Ret 1
";

#[test]
fn long_lists_compare_and_print_without_recursion() {
    let src = format!(
        "{DECLS}{CHAIN}
.const 300000
.sig bool bool i32
.fn main params=1 regs=12
  LoadK 2 0
  CallK 1 1 chain !0
  LoadK 3 0
  CallK 2 1 chain !0,1
  EqDeep 3 1 2 Option<Link>
  GetField 4 2 0
  GetField 4 4 1
  EqDeep 4 1 4 Option<Link>
  ToStr 6 1 Option<Link> !0,6
  StrLen 5 6
  Print 3 3 0 !0
  LoadI 0 0
  Ret 0
"
    );
    let cfg = VmConfig { max_call_depth: 1000, gc_stress: false, ..VmConfig::default() };
    let o = run_with(&src, &cfg, &[], "");
    assert_eq!(o.result, Ok(0));
    // Each link prints as `Option.Some(Link { v: N, next: ` + `) }`, the end `Option.None`.
    let digits: usize = (0..300_000).map(|i: i32| i.to_string().len()).sum();
    let len = 300_000 * "Option.Some(Link { v: , next: ) }".len() + digits + "Option.None".len();
    assert_eq!(o.out, format!("true false {len}\n"));
}

#[test]
fn cyclic_structs_print_and_compare() {
    let src = format!(
        "{DECLS}
.sig Ring
.sig bool bool
.sig Twin
.sig str
.fn main params=1 regs=16
  LoadI 1 1
  NewEnum 2 0 0 Option<Ring>.None !0
  NewStruct 3 1 2 Ring !0,3
  NewEnum 4 3 1 Option<Ring>.Some !0,3,4
  SetField 3 1 4
  Print 3 1 0 !0,3
  NewStruct 5 1 2 Ring !0,3,5
  NewStruct 6 1 2 Ring !0,3,5,6
  NewEnum 7 6 1 Option<Ring>.Some !0,3,5,6,7
  SetField 5 1 7
  NewEnum 7 5 1 Option<Ring>.Some !0,3,5,6,7
  SetField 6 1 7
  Print 5 1 0 !0,3,5,6
  EqDeep 8 3 5 Ring
  LoadI 10 2
  SetField 6 0 10
  EqDeep 9 3 5 Ring
  Print 8 2 1 !0,3,5,6
  NewEnum 11 0 0 Option<Twin>.None !0
  Move 12 11
  NewStruct 10 1 3 Twin !0,10
  NewEnum 11 10 1 Option<Twin>.Some !0,10,11
  SetField 10 1 11
  SetField 10 2 11
  Print 10 1 2 !0,10
  ToStr 13 10 Twin !0,13
  Print 13 1 3 !0
  LoadI 0 0
  Ret 0
"
    );
    let twin = "Twin { v: 1, a: Option.Some(...), b: Option.Some(...) }";
    let want = [
        "Ring { v: 1, next: Option.Some(...) }",
        "Ring { v: 1, next: Option.Some(Ring { v: 1, next: Option.Some(...) }) }",
        "true false",
        twin,
        twin,
    ];
    assert_eq!(output(&src), want.join("\n") + "\n");
}
