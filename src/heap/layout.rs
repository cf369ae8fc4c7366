//! Reference masks of struct and enum objects, and what maps need (`MapInfo`: key kind,
//! which of keys and values are references), computed once per program from its runtime
//! type table. A struct or enum object carries only its `TypeId` (and tag); the collector
//! looks up here which of its slots hold heap references, so it traces exactly those.

use super::key::KeyKind;
use super::map::MapInfo;
use crate::bytecode::chunk::{RtType, TypeId};

/// Which slots of one struct type, or of each variant of one enum type, are references.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Mask {
    /// Not a struct or enum type (no objects of it carry slots).
    #[default]
    None,
    Struct(Box<[bool]>),
    /// Indexed by variant tag.
    Enum(Box<[Box<[bool]>]>),
    Map(MapInfo),
}

/// Reference masks indexed by `TypeId`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layouts {
    masks: Vec<Mask>,
}

impl Layouts {
    /// Masks for every struct and enum type of `types`. A slot whose type index is out of
    /// range (a malformed table) counts as a reference: marking ignores values that are
    /// not live handles, so over-approximating can only retain, never lose, an object.
    pub fn new(types: &[RtType]) -> Layouts {
        let is_ref = |t: &TypeId| types.get(*t as usize).is_none_or(RtType::is_ref);
        let masks = types
            .iter()
            .map(|t| match t {
                RtType::Struct { fields, .. } => Mask::Struct(fields.iter().map(|(_, t)| is_ref(t)).collect()),
                RtType::Enum { variants, .. } => {
                    Mask::Enum(variants.iter().map(|(_, ps)| ps.iter().map(is_ref).collect()).collect())
                }
                RtType::Map { key, value } => Mask::Map(MapInfo {
                    key: *key,
                    value: *value,
                    kind: KeyKind::of(types, *key),
                    key_ref: is_ref(key),
                    value_ref: is_ref(value),
                }),
                _ => Mask::None,
            })
            .collect();
        Layouts { masks }
    }

    /// The reference mask of the slots of an object of type `ty` (variant `tag` for an
    /// enum), or `None` when the table does not describe it (then every slot is traced).
    pub fn slots(&self, ty: TypeId, tag: u16) -> Option<&[bool]> {
        match self.masks.get(ty as usize)? {
            Mask::Struct(m) => Some(m),
            Mask::Enum(vs) => vs.get(tag as usize).map(|m| &**m),
            Mask::None | Mask::Map(_) => None,
        }
    }

    /// What maps of type `ty` need, if `ty` is a map type.
    pub fn map_info(&self, ty: TypeId) -> Option<MapInfo> {
        match self.masks.get(ty as usize)? {
            Mask::Map(info) => Some(*info),
            _ => None,
        }
    }

    /// Calls `f` with each slot value that is a heap reference.
    #[inline]
    pub fn for_each_ref(&self, ty: TypeId, tag: u16, slots: &[u64], mut f: impl FnMut(u64)) {
        match self.slots(ty, tag) {
            Some(mask) => slots.iter().zip(mask).filter(|(_, r)| **r).for_each(|(v, _)| f(*v)),
            None => slots.iter().for_each(|v| f(*v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_field_types() {
        let types = vec![
            RtType::I32,
            RtType::Str,
            RtType::Struct { name: "P".into(), fields: vec![("x".into(), 0), ("s".into(), 1), ("bad".into(), 99)] },
            RtType::Enum { name: "E".into(), variants: vec![("A".into(), vec![1, 0]), ("B".into(), vec![])] },
        ];
        let l = Layouts::new(&types);
        assert_eq!(l.slots(2, 0), Some(&[false, true, true][..]));
        assert_eq!(l.slots(3, 0), Some(&[true, false][..]));
        assert_eq!(l.slots(3, 1), Some(&[][..]));
        assert_eq!(l.slots(3, 2), None);
        assert_eq!(l.slots(0, 0), None);
        let mut seen = Vec::new();
        l.for_each_ref(2, 0, &[10, 11, 12], |v| seen.push(v));
        assert_eq!(seen, [11, 12]);
        seen.clear();
        l.for_each_ref(7, 0, &[1, 2], |v| seen.push(v));
        assert_eq!(seen, [1, 2]);
    }
}
