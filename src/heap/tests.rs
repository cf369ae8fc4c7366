//! Heap unit tests: allocation and reuse, collection of unreachable objects, ropes.

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
