//! Per-function code generation state: register allocation (locals and temporaries on one
//! stack discipline, each register tagged with whether it holds a heap reference),
//! instruction emission with line numbers, jump patching, loop contexts, and the safepoint
//! register maps the collector uses.

use super::Gen;
use crate::bytecode::chunk::{Capture, CaptureSource, Function, RegSet, Safepoint};
use crate::bytecode::op::{Instr, Op, MAX_SBX, MAX_SJ};
use crate::resolve::{BindingId, FnId};
use crate::syntax::span::Span;
use crate::types::ty::{TvId, Ty};
use hashbrown::HashMap;

pub(crate) type Reg = u8;

/// Where a binding lives in the current function.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place {
    Reg(Reg),
    /// A register holding the binding's cell.
    Cell(Reg),
    Capture(u16),
    /// A capture holding the binding's cell.
    CapturedCell(u16),
    Global(u16),
}

pub(crate) struct LoopCtx {
    pub label: Option<String>,
    pub breaks: Vec<usize>,
    pub continues: Vec<usize>,
    /// How many `try` handlers were open when the loop started: `break`/`continue` pop the
    /// ones opened inside the loop.
    pub try_depth: usize,
}

pub(crate) struct FnBuilder<'g, 'a> {
    pub g: &'g mut Gen<'a>,
    pub fn_id: FnId,
    pub subst: HashMap<TvId, Ty>,
    name: String,
    code: Vec<u32>,
    lines: Vec<u32>,
    /// The file of the code being emitted, and where it changed (see `Function::file_changes`).
    file: u32,
    file_changes: Vec<(u32, u32)>,
    pub line: u32,
    next_reg: usize,
    max_reg: usize,
    reg_ref: [bool; 256],
    safepoints: Vec<Safepoint>,
    pub locals: HashMap<BindingId, Reg>,
    pub loops: Vec<LoopCtx>,
    pub try_depth: usize,
    nparams: u16,
    captures: Vec<Capture>,
    jump_tables: Vec<Vec<u32>>,
    span: Span,
    /// pc of the last instruction emitted.
    last_instr: usize,
    /// The latest pc a jump was pointed at (a label), if any.
    last_label: Option<usize>,
    /// Set by the pattern compiler: the pc right after the last variant tag check.
    pub after_tag: Option<usize>,
}

impl<'g, 'a> FnBuilder<'g, 'a> {
    pub fn new(
        g: &'g mut Gen<'a>,
        fn_id: FnId,
        name: String,
        subst: HashMap<TvId, Ty>,
        span: Span,
    ) -> FnBuilder<'g, 'a> {
        let line = if span == Span::default() { 1 } else { g.line_of(span) };
        FnBuilder {
            g,
            fn_id,
            subst,
            name,
            code: Vec::new(),
            lines: Vec::new(),
            file: span.file,
            file_changes: Vec::new(),
            line,
            next_reg: 0,
            max_reg: 0,
            reg_ref: [false; 256],
            safepoints: Vec::new(),
            locals: HashMap::new(),
            loops: Vec::new(),
            try_depth: 0,
            nparams: 0,
            captures: Vec::new(),
            jump_tables: Vec::new(),
            span,
            last_instr: usize::MAX,
            last_label: None,
            after_tag: None,
        }
    }

    pub fn finish(mut self) -> Function {
        if self.g.options.optimize {
            self.thread_jumps();
        }
        self.safepoints.sort_by_key(|s| s.pc);
        self.safepoints.dedup_by_key(|s| s.pc);
        Function {
            name: self.name,
            code: self.code,
            lines: self.lines,
            file_changes: self.file_changes,
            file: self.span.file,
            nparams: self.nparams,
            nregs: self.max_reg.max(1) as u16,
            safepoints: self.safepoints,
            captures: self.captures,
            jump_tables: self.jump_tables,
        }
    }

