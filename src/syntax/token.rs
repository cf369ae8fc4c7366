//! The lexer: turns source text into raw tokens with logos. Number, string and block-comment
//! scanning is hand-written (in callbacks) so that malformed literals still yield a token and a
//! diagnostic instead of stopping the lexer. The same `Tok` enum is the parser's input: the
//! layout pass adds the `Indent`/`Dedent`/`*Line` variants, which logos never produces.

use logos::{Lexer, Logos, Skip};

use super::ast::IntSuffix;
use super::span::Span;
use crate::diag::{codes, Diagnostic};

/// A numeric literal as written; the sign is never part of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumLit {
    Int { value: u64, suffix: Option<IntSuffix> },
    Float(f64),
}

/// Per-run lexer state: diagnostics found inside callbacks, and where the text starts in the
/// file (after a byte-order mark) so spans are file offsets.
#[derive(Default)]
pub struct LexExtras {
    pub file: u32,
    pub base: usize,
    pub diags: Vec<Diagnostic>,
}

impl LexExtras {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.base + start, self.base + end)
    }
}

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(extras = LexExtras)]
#[logos(skip r"[ \t\r\x0C]+")]
#[logos(skip r"//[^\n]*")]
pub enum Tok {
    #[regex("[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_owned())]
    Ident(String),
    #[regex("[0-9]", lex_number)]
    Num(NumLit),
    #[token("\"", lex_string)]
    Str(String),
    /// `'outer`, stored without the quote.
    #[regex("'[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice()[1..].to_owned())]
    Label(String),

    #[token("and")]
    And,
    #[token("as")]
    As,
    #[token("break")]
    Break,
    #[token("catch")]
    Catch,
    #[token("continue")]
    Continue,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("enum")]
    Enum,
    #[token("false")]
    False,
    #[token("fn")]
    Fn,
    #[token("for")]
    For,
    #[token("if")]
    If,
    #[token("impl")]
    Impl,
    #[token("in")]
    In,
    #[token("let")]
    Let,
    #[token("match")]
    Match,
    #[token("matches")]
    Matches,
    #[token("mut")]
    Mut,
    #[token("not")]
    Not,
    #[token("or")]
    Or,
    #[token("pass")]
    Pass,
    #[token("pub")]
    Pub,
    #[token("return")]
    Return,
    #[token("struct")]
    Struct,
    #[token("true")]
    True,
    #[token("try")]
    Try,
    #[token("use")]
    Use,
    #[token("while")]
    While,
    #[token("_", priority = 10)]
    Underscore,

    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("<<")]
    Shl,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Ne,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    /// `>` is never lexed together with a following `>`, so that `Option<Map<K, V>>` closes two
    /// type argument lists; the shift operator `>>` is `GtJoint Gt`.
    #[token(">")]
    Gt,
    /// A `>` immediately followed by another `>` (set by `lex`, not by logos).
    GtJoint,
    #[token(">=")]
    Ge,
    #[token("=")]
    Assign,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("^=")]
    CaretEq,
    #[token("<<=")]
    ShlEq,
    #[token(">>=")]
    ShrEq,
    #[token("->")]
    Arrow,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("..=")]
    DotDotEq,
    #[token(":")]
    Colon,
    #[token(":=")]
    ColonEq,
    #[token("::")]
    ColonColon,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    /// Reserved; the parser rejects it.
    #[token("?")]
    Question,

    /// A physical newline from the lexer; after layout, the end of a logical line.
    #[token("\n")]
    Newline,
    #[token("/*", block_comment)]
    BlockComment,

    // Produced only by the layout pass.
    Indent,
    Dedent,
    /// `elif` / `else` / `catch` starting a line: a clause of the statement above.
    ElifLine,
    ElseLine,
    CatchLine,
}

/// A token with its byte range in the file.
pub type Spanned = (usize, Tok, usize);

