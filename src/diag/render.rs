//! Rendering of diagnostics and uncaught runtime errors at the edge of the toolchain.
//!
//! Three formats:
//! - `Human`: an ariadne report per diagnostic (header `error[E2001]: title`, a
//!   `╭─[ file.orus:LINE:COL ]` location line, the source with the primary and secondary
//!   labels, then `help:` / `note:`). Colour only when asked for.
//! - `Short`: one line per diagnostic, `file:line:col: error[E2001]: title: label`.
//! - `Json`: one JSON object per line (hand-written escaping, no serde).
//!
//! Uncaught runtime errors print `error[E0001]: message`, ` --> file:line:col` (the column
//! of the first non-blank character of the innermost frame's line, which the VM does not
//! record more precisely), that source line, and `stack trace (innermost first):` with one
//! `  at NAME (file:line)` per frame; repeated frames and very deep traces are shortened.
//!
//! Lines are 1-based and count `\n`; columns are 1-based and count characters (not bytes),
//! which is what ariadne prints too. A position at the very end of a file that ends with a
//! line break is shown at the end of its last line. Spans that fall outside their text,
//! split a UTF-8 character, or name a file that does not exist are clamped or degraded,
//! never a panic.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

use ariadne::{Color, Config, Fmt, IndexType, Label as AriadneLabel, Report, ReportKind, Source};

use super::{Diagnostic, Label, Severity, SourceFile};
use crate::syntax::span::Span;
use crate::vm::error::{RuntimeError, TraceFrame, TRACE_INNER};

/// How diagnostics and runtime errors are printed (`--error-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorFormat {
    Human,
    Short,
    Json,
}

impl ErrorFormat {
    /// The format's command-line name: `human`, `short` or `json`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorFormat::Human => "human",
            ErrorFormat::Short => "short",
            ErrorFormat::Json => "json",
        }
    }
}

impl std::str::FromStr for ErrorFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<ErrorFormat, String> {
        match s {
            "human" => Ok(ErrorFormat::Human),
            "short" => Ok(ErrorFormat::Short),
            "json" => Ok(ErrorFormat::Json),
            other => Err(format!("unknown error format `{other}` (expected human, short or json)")),
        }
    }
}

/// Render compile diagnostics. `color` only affects Human. Diagnostics are printed in the
/// given order. Human reports are separated by a blank line; Short and Json print one line
/// per diagnostic. The result ends with a newline unless `diags` is empty.
pub fn render_diagnostics(diags: &[Diagnostic], files: &[SourceFile], format: ErrorFormat, color: bool) -> String {
    let mut ctx = Files::new(files);
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        match format {
            ErrorFormat::Human => {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&human_diagnostic(d, &mut ctx, color));
            }
            ErrorFormat::Short => out.push_str(&short_diagnostic(d, &mut ctx)),
            ErrorFormat::Json => out.push_str(&json_diagnostic(d, &mut ctx)),
        }
    }
    out
}

/// Render an uncaught runtime error: message with code, the source location of the
/// innermost frame (file:line), and the Orus stack trace (innermost first:
/// "  at NAME (file:line)"). Long traces are shortened (repeated frames collapsed, the
/// middle of very deep traces omitted).
pub fn render_runtime_error(err: &RuntimeError, files: &[SourceFile], format: ErrorFormat, color: bool) -> String {
    let mut ctx = Files::new(files);
    match format {
        ErrorFormat::Human => human_runtime(err, &mut ctx, color),
        ErrorFormat::Short => short_runtime(err, &mut ctx),
        ErrorFormat::Json => json_runtime(err, &mut ctx),
    }
}

/// Whether to use colour: stderr is a terminal, `NO_COLOR` is not set, and `TERM` is not
/// `dumb`.
pub fn should_color() -> bool {
    use std::io::IsTerminal;
    if std::env::var_os("NO_COLOR").is_some() {
        return false;
    }
    if std::env::var_os("TERM").is_some_and(|t| t == "dumb") {
        return false;
    }
    std::io::stderr().is_terminal()
}

// ---------------------------------------------------------------------------------------
// Source files: clamping, line/column lookup, ariadne sources.

/// Per-render view of the source files, with lazily built line tables.
struct Files<'a> {
    files: &'a [SourceFile],
    prepared: Vec<Option<Prepared<'a>>>,
}

/// One file made safe for ariadne and indexed by line.
struct Prepared<'a> {
    /// The text with every line separator other than `\n` / `\r\n` replaced by spaces of
    /// the same byte length, so that ariadne's lines agree with ours.
    text: Cow<'a, str>,
    /// Byte offsets of line starts.
    line_starts: Vec<usize>,
    /// Built on first use by the Human format.
    source: Option<Source<String>>,
}

/// A resolved source location: 1-based line and character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    line: usize,
    col: usize,
}

/// A resolved span: its file name, clamped byte range and start/end positions.
struct Located {
    file: String,
    range: Range<usize>,
    start: Pos,
    end: Pos,
    /// Whether the file exists (otherwise positions are 0).
    known: bool,
}

const UNKNOWN_FILE: &str = "<unknown>";

impl<'a> Files<'a> {
    fn new(files: &'a [SourceFile]) -> Files<'a> {
        Files { files, prepared: files.iter().map(|_| None).collect() }
    }

    fn name(&self, file: u32) -> &str {
        self.files.get(file as usize).map_or(UNKNOWN_FILE, |f| f.name.as_str())
    }

    fn prepared(&mut self, file: u32) -> Option<&mut Prepared<'a>> {
        let idx = file as usize;
        let src = self.files.get(idx)?;
        let slot = self.prepared.get_mut(idx)?;
        Some(slot.get_or_insert_with(|| Prepared::new(&src.text)))
    }

