//! The offside rule: turns the lexer's tokens (with raw newlines) into the parser's input with
//! NEWLINE / INDENT / DEDENT, and guards nesting depth so that no later recursive pass can
//! overflow the host stack.
//!
//! Token protocol (what `grammar.lalrpop` expects):
//! - every logical line, simple or compound, ends with `Newline`;
//! - a line ending in `:` or `->` followed by a deeper line yields `Indent` instead of `Newline`;
//! - closing a block yields `Dedent Newline` (the newline ends the statement that owned it);
//! - `elif` / `else` / `catch` starting a line become `ElifLine` / `ElseLine` / `CatchLine` and
//!   swallow the `Newline` before them, so they continue the statement above;
//! - inside `()`, `[]`, `{}` newlines and indentation are ignored.
//!
//! Indentation errors never reach the parser as odd tokens: an unexpected indent or a dedent to
//! an unknown column is reported here and then treated as a "phantom" level that emits nothing.

use super::span::Span;
use super::token::{Spanned, Tok};
use crate::diag::{codes, Diagnostic};

/// Deepest bracket nesting accepted.
pub const MAX_BRACKET_DEPTH: usize = 200;
/// Deepest block (indentation) nesting accepted.
pub const MAX_BLOCK_DEPTH: usize = 100;
/// Upper bound on the expression depth of one logical line (counted from its tokens).
pub const MAX_LINE_NESTING: usize = 1000;

pub struct Layout {
    pub tokens: Vec<Spanned>,
    pub diags: Vec<Diagnostic>,
    /// Set when nesting is too deep: the tokens must not be parsed.
    pub fatal: bool,
    /// Byte ranges from an unclosed bracket to the closer the layout invented for it; parse
    /// errors inside them repeat a diagnostic already given.
    pub unclosed: Vec<(usize, usize)>,
}

#[derive(Clone, Copy)]
struct Level {
    col: usize,
    /// Phantom levels come from bad indentation and produce no INDENT/DEDENT.
    real: bool,
}

struct Open {
    close: Tok,
    start: usize,
    end: usize,
}

struct State<'s> {
    src: &'s str,
    file: u32,
    out: Vec<Spanned>,
    diags: Vec<Diagnostic>,
    fatal: bool,
    unclosed: Vec<(usize, usize)>,
    levels: Vec<Level>,
    brackets: Vec<Open>,
    /// Indentation of the line where the outermost open bracket is.
    bracket_line_col: usize,
    /// Index in `out` of the current logical line's first token; `None` before any token.
    line_first: Option<usize>,
    line_last_end: usize,
    /// The line has `= if`, `= match`, `= fn`, `return match`, ... at bracket depth 0.
    line_block_rhs: bool,
    /// Expression-depth bound: (current comma segment, best finished segment) per bracket.
    nesting: Vec<(usize, usize)>,
    /// First indented line: whether it used tabs, and where.
    indent_style: Option<(bool, Span)>,
    mixed_reported: bool,
}

/// Applies the offside rule to `raw` (from `token::lex`). `base` is where the text starts
/// (after a byte-order mark).
pub fn layout(src: &str, base: usize, raw: Vec<Spanned>, file: u32) -> Layout {
    let mut st = State {
        src,
        file,
        out: Vec::with_capacity(raw.len() + raw.len() / 4),
        diags: Vec::new(),
        fatal: false,
        unclosed: Vec::new(),
        levels: vec![Level { col: 0, real: true }],
        brackets: Vec::new(),
        bracket_line_col: 0,
        line_first: None,
        line_last_end: base,
        line_block_rhs: false,
        nesting: vec![(0, 0)],
        indent_style: None,
        mixed_reported: false,
    };
    let mut phys_line_start = base;
    let mut new_phys_line = true;
    let mut iter = raw.into_iter().peekable();
    while let Some((s, tok, e)) = iter.next() {
        if st.fatal {
            break;
        }
        if tok == Tok::Newline {
            phys_line_start = e;
            new_phys_line = true;
            continue;
        }
        let mut tok = tok;
        if new_phys_line {
            new_phys_line = false;
            let (col, ws_end) = st.indentation(phys_line_start);
            let next = iter.peek().map(|t| &t.1);
            if !st.brackets.is_empty() && col <= st.bracket_line_col && starts_statement(&tok, next) {
                st.close_brackets_early();
            }
            if st.brackets.is_empty() {
                st.check_tabs(phys_line_start, ws_end);
                tok = st.new_line(col, s, tok);
                st.bracket_line_col = col;
            }
        }
        st.push(s, tok, e);
    }
    if !st.fatal {
        st.finish();
    }
    Layout { tokens: st.out, diags: st.diags, fatal: st.fatal, unclosed: st.unclosed }
}

