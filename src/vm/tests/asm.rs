//! A tiny text assembler for hand-written test programs.
//!
//! ```text
//! .sig str i32            print signature 0 (types by name, see TYPES)
//! .const "text"           constant 0 (also: integers, floats like 1.5f)
//! .global name ref        a global (ref: holds a heap reference)
//! .struct Point x:i32 y:i32            a struct type named `Point` (types may be declared
//! .enum Option<str> Some(str) None     later in the text); displayed without `<...>`
//! .array Point                         the type `[Point]`
//! .map str i32                         the type `Map<str,i32>`
//! .fn name params=1 regs=4 caps=R1*,C0     (R: register source, C: capture, *: reference)
//! top:                    a label
//!   AddI32 0 1 2          operands in field order; jumps name a label
//!   CallK 0 1 fib         the extra word last (function / type / native[:type] / number /
//!                         Enum.Variant for `NewEnum`)
//!   Concat 1 1 2 !1       `!regs`: the safepoint's reference registers (default: none)
//! ```
//! The entry function is `main` if present, else the first. Each instruction's source line
//! is its line in the text.

use std::collections::HashMap;

use crate::bytecode::chunk::*;
use crate::bytecode::native::Native;
use crate::bytecode::op::{Instr, Op};
use crate::bytecode::verify::{extra, layout, BxKind, Extra, Field, Layout, SbxKind};

/// The type table every test program gets.
pub const TYPES: &[(&str, RtType)] = &[
    ("void", RtType::Void),
    ("bool", RtType::Bool),
    ("i32", RtType::I32),
    ("i64", RtType::I64),
    ("u32", RtType::U32),
    ("u64", RtType::U64),
    ("f64", RtType::F64),
    ("str", RtType::Str),
    ("[i32]", RtType::Array(2)),
    ("[str]", RtType::Array(7)),
    ("[[i32]]", RtType::Array(8)),
    ("fn", RtType::Func { params: vec![], ret: 2 }),
    ("range", RtType::Range(2)),
    ("Error", RtType::Error),
    ("[f64]", RtType::Array(6)),
    ("urange", RtType::Range(4)),
    ("[bool]", RtType::Array(1)),
    ("[[str]]", RtType::Array(9)),
];

/// The index of type `name` in the program's type table, whose names are `names`.
pub fn ty(names: &[String], name: &str) -> u16 {
    names.iter().position(|n| n == name).unwrap_or_else(|| panic!("unknown type {name}")) as u16
}

/// Adds the types declared by `.struct`, `.enum`, `.array` and `.map` lines to `prog.types`;
/// returns the names of all types.
fn declare_types(src: &str, prog: &mut Program) -> Vec<String> {
    let mut names: Vec<String> = TYPES.iter().map(|(n, _)| n.to_string()).collect();
    let decls: Vec<Vec<&str>> = src
        .lines()
        .map(|l| l.split(';').next().unwrap_or("").split_whitespace().collect::<Vec<_>>())
        .filter(|t| matches!(t.first(), Some(&(".struct" | ".enum" | ".array" | ".map"))))
        .collect();
    for d in &decls {
        names.push(match d[0] {
            ".array" => format!("[{}]", d[1]),
            ".map" => format!("Map<{},{}>", d[1], d[2]),
            _ => d[1].to_string(),
        });
    }
    for d in &decls {
        let display = d[1].split('<').next().unwrap_or("").to_string();
        let t = match d[0] {
            ".array" => RtType::Array(ty(&names, d[1])),
            ".map" => RtType::Map { key: ty(&names, d[1]), value: ty(&names, d[2]) },
            ".struct" => RtType::Struct {
                name: display,
                fields: d[2..]
                    .iter()
                    .map(|f| {
                        let (n, t) = f.split_once(':').expect("field:type");
                        (n.to_string(), ty(&names, t))
                    })
                    .collect(),
            },
            _ => RtType::Enum {
                name: display,
                variants: d[2..]
                    .iter()
                    .map(|v| match v.split_once('(') {
                        Some((n, ps)) => {
                            let ps = ps.strip_suffix(')').expect("`)`");
                            (n.to_string(), ps.split(',').map(|p| ty(&names, p)).collect())
                        }
                        None => (v.to_string(), vec![]),
                    })
                    .collect(),
            },
        };
        prog.types.push(t);
    }
    names
}