/// Lexes `src` (without a byte-order mark; `base` is its offset in the file).
/// Newlines are kept as tokens; comments and other whitespace are not.
pub fn lex(src: &str, base: usize, file: u32) -> (Vec<Spanned>, Vec<Diagnostic>) {
    let mut lexer = Tok::lexer_with_extras(src, LexExtras { file, base, diags: Vec::new() });
    let mut toks: Vec<Spanned> = Vec::new();
    let mut bad: Option<(usize, usize)> = None;
    while let Some(res) = lexer.next() {
        let span = lexer.span();
        match res {
            Ok(tok) => {
                flush_bad(&mut bad, &mut lexer.extras, src);
                toks.push((base + span.start, tok, base + span.end));
            }
            Err(()) => {
                // Merge a run of unknown characters into one diagnostic.
                match bad {
                    Some((s, e)) if e == span.start => bad = Some((s, span.end)),
                    _ => {
                        flush_bad(&mut bad, &mut lexer.extras, src);
                        bad = Some((span.start, span.end));
                    }
                }
            }
        }
    }
    flush_bad(&mut bad, &mut lexer.extras, src);
    // `>` followed directly by `>` may be half of a shift operator.
    for i in 0..toks.len().saturating_sub(1) {
        if toks[i].1 == Tok::Gt && toks[i].2 == toks[i + 1].0 && toks[i + 1].1 == Tok::Gt {
            toks[i].1 = Tok::GtJoint;
        }
    }
    let diags = std::mem::take(&mut lexer.extras.diags);
    (toks, diags)
}

fn flush_bad(bad: &mut Option<(usize, usize)>, extras: &mut LexExtras, src: &str) {
    if let Some((s, e)) = bad.take() {
        let text = src.get(s..e).unwrap_or("");
        let (title, label) = match text {
            "'" => ("a lone `'` is not a token".to_string(), "labels are written `'name`".to_string()),
            "!" => ("unexpected character `!`".to_string(), "use `not` for logical negation".to_string()),
            _ => {
                let shown: String = text.chars().take(8).collect();
                (format!("unexpected character `{}`", shown.escape_debug()), "not valid here".to_string())
            }
        };
        let span = extras.span(s, e);
        extras.diags.push(Diagnostic::error(codes::UNEXPECTED_CHARACTER, title, span, label));
    }
}

fn block_comment(lex: &mut Lexer<Tok>) -> Skip {
    let bytes = lex.remainder().as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                lex.bump(i);
                return Skip;
            }
        } else {
            i += 1;
        }
    }
    let start = lex.span().start;
    let span = lex.extras.span(start, start + 2);
    lex.extras.diags.push(
        Diagnostic::error(
            codes::UNTERMINATED_COMMENT,
            "unterminated block comment",
            span,
            "this comment is never closed",
        )
        .with_help("close it with `*/` (block comments nest: each `/*` needs its own `*/`)"),
    );
    lex.bump(bytes.len());
    Skip
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn lex_number(lex: &mut Lexer<Tok>) -> NumLit {
    let start = lex.span().start;
    let first = lex.slice().as_bytes()[0];
    let rest = lex.remainder().as_bytes();
    let (lit, used, err) = scan_number(first, rest);
    lex.bump(used);
    if let Some((title, label)) = err {
        let span = lex.extras.span(start, start + 1 + used);
        lex.extras.diags.push(Diagnostic::error(codes::BAD_NUMBER, title, span, label));
    }
    lit
}

type NumError = Option<(String, String)>;

