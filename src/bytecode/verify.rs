//! Load-time verification of a `Program`, plus the operand-layout table (`layout`, `extra`)
//! that the verifier, the disassembler and test assemblers share.
//!
//! After `verify` succeeds the VM may rely on: valid opcodes; every register operand (and
//! register range) below the function's `nregs` ≤ 256; jump targets on instruction
//! boundaries inside the code (the extra-word offsets of compare-and-branch included);
//! constant, function, global, type, print-signature and native indices in range; extra words present; a line per code word; a safepoint at every
//! allocating instruction and every call; valid capture sources; `NewStruct` naming a struct
//! type with exactly C fields and `NewEnum` a variant with exactly C payload values;
//! `NewMap` naming a map type and `MapGetOpt`/`MapRemove` an Option-shaped enum type
//! (`Some` with one payload value, then `None` without); and a
//! last instruction that cannot fall through (`Ret`, `Ret0`, `Jmp` or `Panic`). Slot
//! indices of `GetField`/`SetField` depend on register types, which the verifier does not
//! track: the VM checks them.

use super::chunk::{CaptureSource, Function, Program, RtType};
use super::native::Native;
use super::op::{Instr, Op};

/// How one 8-bit field of an instruction is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Unused,
    /// A register of the current frame.
    Reg,
    /// First register of a range whose length is given by another operand.
    RegBase,
    /// An unsigned count, flag or small index.
    Num,
    /// A signed 8-bit immediate.
    SNum,
}

/// What the 16-bit Bx field of an `ABx` instruction indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BxKind {
    Const,
    Func,
    Global,
    /// A `Function::jump_tables` entry.
    Table,
}

/// What a signed 16-bit sBx field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SbxKind {
    /// A jump offset relative to the next instruction.
    Jump,
    /// An immediate value.
    Imm,
}

/// The encoding of an instruction's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Abc(Field, Field, Field),
    ABx(Field, BxKind),
    AsBx(Field, SbxKind),
    /// A signed 24-bit jump offset.
    SJ,
}

/// What the extra word after an instruction holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extra {
    None,
    Type,
    Func,
    /// native id (low 16 bits) | type argument (high 16 bits)
    Native,
    /// 0 or 1
    Flag,
    PrintSig,
    /// enum `TypeId` (low 16 bits) | variant tag (high 16 bits)
    Variant,
    /// an i32 immediate operand
    Imm,
    /// an f64 immediate stored as the bits of an f32
    F32,
    /// an i32 jump offset relative to the pc after the extra word (compare-and-branch)
    Jump,
    /// host function index (`Program::host.fns`)
    Host,
}

pub fn layout(op: Op) -> Layout {
    use Field::*;
    use Op::*;
    match op {
        LoadI => Layout::AsBx(Reg, SbxKind::Imm),
        LoadK => Layout::ABx(Reg, BxKind::Const),
        Closure => Layout::ABx(Reg, BxKind::Func),
        GetGlobal | SetGlobal => Layout::ABx(Reg, BxKind::Global),
        Switch => Layout::ABx(Reg, BxKind::Table),
        Jmp => Layout::SJ,
        JmpIf | JmpIfNot | ForPrepS | ForPrepU | ForLoop | TryBegin => Layout::AsBx(Reg, SbxKind::Jump),
        JEqI | JNeI | JLtI | JLeI | JGtI | JGeI => Layout::AsBx(Reg, SbxKind::Imm),
        JEq | JLtS | JLeS | JLtU | JLeU | JEqF | JLtF | JLeF | JEqStr | JLtStr | JLeStr => Layout::Abc(Reg, Reg, Num),
        LoadNil | Ret | NewMap => Layout::Abc(Reg, Unused, Unused),
        Panic => Layout::Abc(Reg, Unused, Num),
        Ret0 | TryEnd => Layout::Abc(Unused, Unused, Unused),
        AddII32 | AddII64 => Layout::Abc(Reg, Reg, SNum),
        Call | CallK | CallN | CallHost | Print => Layout::Abc(Reg, Num, Unused),
        GetCap => Layout::Abc(Reg, Num, Unused),
        NewCell | ErrorField | MapKeys | MapValues => Layout::Abc(Reg, Reg, Num),
        NewArray | NewStruct | NewEnum => Layout::Abc(Reg, RegBase, Num),
        GetField => Layout::Abc(Reg, Reg, Num),
        SetField => Layout::Abc(Reg, Num, Reg),
        Move | NegI32 | NegI64 | NegF64 | BitNot | BitNotU32 | Not | TruncI32 | TruncU32 | IntToBool | SIntToF64
        | UIntToF64 | F64ToI32 | F64ToI64 | F64ToU32 | F64ToU64 | ToStr | RangeUnpack | NewRange | GetCell
        | SetCell | StrLen | ArrayLen | ArrayPush | ArrayPop | EnumTag | MapLen | AddKI32 | AddKI64 | MulKI32
        | MulKI64 | DivKI32 | DivKI64 | RemKI32 | RemKI64 | AddKF64 | SubKF64 | MulKF64 | DivKF64 | RSubKF64
        | RDivKF64 => Layout::Abc(Reg, Reg, Unused),
        _ => Layout::Abc(Reg, Reg, Reg),
    }
}

