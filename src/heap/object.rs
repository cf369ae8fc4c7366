//! Heap object layouts. A register holding a heap value holds the object's handle (its slot
//! index in the heap). Objects know which of their fields are references, so the collector
//! traces them precisely: arrays, closures and cells carry flags; struct and enum objects
//! carry their `TypeId` (and tag), whose reference masks are in `layout::Layouts`; map
//! objects (`map.rs`) carry whether their keys and values are references.
//! No object owns another object (children are handles), so freeing never recurses.

use super::layout::Layouts;
use super::map::MapObj;
use crate::bytecode::chunk::TypeId;

/// Handle stored in free-list links and "no object" fields.
pub const NONE: u32 = u32::MAX;

/// Immutable string node (see `rope.rs`).
#[derive(Debug)]
pub enum StrObj {
    /// A flat string owning its bytes.
    Leaf(Box<[u8]>),
    /// A flat string: the first `len` bytes of the growable `Buf` object `buf`. Bytes below
    /// any view's length never change, so views of one buffer may share it.
    View { buf: u32, len: usize },
    /// Concatenation of two strings.
    Concat { left: u32, right: u32, len: usize, depth: u32 },
}

#[derive(Debug)]
pub struct ArrayObj {
    pub items: Vec<u64>,
    /// Whether the elements are heap references (scalar arrays are unboxed and not traced).
    pub refs: bool,
}

#[derive(Debug)]
pub struct ClosureObj {
    pub func: u32,
    pub caps: Box<[u64]>,
    /// Per capture: whether it is a heap reference.
    pub ref_caps: Box<[bool]>,
}

#[derive(Debug, Clone, Copy)]
pub struct RangeObj {
    pub start: u64,
    pub end: u64,
    pub step: u64,
    pub inclusive: bool,
    /// Element type (an integer type), for display.
    pub elem: TypeId,
}

/// A struct value: its type (an `RtType::Struct`) and its field values in declaration order.
#[derive(Debug)]
pub struct StructObj {
    pub ty: TypeId,
    pub fields: Box<[u64]>,
}

/// An enum value: its type (an `RtType::Enum`), variant tag and payload values. Immutable.
#[derive(Debug)]
pub struct EnumObj {
    pub ty: TypeId,
    pub tag: u16,
    pub payload: Box<[u64]>,
}

#[derive(Debug)]
pub enum Obj {
    /// A free slot: link to the next free slot or `NONE`.
    Free(u32),
    Str(StrObj),
    /// Growable byte buffer shared by `StrObj::View` strings (never a value itself).
    Buf(Vec<u8>),
    Array(ArrayObj),
    Closure(ClosureObj),
    Cell {
        value: u64,
        is_ref: bool,
    },
    Range(RangeObj),
    /// A caught runtime error: handles of its message and code strings.
    Error {
        message: u64,
        code: u64,
    },
    Struct(StructObj),
    Enum(EnumObj),
    /// Boxed: a map is larger than the other objects.
    Map(Box<MapObj>),
}

/// Fixed accounting cost of one object (its slot and mark bit).
pub const SLOT_BYTES: usize = std::mem::size_of::<Obj>() + 1;

impl Obj {
    /// Bytes this object accounts for in the allocation counters.
    pub fn size(&self) -> usize {
        SLOT_BYTES
            + match self {
                Obj::Str(StrObj::Leaf(b)) => b.len(),
                Obj::Buf(v) => v.capacity(),
                Obj::Array(a) => a.items.capacity() * 8,
                Obj::Closure(c) => c.caps.len() * 9,
                Obj::Struct(s) => s.fields.len() * 8,
                Obj::Enum(e) => e.payload.len() * 8,
                Obj::Map(m) => m.bytes(),
                _ => 0,
            }
    }

    /// Calls `f` with every heap reference this object holds (`layouts` describes the
    /// slots of struct and enum objects).
    pub fn for_each_ref(&self, layouts: &Layouts, mut f: impl FnMut(u64)) {
        match self {
            Obj::Str(StrObj::View { buf, .. }) => f(*buf as u64),
            Obj::Str(StrObj::Concat { left, right, .. }) => {
                f(*left as u64);
                f(*right as u64);
            }
            Obj::Array(a) if a.refs => a.items.iter().for_each(|v| f(*v)),
            Obj::Closure(c) => {
                for (v, r) in c.caps.iter().zip(c.ref_caps.iter()) {
                    if *r {
                        f(*v);
                    }
                }
            }
            Obj::Cell { value, is_ref: true } => f(*value),
            Obj::Error { message, code } => {
                f(*message);
                f(*code);
            }
            Obj::Struct(s) => layouts.for_each_ref(s.ty, 0, &s.fields, f),
            Obj::Enum(e) => layouts.for_each_ref(e.ty, e.tag, &e.payload, f),
            Obj::Map(m) => m.for_each_ref(f),
            _ => {}
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Obj::Free(_) => "free slot",
            Obj::Str(_) => "string",
            Obj::Buf(_) => "buffer",
            Obj::Array(_) => "array",
            Obj::Closure(_) => "closure",
            Obj::Cell { .. } => "cell",
            Obj::Range(_) => "range",
            Obj::Error { .. } => "error",
            Obj::Struct(_) => "struct",
            Obj::Enum(_) => "enum",
            Obj::Map(_) => "map",
        }
    }
}
