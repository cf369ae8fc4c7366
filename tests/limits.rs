//! Resource limits, through the library (`orus::compile_source` + `orus::vm::run_with_io`)
//! and through the `orus run` flags: the heap limit (E0014) stops string-doubling and
//! array-growing bombs near the limit and is catchable, after which allocation goes on; the
//! instruction budget (E0015) stops `while true: pass`; the deadline (E0016) and an
//! interrupt from another thread (E0018) stop it too; the call-depth limit (E0004) still
//! works. Every violation is an ordinary runtime error with a stack trace.

use std::io::Cursor;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use orus::vm::GcStats;
use orus::{RuntimeError, VmConfig};

const MB: usize = 1 << 20;

struct Run {
    result: Result<i32, RuntimeError>,
    out: String,
    stats: GcStats,
}

fn run(src: &str, config: &VmConfig) -> Run {
    let compiled = orus::compile_source("limits.orus", src);
    let Some(program) = compiled.program else { panic!("does not compile: {:?}", compiled.diagnostics) };
    let mut input = Cursor::new(Vec::new());
    let mut out = Vec::new();
    let (result, stats) = orus::vm::run_with_io(&program, config, &[], &mut input, &mut out);
    Run { result, out: String::from_utf8_lossy(&out).into_owned(), stats }
}

/// The uncaught error of a run that must fail.
fn error(r: &Run) -> &RuntimeError {
    match &r.result {
        Err(e) => e,
        Ok(code) => panic!("expected an error, got exit {code}; output:\n{}", r.out),
    }
}

/// The default configuration, without GC stress even when `ORUS_GC_STRESS=1` (the bombs
/// would collect at every allocation); one test below turns stress on explicitly.
fn base() -> VmConfig {
    VmConfig { gc_stress: false, ..VmConfig::default() }
}

fn heap_limit(bytes: usize) -> VmConfig {
    VmConfig { max_heap_bytes: Some(bytes), ..base() }
}

const SPIN: &str = "while true:\n    pass\n";

#[test]
fn string_doubling_bomb_stops_at_the_heap_limit() {
    // The pure rope form uses no memory: its length alone exceeds the limit.
    let limit = 16 * MB;
    let r = run("mut s = \"x\"\nwhile true:\n    s = s + s\n", &heap_limit(limit));
    let e = error(&r);
    assert_eq!(e.code, "E0014");
    assert_eq!(e.message, format!("out of memory (heap limit {limit} bytes)"));
    assert_eq!(e.trace.first().map(|f| f.line), Some(3));
    // Reading a byte flattens the string every round, so the bytes really exist.
    let src = "mut s = \"x\"\nmut n = 0\nwhile true:\n    s = s + s\n    n += len(s[0])\n";
    let r = run(src, &heap_limit(limit));
    assert_eq!(error(&r).code, "E0014");
    assert!(r.stats.peak_heap_bytes <= limit + limit / 4, "{:?}", r.stats);
    assert!(r.stats.peak_live_bytes >= limit / 2, "stopped early: {:?}", r.stats);
}

#[test]
fn array_bomb_stops_at_the_heap_limit() {
    let limit = 16 * MB;
    let r = run("mut xs = [0]\nwhile true:\n    push(xs, len(xs))\n", &heap_limit(limit));
    assert_eq!(error(&r).code, "E0014");
    assert!(r.stats.peak_heap_bytes <= limit + limit / 4, "{:?}", r.stats);
    assert!(r.stats.peak_heap_bytes >= limit / 2, "stopped early: {:?}", r.stats);
    // A map and a linked list of structs stop too.
    let map = "mut m = Map.new()\nmut i = 0\nwhile true:\n    m[i] = i\n    i += 1\n";
    let list = "struct P:\n    x: i32\n    next: Option<P>\nmut p: Option<P> = None\n\
                while true:\n    p = Some(P{ x: 1, next: p })\n";
    for src in [map, list] {
        let r = run(src, &heap_limit(limit));
        assert_eq!(error(&r).code, "E0014", "{src}");
        assert!(r.stats.peak_heap_bytes <= limit + limit / 4, "{src}: {:?}", r.stats);
    }
}