    fn locate(&mut self, span: Span) -> Located {
        let name = self.name(span.file).to_string();
        match self.prepared(span.file) {
            Some(p) => {
                let mut range = clamp_range(&p.text, span.start as usize, span.end as usize);
                // A position at the very end of a text that ends with a line break is shown
                // at the end of the last line, not on a phantom empty line after it.
                let len = p.text.len();
                if range.start == len && len > 0 {
                    let body = p.text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t));
                    if let Some(body) = body {
                        range = body.len()..body.len();
                    }
                }
                let start = p.pos(range.start);
                let end = p.pos(range.end);
                Located { file: name, range, start, end, known: true }
            }
            None => Located {
                file: name,
                range: 0..0,
                start: Pos { line: 0, col: 0 },
                end: Pos { line: 0, col: 0 },
                known: false,
            },
        }
    }
}

impl<'a> Prepared<'a> {
    fn new(text: &'a str) -> Prepared<'a> {
        let text = sanitize_separators(text);
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Prepared { text, line_starts, source: None }
    }

    /// 0-based line index of a (clamped) byte offset.
    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based line and character column of a byte offset on a char boundary.
    fn pos(&self, offset: usize) -> Pos {
        let li = self.line_index(offset);
        let start = self.line_starts.get(li).copied().unwrap_or(0).min(offset);
        let col = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        Pos { line: li + 1, col: col + 1 }
    }

    /// The text of 1-based line `line`, without its line terminator.
    fn line_text(&self, line: usize) -> Option<&str> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self.line_starts.get(line).map_or(self.text.len(), |&e| e.saturating_sub(1));
        let s = self.text.get(start..end.max(start))?;
        Some(s.strip_suffix('\r').unwrap_or(s))
    }

    fn source(&mut self) -> &Source<String> {
        let text = &self.text;
        self.source.get_or_insert_with(|| Source::from(text.to_string()))
    }
}

/// Replace line separators that ariadne recognises but Orus does not (a lone `\r`, vertical
/// tab, form feed, U+0085, U+2028, U+2029) by spaces of the same byte length.
fn sanitize_separators(text: &str) -> Cow<'_, str> {
    let odd = |c: char| matches!(c, '\r' | '\x0B' | '\x0C' | '\u{85}' | '\u{2028}' | '\u{2029}');
    if !text.contains(odd) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if odd(c) {
            for _ in 0..c.len_utf8() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Clamp a byte range to `text`: within bounds, `start <= end`, both on char boundaries
/// (start rounded down, end rounded up).
fn clamp_range(text: &str, start: usize, end: usize) -> Range<usize> {
    let len = text.len();
    let mut s = start.min(len);
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = end.clamp(s, len);
    while e < len && !text.is_char_boundary(e) {
        e += 1;
    }
    s..e
}

/// Make a message fit on one line: line breaks (and the indentation after them) become "; ".
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, part) in s.lines().map(str::trim).filter(|p| !p.is_empty()).enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(part);
    }
    out
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn severity_color(s: Severity) -> Color {
    match s {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
    }
}

/// `text` in `color` when colour is on.
fn paint(text: &str, color: Color, on: bool) -> String {
    if on {
        format!("{}", text.fg(color))
    } else {
        text.to_string()
    }
}

// ---------------------------------------------------------------------------------------
// Human format.

/// An ariadne cache over the prepared files, keyed by file index.
struct AriadneCache<'f, 'a> {
    files: &'f mut Files<'a>,
}

impl ariadne::Cache<u32> for AriadneCache<'_, '_> {
    type Storage = String;

    fn fetch(&mut self, id: &u32) -> Result<&Source<String>, impl std::fmt::Debug> {
        match self.files.prepared(*id) {
            Some(p) => Ok(p.source()),
            None => Err(format!("no source file {id}")),
        }
    }

    fn display<'b>(&self, id: &'b u32) -> Option<impl std::fmt::Display + 'b> {
        Some(self.files.name(*id).to_string())
    }
}

/// A labelled span resolved for ariadne: file index and clamped byte range.
type AriadneSpan = (u32, Range<usize>);

fn human_diagnostic(d: &Diagnostic, files: &mut Files<'_>, color: bool) -> String {
    let header = format!(
        "{}: {}",
        paint(&format!("{}[{}]", severity_word(d.severity), d.code), severity_color(d.severity), color),
        d.title
    );
    let primary = files.locate(d.primary.span);
    if !primary.known {
        return human_without_source(d, &header, files);
    }

    // One ariadne report per file: the primary's file first, then every other file with
    // secondary labels, in order of first appearance. (ariadne locates the header of a
    // second file in one report by a character offset taken as a byte offset, which is
    // wrong for non-ASCII text, so each file gets a report of its own.) Labels in files
    // that do not exist become plain notes.
    let primary_span: AriadneSpan = (d.primary.span.file, primary.range);
    let primary_label = make_label(primary_span.clone(), &d.primary.message, severity_color(d.severity), color, 0, 10);
    let mut sections: Vec<(AriadneSpan, Vec<AriadneLabel<AriadneSpan>>)> = vec![(primary_span, vec![primary_label])];
    let mut orphans: Vec<&Label> = Vec::new();
    for (i, label) in d.secondary.iter().enumerate() {
        let loc = files.locate(label.span);
        if !loc.known {
            orphans.push(label);
            continue;
        }
        let order = i32::try_from(i).unwrap_or(i32::MAX - 1).saturating_add(1);
        let span: AriadneSpan = (label.span.file, loc.range);
        let made = make_label(span.clone(), &label.message, Color::Blue, color, order, 0);
        match sections.iter_mut().find(|(s, _)| s.0 == label.span.file) {
            Some((_, labels)) => labels.push(made),
            None => sections.push((span, vec![made])),
        }
    }

    let mut out = String::new();
    out.push_str(&header);
    out.push('\n');
    let last = sections.len() - 1;
    for (i, (span, labels)) in sections.into_iter().enumerate() {
        let (help, note) = if i == last { (d.help.as_deref(), d.note.as_deref()) } else { (None, None) };
        match ariadne_section(d.severity, span, labels, help, note, files, color) {
            Some(body) => out.push_str(&body),
            None => return human_without_source(d, &header, files),
        }
    }
    for label in orphans {
        let _ = writeln!(out, "  = note: {}", one_line(&label.message));
    }
    out
}

