//! Map object unit tests: random operations against an ordered reference model (order,
//! overwrite, removal, compaction, collection), string keys given as ropes, and hashing
//! and equality of structured keys.

use super::key::KeyKind;
use super::{Heap, Layouts};
use crate::bytecode::chunk::{RtType, TypeId};

const I32: TypeId = 0;
const STR: TypeId = 1;
const MAP_I32_STR: TypeId = 2;
const MAP_STR_I32: TypeId = 3;
const P: TypeId = 4;

fn types() -> Vec<RtType> {
    vec![
        RtType::I32,
        RtType::Str,
        RtType::Map { key: I32, value: STR },
        RtType::Map { key: STR, value: I32 },
        RtType::Struct { name: "P".into(), fields: vec![("x".into(), I32), ("s".into(), STR)] },
    ]
}

fn heap(types: &[RtType]) -> Heap {
    let mut heap = Heap::new(false);
    heap.set_layouts(Layouts::new(types));
    heap
}

fn text(heap: &mut Heap, h: u64) -> String {
    String::from_utf8(heap.str_bytes(h).unwrap().to_vec()).unwrap()
}

fn next(rng: &mut u64) -> u64 {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    *rng
}

/// The map's entries as (key, value text), in order.
fn contents(heap: &mut Heap, m: u64) -> Vec<(u64, String)> {
    let pairs = heap.map(m).unwrap().pairs();
    pairs.chunks(2).map(|kv| (kv[0], text(heap, kv[1]))).collect()
}

#[test]
fn random_operations_match_an_ordered_model() {
    let types = types();
    let mut heap = heap(&types);
    let m = heap.alloc_map(MAP_I32_STR).unwrap();
    let mut model: Vec<(u64, String)> = Vec::new();
    let mut rng = 0x2545_F491_4F6C_DD1D_u64;
    for step in 0..40_000u32 {
        let r = next(&mut rng);
        let key = (r % 257) as i64 as u64 ^ if r & 1 == 0 { 0 } else { u64::MAX << 40 };
        // Alternate insert-heavy and remove-heavy phases so compaction happens.
        let remove_bias = if (step / 3000) % 2 == 0 { 2 } else { 7 };
        let at = model.iter().position(|(k, _)| *k == key);
        if (r >> 32) % 10 < remove_bias {
            let got = heap.map_remove(&types, m, key).unwrap().map(|v| text(&mut heap, v));
            assert_eq!(got, at.map(|i| model.remove(i).1), "remove at step {step}");
        } else if (r >> 32) % 10 < 9 {
            let s = format!("v{step}");
            let v = heap.alloc_str(s.as_bytes());
            heap.map_set(&types, m, key, v).unwrap();
            match at {
                Some(i) => model[i].1 = s,
                None => model.push((key, s)),
            }
        } else {
            let got = heap.map_get(&types, m, key).unwrap().map(|v| text(&mut heap, v));
            assert_eq!(got, at.map(|i| model[i].1.clone()), "get at step {step}");
        }
        assert_eq!(heap.map(m).unwrap().len(), model.len());
        if step % 997 == 0 {
            heap.collect(&[m]);
            assert_eq!(contents(&mut heap, m), model, "after collection at step {step}");
        }
    }
    assert_eq!(contents(&mut heap, m), model);
    heap.collect(&[m]);
    assert_eq!(heap.live_objects(), 1 + model.len(), "exactly the map and its live values survive");
}

