//! Constraint classes (`Numeric`, `Integer`, `Comparable`, `Equatable`, `Hashable`, and the
//! internal ones behind `+`, unary `-`, `len`, `int`/`float`). Each class is the set of type
//! kinds it admits, so a variable's classes intersect to the kinds it may still become.

use super::ty::Ty;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Numeric,
    Integer,
    Comparable,
    Equatable,
    Hashable,
    /// `+`: numbers and strings.
    Addable,
    /// Unary `-`: signed integers and f64.
    Signed,
    /// `len`: strings and arrays.
    Sized,
    /// `int(x)` / `float(x)`: numbers and strings.
    Convertible,
}

const ALL_CLASSES: [Class; 9] = [
    Class::Numeric,
    Class::Integer,
    Class::Comparable,
    Class::Equatable,
    Class::Hashable,
    Class::Addable,
    Class::Signed,
    Class::Sized,
    Class::Convertible,
];

// Kind bits.
pub const K_I32: u16 = 1;
pub const K_I64: u16 = 2;
pub const K_U32: u16 = 4;
pub const K_U64: u16 = 8;
pub const K_F64: u16 = 16;
pub const K_STR: u16 = 32;
pub const K_BOOL: u16 = 64;
pub const K_ARRAY: u16 = 128;
pub const K_FUNC: u16 = 256;
pub const K_OTHER: u16 = 512;
pub const K_ADT: u16 = 1024;
pub const K_MAP: u16 = 2048;
const K_INTS: u16 = K_I32 | K_I64 | K_U32 | K_U64;
const K_NUM: u16 = K_INTS | K_F64;
const K_ALL: u16 = 4095;

impl Class {
    pub fn allowed_kinds(self) -> u16 {
        match self {
            Class::Numeric => K_NUM,
            Class::Integer => K_INTS,
            Class::Comparable => K_NUM | K_STR,
            Class::Equatable => K_ALL & !K_FUNC,
            Class::Hashable => K_INTS | K_BOOL | K_STR | K_ADT,
            Class::Addable => K_NUM | K_STR,
            Class::Signed => K_I32 | K_I64 | K_F64,
            Class::Sized => K_STR | K_ARRAY | K_MAP,
            Class::Convertible => K_NUM | K_STR,
        }
    }

    /// How the class is named in diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            Class::Numeric => "Numeric",
            Class::Integer => "Integer",
            Class::Comparable => "Comparable",
            Class::Equatable => "Equatable",
            Class::Hashable => "Hashable",
            Class::Addable => "Numeric or string (required by `+`)",
            Class::Signed => "signed Numeric (required by unary `-`)",
            Class::Sized => "string, array or map (required by `len`)",
            Class::Convertible => "Numeric or string",
        }
    }

    pub fn from_name(name: &str) -> Option<Class> {
        Some(match name {
            "Numeric" => Class::Numeric,
            "Integer" => Class::Integer,
            "Comparable" => Class::Comparable,
            "Equatable" => Class::Equatable,
            "Hashable" => Class::Hashable,
            _ => return None,
        })
    }

    fn bit(self) -> u16 {
        1 << (ALL_CLASSES.iter().position(|c| *c == self).unwrap_or(0) as u16)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassSet(u16);

impl ClassSet {
    pub fn of(c: Class) -> ClassSet {
        ClassSet(c.bit())
    }
    pub fn with(self, c: Class) -> ClassSet {
        ClassSet(self.0 | c.bit())
    }
    pub fn union(self, other: ClassSet) -> ClassSet {
        ClassSet(self.0 | other.0)
    }
    pub fn contains(self, c: Class) -> bool {
        self.0 & c.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Class> {
        ALL_CLASSES.into_iter().filter(move |c| self.contains(*c))
    }
    pub fn allowed_kinds(self) -> u16 {
        self.iter().fold(K_ALL, |acc, c| acc & c.allowed_kinds())
    }
}

/// The kind bit of a concrete type.
pub fn kind_of(t: &Ty) -> u16 {
    match t {
        Ty::I32 => K_I32,
        Ty::I64 => K_I64,
        Ty::U32 => K_U32,
        Ty::U64 => K_U64,
        Ty::F64 => K_F64,
        Ty::Str => K_STR,
        Ty::Bool => K_BOOL,
        Ty::Array(_) => K_ARRAY,
        Ty::Func(..) => K_FUNC,
        Ty::Adt(..) => K_ADT,
        Ty::Map(..) => K_MAP,
        _ => K_OTHER,
    }
}

/// The type a variable with these classes becomes when nothing else fixes it.
pub fn default_for(classes: ClassSet) -> Ty {
    let allowed = classes.allowed_kinds();
    for (bit, ty) in [
        (K_I32, Ty::I32),
        (K_I64, Ty::I64),
        (K_U32, Ty::U32),
        (K_U64, Ty::U64),
        (K_F64, Ty::F64),
        (K_STR, Ty::Str),
        (K_BOOL, Ty::Bool),
    ] {
        if allowed & bit != 0 {
            return ty;
        }
    }
    Ty::Void
}
