//! Expressions: each is compiled into a destination register with the instruction that
//! matches its concrete (monomorphized) type; locals are used in place when possible.

use super::func::{FnBuilder, Place, Reg};
use crate::bytecode::chunk::Constant;
use crate::bytecode::op::Op;
use crate::resolve::Res;
use crate::syntax::ast::*;
use crate::types::ty::Ty;
use crate::types::CallTarget;

impl<'g, 'a> FnBuilder<'g, 'a> {
    /// A register holding the value of `e`: a local's own register when `e` names one.
    pub fn expr_reg(&mut self, e: &Expr) -> Reg {
        if let ExprKind::Cast { value, .. } = &e.kind {
            // a cast that keeps the register bits needs no register of its own
            let (from, to) = (self.node_type(value.id), self.node_type(e.id));
            let same_bits = from == to && !self.g.is_ref(&from)
                || matches!((&from, &to), (Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::Bool, Ty::I64 | Ty::U64));
            if self.optimizing() && same_bits {
                return self.expr_reg(value);
            }
        }
        if let ExprKind::Name(_) = e.kind {
            if let Some(Res::Local(b)) = self.g.res.names.get(&e.id).copied() {
                if let Place::Reg(r) = self.place(b) {
                    return r;
                }
            }
        }
        let t = self.node_type(e.id);
        let r = self.alloc_for(&t);
        self.expr_into(e, r);
        r
    }

    pub fn is_plain_local(&self, e: &Expr) -> bool {
        matches!(e.kind, ExprKind::Name(_))
            && matches!(self.g.res.names.get(&e.id), Some(Res::Local(b)) if matches!(self.place(*b), Place::Reg(_)))
    }

    /// Evaluate `e` for its effects only.
    pub fn expr_discard(&mut self, e: &Expr) {
        let mark = self.mark();
        match &e.kind {
            ExprKind::If { branches, otherwise } if self.node_type(e.id) == Ty::Void => {
                self.if_chain(branches, otherwise.as_ref(), None);
            }
            ExprKind::Match { scrutinee, arms } if self.node_type(e.id) == Ty::Void => {
                self.match_expr(scrutinee, arms, None);
            }
            _ => {
                let t = self.node_type(e.id);
                let r = self.alloc_for(&t);
                self.expr_into(e, r);
            }
        }
        self.free_to(mark);
    }

    pub fn load_place(&mut self, place: Place, dst: Reg) {
        match place {
            Place::Reg(r) => self.mov(dst, r),
            Place::Cell(c) => {
                self.abc(Op::GetCell, dst, c, 0);
            }
            Place::Capture(i) => {
                self.abc(Op::GetCap, dst, i as u8, 0);
            }
            Place::CapturedCell(i) => {
                self.abc(Op::GetCap, dst, i as u8, 0);
                self.abc(Op::GetCell, dst, dst, 0);
            }
            Place::Global(slot) => {
                self.abx(Op::GetGlobal, dst, slot);
            }
        }
    }

