//! Human-readable listing of a compiled program (`orus disasm`): function by function, a
//! header (name, parameters, registers, file, captures), then one line per instruction with
//! its pc, source line, opcode, operands, decoded jump targets and the constants, functions,
//! globals, types and natives it names (struct layouts for `NewStruct`, `Enum.Variant` for
//! `NewEnum`, slot numbers for `GetField`/`SetField`, the indexing of `MapGet`/`MapSet`).

use std::fmt::Write;

use super::chunk::{CaptureSource, Constant, Function, Program, RtType, TypeId};
use super::native::Native;
use super::op::{Instr, Op};
use super::verify::{extra, layout, BxKind, Extra, Field, Layout, SbxKind};

pub fn disassemble(program: &Program) -> String {
    let mut out = String::new();
    for (i, f) in program.functions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        function(&mut out, program, i, f);
    }
    out
}

fn function(out: &mut String, prog: &Program, index: usize, f: &Function) {
    let entry = if index as u32 == prog.entry { " [entry]" } else { "" };
    let _ = writeln!(out, "fn #{index} {}{entry} (params: {}, regs: {}, file: {})", f.name, f.nparams, f.nregs, f.file);
    if !f.captures.is_empty() {
        let caps: Vec<String> = f
            .captures
            .iter()
            .map(|c| {
                let src = match c.source {
                    CaptureSource::Register(r) => format!("R{r}"),
                    CaptureSource::Capture(i) => format!("cap{i}"),
                };
                if c.is_ref {
                    format!("{src} (ref)")
                } else {
                    src
                }
            })
            .collect();
        let _ = writeln!(out, "  captures: {}", caps.join(", "));
    }
    let mut pc = 0;
    while pc < f.code.len() {
        let ins = Instr(f.code[pc]);
        let line = f.lines.get(pc).copied().unwrap_or(0);
        let text = match ins.op() {
            Some(op) => instruction(prog, &f.jump_tables, pc, ins, op, f.code.get(pc + 1).copied()),
            None => format!("<bad opcode {}>", ins.op_byte()),
        };
        let _ = writeln!(out, "  {pc:5}  {line:5}  {text}");
        pc += 1 + ins.op().map_or(0, Op::extra_words);
    }
}

fn field(f: Field, v: usize) -> Option<String> {
    match f {
        Field::Unused => None,
        Field::Reg | Field::RegBase => Some(format!("R{v}")),
        Field::Num => Some(v.to_string()),
        Field::SNum => Some((v as u8 as i8).to_string()),
    }
}

fn instruction(prog: &Program, tables: &[Vec<u32>], pc: usize, ins: Instr, op: Op, word: Option<u32>) -> String {
    let mut ops: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    match layout(op) {
        Layout::Abc(a, b, c) => {
            ops.extend([field(a, ins.a()), field(b, ins.b()), field(c, ins.c())].into_iter().flatten());
        }
        Layout::ABx(a, kind) => {
            ops.extend(field(a, ins.a()));
            let bx = ins.bx();
            match kind {
                BxKind::Const => {
                    ops.push(format!("K{bx}"));
                    notes.push(constant(prog, bx));
                }
                BxKind::Func => {
                    ops.push(format!("F{bx}"));
                    notes.push(function_name(prog, bx));
                }
                BxKind::Global => {
                    ops.push(format!("G{bx}"));
                    notes.push(prog.globals.get(bx).map_or("?".into(), |g| g.name.clone()));
                }
                BxKind::Table => {
                    ops.push(format!("J{bx}"));
                    let targets = tables.get(bx).map(|t| format!("{t:?}")).unwrap_or_else(|| "?".into());
                    notes.push(format!("-> {targets}"));
                }
            }
        }
        Layout::AsBx(a, kind) => {
            ops.extend(field(a, ins.a()));
            match kind {
                SbxKind::Imm => ops.push(ins.sbx().to_string()),
                SbxKind::Jump => ops.push(format!("-> {}", pc as isize + 1 + ins.sbx())),
            }
        }
        Layout::SJ => ops.push(format!("-> {}", pc as isize + 1 + ins.sj())),
    }
    if let Some(w) = word.filter(|_| op.extra_words() > 0) {
        extra_word(prog, op, w, &mut ops, &mut notes);
        if extra(op) == Extra::Jump {
            ops.push(format!("-> {}", pc as isize + 2 + w as i32 as isize));
        }
    }
    match op {
        Op::GetField => notes.push(format!("R{} = R{}.slot{}", ins.a(), ins.b(), ins.c())),
        Op::SetField => notes.push(format!("R{}.slot{} = R{}", ins.a(), ins.b(), ins.c())),
        Op::MapGet => notes.push(format!("R{} = R{}[R{}]", ins.a(), ins.b(), ins.c())),
        Op::MapSet => notes.push(format!("R{}[R{}] = R{}", ins.a(), ins.b(), ins.c())),
        _ => {}
    }
    let mut s = format!("{:<11} {}", op.name(), ops.join(", "));
    if !notes.is_empty() {
        let _ = write!(s, "    ; {}", notes.join(", "));
    }
    s.trim_end().to_string()
}

