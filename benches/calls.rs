//! Host↔script call overhead through the embedding API (`orus::api`).
//!
//! - `calls/host_to_script`: `Func::call` of a trivial Orus function (`fn inc(x) -> x + 1`)
//!   from Rust, with the types checked once by `get_fn`;
//! - `calls/host_to_script_by_name`: `Program::call("inc", ...)`, looking the function up
//!   and checking its signature on every call;
//! - `calls/script_to_host`: an Orus loop calling a registered Rust closure 1,000 times
//!   (time per iteration = the reported time / 1000, loop overhead included);
//! - `calls/script_to_script`: the same loop calling an Orus function, for comparison.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use orus::api::Engine;

const SRC: &str = "
fn inc(x: i64) -> i64:
    return x + 1

fn orus_add(a: i64, b: i64) -> i64:
    return a + b

fn loop_host(n: i64) -> i64:
    mut acc = 0
    for i in 0..n:
        acc = host_add(acc, i)
    return acc

fn loop_orus(n: i64) -> i64:
    mut acc = 0
    for i in 0..n:
        acc = orus_add(acc, i)
    return acc
";

fn bench_calls(c: &mut Criterion) {
    let mut engine = Engine::new();
    engine.register_fn("host_add", |a: i64, b: i64| a.wrapping_add(b));
    let mut program = engine.compile(SRC).expect("compiles");
    program.run().expect("runs");
    let inc = program.get_fn::<(i64,), i64>("inc").expect("inc");
    assert_eq!(inc.call(&mut program, (41,)).expect("call"), 42);
    assert_eq!(program.call::<(i64,), i64>("loop_host", (1000,)).expect("loop"), 499_500);

    let mut group = c.benchmark_group("calls");
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    group.bench_function("host_to_script", |b| {
        let mut x = 0i64;
        b.iter(|| {
            x = inc.call(&mut program, (x,)).unwrap_or(0);
        })
    });
    group.bench_function("host_to_script_by_name", |b| {
        b.iter_batched(|| 1i64, |x| program.call::<(i64,), i64>("inc", (x,)).unwrap_or(0), BatchSize::SmallInput)
    });
    group.throughput(Throughput::Elements(1000));
    let host = program.get_fn::<(i64,), i64>("loop_host").expect("loop_host");
    group.bench_function("script_to_host", |b| b.iter(|| host.call(&mut program, (1000,)).unwrap_or(0)));
    let orus = program.get_fn::<(i64,), i64>("loop_orus").expect("loop_orus");
    group.bench_function("script_to_script", |b| b.iter(|| orus.call(&mut program, (1000,)).unwrap_or(0)));
    group.finish();
}

criterion_group!(benches, bench_calls);
criterion_main!(benches);
