//! Robustness: the checker must survive any input. Every `.orus` file under `tests/programs`,
//! `tests/diagnostics` and `../shared/conformance` (when present) is fed to
//! `orus::check_source` (a) truncated at ~20 evenly spaced points, (b) after ~20
//! deterministic mutations (lines deleted, duplicated or swapped; tokens, tabs and stray
//! quotes inserted; characters deleted or replaced), plus (c) deeply nested and very long
//! generated inputs and (d) random bytes. Each call must return (diagnostics or none):
//! a panic is caught and reported with the input that caused it, a hang is reported by a
//! watchdog. A host stack overflow cannot be caught and aborts the test binary; the deep
//! inputs therefore announce themselves on stderr first, so the last name printed is the
//! culprit.
//!
//! Deterministic: a hand-written xorshift generator with a fixed seed.

use std::fs;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Truncations per file.
const TRUNCATIONS: usize = 20;
/// Mutations per file.
const MUTATIONS: usize = 20;
/// Random-byte inputs.
const RANDOM_INPUTS: usize = 40;
/// The whole test fails if it has not finished by then (a hang in the checker).
const WATCHDOG: Duration = Duration::from_secs(300);
/// Stack of the thread that runs the checker: the size of a typical main thread.
const STACK: usize = 8 << 20;

/// Small deterministic PRNG (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Fragments inserted by mutations: brackets, layout characters, operators, keywords and
/// broken literals.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "->",
    "\"",
    "'",
    "\t",
    "\n",
    "    ",
    "match",
    "fn",
    "if x:",
    "else:",
    "..",
    "..=",
    "=",
    "+=",
    "mut ",
    "@",
    "/*",
    "*/",
    "//",
    "\\",
    "0x",
    "1e",
    "99999999999999999999",
    "é",
    "_",
    ",",
    ";",
    "::<",
    "as ",
    "not ",
    "return",
    "break",
    "'outer",
    "struct",
    "enum",
    "impl",
    "use ",
    "try:",
    "catch e:",
];

/// The largest char boundary of `s` that is `<= i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A random char boundary of `s` (including its end).
fn random_boundary(rng: &mut XorShift, s: &str) -> usize {
    floor_boundary(s, rng.below(s.len() + 1))
}

/// One deterministic mutation of `src`, with a short description.
fn mutate(rng: &mut XorShift, src: &str) -> (String, String) {
    let mut lines: Vec<&str> = src.split_inclusive('\n').collect();
    match rng.below(7) {
        0 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            lines.remove(i);
            (lines.concat(), format!("deleted line {}", i + 1))
        }
        1 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            lines.insert(i, lines[i]);
            (lines.concat(), format!("duplicated line {}", i + 1))
        }
        2 if lines.len() > 1 => {
            let i = rng.below(lines.len());
            let j = rng.below(lines.len());
            lines.swap(i, j);
            (lines.concat(), format!("swapped lines {} and {}", i + 1, j + 1))
        }
        3 | 4 => {
            let at = random_boundary(rng, src);
            let token = TOKENS[rng.below(TOKENS.len())];
            (format!("{}{token}{}", &src[..at], &src[at..]), format!("inserted {token:?} at byte {at}"))
        }
        5 if !src.is_empty() => {
            let at = floor_boundary(src, rng.below(src.len()));
            let len = src[at..].chars().next().map_or(0, char::len_utf8);
            (format!("{}{}", &src[..at], &src[at + len..]), format!("deleted the character at byte {at}"))
        }
        _ if !src.is_empty() => {
            let at = floor_boundary(src, rng.below(src.len()));
            let len = src[at..].chars().next().map_or(0, char::len_utf8);
            let c = char::from(b' ' + (rng.below(95) as u8));
            (format!("{}{c}{}", &src[..at], &src[at + len..]), format!("replaced the character at byte {at} by {c:?}"))
        }
        _ => (TOKENS[rng.below(TOKENS.len())].to_string(), "empty source replaced by a token".to_string()),
    }
}