/// Scans a number whose first digit is `first` and continues in `rest`: returns the literal,
/// how many bytes of `rest` it used, and an error (title, label) if it is malformed.
fn scan_number(first: u8, rest: &[u8]) -> (NumLit, usize, NumError) {
    let at = |i: usize| rest.get(i).copied().unwrap_or(0);
    let radix = match (first, at(0)) {
        (b'0', b'x' | b'X') => 16,
        (b'0', b'b' | b'B') => 2,
        (b'0', b'o' | b'O') => 8,
        _ => 10,
    };
    if radix != 10 {
        let mut i = 1;
        let mut value: Option<u64> = Some(0);
        let mut ndigits = 0;
        while let Some(d) = (at(i) as char).to_digit(radix).or(if at(i) == b'_' { Some(99) } else { None }) {
            if d != 99 {
                ndigits += 1;
                value = value.and_then(|v| v.checked_mul(radix as u64)).and_then(|v| v.checked_add(d as u64));
            }
            i += 1;
        }
        let (suffix, used, serr) = scan_suffix(rest, i, false);
        let digits = &rest[1..i];
        let misplaced = digits.first() == Some(&b'_') || digits.last() == Some(&b'_');
        let base_name = match radix {
            16 => "hexadecimal",
            8 => "octal",
            _ => "binary",
        };
        let err = if ndigits == 0 {
            Some((format!("{base_name} literal has no digits"), "expected digits after the prefix".to_string()))
        } else if value.is_none() {
            Some(("integer literal is too large".to_string(), "does not fit in 64 bits".to_string()))
        } else if misplaced {
            Some(misplaced_underscore())
        } else {
            serr
        };
        return (NumLit::Int { value: value.unwrap_or(0), suffix }, used, err);
    }

    // A `_` must sit between digits: each digit run must not end with one.
    let mut misplaced = false;
    let mut i = 0;
    while at(i).is_ascii_digit() || at(i) == b'_' {
        i += 1;
    }
    misplaced |= i > 0 && at(i - 1) == b'_';
    let mut is_float = false;
    if at(i) == b'.' && at(i + 1).is_ascii_digit() {
        is_float = true;
        i += 1;
        while at(i).is_ascii_digit() || at(i) == b'_' {
            i += 1;
        }
        misplaced |= at(i - 1) == b'_';
    } else if at(i) == b'.' && !is_ident_char(at(i + 1)) && at(i + 1) != b'.' {
        // `1.` is a float, but `1..2`, `1.abs()` and `1.0` are handled elsewhere.
        is_float = true;
        i += 1;
    }
    if matches!(at(i), b'e' | b'E') {
        let mut j = i + 1;
        if matches!(at(j), b'+' | b'-') {
            j += 1;
        }
        if at(j).is_ascii_digit() {
            is_float = true;
            i = j;
            while at(i).is_ascii_digit() || at(i) == b'_' {
                i += 1;
            }
            misplaced |= at(i - 1) == b'_';
        }
    }
    let (suffix, used, serr) = scan_suffix(rest, i, is_float);
    let serr = if misplaced { Some(misplaced_underscore()) } else { serr };
    let mut text = String::with_capacity(i + 1);
    text.push(first as char);
    text.extend(rest[..i].iter().filter(|&&b| b != b'_').map(|&b| b as char));
    if is_float {
        let value = text.parse::<f64>().unwrap_or(f64::INFINITY);
        let err = if value.is_finite() {
            serr
        } else {
            Some(("float literal is out of range".to_string(), "too large for f64".to_string()))
        };
        return (NumLit::Float(value), used, err);
    }
    match text.parse::<u64>() {
        Ok(value) => (NumLit::Int { value, suffix }, used, serr),
        Err(_) => (
            NumLit::Int { value: 0, suffix },
            used,
            Some((
                "integer literal is too large".to_string(),
                "the largest integer literal is 18446744073709551615".to_string(),
            )),
        ),
    }
}

fn misplaced_underscore() -> (String, String) {
    ("misplaced `_` in a number".to_string(), "`_` may only separate digits".to_string())
}

/// Reads an optional type suffix at `rest[i..]`; a run of identifier characters that is not a
/// known suffix is an error (it covers `0b102` and `12abc` alike).
fn scan_suffix(rest: &[u8], i: usize, is_float: bool) -> (Option<IntSuffix>, usize, NumError) {
    let mut j = i;
    while j < rest.len() && is_ident_char(rest[j]) {
        j += 1;
    }
    if j == i {
        return (None, i, None);
    }
    let word = std::str::from_utf8(&rest[i..j]).unwrap_or("");
    let suffix = match word {
        "i32" if !is_float => Some(IntSuffix::I32),
        "i64" if !is_float => Some(IntSuffix::I64),
        "u32" | "u" if !is_float => Some(IntSuffix::U32),
        "u64" if !is_float => Some(IntSuffix::U64),
        "f64" => Some(IntSuffix::F64),
        _ => None,
    };
    match suffix {
        Some(s) => (if is_float { None } else { Some(s) }, j, None),
        None => (
            None,
            j,
            Some((
                format!("invalid suffix `{word}` on a number"),
                "valid suffixes are i32, i64, u32, u64, f64 and u".to_string(),
            )),
        ),
    }
}

