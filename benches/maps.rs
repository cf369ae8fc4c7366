//! Map<K, V> insert and lookup through Orus programs (what a script pays per operation).
//!
//! Each case runs its body N = 1,000,000 times (`for r in 0..1000: for j in 0..1000:`),
//! compiled once outside the timed loop; criterion's throughput is N elements, so the time
//! per run divided by 1e6 is the cost of one iteration. `loop_baseline` is the same loop with
//! the same arithmetic and no map operation: subtract it to get the map operation's cost.
//! Lookups go into a map of 1,000 keys built before the loop; `insert_*` grows one map to
//! 1,000,000 entries per run.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const OUTER: u64 = 1000;
const INNER: u64 = 1000;

/// (benchmark name, body of the inner loop)
const CASES: &[(&str, &str)] = &[
    ("loop_baseline", "acc = (acc + j + r) % 1000003"),
    ("insert_i32", "grow[r * 1000 + j] = j"),
    ("lookup_i32", "acc = (acc + small[j] + r) % 1000003"),
    ("get_i32", "acc = (acc + small.get(j).unwrap_or(0) + r) % 1000003"),
    ("contains_i32", "acc = (acc + (1 if contains(small, j + r) else 0)) % 1000003"),
    ("lookup_string", "acc = (acc + names[keys[j]] + r) % 1000003"),
    ("insert_string_overwrite", "names[keys[j]] = r"),
];

fn source(body: &str) -> String {
    format!(
        "fn main():
    mut grow: Map<i32, i32> = Map.new()
    mut small: Map<i32, i32> = Map.new()
    mut names: Map<string, i32> = Map.new()
    mut keys: [string] = []
    for j in 0..{INNER}:
        small[j] = j * 3
        k = \"key\" + (j as string)
        push(keys, k)
        names[k] = j
    mut acc = 0
    for r in 0..{OUTER}:
        for j in 0..{INNER}:
            {body}
    print(acc, len(grow), len(small), len(names))
"
    )
}

fn bench_maps(c: &mut Criterion) {
    let mut group = c.benchmark_group("maps");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(OUTER * INNER));
    for (name, body) in CASES {
        let program = common::compile(&format!("{name}.orus"), &source(body));
        let mut out = String::new();
        let t = common::time_once(|| out = common::run_captured(&program));
        eprintln!(
            "maps/{name}: ~{:.1} ns/iteration (single run; prints `{}`)",
            t.as_nanos() as f64 / (OUTER * INNER) as f64,
            common::last_line(&out)
        );
        group.bench_function(*name, |b| b.iter(|| common::run_to_sink(&program)));
    }
    group.finish();
}

criterion_group!(benches, bench_maps);
criterion_main!(benches);
