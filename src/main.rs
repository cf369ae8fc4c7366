//! The `orus` command line: a thin client of the library. Exit codes: 0 success, 65 compile
//! errors (nothing ran), 70 uncaught runtime error or internal error, else `main`'s value.
//! `orus run` takes resource limits (`--max-heap`, `--max-instructions`, `--timeout`, see
//! `RunOpts`) and `--gc-stats`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use orus::diag::render::{render_diagnostics, render_runtime_error, should_color, ErrorFormat};
use orus::vm::GcStats;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    #[command(flatten)]
    run_opts: RunOpts,
    /// `orus [OPTIONS] FILE [ARGS...]` is short for `orus run [OPTIONS] FILE [ARGS...]`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Limits and reports of `orus run`. Each limit violation is a catchable runtime error with
/// its own code; uncaught, it exits 70 like any runtime error.
#[derive(Args, Clone, Copy, Default)]
struct RunOpts {
    /// Heap limit: raise E0014 "out of memory" when live data would exceed SIZE. SIZE is in
    /// bytes, or with a K, M or G suffix (powers of 1024), e.g. 64M or 1G.
    #[arg(long = "max-heap", value_name = "SIZE", value_parser = parse_size)]
    max_heap: Option<usize>,
    /// Instruction budget: raise E0015 after about N instructions (counted at calls and
    /// loop iterations).
    #[arg(long = "max-instructions", value_name = "N")]
    max_instructions: Option<u64>,
    /// Wall-clock limit for the run: raise E0016 after SECONDS (fractions allowed, e.g. 0.5).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    timeout: Option<Duration>,
    /// Print garbage-collector statistics to stderr when the program ends.
    #[arg(long = "gc-stats")]
    gc_stats: bool,
}

impl RunOpts {
    /// Options given to `run` win over those given before the subcommand.
    fn or(self, outer: RunOpts) -> RunOpts {
        RunOpts {
            max_heap: self.max_heap.or(outer.max_heap),
            max_instructions: self.max_instructions.or(outer.max_instructions),
            timeout: self.timeout.or(outer.timeout),
            gc_stats: self.gc_stats || outer.gc_stats,
        }
    }

    fn config(&self) -> orus::VmConfig {
        orus::VmConfig {
            max_heap_bytes: self.max_heap,
            instruction_budget: self.max_instructions,
            deadline: self.timeout.and_then(|t| Instant::now().checked_add(t)),
            ..orus::VmConfig::default()
        }
    }
}

/// `64M`, `1g`, `512K`, `64MiB`, `1048576`: a positive byte count.
fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: usize = num.parse().map_err(|_| format!("`{text}` is not a size (try 64M or 1G)"))?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("unknown size unit in `{text}` (use K, M or G)")),
    };
    match n.checked_mul(1usize << shift) {
        Some(0) => Err("the heap limit must be positive".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is too large")),
    }
}

/// A positive number of seconds, e.g. `2` or `0.25`.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if secs <= 0.0 {
        return Err("the timeout must be positive".to_string());
    }
    Duration::try_from_secs_f64(secs).map_err(|_| format!("`{text}` is not a usable timeout"))
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
        #[command(flatten)]
        opts: RunOpts,
        /// The program file, then its arguments (everything after the file is passed on,
        /// even what looks like an option).
        #[arg(value_name = "FILE [ARGS]", required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        program: Vec<String>,
    },
    /// Type-check files without running them.
    Check { files: Vec<String> },
    /// Print the compiled bytecode, function by function.
    Disasm { file: String },
    /// Print the long explanation of an error code, e.g. `orus explain E2001`.
    Explain { code: String },
    /// Start an interactive session (also: `orus` without arguments).
    Repl,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match cli.error_format {
        Format::Human => ErrorFormat::Human,
        Format::Short => ErrorFormat::Short,
        Format::Json => ErrorFormat::Json,
    };
    let code = match cli.command {
        Some(Command::Run { opts, program }) => match program.split_first() {
            Some((file, args)) => run(file, args, format, opts.or(cli.run_opts)),
            None => 2,
        },
        Some(Command::Check { files }) => check(&files, format),
        Some(Command::Disasm { file }) => disasm(&file, format),
        Some(Command::Explain { code }) => explain(&code),
        Some(Command::Repl) => orus::repl::run(),
        None => match cli.rest.split_first() {
            Some((file, args)) => run(file, args, format, cli.run_opts),
            None => orus::repl::run(),
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

fn run(path: &str, args: &[String], format: ErrorFormat, opts: RunOpts) -> u8 {
    let (program, files) = match compile(path, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let config = opts.config();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        orus::vm::run_stats(&program, &config, args, &mut out)
    }));
    let _ = out.flush();
    let (code, stats) = match result {
        Ok((Ok(code), stats)) => (code as u8, Some(stats)),
        Ok((Err(err), stats)) => {
            eprint!("{}", render_runtime_error(&err, &files, format, should_color()));
            (EXIT_RUNTIME_ERROR, Some(stats))
        }
        Err(_) => {
            eprintln!("error[E9001]: internal error: the Orus VM panicked (this is a bug in Orus)");
            (EXIT_RUNTIME_ERROR, None)
        }
    };
    if let (true, Some(stats)) = (opts.gc_stats, stats) {
        eprint!("{}", gc_report(&stats));
    }
    code
}

/// The `--gc-stats` report.
fn gc_report(s: &GcStats) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    format!(
        "gc: {} collections, pause total {:.3} ms, max {:.3} ms\n\
         gc: allocated {:.1} MiB, peak live {:.1} MiB, peak heap {:.1} MiB, freed {} objects\n",
        s.collections,
        ms(s.total_pause),
        ms(s.max_pause),
        mib(s.allocated_bytes),
        mib(s.peak_live_bytes as u64),
        mib(s.peak_heap_bytes as u64),
        s.freed_objects,
    )
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
