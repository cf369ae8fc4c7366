//! Optimized instruction selection, used unless codegen runs in its simple mode
//! (`Options::optimize == false`, e.g. `ORUS_UNOPTIMIZED=1`): arithmetic with a literal
//! operand as one register-immediate instruction (`AddII*`, `*KI32`, `*KI64`, `*KF64`),
//! conditions compiled straight into fused compare-and-branch jumps (`JLtS`, `JGeI`, ...),
//! and the checks that let an assignment write its destination register directly. The
//! simple mode emits only the generic forms, so a test can compare the two on every golden
//! program.

use super::func::{FnBuilder, Reg};
use crate::bytecode::op::{Instr, Op};
use crate::syntax::ast::*;
use crate::types::ty::Ty;

/// A literal operand in the form an immediate instruction takes.
#[derive(Clone, Copy, Debug)]
enum Lit {
    /// A signed integer (i32 or i64 operands) in i32 range.
    Int(i64),
    /// An f64 that an f32 represents exactly, as the f32 bits.
    F32(u32),
}

impl<'g, 'a> FnBuilder<'g, 'a> {
    pub fn optimizing(&self) -> bool {
        self.g.options.optimize
    }

    /// The value of `e` when it is a (possibly negated) numeric literal of operand type `t`
    /// that fits an immediate operand.
    fn literal(&self, e: &Expr, t: &Ty) -> Option<Lit> {
        let (neg, inner) = match &e.kind {
            ExprKind::Unary { op: UnOp::Neg, operand } => (true, &**operand),
            _ => (false, e),
        };
        match (&inner.kind, t) {
            (ExprKind::Int { value, .. }, Ty::I32 | Ty::I64) => {
                let v = i64::try_from(*value).ok()?;
                let v = if neg { -v } else { v };
                (i32::MIN as i64..=i32::MAX as i64).contains(&v).then_some(Lit::Int(v))
            }
            (ExprKind::Int { value, .. }, Ty::F64) => f32_exact(if neg { -(*value as f64) } else { *value as f64 }),
            (ExprKind::Float(f), Ty::F64) => f32_exact(if neg { -*f } else { *f }),
            _ => None,
        }
    }

    /// `dst = lhs op rhs` with one literal operand as an immediate, when the optimized
    /// mode is on and an immediate form exists. Returns false (emitting nothing) otherwise.
    pub fn binary_imm(&mut self, op: BinOp, t: &Ty, lhs: &Expr, rhs: &Expr, dst: Reg) -> bool {
        if !self.optimizing() {
            return false;
        }
        let (rl, ll) = (self.literal(rhs, t), self.literal(lhs, t));
        // (opcode, the non-literal operand, the immediate)
        let (opcode, operand, lit) = match (op, t, rl, ll) {
            (BinOp::Add, Ty::I32 | Ty::I64, Some(k), _) => (add_k(t), lhs, k),
            (BinOp::Add, Ty::I32 | Ty::I64, None, Some(k)) => (add_k(t), rhs, k),
            (BinOp::Sub, Ty::I32 | Ty::I64, Some(Lit::Int(k)), _) if k != i32::MIN as i64 => {
                (add_k(t), lhs, Lit::Int(-k))
            }
            (BinOp::Mul, Ty::I32, Some(k), _) => (Op::MulKI32, lhs, k),
            (BinOp::Mul, Ty::I32, None, Some(k)) => (Op::MulKI32, rhs, k),
            (BinOp::Mul, Ty::I64, Some(k), _) => (Op::MulKI64, lhs, k),
            (BinOp::Mul, Ty::I64, None, Some(k)) => (Op::MulKI64, rhs, k),
            (BinOp::Div, Ty::I32, Some(k), _) => (Op::DivKI32, lhs, k),
            (BinOp::Div, Ty::I64, Some(k), _) => (Op::DivKI64, lhs, k),
            (BinOp::Rem, Ty::I32, Some(k), _) => (Op::RemKI32, lhs, k),
            (BinOp::Rem, Ty::I64, Some(k), _) => (Op::RemKI64, lhs, k),
            (BinOp::Add, Ty::F64, Some(k), _) => (Op::AddKF64, lhs, k),
            (BinOp::Add, Ty::F64, None, Some(k)) => (Op::AddKF64, rhs, k),
            (BinOp::Mul, Ty::F64, Some(k), _) => (Op::MulKF64, lhs, k),
            (BinOp::Mul, Ty::F64, None, Some(k)) => (Op::MulKF64, rhs, k),
            (BinOp::Sub, Ty::F64, Some(k), _) => (Op::SubKF64, lhs, k),
            (BinOp::Sub, Ty::F64, None, Some(k)) => (Op::RSubKF64, rhs, k),
            (BinOp::Div, Ty::F64, Some(k), _) => (Op::DivKF64, lhs, k),
            (BinOp::Div, Ty::F64, None, Some(k)) => (Op::RDivKF64, rhs, k),
            _ => return false,
        };
        let src = self.operand_reg(operand, dst);
        self.emit_imm(opcode, dst, src, lit);
        true
    }