#[test]
fn rope_string_keys_find_flat_ones_and_survive_collection() {
    let types = types();
    let mut heap = heap(&types);
    let m = heap.alloc_map(MAP_STR_I32).unwrap();
    let half = heap.alloc_str(&[b'k'; 70]);
    for i in 0..500u64 {
        let tail = heap.alloc_str(i.to_string().as_bytes());
        let key = heap.concat(half, tail).unwrap();
        assert!(!heap.is_flat(key), "a long concatenation is a rope");
        heap.map_set(&types, m, key, i).unwrap();
    }
    heap.collect(&[m]);
    for i in (0..500u64).rev() {
        let mut bytes = vec![b'k'; 70];
        bytes.extend_from_slice(i.to_string().as_bytes());
        let flat = heap.alloc_string(bytes);
        assert_eq!(heap.map_get(&types, m, flat).unwrap(), Some(i));
        let overwrite = heap.map_get(&types, m, flat).unwrap().map(|v| v + 1000);
        heap.map_set(&types, m, flat, overwrite.unwrap()).unwrap();
    }
    assert_eq!(heap.map(m).unwrap().len(), 500);
    let values = heap.map(m).unwrap().values();
    assert_eq!(values, (1000..1500).collect::<Vec<u64>>(), "overwrites keep insertion order");
    let keys = heap.map(m).unwrap().keys();
    assert_eq!(text(&mut heap, keys[7]), format!("{}7", "k".repeat(70)));
}

#[test]
fn string_key_equality_reads_ropes_without_flattening() {
    let types = types();
    let mut heap = heap(&types);
    let a = heap.alloc_str(&[b'a'; 40]);
    let b = heap.alloc_str(&[b'b'; 40]);
    let rope = heap.concat(a, b).unwrap();
    let mut bytes = vec![b'a'; 40];
    bytes.extend_from_slice(&[b'b'; 40]);
    let flat = heap.alloc_string(bytes.clone());
    bytes[79] = b'c';
    let other = heap.alloc_string(bytes);
    assert!(heap.key_eq(&types, KeyKind::Str, rope, flat));
    assert!(!heap.key_eq(&types, KeyKind::Str, rope, other));
    assert!(!heap.is_flat(rope));
    let (h1, h2) = (heap.key_hash(&types, KeyKind::Str, flat).unwrap(), heap.key_hash(&types, KeyKind::Str, rope));
    assert_eq!(Some(h1), h2.ok());
}

#[test]
fn struct_keys_hash_and_compare_by_content() {
    let types = types();
    let mut heap = heap(&types);
    let kind = KeyKind::of(&types, P);
    assert_eq!(kind, KeyKind::Deep(P));
    let a = heap.alloc_str(&[b'a'; 40]);
    let rope = heap.concat(a, a).unwrap();
    let flat = heap.alloc_str(&[b'a'; 80]);
    let p1 = heap.alloc_struct(P, Box::new([5, rope]));
    let p2 = heap.alloc_struct(P, Box::new([5, flat]));
    let p3 = heap.alloc_struct(P, Box::new([6, flat]));
    assert!(heap.key_eq(&types, kind, p1, p2), "compared before hashing: the rope is read in place");
    let (h1, h2, h3) = (
        heap.key_hash(&types, kind, p1).unwrap(),
        heap.key_hash(&types, kind, p2).unwrap(),
        heap.key_hash(&types, kind, p3).unwrap(),
    );
    assert_eq!(h1, h2);
    assert_ne!(h1, h3);
    assert!(heap.is_flat(rope), "hashing flattens the strings of a key");
    assert!(heap.key_eq(&types, kind, p1, p2));
    assert!(!heap.key_eq(&types, kind, p1, p3));
}

#[test]
fn bits_hashes_spread_sequential_keys() {
    // Sequential integers must not pile up in a few buckets or share tags.
    let mut buckets = vec![0u32; 1 << 12];
    let mut tags = [0u32; 128];
    for k in 0..(1u64 << 14) {
        let h = super::key::bits_key_hash(k);
        buckets[(h as usize) & ((1 << 12) - 1)] += 1;
        tags[(h >> 25) as usize] += 1;
    }
    assert!(buckets.iter().all(|n| *n <= 16), "max bucket {}", buckets.iter().max().unwrap());
    assert!(tags.iter().all(|n| (64..=192).contains(n)), "tags {tags:?}");
}