#[test]
fn out_of_memory_is_catchable_and_allocation_continues() {
    let src = "
fn bomb() -> i32:
    mut xs = [0]
    while true:
        push(xs, len(xs))
    return 0

mut caught = 0
for round in 0..3:
    try:
        bomb()
    catch err:
        print(err.code, err.message)
        caught += 1
mut ys = [0]
for i in 0..100000:
    push(ys, i)
print(caught, len(ys))
";
    for stress in [false, true] {
        let limit = if stress { MB } else { 8 * MB };
        let r = run(src, &VmConfig { gc_stress: stress, ..heap_limit(limit) });
        assert_eq!(r.result, Ok(0), "output:\n{}", r.out);
        let line = format!("E0014 out of memory (heap limit {limit} bytes)\n");
        assert_eq!(r.out, format!("{line}{line}{line}3 100001\n"));
        assert!(r.stats.collections >= 3, "{:?}", r.stats);
    }
}

#[test]
fn garbage_does_not_count_against_the_limit() {
    // Allocates ~200 MB in total with a 4 MB limit, but never holds more than a little.
    let src = "
mut total = 0
for i in 0..200000:
    s = \"item \" + (i as string) + \" \" + ((i * 7) as string)
    xs = [s, s, s, s, s, s, s, s]
    total += len(xs[3])
print(total)
";
    let r = run(src, &heap_limit(4 * MB));
    assert_eq!(r.result, Ok(0), "output:\n{}", r.out);
    assert!(r.stats.allocated_bytes > 40 * MB as u64, "{:?}", r.stats);
    assert!(r.stats.peak_heap_bytes <= 4 * MB, "{:?}", r.stats);
}

#[test]
fn instruction_budget_stops_an_endless_loop() {
    let config = VmConfig { instruction_budget: Some(1_000_000), ..base() };
    let start = Instant::now();
    let r = run(SPIN, &config);
    let e = error(&r);
    assert_eq!(e.code, "E0015");
    assert_eq!(e.message, "instruction budget exhausted (1000000 instructions)");
    assert_eq!(e.trace.first().map(|f| (f.function.as_str(), f.line)), Some(("<top level>", 2)));
    assert!(start.elapsed() < Duration::from_secs(5));
    // Work within the budget runs to the end; recursion is charged per call.
    let ok = "mut t = 0\nfor i in 0..1000:\n    t += i\nprint(t)\n";
    let r = run(ok, &config);
    assert_eq!((r.result, r.out.as_str()), (Ok(0), "499500\n"));
    let rec = "fn f(n: i32) -> i32:\n    if n == 0:\n        return 0\n    return f(n - 1) + 1\nprint(f(50))\n";
    let tight = VmConfig { instruction_budget: Some(40), ..base() };
    let e = error(&run(rec, &tight)).clone();
    assert_eq!(e.code, "E0015");
    assert!(e.trace.len() > 30, "the trace shows the recursion: {}", e.trace.len());
}