/// The extra word of `NewEnum` for `Enum.Variant`.
fn variant(names: &[String], prog: &Program, t: &str) -> u32 {
    let (e, v) = t.rsplit_once('.').expect("Enum.Variant");
    let id = ty(names, e);
    let Some(RtType::Enum { variants, .. }) = prog.types.get(id as usize) else { panic!("{e} is not an enum") };
    let tag = variants.iter().position(|(n, _)| n == v).unwrap_or_else(|| panic!("no variant {t}"));
    id as u32 | (tag as u32) << 16
}

fn num(tok: &str) -> i64 {
    let t = tok.trim_start_matches(['r', 'R']);
    t.parse().unwrap_or_else(|_| panic!("bad number {tok:?}"))
}

struct FnAsm {
    f: Function,
    labels: HashMap<String, usize>,
    /// (pc of the jump, label, whether sJ)
    fixups: Vec<(usize, String, bool)>,
}

pub fn assemble(src: &str) -> Program {
    let mut prog = Program {
        types: TYPES.iter().map(|(_, t)| t.clone()).collect(),
        files: vec!["test.orus".into()],
        ..Default::default()
    };
    let names = declare_types(src, &mut prog);
    let fn_names: Vec<String> = src
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".fn "))
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    let find_fn = |n: &str| fn_names.iter().position(|f| f == n).unwrap_or_else(|| panic!("unknown fn {n}")) as u32;
    let mut cur: Option<FnAsm> = None;
    for (lineno, raw) in src.lines().enumerate() {
        let line = raw.split(';').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let toks: Vec<&str> = line.split_whitespace().collect();
        match toks[0] {
            ".sig" => prog.print_sigs.push(toks[1..].iter().map(|t| ty(&names, t)).collect()),
            ".struct" | ".enum" | ".array" | ".map" => {}
            ".const" => prog.constants.push(constant(line[6..].trim())),
            ".global" => prog.globals.push(Global { name: toks[1].into(), is_ref: toks.get(2) == Some(&"ref") }),
            ".fn" => {
                if let Some(done) = cur.take() {
                    prog.functions.push(finish(done));
                }
                cur = Some(start_fn(&toks));
            }
            t if t.ends_with(':') => {
                let a = cur.as_mut().expect("label outside fn");
                a.labels.insert(t.trim_end_matches(':').into(), a.f.code.len());
            }
            _ => {
                let a = cur.as_mut().expect("instruction outside fn");
                instr(a, &toks, lineno as u32 + 1, &prog, &names, &find_fn)
            }
        }
    }
    if let Some(done) = cur.take() {
        prog.functions.push(finish(done));
    }
    prog.entry = fn_names.iter().position(|n| n == "main").unwrap_or(0) as u32;
    prog
}

fn constant(text: &str) -> Constant {
    if let Some(s) = text.strip_prefix('"') {
        let s = s.strip_suffix('"').expect("unterminated string");
        return Constant::Str(s.replace("\\n", "\n").replace("\\t", "\t"));
    }
    if let Some(f) = text.strip_suffix('f') {
        return Constant::Bits(f.parse::<f64>().expect("float").to_bits());
    }
    Constant::Bits(text.parse::<i64>().expect("int") as u64)
}

