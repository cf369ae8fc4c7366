//! Diagnostic tests.
//!
//! - `snapshots`: every `tests/diagnostics/*.orus` is checked with `orus check FILE` (in
//!   that folder, `NO_COLOR=1`) in the short and the human error format; stderr and the
//!   exit code are snapshot-tested with insta, one snapshot per file and format, stored in
//!   `tests/diagnostics/snapshots/NAME-short.snap` and `NAME-human.snap`. A file named
//!   after a code (`E2001_unknown_name.orus`) must also report that code.
//!   New or changed snapshots: run `INSTA_UPDATE=always cargo test --test diagnostics`
//!   (or `cargo insta test` + `cargo insta review`), review the files, commit them. With
//!   `CI=true` insta never writes snapshots and fails on missing ones, so they must be
//!   committed.
//! - `errors_md_*`: `ERRORS.md` has a `## CODE: title` section for every code in
//!   `src/diag/codes.rs`, in order, each with an `orus` example; `orus explain CODE` prints
//!   it; and the examples really trigger their codes (except those listed in
//!   `EXAMPLES_NOT_RUN`; those in `EXAMPLES_PENDING` wait for a feature and only print a note).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const ORUS: &str = env!("CARGO_BIN_EXE_orus");
const TIMEOUT: Duration = Duration::from_secs(10);

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The result of one run of the binary.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run the binary with `args` in `dir` (`NO_COLOR=1`, empty stdin), killing it after
/// `TIMEOUT`. Output is drained on threads so a chatty process cannot block on a full pipe.
fn run_orus(dir: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(ORUS)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {ORUS}: {e}"));
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= TIMEOUT => {
                let _ = child.kill();
                timed_out = true;
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = out.join().unwrap_or_default();
    let mut stderr = err.join().unwrap_or_default();
    if timed_out {
        stderr.push_str(&format!("\n<timed out after {}s>\n", TIMEOUT.as_secs()));
    }
    Run { code: if timed_out { None } else { status.and_then(|s| s.code()) }, stdout, stderr }
}

/// Read a child's pipe to the end on a thread, as lossy UTF-8.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Sorted `*.orus` files directly in `dir`.
fn orus_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        fs::read_dir(dir).map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "orus"));
    files.sort();
    files
}

/// The code a diagnostics test file is named after (`E2001_unknown_name` → `E2001`).
fn code_in_name(stem: &str) -> Option<&str> {
    let code = stem.get(..5)?;
    let bytes = code.as_bytes();
    (bytes[0] == b'E' && bytes[1..].iter().all(u8::is_ascii_digit)).then_some(code)
}

#[test]
fn snapshots() {
    let dir = crate_root().join("tests").join("diagnostics");
    let files = orus_files(&dir);
    assert!(!files.is_empty(), "no diagnostics tests in {}", dir.display());
    let mut failures: Vec<String> = Vec::new();
    for path in &files {
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        let file_name = format!("{stem}.orus");
        let source = fs::read_to_string(path).unwrap_or_default();
        for (format, args) in [
            ("short", vec!["check", "--error-format=short", file_name.as_str()]),
            ("human", vec!["check", file_name.as_str()]),
        ] {
            let run = run_orus(&dir, &args);
            let code = run.code.map_or_else(|| "none (killed or timed out)".to_string(), |c| c.to_string());
            let mut content = format!("exit: {code}\n");
            if !run.stdout.is_empty() {
                content.push_str(&format!("---- stdout ----\n{}", run.stdout));
            }
            content.push_str(&format!("---- stderr ----\n{}", run.stderr));

            if let Some(expected) = code_in_name(&stem) {
                if !run.stderr.contains(&format!("[{expected}]")) {
                    failures.push(format!("{stem} ({format}): stderr does not report {expected}:\n{}", run.stderr));
                }
            }

            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path("diagnostics/snapshots");
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.set_input_file(path);
            settings.set_description(source.clone());
            let snapshot_name = format!("{stem}-{format}");
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(snapshot_name.clone(), content.as_str()));
            }));
            if outcome.is_err() {
                failures.push(format!("{stem} ({format}): snapshot {snapshot_name} differs or is missing"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} diagnostics check(s) failed:\n{}\n(to accept new snapshots after review: INSTA_UPDATE=always cargo test --test diagnostics)",
        failures.len(),
        failures.join("\n")
    );
}

/// The codes in `src/diag/codes.rs`, in order of appearance.
fn codes_in_source() -> Vec<String> {
    let path = crate_root().join("src").join("diag").join("codes.rs");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut codes = Vec::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with("pub const")) {
        let mut parts = line.split('"');
        if let (Some(_), Some(code)) = (parts.next(), parts.next()) {
            codes.push(code.to_string());
        }
    }
    codes
}

/// One `## CODE: title` section of ERRORS.md with its first ```orus example.
struct Section {
    code: String,
    title: String,
    example: Option<String>,
}

