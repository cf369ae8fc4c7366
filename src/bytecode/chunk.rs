//! A compiled program: functions (code words, line table, safepoint register maps, capture
//! lists), the constant pool, the runtime type table used for display and deep equality,
//! and the global slots. This is what codegen produces, the verifier checks, and the VM runs.

/// Index into `Program::types`.
pub type TypeId = u16;

/// Concrete (monomorphized) types as the runtime needs them: to print a value, to compare
/// two values structurally, and to know whether a slot holds a heap reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RtType {
    Void,
    Bool,
    I32,
    I64,
    U32,
    U64,
    F64,
    Str,
    Array(TypeId),
    /// A function or closure value; displays as `<fn name>`.
    Func {
        params: Vec<TypeId>,
        ret: TypeId,
    },
    /// A range value over the given integer type; displays `0..10`, `0..=5`, `0..10..2`.
    Range(TypeId),
    /// The `Error` type of `catch err`.
    Error,
    /// A struct instantiation: displays `Name { field: value, ... }` (generic structs
    /// without type arguments); `==` compares fields in order.
    Struct {
        name: String,
        fields: Vec<(String, TypeId)>,
    },
    /// An enum instantiation: variant names with their payload types, in tag order.
    /// Displays `Name.Variant` or `Name.Variant(p1, p2)` (payloads positional, strings
    /// quoted); `==` compares tags, then payloads.
    Enum {
        name: String,
        variants: Vec<(String, Vec<TypeId>)>,
    },
    /// `Map<K, V>`: keys are Hashable (integers, bool, string, and structs/enums of
    /// hashable fields, hashed and compared structurally). Displays `{"a": 1, "b": 2}`
    /// in insertion order, `{}` when empty; `==` compares entries regardless of order.
    Map {
        key: TypeId,
        value: TypeId,
    },
}

impl RtType {
    /// Whether values of this type are heap handles (traced by the collector).
    pub fn is_ref(&self) -> bool {
        !matches!(
            self,
            RtType::Void | RtType::Bool | RtType::I32 | RtType::I64 | RtType::U32 | RtType::U64 | RtType::F64
        )
    }
}

/// Where a closure's capture comes from when the `Closure` instruction runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureSource {
    /// A register of the frame executing `Closure`.
    Register(u8),
    /// A capture of the closure executing `Closure`.
    Capture(u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capture {
    pub source: CaptureSource,
    /// Whether the captured value is a heap reference (cells always are).
    pub is_ref: bool,
}

/// Registers holding live heap references at one program point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RegSet(pub [u64; 4]);

impl RegSet {
    pub fn insert(&mut self, reg: usize) {
        self.0[reg / 64] |= 1 << (reg % 64);
    }
    pub fn contains(&self, reg: usize) -> bool {
        self.0[reg / 64] & (1 << (reg % 64)) != 0
    }
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..256).filter(|r| self.contains(*r))
    }
}

/// The live-reference map at instruction `pc`: for an allocating instruction, the registers
/// holding references after it ran; for a call, the registers holding references that stay
/// live across the call (all below the call window).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Safepoint {
    pub pc: u32,
    pub refs: RegSet,
}

#[derive(Clone, Debug, Default)]
pub struct Function {
    /// Display name, including type arguments for instantiations (`max_of<i32>`).
    pub name: String,
    pub code: Vec<u32>,
    /// Source line of each code word (same length as `code`).
    pub lines: Vec<u32>,
    /// Index of the source file (for multi-module programs); 0 for the main file.
    pub file: u32,
    /// `(first pc, file)` wherever the source file changes inside the function: the entry
    /// function runs every module's top-level code. Empty for other functions.
    pub file_changes: Vec<(u32, u32)>,
    pub nparams: u16,
    /// Registers the frame uses (at most 256), parameters included.
    pub nregs: u16,
    /// Sorted by pc.
    pub safepoints: Vec<Safepoint>,
    pub captures: Vec<Capture>,
    /// Targets (absolute pcs) of each `Switch` instruction's table.
    pub jump_tables: Vec<Vec<u32>>,
}

impl Function {
    /// The source file of the code at `pc`.
    pub fn file_at(&self, pc: usize) -> u32 {
        match self.file_changes.partition_point(|(start, _)| *start as usize <= pc) {
            0 => self.file,
            i => self.file_changes.get(i - 1).map_or(self.file, |(_, f)| *f),
        }
    }

    pub fn safepoint(&self, pc: usize) -> Option<&RegSet> {
        self.safepoints
            .binary_search_by_key(&(pc as u32), |s| s.pc)
            .ok()
            .and_then(|i| self.safepoints.get(i))
            .map(|s| &s.refs)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// Raw register bits of an int, bool or f64.
    Bits(u64),
    /// A string literal; the VM allocates it once at load and keeps it rooted.
    Str(String),
}

#[derive(Clone, Debug)]
pub struct Global {
    pub name: String,
    pub is_ref: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub functions: Vec<Function>,
    pub constants: Vec<Constant>,
    pub types: Vec<RtType>,
    /// Argument types of each `Print` instruction.
    pub print_sigs: Vec<Vec<TypeId>>,
    pub globals: Vec<Global>,
    /// The function the VM starts in: it runs the module's top-level code, then `main`, and
    /// returns the process exit code as an i32.
    pub entry: u32,
    /// Names of the source files, indexed by `Function::file`.
    pub files: Vec<String>,
    /// Host functions, host globals and exported signatures (embedding API only).
    pub host: super::host::HostInfo,
}
