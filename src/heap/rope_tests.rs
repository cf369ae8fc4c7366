//! Rope tests: append, prepend and both-sided loops copy O(total bytes) (counted exactly
//! with `Heap::copied`, and timed at n and 4n), views stay valid while their buffer grows at
//! either end, and strings longer than the heap limit are refused.

use std::time::{Duration, Instant};

use super::object::{Obj, StrObj};
use super::Heap;
use crate::diag::codes;

fn text(heap: &mut Heap, h: u64) -> String {
    String::from_utf8(heap.str_bytes(h).unwrap().to_vec()).unwrap()
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Append,
    Prepend,
    /// `s = a + s + b`
    Both,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Append => "append",
            Shape::Prepend => "prepend",
            Shape::Both => "both sides",
        }
    }
}

/// Builds a string from `n` 8-byte pieces in the given shape, reading one byte every
/// `read_every` steps (0: never), and returns (bytes copied by flattening, time taken).
fn build(shape: Shape, n: usize, read_every: usize) -> (u64, Duration) {
    let mut heap = Heap::new(false);
    let a = heap.alloc_str(b"abcdefgh");
    let b = heap.alloc_str(b"ABCDEFGH");
    let mut s = heap.alloc_str(b"");
    let start = Instant::now();
    for i in 0..n {
        s = match shape {
            Shape::Append => heap.concat(s, a).unwrap(),
            Shape::Prepend => heap.concat(b, s).unwrap(),
            Shape::Both if i % 2 == 0 => heap.concat(s, a).unwrap(),
            Shape::Both => heap.concat(b, s).unwrap(),
        };
        if read_every > 0 && i % read_every == 0 {
            heap.str_bytes(s).unwrap();
        }
    }
    let bytes = heap.str_bytes(s).unwrap();
    assert_eq!(bytes.len(), 8 * n);
    let took = start.elapsed();
    (heap.copied.get(), took)
}

#[test]
fn rope_loops_copy_linear_bytes() {
    for shape in [Shape::Append, Shape::Prepend, Shape::Both] {
        for read_every in [0, 1, 7] {
            let n = 20_000;
            let (copied, _) = build(shape, n, read_every);
            // Every piece is copied a bounded number of times (gathered, then written into
            // the buffer; buffer doubling is not counted here but is amortized O(1)).
            eprintln!("{} (read every {read_every}): {copied} bytes copied for {} bytes", shape.name(), 8 * n);
            assert!(copied <= 4 * 8 * n as u64, "copied {copied} bytes for {n} pieces");
        }
    }
}

#[test]
fn rope_loops_scale_linearly_in_time() {
    // n and 4n pieces: a linear loop takes ~4x, a quadratic one ~16x. The bound is generous,
    // the best of three runs is used, and a failing shape is measured again (up to three
    // rounds) to stay reliable while other tests load the machine.
    let n = 150_000;
    for shape in [Shape::Append, Shape::Prepend, Shape::Both] {
        let best = |n: usize| (0..3).map(|_| build(shape, n, 3).1).min().unwrap_or_default();
        let mut ratios = Vec::new();
        for _ in 0..3 {
            let (small, large) = (best(n), best(4 * n));
            let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
            eprintln!("{}: n {small:?}, 4n {large:?}, ratio {ratio:.2}", shape.name());
            ratios.push(ratio);
            if ratio < 9.0 {
                break;
            }
        }
        assert!(ratios.iter().any(|r| *r < 9.0), "{}: 4n/n time ratios {ratios:?}", shape.name());
    }
}

#[test]
fn views_stay_valid_while_the_buffer_grows_at_both_ends() {
    let mut heap = Heap::new(false);
    let a = heap.alloc_str(b"0123456789");
    let b = heap.alloc_str(b"abcdefghij");
    let mut s = heap.alloc_str(b"");
    let mut expect = String::new();
    let mut snapshots = Vec::new();
    for i in 0..3000 {
        if i % 3 == 0 {
            s = heap.concat(b, s).unwrap();
            expect.insert_str(0, "abcdefghij");
        } else {
            s = heap.concat(s, a).unwrap();
            expect.push_str("0123456789");
        }
        if i % 101 == 0 {
            heap.flatten(s).unwrap();
            snapshots.push((s, expect.clone()));
        }
    }
    assert_eq!(text(&mut heap, s), expect);
    for (h, want) in &snapshots {
        assert_eq!(&text(&mut heap, *h), want);
    }
    // Two different extensions of one flat string must not disturb each other.
    let (old, want) = snapshots.last().cloned().unwrap();
    let x = heap.alloc_str(b"XYZ");
    let front = heap.concat(x, old).unwrap();
    let back = heap.concat(old, x).unwrap();
    assert_eq!(text(&mut heap, front), format!("XYZ{want}"));
    assert_eq!(text(&mut heap, back), format!("{want}XYZ"));
    assert_eq!(text(&mut heap, old), want);
    // `t + t` reads the same buffer twice.
    let d = heap.concat(s, s).unwrap();
    assert_eq!(text(&mut heap, d), format!("{expect}{expect}"));
    assert!(matches!(heap.get(d), Some(Obj::Str(StrObj::View { .. }))));
}

#[test]
fn strings_longer_than_the_heap_limit_are_refused() {
    let mut heap = Heap::new(false);
    heap.set_limit(Some(1 << 20));
    let mut s = heap.alloc_str(b"x");
    let mut doublings = 0;
    let err = loop {
        match heap.concat(s, s) {
            Ok(t) => s = t,
            Err(e) => break e,
        }
        doublings += 1;
    };
    assert_eq!(err.code, codes::OUT_OF_MEMORY);
    assert_eq!(err.message, "out of memory (heap limit 1048576 bytes)");
    assert_eq!(doublings, 20, "2^20 bytes fit, 2^21 do not");
    assert_eq!(heap.str_len(s).unwrap(), 1 << 20);
}

#[test]
fn arrays_stop_growing_at_the_heap_limit() {
    let mut heap = Heap::new(false);
    heap.set_limit(Some(1 << 20));
    let arr = heap.alloc_array(Vec::new(), false);
    let mut n = 0u64;
    let err = loop {
        match heap.push(arr, n) {
            Ok(()) => n += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err.code, codes::OUT_OF_MEMORY);
    let a = heap.array(arr).unwrap();
    assert_eq!(a.items.len() as u64, n, "the failed push changed nothing");
    assert!(a.items.capacity() * 8 <= 1 << 20);
    assert!(n >= (1 << 20) / 8 / 2, "grew to {n} elements only");
}