fn extra_word(prog: &Program, op: Op, w: u32, ops: &mut Vec<String>, notes: &mut Vec<String>) {
    match extra(op) {
        Extra::None | Extra::Jump => {}
        Extra::Imm => ops.push(format!("#{}", w as i32)),
        Extra::F32 => ops.push(format!("#{:?}", f32::from_bits(w) as f64)),
        Extra::Type => {
            ops.push(format!("T{w}"));
            notes.push(match prog.types.get(w as usize) {
                Some(RtType::Struct { name, fields }) if op == Op::NewStruct => {
                    let names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
                    format!("{name} {{ {} }}", names.join(", "))
                }
                _ => type_name(prog, w as TypeId),
            });
        }
        Extra::Variant => {
            let (ty, tag) = (w & 0xFFFF, w >> 16);
            ops.push(format!("T{ty}.{tag}"));
            notes.push(match prog.types.get(ty as usize) {
                Some(RtType::Enum { name, variants }) => {
                    format!("{name}.{}", variants.get(tag as usize).map_or("?", |v| v.0.as_str()))
                }
                _ => "?".into(),
            });
        }
        Extra::Func => {
            ops.push(format!("F{w}"));
            notes.push(function_name(prog, w as usize));
        }
        Extra::Native => {
            let name = Native::from_u16(w as u16).map_or("?", Native::name);
            ops.push(format!("N{}", w & 0xFFFF));
            notes.push(format!("{name}<{}>", type_name(prog, (w >> 16) as TypeId)));
        }
        Extra::Host => ops.push(format!("H{w}")),
        Extra::Flag => ops.push(if w == 1 { "refs".into() } else { "scalars".into() }),
        Extra::PrintSig => {
            ops.push(format!("S{w}"));
            let sig = prog
                .print_sigs
                .get(w as usize)
                .map_or_else(Vec::new, |s| s.iter().map(|t| type_name(prog, *t)).collect());
            notes.push(format!("({})", sig.join(", ")));
        }
    }
}

fn constant(prog: &Program, k: usize) -> String {
    match prog.constants.get(k) {
        Some(Constant::Bits(b)) => format!("{} / {:?}", *b as i64, f64::from_bits(*b)),
        Some(Constant::Str(s)) => format!("{s:?}"),
        None => "?".into(),
    }
}

fn function_name(prog: &Program, f: usize) -> String {
    prog.functions.get(f).map_or("?".into(), |f| format!("fn {}", f.name))
}

/// A type's name as Orus writes it, with a depth bound for malformed tables.
pub fn type_name(prog: &Program, t: TypeId) -> String {
    rt_type_name(&prog.types, t)
}

/// The name of runtime type `t` of the table `types` (struct and enum names without type
/// arguments), as `typeof` writes it; also used by the embedding API.
pub fn rt_type_name(types: &[RtType], t: TypeId) -> String {
    type_name_depth(types, t, 0)
}

fn type_name_depth(types: &[RtType], t: TypeId, depth: usize) -> String {
    if depth > 64 {
        return "...".into();
    }
    let name = |t: &TypeId| type_name_depth(types, *t, depth + 1);
    match types.get(t as usize) {
        None => "?".into(),
        Some(RtType::Void) => "void".into(),
        Some(RtType::Bool) => "bool".into(),
        Some(RtType::I32) => "i32".into(),
        Some(RtType::I64) => "i64".into(),
        Some(RtType::U32) => "u32".into(),
        Some(RtType::U64) => "u64".into(),
        Some(RtType::F64) => "f64".into(),
        Some(RtType::Str) => "string".into(),
        Some(RtType::Error) => "Error".into(),
        Some(RtType::Array(e)) => format!("[{}]", name(e)),
        Some(RtType::Range(e)) => format!("Range<{}>", name(e)),
        Some(RtType::Struct { name, .. } | RtType::Enum { name, .. }) => name.clone(),
        Some(RtType::Map { key, value }) => format!("Map<{}, {}>", name(key), name(value)),
        Some(RtType::Func { params, ret }) => {
            let ps: Vec<String> = params.iter().map(name).collect();
            format!("fn({}) -> {}", ps.join(", "), name(ret))
        }
    }
}
