//! Statements: function bodies and the module entry, bindings and assignments, loops
//! (counted `for` over ranges, index loops over arrays and strings), labelled jumps,
//! returns, try/catch and nested function declarations.

use super::func::{FnBuilder, LoopCtx, Place, Reg};
use crate::bytecode::op::Op;
use crate::resolve::{AssignKind, FnKind, Res};
use crate::syntax::ast::*;
use crate::types::ty::Ty;

impl<'g, 'a> FnBuilder<'g, 'a> {
    /// Parameters occupy the first registers; then the body; its tail value is returned.
    pub fn function_body(&mut self, decl: &FnDecl) {
        let params = self.g.res.function(self.fn_id).params.clone();
        self.set_params(params.len());
        for b in &params {
            let t = self.binding_type(*b);
            let r = self.alloc_for(&t);
            self.locals.insert(*b, r);
        }
        for (p, b) in decl.params.iter().zip(&params) {
            if let Some(n) = p.ty.as_ref().and_then(fixed_length) {
                let r = self.locals[b];
                self.check_length(r, n);
            }
        }
        for b in &params {
            if self.g.res.binding(*b).boxed {
                let r = self.locals[b];
                let is_ref = self.g.is_ref(&self.binding_type(*b));
                let cell = self.alloc(true);
                self.abc(Op::NewCell, cell, r, is_ref as u8);
                self.locals.insert(*b, cell);
            }
        }
        let ret = self.concrete(&self.g.typed.fn_sigs[self.fn_id as usize].ret);
        if ret == Ty::Void {
            self.block(&decl.body);
            self.abc(Op::Ret0, 0, 0, 0);
        } else {
            let dst = self.alloc_for(&ret);
            self.block_value(&decl.body, dst);
            self.abc(Op::Ret, dst, 0, 0);
        }
    }

    /// Module entry: R[0] holds the program arguments. Constants, statements, then `main`.
    pub fn entry_body(&mut self, module: &Module) {
        self.set_params(1);
        let args = self.alloc(true);
        for (b, value, span) in self.constants_in_dependency_order(module) {
            self.set_line(span);
            self.store_new(b, value);
        }
        for s in &module.stmts {
            if !matches!(s.kind, StmtKind::Const { .. } | StmtKind::Fn(_)) {
                self.stmt(s);
            }
        }
        self.call_main(args);
    }