/// The body of one ariadne report (everything after its header line), with `help:` /
/// `note:` in lowercase and trailing spaces removed. `None` if ariadne failed.
fn ariadne_section(
    severity: Severity,
    span: AriadneSpan,
    labels: Vec<AriadneLabel<AriadneSpan>>,
    help: Option<&str>,
    note: Option<&str>,
    files: &mut Files<'_>,
    color: bool,
) -> Option<String> {
    let config = Config::default().with_color(color).with_index_type(IndexType::Byte);
    let kind = match severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let mut builder = Report::build(kind, span).with_config(config).with_labels(labels);
    if let Some(help) = help {
        builder = builder.with_help(help);
    }
    if let Some(note) = note {
        builder = builder.with_note(note);
    }
    let report = builder.finish();

    // ariadne is not supposed to panic on clamped spans; should it anyway, fall back to a
    // plain report rather than take the toolchain down.
    let mut buf: Vec<u8> = Vec::new();
    let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        report.write(AriadneCache { files: &mut *files }, &mut buf)
    }));
    let (Ok(Ok(())), Ok(text)) = (written, String::from_utf8(buf)) else {
        return None;
    };
    // Drop ariadne's own header line; the caller writes ours.
    let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
    let mut out = String::with_capacity(rest.len());
    for line in rest.lines() {
        out.push_str(lowercase_help_note(line).trim_end());
        out.push('\n');
    }
    Some(out)
}

fn make_label(
    span: (u32, Range<usize>),
    message: &str,
    label_color: Color,
    color: bool,
    order: i32,
    priority: i32,
) -> AriadneLabel<(u32, Range<usize>)> {
    let mut label = AriadneLabel::new(span).with_order(order).with_priority(priority);
    // ariadne cannot lay out a multi-line label message; join its lines.
    let message = one_line(message);
    if !message.is_empty() {
        label = label.with_message(message);
    }
    if color {
        label = label.with_color(label_color);
    }
    label
}

/// ariadne writes `Help:` / `Note:` (possibly `Help 1:`) after the report's margin; the
/// house style is lowercase `help:` / `note:`. Only lines whose plain text is a margin
/// followed by that word are changed, never echoed source lines (those carry a line number).
fn lowercase_help_note(line: &str) -> Cow<'_, str> {
    let plain = strip_ansi(line);
    let after_margin = plain.trim_start_matches(' ');
    let Some(rest) = after_margin.strip_prefix('│').or_else(|| after_margin.strip_prefix('|')) else {
        return Cow::Borrowed(line);
    };
    let Some(rest) = rest.strip_prefix(' ') else {
        return Cow::Borrowed(line);
    };
    for word in ["Help", "Note"] {
        if let Some(tail) = rest.strip_prefix(word) {
            let tail = tail.trim_start_matches(|c: char| c == ' ' || c.is_ascii_digit());
            if tail.starts_with(':') {
                return Cow::Owned(line.replacen(word, &word.to_ascii_lowercase(), 1));
            }
        }
    }
    Cow::Borrowed(line)
}

