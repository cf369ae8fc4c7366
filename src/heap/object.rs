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
    /// A flat string: the `len` bytes at logical position `start` of the `Buf` object `buf`
    /// (see `BufObj`). Bytes a view covers never change, so views of one buffer may share it.
    View { buf: u32, start: usize, len: usize },
    /// Concatenation of two strings.
    Concat { left: u32, right: u32, len: usize, depth: u32 },
}

/// A byte buffer that grows at both ends, shared by `StrObj::View` strings. Positions are
/// logical: the bytes at logical positions `lo..hi()` are stored at `data[gap..]`, and
/// `data[..gap]` is free room for prepending. Growing either end never moves a logical
/// position, so existing views stay valid. (`u32` fields keep `Obj` at its size; a buffer
/// never holds more than `MAX_ALLOC_BYTES` = 2^31 bytes.)
#[derive(Debug, Default)]
pub struct BufObj {
    pub data: Vec<u8>,
    pub gap: u32,
    pub lo: u32,
}

/// Logical position of the first byte of a new buffer: room to prepend 2^31 bytes.
pub const BUF_ORIGIN: u32 = 1 << 31;

impl BufObj {
    /// A buffer holding `bytes` at logical positions starting at `BUF_ORIGIN`.
    pub fn new(bytes: Vec<u8>) -> BufObj {
        BufObj { data: bytes, gap: 0, lo: BUF_ORIGIN }
    }

    /// Bytes in use.
    pub fn used(&self) -> usize {
        self.data.len().saturating_sub(self.gap as usize)
    }

    /// One past the last logical position in use.
    pub fn hi(&self) -> usize {
        self.lo as usize + self.used()
    }

    /// The bytes at logical positions `start..start + len`, if inside the buffer.
    #[inline]
    pub fn slice(&self, start: usize, len: usize) -> Option<&[u8]> {
        let from = start.checked_sub(self.lo as usize)? + self.gap as usize;
        self.data.get(from..from.checked_add(len)?)
    }

    /// Physical index in `data` of logical position `pos`.
    pub fn phys(&self, pos: usize) -> Option<usize> {
        Some(pos.checked_sub(self.lo as usize)? + self.gap as usize)
    }

    /// Whether `front` more bytes fit before and `back` more after without running out of
    /// logical positions.
    pub fn can_grow(&self, front: usize, back: usize) -> bool {
        front <= self.lo as usize && self.hi().saturating_add(back) <= u32::MAX as usize
    }

    /// Makes at least `k` bytes of free room at the front: the room becomes about the size in
    /// use (so prepending is amortized O(1) per byte), but the buffer does not grow past `max`
    /// for the doubling's sake. The bytes move by reallocation and an in-place shift, so
    /// the old and new buffers are never both resident.
    pub fn reserve_front(&mut self, k: usize, max: usize) {
        let gap = self.gap as usize;
        if k <= gap {
            return;
        }
        let (len, used) = (self.data.len(), self.used());
        let spare = self.data.capacity() - len;
        let room = used.min(max.saturating_sub(used + spare)).max(k).min(u32::MAX as usize);
        let add = room - gap;
        self.data.reserve_exact(add);
        self.data.resize(len + add, 0);
        self.data.copy_within(gap..len, room);
        self.gap = room as u32;
    }

    /// Makes room for `k` more bytes at the back, doubling the capacity when it is too small
    /// (amortized O(1) per byte) but not past `max` for the doubling's sake.
    pub fn reserve_back(&mut self, k: usize, max: usize) {
        let (len, cap) = (self.data.len(), self.data.capacity());
        let need = len.saturating_add(k);
        if need > cap {
            let want = cap.saturating_mul(2).min(max).max(need);
            self.data.reserve_exact(want - len);
        }
    }
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

/// The slots of a struct or enum object: up to `INLINE_SLOTS` values are stored in the
/// object itself (no allocation of their own), more in a heap block. `Obj` is no larger
/// for it: its largest variant (a closure) is bigger.
pub type Slots = smallvec::SmallVec<[u64; INLINE_SLOTS]>;
pub const INLINE_SLOTS: usize = 3;

/// A struct value: its type (an `RtType::Struct`) and its field values in declaration order.
#[derive(Debug)]
pub struct StructObj {
    pub ty: TypeId,
    pub fields: Slots,
}

/// An enum value: its type (an `RtType::Enum`), variant tag and payload values. Immutable.
#[derive(Debug)]
pub struct EnumObj {
    pub ty: TypeId,
    pub tag: u16,
    pub payload: Slots,
}

/// Bytes of the heap block holding `slots`, if they are not inline.
#[inline]
fn slots_block(slots: &Slots) -> usize {
    if slots.spilled() {
        block(slots.len() * 8)
    } else {
        0
    }
}

#[derive(Debug)]
pub enum Obj {
    /// A free slot: link to the next free slot or `NONE`.
    Free(u32),
    Str(StrObj),
    /// Growable byte buffer shared by `StrObj::View` strings (never a value itself).
    Buf(BufObj),
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

/// Bytes an allocator block of `n` bytes occupies (a header and 16-byte rounding, at least
/// 32; nothing for an empty allocation).
#[inline]
pub fn block(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        n.saturating_add(8).next_multiple_of(16).max(32)
    }
}

/// Fixed accounting cost of one object (its slot and mark bit).
pub const SLOT_BYTES: usize = std::mem::size_of::<Obj>() + 1;

impl Obj {
    /// Bytes this object accounts for in the allocation counters: its slot, plus the
    /// memory blocks it owns (rounded as a typical allocator rounds them, so that many small
    /// objects are not undercounted against the heap limit).
    #[inline(always)]
    pub fn size(&self) -> usize {
        SLOT_BYTES
            + match self {
                Obj::Str(StrObj::Leaf(b)) => block(b.len()),
                Obj::Buf(b) => block(b.data.capacity()),
                Obj::Array(a) => block(a.items.capacity() * 8),
                Obj::Closure(c) => block(c.caps.len() * 8) + block(c.ref_caps.len()),
                Obj::Struct(s) => slots_block(&s.fields),
                Obj::Enum(e) => slots_block(&e.payload),
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

    /// Whether dropping this object frees nothing (no heap block of its own), so the
    /// collector can overwrite its slot without running the destructor.
    #[inline(always)]
    pub fn owns_nothing(&self) -> bool {
        match self {
            Obj::Struct(s) => !s.fields.spilled(),
            Obj::Enum(e) => !e.payload.spilled(),
            Obj::Free(_) | Obj::Cell { .. } | Obj::Range(_) | Obj::Error { .. } => true,
            Obj::Str(StrObj::View { .. } | StrObj::Concat { .. }) => true,
            _ => false,
        }
    }
}