    /// `dst = src op k` for an immediate opcode chosen by `binary_imm` or a compound
    /// assignment.
    fn emit_imm(&mut self, opcode: Op, dst: Reg, src: Reg, lit: Lit) {
        match lit {
            Lit::Int(k) if (-128..=127).contains(&k) && matches!(opcode, Op::AddKI32 | Op::AddKI64) => {
                let small = if opcode == Op::AddKI32 { Op::AddII32 } else { Op::AddII64 };
                self.abc(small, dst, src, k as i8 as u8);
            }
            Lit::Int(k) => {
                self.abc_x(opcode, dst, src, 0, k as i32 as u32);
            }
            Lit::F32(bits) => {
                self.abc_x(opcode, dst, src, 0, bits);
            }
        }
    }

    /// `r = r op value` for a compound assignment to a local register, with an immediate
    /// when `value` is a literal. Returns false (emitting nothing) when no immediate form
    /// applies.
    pub fn compound_imm(&mut self, op: BinOp, t: &Ty, r: Reg, value: &Expr) -> bool {
        if !self.optimizing() {
            return false;
        }
        let Some(lit) = self.literal(value, t) else { return false };
        let opcode = match (op, t, lit) {
            (BinOp::Add, Ty::I32 | Ty::I64, _) => add_k(t),
            (BinOp::Sub, Ty::I32 | Ty::I64, Lit::Int(k)) if k != i32::MIN as i64 => {
                self.emit_imm(add_k(t), r, r, Lit::Int(-k));
                return true;
            }
            (BinOp::Mul, Ty::I32, _) => Op::MulKI32,
            (BinOp::Mul, Ty::I64, _) => Op::MulKI64,
            (BinOp::Div, Ty::I32, _) => Op::DivKI32,
            (BinOp::Div, Ty::I64, _) => Op::DivKI64,
            (BinOp::Rem, Ty::I32, _) => Op::RemKI32,
            (BinOp::Rem, Ty::I64, _) => Op::RemKI64,
            (BinOp::Add, Ty::F64, _) => Op::AddKF64,
            (BinOp::Sub, Ty::F64, _) => Op::SubKF64,
            (BinOp::Mul, Ty::F64, _) => Op::MulKF64,
            (BinOp::Div, Ty::F64, _) => Op::DivKF64,
            _ => return false,
        };
        self.emit_imm(opcode, r, r, lit);
        true
    }

    /// A register holding `e`: a plain local's own register, else `e` evaluated into
    /// `dst` (which must have the kind of `e`'s type).
    fn operand_reg(&mut self, e: &Expr, dst: Reg) -> Reg {
        if self.is_plain_local(e) {
            self.expr_reg(e)
        } else {
            self.expr_into(e, dst);
            dst
        }
    }

    /// Jumps when the small integer (e.g. an enum tag) in `r` equals `k` (`when` = true)
    /// or differs from it (`when` = false): one `JEqI`/`JNeI` in the optimized mode, else
    /// `LoadI`, `Eq` and a conditional jump (`scratch` receives the comparison).
    pub fn jump_if_tag(&mut self, r: Reg, k: i16, when: bool, scratch: Reg) -> usize {
        if self.optimizing() {
            return self.emit(Instr::asbx(if when { Op::JEqI } else { Op::JNeI }, r, k), Some(0));
        }
        self.load_int(scratch, i64::from(k));
        self.abc(Op::Eq, scratch, r, scratch);
        self.jump(if when { Op::JmpIf } else { Op::JmpIfNot }, scratch)
    }

