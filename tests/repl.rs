//! The REPL (`orus repl` and `orus` without arguments) driven through a pipe: definitions
//! persist between inputs, expressions print with their type, errors are reported without
//! ending the session, earlier side effects never repeat, and `:type`, `:disasm`, `:load`,
//! `:help` and `:quit` work.

use std::io::Write;
use std::process::{Command, Stdio};

const ORUS: &str = env!("CARGO_BIN_EXE_orus");

struct Session {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn session(args: &[&str], input: &str) -> Session {
    let mut child = Command::new(ORUS)
        .args(args)
        .env("NO_COLOR", "1")
        .env("ORUS_HISTORY", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start orus");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("wait");
    Session {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

#[test]
fn define_then_call_on_the_next_input() {
    let s = session(&["repl"], "fn sq(x: i32) -> i32:\n    return x * x\n\nsq(7)\n");
    assert_eq!(s.stdout, "49 : i32\n", "stderr: {}", s.stderr);
    assert_eq!(s.code, Some(0));
}

#[test]
fn errors_do_not_end_the_session() {
    let s = session(&[], "x = 1\ny = nope + 1\nx + 1\n1 / 0\nx + 2\n");
    assert_eq!(s.stdout, "2 : i32\n3 : i32\n");
    assert!(s.stderr.contains("error[E2001]: unknown name `nope`"), "{}", s.stderr);
    assert!(s.stderr.contains("error[E0001]: division by zero"), "{}", s.stderr);
}

#[test]
fn variables_persist_and_side_effects_do_not_repeat() {
    let input = "mut n = 1\nprint(\"once\")\nn += 10\nn\nlet n = \"text\"\nn\nn = 3\n";
    let s = session(&["repl"], input);
    assert_eq!(s.stdout, "once\n11 : i32\n\"text\" : string\n");
    // `n` is now an immutable string binding: assigning it is the usual E2003.
    assert!(s.stderr.contains("E2003"), "{}", s.stderr);
}

#[test]
fn structs_arrays_and_type_command() {
    let input =
        "struct P:\n    x: i32\n    y: i32\n\np = P { x: 1, y: 2 }\np\n[p.x, p.y]\n:type p.x > 0\n:type print(1)\n";
    let s = session(&["repl"], input);
    assert_eq!(s.stdout, "P { x: 1, y: 2 } : P\n[1, 2] : [i32]\np.x > 0 : bool\nprint(1) : void\n", "{}", s.stderr);
}

#[test]
fn disasm_load_help_and_quit() {
    let dir = std::env::temp_dir().join(format!("orus-repl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("lib.orus");
    std::fs::write(&file, "fn twice(x: i32) -> i32:\n    return x * 2\nprint(\"loaded\")\n").expect("write");
    let input = format!(":load {}\ntwice(21)\n:disasm twice\n:help\n:quit\nprint(\"after quit\")\n", file.display());
    let s = session(&["repl"], &input);
    assert!(s.stdout.starts_with("loaded\n42 : i32\nfn #"), "{}", s.stdout);
    assert!(s.stdout.contains("twice") && s.stdout.contains("Mul"), "{}", s.stdout);
    assert!(s.stdout.contains(":type EXPR"), "{}", s.stdout);
    assert!(!s.stdout.contains("after quit"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn redefining_a_function_replaces_it() {
    let input = "fn f() -> i32:\n    return 1\n\nfn g() -> i32:\n    return f() + 10\n\ng()\nfn f() -> i32:\n    return 2\n\ng()\n";
    let s = session(&["repl"], input);
    assert_eq!(s.stdout, "11 : i32\n12 : i32\n", "{}", s.stderr);
}

#[test]
fn piped_statements_run_through_repl_and_bare_orus() {
    // Was tests/bugs/repl_missing.orus: `orus repl` treated `repl` as a file name and a
    // bare `orus` printed the usage.
    for args in [&["repl"][..], &[][..]] {
        let s = session(args, "x = 5\nprint(x * 2)\n");
        assert_eq!((s.stdout.as_str(), s.code), ("10\n", Some(0)), "{args:?}: {}", s.stderr);
    }
}

#[test]
fn input_reads_the_next_line_of_the_session() {
    let s = session(&["repl"], "name = input()\nAda\nprint(\"hi \" + name)\n");
    assert_eq!(s.stdout, "hi Ada\n", "{}", s.stderr);
}

#[test]
fn std_modules_can_be_imported() {
    let s = session(&["repl"], "use std.math: sqrt\nsqrt(16.0)\nuse std.string\nstring.pad_left(\"7\", 3, \"0\")\n");
    assert_eq!(s.stdout, "4 : f64\n\"007\" : string\n", "{}", s.stderr);
}

#[test]
fn runtime_errors_show_the_input_as_typed() {
    let s = session(&["repl"], "1 / 0\n");
    assert!(s.stderr.contains("1 | 1 / 0"), "{}", s.stderr);
    assert!(!s.stderr.contains("__it"), "{}", s.stderr);
}