pub fn extra(op: Op) -> Extra {
    match op {
        Op::EqDeep | Op::ToStr | Op::NewRange | Op::NewStruct | Op::NewMap | Op::MapGetOpt | Op::MapRemove => {
            Extra::Type
        }
        Op::NewEnum => Extra::Variant,
        Op::CallK => Extra::Func,
        Op::CallN => Extra::Native,
        Op::CallHost => Extra::Host,
        Op::NewArray => Extra::Flag,
        Op::Print => Extra::PrintSig,
        Op::AddKI32
        | Op::AddKI64
        | Op::MulKI32
        | Op::MulKI64
        | Op::DivKI32
        | Op::DivKI64
        | Op::RemKI32
        | Op::RemKI64 => Extra::Imm,
        Op::AddKF64 | Op::SubKF64 | Op::MulKF64 | Op::DivKF64 | Op::RSubKF64 | Op::RDivKF64 => Extra::F32,
        _ if op.is_cond_jump() => Extra::Jump,
        _ => Extra::None,
    }
}

/// Number of arguments each native takes.
pub fn native_arity(n: Native) -> usize {
    use Native::*;
    match n {
        Input | Timestamp | Args => 0,
        InputPrompt | ParseInt | ParseFloat | Assert | Abs | Sort | Sorted | Reverse | Trim | ToUpper | ToLower
        | Chars | Exit => 1,
        Sqrt | Floor | Ceil | Round | Sin | Cos | Tan | Exp | Ln | Log10 | ReadFile | ReadLines | Env | Sleep => 1,
        Min | Max | ArrayRemove | ArrayContains | StrContains | StrFind | StartsWith | EndsWith | Split | Join
        | Repeat | Pow | Atan2 | WriteFile => 2,
        AssertEq | ArrayInsert | Replace => 3,
    }
}

/// Whether a native reads the type argument of its `CallN`.
pub fn native_uses_type(n: Native) -> bool {
    use Native::*;
    matches!(
        n,
        AssertEq | Min | Max | Abs | Sort | Sorted | ArrayContains | StrFind | ReadFile | WriteFile | ReadLines | Env
    )
}

/// Checks the whole program once at load; the error names the function and pc.
pub fn verify(program: &Program) -> Result<(), String> {
    check_types(program)?;
    for (i, sig) in program.print_sigs.iter().enumerate() {
        if let Some(t) = sig.iter().find(|t| **t as usize >= program.types.len()) {
            return Err(format!("print signature {i}: type {t} out of range"));
        }
    }
    if program.entry as usize >= program.functions.len() {
        return Err(format!("entry function {} out of range", program.entry));
    }
    for (i, f) in program.functions.iter().enumerate() {
        FnCheck { prog: program, f }.run().map_err(|e| format!("function {i} `{}`: {e}", f.name))?;
    }
    Ok(())
}

