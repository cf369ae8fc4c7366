//! VM state and the dispatch loop. All frames share one register file (`regs`); a frame's
//! registers are `regs[base..base + nregs]` and a call's callee window starts at
//! `caller base + A + 1`, so arguments are passed in place. The register file always extends
//! at least `WINDOW` slots past the innermost frame's base, so the loop addresses registers
//! through a fixed-size `&mut [u64; WINDOW]` indexed by 8-bit operands: no bounds checks and
//! no way to leave the array. Orus calls never recurse on the Rust stack: `exec` keeps
//! running until the entry frame returns or an error escapes it; `run_loop` hands errors to
//! the try/catch machinery in `frames.rs` and resumes. Calls and taken backward jumps
//! charge the budget/deadline/interrupt countdown (`limits.rs`); allocating instructions
//! end at a safepoint that may collect and then enforce the heap limit (`roots.rs`).

use std::io::{BufRead, Write};
use std::time::Instant;

use super::arith::{self, f64_cmp, f64_op, index};
use super::equality;
use super::error::RuntimeError;
use super::format;
use super::host::{HostFns, ProgRef, MAX_HOST_ARGS};
use super::limits::Limits;
use super::maps;
use super::natives::Flow;
use super::objects::{cold_err, fimm, imm, make_closure, new_enum, str_slice};
use super::VmConfig;
use crate::bytecode::chunk::{Constant, Program, RtType, TypeId};
use crate::bytecode::native::Native;
use crate::bytecode::op::{Instr, Op};
use crate::diag::codes;
use crate::heap::{GcStats, Heap, Layouts, Obj, RangeObj};

/// Registers addressable from one frame: 256 plus slack so `A + 3` (ranges of four) is
/// always inside the window.
pub(crate) const WINDOW: usize = 260;
/// Largest register file, in slots; growing past it is a stack overflow.
pub(crate) const REG_CAP: usize = 32 << 20;
/// `Frame::closure` of a frame entered by a direct call.
pub(crate) const NO_CLOSURE: u32 = u32::MAX;
const M32: u64 = 0xFFFF_FFFF;

/// One activation. For suspended callers `pc` is the pc of their call instruction; for the
/// running frame it is refreshed only when needed (errors, calls, collection).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    pub func: u32,
    pub closure: u32,
    pub base: u32,
    pub pc: u32,
}

/// A `TryBegin` handler: on error, unwind to frame `frame`, store the Error in `reg`, jump.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handler {
    pub frame: u32,
    pub target: u32,
    pub reg: u8,
}

pub(crate) struct Vm<'a> {
    pub prog: ProgRef<'a>,
    pub max_depth: usize,
    pub input: Box<dyn BufRead + 'a>,
    pub out: Box<dyn Write + 'a>,
    pub heap: Heap,
    pub regs: Vec<u64>,
    pub frames: Vec<Frame>,
    pub handlers: Vec<Handler>,
    pub globals: Vec<u64>,
    pub global_set: Vec<bool>,
    /// Indices of globals holding references.
    pub ref_globals: Vec<usize>,
    /// Constant pool values (strings allocated once).
    pub konst: Vec<u64>,
    /// The 256 one-byte strings, shared by every `s[i]` and one-byte string constant.
    pub byte_strs: Vec<u64>,
    /// The handle of the one-byte string "\0" when the 256 have consecutive handles (so a
    /// handle `h` is one of them exactly when `h - byte_base < 256`); else `u64::MAX`.
    pub byte_base: u64,
    /// Always-live objects: string constants, byte strings, the args array, unit variants.
    pub pinned: Vec<u64>,
    /// The shared object of each payload-free enum variant, indexed by `TypeId` then tag
    /// (`None` for other variants and types). Enum objects are immutable, so one suffices.
    pub unit_variants: Vec<Box<[Option<u64>]>>,
    pub root_buf: Vec<u64>,
    pub started: Instant,
    pub limits: Limits,
    /// The program's arguments (a pinned array), for `std.os.args()`.
    pub argv: u64,
    /// The embedding host's functions, indexed by `CallHost` (see `vm/host.rs`).
    pub hosts: HostFns,
    /// The full result bits of the last frame to return (for host calls into Orus).
    pub ret_bits: u64,
    /// The exit code passed to `exit()`, when the program ended that way.
    pub exited: Option<i32>,
}

pub(crate) fn internal(what: &str) -> RuntimeError {
    RuntimeError::new(codes::INTERNAL, format!("internal error: {what}"))
}

