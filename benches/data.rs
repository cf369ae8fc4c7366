//! Data-structure operations: struct field access, method calls, array index/store/push.
//!
//! Every case is a small Orus program running its body N = 1,000,000 times as
//! `for r in 0..1000: for j in 0..1000: BODY`, compiled once outside the timed loop.
//! Criterion's throughput is N elements, so `time per run / 1e6` is the cost of one
//! iteration (shown as ms per run = ns per iteration). `loop_baseline` runs the same loop
//! with the same arithmetic but no field/method/array operation: subtract it to get the
//! cost of the operation itself.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const OUTER: u64 = 1000;
const INNER: u64 = 1000;

const PRELUDE: &str = "\
struct P:
    x: i32
    y: i32

impl P:
    fn get_x(self) -> i32:
        return self.x

    fn bump(self, d: i32):
        self.x = (self.x + d) % 1000003

    fn add(self, other: P) -> i32:
        return (self.x + other.y) % 1000003
";

/// (benchmark name, body of the inner loop, result printed after the loop)
const CASES: &[(&str, &str, &str)] = &[
    ("loop_baseline", "acc = (acc + j + r) % 1000003", "acc"),
    ("field_read", "acc = (acc + p.x + r) % 1000003", "acc"),
    ("field_write", "p.x = (j + r) % 1000003", "p.x"),
    ("field_read_write", "p.x = (p.x + j) % 1000003", "p.x"),
    ("method_call_getter", "acc = (acc + p.get_x() + r) % 1000003", "acc"),
    ("method_call_mutating", "p.bump(j)", "p.x"),
    ("method_call_struct_arg", "acc = (acc + p.add(q) + r) % 1000003", "acc"),
    ("array_index", "acc = (acc + xs[j] + r) % 1000003", "acc"),
    ("array_store", "xs[j] = (j + r) % 1000003", "xs[7]"),
    ("array_push", "push(ys, j)", "len(ys)"),
];

fn source(body: &str, result: &str) -> String {
    format!(
        "{PRELUDE}
fn main():
    p = P{{ x: 1, y: 2 }}
    q = P{{ x: 3, y: 4 }}
    xs = [1; {INNER}]
    ys: [i32] = []
    mut acc = 0
    for r in 0..{OUTER}:
        for j in 0..{INNER}:
            {body}
    print({result}, acc, p.x, q.y, xs[0], len(ys))
"
    )
}

fn bench_data(c: &mut Criterion) {
    let mut group = c.benchmark_group("data");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(OUTER * INNER));
    for (name, body, result) in CASES {
        let src = source(body, result);
        let program = common::compile(&format!("{name}.orus"), &src);
        // one checking run (also reports a quick ns/iteration estimate)
        let mut out = String::new();
        let t = common::time_once(|| out = common::run_captured(&program));
        eprintln!(
            "data/{name}: ~{:.1} ns/iteration (single run; prints `{}`)",
            t.as_nanos() as f64 / (OUTER * INNER) as f64,
            common::last_line(&out)
        );
        group.bench_function(*name, |b| b.iter(|| common::run_to_sink(&program)));
    }
    group.finish();
}

criterion_group!(benches, bench_data);
criterion_main!(benches);
