//! Start-up cost of a hello-world program.
//!
//! - `startup/compile_and_run`: `orus::compile_source` + `orus::run_program` in-process
//!   (what an embedding host pays per fresh script);
//! - `startup/compile` and `startup/run`: the two halves separately;
//! - `startup/process`: spawning the `orus` binary (`orus run hello.orus`, built with the
//!   bench profile) and waiting for it — what a command-line user sees.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

const HELLO: &str = "print(\"hello, world\")\n";

fn bench_startup(c: &mut Criterion) {
    let program = common::compile("hello.orus", HELLO);
    assert_eq!(common::run_captured(&program), "hello, world\n");

    let dir = std::env::temp_dir().join(format!("orus-bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hello_path = dir.join("hello.orus");
    std::fs::write(&hello_path, HELLO).unwrap();
    let exe = env!("CARGO_BIN_EXE_orus");
    let spawn = || {
        let out = Command::new(exe).arg("run").arg(&hello_path).stdin(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "orus run hello.orus failed: {}", String::from_utf8_lossy(&out.stderr));
        out
    };
    assert_eq!(spawn().stdout, b"hello, world\n");

    let mut group = c.benchmark_group("startup");
    group.sample_size(20).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    group.bench_function("compile_and_run", |b| {
        b.iter(|| {
            let program = common::compile("hello.orus", HELLO);
            common::run_to_sink(&program);
        })
    });
    group.bench_function("compile", |b| b.iter(|| common::compile("hello.orus", HELLO)));
    group.bench_function("run", |b| b.iter(|| common::run_to_sink(&program)));
    group.bench_function("process", |b| b.iter(spawn));
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_startup);
criterion_main!(benches);