/// The runtime type `ty` of the program.
pub(crate) fn rt_type(prog: &Program, ty: TypeId) -> Result<&RtType, RuntimeError> {
    prog.types.get(ty as usize).ok_or_else(|| internal("type index"))
}

#[inline(always)]
fn window(regs: &mut [u64], base: usize) -> Option<&mut [u64; WINDOW]> {
    regs.get_mut(base..base.checked_add(WINDOW)?)?.try_into().ok()
}

#[inline(always)]
fn jump(pc: usize, offset: isize) -> usize {
    pc.wrapping_add_signed(offset)
}

impl<'a> Vm<'a> {
    pub fn new(prog: ProgRef<'a>, config: &VmConfig, input: Box<dyn BufRead + 'a>, out: Box<dyn Write + 'a>) -> Vm<'a> {
        let mut heap = Heap::new(config.gc_stress);
        heap.set_layouts(Layouts::new(&prog.types));
        heap.set_limit(config.max_heap_bytes);
        Vm {
            prog: prog.clone(),
            max_depth: config.max_call_depth.max(1),
            input,
            out,
            heap,
            regs: vec![0; 4 * WINDOW],
            frames: Vec::new(),
            handlers: Vec::new(),
            globals: vec![0; prog.globals.len()],
            global_set: vec![false; prog.globals.len()],
            ref_globals: prog.globals.iter().enumerate().filter(|(_, g)| g.is_ref).map(|(i, _)| i).collect(),
            konst: Vec::with_capacity(prog.constants.len()),
            byte_strs: Vec::with_capacity(256),
            byte_base: u64::MAX,
            pinned: Vec::new(),
            unit_variants: Vec::new(),
            root_buf: Vec::new(),
            started: Instant::now(),
            limits: Limits::new(config),
            argv: 0,
            hosts: HostFns::default(),
            ret_bits: 0,
            exited: None,
        }
    }

    pub fn gc_stats(&self) -> GcStats {
        self.heap.final_stats()
    }

    pub fn flush(&mut self) -> Result<(), RuntimeError> {
        self.out.flush().map_err(|e| RuntimeError::new(codes::IO_ERROR, format!("cannot write output: {e}")))
    }

    /// Allocates the constants and the args array, enters the entry function and runs it.
    pub fn start(&mut self, args: &[String]) -> Result<i32, RuntimeError> {
        let argv = self.load(args);
        let prog = self.prog.clone();
        self.push_frame(&prog, prog.entry, NO_CLOSURE, 0)?;
        self.regs[0] = argv;
        self.run_loop()
    }

    /// Allocates and pins the one-byte strings, the constants, the unit variants and the
    /// args array (returned).
    pub fn load(&mut self, args: &[String]) -> u64 {
        let prog = self.prog.clone();
        for b in 0..=255u8 {
            let h = self.heap.alloc_str(&[b]);
            self.byte_strs.push(h);
            self.pinned.push(h);
        }
        let first = self.byte_strs.first().copied().unwrap_or(u64::MAX);
        if self.byte_strs.iter().enumerate().all(|(i, h)| *h == first.wrapping_add(i as u64)) {
            self.byte_base = first;
        }
        for c in &prog.constants {
            let v = match c {
                Constant::Bits(b) => *b,
                Constant::Str(s) => match s.as_bytes() {
                    // one-byte constants are the shared one-byte strings
                    [byte] => self.byte_strs.get(*byte as usize).copied().unwrap_or(0),
                    bytes => {
                        let h = self.heap.alloc_str(bytes);
                        self.pinned.push(h);
                        h
                    }
                },
            };
            self.konst.push(v);
        }
        self.alloc_unit_variants();
        let items = args.iter().map(|a| self.heap.alloc_str(a.as_bytes())).collect();
        let argv = self.heap.alloc_array(items, true);
        self.pinned.push(argv);
        self.argv = argv;
        argv
    }

    /// Runs until the program ends; caught errors resume at their handler.
    pub(crate) fn run_loop(&mut self) -> Result<i32, RuntimeError> {
        loop {
            match self.exec() {
                Ok(code) => return Ok(code),
                Err(e) => self.throw(e)?,
            }
        }
    }

    /// The dispatch loop. Returns the exit code, or the first runtime error (with the
    /// innermost frame's pc set to the faulting instruction).
    fn exec(&mut self) -> Result<i32, RuntimeError> {
        // SAFETY: the program behind `self.prog` (borrowed for 'a, or an Arc the VM holds)
        // lives as long as `self` and is never replaced or mutated while the VM runs, so a
        // reference to it stays valid for this call even though `self` is borrowed mutably
        // below. Cloning the ProgRef instead puts a value with a destructor in this frame,
        // whose unwind paths cost the dispatch loop ~10% more instructions (callgrind, fib).
        let prog: &Program = unsafe { &*std::ptr::from_ref::<Program>(&self.prog) };
        let Some(&fr) = self.frames.last() else { return Err(internal("no frame to run")) };
        let Some(mut func) = prog.functions.get(fr.func as usize) else { return Err(internal("bad function")) };
        let mut code: &[u32] = &func.code;
        let mut base = fr.base as usize;
        let mut closure = fr.closure as u64;
        let mut pc = fr.pc as usize;
        let Some(mut r) = window(&mut self.regs, base) else { return Err(internal("register window")) };
        let mut ipc;
        // The limits countdown lives in a local while this frame runs; it is written back
        // (`sync!`) before anything else reads it and whenever the loop is left.
        let mut fuel = self.limits.fuel;

        let err: RuntimeError = loop {
            ipc = pc;
            let Some(&word) = code.get(pc) else { break internal("pc outside the code") };
            let ins = Instr(word);
            pc += 1;
            let Some(op) = Op::from_u8(ins.op_byte()) else { break internal("bad opcode") };
            let (a, b, c) = (ins.a(), ins.b(), ins.c());

            macro_rules! tri {
                ($e:expr) => {
                    match $e {
                        Ok(v) => v,
                        Err(e) => break cold_err(e),
                    }
                };
            }
            macro_rules! extra {
                () => {{
                    let Some(&w) = code.get(pc) else { break internal("missing extra word") };
                    pc += 1;
                    w
                }};
            }
            macro_rules! rewindow {
                () => {
                    r = match window(&mut self.regs, base) {
                        Some(w) => w,
                        None => break internal("register window"),
                    }
                };
            }
            // Switches the loop's state to the frame `push_frame` just entered (its
            // function already in `func`), without leaving the loop.
            macro_rules! enter {
                ($closure:expr) => {{
                    code = &func.code;
                    base += a + 1;
                    closure = $closure;
                    pc = 0;
                    rewindow!();
                }};
            }
            macro_rules! gc {
                () => {
                    if self.heap.wants_gc() {
                        let limit = self.collect_at(ipc);
                        rewindow!();
                        tri!(limit);
                    }
                };
            }
            macro_rules! sync {
                () => {
                    self.limits.fuel = fuel
                };
            }
            // Charges `n` units to the limits countdown.
            macro_rules! spend {
                ($n:expr) => {
                    match fuel.checked_sub($n) {
                        Some(f) => fuel = f,
                        None => {
                            sync!();
                            let res = self.limits.refill($n);
                            fuel = self.limits.fuel;
                            tri!(res);
                        }
                    }
                };
            }
            // A taken backward jump by `off` words: charge the loop's length.
            macro_rules! back {
                ($off:expr) => {
                    if $off < 0 {
                        spend!($off.unsigned_abs() as u64);
                    }
                };
            }

            // String equality. Distinct one-byte strings are distinct handles of the shared
            // table (see `start`), so comparing characters needs no look at the bytes.
            macro_rules! str_equal {
                ($x:expr, $y:expr) => {{
                    let (x, y) = ($x, $y);
                    if x == y {
                        true
                    } else if x.wrapping_sub(self.byte_base) < 256 && y.wrapping_sub(self.byte_base) < 256 {
                        false
                    } else {
                        tri!(equality::str_eq(&mut self.heap, x, y))
                    }
                }};
            }
            // Compare-and-branch: the extra word is the offset from the pc after it.
            macro_rules! cond_jump {
                ($cond:expr) => {{
                    let Some(&w) = code.get(pc) else { break internal("missing extra word") };
                    pc += 1;
                    if $cond {
                        let off = w as i32 as isize;
                        back!(off);
                        pc = jump(pc, off);
                    }
                }};
            }

            match op {
                // ---- moves and constants ----
                Op::Move => r[a] = r[b],
                Op::LoadI => r[a] = ins.sbx() as i64 as u64,
                Op::LoadK => match self.konst.get(ins.bx()) {
                    Some(v) => r[a] = *v,
                    None => break internal("constant index"),
                },
                Op::LoadNil => r[a] = 0,

                // ---- arithmetic ----
                Op::AddI32 => r[a] = tri!(arith::add_i32(r[b], r[c])),
                Op::AddI64 => r[a] = tri!(arith::add_i64(r[b], r[c])),
                Op::AddU32 => r[a] = r[b].wrapping_add(r[c]) & M32,
                Op::AddU64 => r[a] = r[b].wrapping_add(r[c]),
                Op::AddF64 => r[a] = f64_op(r[b], r[c], |x, y| x + y),
                Op::SubI32 => r[a] = tri!(arith::sub_i32(r[b], r[c])),
                Op::SubI64 => r[a] = tri!(arith::sub_i64(r[b], r[c])),
                Op::SubU32 => r[a] = r[b].wrapping_sub(r[c]) & M32,
                Op::SubU64 => r[a] = r[b].wrapping_sub(r[c]),
                Op::SubF64 => r[a] = f64_op(r[b], r[c], |x, y| x - y),
                Op::MulI32 => r[a] = tri!(arith::mul_i32(r[b], r[c])),
                Op::MulI64 => r[a] = tri!(arith::mul_i64(r[b], r[c])),
                Op::MulU32 => r[a] = r[b].wrapping_mul(r[c]) & M32,
                Op::MulU64 => r[a] = r[b].wrapping_mul(r[c]),
                Op::MulF64 => r[a] = f64_op(r[b], r[c], |x, y| x * y),
                Op::DivI32 => r[a] = tri!(arith::div_i32(r[b], r[c])),
                Op::DivI64 => r[a] = tri!(arith::div_i64(r[b], r[c])),
                Op::DivU => r[a] = tri!(arith::div_u(r[b], r[c])),
                Op::DivF64 => r[a] = f64_op(r[b], r[c], |x, y| x / y),
                Op::RemI32 => r[a] = tri!(arith::rem_i32(r[b], r[c])),
                Op::RemI64 => r[a] = tri!(arith::rem_i64(r[b], r[c])),
                Op::RemU => r[a] = tri!(arith::rem_u(r[b], r[c])),
                Op::RemF64 => r[a] = f64_op(r[b], r[c], |x, y| x % y),
                Op::AddII32 => r[a] = tri!(arith::add_i32(r[b], ins.sc() as u64)),
                Op::AddII64 => r[a] = tri!(arith::add_i64(r[b], ins.sc() as u64)),
                Op::AddKI32 => r[a] = tri!(arith::add_i32(r[b], imm(extra!()))),
                Op::AddKI64 => r[a] = tri!(arith::add_i64(r[b], imm(extra!()))),
                Op::MulKI32 => r[a] = tri!(arith::mul_i32(r[b], imm(extra!()))),
                Op::MulKI64 => r[a] = tri!(arith::mul_i64(r[b], imm(extra!()))),
                Op::DivKI32 => r[a] = tri!(arith::div_i32(r[b], imm(extra!()))),
                Op::DivKI64 => r[a] = tri!(arith::div_i64(r[b], imm(extra!()))),
                Op::RemKI32 => r[a] = tri!(arith::rem_i32(r[b], imm(extra!()))),
                Op::RemKI64 => r[a] = tri!(arith::rem_i64(r[b], imm(extra!()))),
                Op::AddKF64 => r[a] = f64_op(r[b], fimm(extra!()), |x, y| x + y),
                Op::SubKF64 => r[a] = f64_op(r[b], fimm(extra!()), |x, y| x - y),
                Op::MulKF64 => r[a] = f64_op(r[b], fimm(extra!()), |x, y| x * y),
                Op::DivKF64 => r[a] = f64_op(r[b], fimm(extra!()), |x, y| x / y),
                Op::RSubKF64 => r[a] = f64_op(fimm(extra!()), r[b], |x, y| x - y),
                Op::RDivKF64 => r[a] = f64_op(fimm(extra!()), r[b], |x, y| x / y),
                Op::NegI32 => r[a] = tri!(arith::neg_i32(r[b])),
                Op::NegI64 => r[a] = tri!(arith::neg_i64(r[b])),
                Op::NegF64 => r[a] = (-f64::from_bits(r[b])).to_bits(),

                // ---- bitwise ----
                Op::BitAnd => r[a] = r[b] & r[c],
                Op::BitOr => r[a] = r[b] | r[c],
                Op::BitXor => r[a] = r[b] ^ r[c],
                Op::BitNot => r[a] = !r[b],
                Op::BitNotU32 => r[a] = !r[b] & M32,
                Op::ShlI32 => r[a] = tri!(arith::shl_i32(r[b], r[c])),
                Op::ShlI64 => r[a] = tri!(arith::shl_i64(r[b], r[c])),
                Op::ShlU32 => r[a] = tri!(arith::shl_u32(r[b], r[c])),
                Op::ShlU64 => r[a] = tri!(arith::shl_u64(r[b], r[c])),
                Op::ShrI32 => r[a] = tri!(arith::shr_i32(r[b], r[c])),
                Op::ShrI64 => r[a] = tri!(arith::shr_i64(r[b], r[c])),
                Op::ShrU32 => r[a] = tri!(arith::shr_u32(r[b], r[c])),
                Op::ShrU64 => r[a] = tri!(arith::shr_u64(r[b], r[c])),

                // ---- comparisons ----
                Op::Eq => r[a] = (r[b] == r[c]) as u64,
                Op::Ne => r[a] = (r[b] != r[c]) as u64,
                Op::LtS => r[a] = ((r[b] as i64) < (r[c] as i64)) as u64,
                Op::LeS => r[a] = ((r[b] as i64) <= (r[c] as i64)) as u64,
                Op::LtU => r[a] = (r[b] < r[c]) as u64,
                Op::LeU => r[a] = (r[b] <= r[c]) as u64,
                Op::EqF64 => r[a] = f64_cmp(r[b], r[c], |x, y| x == y),
                Op::NeF64 => r[a] = f64_cmp(r[b], r[c], |x, y| x != y),
                Op::LtF64 => r[a] = f64_cmp(r[b], r[c], |x, y| x < y),
                Op::LeF64 => r[a] = f64_cmp(r[b], r[c], |x, y| x <= y),
                Op::EqStr => r[a] = str_equal!(r[b], r[c]) as u64,
                Op::NeStr => r[a] = !str_equal!(r[b], r[c]) as u64,
                Op::LtStr => r[a] = tri!(equality::str_cmp(&mut self.heap, r[b], r[c])).is_lt() as u64,
                Op::LeStr => r[a] = tri!(equality::str_cmp(&mut self.heap, r[b], r[c])).is_le() as u64,
                Op::EqDeep => {
                    let ty = extra!() as TypeId;
                    r[a] = tri!(equality::deep_eq(&mut self.heap, prog, r[b], r[c], ty)) as u64;
                }
                Op::Not => r[a] = (r[b] == 0) as u64,

                // ---- casts ----
                Op::TruncI32 => r[a] = r[b] as i32 as i64 as u64,
                Op::TruncU32 => r[a] = r[b] & M32,
                Op::IntToBool => r[a] = (r[b] != 0) as u64,
                Op::SIntToF64 => r[a] = (r[b] as i64 as f64).to_bits(),
                Op::UIntToF64 => r[a] = (r[b] as f64).to_bits(),
                Op::F64ToI32 => r[a] = tri!(arith::f64_to_i32(r[b])),
                Op::F64ToI64 => r[a] = tri!(arith::f64_to_i64(r[b])),
                Op::F64ToU32 => r[a] = tri!(arith::f64_to_u32(r[b])),
                Op::F64ToU64 => r[a] = tri!(arith::f64_to_u64(r[b])),
                Op::ToStr => {
                    let ty = extra!() as TypeId;
                    r[a] = tri!(format::to_string(&mut self.heap, prog, r[b], ty));
                    gc!();
                }

                // ---- control flow ----
                Op::Jmp => {
                    back!(ins.sj());
                    pc = jump(pc, ins.sj());
                }
                Op::JEq => cond_jump!((r[a] == r[b]) == (c != 0)),
                Op::JLtS => cond_jump!(((r[a] as i64) < (r[b] as i64)) == (c != 0)),
                Op::JLeS => cond_jump!(((r[a] as i64) <= (r[b] as i64)) == (c != 0)),
                Op::JLtU => cond_jump!((r[a] < r[b]) == (c != 0)),
                Op::JLeU => cond_jump!((r[a] <= r[b]) == (c != 0)),
                Op::JEqF => cond_jump!((f64::from_bits(r[a]) == f64::from_bits(r[b])) == (c != 0)),
                Op::JLtF => cond_jump!((f64::from_bits(r[a]) < f64::from_bits(r[b])) == (c != 0)),
                Op::JLeF => cond_jump!((f64::from_bits(r[a]) <= f64::from_bits(r[b])) == (c != 0)),
                Op::JEqStr => cond_jump!(str_equal!(r[a], r[b]) == (c != 0)),
                Op::JLtStr => cond_jump!(tri!(equality::str_cmp(&mut self.heap, r[a], r[b])).is_lt() == (c != 0)),
                Op::JLeStr => cond_jump!(tri!(equality::str_cmp(&mut self.heap, r[a], r[b])).is_le() == (c != 0)),
                Op::JEqI => cond_jump!(r[a] as i64 == ins.sbx() as i64),
                Op::JNeI => cond_jump!(r[a] as i64 != ins.sbx() as i64),
                Op::JLtI => cond_jump!((r[a] as i64) < ins.sbx() as i64),
                Op::JLeI => cond_jump!((r[a] as i64) <= ins.sbx() as i64),
                Op::JGtI => cond_jump!((r[a] as i64) > ins.sbx() as i64),
                Op::JGeI => cond_jump!((r[a] as i64) >= ins.sbx() as i64),
                Op::Switch => {
                    let table = func.jump_tables.get(ins.bx());
                    if let Some(&t) = table.and_then(|t| t.get(r[a] as usize)) {
                        pc = t as usize;
                    }
                }
                Op::JmpIf => {
                    if r[a] != 0 {
                        back!(ins.sbx());
                        pc = jump(pc, ins.sbx());
                    }
                }
                Op::JmpIfNot => {
                    if r[a] == 0 {
                        back!(ins.sbx());
                        pc = jump(pc, ins.sbx());
                    }
                }
                Op::ForPrepS | Op::ForPrepU => {
                    let (start, end, step, incl) = (r[a], r[a + 1], r[a + 2], r[a + 3] != 0);
                    let trips = if op == Op::ForPrepS {
                        arith::trips_signed(start, end, step, incl)
                    } else {
                        arith::trips_unsigned(start, end, step, incl)
                    };
                    match tri!(trips) {
                        None => pc = jump(pc, ins.sbx()),
                        Some(n) => {
                            r[a] = n;
                            r[a + 1] = step;
                            r[a + 2] = start;
                            r[a + 3] = start;
                        }
                    }
                }
                Op::ForLoop => {
                    if r[a] > 0 {
                        back!(ins.sbx());
                        r[a] -= 1;
                        let v = r[a + 2].wrapping_add(r[a + 1]);
                        r[a + 2] = v;
                        r[a + 3] = v;
                        pc = jump(pc, ins.sbx());
                    }
                }
                Op::RangeUnpack => {
                    let rg = tri!(self.heap.range(r[b]));
                    r[a] = rg.start;
                    r[a + 1] = rg.end;
                    r[a + 2] = rg.step;
                    r[a + 3] = rg.inclusive as u64;
                }
                Op::NewRange => {
                    let elem = extra!() as TypeId;
                    let range = RangeObj { start: r[b], end: r[b + 1], step: r[b + 2], inclusive: r[b + 3] != 0, elem };
                    r[a] = self.heap.alloc(Obj::Range(range));
                    gc!();
                }

                // ---- calls ----
                Op::Call => {
                    let h = r[a];
                    let f = tri!(self.heap.closure(h)).func;
                    if prog.functions.get(f as usize).map(|g| g.nparams as usize) != Some(b) {
                        break internal("closure called with the wrong number of arguments");
                    }
                    if let Some(top) = self.frames.last_mut() {
                        top.pc = ipc as u32;
                    }
                    spend!(1);
                    func = tri!(self.push_frame(prog, f, h as u32, base + a + 1));
                    enter!(h);
                }
                Op::CallK => {
                    let Some(&f) = code.get(pc) else { break internal("missing extra word") };
                    if let Some(top) = self.frames.last_mut() {
                        top.pc = ipc as u32;
                    }
                    spend!(1);
                    func = tri!(self.push_frame(prog, f, NO_CLOSURE, base + a + 1));
                    enter!(NO_CLOSURE as u64);
                }
                Op::CallN => {
                    let w = extra!();
                    let Some(native) = Native::from_u16(w as u16) else { break internal("bad native") };
                    let mut args = [0u64; 4];
                    match r.get(a + 1..a + 1 + b) {
                        Some(src) if b <= args.len() => args[..b].copy_from_slice(src),
                        _ => break internal("native arguments"),
                    }
                    match self.call_native(native, (w >> 16) as TypeId, &args[..b]) {
                        Ok(Flow::Value(v)) => {
                            rewindow!();
                            r[a] = v;
                            gc!();
                        }
                        Ok(Flow::Exit(code)) => {
                            sync!();
                            return Ok(code);
                        }
                        Err(e) => break e,
                    }
                }
                Op::CallHost => {
                    let w = extra!();
                    match self.call_host_at(w, base + a + 1, b) {
                        Ok(v) => {
                            rewindow!();
                            r[a] = v;
                            gc!();
                        }
                        Err(e) => break e,
                    }
                }
                Op::Ret | Op::Ret0 => {
                    let v = if op == Op::Ret { r[a] } else { 0 };
                    let Some(caller) = self.pop_frame() else {
                        sync!();
                        self.ret_bits = v;
                        return Ok(v as i32);
                    };
                    func = match prog.functions.get(caller.func as usize) {
                        Some(f) => f,
                        None => break internal("bad function"),
                    };
                    code = &func.code;
                    base = caller.base as usize;
                    closure = caller.closure as u64;
                    // back after the call instruction, its result in the call's A
                    let Some(&call) = code.get(caller.pc as usize) else { break internal("caller pc") };
                    let call = Instr(call);
                    pc = caller.pc as usize + if call.op_byte() == Op::CallK as u8 { 2 } else { 1 };
                    rewindow!();
                    r[call.a()] = v;
                }

                // ---- closures, cells, globals ----
                Op::Closure => {
                    r[a] = tri!(make_closure(&mut self.heap, prog, ins.bx(), r, closure));
                    gc!();
                }
                Op::GetCap => match self.heap.closure(closure).map(|cl| cl.caps.get(b).copied()) {
                    Ok(Some(v)) => r[a] = v,
                    _ => break internal("capture of a frame without that capture"),
                },
                Op::NewCell => {
                    r[a] = self.heap.alloc(Obj::Cell { value: r[b], is_ref: c != 0 });
                    gc!();
                }
                Op::GetCell => r[a] = tri!(self.heap.cell(r[b])),
                Op::SetCell => tri!(self.heap.set_cell(r[a], r[b])),
                Op::GetGlobal => {
                    let g = ins.bx();
                    match (self.globals.get(g), self.global_set.get(g)) {
                        (Some(v), Some(true)) => r[a] = *v,
                        _ => break self.uninitialized(g),
                    }
                }
                Op::SetGlobal => {
                    let g = ins.bx();
                    match (self.globals.get_mut(g), self.global_set.get_mut(g)) {
                        (Some(v), Some(set)) => {
                            *v = r[a];
                            *set = true;
                        }
                        _ => break internal("global index"),
                    }
                }

                // ---- strings ----
                Op::Concat => {
                    r[a] = tri!(self.heap.concat(r[b], r[c]));
                    gc!();
                }
                Op::StrLen => r[a] = tri!(self.heap.str_len(r[b])).min(i32::MAX as usize) as u64,
                Op::StrIndex => {
                    // one heap lookup when the string is already flat
                    let byte = match self.heap.try_flat(r[b]) {
                        Some(bytes) => bytes.get(tri!(index(r[c], bytes.len()))).copied().unwrap_or(0),
                        None => {
                            let bytes = tri!(self.heap.str_bytes(r[b]));
                            bytes.get(tri!(index(r[c], bytes.len()))).copied().unwrap_or(0)
                        }
                    };
                    r[a] = self.byte_strs.get(byte as usize).copied().unwrap_or(0);
                    gc!();
                }
                Op::StrSlice => {
                    r[a] = tri!(str_slice(&mut self.heap, &self.byte_strs, r[b], r[c], r[c + 1]));
                    gc!();
                }

                // ---- arrays ----
                Op::NewArray => {
                    let refs = extra!() == 1;
                    let Some(items) = r.get(b..b + c) else { break internal("array registers") };
                    r[a] = self.heap.alloc_array(items.to_vec(), refs);
                    gc!();
                }
                Op::ArrayFill => {
                    let n = (r[c] as i64).max(0) as usize;
                    tri!(self.heap.check_size(n.saturating_mul(8)));
                    r[a] = self.heap.alloc_array(vec![r[b]; n], false);
                    gc!();
                }
                Op::ArrayGet => {
                    let items = &tri!(self.heap.array(r[b])).items;
                    let i = tri!(index(r[c], items.len()));
                    r[a] = items.get(i).copied().unwrap_or(0);
                }
                Op::ArraySet => {
                    let items = &mut tri!(self.heap.array_mut(r[a])).items;
                    let i = tri!(index(r[b], items.len()));
                    if let Some(slot) = items.get_mut(i) {
                        *slot = r[c];
                    }
                }
                Op::ArrayLen => r[a] = tri!(self.heap.array(r[b])).items.len().min(i32::MAX as usize) as u64,
                Op::ArrayPush => {
                    tri!(self.heap.push(r[a], r[b]));
                    gc!();
                }
                Op::ArrayPop => match tri!(self.heap.array_mut(r[b])).items.pop() {
                    Some(v) => r[a] = v,
                    None => break RuntimeError::new(codes::EMPTY_ARRAY, "pop from an empty array"),
                },
                Op::ArraySlice => {
                    let arr = tri!(self.heap.array(r[b]));
                    let (lo, hi) = arith::clamp_range(r[c], r[c + 1], arr.items.len());
                    let (items, refs) = (arr.items.get(lo..hi).unwrap_or_default().to_vec(), arr.refs);
                    r[a] = self.heap.alloc_array(items, refs);
                    gc!();
                }

                // ---- errors ----
                Op::Panic => {
                    let msg = tri!(self.heap.str_bytes(r[a]));
                    let code = if c == 1 { codes::UNWRAP_FAILED } else { codes::PANIC };
                    break RuntimeError::new(code, String::from_utf8_lossy(msg).into_owned());
                }
                Op::TryBegin => {
                    let frame = self.frames.len().saturating_sub(1) as u32;
                    self.handlers.push(Handler { frame, target: jump(pc, ins.sbx()) as u32, reg: a as u8 });
                    gc!();
                }
                Op::TryEnd => {
                    let depth = self.frames.len().saturating_sub(1) as u32;
                    if self.handlers.last().is_some_and(|h| h.frame == depth) {
                        self.handlers.pop();
                    }
                }
                Op::ErrorField => {
                    let (message, code) = tri!(self.heap.error(r[b]));
                    r[a] = if c == 0 { message } else { code };
                }

                // ---- structs and enums ----
                Op::NewStruct => {
                    let ty = extra!() as TypeId;
                    let Some(fields) = r.get(b..b + c) else { break internal("struct registers") };
                    r[a] = self.heap.alloc_struct_from(ty, fields);
                    gc!();
                }
                Op::GetField => r[a] = tri!(self.heap.slot(r[b], c)),
                Op::SetField => tri!(self.heap.set_field(r[a], b, r[c])),
                Op::NewEnum => {
                    let w = extra!();
                    let Some(payload) = r.get(b..b + c) else { break internal("enum registers") };
                    let h = new_enum(&mut self.heap, &self.unit_variants, w as TypeId, (w >> 16) as u16, payload);
                    r[a] = h;
                    gc!();
                }
                Op::EnumTag => r[a] = tri!(self.heap.enum_tag(r[b])) as u64,

                // ---- maps ----
                Op::NewMap => {
                    r[a] = tri!(self.heap.alloc_map(extra!() as TypeId));
                    gc!();
                }
                // ---- output ----
                Op::Print => {
                    let sig = extra!() as usize;
                    let (Some(vals), Some(types)) = (r.get(a..a + b), prog.print_sigs.get(sig)) else {
                        break internal("print operands");
                    };
                    let vals = vals.to_vec();
                    tri!(format::print(&mut self.heap, prog, &vals, types, &mut *self.out));
                    gc!();
                }
                // the map instructions but `NewMap` (maps.rs)
                _ => {
                    let w = if op.extra_words() > 0 { extra!() } else { 0 };
                    let (x, y, z) = (r[a], r[b], r[c]);
                    match maps::map_op(&mut self.heap, prog, &self.unit_variants, op, [x, y, z], c, w) {
                        Ok(Some(v)) => r[a] = v,
                        Ok(None) => {}
                        Err(e) => break e,
                    }
                    if op.may_allocate() {
                        gc!();
                    }
                }
            }
        };
        self.limits.fuel = fuel;
        if let Some(top) = self.frames.last_mut() {
            top.pc = ipc as u32;
        }
        Err(err)
    }

    /// `CallHost`: calls host function `w` with the `n` registers from `first` as arguments.
    /// Kept out of line so the dispatch loop stays as tight as it was without host calls.
    #[inline(never)]
    fn call_host_at(&mut self, w: u32, first: usize, n: usize) -> Result<u64, RuntimeError> {
        let mut args = [0u64; MAX_HOST_ARGS];
        match self.regs.get(first..first + n) {
            Some(src) if n <= args.len() => args[..n].copy_from_slice(src),
            _ => return Err(internal("host function arguments")),
        }
        self.call_host(w, &args[..n])
    }

    fn uninitialized(&self, g: usize) -> RuntimeError {
        let name = self.prog.globals.get(g).map_or("?", |g| g.name.as_str());
        RuntimeError::new(codes::UNINITIALIZED, format!("`{name}` used before initialization"))
    }
}