    /// Jump threading: a `Jmp` to a `Jmp` goes straight to the final target, and a `Jmp` to
    /// a `Ret`/`Ret0` becomes a copy of it (a return does not depend on where it is).
    fn thread_jumps(&mut self) {
        let target_of = |code: &[u32], at: usize| -> Option<usize> {
            let ins = Instr(*code.get(at)?);
            (ins.op() == Some(Op::Jmp)).then(|| (at as isize + 1 + ins.sj()) as usize)
        };
        let mut pc = 0;
        while let Some(&word) = self.code.get(pc) {
            let op = Instr(word).op();
            if let Some(first) = target_of(&self.code, pc) {
                let mut t = first;
                for _ in 0..8 {
                    match target_of(&self.code, t) {
                        Some(next) if next != t => t = next,
                        _ => break,
                    }
                }
                match self.code.get(t).and_then(|w| Instr(*w).op()) {
                    Some(Op::Ret | Op::Ret0) => self.code[pc] = self.code[t],
                    _ if t != first => self.patch(pc, t),
                    _ => {}
                }
            }
            pc += 1 + op.map_or(0, Op::extra_words);
        }
    }

    pub fn set_params(&mut self, n: usize) {
        self.nparams = n as u16;
    }

    pub fn set_captures(&mut self, caps: Vec<Capture>) {
        self.captures = caps;
    }

    // ---- types ----

    /// The concrete type of `t` under this instantiation's substitution.
    pub fn concrete(&self, t: &Ty) -> Ty {
        let z = self.g.typed.table.zonk(t);
        self.subst_ty(&z)
    }

    fn subst_ty(&self, t: &Ty) -> Ty {
        match t {
            Ty::Var(v) => self.subst.get(v).cloned().unwrap_or(Ty::I32),
            Ty::Array(e) => Ty::array(self.subst_ty(e)),
            Ty::Range(e) => Ty::Range(Box::new(self.subst_ty(e))),
            Ty::Func(ps, r) => Ty::Func(ps.iter().map(|p| self.subst_ty(p)).collect(), Box::new(self.subst_ty(r))),
            Ty::Adt(id, args) => Ty::Adt(*id, args.iter().map(|a| self.subst_ty(a)).collect()),
            Ty::Map(k, v) => Ty::Map(Box::new(self.subst_ty(k)), Box::new(self.subst_ty(v))),
            other => other.clone(),
        }
    }

    pub fn node_type(&self, id: u32) -> Ty {
        self.concrete(&self.g.typed.expr_type(id))
    }

    pub fn binding_type(&self, b: BindingId) -> Ty {
        self.concrete(&self.g.typed.binding_types[b as usize])
    }

    // ---- registers ----

    pub fn mark(&self) -> usize {
        self.next_reg
    }

    pub fn free_to(&mut self, mark: usize) {
        self.next_reg = mark.min(self.next_reg);
    }

    pub fn alloc(&mut self, is_ref: bool) -> Reg {
        if self.next_reg >= 255 {
            let span = self.span;
            self.g.limit_error("function needs more than 255 registers", span);
            return 254;
        }
        let r = self.next_reg;
        self.reg_ref[r] = is_ref;
        self.next_reg += 1;
        self.max_reg = self.max_reg.max(self.next_reg);
        r as Reg
    }

    pub fn alloc_for(&mut self, t: &Ty) -> Reg {
        let is_ref = self.g.is_ref(t);
        self.alloc(is_ref)
    }

    /// Allocate `n` consecutive registers (kinds set later with `set_kind`).
    pub fn alloc_n(&mut self, n: usize) -> Reg {
        let first = self.alloc(false);
        for _ in 1..n {
            self.alloc(false);
        }
        first
    }

    /// Whether register `r` is marked as holding a heap reference.
    pub fn is_ref_reg(&self, r: Reg) -> bool {
        self.reg_ref[r as usize]
    }

    pub fn set_kind(&mut self, r: Reg, is_ref: bool) {
        self.reg_ref[r as usize] = is_ref;
    }

    pub fn set_kind_for(&mut self, r: Reg, t: &Ty) {
        let is_ref = self.g.is_ref(t);
        self.set_kind(r, is_ref);
    }

    /// Live reference registers below `limit`.
    fn refs_below(&self, limit: usize) -> RegSet {
        let mut set = RegSet::default();
        for r in 0..limit.min(self.next_reg) {
            if self.reg_ref[r] {
                set.insert(r);
            }
        }
        set
    }

