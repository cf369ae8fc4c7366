//! Map objects: hash maps that iterate in insertion order. Entries (key, value, hash) live
//! in a vector in insertion order; a `hashbrown::HashTable` of entry indices finds them.
//! Overwriting a key updates its entry in place (it keeps its position); removing one turns
//! its entry into a tombstone (out of the table), so a re-inserted key goes to the end.
//! Tombstones at the end are dropped at once; when more than half of the entries are
//! tombstones the vector is compacted and the table rebuilt from the stored hashes
//! (amortized O(1) per removal, and no key is ever re-hashed).
//!
//! Hashes are 32 bits (`key.rs`); the table's 64-bit hash is the 32 bits twice (hashbrown
//! takes the bucket from the low bits and its 7-bit tag from the top bits). The table holds
//! only 4-byte indices: keeping the hash beside each index would spare reading the entries
//! when the table grows, but doubles the table, and lookups in a large map (bound by cache
//! misses on the table) measured about twice as slow.
//!
//! Keys hash and compare by their static type (`key.rs`). A lookup hashes the key first
//! (with `&mut Heap`, flattening strings), then probes the table reading the heap only, so
//! the map object and the keys it compares can be borrowed together.

use hashbrown::hash_table::Entry as TableEntry;
use hashbrown::HashTable;

use super::key::{bits_key_hash, KeyKind};
use super::object::Obj;
use super::{bad_handle, out_of_memory, Heap, HeapResult};
use crate::bytecode::chunk::{RtType, TypeId};
use crate::diag::codes;
use crate::vm::error::RuntimeError;

/// What a map of one `RtType::Map` needs at run time, computed once per program.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapInfo {
    pub key: TypeId,
    pub value: TypeId,
    pub kind: KeyKind,
    pub key_ref: bool,
    pub value_ref: bool,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u64,
    value: u64,
    hash: u32,
    /// False for a tombstone (a removed entry).
    live: bool,
}

/// The 64-bit hash hashbrown sees for a 32-bit key hash.
#[inline(always)]
fn wide(h: u32) -> u64 {
    (h as u64) << 32 | h as u64
}

/// The table hash of entry `i` (for rehashing when the table grows).
#[inline(always)]
fn rehash(entries: &[Entry], i: u32) -> u64 {
    entries.get(i as usize).map_or(0, |e| wide(e.hash))
}

/// Tombstones tolerated before compaction is considered.
const MIN_DEAD: usize = 8;
/// Estimated bytes per slot of the index table (an index, a control byte, slack).
const TABLE_SLOT_BYTES: usize = 6;

#[derive(Debug)]
pub struct MapObj {
    /// The map's `RtType::Map`.
    pub ty: TypeId,
    pub info: MapInfo,
    entries: Vec<Entry>,
    /// The index of each live entry.
    table: HashTable<u32>,
    /// Tombstones in `entries`.
    dead: usize,
}

impl MapObj {
    pub fn new(ty: TypeId, info: MapInfo) -> MapObj {
        MapObj { ty, info, entries: Vec::new(), table: HashTable::new(), dead: 0 }
    }

    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// (hash, key, value) of the live entries in insertion order.
    pub fn entries(&self) -> impl Iterator<Item = (u32, u64, u64)> + '_ {
        self.entries.iter().filter(|e| e.live).map(|e| (e.hash, e.key, e.value))
    }

    pub fn keys(&self) -> Vec<u64> {
        self.entries().map(|e| e.1).collect()
    }

    pub fn values(&self) -> Vec<u64> {
        self.entries().map(|e| e.2).collect()
    }

    /// Keys and values alternating, in insertion order.
    pub fn pairs(&self) -> Vec<u64> {
        self.entries().flat_map(|e| [e.1, e.2]).collect()
    }

    /// Bytes owned outside the object's slot.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<MapObj>()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.table.capacity() * TABLE_SLOT_BYTES
    }

    /// Whether adding an entry reallocates the entry vector (roughly doubling the map).
    fn full(&self) -> bool {
        self.entries.len() == self.entries.capacity()
    }

    /// Calls `f` with every heap reference among the live keys and values.
    pub fn for_each_ref(&self, mut f: impl FnMut(u64)) {
        let (k, v) = (self.info.key_ref, self.info.value_ref);
        if !k && !v {
            return;
        }
        for e in self.entries.iter().filter(|e| e.live) {
            if k {
                f(e.key);
            }
            if v {
                f(e.value);
            }
        }
    }

    /// The index of the entry of `key`, whose hash is `hash`.
    #[inline]
    pub fn find(&self, heap: &Heap, types: &[RtType], hash: u32, key: u64) -> Option<usize> {
        let (entries, kind) = (&self.entries, self.info.kind);
        let eq = |i: &u32| {
            entries.get(*i as usize).is_some_and(|e| {
                e.key == key || kind != KeyKind::Bits && e.hash == hash && heap.key_eq(types, kind, e.key, key)
            })
        };
        self.table.find(wide(hash), eq).map(|i| *i as usize)
    }

    /// The value of entry `i` (an index `find` returned).
    pub fn value_at(&self, i: usize) -> Option<u64> {
        self.entries.get(i).map(|e| e.value)
    }

    fn set_value(&mut self, i: usize, value: u64) {
        if let Some(e) = self.entries.get_mut(i) {
            e.value = value;
        }
    }

    /// Appends a new entry (the key must be absent).
    fn insert_new(&mut self, hash: u32, key: u64, value: u64) -> HeapResult<()> {
        let idx = self.next_index()?;
        let MapObj { entries, table, .. } = self;
        entries.push(Entry { key, value, hash, live: true });
        table.insert_unique(wide(hash), idx, |i| rehash(entries, *i));
        Ok(())
    }

    /// Insert or overwrite in one probe, for keys compared by bits.
    fn set_bits(&mut self, hash: u32, key: u64, value: u64) -> HeapResult<()> {
        let idx = self.next_index()?;
        let MapObj { entries, table, .. } = self;
        let eq = |i: &u32| entries.get(*i as usize).is_some_and(|e| e.key == key);
        match table.entry(wide(hash), eq, |i| rehash(entries, *i)) {
            TableEntry::Occupied(o) => {
                if let Some(e) = entries.get_mut(*o.get() as usize) {
                    e.value = value;
                }
            }
            TableEntry::Vacant(v) => {
                v.insert(idx);
                entries.push(Entry { key, value, hash, live: true });
            }
        }
        Ok(())
    }

    fn next_index(&self) -> HeapResult<u32> {
        u32::try_from(self.entries.len()).map_err(|_| out_of_memory())
    }

    /// Removes entry `i` (an index `find` returned); returns its value.
    fn remove_at(&mut self, i: usize) -> Option<u64> {
        let e = self.entries.get_mut(i)?;
        let slot = self.table.find_entry(wide(e.hash), |j| *j as usize == i).ok()?;
        slot.remove();
        let value = e.value;
        *e = Entry { key: 0, value: 0, hash: 0, live: false };
        self.dead += 1;
        while self.entries.last().is_some_and(|e| !e.live) {
            self.entries.pop();
            self.dead -= 1;
        }
        if self.dead > MIN_DEAD && self.dead > self.table.len() {
            self.compact();
        }
        Some(value)
    }

    /// Drops the tombstones and rebuilds the index table from the stored hashes.
    fn compact(&mut self) {
        self.entries.retain(|e| e.live);
        self.dead = 0;
        let MapObj { entries, table, .. } = self;
        table.clear();
        for (i, e) in entries.iter().enumerate() {
            table.insert_unique(wide(e.hash), i as u32, |j| rehash(entries, *j));
        }
    }
}

