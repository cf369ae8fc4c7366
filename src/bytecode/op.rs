//! Opcodes and the fixed-width 32-bit instruction encoding.
//!
//! Layout of one instruction word (little end first):
//! ```text
//!   bits 0..8   opcode
//!   bits 8..16  A
//!   bits 16..24 B          \  or Bx  = bits 16..32 (u16)
//!   bits 24..32 C          /  or sBx = Bx as i16
//!                              or sJ  = bits 8..32 as a signed 24-bit value
//! ```
//! Some instructions are followed by one extra 32-bit word (`Op::extra_words`), e.g. the
//! function index of `CallK`. Jump offsets are relative to the pc of the instruction that
//! follows the jump (and its extra word, if any).
//!
//! Registers hold 8-byte untagged values. Representation by static type:
//! `i32`/`i64` sign-extended i64; `u32`/`u64` zero-extended u64; `f64` its bits; `bool` 0/1;
//! `void` 0; every heap type (string, array, closure, cell, range, error, ...) a heap handle.
//! "int" below means any integer type in that representation.
//!
//! The encoding is independent of the dispatch loop: `vm/interp.rs` decodes with the
//! accessors here.

macro_rules! opcodes {
    ($( $(#[$doc:meta])* $name:ident = $extra:expr, )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Op { $( $(#[$doc])* $name, )* }

        impl Op {
            pub const ALL: &'static [Op] = &[$(Op::$name,)*];

            /// Number of extra 32-bit words that follow this instruction.
            pub fn extra_words(self) -> usize {
                match self { $( Op::$name => $extra, )* }
            }

            pub fn name(self) -> &'static str {
                match self { $( Op::$name => stringify!($name), )* }
            }

            /// The opcode with byte value `b`. A `match` (not a table lookup), so the
            /// compiler sees the identity and the dispatch loop's `match` on the result
            /// jumps through one table indexed by the byte.
            #[inline(always)]
            pub fn from_u8(b: u8) -> Option<Op> {
                #[allow(non_upper_case_globals)]
                mod byte {
                    $( pub const $name: u8 = super::Op::$name as u8; )*
                }
                match b {
                    $( byte::$name => Some(Op::$name), )*
                    _ => None,
                }
            }
        }
    };
}

opcodes! {
    // ---- moves and constants ----
    /// R[A] = R[B]
    Move = 0,
    /// R[A] = sBx as i64 (sign-extended; used for every int type and bool when the value
    /// fits and is representable)
    LoadI = 0,
    /// R[A] = K[Bx] (constant pool value: int bits, f64 bits, or a string handle)
    LoadK = 0,
    /// R[A] = 0 (void / false)
    LoadNil = 0,

    // ---- integer arithmetic (checked: signed overflow is E0002, /,% by zero E0001) ----
    /// R[A] = R[B] + R[C] for i32 (overflow checked)
    AddI32 = 0,
    AddI64 = 0,
    /// wrapping mod 2^32
    AddU32 = 0,
    /// wrapping mod 2^64
    AddU64 = 0,
    AddF64 = 0,
    SubI32 = 0,
    SubI64 = 0,
    SubU32 = 0,
    SubU64 = 0,
    SubF64 = 0,
    MulI32 = 0,
    MulI64 = 0,
    MulU32 = 0,
    MulU64 = 0,
    MulF64 = 0,
    /// truncating division; zero divisor E0001; i32::MIN / -1 E0002
    DivI32 = 0,
    DivI64 = 0,
    /// unsigned division for u32 and u64 (zero divisor E0001)
    DivU = 0,
    /// IEEE division
    DivF64 = 0,
    /// remainder with the sign of the dividend; zero divisor E0001; MIN % -1 == 0
    RemI32 = 0,
    RemI64 = 0,
    RemU = 0,
    /// fmod (Rust `%` on f64)
    RemF64 = 0,
    /// R[A] = R[B] + sC (C read as i8), i32 overflow checked
    AddII32 = 0,
    /// R[A] = R[B] + sC (C read as i8), i64 overflow checked
    AddII64 = 0,
    /// R[A] = R[B] + K for i32 (overflow checked); K is the extra word as an i32
    AddKI32 = 1,
    AddKI64 = 1,
    /// R[A] = R[B] * K (K the extra word as an i32), overflow checked
    MulKI32 = 1,
    MulKI64 = 1,
    /// R[A] = R[B] / K (K the extra word as an i32; zero is E0001, MIN / -1 E0002)
    DivKI32 = 1,
    DivKI64 = 1,
    /// R[A] = R[B] % K (K the extra word as an i32; zero is E0001)
    RemKI32 = 1,
    RemKI64 = 1,
    /// R[A] = R[B] + K for f64; K is the extra word read as the bits of an f32 (codegen
    /// uses these forms only for constants an f32 represents exactly)
    AddKF64 = 1,
    /// R[A] = R[B] - K (f64, K as in `AddKF64`)
    SubKF64 = 1,
    MulKF64 = 1,
    DivKF64 = 1,
    /// R[A] = K - R[B] (f64, K as in `AddKF64`)
    RSubKF64 = 1,
    /// R[A] = K / R[B] (f64, K as in `AddKF64`)
    RDivKF64 = 1,
    /// R[A] = -R[B] (overflow checked)
    NegI32 = 0,
    NegI64 = 0,
    NegF64 = 0,

    // ---- bitwise (operate on the representation; valid for every int type) ----
    BitAnd = 0,
    BitOr = 0,
    BitXor = 0,
    /// R[A] = !R[B] for i32, i64, u64
    BitNot = 0,
    /// R[A] = !R[B] & 0xFFFF_FFFF
    BitNotU32 = 0,
    /// R[A] = R[B] << R[C]; amount < 0 or >= width is E0010; shifted-out bits are dropped
    /// and the result re-normalized to the type's representation
    ShlI32 = 0,
    ShlI64 = 0,
    ShlU32 = 0,
    ShlU64 = 0,
    /// arithmetic shift for signed types, logical for unsigned
    ShrI32 = 0,
    ShrI64 = 0,
    ShrU32 = 0,
    ShrU64 = 0,

    // ---- comparisons: R[A] = bool ----
    /// raw 64-bit equality: every int type and bool
    Eq = 0,
    Ne = 0,
    /// signed compare (i32, i64)
    LtS = 0,
    LeS = 0,
    /// unsigned compare (u32, u64)
    LtU = 0,
    LeU = 0,
    EqF64 = 0,
    NeF64 = 0,
    LtF64 = 0,
    LeF64 = 0,
    /// string equality / byte-wise ordering
    EqStr = 0,
    NeStr = 0,
    LtStr = 0,
    LeStr = 0,
    /// structural equality of R[B] and R[C] whose type is the extra word (a `TypeId`)
    EqDeep = 1,
    /// R[A] = not R[B] (bool)
    Not = 0,

    // ---- casts ----
    /// R[A] = (R[B] as i32) sign-extended (int -> i32 wrap)
    TruncI32 = 0,
    /// R[A] = R[B] & 0xFFFF_FFFF (int -> u32 wrap)
    TruncU32 = 0,
    /// R[A] = R[B] != 0 (int -> bool)
    IntToBool = 0,
    /// signed int -> f64
    SIntToF64 = 0,
    /// unsigned int -> f64
    UIntToF64 = 0,
    /// f64 -> integer, truncating toward zero; NaN or out of range is E0007
    F64ToI32 = 0,
    F64ToI64 = 0,
    F64ToU32 = 0,
    F64ToU64 = 0,
    /// R[A] = display string of R[B] whose type is the extra word (a `TypeId`)
    ToStr = 1,

    // ---- control flow ----
    /// pc += sJ
    Jmp = 0,
    /// if R[A] (bool) { pc += sBx }
    JmpIf = 0,
    /// if !R[A] { pc += sBx }
    JmpIfNot = 0,
    /// Fused compare-and-branch, register with register: if (R[A] == R[B]) == (C != 0),
    /// pc += the extra word (an i32 offset from the pc after the extra word). Raw 64-bit
    /// equality (every int type and bool).
    JEq = 1,
    /// as `JEq` with signed `<` (i32, i64)
    JLtS = 1,
    JLeS = 1,
    /// as `JEq` with unsigned `<` (u32, u64)
    JLtU = 1,
    JLeU = 1,
    /// as `JEq` with f64 `==`, `<`, `<=` (a NaN operand makes the comparison false)
    JEqF = 1,
    JLtF = 1,
    JLeF = 1,
    /// as `JEq` with string equality and byte-wise ordering
    JEqStr = 1,
    JLtStr = 1,
    JLeStr = 1,
    /// Fused compare-and-branch with an immediate, signed ints: if R[A] == sBx, pc += the
    /// extra word (as in `JEq`)
    JEqI = 1,
    /// if R[A] != sBx, jump
    JNeI = 1,
    /// if (R[A] as i64) < sBx, jump
    JLtI = 1,
    JLeI = 1,
    JGtI = 1,
    JGeI = 1,
    /// Jump table: pc = `Function::jump_tables[Bx][R[A]]` (absolute pcs, forward only);
    /// an index outside the table falls through. Used to dispatch `match` on an enum tag.
    Switch = 0,
    /// Counted loop set-up over R[A]=start, R[A+1]=end, R[A+2]=step, R[A+3]=inclusive (bool),
    /// signed ints. step == 0 is E0009. Computes the trip count; if it is 0, pc += sBx.
    /// Otherwise R[A] = trip count - 1 (as u64), R[A+1] = step (moved there for `ForLoop`),
    /// R[A+2] = start, R[A+3] = start (the loop variable), and execution falls into the
    /// body. The body must not write R[A..A+3].
    ForPrepS = 0,
    /// As `ForPrepS` for unsigned ints (step is taken as a positive u64).
    ForPrepU = 0,
    /// If R[A] > 0: R[A] -= 1; R[A+2] += R[A+1] (wrapping); R[A+3] = R[A+2]; pc += sBx
    /// (sBx negative: back to the body start). Otherwise fall through.
    ForLoop = 0,
    /// R[A..A+4] = start, end, step, inclusive of the range object R[B]
    RangeUnpack = 0,
    /// R[A] = new range object from R[B]=start, R[B+1]=end, R[B+2]=step,
    /// R[B+3]=inclusive; the extra word is the element `TypeId`
    NewRange = 1,

    // ---- calls ----
    /// Call the closure R[A] with B arguments R[A+1..=A+B]; the callee's frame starts at
    /// R[A+1]; its result is stored in R[A].
    Call = 0,
    /// Direct call of function index (extra word) with B arguments R[A+1..=A+B]; the
    /// callee's frame starts at R[A+1]; its result is stored in R[A].
    CallK = 1,
    /// Native call: extra word = native id (low 16 bits) | TypeId (high 16 bits, the
    /// native's type argument, 0 if unused); B arguments R[A+1..=A+B]; result in R[A].
    /// Natives run without an Orus frame.
    CallN = 1,
    /// Host call: extra word = host function index (`Program::host.fns`); B arguments
    /// R[A+1..=A+B]; result in R[A]. Runs the embedding host's Rust closure, without an
    /// Orus frame, like a native.
    CallHost = 1,
    /// return R[A]
    Ret = 0,
    /// return void
    Ret0 = 0,

    // ---- closures, captured cells, globals ----
    /// R[A] = new closure of function Bx, capturing values as listed in that function's
    /// `captures` (from the current frame's registers or the current closure's captures)
    Closure = 0,
    /// R[A] = capture B of the running closure
    GetCap = 0,
    /// R[A] = new cell holding R[B]; C = 1 if the value is a heap reference
    NewCell = 0,
    /// R[A] = value of cell R[B]
    GetCell = 0,
    /// value of cell R[A] = R[B]
    SetCell = 0,
    /// R[A] = global Bx; E0008 if it was never assigned
    GetGlobal = 0,
    /// global Bx = R[A]
    SetGlobal = 0,

    // ---- strings ----
    /// R[A] = R[B] + R[C] (rope concatenation)
    Concat = 0,
    /// R[A] = byte length of R[B] (i32)
    StrLen = 0,
    /// R[A] = one-byte string at index R[C] of R[B]; out of range is E0003
    StrIndex = 0,
    /// R[A] = R[B][R[C]..R[C+1]] with both bounds clamped to 0..=len
    StrSlice = 0,

    // ---- arrays ----
    /// R[A] = new array of the C values R[B..B+C]; extra word: 1 if elements are heap
    /// references, else 0
    NewArray = 1,
    /// R[A] = array of R[C] copies of scalar R[B] (R[C] < 0 is treated as 0)
    ArrayFill = 0,
    /// R[A] = R[B][R[C]]; out of range (or negative) is E0003
    ArrayGet = 0,
    /// R[A][R[B]] = R[C]; out of range is E0003
    ArraySet = 0,
    /// R[A] = len(R[B]) (i32)
    ArrayLen = 0,
    /// push R[B] onto array R[A]
    ArrayPush = 0,
    /// R[A] = pop(R[B]); empty is E0012
    ArrayPop = 0,
    /// R[A] = R[B][R[C]..R[C+1]] with clamped bounds (a new array)
    ArraySlice = 0,

    // ---- errors ----
    /// raise a runtime error whose message is string R[A]: E0006 (panic), or E0019 (unwrap
    /// failed) when C = 1
    Panic = 0,
    /// push a handler: on a runtime error inside, unwind to this frame, store the Error
    /// object in R[A] and continue at pc + sBx. Its safepoint is the live set right after
    /// `TryBegin` runs (R[A] is not yet written); the VM never collects at the handler
    /// entry, so the Error object only needs to appear in later safepoints. Returning from
    /// the frame drops its handlers, so `Ret` inside a `try` needs no `TryEnd`.
    TryBegin = 0,
    /// pop the innermost handler of this frame
    TryEnd = 0,
    /// R[A] = field C of Error object R[B] (0 = message, 1 = code), a string
    ErrorField = 0,

    // ---- structs and enums (heap objects with fixed slots) ----
    /// R[A] = new struct object whose type is the extra word (a `TypeId` of an
    /// `RtType::Struct`), with the C field values R[B..B+C] in declaration order
    NewStruct = 1,
    /// R[A] = slot C of the struct or enum object R[B] (for an enum, slot i is payload i)
    GetField = 0,
    /// slot B of the struct object R[A] = R[C]
    SetField = 0,
    /// R[A] = new enum value: extra word = TypeId (low 16 bits, an `RtType::Enum`) | variant
    /// tag (high 16 bits); the C payload values are R[B..B+C]
    NewEnum = 1,
    /// R[A] = variant tag (as i32) of the enum object R[B]
    EnumTag = 0,

    // ---- maps (hash maps that iterate in insertion order) ----
    /// R[A] = new empty map; extra word = TypeId of its `RtType::Map`
    NewMap = 1,
    /// R[A] = R[B][R[C]]; a missing key is E0013 "key not found: <key>"
    MapGet = 0,
    /// R[A][R[B]] = R[C]; overwriting keeps the key's position, a new key goes last
    MapSet = 0,
    /// R[A] = Option value (Some(v) or None) for key R[C] in map R[B]; extra word =
    /// TypeId of the `RtType::Enum` Option<V> (tag 0 = Some with one payload, 1 = None)
    MapGetOpt = 1,
    /// R[A] = removed value of key R[C] from map R[B] as Option<V> (as `MapGetOpt`);
    /// removing and re-inserting a key moves it to the end
    MapRemove = 1,
    /// R[A] = whether map R[B] has key R[C] (bool)
    MapContains = 0,
    /// R[A] = number of entries of map R[B] (i32)
    MapLen = 0,
    /// R[A] = new array of the keys of map R[B] in insertion order (C = 1 if keys are
    /// heap references)
    MapKeys = 0,
    /// R[A] = new array of the values of map R[B] in insertion order (C = 1 if values
    /// are heap references)
    MapValues = 0,

    // ---- output ----
    /// print the B values R[A..A+B] per section 12 (with `@` formatting when the first is
    /// a string); extra word = index into `Program::print_sigs` (their TypeIds)
    Print = 1,
}

/// One decoded-or-encodable instruction word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instr(pub u32);

impl Instr {
    pub fn abc(op: Op, a: u8, b: u8, c: u8) -> Instr {
        Instr(op as u32 | (a as u32) << 8 | (b as u32) << 16 | (c as u32) << 24)
    }
    pub fn abx(op: Op, a: u8, bx: u16) -> Instr {
        Instr(op as u32 | (a as u32) << 8 | (bx as u32) << 16)
    }
    pub fn asbx(op: Op, a: u8, sbx: i16) -> Instr {
        Instr::abx(op, a, sbx as u16)
    }
    pub fn with_sj(op: Op, offset: i32) -> Instr {
        Instr(op as u32 | ((offset as u32) & 0x00FF_FFFF) << 8)
    }

    #[inline(always)]
    pub fn op_byte(self) -> u8 {
        self.0 as u8
    }
    pub fn op(self) -> Option<Op> {
        Op::from_u8(self.op_byte())
    }
    #[inline(always)]
    pub fn a(self) -> usize {
        (self.0 >> 8) as u8 as usize
    }
    #[inline(always)]
    pub fn b(self) -> usize {
        (self.0 >> 16) as u8 as usize
    }
    #[inline(always)]
    pub fn c(self) -> usize {
        (self.0 >> 24) as u8 as usize
    }
    #[inline(always)]
    pub fn sc(self) -> i64 {
        (self.0 >> 24) as u8 as i8 as i64
    }
    #[inline(always)]
    pub fn bx(self) -> usize {
        (self.0 >> 16) as usize
    }
    #[inline(always)]
    pub fn sbx(self) -> isize {
        (self.0 >> 16) as u16 as i16 as isize
    }
    #[inline(always)]
    pub fn sj(self) -> isize {
        ((self.0 as i32) >> 8) as isize
    }
}

/// Largest forward/backward distance a `JmpIf`/`JmpIfNot`/`ForPrep*`/`ForLoop` can encode.
pub const MAX_SBX: i32 = i16::MAX as i32;
/// Largest distance a `Jmp` can encode.
pub const MAX_SJ: i32 = (1 << 23) - 1;

impl Op {
    /// Instructions after which the collector may run. Codegen records a safepoint (the set
    /// of registers holding live references *after* the instruction) for each of them, and
    /// for every call instruction (the references live *across* the call).
    pub fn may_allocate(self) -> bool {
        matches!(
            self,
            Op::ToStr
                | Op::NewMap
                | Op::MapSet
                | Op::MapGetOpt
                | Op::MapRemove
                | Op::MapKeys
                | Op::MapValues
                | Op::NewStruct
                | Op::NewEnum
                | Op::NewRange
                | Op::CallN
                | Op::CallHost
                | Op::Closure
                | Op::NewCell
                | Op::Concat
                | Op::StrIndex
                | Op::StrSlice
                | Op::NewArray
                | Op::ArrayFill
                | Op::ArrayPush
                | Op::ArraySlice
                | Op::TryBegin
                | Op::Print
        )
    }

    /// Fused compare-and-branch instructions: their extra word is a jump offset.
    pub fn is_cond_jump(self) -> bool {
        matches!(
            self,
            Op::JEq
                | Op::JLtS
                | Op::JLeS
                | Op::JLtU
                | Op::JLeU
                | Op::JEqF
                | Op::JLtF
                | Op::JLeF
                | Op::JEqStr
                | Op::JLtStr
                | Op::JLeStr
                | Op::JEqI
                | Op::JNeI
                | Op::JLtI
                | Op::JLeI
                | Op::JGtI
                | Op::JGeI
        )
    }

    pub fn is_call(self) -> bool {
        matches!(self, Op::Call | Op::CallK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_fields() {
        let i = Instr::abc(Op::AddI32, 1, 2, 255);
        assert_eq!((i.op(), i.a(), i.b(), i.c()), (Some(Op::AddI32), 1, 2, 255));
        assert_eq!(Instr::asbx(Op::JmpIf, 3, -5).sbx(), -5);
        assert_eq!(Instr::with_sj(Op::Jmp, -70000).sj(), -70000);
        assert_eq!(Instr::abc(Op::AddII32, 0, 0, (-3i8) as u8).sc(), -3);
        assert!(Op::ALL.len() < 256);
    }
}
