//! Ctrl-C in an interactive REPL: while an input runs, it interrupts that program (a
//! runtime error E0018, and the session goes on) instead of killing the process. At the
//! prompt, rustyline reads Ctrl-C as a key, so the handler only sees it during a run.

use std::sync::Mutex;

use crate::api::{InterruptHandle, Program};

/// The handle of the program running now, if any.
static RUNNING: Mutex<Option<InterruptHandle>> = Mutex::new(None);

/// Installs the SIGINT handler (once per process; a second call is a no-op).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        let running = RUNNING.lock().ok().and_then(|r| r.clone());
        match running {
            Some(h) => h.interrupt(),
            // Between inputs without a terminal prompt (should not happen): leave, as a
            // shell would.
            None => std::process::exit(130),
        }
    });
}

/// Runs `f` on `program` with Ctrl-C wired to its interrupt flag.
pub fn while_running<T>(program: &mut Program, f: impl FnOnce(&mut Program) -> T) -> T {
    let handle = program.interrupt_handle();
    if let Ok(mut r) = RUNNING.lock() {
        *r = Some(handle);
    }
    let result = f(program);
    if let Ok(mut r) = RUNNING.lock() {
        *r = None;
    }
    result
}