    /// Whether `e` contains statements (an `if`/`match` block or a lambda body).
    pub fn has_statements(&self, e: &Expr) -> bool {
        let mut found = false;
        crate::syntax::visit::each_expr(e, &mut |x: &Expr| {
            if matches!(x.kind, ExprKind::If { .. } | ExprKind::Match { .. } | ExprKind::Lambda(_)) {
                found = true;
            }
        });
        found
    }

    /// Emits code that jumps when `cond` evaluates to `when` and falls through otherwise;
    /// returns the jumps to patch. In the optimized mode comparisons become fused
    /// compare-and-branch instructions and `not`/`and`/`or` become control flow.
    pub fn cond_jumps(&mut self, cond: &Expr, when: bool) -> Vec<usize> {
        if self.optimizing() {
            self.set_line(cond.span);
            match &cond.kind {
                ExprKind::Bool(b) => {
                    return if *b == when { vec![self.jump(Op::Jmp, 0)] } else { Vec::new() };
                }
                ExprKind::Unary { op: UnOp::Not, operand } => return self.cond_jumps(operand, !when),
                ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } => {
                    // `a and b` is false as soon as `a` is; `a or b` true as soon as `a` is.
                    let short = *op == BinOp::Or;
                    if when == short {
                        let mut jumps = self.cond_jumps(lhs, when);
                        jumps.extend(self.cond_jumps(rhs, when));
                        return jumps;
                    }
                    let skip = self.cond_jumps(lhs, short);
                    let jumps = self.cond_jumps(rhs, when);
                    for s in skip {
                        self.patch_to_here(s);
                    }
                    return jumps;
                }
                ExprKind::Binary { op, lhs, rhs } => {
                    if let Some(j) = self.compare_jump(*op, lhs, rhs, when) {
                        return vec![j];
                    }
                }
                _ => {}
            }
        }
        let mark = self.mark();
        let c = self.expr_reg(cond);
        let j = self.jump(if when { Op::JmpIf } else { Op::JmpIfNot }, c);
        self.free_to(mark);
        vec![j]
    }

    /// A fused compare-and-branch for `lhs op rhs`, jumping when the comparison is `when`;
    /// `None` (emitting nothing) for operators and types without one.
    fn compare_jump(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, when: bool) -> Option<usize> {
        if !matches!(op, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) {
            return None;
        }
        let t = self.node_type(lhs.id);
        let signed = matches!(t, Ty::I32 | Ty::I64);
        let unsigned = matches!(t, Ty::U32 | Ty::U64 | Ty::Bool);
        if !(signed || unsigned || matches!(t, Ty::F64 | Ty::Str)) {
            return None;
        }
        let mark = self.mark();
        // An immediate form for a signed int compared with a small literal.
        let imm = |b: &Self, e: &Expr| match b.literal(e, &t) {
            Some(Lit::Int(k)) if signed && (i16::MIN as i64..=i16::MAX as i64).contains(&k) => Some(k as i16),
            _ => None,
        };
        let at = if let Some(k) = imm(self, rhs) {
            let l = self.expr_reg(lhs);
            let cmp = if when { op } else { negate(op) };
            self.emit(Instr::asbx(imm_op(cmp), l, k), Some(0))
        } else if let Some(k) = imm(self, lhs) {
            let r = self.expr_reg(rhs);
            let cmp = flip(if when { op } else { negate(op) });
            self.emit(Instr::asbx(imm_op(cmp), r, k), Some(0))
        } else {
            let l = self.expr_reg(lhs);
            let r = self.expr_reg(rhs);
            // (opcode, swap operands, the comparison is the opcode's negation)
            let (opcode, swap, negated) = match op {
                BinOp::Eq | BinOp::Ne => {
                    let o = match t {
                        Ty::F64 => Op::JEqF,
                        Ty::Str => Op::JEqStr,
                        _ => Op::JEq,
                    };
                    (o, false, op == BinOp::Ne)
                }
                BinOp::Lt | BinOp::Gt => (lt_op(&t, signed, true), op == BinOp::Gt, false),
                _ => (lt_op(&t, signed, false), op == BinOp::Ge, false),
            };
            let (x, y) = if swap { (r, l) } else { (l, r) };
            let k = when != negated;
            self.emit(Instr::abc(opcode, x, y, k as u8), Some(0))
        };
        self.free_to(mark);
        Some(at)
    }
}