fn lex_string(lex: &mut Lexer<Tok>) -> String {
    let start = lex.span().start;
    let rest = lex.remainder();
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    let mut errors: Vec<(usize, usize, &'static str, String)> = Vec::new();
    let mut end = None;
    let mut newline_at = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                end = Some(i + 1);
                break;
            }
            '\n' => {
                newline_at = Some(i);
                break;
            }
            '\\' => {
                let Some(&(j, e)) = chars.peek() else { break };
                let simple = match e {
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    '0' => Some('\0'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    '\'' => Some('\''),
                    _ => None,
                };
                if let Some(s) = simple {
                    chars.next();
                    out.push(s);
                } else if e == 'u' {
                    chars.next();
                    let (decoded, used) = unicode_escape(&rest[j + 1..]);
                    for _ in 0..used {
                        chars.next();
                    }
                    match decoded {
                        Some(ch) => out.push(ch),
                        None => errors.push((
                            i,
                            j + 1 + used,
                            "invalid unicode escape",
                            "expected `\\u{...}` with 1 to 6 hex digits naming a Unicode scalar value".into(),
                        )),
                    }
                } else if e == '\n' {
                    errors.push((
                        i,
                        i + 1,
                        "invalid escape `\\` at the end of a line",
                        "strings cannot continue on the next line".into(),
                    ));
                } else {
                    chars.next();
                    errors.push((
                        i,
                        j + e.len_utf8(),
                        "invalid escape sequence",
                        format!("`\\{}` is not a valid escape; use `\\\\` for a backslash", e.escape_debug()),
                    ));
                }
            }
            _ => out.push(c),
        }
    }
    let base = start + 1;
    for (s, e, title, label) in errors {
        let span = lex.extras.span(base + s, base + e);
        lex.extras.diags.push(Diagnostic::error(codes::BAD_ESCAPE, title, span, label));
    }
    match end {
        Some(n) => lex.bump(n),
        None => {
            let stop = newline_at.unwrap_or(rest.len());
            lex.bump(stop);
            let span = lex.extras.span(start, start + 1);
            let d = Diagnostic::error(
                codes::UNTERMINATED_STRING,
                "unterminated string literal",
                span,
                "this string is never closed",
            );
            let d = if newline_at.is_some() {
                d.with_help("a string cannot contain a raw newline; write `\\n` instead")
            } else {
                d
            };
            lex.extras.diags.push(d);
        }
    }
    out
}

/// Decodes the part of `\u{...}` after the `u`; returns the char and how many bytes it used.
fn unicode_escape(s: &str) -> (Option<char>, usize) {
    let b = s.as_bytes();
    if b.first() != Some(&b'{') {
        return (None, 0);
    }
    let mut i = 1;
    while i < b.len() && b[i].is_ascii_hexdigit() && i <= 7 {
        i += 1;
    }
    let digits = &s[1..i];
    if b.get(i) != Some(&b'}') {
        return (None, i);
    }
    let ch = if (1..=6).contains(&digits.len()) {
        u32::from_str_radix(digits, 16).ok().and_then(char::from_u32)
    } else {
        None
    };
    (ch, i + 1)
}

/// How a token is named in diagnostics.
pub fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(name) => format!("name `{name}`"),
        Tok::Num(NumLit::Int { value, .. }) => format!("number `{value}`"),
        Tok::Num(NumLit::Float(_)) => "number".to_string(),
        Tok::Str(_) => "string literal".to_string(),
        Tok::Label(name) => format!("label `'{name}`"),
        Tok::Newline => "end of line".to_string(),
        Tok::Indent => "indented block".to_string(),
        Tok::Dedent => "end of block".to_string(),
        Tok::ElifLine => "`elif`".to_string(),
        Tok::ElseLine => "`else`".to_string(),
        Tok::CatchLine => "`catch`".to_string(),
        Tok::GtJoint => "`>`".to_string(),
        other => match symbol(other) {
            Some(s) if s.chars().all(|c| c.is_ascii_alphabetic()) => format!("keyword `{s}`"),
            Some(s) => format!("`{s}`"),
            None => "token".to_string(),
        },
    }
}