fn start_fn(toks: &[&str]) -> FnAsm {
    let mut f = Function { name: toks[1].into(), ..Default::default() };
    for t in &toks[2..] {
        let (k, v) = t.split_once('=').expect("key=value");
        match k {
            "params" => f.nparams = v.parse().unwrap(),
            "regs" => f.nregs = v.parse().unwrap(),
            "caps" => {
                f.captures = v
                    .split(',')
                    .map(|c| {
                        let is_ref = c.ends_with('*');
                        let n = c.trim_end_matches('*')[1..].parse::<u16>().unwrap();
                        let source = if c.starts_with('R') {
                            CaptureSource::Register(n as u8)
                        } else {
                            CaptureSource::Capture(n)
                        };
                        Capture { source, is_ref }
                    })
                    .collect()
            }
            _ => panic!("unknown fn attribute {k}"),
        }
    }
    FnAsm { f, labels: HashMap::new(), fixups: Vec::new() }
}

fn instr(a: &mut FnAsm, toks: &[&str], line: u32, prog: &Program, names: &[String], find_fn: &dyn Fn(&str) -> u32) {
    let op = *Op::ALL.iter().find(|o| o.name() == toks[0]).unwrap_or_else(|| panic!("unknown op {}", toks[0]));
    let mut refs = None;
    let mut ops: Vec<&str> = Vec::new();
    for t in &toks[1..] {
        match t.strip_prefix('!') {
            Some(list) => {
                let mut set = RegSet::default();
                list.split(',').filter(|s| !s.is_empty()).for_each(|r| set.insert(num(r) as usize));
                refs = Some(set);
            }
            None => ops.push(t),
        }
    }
    let pc = a.f.code.len();
    let mut it = ops.into_iter();
    let mut next = || it.next().unwrap_or("0");
    let mut field = |f: Field| if f == Field::Unused { 0 } else { num(next()) as u8 };
    let word = match layout(op) {
        Layout::Abc(x, y, z) => {
            let (p, q, r) = (field(x), field(y), field(z));
            Instr::abc(op, p, q, r)
        }
        Layout::ABx(x, kind) => {
            let p = field(x);
            let t = next();
            let bx = match kind {
                BxKind::Func if t.parse::<i64>().is_err() => find_fn(t) as u16,
                BxKind::Global if t.parse::<i64>().is_err() => {
                    prog.globals.iter().position(|g| g.name == t).expect("global") as u16
                }
                _ => num(t) as u16,
            };
            Instr::abx(op, p, bx)
        }
        Layout::AsBx(x, kind) => {
            let p = field(x);
            let t = next();
            if kind == SbxKind::Jump {
                a.fixups.push((pc, t.to_string(), false));
                Instr::asbx(op, p, 0)
            } else {
                Instr::asbx(op, p, num(t) as i16)
            }
        }
        Layout::SJ => {
            a.fixups.push((pc, next().to_string(), true));
            Instr::with_sj(op, 0)
        }
    };
    a.f.code.push(word.0);
    a.f.lines.push(line);
    if op.extra_words() > 0 {
        let t = next();
        let w = match extra(op) {
            Extra::Func => find_fn(t),
            Extra::Type => ty(names, t) as u32,
            Extra::Variant => variant(names, prog, t),
            Extra::Native => {
                let (name, targ) = t.split_once(':').unwrap_or((t, "void"));
                let n = Native::ALL.iter().position(|n| n.name() == name).expect("native");
                n as u32 | (ty(names, targ) as u32) << 16
            }
            _ => num(t) as u32,
        };
        a.f.code.push(w);
        a.f.lines.push(line);
    }
    if op.may_allocate() || op.is_call() || refs.is_some() {
        a.f.safepoints.push(Safepoint { pc: pc as u32, refs: refs.unwrap_or_default() });
    }
}

fn finish(mut a: FnAsm) -> Function {
    for (pc, label, sj) in a.fixups.drain(..) {
        let target = *a.labels.get(&label).unwrap_or_else(|| panic!("unknown label {label}"));
        let off = target as i32 - (pc as i32 + 1);
        let w = Instr(a.f.code[pc]);
        a.f.code[pc] =
            if sj { Instr::with_sj(Op::Jmp, off).0 } else { Instr::asbx(w.op().unwrap(), w.a() as u8, off as i16).0 };
    }
    a.f
}