    // ---- emission ----

    pub fn pc(&self) -> usize {
        self.code.len()
    }

    fn push_word(&mut self, w: u32) {
        self.code.push(w);
        self.lines.push(self.line);
    }

    /// Attribute the instruction at `at` (and its extra word) to source line `line`.
    pub fn set_line_at(&mut self, at: usize, line: u32) {
        for l in self.lines.iter_mut().skip(at).take(2) {
            *l = line;
        }
    }

    pub fn set_line(&mut self, span: Span) {
        if span != Span::default() {
            self.line = self.g.line_of(span);
            if span.file != self.file {
                self.file = span.file;
                self.file_changes.push((self.code.len() as u32, span.file));
            }
        }
    }

    /// Emit one instruction (and its extra word), recording a safepoint if it may collect.
    pub fn emit(&mut self, i: Instr, extra: Option<u32>) -> usize {
        let at = self.pc();
        self.last_instr = at;
        self.push_word(i.0);
        if let Some(x) = extra {
            self.push_word(x);
        }
        if let Some(op) = i.op() {
            // A native's safepoint is the state after it returns: the references below its
            // window plus its result. A call's is what stays live across it: the references
            // below its window. Other allocating instructions: every live reference after.
            let refs = if op == Op::CallN || op == Op::CallHost {
                let mut after = self.refs_below(i.a());
                if self.reg_ref[i.a()] {
                    after.insert(i.a());
                }
                Some(after)
            } else if op.is_call() {
                Some(self.refs_below(i.a()))
            } else if op.may_allocate() {
                Some(self.refs_below(256))
            } else {
                None
            };
            if let Some(refs) = refs {
                self.safepoints.push(Safepoint { pc: at as u32, refs });
            }
        }
        at
    }

    pub fn abc(&mut self, op: Op, a: Reg, b: Reg, c: Reg) -> usize {
        self.emit(Instr::abc(op, a, b, c), None)
    }

    pub fn abc_x(&mut self, op: Op, a: Reg, b: Reg, c: Reg, extra: u32) -> usize {
        self.emit(Instr::abc(op, a, b, c), Some(extra))
    }

    pub fn abx(&mut self, op: Op, a: Reg, bx: u16) -> usize {
        self.emit(Instr::abx(op, a, bx), None)
    }

    /// Emit a jump-like instruction with a placeholder offset; patch with `patch_to_here`
    /// (compare-and-branch instructions are emitted by `opt.rs` and patched the same way).
    pub fn jump(&mut self, op: Op, a: Reg) -> usize {
        if op == Op::Jmp {
            self.emit(Instr::with_sj(op, 0), None)
        } else {
            self.emit(Instr::asbx(op, a, 0), None)
        }
    }

    pub fn patch_to_here(&mut self, at: usize) {
        let target = self.pc();
        self.patch(at, target);
    }

    /// Point the jump at `at` to `target`.
    pub fn patch(&mut self, at: usize, target: usize) {
        self.last_label = Some(self.last_label.map_or(target, |l| l.max(target)));
        let offset = target as i64 - (at as i64 + 1);
        let Some(word) = self.code.get(at).copied() else { return };
        let instr = Instr(word);
        let op = instr.op().unwrap_or(Op::Jmp);
        let span = self.span;
        if op.is_cond_jump() {
            // the offset is the extra word, relative to the pc after it
            let offset = offset - 1;
            if offset.abs() > i32::MAX as i64 {
                self.g.limit_error("function body too large (jump out of range)", span);
            }
            if let Some(w) = self.code.get_mut(at + 1) {
                *w = offset as i32 as u32;
            }
            return;
        }
        let new = if op == Op::Jmp {
            if offset.abs() > MAX_SJ as i64 {
                self.g.limit_error("function body too large (jump out of range)", span);
            }
            Instr::with_sj(op, offset as i32)
        } else {
            if offset.abs() > MAX_SBX as i64 {
                self.g.limit_error("function body too large (jump out of range)", span);
            }
            Instr::asbx(op, instr.a() as u8, offset as i16)
        };
        self.code[at] = new.0;
    }