    pub fn expr_into(&mut self, e: &Expr, dst: Reg) {
        self.set_line(e.span);
        let mark = self.mark();
        let t = self.node_type(e.id);
        match &e.kind {
            ExprKind::Int { value, .. } => self.int_const(dst, *value, false, &t),
            ExprKind::Float(f) => self.load_bits(dst, f.to_bits()),
            ExprKind::Str(s) => self.load_str(dst, s),
            ExprKind::Bool(b) => self.load_int(dst, *b as i64),
            ExprKind::Name(_) => self.name_into(e, dst),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, &t, dst),
            ExprKind::Binary { op: BinOp::And, lhs, rhs } => self.short_circuit(lhs, rhs, dst, Op::JmpIfNot),
            ExprKind::Binary { op: BinOp::Or, lhs, rhs } => self.short_circuit(lhs, rhs, dst, Op::JmpIf),
            ExprKind::Binary { op, lhs, rhs } if self.binary_imm(*op, &self.node_type(lhs.id), lhs, rhs, dst) => {}
            ExprKind::Binary { op, lhs, rhs } => {
                let operand_ty = self.node_type(lhs.id);
                // Evaluating the left operand straight into `dst` keeps long chains
                // (`a + b + c + ...`) at two registers; only when the register kinds agree,
                // so the collector's view of `dst` stays right.
                let into_dst = self.g.is_ref(&operand_ty) == self.g.is_ref(&t) && !self.is_plain_local(lhs);
                let l = if into_dst {
                    self.expr_into(lhs, dst);
                    dst
                } else {
                    self.expr_reg(lhs)
                };
                let r = self.expr_reg(rhs);
                self.binary_op(*op, &operand_ty, dst, l, r);
            }
            ExprKind::Cond { cond, then, otherwise } => {
                let else_jumps = self.cond_jumps(cond, false);
                self.expr_into(then, dst);
                let end = self.jump(Op::Jmp, 0);
                for j in else_jumps {
                    self.patch_to_here(j);
                }
                self.expr_into(otherwise, dst);
                self.patch_to_here(end);
            }
            ExprKind::Call { callee, args, .. } => self.call(e, callee, args, dst),
            ExprKind::Index { base, index } => {
                let bt = self.node_type(base.id);
                let b = self.expr_reg(base);
                let i = self.expr_reg(index);
                let op = match bt {
                    Ty::Str => Op::StrIndex,
                    Ty::Map(..) => Op::MapGet,
                    _ => Op::ArrayGet,
                };
                self.abc(op, dst, b, i);
            }
            ExprKind::Slice { base, start, end } => {
                let bt = self.node_type(base.id);
                let b = self.expr_reg(base);
                let bounds = self.alloc_n(2);
                match start {
                    Some(s) => self.expr_into(s, bounds),
                    None => self.load_int(bounds, 0),
                }
                match end {
                    Some(x) => self.expr_into(x, bounds + 1),
                    None => self.load_bits(bounds + 1, i64::MAX as u64),
                }
                let op = if bt == Ty::Str { Op::StrSlice } else { Op::ArraySlice };
                self.abc(op, dst, b, bounds);
            }
            ExprKind::Field { base, name } => {
                if let Some((_, tag)) = self.g.typed.variants.get(&e.id).copied() {
                    self.enum_value(&t, tag, &[], dst);
                } else if let Some(f) = self.g.typed.method_values.get(&e.id).copied() {
                    let index = self.function_instance(e.id, f);
                    self.abx(Op::Closure, dst, index as u16);
                } else if let Some(slot) = self.g.typed.field_slots.get(&e.id).copied() {
                    let b = self.expr_reg(base);
                    self.abc(Op::GetField, dst, b, slot as u8);
                } else {
                    let b = self.expr_reg(base);
                    let which = u8::from(name.name == "code");
                    self.abc(Op::ErrorField, dst, b, which);
                }
            }
            ExprKind::Array(items) => self.array_literal(items, &t, dst),
            ExprKind::ArrayFill { value, count } => self.array_fill(value, count, &t, dst),
            ExprKind::Range { start, end, step, inclusive } => {
                let a = self.range_window(start, end, step.as_deref(), *inclusive);
                let elem = match &t {
                    Ty::Range(e) => (**e).clone(),
                    _ => Ty::I32,
                };
                let tid = self.g.type_id(&elem);
                self.abc_x(Op::NewRange, dst, a, 0, tid as u32);
            }
            ExprKind::Lambda(f) => {
                if let Some(id) = self.g.res.fn_ids.get(&f.span).copied() {
                    self.closure(id, f, dst);
                }
            }
            ExprKind::If { branches, otherwise } => self.if_chain(branches, otherwise.as_ref(), Some(dst)),
            ExprKind::Cast { value, .. } => {
                let from = self.node_type(value.id);
                let r = self.expr_reg(value);
                self.cast(&from, &t, dst, r);
            }
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, Some(dst)),
            ExprKind::Matches { value, pattern } => self.matches_expr(value, pattern, dst),
            ExprKind::StructLit { path, fields, .. } => self.struct_lit(e, path, fields, dst),
            ExprKind::Error => {}
        }
        self.free_to(mark);
    }

    /// Four consecutive registers holding start, end, step (default 1) and inclusive: the
    /// operand window of `ForPrep*` and `NewRange`.
    pub fn range_window(&mut self, start: &Expr, end: &Expr, step: Option<&Expr>, inclusive: bool) -> Reg {
        let a = self.alloc_n(4);
        self.expr_into(start, a);
        self.expr_into(end, a + 1);
        match step {
            Some(s) => self.expr_into(s, a + 2),
            None => self.load_int(a + 2, 1),
        }
        self.load_int(a + 3, inclusive as i64);
        a
    }

    fn int_const(&mut self, dst: Reg, value: u64, negated: bool, t: &Ty) {
        match t {
            Ty::F64 => {
                let v = value as f64;
                self.load_bits(dst, if negated { -v } else { v }.to_bits());
            }
            Ty::U32 | Ty::U64 => self.load_bits(dst, value),
            _ => {
                let v = if negated { (value as i64).wrapping_neg() } else { value as i64 };
                self.load_int(dst, v);
            }
        }
    }

    fn name_into(&mut self, e: &Expr, dst: Reg) {
        if let Some((_, tag)) = self.g.typed.variants.get(&e.id).copied() {
            let t = self.node_type(e.id);
            self.enum_value(&t, tag, &[], dst);
            return;
        }
        match self.g.res.names.get(&e.id).copied().unwrap_or(Res::Error) {
            Res::Local(b) | Res::Global(b) => {
                let place = self.place(b);
                self.load_place(place, dst);
            }
            Res::Func(f) => {
                let index = self.function_instance(e.id, f);
                self.abx(Op::Closure, dst, index as u16);
            }
            Res::Builtin(_) | Res::Host(_) | Res::Error => {}
        }
    }

    /// The function index for a use (node `id`) of top-level function `f`.
    pub fn function_instance(&mut self, id: u32, f: u32) -> u32 {
        let args: Vec<Ty> = self
            .g
            .typed
            .instantiations
            .get(&id)
            .map(|ts| ts.iter().map(|t| self.concrete(t)).collect())
            .unwrap_or_default();
        self.g.instance(f, args)
    }

    fn unary(&mut self, op: UnOp, operand: &Expr, t: &Ty, dst: Reg) {
        if let (UnOp::Neg, ExprKind::Int { value, .. }) = (op, &operand.kind) {
            self.int_const(dst, *value, true, t);
            return;
        }
        let r = self.expr_reg(operand);
        let op = match (op, t) {
            (UnOp::Neg, Ty::I32) => Op::NegI32,
            (UnOp::Neg, Ty::I64) => Op::NegI64,
            (UnOp::Neg, _) => Op::NegF64,
            (UnOp::Not, _) => Op::Not,
            (UnOp::BitNot, Ty::U32) => Op::BitNotU32,
            (UnOp::BitNot, _) => Op::BitNot,
        };
        self.abc(op, dst, r, 0);
    }

    fn short_circuit(&mut self, lhs: &Expr, rhs: &Expr, dst: Reg, skip: Op) {
        self.expr_into(lhs, dst);
        let end = self.jump(skip, dst);
        self.expr_into(rhs, dst);
        self.patch_to_here(end);
    }

    /// `dst = l op r` for operands of type `t`.
    pub fn binary_op(&mut self, op: BinOp, t: &Ty, dst: Reg, l: Reg, r: Reg) {
        use Ty::*;
        let (opcode, swap) = match (op, t) {
            (BinOp::Add, Str) => (Op::Concat, false),
            (BinOp::Add, I32) => (Op::AddI32, false),
            (BinOp::Add, I64) => (Op::AddI64, false),
            (BinOp::Add, U32) => (Op::AddU32, false),
            (BinOp::Add, U64) => (Op::AddU64, false),
            (BinOp::Add, _) => (Op::AddF64, false),
            (BinOp::Sub, I32) => (Op::SubI32, false),
            (BinOp::Sub, I64) => (Op::SubI64, false),
            (BinOp::Sub, U32) => (Op::SubU32, false),
            (BinOp::Sub, U64) => (Op::SubU64, false),
            (BinOp::Sub, _) => (Op::SubF64, false),
            (BinOp::Mul, I32) => (Op::MulI32, false),
            (BinOp::Mul, I64) => (Op::MulI64, false),
            (BinOp::Mul, U32) => (Op::MulU32, false),
            (BinOp::Mul, U64) => (Op::MulU64, false),
            (BinOp::Mul, _) => (Op::MulF64, false),
            (BinOp::Div, I32) => (Op::DivI32, false),
            (BinOp::Div, I64) => (Op::DivI64, false),
            (BinOp::Div, U32 | U64) => (Op::DivU, false),
            (BinOp::Div, _) => (Op::DivF64, false),
            (BinOp::Rem, I32) => (Op::RemI32, false),
            (BinOp::Rem, I64) => (Op::RemI64, false),
            (BinOp::Rem, U32 | U64) => (Op::RemU, false),
            (BinOp::Rem, _) => (Op::RemF64, false),
            (BinOp::BitAnd, _) => (Op::BitAnd, false),
            (BinOp::BitOr, _) => (Op::BitOr, false),
            (BinOp::BitXor, _) => (Op::BitXor, false),
            (BinOp::Shl, I32) => (Op::ShlI32, false),
            (BinOp::Shl, I64) => (Op::ShlI64, false),
            (BinOp::Shl, U32) => (Op::ShlU32, false),
            (BinOp::Shl, _) => (Op::ShlU64, false),
            (BinOp::Shr, I32) => (Op::ShrI32, false),
            (BinOp::Shr, I64) => (Op::ShrI64, false),
            (BinOp::Shr, U32) => (Op::ShrU32, false),
            (BinOp::Shr, _) => (Op::ShrU64, false),
            (BinOp::Eq | BinOp::Ne, Array(_) | Range(_) | Adt(..) | Map(..)) => {
                let tid = self.g.type_id(t);
                self.abc_x(Op::EqDeep, dst, l, r, tid as u32);
                if op == BinOp::Ne {
                    self.abc(Op::Not, dst, dst, 0);
                }
                return;
            }
            (BinOp::Eq, Str) => (Op::EqStr, false),
            (BinOp::Ne, Str) => (Op::NeStr, false),
            (BinOp::Eq, F64) => (Op::EqF64, false),
            (BinOp::Ne, F64) => (Op::NeF64, false),
            (BinOp::Eq, _) => (Op::Eq, false),
            (BinOp::Ne, _) => (Op::Ne, false),
            (BinOp::Lt | BinOp::Gt, _) => (compare_op(t, true), op == BinOp::Gt),
            (BinOp::Le | BinOp::Ge, _) => (compare_op(t, false), op == BinOp::Ge),
            (BinOp::And | BinOp::Or, _) => (Op::BitAnd, false),
        };
        if swap {
            self.abc(opcode, dst, r, l);
        } else {
            self.abc(opcode, dst, l, r);
        }
    }

    fn cast(&mut self, from: &Ty, to: &Ty, dst: Reg, r: Reg) {
        use Ty::*;
        match (from, to) {
            (_, Str) => {
                if *from == Str {
                    self.mov(dst, r);
                } else {
                    let tid = self.g.type_id(from);
                    self.abc_x(Op::ToStr, dst, r, 0, tid as u32);
                }
            }
            (I32 | I64 | U32 | U64 | Bool, I32) => {
                self.abc(Op::TruncI32, dst, r, 0);
            }
            (I32 | I64 | U32 | U64 | Bool, U32) => {
                self.abc(Op::TruncU32, dst, r, 0);
            }
            (I32 | I64 | U32 | U64 | Bool, I64 | U64) => self.mov(dst, r),
            (I32 | I64 | U32 | U64, Bool) => {
                self.abc(Op::IntToBool, dst, r, 0);
            }
            (I32 | I64 | Bool, F64) => {
                self.abc(Op::SIntToF64, dst, r, 0);
            }
            (U32 | U64, F64) => {
                self.abc(Op::UIntToF64, dst, r, 0);
            }
            (F64, I32) => {
                self.abc(Op::F64ToI32, dst, r, 0);
            }
            (F64, I64) => {
                self.abc(Op::F64ToI64, dst, r, 0);
            }
            (F64, U32) => {
                self.abc(Op::F64ToU32, dst, r, 0);
            }
            (F64, U64) => {
                self.abc(Op::F64ToU64, dst, r, 0);
            }
            _ => self.mov(dst, r),
        }
    }

    fn array_literal(&mut self, items: &[Expr], t: &Ty, dst: Reg) {
        let elem = match t {
            Ty::Array(e) => (**e).clone(),
            _ => Ty::I32,
        };
        let is_ref = self.g.is_ref(&elem) as u32;
        if items.len() <= 64 {
            let base = self.alloc_n(items.len().max(1));
            for (i, it) in items.iter().enumerate() {
                self.set_kind_for(base + i as u8, &elem);
                self.expr_into(it, base + i as u8);
            }
            self.abc_x(Op::NewArray, dst, base, items.len() as u8, is_ref);
            return;
        }
        self.abc_x(Op::NewArray, dst, 0, 0, is_ref);
        for it in items {
            let mark = self.mark();
            let r = self.expr_reg(it);
            self.abc(Op::ArrayPush, dst, r, 0);
            self.free_to(mark);
        }
    }

    /// `[value; count]`: the value is evaluated once per element (so rows are independent).
    fn array_fill(&mut self, value: &Expr, count: &Expr, t: &Ty, dst: Reg) {
        let elem = match t {
            Ty::Array(e) => (**e).clone(),
            _ => Ty::I32,
        };
        let literal = matches!(value.kind, ExprKind::Int { .. } | ExprKind::Float(_) | ExprKind::Bool(_));
        if literal && !self.g.is_ref(&elem) {
            let v = self.expr_reg(value);
            let n = self.expr_reg(count);
            self.abc(Op::ArrayFill, dst, v, n);
            return;
        }
        let is_ref = self.g.is_ref(&elem) as u32;
        let count_ty = self.node_type(count.id);
        self.abc_x(Op::NewArray, dst, 0, 0, is_ref);
        let a = self.alloc_n(4);
        self.load_int(a, 0);
        self.expr_into(count, a + 1);
        self.load_int(a + 2, 1);
        self.load_int(a + 3, 0);
        let prep_op = if matches!(count_ty, Ty::U32 | Ty::U64) { Op::ForPrepU } else { Op::ForPrepS };
        let prep = self.jump(prep_op, a);
        let body = self.pc();
        let mark = self.mark();
        let v = self.expr_reg(value);
        self.abc(Op::ArrayPush, dst, v, 0);
        self.free_to(mark);
        self.jump_back(Op::ForLoop, a, body);
        self.patch_to_here(prep);
    }

    /// `if`/`elif`/`else`; with `dst`, each branch's tail value goes there.
    pub fn if_chain(&mut self, branches: &[(Expr, Block)], otherwise: Option<&Block>, dst: Option<Reg>) {
        let mut ends = Vec::new();
        let n = branches.len();
        for (i, (cond, body)) in branches.iter().enumerate() {
            let mark = self.mark();
            let nexts = self.cond_jumps(cond, false);
            self.free_to(mark);
            self.branch(body, dst);
            // no jump over the rest after a branch that cannot fall through, or after the
            // last branch when there is no `else`
            let last = i + 1 == n && otherwise.is_none();
            if !(self.optimizing() && (last || ends_in_jump(body))) {
                ends.push(self.jump(Op::Jmp, 0));
            }
            for j in nexts {
                self.patch_to_here(j);
            }
        }
        if let Some(b) = otherwise {
            self.branch(b, dst);
        }
        for e in ends {
            self.patch_to_here(e);
        }
    }

    fn branch(&mut self, b: &Block, dst: Option<Reg>) {
        match dst {
            Some(d) => self.block_value(b, d),
            None => self.block(b),
        }
    }

    fn call(&mut self, e: &Expr, callee: &Expr, args: &[Expr], dst: Reg) {
        if let Some((_, tag)) = self.g.typed.variants.get(&e.id).copied() {
            let t = self.node_type(e.id);
            let refs: Vec<&Expr> = args.iter().collect();
            self.enum_value(&t, tag, &refs, dst);
            return;
        }
        match self.g.typed.call_targets.get(&e.id).cloned() {
            Some(CallTarget::Associated(f)) => {
                let index = self.function_instance(e.id, f);
                let all: Vec<&Expr> = args.iter().collect();
                self.direct_call(index, &all, e, dst);
            }
            Some(CallTarget::MapMethod(m)) => self.map_method(m, callee, args, e, dst),
            Some(CallTarget::FieldCall(slot)) => {
                if let ExprKind::Field { base, .. } = &callee.kind {
                    let b = self.expr_reg(base);
                    let a = self.alloc(true);
                    self.abc(Op::GetField, a, b, slot as u8);
                    self.place_args(a, args.iter());
                    self.abc(Op::Call, a, args.len() as u8, 0);
                    self.finish_call(e, a, dst);
                }
            }
            Some(CallTarget::EnumMethod(m)) => {
                if let ExprKind::Field { base, .. } = &callee.kind {
                    self.enum_method(m, base, args, e, dst);
                }
            }
            Some(CallTarget::Builtin(b)) => {
                let mut all: Vec<&Expr> = Vec::new();
                if let ExprKind::Field { base, .. } = &callee.kind {
                    all.push(base);
                }
                all.extend(args.iter());
                self.builtin_call(b, &all, e, dst);
            }
            Some(CallTarget::Method(f)) => {
                let index = self.function_instance(e.id, f);
                let mut all: Vec<&Expr> = Vec::new();
                if let ExprKind::Field { base, .. } = &callee.kind {
                    all.push(base);
                }
                all.extend(args.iter());
                self.direct_call(index, &all, e, dst);
            }
            None => {
                if let (ExprKind::Name(_), Some(Res::Host(h))) =
                    (&callee.kind, self.g.res.names.get(&callee.id).copied())
                {
                    return self.host_call(h, args, e, dst);
                }
                if let (ExprKind::Name(_), Some(Res::Func(f))) =
                    (&callee.kind, self.g.res.names.get(&callee.id).copied())
                {
                    let index = self.function_instance(callee.id, f);
                    let all: Vec<&Expr> = args.iter().collect();
                    self.direct_call(index, &all, e, dst);
                    return;
                }
                let a = self.alloc(true);
                self.expr_into(callee, a);
                self.place_args(a, args.iter());
                self.abc(Op::Call, a, args.len() as u8, 0);
                self.finish_call(e, a, dst);
            }
        }
    }

    /// Evaluate arguments into the registers right after `a`.
    pub fn place_args<'e>(&mut self, a: Reg, args: impl Iterator<Item = &'e Expr>) {
        for (i, arg) in args.enumerate() {
            let t = self.node_type(arg.id);
            let r = self.alloc_for(&t);
            debug_assert_eq!(r as usize, a as usize + 1 + i);
            self.expr_into(arg, r);
        }
    }

    fn direct_call(&mut self, index: u32, args: &[&Expr], e: &Expr, dst: Reg) {
        // When `dst` is the newest register (nothing live above it), the call can use it
        // as its result register: the callee's window starts right above it.
        let a = if self.optimizing() && dst as usize + 1 == self.mark() { dst } else { self.alloc(false) };
        self.place_args(a, args.iter().copied());
        self.abc_x(Op::CallK, a, args.len() as u8, 0, index);
        self.finish_call(e, a, dst);
    }

    pub fn finish_call(&mut self, e: &Expr, a: Reg, dst: Reg) {
        self.free_to(a as usize + 1);
        let t = self.node_type(e.id);
        self.set_kind_for(a, &t);
        self.mov(dst, a);
    }

    /// `Map.new()` and the map methods.
    fn map_method(&mut self, method: &str, callee: &Expr, args: &[Expr], e: &Expr, dst: Reg) {
        let t = self.node_type(e.id);
        if method == "new" {
            let tid = self.g.type_id(&t);
            self.abc_x(Op::NewMap, dst, 0, 0, tid as u32);
            return;
        }
        let ExprKind::Field { base, .. } = &callee.kind else { return };
        let m = self.expr_reg(base);
        match method {
            "get" | "remove" => {
                let Some(k) = args.first() else { return };
                let kr = self.expr_reg(k);
                let tid = self.g.type_id(&t) as u32;
                let op = if method == "get" { Op::MapGetOpt } else { Op::MapRemove };
                self.abc_x(op, dst, m, kr, tid);
            }
            _ => {
                let elem_ref = match &t {
                    Ty::Array(el) => self.g.is_ref(el),
                    _ => false,
                };
                let op = if method == "keys" { Op::MapKeys } else { Op::MapValues };
                self.abc(op, dst, m, elem_ref as u8);
            }
        }
    }

    pub fn const_str_into(&mut self, dst: Reg, s: &str) {
        let k = self.g.constant(Constant::Str(s.to_string()));
        self.abx(Op::LoadK, dst, k);
    }
}

/// Whether a block ends in `return`, `break` or `continue` (control never falls out).
fn ends_in_jump(b: &Block) -> bool {
    matches!(
        b.stmts.last().map(|s| &s.kind),
        Some(StmtKind::Return(_) | StmtKind::Break { .. } | StmtKind::Continue { .. })
    )
}

fn compare_op(t: &Ty, strict: bool) -> Op {
    match (t, strict) {
        (Ty::U32 | Ty::U64, true) => Op::LtU,
        (Ty::U32 | Ty::U64, false) => Op::LeU,
        (Ty::F64, true) => Op::LtF64,
        (Ty::F64, false) => Op::LeF64,
        (Ty::Str, true) => Op::LtStr,
        (Ty::Str, false) => Op::LeStr,
        (_, true) => Op::LtS,
        (_, false) => Op::LeS,
    }
}
