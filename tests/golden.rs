//! Golden program tests: every `NAME.orus` with a `NAME.out` beside it is run as
//! `orus run NAME.orus [ARGS...]` in its own folder, with `NO_COLOR=1`, stdin from
//! `NAME.stdin` (or empty) and a 10-second timeout, exactly like
//! `../shared/conformance/run.sh`. Checked: stdout byte for byte against `NAME.out`, the exit
//! code against `NAME.exit` (default 0), and each non-empty line of `NAME.stderr` as a
//! substring of stderr. `NAME.args` holds one line of arguments, split on whitespace.
//!
//! Two tests:
//! - `programs`: everything under `tests/programs/`.
//! - `conformance`: the folders of `../shared/conformance` listed in
//!   `tests/conformance-folders.txt` (minus the `!folder/test` exclusions there); skipped
//!   with a note when the shared suite is not present.
//!
//! Programs run in parallel (one worker per core); all failures are collected and reported
//! together. `ORUS_TEST_FILTER=substring` runs only the tests whose label contains it. The
//! environment is inherited, so `ORUS_GC_STRESS=1 cargo test --test golden` runs the whole
//! suite with the collector in stress mode.

use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);
const ORUS: &str = env!("CARGO_BIN_EXE_orus");

/// One test program: its source file and its label for reports (`folder/name`).
struct Case {
    source: PathBuf,
    label: String,
}

/// Collect every `*.orus` under `dir` that has a `.out` beside it, sorted by path. `root`
/// is the folder labels are relative to.
fn find_cases(dir: &Path, root: &Path, out: &mut Vec<Case>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            find_cases(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "orus") && path.with_extension("out").is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path).with_extension("");
            let label = rel.to_string_lossy().replace('\\', "/");
            out.push(Case { source: path, label });
        }
    }
}

/// The outcome of running the binary once.
struct Outcome {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: Option<ExitStatus>,
}

/// Distinct scratch file names across threads.
static SCRATCH: AtomicUsize = AtomicUsize::new(0);

/// Run `orus run FILE ARGS...` in the file's folder with the given stdin file, killing it
/// after `TIMEOUT`. stdout and stderr go to scratch files (no pipe can fill up and block).
fn run_orus(source: &Path, args: &[String], stdin: Option<&Path>) -> Result<Outcome, String> {
    let dir = source.parent().ok_or("program has no parent folder")?;
    let name = source.file_name().ok_or("program has no file name")?;
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out_path = scratch.join(format!("golden-{}-{n}.stdout", std::process::id()));
    let err_path = scratch.join(format!("golden-{}-{n}.stderr", std::process::id()));
    let out_file = fs::File::create(&out_path).map_err(|e| format!("cannot create {}: {e}", out_path.display()))?;
    let err_file = fs::File::create(&err_path).map_err(|e| format!("cannot create {}: {e}", err_path.display()))?;
    let stdin = match stdin {
        Some(p) => Stdio::from(fs::File::open(p).map_err(|e| format!("cannot open {}: {e}", p.display()))?),
        None => Stdio::null(),
    };
    let mut child = Command::new(ORUS)
        .arg("run")
        .arg(name)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(stdin)
        .stdout(out_file)
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start {ORUS}: {e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for orus failed: {e}")),
        }
    };
    let stdout = fs::read(&out_path).unwrap_or_default();
    let stderr = fs::read(&err_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    Ok(Outcome { stdout, stderr, status })
}

/// `label: reason` for a failed test, or `None` when it passed.
fn check_case(case: &Case) -> Option<String> {
    let base = case.source.with_extension("");
    let sibling = |ext: &str| PathBuf::from(format!("{}.{ext}", base.display()));
    let expected_out = match fs::read(sibling("out")) {
        Ok(bytes) => bytes,
        Err(e) => return Some(format!("cannot read expected output: {e}")),
    };
    let args: Vec<String> = match fs::read_to_string(sibling("args")) {
        Ok(text) => text.lines().next().unwrap_or("").split_whitespace().map(str::to_string).collect(),
        Err(e) if e.kind() == ErrorKind::NotFound => Vec::new(),
        Err(e) => return Some(format!("cannot read args: {e}")),
    };
    let expected_exit: i32 = match fs::read_to_string(sibling("exit")) {
        Ok(text) => match text.trim().parse() {
            Ok(code) => code,
            Err(_) => return Some(format!("bad .exit file: {:?}", text.trim())),
        },
        Err(e) if e.kind() == ErrorKind::NotFound => 0,
        Err(e) => return Some(format!("cannot read exit code: {e}")),
    };
    let stdin_path = sibling("stdin");
    let stdin = stdin_path.is_file().then_some(stdin_path.as_path());

    let outcome = match run_orus(&case.source, &args, stdin) {
        Ok(o) => o,
        Err(e) => return Some(e),
    };
    let Some(status) = outcome.status else {
        return Some(format!("timed out after {}s", TIMEOUT.as_secs()));
    };

    let stderr = String::from_utf8_lossy(&outcome.stderr);
    let mut reasons = Vec::new();
    if outcome.stdout != expected_out {
        reasons.push(describe_stdout_difference(&expected_out, &outcome.stdout));
    }
    match status.code() {
        Some(code) if code == expected_exit => {}
        Some(code) => reasons.push(format!("exit code {code}, expected {expected_exit}{}", first_stderr_line(&stderr))),
        None => reasons.push(format!("killed by {}{}", describe_signal(status), first_stderr_line(&stderr))),
    }
    if let Ok(wanted) = fs::read_to_string(sibling("stderr")) {
        for want in wanted.lines().map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()) {
            if !stderr.contains(want) {
                reasons.push(format!("stderr lacks {want:?}{}", first_stderr_line(&stderr)));
            }
        }
    }
    if reasons.is_empty() {
        None
    } else {
        Some(reasons.join("; "))
    }
}