/// Remove ANSI escape sequences (`ESC [ ... letter`).
fn strip_ansi(s: &str) -> Cow<'_, str> {
    if !s.contains('\x1b') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c2 in chars.by_ref() {
                if c2.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A plain report for a diagnostic whose file is unknown (or that ariadne could not draw).
fn human_without_source(d: &Diagnostic, header: &str, files: &mut Files<'_>) -> String {
    let loc = files.locate(d.primary.span);
    let mut out = String::new();
    let _ = writeln!(out, "{header}");
    if loc.known {
        let _ = writeln!(out, " --> {}:{}:{}", loc.file, loc.start.line, loc.start.col);
    } else {
        let _ = writeln!(out, " --> {}", loc.file);
    }
    if !d.primary.message.is_empty() {
        let _ = writeln!(out, "  = {}", one_line(&d.primary.message));
    }
    for label in &d.secondary {
        let l = files.locate(label.span);
        if l.known {
            let _ = writeln!(out, "  = {}:{}:{}: {}", l.file, l.start.line, l.start.col, one_line(&label.message));
        } else {
            let _ = writeln!(out, "  = note: {}", one_line(&label.message));
        }
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  = help: {}", one_line(help));
    }
    if let Some(note) = &d.note {
        let _ = writeln!(out, "  = note: {}", one_line(note));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Short format.

fn short_diagnostic(d: &Diagnostic, files: &mut Files<'_>) -> String {
    let loc = files.locate(d.primary.span);
    let mut out = format!(
        "{}:{}:{}: {}[{}]: {}",
        loc.file,
        loc.start.line,
        loc.start.col,
        severity_word(d.severity),
        d.code,
        one_line(&d.title)
    );
    let label = one_line(&d.primary.message);
    if !label.is_empty() {
        out.push_str(": ");
        out.push_str(&label);
    }
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------
// JSON format.

/// Append `s` to `out` as a JSON string literal (with quotes).
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7F}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.push_str("null"),
    }
}

/// `"key":` (preceded by a comma unless first).
fn json_key(out: &mut String, key: &str) {
    if !out.ends_with('{') {
        out.push(',');
    }
    json_str(out, key);
    out.push(':');
}

/// The location fields `file`, `line`, `column`, `end_line`, `end_column`.
fn json_location(out: &mut String, loc: &Located) {
    json_key(out, "file");
    json_str(out, &loc.file);
    for (key, value) in
        [("line", loc.start.line), ("column", loc.start.col), ("end_line", loc.end.line), ("end_column", loc.end.col)]
    {
        json_key(out, key);
        let _ = write!(out, "{value}");
    }
}

/// One diagnostic as a JSON object on one line: `code`, `severity` (`error`/`warning`),
/// `title`, the primary span's `file`, `line`, `column`, `end_line`, `end_column` (the end is
/// exclusive), `message` (the primary label), `labels` (the secondary labels, each with its
/// own location and `message`), `help` and `note` (strings or null). A span in a file that
/// is not known gives file `<unknown>` and line/column 0.
fn json_diagnostic(d: &Diagnostic, files: &mut Files<'_>) -> String {
    let mut out = String::from("{");
    json_key(&mut out, "code");
    json_str(&mut out, d.code);
    json_key(&mut out, "severity");
    json_str(&mut out, severity_word(d.severity));
    json_key(&mut out, "title");
    json_str(&mut out, &d.title);
    let loc = files.locate(d.primary.span);
    json_location(&mut out, &loc);
    json_key(&mut out, "message");
    json_str(&mut out, &d.primary.message);
    json_key(&mut out, "labels");
    out.push('[');
    for (i, label) in d.secondary.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        let l = files.locate(label.span);
        json_location(&mut out, &l);
        json_key(&mut out, "message");
        json_str(&mut out, &label.message);
        out.push('}');
    }
    out.push(']');
    json_key(&mut out, "help");
    json_opt_str(&mut out, d.help.as_deref());
    json_key(&mut out, "note");
    json_opt_str(&mut out, d.note.as_deref());
    out.push_str("}\n");
    out
}

// ---------------------------------------------------------------------------------------
// Runtime errors.

/// Trace items printed before the middle of a long trace is left out, and after it.
const TRACE_HEAD: usize = 20;
const TRACE_TAIL: usize = 10;

/// One printed line of a stack trace: a frame repeated `count` times in a row (deep
/// recursion), or (`frame: None`) `count` frames left out.
struct TraceItem<'e> {
    frame: Option<&'e TraceFrame>,
    count: usize,
}

/// The trace as printed: runs of identical consecutive frames collapsed, the frames the VM
/// left out (`frames_omitted`, at index `TRACE_INNER`) as one item, and, if still long,
/// the middle replaced by one item counting every frame it stood for.
fn trace_items(err: &RuntimeError) -> Vec<TraceItem<'_>> {
    let gap_at = if err.frames_omitted > 0 { Some(TRACE_INNER.min(err.trace.len())) } else { None };
    let mut items: Vec<TraceItem<'_>> = Vec::new();
    for (i, frame) in err.trace.iter().enumerate() {
        if gap_at == Some(i) {
            items.push(TraceItem { frame: None, count: err.frames_omitted });
        }
        match items.last_mut() {
            Some(TraceItem { frame: Some(last), count }) if *last == frame => *count += 1,
            _ => items.push(TraceItem { frame: Some(frame), count: 1 }),
        }
    }
    if gap_at == Some(err.trace.len()) {
        items.push(TraceItem { frame: None, count: err.frames_omitted });
    }
    if items.len() > TRACE_HEAD + TRACE_TAIL + 1 {
        let tail = items.split_off(items.len() - TRACE_TAIL);
        let middle: usize = items.drain(TRACE_HEAD..).map(|item| item.count).sum();
        items.push(TraceItem { frame: None, count: middle });
        items.extend(tail);
    }
    items
}

