//! The load-time verifier accepts generated shapes and rejects malformed programs; the
//! disassembler lists every instruction.

use super::asm::assemble;
use crate::bytecode::chunk::{Capture, CaptureSource, Program, Safepoint};
use crate::bytecode::disasm::disassemble;
use crate::bytecode::op::{Instr, Op};
use crate::bytecode::verify::verify;
use crate::diag::codes;

const GOOD: &str = "
.sig str
.const \"hi\"
.global g ref
.fn helper params=1 regs=3
  Ret 0
.fn main params=1 regs=8
  LoadK 1 0
  LoadI 3 7
  CallK 2 1 helper !0,1
  Concat 1 1 1 !0,1
  LoadI 3 0
  LoadI 4 3
  LoadI 5 1
  LoadI 6 0
  ForPrepS 3 done
body:
  Print 1 1 0 !0,1
  ForLoop 3 body
done:
  SetGlobal 1 g
  Ret0
";

fn rejects(p: &Program, what: &str) {
    match verify(p) {
        Ok(()) => panic!("accepted a program with {what}"),
        Err(e) => assert!(!e.is_empty()),
    }
}

fn with_main(f: impl FnOnce(&mut Program)) -> Program {
    let mut p = assemble(GOOD);
    f(&mut p);
    p
}

#[test]
fn accepts_a_good_program() {
    verify(&assemble(GOOD)).unwrap();
}

#[test]
fn rejects_malformed_programs() {
    let main = 1;
    let cases: Vec<(&str, Program)> = vec![
        ("a bad opcode", with_main(|p| p.functions[main].code[0] = 250)),
        ("a register out of range", with_main(|p| p.functions[main].code[0] = Instr::abx(Op::LoadK, 8, 0).0)),
        ("a constant out of range", with_main(|p| p.functions[main].code[0] = Instr::abx(Op::LoadK, 1, 5).0)),
        ("a global out of range", with_main(|p| p.globals.clear())),
        ("a jump into an extra word", with_main(|p| p.functions[main].code[9] = Instr::asbx(Op::ForPrepS, 3, -7).0)),
        ("a jump past the end", with_main(|p| p.functions[main].code[9] = Instr::asbx(Op::ForPrepS, 3, 100).0)),
        ("a loop range past nregs", with_main(|p| p.functions[main].code[9] = Instr::asbx(Op::ForPrepS, 5, 3).0)),
        (
            "a missing line",
            with_main(|p| {
                p.functions[main].lines.pop();
            }),
        ),
        (
            "a missing extra word",
            with_main(|p| {
                let f = &mut p.functions[main];
                f.code.truncate(3);
                f.lines.truncate(3);
            }),
        ),
        (
            "a missing safepoint",
            with_main(|p| {
                p.functions[main].safepoints.remove(1);
            }),
        ),
        (
            "a call safepoint naming the window",
            with_main(|p| {
                p.functions[main].safepoints[0].refs.insert(3);
            }),
        ),
        (
            "unsorted safepoints",
            with_main(|p| {
                p.functions[main].safepoints.swap(0, 1);
            }),
        ),
        ("a wrong CallK arity", with_main(|p| p.functions[0].nparams = 2)),
        ("a bad print signature", with_main(|p| p.print_sigs[0].push(0))),
        ("a bad type in a signature", with_main(|p| p.print_sigs[0][0] = 999)),
        ("too many registers", with_main(|p| p.functions[main].nregs = 300)),
        ("more params than registers", with_main(|p| p.functions[0].nparams = 9)),
        (
            "code that falls off its end",
            with_main(|p| {
                let f = &mut p.functions[main];
                f.code.pop();
                f.lines.pop();
            }),
        ),
        ("a bad entry", with_main(|p| p.entry = 7)),
        (
            "a bad capture source",
            with_main(|p| {
                p.functions[0].captures.push(Capture { source: CaptureSource::Register(1), is_ref: true });
                let f = &mut p.functions[main];
                f.code[0] = Instr::abx(Op::Closure, 1, 0).0;
                f.safepoints.insert(0, Safepoint { pc: 0, refs: Default::default() });
                p.functions[0].captures[0].source = CaptureSource::Capture(0);
            }),
        ),
        ("a bad capture index", with_main(|p| p.functions[main].code[1] = Instr::abc(Op::GetCap, 3, 0, 0).0)),
        (
            "a bad native",
            with_main(|p| {
                let f = &mut p.functions[main];
                f.code[2] = Instr::abc(Op::CallN, 2, 1, 0).0;
                f.code[3] = 999;
            }),
        ),
        (
            "a wrong native arity",
            with_main(|p| {
                let f = &mut p.functions[main];
                f.code[2] = Instr::abc(Op::CallN, 2, 1, 0).0;
                f.code[3] = 0;
            }),
        ),
    ];
    for (what, p) in cases {
        rejects(&p, what);
    }
}

#[test]
fn run_refuses_unverified_programs() {
    let p = with_main(|p| p.functions[1].code[0] = 250);
    let mut out = Vec::new();
    let err = crate::vm::run(&p, &Default::default(), &[], &mut out).unwrap_err();
    assert_eq!(err.code, codes::INTERNAL);
}

#[test]
fn disassembly_lists_every_instruction() {
    let text = disassemble(&assemble(GOOD));
    for needle in [
        "fn #1 main [entry] (params: 1, regs: 8, file: 0)",
        "LoadK       R1, K0    ; \"hi\"",
        "CallK       R2, 1, F0    ; fn helper",
        "ForPrepS    R3, -> 13",
        "ForLoop     R3, -> 10",
        "Print       R1, 1, S0    ; (string)",
        "SetGlobal   R1, G0    ; g",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    assert_eq!(text.lines().filter(|l| l.contains("Ret")).count(), 2);
}