/// The source text of a fixed token.
pub fn symbol(tok: &Tok) -> Option<&'static str> {
    Some(match tok {
        Tok::And => "and",
        Tok::As => "as",
        Tok::Break => "break",
        Tok::Catch | Tok::CatchLine => "catch",
        Tok::Continue => "continue",
        Tok::Elif | Tok::ElifLine => "elif",
        Tok::Else | Tok::ElseLine => "else",
        Tok::Enum => "enum",
        Tok::False => "false",
        Tok::Fn => "fn",
        Tok::For => "for",
        Tok::If => "if",
        Tok::Impl => "impl",
        Tok::In => "in",
        Tok::Let => "let",
        Tok::Match => "match",
        Tok::Matches => "matches",
        Tok::Mut => "mut",
        Tok::Not => "not",
        Tok::Or => "or",
        Tok::Pass => "pass",
        Tok::Pub => "pub",
        Tok::Return => "return",
        Tok::Struct => "struct",
        Tok::True => "true",
        Tok::Try => "try",
        Tok::Use => "use",
        Tok::While => "while",
        Tok::Underscore => "_",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Percent => "%",
        Tok::Amp => "&",
        Tok::Pipe => "|",
        Tok::Caret => "^",
        Tok::Tilde => "~",
        Tok::Shl => "<<",
        Tok::EqEq => "==",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt | Tok::GtJoint => ">",
        Tok::Ge => ">=",
        Tok::Assign => "=",
        Tok::PlusEq => "+=",
        Tok::MinusEq => "-=",
        Tok::StarEq => "*=",
        Tok::SlashEq => "/=",
        Tok::PercentEq => "%=",
        Tok::AmpEq => "&=",
        Tok::PipeEq => "|=",
        Tok::CaretEq => "^=",
        Tok::ShlEq => "<<=",
        Tok::ShrEq => ">>=",
        Tok::Arrow => "->",
        Tok::Dot => ".",
        Tok::DotDot => "..",
        Tok::DotDotEq => "..=",
        Tok::Colon => ":",
        Tok::ColonEq => ":=",
        Tok::ColonColon => "::",
        Tok::Comma => ",",
        Tok::Semi => ";",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::LBrace => "{",
        Tok::RBrace => "}",
        Tok::Question => "?",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        let (t, d) = lex(src, 0, 0);
        assert!(d.is_empty(), "unexpected diagnostics for {src:?}: {d:?}");
        t.into_iter().map(|(_, t, _)| t).collect()
    }

    fn int(value: u64, suffix: Option<IntSuffix>) -> Tok {
        Tok::Num(NumLit::Int { value, suffix })
    }

    fn codes_of(src: &str) -> Vec<&'static str> {
        lex(src, 0, 0).1.iter().map(|d| d.code).collect()
    }

    #[test]
    fn integer_literals() {
        assert_eq!(toks("123"), vec![int(123, None)]);
        assert_eq!(toks("0xFF"), vec![int(255, None)]);
        assert_eq!(toks("0b1010"), vec![int(10, None)]);
        assert_eq!(toks("0o17"), vec![int(15, None)]);
        assert_eq!(toks("1_000_000"), vec![int(1_000_000, None)]);
        assert_eq!(toks("0xFF_FF 0b1111_0000"), vec![int(0xFFFF, None), int(0xF0, None)]);
        assert_eq!(toks("18446744073709551615u64"), vec![int(u64::MAX, Some(IntSuffix::U64))]);
    }

    #[test]
    fn suffixes_follow_the_longest_digit_run() {
        assert_eq!(
            toks("7u32 3i64 1f64 5u 10u64 2i32"),
            vec![
                int(7, Some(IntSuffix::U32)),
                int(3, Some(IntSuffix::I64)),
                int(1, Some(IntSuffix::F64)),
                int(5, Some(IntSuffix::U32)),
                int(10, Some(IntSuffix::U64)),
                int(2, Some(IntSuffix::I32)),
            ]
        );
        assert_eq!(toks("0x1f64"), vec![int(0x1f64, None)]);
        assert_eq!(toks("0xFFu32"), vec![int(255, Some(IntSuffix::U32))]);
        assert_eq!(toks("0b11u"), vec![int(3, Some(IntSuffix::U32))]);
    }

    #[test]
    fn float_literals() {
        let f = |x: f64| Tok::Num(NumLit::Float(x));
        assert_eq!(
            toks("3.25 6.022e23 1e-9 2.5E+3 1_000.25 1.5e-3"),
            vec![f(3.25), f(6.022e23), f(1e-9), f(2.5e3), f(1000.25), f(1.5e-3)]
        );
        assert_eq!(toks("1e3"), vec![f(1000.0)]);
    }

    #[test]
    fn ranges_and_methods_are_not_floats() {
        assert_eq!(toks("0..10"), vec![int(0, None), Tok::DotDot, int(10, None)]);
        assert_eq!(toks("1..=3"), vec![int(1, None), Tok::DotDotEq, int(3, None)]);
        assert_eq!(toks("1.abs"), vec![int(1, None), Tok::Dot, Tok::Ident("abs".into())]);
    }

    #[test]
    fn bad_numbers() {
        assert_eq!(codes_of("18446744073709551616"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("0x1_0000_0000_0000_0000"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("12abc"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("0b102"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("0x"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("1e999"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("1.5u32"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("1_"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("0x_FF"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("1_.5"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("1e"), vec![codes::BAD_NUMBER]);
        assert_eq!(codes_of("12i8"), vec![codes::BAD_NUMBER]);
        assert!(codes_of("1__000 1_000.000_1 1e1_0").is_empty());
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(toks(r#""a\n\r\t\0\\\"\'b""#), vec![Tok::Str("a\n\r\t\0\\\"'b".into())]);
        assert_eq!(toks(r#""\u{1F600}\u{E9}\u{48}""#), vec![Tok::Str("\u{1F600}\u{E9}H".into())]);
        assert_eq!(toks(r#""é // not /* a comment""#), vec![Tok::Str("é // not /* a comment".into())]);
    }

    #[test]
    fn bad_escapes() {
        let (t, d) = lex(r#"x = "C:\qtemp""#, 0, 0);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, codes::BAD_ESCAPE);
        assert_eq!((d[0].primary.span.start, d[0].primary.span.end), (7, 9));
        assert!(matches!(t.last(), Some((_, Tok::Str(_), _))));
        assert_eq!(codes_of(r#""\u{D800}""#), vec![codes::BAD_ESCAPE]);
        assert_eq!(codes_of(r#""\u{1234567}""#), vec![codes::BAD_ESCAPE]);
        assert_eq!(codes_of(r#""\u12""#), vec![codes::BAD_ESCAPE]);
    }

    #[test]
    fn unterminated_strings() {
        let (t, d) = lex("x = \"abc\ny = 1", 0, 0);
        assert_eq!(d.iter().map(|d| d.code).collect::<Vec<_>>(), vec![codes::UNTERMINATED_STRING]);
        // The newline survives, so layout continues on the next line.
        assert!(t.iter().any(|(_, t, _)| *t == Tok::Newline));
        assert_eq!(codes_of("\"abc"), vec![codes::UNTERMINATED_STRING]);
    }

    #[test]
    fn comments() {
        assert_eq!(toks("a // b\nc"), vec![Tok::Ident("a".into()), Tok::Newline, Tok::Ident("c".into())]);
        assert_eq!(toks("a /* x /* y */ z */ b"), vec![Tok::Ident("a".into()), Tok::Ident("b".into())]);
        // Newlines inside a block comment are not line breaks.
        assert_eq!(toks("a /* \n */ b"), vec![Tok::Ident("a".into()), Tok::Ident("b".into())]);
        let (_, d) = lex("x = 1\n/* open /* nested */\n", 0, 0);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, codes::UNTERMINATED_COMMENT);
        assert_eq!(d[0].primary.span.start, 6);
    }

    #[test]
    fn keywords_identifiers_and_labels() {
        assert_eq!(
            toks("print _ _x self matches"),
            vec![
                Tok::Ident("print".into()),
                Tok::Underscore,
                Tok::Ident("_x".into()),
                Tok::Ident("self".into()),
                Tok::Matches
            ]
        );
        assert_eq!(toks("'outer: for"), vec![Tok::Label("outer".into()), Tok::Colon, Tok::For]);
    }

    #[test]
    fn operators() {
        assert_eq!(
            toks(":= :: ..= -> ? <<="),
            vec![Tok::ColonEq, Tok::ColonColon, Tok::DotDotEq, Tok::Arrow, Tok::Question, Tok::ShlEq]
        );
        assert_eq!(toks("a >> b"), vec![Tok::Ident("a".into()), Tok::GtJoint, Tok::Gt, Tok::Ident("b".into())]);
        assert_eq!(toks(">>="), vec![Tok::ShrEq]);
        assert_eq!(toks("> >"), vec![Tok::Gt, Tok::Gt]);
    }

    #[test]
    fn unknown_characters() {
        let (t, d) = lex("a $$ b @", 0, 0);
        assert_eq!(t.len(), 2);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|d| d.code == codes::UNEXPECTED_CHARACTER));
        assert_eq!(codes_of("x = 'a'"), vec![codes::UNEXPECTED_CHARACTER]);
        assert_eq!(codes_of("é"), vec![codes::UNEXPECTED_CHARACTER]);
    }
}
