//! The cross-language benchmark programs (`bench/programs/*.orus`, copied from
//! `../shared/bench/programs/`), run in-process.
//!
//! Each program is compiled once, outside the timed loop; one run is timed, with output
//! going to `std::io::sink()`. Before timing, each program is run once with captured output
//! and its checksum line is compared with `bench/programs/expected.txt`.
//!
//! Scaled-down variants (`programs/small/NAME`): for every program whose checking run takes
//! more than 1 s, a second benchmark runs the same source with its size constants replaced
//! at load time by the smaller values in `SMALL` below (a plain whole-line text substitution
//! of the constant's definition, e.g. `N = 34` → `N = 29`, roughly 1/10 of the work). Set
//! `ORUS_BENCH_SMALL=1` to add the small variant of every program regardless of its time
//! (handy for quick iterations: `cargo bench --bench programs -- small/`).
//!
//! Runs take up to ~1 s each, so the group uses flat sampling with 10 samples and a
//! measurement time derived from the checking run (~14 runs' worth per program).

mod common;

use std::collections::HashMap;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};

/// Whole-line substitutions that shrink each program to roughly a tenth of its work.
const SMALL: &[(&str, &[(&str, &str)])] = &[
    ("binary_trees", &[("MAX_DEPTH = 14", "MAX_DEPTH = 11")]),
    ("fib", &[("N = 34", "N = 29")]),
    ("generic_sort", &[("N_INTS = 150000", "N_INTS = 15000"), ("N_STRINGS = 100000", "N_STRINGS = 10000")]),
    ("loop_sum", &[("N = 3000", "N = 300")]),
    ("matrix_mul", &[("N = 240", "N = 110")]),
    ("method_calls", &[("N = 2000000", "N = 200000")]),
    ("quicksort", &[("N = 500000", "N = 50000")]),
    ("sieve", &[("N = 1000000", "N = 100000")]),
    ("spectral_norm", &[("N = 350", "N = 110")]),
    ("string_build", &[("ROUNDS = 8000", "ROUNDS = 800")]),
];

/// Programs slower than this also get a scaled-down variant.
const SLOW: Duration = Duration::from_secs(1);

/// Apply whole-line substitutions; each `from` line must occur exactly once.
fn scale_down(name: &str, src: &str, subs: &[(&str, &str)]) -> String {
    let mut hits = vec![0usize; subs.len()];
    let mut out = String::with_capacity(src.len());
    for line in src.lines() {
        match subs.iter().position(|(from, _)| line.trim_end() == *from) {
            Some(i) => {
                hits[i] += 1;
                out.push_str(subs[i].1);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    for ((from, _), n) in subs.iter().zip(hits) {
        assert_eq!(n, 1, "{name}: expected the line `{from}` exactly once (program changed?)");
    }
    out
}

fn expected_checksums() -> HashMap<String, String> {
    let path = common::programs_dir().join("expected.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn program_names() -> Vec<String> {
    let dir = common::programs_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".orus")).map(str::to_string))
        .collect();
    names.sort();
    names
}

fn measurement_for(one_run: Duration) -> Duration {
    // 10 samples of one run each, plus headroom for a noisy machine
    (one_run * 14).max(Duration::from_secs(1))
}

fn bench_programs(c: &mut Criterion) {
    let expected = expected_checksums();
    let all_small = std::env::var("ORUS_BENCH_SMALL").is_ok_and(|v| v == "1");
    let mut group = c.benchmark_group("programs");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(300));

    let mut small_queue = Vec::new();
    for name in program_names() {
        let file = format!("{name}.orus");
        let src = std::fs::read_to_string(common::programs_dir().join(&file)).unwrap();
        let program = common::compile(&file, &src);

        // Checking run: checksum against expected.txt, and the time decides the sampling.
        let mut out = String::new();
        let t = common::time_once(|| out = common::run_captured(&program));
        let got = common::last_line(&out);
        match expected.get(&name) {
            Some(want) => assert_eq!(got, want, "{name}: wrong checksum"),
            None => eprintln!("note: {name} has no entry in expected.txt (printed `{got}`)"),
        }
        eprintln!("{name}: checking run {} ({got})", common::fmt_duration(t));

        group.measurement_time(measurement_for(t));
        group.bench_function(name.as_str(), |b| b.iter(|| common::run_to_sink(&program)));

        if all_small || t > SLOW {
            match SMALL.iter().find(|(n, _)| *n == name) {
                Some((_, subs)) => small_queue.push((name.clone(), scale_down(&name, &src, subs))),
                None => eprintln!(
                    "note: {name} takes {} but has no scaled-down constants in SMALL",
                    common::fmt_duration(t)
                ),
            }
        }
    }

    for (name, src) in small_queue {
        let file = format!("{name}.small.orus");
        let program = common::compile(&file, &src);
        let mut out = String::new();
        let t = common::time_once(|| out = common::run_captured(&program));
        eprintln!("small/{name}: checking run {} ({})", common::fmt_duration(t), common::last_line(&out));
        group.measurement_time(measurement_for(t));
        group.bench_function(format!("small/{name}"), |b| b.iter(|| common::run_to_sink(&program)));
    }
    group.finish();
}

criterion_group!(benches, bench_programs);
criterion_main!(benches);
