//! The `orus` command line: a thin client of the library. Exit codes: 0 success, 65 compile
//! errors (nothing ran), 70 uncaught runtime error or internal error, else `main`'s value.

use clap::{Parser, Subcommand, ValueEnum};
use orus::diag::render::{render_diagnostics, render_runtime_error, should_color, ErrorFormat};
use std::io::Write;
use std::process::ExitCode;

const EXIT_COMPILE_ERROR: u8 = 65;
const EXIT_RUNTIME_ERROR: u8 = 70;

#[derive(Parser)]
#[command(name = "orus", version, about = "The Orus language: run, check and inspect programs")]
struct Cli {
    /// How diagnostics are printed.
    #[arg(long = "error-format", value_enum, default_value_t = Format::Human, global = true)]
    error_format: Format,
    #[command(subcommand)]
    command: Option<Command>,
    /// `orus FILE [ARGS...]` is short for `orus run FILE [ARGS...]`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Short,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program; arguments after the file are passed to `main(args)`.
    Run {
        file: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Type-check files without running them.
    Check { files: Vec<String> },
    /// Print the compiled bytecode, function by function.
    Disasm { file: String },
    /// Print the long explanation of an error code, e.g. `orus explain E2001`.
    Explain { code: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match cli.error_format {
        Format::Human => ErrorFormat::Human,
        Format::Short => ErrorFormat::Short,
        Format::Json => ErrorFormat::Json,
    };
    let code = match cli.command {
        Some(Command::Run { file, args }) => run(&file, &args, format),
        Some(Command::Check { files }) => check(&files, format),
        Some(Command::Disasm { file }) => disasm(&file, format),
        Some(Command::Explain { code }) => explain(&code),
        None => match cli.rest.split_first() {
            Some((file, args)) => run(file, args, format),
            None => {
                eprintln!("usage: orus run FILE [ARGS...] | orus check FILE... | orus disasm FILE | orus explain CODE");
                2
            }
        },
    };
    ExitCode::from(code)
}

fn read(path: &str) -> Result<String, u8> {
    std::fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).map_err(|e| {
        eprintln!("error: cannot read `{path}`: {e}");
        EXIT_COMPILE_ERROR
    })
}

/// Compile, printing diagnostics; the program when there were no errors.
fn compile(
    path: &str,
    format: ErrorFormat,
) -> Result<(orus::bytecode::chunk::Program, Vec<orus::diag::SourceFile>), u8> {
    let src = read(path)?;
    let compiled = orus::compile_source(path, &src);
    if !compiled.diagnostics.is_empty() {
        eprint!("{}", render_diagnostics(&compiled.diagnostics, &compiled.files, format, should_color()));
    }
    let internal = compiled.diagnostics.iter().any(|d| d.code == orus::diag::codes::INTERNAL);
    match compiled.program {
        Some(p) if !compiled.has_errors() => Ok((p, compiled.files)),
        _ if internal => Err(EXIT_RUNTIME_ERROR),
        _ => Err(EXIT_COMPILE_ERROR),
    }
}

fn run(path: &str, args: &[String], format: ErrorFormat) -> u8 {
    let (program, files) = match compile(path, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        orus::run_program(&program, &orus::VmConfig::default(), args, &mut out)
    }));
    let _ = out.flush();
    match result {
        Ok(Ok(code)) => code as u8,
        Ok(Err(err)) => {
            eprint!("{}", render_runtime_error(&err, &files, format, should_color()));
            EXIT_RUNTIME_ERROR
        }
        Err(_) => {
            eprintln!("error[E9001]: internal error: the Orus VM panicked (this is a bug in Orus)");
            EXIT_RUNTIME_ERROR
        }
    }
}

fn check(files: &[String], format: ErrorFormat) -> u8 {
    let mut worst = 0;
    for f in files {
        if let Err(code) = compile(f, format) {
            worst = worst.max(code);
        }
    }
    worst
}

fn explain(code: &str) -> u8 {
    match orus::diag::explain::explain(code) {
        Some(text) => {
            print!("{text}");
            0
        }
        None => {
            eprintln!("error: unknown error code `{code}` (codes look like E2001; see ERRORS.md)");
            2
        }
    }
}

fn disasm(path: &str, format: ErrorFormat) -> u8 {
    match compile(path, format) {
        Ok((p, _)) => {
            print!("{}", orus::bytecode::disasm::disassemble(&p));
            0
        }
        Err(code) => code,
    }
}