#[cfg(unix)]
fn describe_signal(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(sig) => format!("signal {sig}"),
        None => "an unknown cause".to_string(),
    }
}

#[cfg(not(unix))]
fn describe_signal(_status: ExitStatus) -> String {
    "an unknown cause".to_string()
}

/// ` (stderr: first non-blank line)`, or nothing when stderr is blank.
fn first_stderr_line(stderr: &str) -> String {
    match stderr.lines().find(|l| !l.trim().is_empty()) {
        Some(line) => format!(" (stderr: {})", clip(line)),
        None => String::new(),
    }
}

fn clip(line: &str) -> String {
    const MAX: usize = 160;
    if line.chars().count() <= MAX {
        line.to_string()
    } else {
        format!("{}...", line.chars().take(MAX).collect::<String>())
    }
}

/// Where two outputs first differ, as `stdout differs at line N: expected '...', got '...'`.
fn describe_stdout_difference(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let mut exp_lines = expected.split_inclusive('\n');
    let mut act_lines = actual.split_inclusive('\n');
    let mut line_no = 0;
    loop {
        line_no += 1;
        match (exp_lines.next(), act_lines.next()) {
            (None, None) => return "stdout differs (in bytes that are not valid UTF-8)".to_string(),
            (Some(e), Some(a)) if e == a => continue,
            (Some(e), Some(a)) if e.trim_end_matches('\n') == a.trim_end_matches('\n') => {
                return format!("stdout differs only in the newline at the end of line {line_no}");
            }
            (e, a) => {
                let show = |l: Option<&str>| match l {
                    Some(l) => format!("{:?}", clip(l.trim_end_matches('\n'))),
                    None => "<end of output>".to_string(),
                };
                return format!("stdout differs at line {line_no}: expected {}, got {}", show(e), show(a));
            }
        }
    }
}

/// Run all cases on worker threads and return the failures as `(label, reason)`, sorted.
fn run_cases(cases: &[Case]) -> Vec<(String, String)> {
    let filter = std::env::var("ORUS_TEST_FILTER").unwrap_or_default();
    let selected: Vec<&Case> = cases.iter().filter(|c| c.label.contains(&filter)).collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = selected.get(i) else {
                    break;
                };
                if let Some(reason) = check_case(case) {
                    if let Ok(mut f) = failures.lock() {
                        f.push((case.label.clone(), reason));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_default();
    failures.sort();
    println!("{} passed, {} failed", selected.len() - failures.len(), failures.len());
    failures
}

/// Panic with every failure, one per line, if there are any.
fn report(suite: &str, failures: &[(String, String)]) {
    if failures.is_empty() {
        return;
    }
    let stress = if std::env::var_os("ORUS_GC_STRESS").is_some() { " (ORUS_GC_STRESS set)" } else { "" };
    let mut msg = format!("{} {suite} test(s) failed{stress}:\n", failures.len());
    for (label, reason) in failures {
        msg.push_str(&format!("FAIL {label}: {reason}\n"));
    }
    panic!("{msg}");
}

#[test]
fn programs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("programs");
    let mut cases = Vec::new();
    find_cases(&root, &root, &mut cases);
    assert!(!cases.is_empty(), "no test programs found under {}", root.display());
    let failures = run_cases(&cases);
    report("program", &failures);
}

/// The programs in `examples/` (each with its expected output beside it), so the README's
/// examples keep working.
#[test]
fn examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut cases = Vec::new();
    find_cases(&root, &root, &mut cases);
    assert!(cases.len() >= 3, "expected the example programs under {}", root.display());
    let failures = run_cases(&cases);
    report("example", &failures);
}

/// The parsed `tests/conformance-folders.txt`: folders to run, and `folder/test` labels to
/// leave out.
struct FolderList {
    folders: Vec<String>,
    excluded: BTreeSet<String>,
}

fn read_folder_list(path: &Path) -> FolderList {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut list = FolderList { folders: Vec::new(), excluded: BTreeSet::new() };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        match line.strip_prefix('!') {
            Some(test) => {
                list.excluded.insert(test.trim().trim_end_matches(".orus").to_string());
            }
            None => list.folders.push(line.to_string()),
        }
    }
    list
}

#[test]
fn conformance() {
    let crate_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let suite = crate_root.join("..").join("shared").join("conformance");
    if !suite.is_dir() {
        println!("note: {} does not exist; skipping the shared conformance suite", suite.display());
        return;
    }
    let list = read_folder_list(&crate_root.join("tests").join("conformance-folders.txt"));
    let mut cases = Vec::new();
    for folder in &list.folders {
        let dir = suite.join(folder);
        assert!(dir.is_dir(), "conformance-folders.txt names {folder}, but {} does not exist", dir.display());
        find_cases(&dir, &suite, &mut cases);
    }
    let known: BTreeSet<&str> = cases.iter().map(|c| c.label.as_str()).collect();
    for stale in list.excluded.iter().filter(|e| !known.contains(e.as_str())) {
        println!("note: exclusion !{stale} matches no test in the listed folders");
    }
    cases.retain(|c| !list.excluded.contains(&c.label));
    let failures = run_cases(&cases);
    report("conformance", &failures);
}