#[test]
fn limit_errors_are_catchable_but_not_extended_by_catching() {
    let src = "
try:
    while true:
        pass
catch err:
    print(\"caught\", err.code)
print(\"after\")
mut n = 0
while true:
    n += 1
";
    let config = VmConfig { instruction_budget: Some(10_000), ..base() };
    let r = run(src, &config);
    assert_eq!(r.out, "caught E0015\nafter\n");
    let e = error(&r);
    assert_eq!(e.code, "E0015");
    assert_eq!(e.trace.first().map(|f| f.line), Some(10));
}

#[test]
fn deadline_stops_an_endless_loop() {
    let config = VmConfig { deadline: Some(Instant::now() + Duration::from_millis(200)), ..base() };
    let start = Instant::now();
    let r = run(SPIN, &config);
    let took = start.elapsed();
    let e = error(&r);
    assert_eq!((e.code, e.message.as_str()), ("E0016", "deadline exceeded"));
    assert!(!e.trace.is_empty());
    assert!(took >= Duration::from_millis(150) && took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn interrupt_from_another_thread_stops_the_program() {
    let flag = Arc::new(AtomicBool::new(false));
    let setter = {
        let flag = Arc::clone(&flag);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            flag.store(true, Ordering::Relaxed);
        })
    };
    let src = "fn spin(n: i32) -> i32:\n    mut i = n\n    while true:\n        i += 1\n        i %= 1000\n    return i\nspin(0)\n";
    let config = VmConfig { interrupt: Some(Arc::clone(&flag)), ..base() };
    let r = run(src, &config);
    assert!(setter.join().is_ok());
    let e = error(&r);
    assert_eq!((e.code, e.message.as_str()), ("E0018", "interrupted"));
    let names: Vec<&str> = e.trace.iter().map(|f| f.function.as_str()).collect();
    assert_eq!(names, ["spin", "<top level>"]);
    // An interrupt already set stops the program at its first loop iteration.
    let r = run("print(1)\n", &config);
    assert_eq!(r.result, Ok(0), "no loop, no check");
    assert_eq!(error(&run(SPIN, &config)).code, "E0018");
}

#[test]
fn call_depth_limit_still_works() {
    let src = "fn down(n: i32) -> i32:\n    return down(n + 1) + 1\nprint(down(0))\n";
    let config = VmConfig { max_call_depth: 1000, ..base() };
    let r = run(src, &config);
    let e = error(&r);
    assert_eq!(e.code, "E0004");
    assert!(e.frames_omitted > 0);
    let caught =
        "fn down(n: i32) -> i32:\n    return down(n + 1) + 1\ntry:\n    down(0)\ncatch err:\n    print(err.code)\n";
    let r = run(caught, &config);
    assert_eq!((r.result, r.out.as_str()), (Ok(0), "E0004\n"));
}

/// Runs the `orus` binary on `src` with `flags`; returns (exit code, stdout, stderr).
fn cli(src: &str, flags: &[&str]) -> (i32, String, String) {
    let dir = std::env::temp_dir().join(format!("orus-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let file = dir.join(format!("t{}.orus", NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&file, src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_orus")).arg("run").args(flags).arg(&file).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn cli_flags_set_the_limits() {
    let (code, _, err) = cli("mut s = \"x\"\nwhile true:\n    s = s + s\n", &["--max-heap=64M"]);
    assert_eq!(code, 70);
    assert!(err.contains("error[E0014]: out of memory (heap limit 67108864 bytes)"), "{err}");
    assert!(err.contains("stack trace"), "{err}");
    let (code, _, err) = cli(SPIN, &["--max-instructions=1000000"]);
    assert_eq!(code, 70);
    assert!(err.contains("error[E0015]"), "{err}");
    let (code, _, err) = cli(SPIN, &["--timeout=0.2"]);
    assert_eq!(code, 70);
    assert!(err.contains("error[E0016]: deadline exceeded"), "{err}");
    let (code, out, err) =
        cli("mut t = 0\nfor i in 0..100000:\n    t += len([i] as string)\nprint(t)\n", &["--gc-stats"]);
    assert_eq!((code, out.as_str()), (0, "688890\n"));
    assert!(err.contains("gc: ") && err.contains("collections") && err.contains("peak live"), "{err}");
    for bad in ["--max-heap=lots", "--max-heap=0", "--timeout=-1", "--max-instructions=x"] {
        let (code, _, err) = cli(SPIN, &[bad]);
        assert_eq!(code, 2, "{bad}: {err}");
    }
    let (code, _, _) = cli("print(1)\n", &["--max-heap=1G", "--max-instructions=100", "--timeout=5"]);
    assert_eq!(code, 0);
}