/// Whether `op` only writes R[A] (reading other operands at most), so the register it
/// writes can be changed after emission (see `FnBuilder::retarget_last`).
pub(crate) fn writes_only_a(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Move | LoadI
            | LoadK
            | LoadNil
            | AddI32
            | AddI64
            | AddU32
            | AddU64
            | AddF64
            | SubI32
            | SubI64
            | SubU32
            | SubU64
            | SubF64
            | MulI32
            | MulI64
            | MulU32
            | MulU64
            | MulF64
            | DivI32
            | DivI64
            | DivU
            | DivF64
            | RemI32
            | RemI64
            | RemU
            | RemF64
            | AddII32
            | AddII64
            | AddKI32
            | AddKI64
            | MulKI32
            | MulKI64
            | DivKI32
            | DivKI64
            | RemKI32
            | RemKI64
            | AddKF64
            | SubKF64
            | MulKF64
            | DivKF64
            | RSubKF64
            | RDivKF64
            | NegI32
            | NegI64
            | NegF64
            | BitAnd
            | BitOr
            | BitXor
            | BitNot
            | BitNotU32
            | Eq
            | Ne
            | LtS
            | LeS
            | LtU
            | LeU
            | EqF64
            | NeF64
            | LtF64
            | LeF64
            | EqStr
            | NeStr
            | LtStr
            | LeStr
            | Not
            | TruncI32
            | TruncU32
            | IntToBool
            | SIntToF64
            | UIntToF64
            | F64ToI32
            | F64ToI64
            | F64ToU32
            | F64ToU64
            | GetField
            | ArrayGet
            | StrIndex
            | StrLen
            | ArrayLen
            | Concat
            | GetCell
            | GetGlobal
            | MapGet
            | EnumTag
    )
}

fn f32_exact(v: f64) -> Option<Lit> {
    let f = v as f32;
    ((f as f64).to_bits() == v.to_bits()).then_some(Lit::F32(f.to_bits()))
}

fn add_k(t: &Ty) -> Op {
    if *t == Ty::I32 {
        Op::AddKI32
    } else {
        Op::AddKI64
    }
}

/// The comparison that is true exactly when `op` is false (exact for integers).
fn negate(op: BinOp) -> BinOp {
    match op {
        BinOp::Eq => BinOp::Ne,
        BinOp::Ne => BinOp::Eq,
        BinOp::Lt => BinOp::Ge,
        BinOp::Ge => BinOp::Lt,
        BinOp::Le => BinOp::Gt,
        _ => BinOp::Le,
    }
}

/// `k op x` written as `x op' k`.
fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Gt => BinOp::Lt,
        BinOp::Le => BinOp::Ge,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn imm_op(op: BinOp) -> Op {
    match op {
        BinOp::Eq => Op::JEqI,
        BinOp::Ne => Op::JNeI,
        BinOp::Lt => Op::JLtI,
        BinOp::Le => Op::JLeI,
        BinOp::Gt => Op::JGtI,
        _ => Op::JGeI,
    }
}

fn lt_op(t: &Ty, signed: bool, strict: bool) -> Op {
    match (t, strict) {
        (Ty::F64, true) => Op::JLtF,
        (Ty::F64, false) => Op::JLeF,
        (Ty::Str, true) => Op::JLtStr,
        (Ty::Str, false) => Op::JLeStr,
        (_, true) if signed => Op::JLtS,
        (_, false) if signed => Op::JLeS,
        (_, true) => Op::JLtU,
        (_, false) => Op::JLeU,
    }
}