    /// Constants are hoisted, so one may use another declared below it: initialize them
    /// dependencies first (a cycle is left in source order and fails with E0008).
    fn constants_in_dependency_order<'m>(&self, module: &'m Module) -> Vec<(u32, &'m Expr, crate::syntax::span::Span)> {
        let consts: Vec<(u32, &Expr, crate::syntax::span::Span)> = module
            .stmts
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::Const { name, value, .. } => self.g.res.decl(name).map(|b| (b, value, s.span)),
                _ => None,
            })
            .collect();
        let deps: Vec<Vec<usize>> = consts
            .iter()
            .map(|(_, value, _)| {
                let mut out = Vec::new();
                crate::syntax::visit::each_expr(value, &mut |e: &Expr| {
                    if let Some(Res::Global(g)) = self.g.res.names.get(&e.id) {
                        if let Some(i) = consts.iter().position(|(b, _, _)| b == g) {
                            out.push(i);
                        }
                    }
                });
                out
            })
            .collect();
        let mut state = vec![0u8; consts.len()]; // 0 new, 1 in progress, 2 done
        let mut order = Vec::new();
        for root in 0..consts.len() {
            let mut stack = vec![(root, 0usize)];
            while let Some((n, i)) = stack.pop() {
                if i == 0 {
                    if state[n] != 0 {
                        continue;
                    }
                    state[n] = 1;
                }
                match deps[n].get(i) {
                    Some(&d) => {
                        stack.push((n, i + 1));
                        if state[d] == 0 {
                            stack.push((d, 0));
                        }
                    }
                    None => {
                        state[n] = 2;
                        order.push(n);
                    }
                }
            }
        }
        order.into_iter().map(|i| consts[i]).collect()
    }

    fn call_main(&mut self, args: Reg) {
        let Some(main) = self.g.res.top_fns.get("main").copied() else {
            self.load_int(0, 0);
            self.abc(Op::Ret, 0, 0, 0);
            return;
        };
        if self.g.res.top_level_calls_main {
            self.load_int(0, 0);
            self.abc(Op::Ret, 0, 0, 0);
            return;
        }
        let sig = self.g.typed.fn_sigs[main as usize].clone();
        let generic_args: Vec<Ty> = sig.generics.iter().map(|_| Ty::array(Ty::Str)).collect();
        self.subst = sig.generics.iter().copied().zip(generic_args.iter().cloned()).collect();
        let ret = self.concrete(&sig.ret);
        let index = self.g.instance(main, generic_args);
        let a = self.alloc_n(1 + sig.params.len());
        if !sig.params.is_empty() {
            self.set_kind(a + 1, true);
            self.mov(a + 1, args);
        }
        self.abc_x(Op::CallK, a, sig.params.len() as u8, 0, index);
        if ret != Ty::I32 {
            self.load_int(a, 0);
        }
        self.abc(Op::Ret, a, 0, 0);
    }

    pub fn block(&mut self, b: &Block) {
        let mark = self.mark();
        self.predeclare_nested_fns(&b.stmts);
        for s in &b.stmts {
            self.stmt(s);
        }
        self.free_to(mark);
    }

    /// A block whose last statement's value goes to `dst`.
    pub fn block_value(&mut self, b: &Block, dst: Reg) {
        let mark = self.mark();
        self.predeclare_nested_fns(&b.stmts);
        let n = b.stmts.len();
        for (i, s) in b.stmts.iter().enumerate() {
            if i + 1 == n {
                if let StmtKind::Expr(e) = &s.kind {
                    self.set_line(s.span);
                    self.expr_into(e, dst);
                    continue;
                }
            }
            self.stmt(s);
        }
        self.free_to(mark);
    }

    pub fn stmt(&mut self, s: &Stmt) {
        self.set_line(s.span);
        let mark = self.mark();
        match &s.kind {
            StmtKind::Expr(e) => self.expr_discard(e),
            StmtKind::Decl { name, value, ty, .. } => {
                if let Some(b) = self.g.res.decl(name) {
                    let keep = self.store_new(b, value);
                    if let Some(n) = ty.as_ref().and_then(fixed_length) {
                        let place = self.place(b);
                        let r = self.alloc(true);
                        self.load_place(place, r);
                        self.check_length(r, n);
                        self.free_to(r as usize);
                    }
                    if keep {
                        return;
                    }
                }
            }
            StmtKind::Const { name, value, .. } => {
                if let Some(b) = self.g.res.decl(name) {
                    if self.store_new(b, value) {
                        return;
                    }
                }
            }
            StmtKind::Assign { targets, value } => {
                if self.assign(targets, value) {
                    return;
                }
            }
            StmtKind::CompoundAssign { target, op, value } => self.compound_assign(target, *op, value),
            StmtKind::While { label, cond, body } => self.while_loop(label, cond, body),
            StmtKind::For { label, var, iter, body } => self.for_loop(label, var.as_ref(), iter, body),
            StmtKind::Break { label } => self.loop_jump(label, true),
            StmtKind::Continue { label } => self.loop_jump(label, false),
            StmtKind::Return(value) => self.return_stmt(value.as_ref()),
            StmtKind::Pass | StmtKind::Error => {}
            StmtKind::Try { body, err, handler } => self.try_stmt(body, err.as_ref(), handler),
            StmtKind::Fn(f) => {
                // Top-level functions are compiled from the worklist; nested ones are closures.
                if self.nested_fn(f) {
                    return;
                }
            }
            StmtKind::Struct(_) | StmtKind::Enum(_) | StmtKind::Impl(_) | StmtKind::Use(_) => {}
        }
        self.free_to(mark);
    }

    /// Declare binding `b` with `value`. Returns true when a register was kept for it
    /// (the caller must not free it).
    fn store_new(&mut self, b: u32, value: &Expr) -> bool {
        let info = self.g.res.binding(b).clone();
        let t = self.binding_type(b);
        if info.global {
            let r = self.expr_reg(value);
            let slot = self.g.globals.get(&b).copied().unwrap_or(0);
            self.abx(Op::SetGlobal, r, slot);
            return false;
        }
        let r = self.alloc_for(&t);
        let mark = self.mark();
        self.expr_into(value, r);
        self.free_to(mark);
        if info.boxed {
            let cell = self.alloc(true);
            self.abc(Op::NewCell, cell, r, self.g.is_ref(&t) as u8);
            self.locals.insert(b, cell);
        } else {
            self.locals.insert(b, r);
        }
        true
    }

    /// Store the value in register `v` into an existing binding's place.
    pub fn store_place(&mut self, place: Place, v: Reg) {
        match place {
            Place::Reg(r) => self.mov(r, v),
            Place::Cell(c) => {
                self.abc(Op::SetCell, c, v, 0);
            }
            Place::Capture(_) => {}
            Place::CapturedCell(i) => {
                let c = self.alloc(true);
                self.abc(Op::GetCap, c, i as u8, 0);
                self.abc(Op::SetCell, c, v, 0);
            }
            Place::Global(slot) => {
                self.abx(Op::SetGlobal, v, slot);
            }
        }
    }

    /// Returns true when new local registers were kept.
    fn assign(&mut self, targets: &[Expr], value: &Expr) -> bool {
        match targets {
            [Expr { kind: ExprKind::Index { base, index }, .. }] => {
                let set = self.element_setter(base);
                let br = self.expr_reg(base);
                let ir = self.expr_reg(index);
                let vr = self.expr_reg(value);
                self.abc(set, br, ir, vr);
                return false;
            }
            [t @ Expr { kind: ExprKind::Field { base, .. }, .. }] => {
                let br = self.expr_reg(base);
                let vr = self.expr_reg(value);
                let slot = self.g.typed.field_slots.get(&t.id).copied().unwrap_or(0);
                self.abc(Op::SetField, br, slot as u8, vr);
                return false;
            }
            _ => {}
        }
        let declares: Vec<u32> = targets
            .iter()
            .filter_map(|t| match self.g.res.targets.get(&t.id) {
                Some(AssignKind::Declare(b)) => Some(*b),
                _ => None,
            })
            .collect();
        if declares.len() == 1 && targets.len() == 1 {
            return self.store_new(declares[0], value);
        }
        let vt = self.node_type(value.id);
        let v = self.alloc_for(&vt);
        let since = self.pc();
        self.expr_into(value, v);
        if let [t] = targets {
            if let Some(AssignKind::Reassign(Res::Local(b))) = self.g.res.targets.get(&t.id).copied() {
                if let Place::Reg(r) = self.place(b) {
                    if self.retarget_last(v, r, since) {
                        return false;
                    }
                }
            }
        }
        let mut kept = false;
        for t in targets {
            match self.g.res.targets.get(&t.id).copied() {
                Some(AssignKind::Declare(b)) => {
                    let info = self.g.res.binding(b).clone();
                    if info.global {
                        let slot = self.g.globals.get(&b).copied().unwrap_or(0);
                        self.abx(Op::SetGlobal, v, slot);
                    } else {
                        let r = self.alloc_for(&vt);
                        self.mov(r, v);
                        let r = if info.boxed {
                            let c = self.alloc(true);
                            self.abc(Op::NewCell, c, r, self.g.is_ref(&vt) as u8);
                            c
                        } else {
                            r
                        };
                        self.locals.insert(b, r);
                        kept = true;
                    }
                }
                Some(AssignKind::Reassign(Res::Local(b) | Res::Global(b))) => {
                    let place = self.place(b);
                    self.store_place(place, v);
                }
                _ => {
                    if let ExprKind::Index { base, index } = &t.kind {
                        let set = self.element_setter(base);
                        let br = self.expr_reg(base);
                        let ir = self.expr_reg(index);
                        self.abc(set, br, ir, v);
                    }
                }
            }
        }
        kept
    }

    fn compound_assign(&mut self, target: &Expr, op: BinOp, value: &Expr) {
        let t = self.node_type(target.id);
        match &target.kind {
            ExprKind::Index { base, index } => {
                let set = self.element_setter(base);
                let get = if set == Op::MapSet { Op::MapGet } else { Op::ArrayGet };
                let br = self.expr_reg(base);
                let ir = self.expr_reg(index);
                let cur = self.alloc_for(&t);
                self.abc(get, cur, br, ir);
                let vr = self.expr_reg(value);
                self.binary_op(op, &t, cur, cur, vr);
                self.abc(set, br, ir, cur);
            }
            ExprKind::Field { base, .. } => {
                let br = self.expr_reg(base);
                let slot = self.g.typed.field_slots.get(&target.id).copied().unwrap_or(0) as u8;
                let cur = self.alloc_for(&t);
                self.abc(Op::GetField, cur, br, slot);
                let vr = self.expr_reg(value);
                self.binary_op(op, &t, cur, cur, vr);
                self.abc(Op::SetField, br, slot, cur);
            }
            ExprKind::Name(_) => {
                let Some(AssignKind::Reassign(Res::Local(b) | Res::Global(b))) =
                    self.g.res.targets.get(&target.id).copied()
                else {
                    return;
                };
                let place = self.place(b);
                if let (Place::Reg(r), true) = (place, self.optimizing() && !self.has_statements(value)) {
                    // `x op= e` as `x = x op e` straight into x's register: `e` cannot
                    // assign x, and the operation writes x only when it succeeds.
                    if !self.compound_imm(op, &t, r, value) {
                        let vr = self.expr_reg(value);
                        self.binary_op(op, &t, r, r, vr);
                    }
                    return;
                }
                let cur = self.alloc_for(&t);
                self.load_place(place, cur);
                let vr = self.expr_reg(value);
                self.binary_op(op, &t, cur, cur, vr);
                self.store_place(place, cur);
            }
            _ => {}
        }
    }

    /// Raise a runtime error unless the array in `r` has exactly `n` elements (`[T, N]`).
    fn check_length(&mut self, r: Reg, n: u64) {
        let len = self.alloc(false);
        self.abc(Op::ArrayLen, len, r, 0);
        let k = self.alloc(false);
        self.load_bits(k, n);
        self.abc(Op::Eq, len, len, k);
        let ok = self.jump(Op::JmpIf, len);
        let msg = self.alloc(true);
        self.load_str(msg, &format!("array length mismatch: the annotation requires {n} element(s)"));
        self.abc(Op::Panic, msg, 0, 0);
        self.patch_to_here(ok);
        self.free_to(len as usize);
    }

    fn element_setter(&self, base: &Expr) -> Op {
        if matches!(self.node_type(base.id), Ty::Map(..)) {
            Op::MapSet
        } else {
            Op::ArraySet
        }
    }

    fn push_loop(&mut self, label: &Option<Ident>) {
        self.loops.push(LoopCtx {
            label: label.as_ref().map(|l| l.name.clone()),
            breaks: Vec::new(),
            continues: Vec::new(),
            try_depth: self.try_depth,
        });
    }

    /// Pop the loop, pointing its `continue`s at `continue_target` and `break`s here.
    fn pop_loop(&mut self, continue_target: usize) {
        if let Some(l) = self.loops.pop() {
            for c in l.continues {
                self.patch(c, continue_target);
            }
            for b in l.breaks {
                self.patch_to_here(b);
            }
        }
    }

    fn while_loop(&mut self, label: &Option<Ident>, cond: &Expr, body: &Block) {
        if self.optimizing() {
            // The test at the bottom: one compare-and-branch per iteration.
            let enter = self.jump(Op::Jmp, 0);
            let body_start = self.pc();
            self.push_loop(label);
            self.block(body);
            // the backward jumps belong to the body's last line, as a loop's closing
            // jump does (an exhausted budget or deadline reports the line in the loop)
            let body_line = self.line;
            self.patch_to_here(enter);
            let test = self.pc();
            for j in self.cond_jumps(cond, true) {
                self.set_line_at(j, body_line);
                self.patch(j, body_start);
            }
            self.pop_loop(test);
            return;
        }
        let top = self.pc();
        let c = self.expr_reg(cond);
        let exit = self.jump(Op::JmpIfNot, c);
        self.push_loop(label);
        self.block(body);
        self.jump_back(Op::Jmp, 0, top);
        self.patch_to_here(exit);
        self.pop_loop(top);
    }

    fn loop_jump(&mut self, label: &Option<Ident>, is_break: bool) {
        let idx = match label {
            Some(l) => self.loops.iter().rposition(|c| c.label.as_deref() == Some(l.name.as_str())),
            None => self.loops.len().checked_sub(1),
        };
        let Some(idx) = idx else { return };
        for _ in self.loops[idx].try_depth..self.try_depth {
            self.abc(Op::TryEnd, 0, 0, 0);
        }
        let at = self.jump(Op::Jmp, 0);
        if is_break {
            self.loops[idx].breaks.push(at);
        } else {
            self.loops[idx].continues.push(at);
        }
    }

    fn for_loop(&mut self, label: &Option<Ident>, var: Option<&Ident>, iter: &Expr, body: &Block) {
        let it = self.node_type(iter.id);
        match (&iter.kind, &it) {
            (ExprKind::Range { start, end, step, inclusive }, Ty::Range(elem)) => {
                let a = self.range_window(start, end, step.as_deref(), *inclusive);
                self.counted_loop(label, var, a, elem, body);
            }
            (_, Ty::Range(elem)) => {
                let r = self.expr_reg(iter);
                let a = self.alloc_n(4);
                self.abc(Op::RangeUnpack, a, r, 0);
                self.counted_loop(label, var, a, elem, body);
            }
            (_, Ty::Str) | (_, Ty::Array(_)) => {
                let seq = self.alloc(true);
                self.expr_into(iter, seq);
                self.index_loop(label, var, seq, &it, body);
            }
            (_, Ty::Map(k, _)) => {
                // Iterate over a snapshot of the keys, in insertion order.
                let m = self.expr_reg(iter);
                let seq = self.alloc(true);
                self.abc(Op::MapKeys, seq, m, self.g.is_ref(k) as u8);
                self.index_loop(label, var, seq, &Ty::array((**k).clone()), body);
            }
            _ => {}
        }
    }

    fn counted_loop(&mut self, label: &Option<Ident>, var: Option<&Ident>, a: Reg, elem: &Ty, body: &Block) {
        let prep_op = if matches!(elem, Ty::U32 | Ty::U64) { Op::ForPrepU } else { Op::ForPrepS };
        let prep = self.jump(prep_op, a);
        let body_start = self.pc();
        self.push_loop(label);
        let mark = self.mark();
        self.bind_loop_var(var, a + 3);
        self.block(body);
        self.free_to(mark);
        let cont = self.pc();
        self.jump_back(Op::ForLoop, a, body_start);
        self.patch_to_here(prep);
        self.pop_loop(cont);
    }

    /// Bind the loop variable to the value in `r` (a fresh cell per iteration if captured).
    fn bind_loop_var(&mut self, var: Option<&Ident>, r: Reg) {
        let Some(b) = var.and_then(|v| self.g.res.decl(v)) else { return };
        if self.g.res.binding(b).boxed {
            let is_ref = self.g.is_ref(&self.binding_type(b));
            let c = self.alloc(true);
            self.abc(Op::NewCell, c, r, is_ref as u8);
            self.locals.insert(b, c);
        } else {
            self.locals.insert(b, r);
        }
    }

    /// Loop over the array or string in `seq` by index (re-reading the length each step,
    /// so elements pushed during the loop are visited).
    /// One iteration of a for-each over `seq` (an array, or a string when `is_str`) at
    /// index `idx`: the element into a fresh register bound to `var`, then the body.
    fn foreach_body(&mut self, it: &Ty, is_str: bool, seq: Reg, idx: Reg, var: Option<&Ident>, body: &Block) {
        let elem_ty = match it {
            Ty::Array(e) => (**e).clone(),
            _ => Ty::Str,
        };
        let mark = self.mark();
        let x = self.alloc_for(&elem_ty);
        self.abc(if is_str { Op::StrIndex } else { Op::ArrayGet }, x, seq, idx);
        self.bind_loop_var(var, x);
        self.block(body);
        self.free_to(mark);
    }

    fn index_loop(&mut self, label: &Option<Ident>, var: Option<&Ident>, seq: Reg, it: &Ty, body: &Block) {
        let is_str = *it == Ty::Str;
        let idx = self.alloc(false);
        self.load_int(idx, 0);
        if self.optimizing() {
            // The test at the bottom: length, then one compare-and-branch back.
            let enter = self.jump(Op::Jmp, 0);
            let body_start = self.pc();
            self.push_loop(label);
            self.foreach_body(it, is_str, seq, idx, var, body);
            let body_line = self.line;
            let cont = self.pc();
            self.abc(Op::AddII64, idx, idx, 1);
            self.patch_to_here(enter);
            let n = self.alloc(false);
            self.abc(if is_str { Op::StrLen } else { Op::ArrayLen }, n, seq, 0);
            let back = self.emit(crate::bytecode::op::Instr::abc(Op::JLtS, idx, n, 1), Some(0));
            self.set_line_at(back, body_line);
            self.patch(back, body_start);
            self.pop_loop(cont);
            return;
        }
        let top = self.pc();
        let n = self.alloc(false);
        self.abc(if is_str { Op::StrLen } else { Op::ArrayLen }, n, seq, 0);
        self.abc(Op::LtS, n, idx, n);
        let exit = self.jump(Op::JmpIfNot, n);
        self.push_loop(label);
        self.foreach_body(it, is_str, seq, idx, var, body);
        let cont = self.pc();
        self.abc(Op::AddII64, idx, idx, 1);
        self.jump_back(Op::Jmp, 0, top);
        self.patch_to_here(exit);
        self.pop_loop(cont);
    }

    /// The value is computed before leaving any `try`, so errors raised while computing it
    /// are still caught by the enclosing handlers.
    fn return_stmt(&mut self, value: Option<&Expr>) {
        let result = match value {
            Some(v) if self.node_type(v.id) != Ty::Void => Some(self.expr_reg(v)),
            Some(v) => {
                self.expr_discard(v);
                None
            }
            None => None,
        };
        for _ in 0..self.try_depth {
            self.abc(Op::TryEnd, 0, 0, 0);
        }
        match result {
            Some(r) => self.abc(Op::Ret, r, 0, 0),
            None => self.abc(Op::Ret0, 0, 0, 0),
        };
    }

    fn try_stmt(&mut self, body: &Block, err: Option<&Ident>, handler: &Block) {
        let e = self.alloc(true);
        self.load_int(e, 0);
        let begin = self.jump(Op::TryBegin, e);
        self.try_depth += 1;
        self.block(body);
        self.try_depth -= 1;
        self.abc(Op::TryEnd, 0, 0, 0);
        let skip = self.jump(Op::Jmp, 0);
        self.patch_to_here(begin);
        let mark = self.mark();
        self.bind_loop_var(err, e);
        self.block(handler);
        self.free_to(mark);
        self.patch_to_here(skip);
    }

    /// Cells for the block's captured nested functions exist before any of their closures
    /// is created, so hoisted functions can capture each other.
    fn predeclare_nested_fns(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            let StmtKind::Fn(f) = &s.kind else { continue };
            let Some(id) = self.g.res.fn_ids.get(&f.span).copied() else { continue };
            let FnKind::Nested { binding } = self.g.res.function(id).kind else { continue };
            if self.g.res.binding(binding).boxed {
                let cell = self.alloc(true);
                let nil = self.alloc(false);
                self.load_int(nil, 0);
                self.abc(Op::NewCell, cell, nil, 1);
                self.free_to(cell as usize + 1);
                self.locals.insert(binding, cell);
            }
        }
    }

    /// A nested `fn` declaration: a closure bound to a local. Returns true when a register
    /// was kept for it.
    fn nested_fn(&mut self, f: &FnDecl) -> bool {
        let Some(id) = self.g.res.fn_ids.get(&f.span).copied() else { return false };
        let FnKind::Nested { binding } = self.g.res.function(id).kind else { return false };
        if let (true, Some(cell)) = (self.g.res.binding(binding).boxed, self.locals.get(&binding).copied()) {
            let mark = self.mark();
            let tmp = self.alloc(true);
            self.closure(id, f, tmp);
            self.abc(Op::SetCell, cell, tmp, 0);
            self.free_to(mark);
            false
        } else {
            let r = self.alloc(true);
            self.closure(id, f, r);
            self.locals.insert(binding, r);
            true
        }
    }

    /// Compile function `id` (a nested fn or lambda) and put a closure of it in `dst`.
    pub fn closure(&mut self, id: u32, decl: &FnDecl, dst: Reg) {
        let caps = self.capture_list(id);
        let index = self.g.reserve_function();
        let subst = self.subst.clone();
        let name = if decl.name.name.is_empty() { "<lambda>".to_string() } else { decl.name.name.clone() };
        let mut child = FnBuilder::new(self.g, id, name, subst, decl.span);
        child.set_captures(caps);
        child.function_body(decl);
        let function = child.finish();
        self.g.install(index, function);
        self.abx(Op::Closure, dst, index as u16);
    }
}

/// `N` of a `[T, N]` annotation.
fn fixed_length(t: &TypeExpr) -> Option<u64> {
    match &t.kind {
        TypeExprKind::Array { len, .. } => *len,
        _ => None,
    }
}