/// A token that can only start a statement (given the token after it), so seeing it at the start
/// of a line inside brackets means a bracket was left open.
fn starts_statement(tok: &Tok, next: Option<&Tok>) -> bool {
    match tok {
        Tok::While
        | Tok::For
        | Tok::Return
        | Tok::Struct
        | Tok::Enum
        | Tok::Impl
        | Tok::Use
        | Tok::Try
        | Tok::Break
        | Tok::Continue
        | Tok::Pass
        | Tok::Let
        | Tok::Mut
        | Tok::Pub
        | Tok::Label(_) => true,
        Tok::Fn => matches!(next, Some(Tok::Ident(_))),
        Tok::Ident(_) => matches!(next, Some(Tok::Assign | Tok::ColonEq)) || next.is_some_and(is_compound_assign),
        _ => false,
    }
}

fn opens_suite(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::If
            | Tok::Elif
            | Tok::ElifLine
            | Tok::Else
            | Tok::ElseLine
            | Tok::While
            | Tok::For
            | Tok::Fn
            | Tok::Struct
            | Tok::Enum
            | Tok::Impl
            | Tok::Match
            | Tok::Try
            | Tok::Catch
            | Tok::CatchLine
            | Tok::Label(_)
            | Tok::Pub
    )
}

fn is_leaf(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Ident(_)
            | Tok::Num(_)
            | Tok::Str(_)
            | Tok::Label(_)
            | Tok::True
            | Tok::False
            | Tok::Underscore
            | Tok::Comma
            | Tok::Semi
    )
}

