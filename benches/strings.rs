//! Rope concatenation scaling: `s = s + piece` repeated n and 4n times must cost O(n) in
//! total, so the 4n run should take ~4x the n run (a flat-string implementation copying the
//! whole string each step would take ~16x).
//!
//! Cases (each at n and 4n, n = 50,000 pieces of 8 bytes):
//! - `append`: `s = s + piece` in a loop, then `len(s)`;
//! - `prepend`: `s = piece + s`;
//! - `append_then_index`: append, then read every byte with `s[k]` (indexing must not be
//!   quadratic on a deep rope either).
//!
//! Besides criterion's per-case times, a median of 5 runs of each size is taken up front
//! and the 4n/n ratio is printed to stderr.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const N: u64 = 50_000;

fn source(case: &str, n: u64) -> String {
    let step = match case {
        "append" | "append_then_index" => "s = s + \"abcdefgh\"",
        "prepend" => "s = \"abcdefgh\" + s",
        _ => unreachable!(),
    };
    let walk = if case == "append_then_index" {
        "    for k in 0..len(s):\n        if s[k] == \"a\":\n            h += 1\n"
    } else {
        ""
    };
    format!("fn main():\n    mut s = \"\"\n    for i in 0..{n}:\n        {step}\n    mut h = 0\n{walk}    print(len(s), h)\n")
}

fn bench_strings(c: &mut Criterion) {
    let mut group = c.benchmark_group("strings");
    group.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    for case in ["append", "prepend", "append_then_index"] {
        let mut medians = Vec::new();
        for n in [N, 4 * N] {
            let program = common::compile(&format!("{case}_{n}.orus"), &source(case, n));
            let out = common::run_captured(&program);
            let want_len = n * 8;
            let want_h = if case == "append_then_index" { n } else { 0 };
            assert_eq!(common::last_line(&out), format!("{want_len} {want_h}"), "{case} {n}");
            medians.push(common::median_time(5, || common::run_to_sink(&program)));
            group.throughput(Throughput::Elements(n));
            group.bench_with_input(BenchmarkId::new(case, n), &program, |b, p| b.iter(|| common::run_to_sink(p)));
        }
        eprintln!(
            "strings/{case}: n={N}: {}, 4n={}: {}, ratio 4n/n = {:.2} (linear: ~4, quadratic: ~16)",
            common::fmt_duration(medians[0]),
            4 * N,
            common::fmt_duration(medians[1]),
            medians[1].as_secs_f64() / medians[0].as_secs_f64()
        );
    }
    group.finish();
}

criterion_group!(benches, bench_strings);
criterion_main!(benches);
