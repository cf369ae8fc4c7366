//! Reading REPL inputs: on a terminal, rustyline (line editing, a history file in
//! `$HOME/.orus_history`); otherwise plain lines from stdin, without prompts, so sessions
//! can be piped and tested. A line ending in `:` starts a block that a blank line ends.

use std::io::{BufRead, IsTerminal};

use super::Session;

const PROMPT: &str = ">>> ";
const MORE: &str = "... ";

/// Runs an interactive session until `:quit` or end of input; returns the exit code.
pub fn run() -> u8 {
    let tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let color = tty && crate::diag::render::should_color();
    let mut session = Session::new(color, Box::new(std::io::stdout()), Box::new(std::io::stderr()));
    if tty {
        super::interrupt::install();
    }
    if tty {
        match rustyline::DefaultEditor::new() {
            Ok(editor) => return terminal(&mut session, editor),
            Err(e) => eprintln!("warning: line editing unavailable ({e}); reading plain lines"),
        }
    }
    // One line at a time through the shared stdin buffer (not a long-held lock), so the
    // session's own `input()` calls read the lines that follow.
    let mut next = |_: &str| {
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
        }
    };
    drive(&mut session, &mut next);
    0
}

/// Reads inputs with `next_line(prompt)` and hands them to the session.
fn drive(session: &mut Session, next_line: &mut dyn FnMut(&str) -> Option<String>) {
    while let Some(first) = next_line(PROMPT) {
        let mut input = first.clone();
        if !first.trim_start().starts_with(':') && first.trim_end().ends_with(':') {
            while let Some(line) = next_line(MORE) {
                if line.trim().is_empty() {
                    break;
                }
                input.push('\n');
                input.push_str(&line);
            }
        }
        if !session.handle(&input) {
            break;
        }
    }
}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("ORUS_HISTORY")
        .map(Into::into)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".orus_history")))
}

fn terminal(session: &mut Session, mut editor: rustyline::DefaultEditor) -> u8 {
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!("Orus {} — :help for help, :quit to leave", env!("CARGO_PKG_VERSION"));
    {
        let mut next = |prompt: &str| loop {
            match editor.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                    }
                    return Some(line);
                }
                // Ctrl-C abandons the current line, like most REPLs.
                Err(rustyline::error::ReadlineError::Interrupted) => continue,
                Err(_) => return None,
            }
        };
        drive(session, &mut next);
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    0
}
