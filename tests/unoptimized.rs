//! Optimized codegen against the simple mode: every golden program (everything under
//! `tests/programs/`, and the `../shared/conformance` folders listed in
//! `tests/conformance-folders.txt`) is run with the default codegen and again with
//! `ORUS_UNOPTIMIZED=1` (no immediates, no fused compare-and-branch, no direct register
//! writes; see `src/codegen/opt.rs`), with the same arguments and stdin. The two runs must
//! agree on stdout, stderr and the exit code, so an optimization can never change what a
//! program does. (Whether that output is the expected one is `tests/golden.rs`'s job.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(20);
const ORUS: &str = env!("CARGO_BIN_EXE_orus");

fn find_programs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            find_programs(&path, out);
        } else if path.extension().is_some_and(|e| e == "orus") && path.with_extension("out").is_file() {
            out.push(path);
        }
    }
}

/// stdout, stderr and exit code (`None`: killed or timed out) of one run.
type Outcome = (Vec<u8>, Vec<u8>, Option<i32>);

static SCRATCH: AtomicUsize = AtomicUsize::new(0);

fn run(source: &Path, unoptimized: bool) -> Result<Outcome, String> {
    let dir = source.parent().ok_or("no parent folder")?;
    let name = source.file_name().ok_or("no file name")?;
    let base = source.with_extension("");
    let sibling = |ext: &str| PathBuf::from(format!("{}.{ext}", base.display()));
    let args: Vec<String> = fs::read_to_string(sibling("args"))
        .map(|t| t.lines().next().unwrap_or("").split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let stdin = match fs::File::open(sibling("stdin")) {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::null(),
    };
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out_path = scratch.join(format!("unopt-{}-{n}.stdout", std::process::id()));
    let err_path = scratch.join(format!("unopt-{}-{n}.stderr", std::process::id()));
    let out_file = fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err_file = fs::File::create(&err_path).map_err(|e| e.to_string())?;
    let mut child = Command::new(ORUS)
        .arg("run")
        .arg(name)
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ORUS_UNOPTIMIZED", if unoptimized { "1" } else { "0" })
        .stdin(stdin)
        .stdout(out_file)
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start {ORUS}: {e}"))?;
    let started = Instant::now();
    let code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if started.elapsed() >= TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let stdout = fs::read(&out_path).unwrap_or_default();
    let stderr = fs::read(&err_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    Ok((stdout, stderr, code))
}

fn compare(source: &Path) -> Option<String> {
    let (opt, simple) = match (run(source, false), run(source, true)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Some(e),
    };
    let mut diffs = Vec::new();
    if opt.0 != simple.0 {
        diffs.push(format!(
            "stdout differs:\n--- optimized\n{}\n--- unoptimized\n{}",
            String::from_utf8_lossy(&opt.0),
            String::from_utf8_lossy(&simple.0)
        ));
    }
    if opt.1 != simple.1 {
        diffs.push(format!(
            "stderr differs:\n--- optimized\n{}\n--- unoptimized\n{}",
            String::from_utf8_lossy(&opt.1),
            String::from_utf8_lossy(&simple.1)
        ));
    }
    if opt.2 != simple.2 || opt.2.is_none() {
        diffs.push(format!("exit codes: optimized {:?}, unoptimized {:?}", opt.2, simple.2));
    }
    (!diffs.is_empty()).then(|| diffs.join("\n"))
}

#[test]
fn optimized_and_unoptimized_codegen_agree_on_every_golden_program() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut programs = Vec::new();
    find_programs(&root.join("tests/programs"), &mut programs);
    let shared = root.join("../shared/conformance");
    if let Ok(list) = fs::read_to_string(root.join("tests/conformance-folders.txt")) {
        for line in list.lines().map(|l| l.split('#').next().unwrap_or("").trim()) {
            if !line.is_empty() && !line.starts_with('!') {
                find_programs(&shared.join(line), &mut programs);
            }
        }
    }
    assert!(programs.len() > 50, "found only {} golden programs", programs.len());
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = programs.get(i) else { break };
                if let Some(why) = compare(p) {
                    failures.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{}: {why}", p.display()));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    assert!(
        failures.is_empty(),
        "{} of {} programs differ:\n\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n\n")
    );
}
