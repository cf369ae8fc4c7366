//! Heap unit tests: allocation and reuse, collection of unreachable objects, ropes, and
//! precise tracing of struct and enum objects (including a million-node list).

use super::object::{Obj, StrObj};
use super::Heap;

fn text(heap: &mut Heap, h: u64) -> String {
    String::from_utf8(heap.str_bytes(h).unwrap().to_vec()).unwrap()
}

#[test]
fn collect_frees_unreachable_and_reuses_slots() {
    let mut heap = Heap::new(false);
    let keep = heap.alloc_str(b"keep");
    let arr = heap.alloc_array(vec![keep], true);
    let lost = heap.alloc_str(b"lost");
    heap.collect(&[arr]);
    assert!(heap.get(lost).is_none());
    assert_eq!(text(&mut heap, keep), "keep");
    assert_eq!(heap.live_objects(), 2);
    let again = heap.alloc_str(b"again");
    assert_eq!(again, lost, "a freed slot is reused");
    heap.collect(&[]);
    assert_eq!(heap.live_objects(), 0);
    assert_eq!(heap.stats.collections, 2);
}

#[test]
fn scalar_arrays_are_not_traced_and_bad_roots_are_ignored() {
    let mut heap = Heap::new(false);
    let s = heap.alloc_str(b"x");
    let arr = heap.alloc_array(vec![s], false);
    heap.collect(&[arr, 12345, u64::MAX]);
    assert!(heap.get(s).is_none());
    assert!(heap.get(arr).is_some());
}

#[test]
fn deep_chain_is_marked_without_recursion() {
    let mut heap = Heap::new(false);
    let mut head = heap.alloc(Obj::Cell { value: 7, is_ref: false });
    let first = head;
    for _ in 0..1_000_000 {
        head = heap.alloc(Obj::Cell { value: head, is_ref: true });
    }
    heap.collect(&[head]);
    assert_eq!(heap.cell(first).unwrap(), 7);
    assert_eq!(heap.live_objects(), 1_000_001);
}

#[test]
fn rope_append_extends_shared_buffer_in_place() {
    let mut heap = Heap::new(false);
    let piece = heap.alloc_str(b"0123456789");
    let mut s = heap.alloc_str(b"");
    let mut snapshots = Vec::new();
    for i in 0..5000 {
        s = heap.concat(s, piece).unwrap();
        if i % 997 == 0 {
            snapshots.push((s, (i + 1) * 10));
        }
    }
    assert_eq!(heap.str_len(s).unwrap(), 50_000);
    let all = text(&mut heap, s);
    assert_eq!(all, "0123456789".repeat(5000));
    for (h, len) in snapshots {
        assert_eq!(text(&mut heap, h), "0123456789".repeat(len / 10));
    }
    // Appending different suffixes to one prefix must not disturb each other.
    let a = heap.concat(s, piece).unwrap();
    let x = heap.alloc_str(b"XYZ");
    let b = heap.concat(s, x).unwrap();
    heap.flatten(a).unwrap();
    heap.flatten(b).unwrap();
    assert!(text(&mut heap, a).ends_with("67890123456789"));
    assert!(text(&mut heap, b).ends_with("789XYZ"));
    assert_eq!(text(&mut heap, s).len(), 50_000);
    // s + s reads the same buffer twice.
    let d = heap.concat(s, s).unwrap();
    assert_eq!(text(&mut heap, d), "0123456789".repeat(10_000));
}

#[test]
fn views_survive_collection() {
    let mut heap = Heap::new(true);
    let piece = heap.alloc_str(&[b'z'; 100]);
    let mut s = piece;
    for _ in 0..200 {
        s = heap.concat(s, piece).unwrap();
    }
    heap.flatten(s).unwrap();
    assert!(matches!(heap.get(s), Some(Obj::Str(StrObj::View { .. }))));
    heap.collect(&[s]);
    assert_eq!(text(&mut heap, s), "z".repeat(20_100));
    assert_eq!(heap.live_objects(), 2, "the view and its buffer");
}

/// Types for the struct/enum tests: `Node { v: i32, next: Option<Node> }`.
fn list_types() -> Vec<crate::bytecode::chunk::RtType> {
    use crate::bytecode::chunk::RtType;
    vec![
        RtType::I32,
        RtType::Str,
        RtType::Struct { name: "Node".into(), fields: vec![("v".into(), 0), ("next".into(), 3)] },
        RtType::Enum { name: "Option".into(), variants: vec![("Some".into(), vec![2]), ("None".into(), vec![])] },
        RtType::Struct { name: "Named".into(), fields: vec![("id".into(), 0), ("name".into(), 1)] },
    ]
}

#[test]
fn struct_slots_are_traced_by_their_types() {
    let mut heap = Heap::new(false);
    heap.set_layouts(super::Layouts::new(&list_types()));
    let name = heap.alloc_str(b"name");
    let decoy = heap.alloc_str(b"decoy");
    // `id` is an i32 that happens to equal a live handle: it must not retain it.
    let s = heap.alloc_struct(4, vec![decoy, name].into());
    let none = heap.alloc_enum(3, 1, Box::new([]));
    let node = heap.alloc_struct(2, vec![name, none].into());
    let some = heap.alloc_enum(3, 0, vec![node].into());
    heap.collect(&[s, some]);
    assert!(heap.get(decoy).is_none(), "a scalar field was traced");
    assert!(heap.get(name).is_some() && heap.get(none).is_some() && heap.get(node).is_some());
    assert_eq!(heap.slot(some, 0).unwrap(), node);
    assert_eq!(heap.slot(s, 1).unwrap(), name);
    assert!(heap.slot(s, 2).is_err() && heap.slot(name, 0).is_err());
    heap.set_field(node, 0, 7).unwrap();
    assert_eq!(heap.slot(node, 0).unwrap(), 7);
    assert!(heap.set_field(some, 0, 1).is_err(), "enums are immutable");
    assert_eq!((heap.enum_tag(some).unwrap(), heap.enum_tag(none).unwrap()), (0, 1));
    // up to INLINE_SLOTS fields live in the slot itself; more take a block of their own
    let before = heap.stats.allocated_bytes;
    heap.alloc_struct(4, vec![1, name].into());
    assert_eq!(heap.stats.allocated_bytes - before, super::object::SLOT_BYTES as u64);
    let before = heap.stats.allocated_bytes;
    heap.alloc_struct(5, vec![1, 2, 3, 4].into());
    assert_eq!(heap.stats.allocated_bytes - before, (super::object::SLOT_BYTES + 48) as u64);
}

#[test]
fn million_node_list_is_marked_and_freed_without_recursion() {
    let mut heap = Heap::new(false);
    heap.set_layouts(super::Layouts::new(&list_types()));
    let mut list = heap.alloc_enum(3, 1, Box::new([]));
    for i in 0..1_000_000u64 {
        let node = heap.alloc_struct(2, vec![i, list].into());
        list = heap.alloc_enum(3, 0, vec![node].into());
    }
    heap.collect(&[list]);
    assert_eq!(heap.live_objects(), 2_000_001);
    let mut n = 0;
    let mut cur = list;
    while heap.enum_tag(cur).unwrap() == 0 {
        let node = heap.slot(cur, 0).unwrap();
        assert_eq!(heap.slot(node, 0).unwrap(), 999_999 - n);
        cur = heap.slot(node, 1).unwrap();
        n += 1;
    }
    assert_eq!(n, 1_000_000);
    heap.collect(&[]);
    assert_eq!(heap.live_objects(), 0);
    assert_eq!(heap.stats.freed_objects, 2_000_001);
}