fn errors_md_sections() -> Vec<Section> {
    let path = crate_root().join("ERRORS.md");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut sections: Vec<Section> = Vec::new();
    let mut in_example: Option<String> = None;
    for line in text.lines() {
        if let Some(buf) = in_example.as_mut() {
            if line.trim_end() == "```" {
                let example = in_example.take().unwrap_or_default();
                if let Some(s) = sections.last_mut() {
                    s.example.get_or_insert(example);
                }
            } else {
                buf.push_str(line);
                buf.push('\n');
            }
        } else if let Some(rest) = line.strip_prefix("## ") {
            let (code, title) = rest.split_once(": ").unwrap_or((rest, ""));
            sections.push(Section { code: code.to_string(), title: title.trim().to_string(), example: None });
        } else if line.trim_end() == "```orus" {
            in_example = Some(String::new());
        }
    }
    sections
}

#[test]
fn errors_md_lists_every_code_in_order() {
    let codes = codes_in_source();
    assert!(!codes.is_empty(), "no codes found in src/diag/codes.rs");
    let sections = errors_md_sections();
    let documented: Vec<&str> = sections.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(documented, codes, "ERRORS.md sections must be exactly the codes of codes.rs, in order");
    for s in &sections {
        assert!(!s.title.is_empty(), "{} has no title (the heading must be `## CODE: title`)", s.code);
        assert!(s.example.is_some(), "{} has no ```orus example", s.code);
    }
}

#[test]
fn explain_prints_every_section() {
    let mut failures = Vec::new();
    for s in errors_md_sections() {
        let run = run_orus(crate_root(), &["explain", &s.code]);
        if run.code != Some(0) || !run.stdout.contains(&s.code) || !run.stdout.contains(&s.title) {
            failures.push(format!(
                "orus explain {}: exit {:?}, stdout starts {:?}",
                s.code,
                run.code,
                clip(&run.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn clip(s: &str) -> String {
    s.chars().take(120).collect()
}

/// Examples in ERRORS.md that cannot trigger their code in a plain `orus check` / `orus run`
/// of one file, with the reason.
const EXAMPLES_NOT_RUN: &[(&str, &str)] = &[
    ("E0014", "needs a heap limit set by an embedding host"),
    ("E0015", "needs an instruction budget set by an embedding host"),
    ("E0016", "needs a deadline set by an embedding host"),
    ("E0017", "depends on the file system and std.io"),
    ("E0018", "needs an interrupt from an embedding host"),
    ("E0020", "needs a host function registered by an embedding host"),
    ("E0021", "needs a host function registered by an embedding host"),
    ("E1012", "a sketch: the real input is thousands of levels deep"),
    ("E2008", "which programs are rejected depends on the definite-assignment analysis"),
    ("E2027", "a sketch: the real input is a huge generated function"),
    ("E2032", "depends on which features this version lacks"),
    ("E3002", "needs two module files"),
    ("E3003", "needs two module files"),
    ("E9001", "no program should trigger an internal error"),
];

/// Examples that need a feature not implemented yet: they are run, but a failure is only
/// noted. Remove an entry when its feature lands (the test says when an example works).
const EXAMPLES_PENDING: &[(&str, &str)] = &[];

#[test]
fn errors_md_examples_trigger_their_codes() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("errors-md-examples");
    fs::create_dir_all(&scratch).unwrap_or_else(|e| panic!("cannot create {}: {e}", scratch.display()));
    let mut failures = Vec::new();
    for s in errors_md_sections() {
        if EXAMPLES_NOT_RUN.iter().any(|(code, _)| *code == s.code) {
            continue;
        }
        let Some(example) = &s.example else {
            continue;
        };
        let file_name = format!("{}.orus", s.code);
        let path = scratch.join(&file_name);
        fs::write(&path, example).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        let runtime = s.code.starts_with("E0");
        let run = if runtime {
            run_orus(&scratch, &["run", &file_name])
        } else {
            run_orus(&scratch, &["check", "--error-format=short", &file_name])
        };
        let wanted = format!("[{}]", s.code);
        let exit_ok = if runtime { run.code == Some(70) } else { run.code.is_some() };
        let works = run.stderr.contains(&wanted) && exit_ok;
        if let Some((_, feature)) = EXAMPLES_PENDING.iter().find(|(code, _)| *code == s.code) {
            if works {
                println!("note: the {} example works now: remove it from EXAMPLES_PENDING", s.code);
            } else {
                println!("note: the {} example does not trigger its code yet (needs {feature})", s.code);
            }
            continue;
        }
        if !works {
            failures.push(format!(
                "{} example: exit {:?}, stderr lacks {wanted}:\n{}",
                s.code,
                run.code,
                run.stderr.trim_end()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} ERRORS.md example(s) do not trigger their code:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
