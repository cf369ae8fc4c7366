//! Struct and enum objects: allocation and slot access. A struct's slots are its fields in
//! declaration order; an enum's slots are the payload values of its variant. Slot indices
//! come from the compiler and are checked here (a bad one is an internal error).

use super::object::{EnumObj, Obj, Slots, StructObj};
use super::{bad_handle, Heap, HeapResult};
use crate::bytecode::chunk::TypeId;
use crate::diag::codes;
use crate::vm::error::RuntimeError;

#[cold]
#[inline(never)]
fn bad_slot(h: u64, i: usize) -> RuntimeError {
    RuntimeError::new(codes::INTERNAL, format!("internal error: object {h:#x} has no slot {i}"))
}

impl Heap {
    pub fn alloc_struct(&mut self, ty: TypeId, fields: Box<[u64]>) -> u64 {
        self.alloc_struct_from(ty, &fields)
    }

    pub fn alloc_enum(&mut self, ty: TypeId, tag: u16, payload: Box<[u64]>) -> u64 {
        self.alloc_enum_from(ty, tag, &payload)
    }

    /// A struct object with a copy of `fields` (inline when they are few).
    #[inline]
    pub fn alloc_struct_from(&mut self, ty: TypeId, fields: &[u64]) -> u64 {
        self.alloc(Obj::Struct(StructObj { ty, fields: Slots::from_slice(fields) }))
    }

    /// An enum object with a copy of `payload` (inline when it is short).
    #[inline]
    pub fn alloc_enum_from(&mut self, ty: TypeId, tag: u16, payload: &[u64]) -> u64 {
        self.alloc(Obj::Enum(EnumObj { ty, tag, payload: Slots::from_slice(payload) }))
    }

    #[inline(always)]
    pub fn struct_obj(&self, h: u64) -> HeapResult<&StructObj> {
        match self.get(h) {
            Some(Obj::Struct(s)) => Ok(s),
            _ => Err(bad_handle(h, "struct")),
        }
    }

    #[inline(always)]
    pub fn enum_obj(&self, h: u64) -> HeapResult<&EnumObj> {
        match self.get(h) {
            Some(Obj::Enum(e)) => Ok(e),
            _ => Err(bad_handle(h, "enum")),
        }
    }

    /// Slot `i` of a struct (field `i`) or an enum (payload value `i`).
    #[inline(always)]
    pub fn slot(&self, h: u64, i: usize) -> HeapResult<u64> {
        let slots = match self.get(h) {
            Some(Obj::Struct(s)) => &s.fields,
            Some(Obj::Enum(e)) => &e.payload,
            _ => return Err(bad_handle(h, "struct or enum")),
        };
        slots.get(i).copied().ok_or_else(|| bad_slot(h, i))
    }

    /// Field `i` of struct `h` = `v` (enums are immutable).
    #[inline(always)]
    pub fn set_field(&mut self, h: u64, i: usize, v: u64) -> HeapResult<()> {
        match self.get_mut(h) {
            Some(Obj::Struct(s)) => match s.fields.get_mut(i) {
                Some(slot) => {
                    *slot = v;
                    Ok(())
                }
                None => Err(bad_slot(h, i)),
            },
            _ => Err(bad_handle(h, "struct")),
        }
    }

    #[inline(always)]
    pub fn enum_tag(&self, h: u64) -> HeapResult<u16> {
        Ok(self.enum_obj(h)?.tag)
    }
}