/// Deeply nested and very long generated inputs.
fn deep_inputs() -> Vec<(String, String)> {
    const N: usize = 10_000;
    let mut inputs = vec![
        ("10,000 nested parentheses".to_string(), format!("x = {}1{}\nprint(x)\n", "(".repeat(N), ")".repeat(N))),
        ("10,000 unary minus prefixes".to_string(), format!("x = {}1\n", "-".repeat(N))),
        ("10,000 `not` prefixes".to_string(), format!("x = {}true\n", "not ".repeat(N))),
        ("10,000-term sum".to_string(), format!("x = 1{}\nprint(x)\n", " + 1".repeat(N - 1))),
        ("10,000 nested arrays".to_string(), format!("x = {}{}\n", "[".repeat(N), "]".repeat(N))),
        (
            "10,000 nested calls".to_string(),
            format!("fn f(v: i32) -> i32: v\nx = {}0{}\n", "f(".repeat(N), ")".repeat(N)),
        ),
        ("10,000 chained conditionals".to_string(), format!("x = {}0\n", "1 if true else ".repeat(N))),
        ("10,000 chained fields".to_string(), format!("x = a{}\n", ".b".repeat(N))),
        ("10,000 chained indexes".to_string(), format!("x = a{}\n", "[0]".repeat(N))),
        ("10,000 chained casts".to_string(), format!("x = 1{}\n", " as i64".repeat(N))),
        ("10,000 unclosed parentheses".to_string(), format!("x = {}1\n", "(".repeat(N))),
        ("10,000 unclosed brackets and braces".to_string(), "[{(".repeat(N)),
        ("10,000 nested block comments".to_string(), format!("{}x = 1\n", "/* ".repeat(N))),
        ("10,000 nested closures".to_string(), format!("x = {}1\n", "fn(): ".repeat(N))),
        ("a 1 MB string literal".to_string(), format!("s = \"{}\"\nprint(len(s))\n", "a".repeat(1 << 20))),
        ("100,000 statements".to_string(), "x = 1\n".repeat(100_000)),
        (
            "1,000 ever deeper unexpected indents".to_string(),
            (0..1_000).map(|i| format!("{}x\n", " ".repeat(i))).collect(),
        ),
    ];
    let mut nested_ifs = String::new();
    for depth in 0..1_000 {
        nested_ifs.push_str(&"  ".repeat(depth));
        nested_ifs.push_str("if true:\n");
    }
    nested_ifs.push_str(&"  ".repeat(1_000));
    nested_ifs.push_str("print(1)\n");
    inputs.push(("1,000 nested if blocks".to_string(), nested_ifs));
    let mut nested_fns = String::new();
    for depth in 0..1_000 {
        nested_fns.push_str(&"  ".repeat(depth));
        nested_fns.push_str(&format!("fn f{depth}() -> i32:\n"));
    }
    nested_fns.push_str(&"  ".repeat(1_000));
    nested_fns.push_str("1\n");
    inputs.push(("1,000 nested function declarations".to_string(), nested_fns));
    inputs
}

/// Every `.orus` file below `dir`, sorted.
fn orus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            orus_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "orus") {
            out.push(path);
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// A short, printable excerpt of an input for failure reports.
fn excerpt(src: &str) -> String {
    let head: String = src.chars().take(160).collect();
    if head.len() < src.len() {
        format!("{head:?}... ({} bytes)", src.len())
    } else {
        format!("{head:?}")
    }
}

/// Runs the checker on inputs, remembering which one is current and what failed.
struct Checker {
    current: Arc<Mutex<String>>,
    failures: Vec<String>,
    count: usize,
}

impl Checker {
    fn check(&mut self, label: &str, src: &str) {
        if let Ok(mut current) = self.current.lock() {
            *current = label.to_string();
        }
        self.count += 1;
        let result = panic::catch_unwind(AssertUnwindSafe(|| orus::check_source("input.orus", src)));
        if let Err(payload) = result {
            self.failures.push(format!("{label}: panicked: {}\n    input: {}", panic_message(&*payload), excerpt(src)));
        }
    }
}

fn run_all(current: Arc<Mutex<String>>) -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    orus_files(&root.join("tests").join("programs"), &mut files);
    orus_files(&root.join("tests").join("diagnostics"), &mut files);
    orus_files(&root.join("..").join("shared").join("conformance"), &mut files);

    let mut checker = Checker { current, failures: Vec::new(), count: 0 };
    let mut rng = XorShift::new(0x5EED_0F0F_0125);
    for path in &files {
        let Ok(src) = fs::read_to_string(path) else {
            continue;
        };
        let name = path.strip_prefix(root).unwrap_or(path).display().to_string();
        checker.check(&name, &src);
        for k in 1..=TRUNCATIONS {
            let at = floor_boundary(&src, src.len() * k / (TRUNCATIONS + 1));
            checker.check(&format!("{name} truncated at byte {at}"), &src[..at]);
        }
        for _ in 0..MUTATIONS {
            let (mutated, how) = mutate(&mut rng, &src);
            checker.check(&format!("{name} with {how}"), &mutated);
        }
    }

    for i in 0..RANDOM_INPUTS {
        let len = 1 + rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0xFF) as u8).collect();
        checker.check(&format!("random bytes #{i}"), &String::from_utf8_lossy(&bytes));
    }

    // Announced on stderr (not captured by the test harness) because a host stack overflow
    // kills the process before any report could be printed.
    for (label, src) in deep_inputs() {
        let _ = writeln!(std::io::stderr(), "robustness: checking {label}");
        checker.check(&label, &src);
    }
    (checker.count, checker.failures)
}

#[test]
fn checker_never_panics() {
    let current = Arc::new(Mutex::new(String::from("<not started>")));
    let (tx, rx) = mpsc::channel();
    let worker_current = Arc::clone(&current);
    let spawned = thread::Builder::new().name("robustness".to_string()).stack_size(STACK).spawn(move || {
        let _ = tx.send(run_all(worker_current));
    });
    if let Err(e) = spawned {
        panic!("cannot start the worker thread: {e}");
    }
    match rx.recv_timeout(WATCHDOG) {
        Ok((count, failures)) => {
            assert!(count > 0, "no inputs were checked");
            const SHOWN: usize = 30;
            let more = failures.len().saturating_sub(SHOWN);
            assert!(
                failures.is_empty(),
                "{} of {count} inputs made the checker panic:\n{}{}",
                failures.len(),
                failures[..failures.len().min(SHOWN)].join("\n"),
                if more > 0 { format!("\n... and {more} more") } else { String::new() }
            );
        }
        Err(_) => {
            let label = current.lock().map(|c| c.clone()).unwrap_or_default();
            panic!("the checker did not finish within {}s; it was checking: {label}", WATCHDOG.as_secs());
        }
    }
}