impl State<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// Column of the first non-blank character of the line starting at `start` (a tab counts
    /// as 4), and where that leading whitespace ends.
    fn indentation(&self, start: usize) -> (usize, usize) {
        let bytes = self.src.as_bytes();
        let mut col = 0;
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            match b {
                b' ' => col += 1,
                b'\t' => col += 4,
                _ => break,
            }
            i += 1;
        }
        (col, i)
    }

    fn check_tabs(&mut self, start: usize, end: usize) {
        if self.mixed_reported || start >= end {
            return;
        }
        let ws = self.src.get(start..end).unwrap_or("");
        let tabs = ws.contains('\t');
        let spaces = ws.contains(' ');
        let span = self.span(start, end);
        let problem = if tabs && spaces {
            Some(("this line's indentation mixes tabs and spaces".to_string(), None))
        } else {
            match self.indent_style {
                None => {
                    self.indent_style = Some((tabs, span));
                    None
                }
                Some((used_tabs, first)) if used_tabs != tabs => {
                    let (this, that) = if tabs { ("a tab", "spaces") } else { ("spaces", "tabs") };
                    Some((format!("indented with {this}, but earlier lines use {that}"), Some(first)))
                }
                Some(_) => None,
            }
        };
        if let Some((label, first)) = problem {
            self.mixed_reported = true;
            let mut d = Diagnostic::error(codes::INCONSISTENT_INDENTATION, "inconsistent indentation", span, label)
                .with_help("indent the whole file with spaces only, or with tabs only");
            if let Some(first) = first {
                d = d.with_label(first, "the file's indentation style was set here");
            }
            self.diags.push(d);
        }
    }

    /// Ends the previous logical line (if any) and starts a new one at column `col` whose first
    /// token `tok` is at `s`. Returns the token, possibly turned into a clause token.
    fn new_line(&mut self, col: usize, s: usize, tok: Tok) -> Tok {
        let is_clause = matches!(tok, Tok::Elif | Tok::Else | Tok::Catch);
        match self.line_first {
            None => {
                if col > 0 {
                    self.unexpected_indent(s, col);
                }
            }
            Some(first) => {
                let last_end = self.line_last_end;
                let ends_with_opener = matches!(self.out.last(), Some((_, Tok::Colon | Tok::Arrow, _)));
                let top = self.levels.last().map_or(0, |l| l.col);
                if col > top {
                    if ends_with_opener {
                        self.open_block(col, s);
                    } else if self.out.get(first).is_some_and(|t| opens_suite(&t.1)) || self.line_block_rhs {
                        let span = self.span(last_end, last_end);
                        self.diags.push(
                            Diagnostic::error(
                                codes::MISSING_COLON,
                                "missing `:`",
                                span,
                                "expected `:` at the end of this line",
                            )
                            .with_help("a line that opens an indented block ends with `:`"),
                        );
                        self.out.push((last_end, Tok::Colon, last_end));
                        self.open_block(col, s);
                    } else {
                        self.out.push((last_end, Tok::Newline, last_end));
                        self.unexpected_indent(s, col);
                    }
                } else {
                    self.out.push((last_end, Tok::Newline, last_end));
                    while self.levels.len() > 1 && col < self.levels.last().map_or(0, |l| l.col) {
                        if let Some(level) = self.levels.pop() {
                            if level.real {
                                self.out.push((last_end, Tok::Dedent, last_end));
                                self.out.push((last_end, Tok::Newline, last_end));
                            }
                        }
                    }
                    if col != self.levels.last().map_or(0, |l| l.col) {
                        let span = self.span(s, s);
                        self.diags.push(
                            Diagnostic::error(
                                codes::BAD_DEDENT,
                                "dedent does not match any outer indentation level",
                                span,
                                "this line's indentation matches no enclosing block",
                            )
                            .with_help("line it up with the block it belongs to"),
                        );
                        self.levels.push(Level { col, real: false });
                    }
                }
            }
        }
        if is_clause && matches!(self.out.last(), Some((_, Tok::Newline, _))) {
            self.out.pop();
        }
        self.line_first = Some(self.out.len());
        self.line_block_rhs = false;
        self.nesting.clear();
        self.nesting.push((0, 0));
        if is_clause {
            return match tok {
                Tok::Elif => Tok::ElifLine,
                Tok::Else => Tok::ElseLine,
                _ => Tok::CatchLine,
            };
        }
        tok
    }

    fn open_block(&mut self, col: usize, s: usize) {
        self.levels.push(Level { col, real: true });
        self.out.push((s, Tok::Indent, s));
        if self.levels.len() > MAX_BLOCK_DEPTH {
            self.too_deep(s, "blocks are nested too deeply");
        }
    }

    fn unexpected_indent(&mut self, s: usize, col: usize) {
        // A staircase of stray indents is one mistake, reported once.
        let already = self.levels.last().is_some_and(|l| !l.real);
        self.levels.push(Level { col, real: false });
        if already {
            return;
        }
        let span = self.span(s, s);
        self.diags.push(
            Diagnostic::error(
                codes::UNEXPECTED_INDENT,
                "unexpected indent",
                span,
                "this line is indented, but no block was opened",
            )
            .with_help("only a line ending with `:` (or a match arm's `->`) may be followed by a deeper line"),
        );
    }

    fn too_deep(&mut self, s: usize, what: &str) {
        let span = self.span(s, s);
        self.diags.push(
            Diagnostic::error(codes::NESTING_TOO_DEEP, "nesting too deep", span, what.to_string())
                .with_help("split the code into smaller functions or intermediate bindings"),
        );
        self.fatal = true;
    }

    fn push(&mut self, s: usize, tok: Tok, e: usize) {
        let closer = match tok {
            Tok::LParen => Some(Tok::RParen),
            Tok::LBracket => Some(Tok::RBracket),
            Tok::LBrace => Some(Tok::RBrace),
            _ => None,
        };
        if self.brackets.is_empty() {
            if let Some((_, prev, _)) = self.out.last() {
                let rhs =
                    matches!(prev, Tok::Assign | Tok::ColonEq | Tok::Return | Tok::Arrow) || is_compound_assign(prev);
                if rhs && matches!(tok, Tok::If | Tok::Match | Tok::Fn) {
                    self.line_block_rhs = true;
                }
            }
        }
        // The expression-depth bound of this line.
        if let Some(close) = closer.clone() {
            self.brackets.push(Open { close, start: s, end: e });
            self.nesting.push((0, 0));
            if self.brackets.len() > MAX_BRACKET_DEPTH {
                self.too_deep(s, "brackets are nested too deeply");
            }
        } else if matches!(tok, Tok::RParen | Tok::RBracket | Tok::RBrace) {
            self.brackets.pop();
            if self.nesting.len() > 1 {
                if let Some((cur, best)) = self.nesting.pop() {
                    if let Some(parent) = self.nesting.last_mut() {
                        parent.0 += cur.max(best) + 1;
                    }
                }
            }
        } else if matches!(tok, Tok::Comma | Tok::Semi) {
            if let Some(top) = self.nesting.last_mut() {
                top.1 = top.1.max(top.0);
                top.0 = 0;
            }
        } else if !is_leaf(&tok) {
            if let Some(top) = self.nesting.last_mut() {
                top.0 += 1;
            }
        }
        if self.nesting.last().is_some_and(|t| t.0 > MAX_LINE_NESTING) && !self.fatal {
            self.too_deep(s, "this expression is nested too deeply");
        }
        self.line_last_end = e;
        self.out.push((s, tok, e));
    }

    /// A statement keyword inside brackets: the brackets were never closed. Close them here so
    /// the rest of the file parses normally.
    fn close_brackets_early(&mut self) {
        if let Some(open) = self.brackets.first() {
            let span = self.span(open.start, open.end);
            let sym = super::token::symbol(&open.close).unwrap_or(")");
            self.diags.push(Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                "unclosed bracket",
                span,
                format!("this bracket is never closed (expected `{sym}`)"),
            ));
        }
        self.synthesize_closers();
    }

    fn synthesize_closers(&mut self) {
        let at = self.line_last_end;
        if let Some(first) = self.brackets.first() {
            self.unclosed.push((first.start, at));
        }
        while let Some(open) = self.brackets.pop() {
            self.out.push((at, open.close, at));
        }
        self.nesting.truncate(1);
    }

    fn finish(&mut self) {
        if let Some(open) = self.brackets.first() {
            let span = self.span(open.start, open.end);
            let sym = super::token::symbol(&open.close).unwrap_or(")");
            self.diags.push(Diagnostic::error(
                codes::UNEXPECTED_EOF,
                "unexpected end of file",
                span,
                format!("this bracket is never closed (expected `{sym}`)"),
            ));
            self.synthesize_closers();
        }
        if self.line_first.is_some() {
            let end = self.line_last_end;
            self.out.push((end, Tok::Newline, end));
            while self.levels.len() > 1 {
                if let Some(level) = self.levels.pop() {
                    if level.real {
                        self.out.push((end, Tok::Dedent, end));
                        self.out.push((end, Tok::Newline, end));
                    }
                }
            }
        }
    }
}