fn check_types(program: &Program) -> Result<(), String> {
    let n = program.types.len();
    let ok = |t: &u16| (*t as usize) < n;
    for (i, t) in program.types.iter().enumerate() {
        let valid = match t {
            RtType::Array(e) | RtType::Range(e) => ok(e),
            RtType::Func { params, ret } => params.iter().all(ok) && ok(ret),
            RtType::Struct { fields, .. } => fields.iter().all(|f| ok(&f.1)),
            // Tags are 16 bits in `NewEnum`.
            RtType::Enum { variants, .. } => variants.len() <= 1 << 16 && variants.iter().all(|v| v.1.iter().all(ok)),
            RtType::Map { key, value } => ok(key) && ok(value),
            _ => true,
        };
        if !valid {
            return Err(format!("type {i} refers to a type out of range (or has too many variants)"));
        }
    }
    Ok(())
}

/// Whether enum variants have the shape of `Option<V>`: tag 0 with one payload value, tag
/// 1 without.
fn is_option(variants: &[(String, Vec<u16>)]) -> bool {
    matches!(variants, [(_, some), (_, none)] if some.len() == 1 && none.is_empty())
}

struct FnCheck<'a> {
    prog: &'a Program,
    f: &'a Function,
}

impl FnCheck<'_> {
    fn run(&self) -> Result<(), String> {
        let f = self.f;
        if f.nregs > 256 {
            return Err(format!("nregs {} exceeds 256", f.nregs));
        }
        if f.nparams > f.nregs {
            return Err(format!("nparams {} exceeds nregs {}", f.nparams, f.nregs));
        }
        if f.lines.len() != f.code.len() {
            return Err(format!("{} lines for {} code words", f.lines.len(), f.code.len()));
        }
        if f.file as usize >= self.prog.files.len().max(1) {
            return Err(format!("file index {} out of range", f.file));
        }
        if f.safepoints.windows(2).any(|w| w[0].pc >= w[1].pc) {
            return Err("safepoints are not sorted by pc".into());
        }
        let starts = self.instruction_starts()?;
        let mut last = None;
        let mut pc = 0;
        while pc < f.code.len() {
            let ins = Instr(f.code[pc]);
            let op = ins.op().ok_or_else(|| format!("pc {pc}: bad opcode {}", ins.op_byte()))?;
            self.check_instr(pc, ins, op, &starts).map_err(|e| format!("pc {pc} ({}): {e}", op.name()))?;
            last = Some(op);
            pc += 1 + op.extra_words();
        }
        match last {
            Some(Op::Ret | Op::Ret0 | Op::Jmp | Op::Panic) => Ok(()),
            _ => Err("code may fall off its end (last instruction must be Ret, Ret0, Jmp or Panic)".into()),
        }
    }

    /// Marks the pc of every instruction start; errors on bad opcodes and missing extra words.
    fn instruction_starts(&self) -> Result<Vec<bool>, String> {
        let code = &self.f.code;
        let mut starts = vec![false; code.len()];
        let mut pc = 0;
        while pc < code.len() {
            let ins = Instr(code[pc]);
            let op = ins.op().ok_or_else(|| format!("pc {pc}: bad opcode {}", ins.op_byte()))?;
            starts[pc] = true;
            let next = pc + 1 + op.extra_words();
            if next > code.len() {
                return Err(format!("pc {pc} ({}): missing extra word", op.name()));
            }
            pc = next;
        }
        Ok(starts)
    }

    fn reg(&self, r: usize) -> Result<(), String> {
        if r < self.f.nregs as usize {
            Ok(())
        } else {
            Err(format!("register {r} out of range (nregs {})", self.f.nregs))
        }
    }

    /// Registers `first..first + count` must all exist.
    fn regs(&self, first: usize, count: usize) -> Result<(), String> {
        if first + count <= self.f.nregs as usize {
            Ok(())
        } else {
            Err(format!("registers {first}..{} out of range (nregs {})", first + count, self.f.nregs))
        }
    }

    fn check_instr(&self, pc: usize, ins: Instr, op: Op, starts: &[bool]) -> Result<(), String> {
        self.check_fields(pc, ins, op, starts)?;
        self.check_ranges(ins, op)?;
        let word = self.f.code.get(pc + 1).copied().unwrap_or(0);
        if extra(op) == Extra::Jump {
            // relative to the pc after the extra word
            self.target(pc + 1, word as i32 as isize, starts)?;
        }
        self.check_extra(ins, op, word)?;
        self.check_safepoint(pc, ins, op)
    }

    fn check_fields(&self, pc: usize, ins: Instr, op: Op, starts: &[bool]) -> Result<(), String> {
        let field = |f: Field, v: usize| match f {
            Field::Reg => self.reg(v),
            _ => Ok(()),
        };
        match layout(op) {
            Layout::Abc(a, b, c) => {
                field(a, ins.a())?;
                field(b, ins.b())?;
                field(c, ins.c())
            }
            Layout::ABx(a, kind) => {
                field(a, ins.a())?;
                let (len, what) = match kind {
                    BxKind::Const => (self.prog.constants.len(), "constant"),
                    BxKind::Func => (self.prog.functions.len(), "function"),
                    BxKind::Global => (self.prog.globals.len(), "global"),
                    BxKind::Table => (self.f.jump_tables.len(), "jump table"),
                };
                if ins.bx() >= len {
                    return Err(format!("{what} index {} out of range", ins.bx()));
                }
                if kind == BxKind::Table {
                    for t in self.f.jump_tables.get(ins.bx()).into_iter().flatten() {
                        let ok = (*t as usize) > pc && starts.get(*t as usize).copied().unwrap_or(false);
                        if !ok {
                            return Err(format!("jump table target {t} is not a later instruction"));
                        }
                    }
                }
                if kind == BxKind::Func {
                    self.check_captures(ins.bx())?;
                }
                Ok(())
            }
            Layout::AsBx(a, kind) => {
                field(a, ins.a())?;
                if kind == SbxKind::Jump {
                    self.target(pc, ins.sbx(), starts)?;
                }
                Ok(())
            }
            Layout::SJ => self.target(pc, ins.sj(), starts),
        }
    }

    fn target(&self, pc: usize, offset: isize, starts: &[bool]) -> Result<(), String> {
        let t = pc as isize + 1 + offset;
        if t >= 0 && (t as usize) < starts.len() && starts[t as usize] {
            Ok(())
        } else {
            Err(format!("jump target {t} is not an instruction start"))
        }
    }

    /// The capture list of function `callee`, evaluated in this function's frame.
    fn check_captures(&self, callee: usize) -> Result<(), String> {
        let Some(g) = self.prog.functions.get(callee) else { return Ok(()) };
        for cap in &g.captures {
            match cap.source {
                CaptureSource::Register(r) => self.reg(r as usize)?,
                CaptureSource::Capture(i) if (i as usize) < self.f.captures.len() => {}
                CaptureSource::Capture(i) => return Err(format!("capture source {i} out of range")),
            }
        }
        Ok(())
    }

    /// Operands that name several registers or carry a bounded count or flag.
    fn check_ranges(&self, ins: Instr, op: Op) -> Result<(), String> {
        let (a, b, c) = (ins.a(), ins.b(), ins.c());
        match op {
            Op::ForPrepS | Op::ForPrepU | Op::ForLoop | Op::RangeUnpack => self.regs(a, 4),
            Op::NewRange => self.regs(b, 4),
            Op::Call | Op::CallK | Op::CallN | Op::CallHost => self.regs(a, b + 1),
            Op::Print => self.regs(a, b),
            Op::NewArray | Op::NewStruct | Op::NewEnum => self.regs(b, c),
            Op::StrSlice | Op::ArraySlice => self.regs(c, 2),
            Op::GetCap if b >= self.f.captures.len() => Err(format!("capture {b} out of range")),
            Op::NewCell | Op::ErrorField | Op::MapKeys | Op::MapValues if c > 1 => {
                Err(format!("operand C = {c} must be 0 or 1"))
            }
            _ if op.is_cond_jump() && layout(op) == Layout::Abc(Field::Reg, Field::Reg, Field::Num) && c > 1 => {
                Err(format!("operand C = {c} must be 0 or 1"))
            }
            _ => Ok(()),
        }
    }

    fn check_extra(&self, ins: Instr, op: Op, word: u32) -> Result<(), String> {
        let types = self.prog.types.len();
        match extra(op) {
            Extra::None | Extra::Imm | Extra::F32 | Extra::Jump => Ok(()),
            Extra::Type if op == Op::NewStruct => match self.prog.types.get(word as usize) {
                Some(RtType::Struct { fields, .. }) if fields.len() == ins.c() => Ok(()),
                Some(RtType::Struct { name, fields }) => {
                    Err(format!("{} field values for struct {name} which has {}", ins.c(), fields.len()))
                }
                _ => Err(format!("type {word} is not a struct type")),
            },
            Extra::Type if op == Op::NewMap => match self.prog.types.get(word as usize) {
                Some(RtType::Map { .. }) => Ok(()),
                _ => Err(format!("type {word} is not a map type")),
            },
            Extra::Type if matches!(op, Op::MapGetOpt | Op::MapRemove) => match self.prog.types.get(word as usize) {
                Some(RtType::Enum { variants, .. }) if is_option(variants) => Ok(()),
                _ => Err(format!("type {word} is not an Option type (Some with one value, then None)")),
            },
            Extra::Type if (word as usize) < types => Ok(()),
            Extra::Type => Err(format!("type {word} out of range")),
            Extra::Flag if word <= 1 => Ok(()),
            Extra::Flag => Err(format!("flag word {word} must be 0 or 1")),
            Extra::Func => {
                let g = self.prog.functions.get(word as usize).ok_or(format!("function {word} out of range"))?;
                if g.nparams as usize != ins.b() {
                    return Err(format!("{} arguments for `{}` which takes {}", ins.b(), g.name, g.nparams));
                }
                Ok(())
            }
            Extra::Native => {
                let n = Native::from_u16(word as u16).ok_or(format!("native {} out of range", word & 0xFFFF))?;
                if native_arity(n) != ins.b() {
                    return Err(format!(
                        "{} arguments for native {} which takes {}",
                        ins.b(),
                        n.name(),
                        native_arity(n)
                    ));
                }
                if native_uses_type(n) && (word >> 16) as usize >= types {
                    return Err(format!("native type argument {} out of range", word >> 16));
                }
                Ok(())
            }
            Extra::Host => match self.prog.host.fns.get(word as usize) {
                Some(sig) if sig.params.len() == ins.b() => Ok(()),
                Some(sig) => {
                    Err(format!("{} arguments for host function {word} which takes {}", ins.b(), sig.params.len()))
                }
                None => Err(format!("host function {word} out of range")),
            },
            Extra::Variant => {
                let (ty, tag) = (word & 0xFFFF, (word >> 16) as usize);
                let Some(RtType::Enum { name, variants }) = self.prog.types.get(ty as usize) else {
                    return Err(format!("type {ty} is not an enum type"));
                };
                match variants.get(tag) {
                    Some((_, payload)) if payload.len() == ins.c() => Ok(()),
                    Some((v, payload)) => {
                        Err(format!("{} payload values for {name}.{v} which has {}", ins.c(), payload.len()))
                    }
                    None => Err(format!("enum {name} has no variant {tag}")),
                }
            }
            Extra::PrintSig => {
                let sig =
                    self.prog.print_sigs.get(word as usize).ok_or(format!("print signature {word} out of range"))?;
                if sig.len() != ins.b() {
                    return Err(format!("print signature has {} types for {} values", sig.len(), ins.b()));
                }
                Ok(())
            }
        }
    }

    fn check_safepoint(&self, pc: usize, ins: Instr, op: Op) -> Result<(), String> {
        if !op.may_allocate() && !op.is_call() {
            return Ok(());
        }
        let set = self.f.safepoint(pc).ok_or("missing safepoint")?;
        let limit = if op.is_call() { ins.a() + 1 } else { self.f.nregs as usize };
        match set.iter().find(|r| *r >= limit) {
            Some(r) => Err(format!("safepoint register {r} not below {limit}")),
            None => Ok(()),
        }
    }
}