impl Heap {
    /// A new empty map of type `ty` (an `RtType::Map` of the program).
    pub fn alloc_map(&mut self, ty: TypeId) -> HeapResult<u64> {
        let info = self.layouts.map_info(ty).ok_or_else(|| {
            RuntimeError::new(codes::INTERNAL, format!("internal error: type {ty} is not a map type"))
        })?;
        Ok(self.alloc(Obj::Map(Box::new(MapObj::new(ty, info)))))
    }

    pub fn map(&self, h: u64) -> HeapResult<&MapObj> {
        match self.get(h) {
            Some(Obj::Map(m)) => Ok(m),
            _ => Err(bad_handle(h, "map")),
        }
    }

    fn map_mut(&mut self, h: u64) -> HeapResult<&mut MapObj> {
        match self.get_mut(h) {
            Some(Obj::Map(m)) => Ok(m),
            _ => Err(bad_handle(h, "map")),
        }
    }

    /// The hash of `key` and the index of its entry in map `m`, if present.
    fn map_lookup(&mut self, types: &[RtType], m: u64, key: u64) -> HeapResult<(u32, Option<usize>)> {
        let kind = self.map(m)?.info.kind;
        let hash = self.key_hash(types, kind, key)?;
        let map = self.map(m)?;
        Ok((hash, map.find(self, types, hash, key)))
    }

    /// The value of `key` in map `m`.
    #[inline]
    pub fn map_get(&mut self, types: &[RtType], m: u64, key: u64) -> HeapResult<Option<u64>> {
        let map = self.map(m)?;
        if map.info.kind == KeyKind::Bits {
            let hash = bits_key_hash(key);
            return Ok(map.find(self, types, hash, key).and_then(|i| map.value_at(i)));
        }
        let (_, i) = self.map_lookup(types, m, key)?;
        Ok(i.and_then(|i| self.map(m).ok()?.value_at(i)))
    }

    /// `m[key] = value`: overwrites in place, or appends a new entry (accounting growth).
    pub fn map_set(&mut self, types: &[RtType], m: u64, key: u64, value: u64) -> HeapResult<()> {
        let kind = self.map(m)?.info.kind;
        let (hash, found) = match kind {
            KeyKind::Bits => (bits_key_hash(key), None),
            _ => self.map_lookup(types, m, key)?,
        };
        let map = self.map(m)?;
        if map.full() && map.bytes().saturating_mul(2) > self.max_object() {
            // A new key would double the map past the object limit.
            let present = found.is_some() || (kind == KeyKind::Bits && map.find(self, types, hash, key).is_some());
            if !present {
                return Err(self.oom());
            }
        }
        let map = self.map_mut(m)?;
        let before = map.bytes();
        match (kind, found) {
            (KeyKind::Bits, _) => map.set_bits(hash, key, value)?,
            (_, Some(i)) => map.set_value(i, value),
            (_, None) => map.insert_new(hash, key, value)?,
        }
        let grown = map.bytes().saturating_sub(before);
        self.account(grown);
        Ok(())
    }

    /// Removes `key` from map `m`; returns its value if it was present.
    pub fn map_remove(&mut self, types: &[RtType], m: u64, key: u64) -> HeapResult<Option<u64>> {
        match self.map_lookup(types, m, key)? {
            (_, Some(i)) => Ok(self.map_mut(m)?.remove_at(i)),
            (_, None) => Ok(None),
        }
    }
}