fn is_compound_assign(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::PlusEq
            | Tok::MinusEq
            | Tok::StarEq
            | Tok::SlashEq
            | Tok::PercentEq
            | Tok::AmpEq
            | Tok::PipeEq
            | Tok::CaretEq
            | Tok::ShlEq
            | Tok::ShrEq
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::token::lex;

    /// The layout of `src` as a compact string: names and symbols, `;`-free markers for layout.
    fn show(src: &str) -> String {
        let l = run(src);
        assert!(l.diags.is_empty(), "diagnostics for {src:?}: {:?}", l.diags);
        render(&l.tokens)
    }

    fn run(src: &str) -> Layout {
        let (raw, d) = lex(src, 0, 0);
        assert!(d.is_empty());
        layout(src, 0, raw, 0)
    }

    fn render(toks: &[Spanned]) -> String {
        let words: Vec<String> = toks
            .iter()
            .map(|(_, t, _)| match t {
                Tok::Ident(n) => n.clone(),
                Tok::Num(_) => "N".into(),
                Tok::Str(_) => "S".into(),
                Tok::Newline => "NL".into(),
                Tok::Indent => "IN".into(),
                Tok::Dedent => "DE".into(),
                Tok::ElseLine => "ELSE".into(),
                Tok::ElifLine => "ELIF".into(),
                Tok::CatchLine => "CATCH".into(),
                other => super::super::token::symbol(other).unwrap_or("?").to_string(),
            })
            .collect();
        words.join(" ")
    }

    fn codes_of(src: &str) -> Vec<&'static str> {
        run(src).diags.iter().map(|d| d.code).collect()
    }

    #[test]
    fn blocks() {
        assert_eq!(show("if a:\n    b\nc\n"), "if a : IN b NL DE NL c NL");
        assert_eq!(show("fn f():\n  if a:\n    b\nc"), "fn f ( ) : IN if a : IN b NL DE NL DE NL c NL");
        assert_eq!(show("fn f():\n  x\n"), "fn f ( ) : IN x NL DE NL");
    }

    #[test]
    fn inline_suites_and_semicolons() {
        assert_eq!(show("if x: y\nmut n = 0\nwhile n < 3: n += 1"), "if x : y NL mut n = N NL while n < N : n += N NL");
        assert_eq!(show("a = 1; b = 2"), "a = N ; b = N NL");
    }

    #[test]
    fn clauses_continue_the_statement() {
        assert_eq!(show("if a:\n    b\nelse:\n    c\n"), "if a : IN b NL DE ELSE : IN c NL DE NL");
        assert_eq!(show("if a: b\nelif c: d\nelse: e"), "if a : b ELIF c : d ELSE : e NL");
        assert_eq!(show("try:\n  a\ncatch e:\n  b"), "try : IN a NL DE CATCH e : IN b NL DE NL");
        // Mid-line `else` stays a plain keyword (the conditional expression).
        assert_eq!(show("x = a if c else b"), "x = a if c else b NL");
    }

    #[test]
    fn brackets_suspend_layout() {
        assert_eq!(show("xs = [\n    1,\n  2,\n]\ny"), "xs = [ N , N , ] NL y NL");
        assert_eq!(show("t = (\n    1 +\n        2\n)"), "t = ( N + N ) NL");
    }

    #[test]
    fn blank_and_comment_lines_are_ignored() {
        assert_eq!(
            show("if a:\n    b\n\n        // odd comment\n/* col 0 */\n    c\nd"),
            "if a : IN b NL c NL DE NL d NL"
        );
    }

    #[test]
    fn match_arms_with_blocks() {
        assert_eq!(show("match x:\n  1 ->\n    a\n  _ -> b\n"), "match x : IN N -> IN a NL DE NL _ -> b NL DE NL");
    }

    #[test]
    fn tabs_count_as_four_columns() {
        assert_eq!(show("if a:\n\tb\n\tc\nd"), "if a : IN b NL c NL DE NL d NL");
    }

    #[test]
    fn mixed_tabs_and_spaces() {
        let l = run("if a:\n    b\nif c:\n\td\n");
        assert_eq!(l.diags.len(), 1);
        assert_eq!(l.diags[0].code, codes::INCONSISTENT_INDENTATION);
        assert!(l.diags[0].title.contains("inconsistent indentation"));
        assert_eq!(l.diags[0].primary.span.start, 18);
        assert_eq!(codes_of("if a:\n \tb\n"), vec![codes::INCONSISTENT_INDENTATION]);
    }

    #[test]
    fn bad_dedent_is_reported_once_and_recovers() {
        let l = run("fn f():\n    if a:\n        b\n      c\n    d\n");
        assert_eq!(l.diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::BAD_DEDENT]);
        assert!(l.diags[0].title.contains("dedent"));
        assert_eq!(render(&l.tokens), "fn f ( ) : IN if a : IN b NL DE NL c NL d NL DE NL");
    }

    #[test]
    fn unexpected_indent() {
        let l = run("a\n    b\nc\n");
        assert_eq!(l.diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::UNEXPECTED_INDENT]);
        assert_eq!(render(&l.tokens), "a NL b NL c NL");
        assert_eq!(codes_of("  a\n"), vec![codes::UNEXPECTED_INDENT]);
        let stairs = "a\n b\n  c\n   d\ne\n f\n";
        assert_eq!(codes_of(stairs), vec![codes::UNEXPECTED_INDENT, codes::UNEXPECTED_INDENT]);
    }

    #[test]
    fn missing_colon_before_a_block() {
        let l = run("if x > 3\n    print(x)\n");
        assert_eq!(l.diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::MISSING_COLON]);
        assert_eq!(l.diags[0].primary.span.start, 8);
        assert_eq!(render(&l.tokens), "if x > N : IN print ( x ) NL DE NL");
        assert_eq!(codes_of("y = match v\n  1 -> 2\n"), vec![codes::MISSING_COLON]);
    }

    #[test]
    fn unclosed_brackets() {
        let l = run("f(1,\nx + 2\n");
        assert_eq!(l.diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::UNEXPECTED_EOF]);
        assert_eq!(render(&l.tokens), "f ( N , x + N ) NL");
        let l = run("f(1,\nx = 2\n");
        assert_eq!(l.diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::UNEXPECTED_TOKEN]);
        assert_eq!(render(&l.tokens), "f ( N , ) NL x = N NL");
        let l = run("f(1,\nwhile x: y\n");
        assert_eq!(l.diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::UNEXPECTED_TOKEN]);
        assert_eq!(render(&l.tokens), "f ( N , ) NL while x : y NL");
    }

    #[test]
    fn nesting_limits() {
        let deep = "(".repeat(10_000);
        let l = run(&deep);
        assert!(l.fatal);
        assert_eq!(l.diags.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::NESTING_TOO_DEEP]);
        let chain = format!("x = {}1", "1 + ".repeat(5000));
        assert!(run(&chain).fatal);
        let neg = format!("x = {}1", "-".repeat(5000));
        assert!(run(&neg).fatal);
        // A long flat array is fine.
        let flat = format!("x = [{}]", "-1, ".repeat(5000));
        assert!(!run(&flat).fatal);
        let mut blocks = String::new();
        for i in 0..200 {
            blocks.push_str(&" ".repeat(i));
            blocks.push_str("if x:\n");
        }
        assert!(run(&blocks).fatal);
    }
}