    /// Emit a backward jump-like instruction to `target`.
    pub fn jump_back(&mut self, op: Op, a: Reg, target: usize) {
        let at = self.jump(op, a);
        self.patch(at, target);
    }

    /// Emit `Switch a` over a new jump table of `n` entries (filled in with `set_switch`);
    /// returns the table's index.
    pub fn switch(&mut self, a: Reg, n: usize) -> usize {
        let index = self.jump_tables.len();
        self.jump_tables.push(vec![0; n]);
        self.abx(Op::Switch, a, index as u16);
        index
    }

    /// Point entry `entry` of jump table `table` at `target`.
    pub fn set_switch(&mut self, table: usize, entry: usize, target: usize) {
        self.last_label = Some(self.last_label.map_or(target, |l| l.max(target)));
        if let Some(slot) = self.jump_tables.get_mut(table).and_then(|t| t.get_mut(entry)) {
            *slot = target as u32;
        }
    }

    pub fn load_int(&mut self, dst: Reg, v: i64) {
        if (i16::MIN as i64..=i16::MAX as i64).contains(&v) {
            self.emit(Instr::asbx(Op::LoadI, dst, v as i16), None);
        } else {
            let k = self.g.constant(crate::bytecode::chunk::Constant::Bits(v as u64));
            self.abx(Op::LoadK, dst, k);
        }
    }

    pub fn load_bits(&mut self, dst: Reg, bits: u64) {
        if bits <= i16::MAX as u64 {
            self.load_int(dst, bits as i64);
        } else {
            let k = self.g.constant(crate::bytecode::chunk::Constant::Bits(bits));
            self.abx(Op::LoadK, dst, k);
        }
    }

    pub fn load_str(&mut self, dst: Reg, s: &str) {
        let k = self.g.constant(crate::bytecode::chunk::Constant::Str(s.to_string()));
        self.abx(Op::LoadK, dst, k);
    }

    /// In the optimized mode, makes the last instruction write `r` instead of `v` when it
    /// computed `v` (it was emitted at or after pc `since`, only writes its A register, and
    /// no jump lands after it), so `Move r, v` is not needed. Returns whether it did.
    pub fn retarget_last(&mut self, v: Reg, r: Reg, since: usize) -> bool {
        let at = self.last_instr;
        if !self.g.options.optimize || at < since || at >= self.pc() || self.last_label >= Some(self.pc()) {
            return false;
        }
        let Some(word) = self.code.get(at).copied() else { return false };
        let ins = Instr(word);
        if ins.a() != v as usize || !ins.op().is_some_and(super::opt::writes_only_a) {
            return false;
        }
        self.code[at] = (word & !0xFF00) | (r as u32) << 8;
        true
    }

    pub fn mov(&mut self, dst: Reg, src: Reg) {
        if dst != src {
            self.abc(Op::Move, dst, src, 0);
        }
    }

    /// Where binding `b` lives from this function's point of view.
    pub fn place(&self, b: BindingId) -> Place {
        let info = self.g.res.binding(b);
        if info.global {
            return Place::Global(self.g.globals.get(&b).copied().unwrap_or(0));
        }
        if let Some(r) = self.locals.get(&b) {
            return if info.boxed { Place::Cell(*r) } else { Place::Reg(*r) };
        }
        let idx = self.g.res.capture_index(self.fn_id, b).unwrap_or(0) as u16;
        if info.boxed {
            Place::CapturedCell(idx)
        } else {
            Place::Capture(idx)
        }
    }

    /// Capture descriptors for closure `f` created in this function.
    pub fn capture_list(&self, f: FnId) -> Vec<Capture> {
        let caps = self.g.res.function(f).captures.clone();
        caps.iter()
            .map(|b| {
                let boxed = self.g.res.binding(*b).boxed;
                let is_ref = boxed || self.g.is_ref(&self.binding_type(*b));
                let source = match self.place(*b) {
                    Place::Reg(r) | Place::Cell(r) => CaptureSource::Register(r),
                    Place::Capture(i) | Place::CapturedCell(i) => CaptureSource::Capture(i),
                    Place::Global(_) => CaptureSource::Capture(0),
                };
                Capture { source, is_ref }
            })
            .collect()
    }
}