/// The number of frames left out of a printed trace.
fn omitted_frames(items: &[TraceItem<'_>]) -> usize {
    items.iter().filter(|item| item.frame.is_none()).map(|item| item.count).sum()
}

/// The first column of a line that is not a space or tab (1 for a blank line).
fn first_code_column(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count() + 1
}

fn human_runtime(err: &RuntimeError, files: &mut Files<'_>, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", paint(&format!("error[{}]", err.code), Color::Red, color), err.message);
    let Some(inner) = err.trace.first() else {
        return out;
    };
    let name = files.name(inner.file).to_string();
    let line_no = inner.line as usize;
    let line_text = files.prepared(inner.file).and_then(|p| p.line_text(line_no)).map(str::to_string);
    let margin_color = Color::Blue;
    match &line_text {
        Some(text) => {
            let col = first_code_column(text);
            let gutter = line_no.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(out, "{pad}{} {name}:{line_no}:{col}", paint("-->", margin_color, color));
            let bar = paint("|", margin_color, color);
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(out, "{} {bar} {}", paint(&line_no.to_string(), margin_color, color), text.trim_end());
            let _ = writeln!(out, "{pad} {bar}");
        }
        None => {
            let _ = writeln!(out, " {} {name}:{line_no}:", paint("-->", margin_color, color));
        }
    }
    let _ = writeln!(out, "stack trace (innermost first):");
    for item in trace_items(err) {
        match item.frame {
            Some(f) => {
                let _ = writeln!(out, "  at {} ({}:{})", f.function, files.name(f.file), f.line);
                if item.count > 1 {
                    let more = item.count - 1;
                    let s = if more == 1 { "" } else { "s" };
                    let _ = writeln!(out, "  ... the frame above repeated {more} more time{s}");
                }
            }
            None => {
                let s = if item.count == 1 { "" } else { "s" };
                let _ = writeln!(out, "  ... {} more frame{s} ...", item.count);
            }
        }
    }
    out
}

fn short_runtime(err: &RuntimeError, files: &mut Files<'_>) -> String {
    match err.trace.first() {
        Some(f) => {
            // The VM records lines only: the column is the line's first code character, as
            // in the human format, so every format names `file:line:col`.
            let text = files.prepared(f.file).and_then(|p| p.line_text(f.line as usize)).map(str::to_string);
            let col = text.as_deref().map(first_code_column).unwrap_or(1);
            format!("{}:{}:{}: error[{}]: {}\n", files.name(f.file), f.line, col, err.code, one_line(&err.message))
        }
        None => format!("error[{}]: {}\n", err.code, one_line(&err.message)),
    }
}

/// A runtime error as one JSON object: `code`, `severity`, `title` and `message` (both the
/// error's message), `file` and `line` of the innermost frame (null without a trace),
/// `trace` (innermost first; runs of identical frames collapsed into one entry
/// `{function, file, line, repeats}`) and `trace_omitted` (the number of frames left out of
/// the middle of very deep traces).
fn json_runtime(err: &RuntimeError, files: &mut Files<'_>) -> String {
    let mut out = String::from("{");
    json_key(&mut out, "code");
    json_str(&mut out, err.code);
    json_key(&mut out, "severity");
    json_str(&mut out, "error");
    json_key(&mut out, "title");
    json_str(&mut out, &err.message);
    json_key(&mut out, "message");
    json_str(&mut out, &err.message);
    json_key(&mut out, "file");
    match err.trace.first() {
        Some(f) => {
            json_str(&mut out, files.name(f.file));
            json_key(&mut out, "line");
            let _ = write!(out, "{}", f.line);
        }
        None => {
            out.push_str("null");
            json_key(&mut out, "line");
            out.push_str("null");
        }
    }
    json_key(&mut out, "trace");
    out.push('[');
    let items = trace_items(err);
    for (i, (frame, count)) in items.iter().filter_map(|item| Some((item.frame?, item.count))).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        json_key(&mut out, "function");
        json_str(&mut out, &frame.function);
        json_key(&mut out, "file");
        json_str(&mut out, files.name(frame.file));
        json_key(&mut out, "line");
        let _ = write!(out, "{}", frame.line);
        json_key(&mut out, "repeats");
        let _ = write!(out, "{}", count - 1);
        out.push('}');
    }
    out.push(']');
    json_key(&mut out, "trace_omitted");
    let _ = write!(out, "{}", omitted_frames(&items));
    out.push_str("}\n");
    out
}

// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::error::TRACE_OUTER;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile { name: name.to_string(), text: text.to_string() }
    }

    fn sample() -> (Vec<Diagnostic>, Vec<SourceFile>) {
        let text = "// demo\ncounter = 5\nprint(countr + 1)\n";
        let start = text.find("countr ").unwrap_or(0);
        let diag =
            Diagnostic::error("E2001", "unknown name", Span::new(0, start, start + 6), "`countr` is not defined")
                .with_label(Span::new(0, 8, 15), "`counter` is declared here")
                .with_help("did you mean `counter`?");
        (vec![diag], vec![file("demo.orus", text)])
    }

    #[test]
    fn json_escaping() {
        let mut out = String::new();
        json_str(&mut out, "a\"b\\c\nd\re\tf\u{1}g\u{8}\u{c}h\u{7f}é😀");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\b\\fh\\u007fé😀\"");
        let mut none = String::new();
        json_opt_str(&mut none, None);
        assert_eq!(none, "null");
    }

    #[test]
    fn short_format() {
        let (diags, files) = sample();
        let out = render_diagnostics(&diags, &files, ErrorFormat::Short, false);
        assert_eq!(out, "demo.orus:3:7: error[E2001]: unknown name: `countr` is not defined\n");
    }

    #[test]
    fn short_format_flattens_lines_and_warns() {
        let files = vec![file("w.orus", "x = 1\n")];
        let d = Diagnostic::warning("E2018", "unreachable\narm", Span::new(0, 0, 1), "expected `i32`\n   found `i64`");
        let out = render_diagnostics(&[d], &files, ErrorFormat::Short, false);
        assert_eq!(out, "w.orus:1:1: warning[E2018]: unreachable; arm: expected `i32`; found `i64`\n");
    }

    #[test]
    fn json_format() {
        let (diags, files) = sample();
        let out = render_diagnostics(&diags, &files, ErrorFormat::Json, false);
        assert_eq!(
            out,
            concat!(
                "{\"code\":\"E2001\",\"severity\":\"error\",\"title\":\"unknown name\",",
                "\"file\":\"demo.orus\",\"line\":3,\"column\":7,\"end_line\":3,\"end_column\":13,",
                "\"message\":\"`countr` is not defined\",",
                "\"labels\":[{\"file\":\"demo.orus\",\"line\":2,\"column\":1,\"end_line\":2,\"end_column\":8,",
                "\"message\":\"`counter` is declared here\"}],",
                "\"help\":\"did you mean `counter`?\",\"note\":null}\n"
            )
        );
    }

    #[test]
    fn human_format() {
        let (diags, files) = sample();
        let out = render_diagnostics(&diags, &files, ErrorFormat::Human, false);
        assert!(out.starts_with("error[E2001]: unknown name\n"), "{out}");
        assert!(out.contains("demo.orus:3:7"), "{out}");
        assert!(out.contains("`countr` is not defined"), "{out}");
        assert!(out.contains("`counter` is declared here"), "{out}");
        assert!(out.contains("help: did you mean `counter`?"), "{out}");
        assert!(!out.contains('\x1b'), "{out}");
        let colored = render_diagnostics(&diags, &files, ErrorFormat::Human, true);
        assert!(colored.contains('\x1b'));
        assert!(strip_ansi(&colored).contains("help: did you mean"), "{colored}");
    }

    #[test]
    fn human_warning_and_note() {
        let files = vec![file("w.orus", "match x:\n    _ -> 1\n    1 -> 2\n")];
        let d = Diagnostic::warning("E2018", "unreachable arm", Span::new(0, 24, 30), "never matched")
            .with_note("the arm above matches everything");
        let out = render_diagnostics(&[d], &files, ErrorFormat::Human, false);
        assert!(out.starts_with("warning[E2018]: unreachable arm\n"), "{out}");
        assert!(out.contains("w.orus:3:5"), "{out}");
        assert!(out.contains("note: the arm above matches everything"), "{out}");
    }

    #[test]
    fn source_lines_mentioning_help_are_untouched() {
        let files = vec![file("h.orus", "x = \"Help: me\"\n")];
        let d = Diagnostic::error("E2001", "t", Span::new(0, 0, 1), "m");
        let out = render_diagnostics(&[d], &files, ErrorFormat::Human, false);
        assert!(out.contains("\"Help: me\""), "{out}");
    }

    #[test]
    fn multiple_diagnostics_in_order() {
        let files = vec![file("m.orus", "a\nb\nc\n")];
        let d1 = Diagnostic::error("E2001", "first", Span::new(0, 4, 5), "");
        let d2 = Diagnostic::error("E2002", "second", Span::new(0, 0, 1), "");
        let out = render_diagnostics(&[d1.clone(), d2.clone()], &files, ErrorFormat::Short, false);
        assert_eq!(out, "m.orus:3:1: error[E2001]: first\nm.orus:1:1: error[E2002]: second\n");
        let human = render_diagnostics(&[d1, d2], &files, ErrorFormat::Human, false);
        let first = human.find("first").unwrap_or(usize::MAX);
        let second = human.find("second").unwrap_or(0);
        assert!(first < second, "{human}");
        assert!(human.contains("m.orus:3:1") && human.contains("m.orus:1:1"), "{human}");
    }

    #[test]
    fn columns_count_characters() {
        let files = vec![file("u.orus", "s = \"héllo\" + x\n")];
        let start = "s = \"héllo\" + ".len();
        let d = Diagnostic::error("E2001", "unknown name", Span::new(0, start, start + 1), "");
        let out = render_diagnostics(std::slice::from_ref(&d), &files, ErrorFormat::Short, false);
        assert!(out.starts_with("u.orus:1:15:"), "{out}");
        let human = render_diagnostics(&[d], &files, ErrorFormat::Human, false);
        assert!(human.contains("u.orus:1:15"), "{human}");
    }

    #[test]
    fn bad_spans_never_panic() {
        let texts = [
            "",
            "\n",
            "x",
            "héllo\r\nwörld\n",
            "a\rb\u{2028}c\u{85}d\x0Be\x0Cf\n",
            "tab\tx\n\n\n",
            "日本語\n",
            "no newline at end",
        ];
        let spans =
            [(0, 0), (0, 1), (1, 2), (2, 3), (3, 2), (0, 1000), (999, 1000), (5, 5), (1, 4), (u32::MAX, u32::MAX)];
        for text in texts {
            let files = vec![file("f.orus", text)];
            for &(s, e) in &spans {
                for file_idx in [0u32, 7] {
                    let span = Span { file: file_idx, start: s, end: e };
                    let d = Diagnostic::error("E1001", "t", span, "label")
                        .with_label(Span { file: 0, start: e, end: s.saturating_add(3) }, "second")
                        .with_label(Span { file: 3, start: 0, end: 1 }, "elsewhere")
                        .with_help("h\nmore")
                        .with_note("n");
                    for format in [ErrorFormat::Human, ErrorFormat::Short, ErrorFormat::Json] {
                        for color in [false, true] {
                            let out = render_diagnostics(std::slice::from_ref(&d), &files, format, color);
                            assert!(!out.is_empty());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn exhaustive_spans_on_small_texts() {
        let texts = ["ab\ncd\n", "é\n\nx", "\r\n\r\nz\r\n", "  if x:\n\tpass\n"];
        for text in texts {
            let files = vec![file("f.orus", text)];
            let n = text.len() as u32 + 2;
            for s in 0..n {
                for e in 0..n {
                    let d = Diagnostic::error("E1001", "t", Span { file: 0, start: s, end: e }, "l")
                        .with_label(Span { file: 0, start: e, end: s }, "m");
                    let out = render_diagnostics(&[d], &files, ErrorFormat::Human, false);
                    assert!(out.contains("f.orus:"), "{out}");
                }
            }
        }
    }

    #[test]
    fn labels_in_other_files_get_their_own_section() {
        let files =
            vec![file("main.orus", "use geo: sécret\n"), file("geo.orus", "// é日😀\nfn sécret():\n    pass\n")];
        let main_start = "use geo: ".len();
        let geo_start = "// é日😀\nfn ".len();
        let d = Diagnostic::error("E3003", "private name", Span::new(0, main_start, main_start + 7), "not public")
            .with_label(Span::new(1, geo_start, geo_start + 7), "declared here without `pub`")
            .with_help("add `pub`");
        let out = render_diagnostics(&[d], &files, ErrorFormat::Human, false);
        assert!(out.contains("main.orus:1:10"), "{out}");
        assert!(out.contains("geo.orus:2:4"), "{out}");
        let geo_at = out.find("geo.orus").unwrap_or(0);
        let help_at = out.find("help: add `pub`").unwrap_or(0);
        assert!(geo_at > 0 && help_at > geo_at, "{out}");
    }

    /// A small deterministic xorshift generator for the fuzz test below.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    #[test]
    fn random_texts_and_spans_render_through_ariadne() {
        let pieces = ["a", "é", "日", "\n", "\r\n", "\r", "\t", " ", "😀", "\u{2028}", "\x0C", "xyz", "\n\n"];
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let mut texts = Vec::new();
            for _ in 0..2 {
                let mut t = String::new();
                for _ in 0..rng.below(30) {
                    t.push_str(pieces[rng.below(pieces.len())]);
                }
                texts.push(t);
            }
            let files: Vec<SourceFile> =
                texts.iter().enumerate().map(|(i, t)| file(&format!("f{i}.orus"), t)).collect();
            let span = |rng: &mut XorShift| {
                let f = rng.below(2);
                let m = texts[f].len() + 3;
                Span { file: f as u32, start: rng.below(m) as u32, end: rng.below(m) as u32 }
            };
            let mut d = Diagnostic::error("E1001", "t", span(&mut rng), "label");
            for _ in 0..rng.below(4) {
                let message = if rng.below(2) == 0 { "" } else { "two\nlines" };
                d = d.with_label(span(&mut rng), message);
            }
            let color = rng.below(2) == 0;
            let out = render_diagnostics(std::slice::from_ref(&d), &files, ErrorFormat::Human, color);
            // The plain fallback has no ariadne box: its presence proves ariadne drew it.
            assert!(strip_ansi(&out).contains("╭─["), "{d:?}\n{out}");
        }
    }

    fn frame(function: &str, line: u32) -> TraceFrame {
        TraceFrame { function: function.to_string(), file: 0, line }
    }

    fn ratio_error() -> (RuntimeError, Vec<SourceFile>) {
        let text = "// ratio\nfn ratio(a: i32, b: i32) -> i32:\n    a / b\n\nfn report(v: i32):\n    print(ratio(100, v))\n\nreport(0)\n";
        let err = RuntimeError {
            code: "E0001",
            message: "division by zero".to_string(),
            trace: vec![frame("ratio", 3), frame("report", 6), frame("<top level>", 8)],
            frames_omitted: 0,
        };
        (err, vec![file("ratio.orus", text)])
    }

    #[test]
    fn runtime_human() {
        let (err, files) = ratio_error();
        let out = render_runtime_error(&err, &files, ErrorFormat::Human, false);
        assert_eq!(
            out,
            concat!(
                "error[E0001]: division by zero\n",
                " --> ratio.orus:3:5\n",
                "  |\n",
                "3 |     a / b\n",
                "  |\n",
                "stack trace (innermost first):\n",
                "  at ratio (ratio.orus:3)\n",
                "  at report (ratio.orus:6)\n",
                "  at <top level> (ratio.orus:8)\n",
            )
        );
    }

    #[test]
    fn runtime_short_and_json() {
        let (err, files) = ratio_error();
        let short = render_runtime_error(&err, &files, ErrorFormat::Short, false);
        assert_eq!(short, "ratio.orus:3:5: error[E0001]: division by zero\n");
        let json = render_runtime_error(&err, &files, ErrorFormat::Json, false);
        assert_eq!(
            json,
            concat!(
                "{\"code\":\"E0001\",\"severity\":\"error\",\"title\":\"division by zero\",",
                "\"message\":\"division by zero\",\"file\":\"ratio.orus\",\"line\":3,\"trace\":[",
                "{\"function\":\"ratio\",\"file\":\"ratio.orus\",\"line\":3,\"repeats\":0},",
                "{\"function\":\"report\",\"file\":\"ratio.orus\",\"line\":6,\"repeats\":0},",
                "{\"function\":\"<top level>\",\"file\":\"ratio.orus\",\"line\":8,\"repeats\":0}],",
                "\"trace_omitted\":0}\n"
            )
        );
    }

    #[test]
    fn runtime_without_trace_or_source() {
        let err = RuntimeError::new("E0006", "boom \"quoted\"");
        assert_eq!(render_runtime_error(&err, &[], ErrorFormat::Human, false), "error[E0006]: boom \"quoted\"\n");
        assert_eq!(render_runtime_error(&err, &[], ErrorFormat::Short, false), "error[E0006]: boom \"quoted\"\n");
        let json = render_runtime_error(&err, &[], ErrorFormat::Json, false);
        assert!(json.contains("\"file\":null,\"line\":null"), "{json}");
        assert!(json.contains("boom \\\"quoted\\\""), "{json}");
        let lost = RuntimeError { trace: vec![TraceFrame { function: "f".into(), file: 9, line: 99 }], ..err };
        let out = render_runtime_error(&lost, &[], ErrorFormat::Human, false);
        assert!(out.contains("<unknown>:99:"), "{out}");
    }

    fn overflow(trace: Vec<TraceFrame>, frames_omitted: usize) -> RuntimeError {
        RuntimeError { code: "E0004", message: "stack overflow".to_string(), trace, frames_omitted }
    }

    #[test]
    fn deep_recursion_trace_is_collapsed() {
        let text = "fn forever(n: i32) -> i32:\n    forever(n + 1) + 1\nprint(forever(0))\n";
        let files = vec![file("s.orus", text)];
        let mut trace: Vec<TraceFrame> = (0..100_000).map(|_| frame("forever", 2)).collect();
        trace.push(frame("<top level>", 3));
        let out = render_runtime_error(&overflow(trace, 0), &files, ErrorFormat::Human, false);
        assert!(out.lines().count() < 20, "{out}");
        assert!(out.contains("  at forever (s.orus:2)\n  ... the frame above repeated 99999 more times\n"), "{out}");
        assert!(out.contains("s.orus:2:5"), "{out}");

        // Mutual recursion does not collapse, so the middle is left out.
        let trace: Vec<TraceFrame> = (0..1000).map(|i| frame(if i % 2 == 0 { "even" } else { "odd" }, 2)).collect();
        let err = overflow(trace, 0);
        let out = render_runtime_error(&err, &files, ErrorFormat::Human, false);
        assert!(out.contains("  ... 970 more frames ..."), "{out}");
        assert!(out.lines().count() < 40, "{out}");
        let json = render_runtime_error(&err, &files, ErrorFormat::Json, false);
        assert!(json.contains("\"trace_omitted\":970"), "{json}");
    }

    #[test]
    fn frames_omitted_by_the_vm_are_reported_where_they_were() {
        let files = vec![file("s.orus", "fn forever(n: i32) -> i32:\n    forever(n + 1) + 1\nprint(forever(0))\n")];
        // What the VM keeps of 100 001 frames: TRACE_INNER innermost, TRACE_OUTER outermost.
        let mut trace: Vec<TraceFrame> = (0..TRACE_INNER + TRACE_OUTER - 1).map(|_| frame("forever", 2)).collect();
        trace.push(frame("<top level>", 3));
        let omitted = 100_001 - trace.len();
        let out = render_runtime_error(&overflow(trace, omitted), &files, ErrorFormat::Human, false);
        let expected = format!(
            concat!(
                "stack trace (innermost first):\n",
                "  at forever (s.orus:2)\n",
                "  ... the frame above repeated {} more times\n",
                "  ... {} more frames ...\n",
                "  at forever (s.orus:2)\n",
                "  ... the frame above repeated {} more times\n",
                "  at <top level> (s.orus:3)\n",
            ),
            TRACE_INNER - 1,
            omitted,
            TRACE_OUTER - 2
        );
        assert!(out.ends_with(&expected), "{out}");

        // Distinct frames: the VM's gap and the renderer's own shortening add up.
        let trace: Vec<TraceFrame> = (0..TRACE_INNER + TRACE_OUTER).map(|i| frame(&format!("f{i}"), 2)).collect();
        let err = overflow(trace, 1000);
        let items = trace_items(&err);
        assert_eq!(items.len(), TRACE_HEAD + 1 + TRACE_TAIL);
        assert_eq!(omitted_frames(&items), 1000 + TRACE_INNER + TRACE_OUTER - TRACE_HEAD - TRACE_TAIL);
        let json = render_runtime_error(&err, &files, ErrorFormat::Json, false);
        assert!(json.contains("\"function\":\"f0\""), "{json}");
        assert!(json.contains(&format!("\"function\":\"f{}\"", TRACE_INNER + TRACE_OUTER - 1)), "{json}");

        // A gap at the very end (a trace shorter than TRACE_INNER) still shows.
        let err = overflow(vec![frame("a", 1), frame("b", 2)], 5);
        let out = render_runtime_error(&err, &files, ErrorFormat::Human, false);
        assert!(out.ends_with("  at b (s.orus:2)\n  ... 5 more frames ...\n"), "{out}");
    }

    #[test]
    fn error_format_parses() {
        assert_eq!("short".parse::<ErrorFormat>(), Ok(ErrorFormat::Short));
        assert_eq!("json".parse::<ErrorFormat>(), Ok(ErrorFormat::Json));
        assert_eq!("human".parse::<ErrorFormat>(), Ok(ErrorFormat::Human));
        assert!("xml".parse::<ErrorFormat>().is_err());
        assert_eq!(ErrorFormat::Json.name(), "json");
    }

    #[test]
    fn sanitizing_keeps_lengths() {
        let text = "a\rb\r\nc\u{2028}d\u{85}e";
        let clean = sanitize_separators(text);
        assert_eq!(clean.len(), text.len());
        assert_eq!(clean, "a b\r\nc   d  e");
        assert_eq!(clamp_range("héllo", 2, 2), 1..3);
        assert_eq!(clamp_range("abc", 5, 1), 3..3);
    }
}
