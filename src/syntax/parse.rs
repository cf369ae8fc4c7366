//! The parser driver: runs lexer, layout and the LALRPOP parser, builds AST nodes for the
//! grammar's actions (`Ctx`), and turns parse errors into clear diagnostics.
//!
//! Depth safety: `layout` bounds bracket nesting, block nesting and the expression depth of each
//! line, so every tree built here is at most a few thousand levels deep and later recursive
//! passes (and `Drop`) cannot overflow the host stack. Input over the bounds is not parsed.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use lalrpop_util::{ErrorRecovery, ParseError};

use super::ast::*;
use super::grammar::ModuleParser;
use super::layout;
use super::span::{LineIndex, Span};
use super::token::{self, describe, NumLit, Spanned, Tok};
use crate::diag::{codes, Diagnostic};

type Recovery = ErrorRecovery<usize, Tok, ()>;

/// Parse one source file. Never panics, never overflows the host stack, on any input.
pub fn parse_module(src: &str, file: u32) -> (Module, Vec<Diagnostic>) {
    parse_module_from(src, file, 0)
}

/// Like `parse_module`, numbering nodes from `first_id`, so that several files parsed into
/// one program have distinct `NodeId`s. `Module::node_count` is then one past the last id.
pub fn parse_module_from(src: &str, file: u32, first_id: NodeId) -> (Module, Vec<Diagnostic>) {
    let base = if src.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let (raw, mut diags) = token::lex(src.get(base..).unwrap_or(""), base, file);
    let lay = layout::layout(src, base, raw, file);
    diags.extend(lay.diags);
    if lay.fatal {
        finish(&mut diags);
        return (Module { stmts: Vec::new(), node_count: first_id }, diags);
    }
    let ctx = Ctx::new(file, first_id);
    let tokens = lay.tokens;
    let result = ModuleParser::new().parse(&ctx, tokens.iter().cloned().map(Ok));
    let mut errors = ctx.errors.take();
    let stmts = match result {
        Ok(stmts) => stmts,
        Err(error) => {
            errors.push(ErrorRecovery { error, dropped_tokens: Vec::new() });
            Vec::new()
        }
    };
    // A parse error on a line that already has a lexical or layout error is usually its echo.
    let lines = LineIndex::new(src);
    let noisy: HashSet<u32> = diags
        .iter()
        .filter(|d| d.code != codes::INCONSISTENT_INDENTATION)
        .map(|d| lines.line(d.primary.span.start))
        .collect();
    let eof_reported = diags.iter().any(|d| d.code == codes::UNEXPECTED_EOF);
    for e in errors {
        if let Some(d) = convert(e.error, &tokens, eof_reported, file) {
            let at = d.primary.span.start as usize;
            let echo = lay.unclosed.iter().any(|&(open, close)| open <= at && at <= close);
            if !echo && !noisy.contains(&lines.line(d.primary.span.start)) {
                diags.push(d);
            }
        }
    }
    diags.extend(ctx.diags.take());
    finish(&mut diags);
    (Module { stmts, node_count: ctx.next_id.get() }, diags)
}

/// Source order, each diagnostic once.
fn finish(diags: &mut Vec<Diagnostic>) {
    diags.sort_by_key(|d| (d.primary.span.start, d.code));
    diags.dedup_by(|a, b| a.code == b.code && a.primary.span.start == b.primary.span.start);
}

// ---------------------------------------------------------------------------------------------
// Error messages

fn convert(err: ParseError<usize, Tok, ()>, toks: &[Spanned], eof_reported: bool, file: u32) -> Option<Diagnostic> {
    let sp = |s: usize, e: usize| Span::new(file, s, e);
    match err {
        ParseError::UnrecognizedEof { location, expected } => {
            if eof_reported {
                return None;
            }
            let d = Diagnostic::error(
                codes::UNEXPECTED_EOF,
                "unexpected end of file",
                sp(location, location),
                "the file ends here",
            );
            Some(match expected_list(&expected) {
                Some(list) => d.with_note(format!("expected {list}")),
                None => d,
            })
        }
        ParseError::UnrecognizedToken { token: (s, tok, e), expected } => {
            Some(unexpected(s, tok, e, &expected, toks, file))
        }
        ParseError::ExtraToken { token: (s, tok, e) } => Some(Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            format!("unexpected {}", describe(&tok)),
            sp(s, e),
            "not expected here",
        )),
        ParseError::InvalidToken { location } => Some(Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            "invalid token",
            sp(location, location),
            "not expected here",
        )),
        ParseError::User { .. } => None,
    }
}

fn unexpected(s: usize, tok: Tok, e: usize, expected: &[String], toks: &[Spanned], file: u32) -> Diagnostic {
    let sp = |s: usize, e: usize| Span::new(file, s, e);
    let idx = find_token(toks, s, &tok);
    let prev = idx.and_then(|i| i.checked_sub(1)).and_then(|i| toks.get(i));
    let wants = |name: &str| expected.iter().any(|x| terminal(x) == name);

    // `:` missing at the end of a suite header: the header is followed by the end of the line
    // or by something that starts a statement (an operator would rather be a typo in it).
    let starts_something = match &tok {
        Tok::Newline | Tok::Indent | Tok::Dedent | Tok::Ident(_) | Tok::Num(_) | Tok::Str(_) | Tok::Label(_) => true,
        other => token::symbol(other).is_some_and(|s| s.starts_with(|c: char| c.is_ascii_alphabetic())),
    };
    if let Some(i) = idx.filter(|&i| wants(":") && starts_something && line_has_suite_keyword(toks, i)) {
        // Reported at the end of the header line (rule 16.15).
        let end =
            toks[i..].iter().position(|t| matches!(t.1, Tok::Newline | Tok::Indent | Tok::Dedent)).map_or(i, |n| i + n);
        let at = if end > i { toks[end - 1].2 } else { s };
        let d =
            Diagnostic::error(codes::MISSING_COLON, "missing `:`", sp(at, at), "expected `:` at the end of this line")
                .with_help("a line that opens a block ends with `:`, as in `if x > 3:`");
        return if end > i {
            d.with_label(sp(s, e), format!("the header cannot continue with {}", describe(&tok)))
        } else {
            d
        };
    }
    // Only layout tokens are left: the file ends in the middle of a construct.
    let at_eof = idx.is_some_and(|i| toks[i..].iter().all(|t| matches!(t.1, Tok::Newline | Tok::Dedent)));
    if matches!(tok, Tok::Newline | Tok::Dedent) && matches!(prev, Some((_, Tok::Colon | Tok::Arrow, _))) {
        let at = prev.map_or(s, |p| p.2);
        let (code, title) = if at_eof {
            (codes::UNEXPECTED_EOF, "unexpected end of file")
        } else {
            (codes::UNEXPECTED_TOKEN, "expected an indented block")
        };
        return Diagnostic::error(code, title, sp(at, at), "expected an indented block after this")
            .with_help("put the body on the same line, or on the following lines indented deeper");
    }
    if at_eof {
        let label = expected_list(expected).map_or("the file ends here".to_string(), |l| format!("expected {l}"));
        return Diagnostic::error(codes::UNEXPECTED_EOF, "unexpected end of file", sp(s, s), label);
    }
    let title = match &tok {
        Tok::Question => "`?` is reserved and not supported yet".to_string(),
        Tok::Indent => "unexpected indent".to_string(),
        Tok::Dedent => "unexpected end of block".to_string(),
        other => format!("unexpected {}", describe(other)),
    };
    let code = if matches!(tok, Tok::Indent) { codes::UNEXPECTED_INDENT } else { codes::UNEXPECTED_TOKEN };
    let label = match expected_list(expected) {
        Some(list) => format!("expected {list}"),
        None => "not expected here".to_string(),
    };
    let span = if s == e && matches!(tok, Tok::Newline) { sp(s, s) } else { sp(s, e) };
    let d = Diagnostic::error(code, title, span, label);
    match tok {
        Tok::EqEq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge | Tok::Matches => {
            d.with_help("comparisons cannot be chained: write `a < b and b < c`, or add parentheses")
        }
        Tok::Else => {
            d.with_help("a one-line `if` cannot have an `else`: put `else:` on its own line, or use `a if cond else b`")
        }
        Tok::ElseLine | Tok::ElifLine => d.with_help("`elif` and `else` must line up with an `if` above them"),
        Tok::CatchLine => d.with_help("`catch` must line up with a `try:` above it"),
        Tok::Elif | Tok::Catch => d.with_help("this keyword must start a line"),
        Tok::Assign if wants("->") => d.with_help("a match arm is written `pattern -> value`"),
        Tok::Assign if wants("==") || idx.is_some_and(|i| line_has_suite_keyword(toks, i)) => {
            d.with_help("to compare, use `==`")
        }
        Tok::Comma if wants("=") => {
            d.with_help("there is no tuple assignment; to declare several names write `a = 1, b = 2`")
        }
        _ => d,
    }
}

/// The index of the token `tok` starting at `s`.
fn find_token(toks: &[Spanned], s: usize, tok: &Tok) -> Option<usize> {
    let mut i = toks.partition_point(|t| t.0 < s);
    while let Some(t) = toks.get(i) {
        if t.0 != s {
            return None;
        }
        if std::mem::discriminant(&t.1) == std::mem::discriminant(tok) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether the logical line holding token `i` has a keyword that opens a suite before it, with
/// no header `:` (outside brackets) between that keyword and token `i`.
fn line_has_suite_keyword(toks: &[Spanned], i: usize) -> bool {
    let mut j = i;
    let mut depth = 0i32;
    while j > 0 {
        j -= 1;
        match toks[j].1 {
            Tok::Newline | Tok::Indent | Tok::Dedent => return false,
            Tok::RParen | Tok::RBracket | Tok::RBrace => depth += 1,
            // The token is inside brackets: a `:` there is a type annotation or a field.
            Tok::LParen | Tok::LBracket | Tok::LBrace if depth == 0 => return false,
            Tok::LParen | Tok::LBracket | Tok::LBrace => depth -= 1,
            Tok::Colon if depth == 0 => return false,
            Tok::If
            | Tok::ElifLine
            | Tok::ElseLine
            | Tok::While
            | Tok::For
            | Tok::Fn
            | Tok::Struct
            | Tok::Enum
            | Tok::Impl
            | Tok::Match
            | Tok::Try
            | Tok::CatchLine
            | Tok::Label(_) => return true,
            _ => {}
        }
    }
    false
}

/// A terminal name as LALRPOP reports it (`"\"(\""`), without its quotes.
fn terminal(name: &str) -> &str {
    name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).unwrap_or(name)
}

const EXPR_START: &[&str] =
    &["ident", "number", "string", "true", "false", "(", "[", "-", "not", "~", "fn", "if", "match"];
const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", "<=", ">", ">=", "and", "or", "as", "matches",
    ".", "(", "[", "{", "::", "if", "..", "..=",
];

/// "`:` or an expression", or `None` when the list would be too long to help.
fn expected_list(expected: &[String]) -> Option<String> {
    let names: Vec<&str> = expected.iter().map(|x| terminal(x)).collect();
    let has = |n: &str| names.contains(&n);
    let mut items: Vec<String> = Vec::new();
    let mut skip: HashSet<&str> = HashSet::new();
    if has("ident") && has("number") {
        items.push("an expression".into());
        skip.extend(EXPR_START);
    }
    if has("+") && has("*") {
        items.push("an operator".into());
        skip.extend(OPERATORS);
    }
    for n in names {
        if skip.contains(n) {
            continue;
        }
        items.push(match n {
            "NEWLINE" => "end of line".into(),
            "INDENT" => "an indented block".into(),
            "DEDENT" => "end of block".into(),
            "ELIF" => "`elif`".into(),
            "ELSE" => "`else`".into(),
            "CATCH" => "`catch`".into(),
            "ident" => "a name".into(),
            "number" => "a number".into(),
            "string" => "a string".into(),
            "label" => "a label".into(),
            ">>" => "`>`".into(),
            other => format!("`{other}`"),
        });
    }
    items.dedup();
    if items.len() > 4 {
        // Too many to list: keep the ones that usually explain the mistake.
        const USEFUL: &[&str] = &["an expression", "an operator", "end of line", "`:`", "`,`", "`)`", "`]`", "`}`"];
        items.retain(|i| USEFUL.contains(&i.as_str()));
        items.sort_by_key(|i| USEFUL.iter().position(|u| u == i));
        items.truncate(3);
    }
    match items.len() {
        0 => None,
        1 => items.pop(),
        n if n <= 4 => {
            let last = items.pop().unwrap_or_default();
            Some(format!("{} or {last}", items.join(", ")))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// AST construction for the grammar's actions

/// State shared by the grammar's actions: node ids, recovered errors, action-level diagnostics.
pub struct Ctx {
    file: u32,
    next_id: Cell<u32>,
    errors: RefCell<Vec<Recovery>>,
    diags: RefCell<Vec<Diagnostic>>,
}

impl Ctx {
    fn new(file: u32, first_id: NodeId) -> Ctx {
        Ctx { file, next_id: Cell::new(first_id), errors: RefCell::new(Vec::new()), diags: RefCell::new(Vec::new()) }
    }

    pub fn span(&self, l: usize, r: usize) -> Span {
        Span::new(self.file, l, r.max(l))
    }

    fn id(&self) -> NodeId {
        let id = self.next_id.get();
        self.next_id.set(id.saturating_add(1));
        id
    }

    fn error(&self, span: Span, title: &str, label: &str) {
        self.diags.borrow_mut().push(Diagnostic::error(codes::UNEXPECTED_TOKEN, title, span, label));
    }

    pub fn recover(&self, e: Recovery, l: usize, r: usize) -> Stmt {
        self.errors.borrow_mut().push(e);
        self.stmt(StmtKind::Error, l, r)
    }

    pub fn ident(&self, name: String, l: usize, r: usize) -> Ident {
        Ident { name, span: self.span(l, r) }
    }

    pub fn stmt(&self, kind: StmtKind, l: usize, r: usize) -> Stmt {
        Stmt { kind, span: self.span(l, r) }
    }

    pub fn block(&self, stmts: Vec<Stmt>, l: usize, r: usize) -> Block {
        Block { stmts, span: self.span(l, r) }
    }

    pub fn expr(&self, kind: ExprKind, l: usize, r: usize) -> Expr {
        Expr { id: self.id(), kind, span: self.span(l, r) }
    }

    pub fn pattern(&self, kind: PatternKind, l: usize, r: usize) -> Pattern {
        Pattern { id: self.id(), kind, span: self.span(l, r) }
    }

    pub fn ty(&self, kind: TypeExprKind, l: usize, r: usize) -> TypeExpr {
        TypeExpr { kind, span: self.span(l, r) }
    }

    pub fn binary(&self, op: BinOp, lhs: Expr, rhs: Expr, l: usize, r: usize) -> Expr {
        self.expr(ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, l, r)
    }

    pub fn unary(&self, op: UnOp, operand: Expr, l: usize, r: usize) -> Expr {
        self.expr(ExprKind::Unary { op, operand: Box::new(operand) }, l, r)
    }

    pub fn number(&self, n: NumLit, l: usize, r: usize) -> Expr {
        let kind = match n {
            NumLit::Int { value, suffix } => ExprKind::Int { value, suffix },
            NumLit::Float(f) => ExprKind::Float(f),
        };
        self.expr(kind, l, r)
    }

    pub fn range(&self, start: Expr, end: Expr, step: Option<Expr>, inclusive: bool, l: usize, r: usize) -> Expr {
        let kind = ExprKind::Range { start: Box::new(start), end: Box::new(end), step: step.map(Box::new), inclusive };
        self.expr(kind, l, r)
    }

    pub fn lambda(
        &self,
        params: Vec<Param>,
        ret: Option<TypeExpr>,
        body: Block,
        kw: (usize, usize),
        l: usize,
        r: usize,
    ) -> Expr {
        let name = self.ident("<lambda>".to_string(), kw.0, kw.1);
        let decl = FnDecl { public: false, name, generics: Vec::new(), params, ret, body, span: self.span(l, r) };
        self.expr(ExprKind::Lambda(Box::new(decl)), l, r)
    }

    /// `Name{...}` / `module.Name{...}`: the part before `{` must be a path of names.
    pub fn struct_lit(
        &self,
        callee: Expr,
        type_args: Vec<TypeExpr>,
        fields: Vec<FieldInit>,
        l: usize,
        r: usize,
    ) -> Expr {
        let span = callee.span;
        let mut path = Vec::new();
        let mut cur = callee;
        loop {
            match cur.kind {
                ExprKind::Name(id) => {
                    path.push(id);
                    break;
                }
                ExprKind::Field { base, name } => {
                    path.push(name);
                    cur = *base;
                }
                _ => {
                    self.error(span, "expected a struct name before `{`", "not a type name");
                    return self.expr(ExprKind::Error, l, r);
                }
            }
        }
        path.reverse();
        self.expr(ExprKind::StructLit { path, type_args, fields }, l, r)
    }

    pub fn path_pattern(&self, mut path: Vec<Ident>, args: Option<Vec<Pattern>>, l: usize, r: usize) -> Pattern {
        if path.len() == 1 && args.is_none() {
            if let Some(name) = path.pop() {
                return self.pattern(PatternKind::Binding(name), l, r);
            }
        }
        self.pattern(PatternKind::Variant { path, args }, l, r)
    }

    pub fn number_pattern(&self, (neg, n): (bool, NumLit), l: usize, r: usize) -> Pattern {
        let kind = match n {
            NumLit::Int { value, .. } => PatternKind::Int(if neg { -(value as i128) } else { value as i128 }),
            NumLit::Float(f) => PatternKind::Float(if neg { -f } else { f }),
        };
        self.pattern(kind, l, r)
    }

    pub fn range_pattern(
        &self,
        lo: (bool, NumLit),
        hi: (bool, NumLit),
        inclusive: bool,
        l: usize,
        r: usize,
    ) -> Pattern {
        let int = |(neg, n): (bool, NumLit)| match n {
            NumLit::Int { value, .. } => Some(if neg { -(value as i128) } else { value as i128 }),
            NumLit::Float(_) => None,
        };
        match (int(lo), int(hi)) {
            (Some(lo), Some(hi)) => self.pattern(PatternKind::Range { lo, hi, inclusive }, l, r),
            _ => {
                self.error(self.span(l, r), "range patterns need integer bounds", "not an integer range");
                self.pattern(PatternKind::Wildcard, l, r)
            }
        }
    }

    pub fn array_type(&self, elem: TypeExpr, n: NumLit, l: usize, r: usize) -> TypeExpr {
        let len = match n {
            NumLit::Int { value, .. } => Some(value),
            NumLit::Float(_) => {
                self.error(self.span(l, r), "array length must be an integer", "expected an integer length");
                None
            }
        };
        self.ty(TypeExprKind::Array { elem: Box::new(elem), len }, l, r)
    }

    /// `a = 1, mut b = 2`: every item of a `,` list must declare one name.
    pub fn check_decl_list(&self, items: &mut Vec<Stmt>, next: Stmt) {
        if items.len() == 1 {
            self.check_decl_item(&items[0]);
        }
        self.check_decl_item(&next);
        items.push(next);
    }

    fn check_decl_item(&self, s: &Stmt) {
        let ok = match &s.kind {
            StmtKind::Decl { .. } => true,
            StmtKind::Assign { targets, .. } => targets.len() == 1 && matches!(targets[0].kind, ExprKind::Name(_)),
            _ => false,
        };
        if !ok {
            self.error(s.span, "only declarations can be separated by `,`", "this does not declare a single name");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn parse(src: &str) -> (Module, Vec<Diagnostic>) {
        parse_module(src, 0)
    }

    fn parse_ok(src: &str) -> Module {
        let (m, d) = parse(src);
        assert!(d.is_empty(), "unexpected diagnostics for {src:?}:\n{}", show_diags(src, &d));
        m
    }

    fn show_diags(src: &str, d: &[Diagnostic]) -> String {
        let lines = LineIndex::new(src);
        d.iter()
            .map(|d| {
                let (l, c) = lines.line_col(d.primary.span.start);
                format!("{l}:{c}: {} {} [{}]\n", d.code, d.title, d.primary.message)
            })
            .collect()
    }

    /// (code, line) of each diagnostic.
    fn errors(src: &str) -> Vec<(&'static str, u32)> {
        let (_, d) = parse(src);
        let lines = LineIndex::new(src);
        d.iter().map(|d| (d.code, lines.line(d.primary.span.start))).collect()
    }

    /// A compact rendering of an expression, parenthesizing every operator.
    fn sx(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int { value, suffix: None } => value.to_string(),
            ExprKind::Int { value, suffix: Some(s) } => format!("{value}{s:?}"),
            ExprKind::Float(f) => format!("{f:?}"),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(n) => n.name.clone(),
            ExprKind::Unary { op, operand } => format!("({op:?} {})", sx(operand)),
            ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", sx(lhs), op.symbol(), sx(rhs)),
            ExprKind::Cond { cond, then, otherwise } => {
                format!("({} if {} else {})", sx(then), sx(cond), sx(otherwise))
            }
            ExprKind::Call { callee, type_args, args } => {
                let targs = if type_args.is_empty() { String::new() } else { format!("::<{}>", type_args.len()) };
                format!("{}{targs}({})", sx(callee), list(args))
            }
            ExprKind::Index { base, index } => format!("{}[{}]", sx(base), sx(index)),
            ExprKind::Slice { base, start, end } => {
                let o = |x: &Option<Box<Expr>>| x.as_ref().map(|e| sx(e)).unwrap_or_default();
                format!("{}[{}..{}]", sx(base), o(start), o(end))
            }
            ExprKind::Field { base, name } => format!("{}.{}", sx(base), name.name),
            ExprKind::StructLit { path, type_args, fields } => {
                let p: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
                let f: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.name.name, sx(&f.value))).collect();
                format!("{}<{}>{{{}}}", p.join("."), type_args.len(), f.join(", "))
            }
            ExprKind::Array(items) => format!("[{}]", list(items)),
            ExprKind::ArrayFill { value, count } => format!("[{}; {}]", sx(value), sx(count)),
            ExprKind::Range { start, end, step, inclusive } => {
                let op = if *inclusive { "..=" } else { ".." };
                let st = step.as_ref().map(|s| format!("..{}", sx(s))).unwrap_or_default();
                format!("({}{op}{}{st})", sx(start), sx(end))
            }
            ExprKind::Lambda(f) => format!("(fn/{} {})", f.params.len(), block(&f.body)),
            ExprKind::If { branches, otherwise } => {
                let b: Vec<String> = branches.iter().map(|(c, b)| format!("{} {}", sx(c), block(b))).collect();
                let o = otherwise.as_ref().map(|b| format!(" else {}", block(b))).unwrap_or_default();
                format!("(if {}{o})", b.join(" elif "))
            }
            ExprKind::Match { scrutinee, arms } => format!("(match {} {})", sx(scrutinee), arms.len()),
            ExprKind::Matches { value, .. } => format!("({} matches _)", sx(value)),
            ExprKind::Cast { value, .. } => format!("({} as T)", sx(value)),
            ExprKind::Error => "ERR".into(),
        }
    }

    fn list(items: &[Expr]) -> String {
        items.iter().map(sx).collect::<Vec<_>>().join(", ")
    }

    fn block(b: &Block) -> String {
        let s: Vec<String> = b.stmts.iter().map(stmt).collect();
        format!("{{{}}}", s.join("; "))
    }

    fn stmt(s: &Stmt) -> String {
        match &s.kind {
            StmtKind::Expr(e) => sx(e),
            StmtKind::Decl { mutable, name, ty, value } => {
                format!(
                    "decl{} {}{} = {}",
                    if *mutable { " mut" } else { "" },
                    name.name,
                    if ty.is_some() { ": T" } else { "" },
                    sx(value)
                )
            }
            StmtKind::Assign { targets, value } => format!("{} = {}", list(targets).replace(", ", " = "), sx(value)),
            StmtKind::CompoundAssign { target, op, value } => format!("{} {}= {}", sx(target), op.symbol(), sx(value)),
            StmtKind::Const { public, name, value, .. } => {
                format!("const{} {} = {}", if *public { " pub" } else { "" }, name.name, sx(value))
            }
            StmtKind::While { label, cond, body } => format!("{}while {} {}", lbl(label), sx(cond), block(body)),
            StmtKind::For { label, var, iter, body } => {
                let v = var.as_ref().map_or("_", |v| v.name.as_str());
                format!("{}for {v} in {} {}", lbl(label), sx(iter), block(body))
            }
            StmtKind::Break { label } => {
                format!("break{}", label.as_ref().map(|l| format!(" '{}", l.name)).unwrap_or_default())
            }
            StmtKind::Continue { label } => {
                format!("continue{}", label.as_ref().map(|l| format!(" '{}", l.name)).unwrap_or_default())
            }
            StmtKind::Return(v) => format!("return{}", v.as_ref().map(|v| format!(" {}", sx(v))).unwrap_or_default()),
            StmtKind::Pass => "pass".into(),
            StmtKind::Try { body, err, handler } => {
                format!(
                    "try {} catch{} {}",
                    block(body),
                    err.as_ref().map(|e| format!(" {}", e.name)).unwrap_or_default(),
                    block(handler)
                )
            }
            StmtKind::Fn(f) => format!("fn {}/{} {}", f.name.name, f.params.len(), block(&f.body)),
            StmtKind::Struct(s) => format!("struct {} {}", s.name.name, s.fields.len()),
            StmtKind::Enum(e) => format!("enum {} {}", e.name.name, e.variants.len()),
            StmtKind::Impl(i) => format!("impl {}", i.methods.len()),
            StmtKind::Use(u) => format!("use {}", u.path.len()),
            StmtKind::Error => "ERROR".into(),
        }
    }

    fn lbl(l: &Option<Ident>) -> String {
        l.as_ref().map(|l| format!("'{}: ", l.name)).unwrap_or_default()
    }

    /// The statements of `src`, rendered and joined with ` | `.
    fn stmts(src: &str) -> String {
        parse_ok(src).stmts.iter().map(stmt).collect::<Vec<_>>().join(" | ")
    }

    fn expr(src: &str) -> String {
        stmts(src)
    }

    #[test]
    fn precedence() {
        assert_eq!(expr("1 + 2 << 3"), "((1 + 2) << 3)");
        assert_eq!(expr("2 | 1 ^ 3 & 5"), "(2 | (1 ^ (3 & 5)))");
        assert_eq!(expr("x & 1 == 0"), "((x & 1) == 0)");
        assert_eq!(expr("a if c else b if d else e"), "(a if c else (b if d else e))");
        assert_eq!(expr("a or b and not c"), "(a or (b and (Not c)))");
        assert_eq!(expr("1 + 2 * 3 - 4 / 5 % 6"), "((1 + (2 * 3)) - ((4 / 5) % 6))");
        assert_eq!(expr("-x as u32 as i64"), "(((Neg x) as T) as T)");
        assert_eq!(expr("a * b as f64"), "(a * (b as T))");
        assert_eq!(expr("x >> 2 > y"), "((x >> 2) > y)");
        assert_eq!(expr("n as i64 < limit"), "((n as T) < limit)");
        assert_eq!(expr("a < b == c < d"), "((a < b) == (c < d))");
        assert_eq!(expr("~a | -b"), "((BitNot a) | (Neg b))");
        assert_eq!(expr("not a == b"), "((Not a) == b)");
        assert_eq!(expr("x matches Some(_) and y"), "((x matches _) and y)");
    }

    #[test]
    fn comparisons_do_not_chain() {
        assert_eq!(errors("a < b < c"), vec![(codes::UNEXPECTED_TOKEN, 1)]);
        assert_eq!(errors("a == b == c"), vec![(codes::UNEXPECTED_TOKEN, 1)]);
        let (_, d) = parse("x = a < b < c");
        assert!(d[0].help.as_deref().is_some_and(|h| h.contains("chained")));
    }

    #[test]
    fn postfix_forms() {
        assert_eq!(expr("f(x)(y)[0].z"), "f(x)(y)[0].z");
        assert_eq!(expr("p.m(1, 2,)"), "p.m(1, 2)");
        assert_eq!(expr("parse::<i64>(s)"), "parse::<1>(s)");
        assert_eq!(expr("m.get::<Map<K, Option<V>>>(k)"), "m.get::<1>(k)");
        assert_eq!(expr("a[1..3]; a[..2]; a[3..]; a[..]"), "a[1..3] | a[..2] | a[3..] | a[..]");
        assert_eq!(expr("Point{ x: 1, y: 2 }.norm()"), "Point<0>{x: 1, y: 2}.norm()");
        assert_eq!(expr("geo.Point{x: 1}"), "geo.Point<0>{x: 1}");
        assert_eq!(expr("Pair::<i32, string>{ first: 1, second: \"a\" }"), "Pair<2>{first: 1, second: \"a\"}");
        assert_eq!(expr("\"abc\"[5]"), "\"abc\"[5]");
    }

    #[test]
    fn literals_and_arrays() {
        assert_eq!(expr("[1, 2, 3,]"), "[1, 2, 3]");
        assert_eq!(expr("[x; n]"), "[x; n]");
        assert_eq!(expr("[x, n]"), "[x, n]");
        assert_eq!(expr("[]"), "[]");
        assert_eq!(expr("xs = [\n  1,\n  2,\n]"), "xs = [1, 2]");
        assert_eq!(expr("0xFFu32 + 1.5 + \"a\\n\""), "((255U32 + 1.5) + \"a\\n\")");
        assert_eq!(expr("true and false"), "(true and false)");
    }

    #[test]
    fn ranges() {
        assert_eq!(stmts("r = 0..10"), "r = (0..10)");
        assert_eq!(stmts("for i in 0..=n..2: f(i)"), "for i in (0..=n..2) {f(i)}");
        assert_eq!(stmts("for i in 10..0..-3: f(i)"), "for i in (10..0..(Neg 3)) {f(i)}");
        assert_eq!(stmts("for _ in 0..n + 1: pass"), "for _ in (0..(n + 1)) {pass}");
    }

    #[test]
    fn bindings_and_assignments() {
        assert_eq!(stmts("x = 1"), "x = 1");
        assert_eq!(stmts("mut x = 1"), "decl mut x = 1");
        assert_eq!(stmts("x: f64 = 0.5"), "decl x: T = 0.5");
        assert_eq!(stmts("let x = 1\nlet mut y: i64 = 2"), "decl x = 1 | decl mut y: T = 2");
        assert_eq!(stmts("a = b = 0"), "a = b = 0");
        assert_eq!(stmts("a = 1, mut b: i64 = 2"), "a = 1 | decl mut b: T = 2");
        assert_eq!(stmts("xs[1] += 40; p.y -= 1; b >>= 2; c <<= 1"), "xs[1] += 40 | p.y -= 1 | b >>= 2 | c <<= 1");
        assert_eq!(
            stmts("PI: f64 := 3.14\npub APP: string := \"Orus\"\nK := 1"),
            "const PI = 3.14 | const pub APP = \"Orus\" | const K = 1"
        );
        assert_eq!(stmts("stock: Map<string, [i32]> = Map.new()"), "decl stock: T = Map.new()");
        let (_, d) = parse("a = 1, b.c = 2");
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn control_flow() {
        assert_eq!(stmts("if a: b\nelif c: d\nelse: e"), "(if a {b} elif c {d} else {e})");
        assert_eq!(stmts("if a:\n    b\n    c\nelse:\n    d"), "(if a {b; c} else {d})");
        assert_eq!(stmts("while n < 3: n += 1"), "while (n < 3) {n += 1}");
        assert_eq!(
            stmts("'outer: for r in rows:\n    for c in r:\n        if c: continue 'outer\n        break 'outer"),
            "'outer: for r in rows {for c in r {(if c {continue 'outer}); break 'outer}}"
        );
        assert_eq!(stmts("'w: while true: break"), "'w: while true {break}");
        assert_eq!(stmts("return\nreturn 1\npass"), "return | return 1 | pass");
        assert_eq!(stmts("try:\n    a\ncatch err:\n    b"), "try {a} catch err {b}");
        assert_eq!(stmts("try: a\ncatch: b"), "try {a} catch {b}");
        assert_eq!(stmts("x = 3; y = 4; print(x + y)"), "x = 3 | y = 4 | print((x + y))");
        assert_eq!(stmts("record(); record();"), "record() | record()");
        assert_eq!(stmts("for x in xs: if x: y"), "for x in xs {(if x {y})}");
    }

    #[test]
    fn one_line_if_else_is_rejected() {
        assert_eq!(errors("if a: x else: y"), vec![(codes::UNEXPECTED_TOKEN, 1)]);
    }

    #[test]
    fn if_and_match_as_values() {
        assert_eq!(stmts("y = if c:\n    1\nelse:\n    2"), "y = (if c {1} else {2})");
        assert_eq!(stmts("x = match v:\n    1 -> \"a\"\n    _ -> \"b\""), "x = (match v 2)");
        assert_eq!(stmts("mut z: i32 = match v:\n    _ -> 0"), "decl mut z: T = (match v 1)");
        assert_eq!(stmts("fn f(): return match v:\n    _ -> 0"), "fn f/0 {return (match v 1)}");
    }

    #[test]
    fn match_arms() {
        let src = "match s:\n    Shape.Circle(r) -> 3.0 * r\n    Shape.Rect(w, h) if w == h -> w * w\n    1 | 2 | 3 -> x\n    4..=9 -> y\n    -5..0 -> z\n    \"go\" -> a\n    Some(Shape.Circle(_)) ->\n        p = 1\n        p + 1\n    None -> pass\n    _ -> break\n";
        let m = parse_ok(src);
        let StmtKind::Expr(Expr { kind: ExprKind::Match { arms, .. }, .. }) = &m.stmts[0].kind else { panic!() };
        assert_eq!(arms.len(), 9);
        assert!(
            matches!(&arms[0].pattern.kind, PatternKind::Variant { path, args: Some(a) } if path.len() == 2 && a.len() == 1)
        );
        assert!(arms[1].guard.is_some());
        assert!(matches!(&arms[2].pattern.kind, PatternKind::Or(alts) if alts.len() == 3));
        assert!(matches!(arms[3].pattern.kind, PatternKind::Range { lo: 4, hi: 9, inclusive: true }));
        assert!(matches!(arms[4].pattern.kind, PatternKind::Range { lo: -5, hi: 0, inclusive: false }));
        assert!(matches!(&arms[5].pattern.kind, PatternKind::Str(s) if s == "go"));
        assert_eq!(arms[6].body.stmts.len(), 2);
        assert!(matches!(&arms[7].pattern.kind, PatternKind::Binding(n) if n.name == "None"));
        assert!(matches!(arms[8].pattern.kind, PatternKind::Wildcard));
        assert_eq!(stmts("print(x matches 40..=49, o matches Some(_) | None)"), "print((x matches _), (o matches _))");
    }

    #[test]
    fn nested_match_in_arm() {
        let src =
            "match a:\n    true ->\n        match b:\n            true -> 1\n            false -> 2\n    false -> 3\n";
        assert_eq!(stmts(src), "(match a 2)");
    }

    #[test]
    fn functions_and_lambdas() {
        assert_eq!(stmts("fn add(a: i32, b: i32) -> i32:\n    return a + b"), "fn add/2 {return (a + b)}");
        assert_eq!(stmts("fn square(v: i32) -> i32: v * v"), "fn square/1 {(v * v)}");
        assert_eq!(stmts("pub fn id<T: Comparable + Hashable, U>(x: T) -> T: x"), "fn id/1 {x}");
        assert_eq!(stmts("sq = fn(v: i32) -> i32: v * v"), "sq = (fn/1 {(v * v)})");
        assert_eq!(stmts("apply(fn(x): x + 1, 5)"), "apply((fn/1 {(x + 1)}), 5)");
        assert_eq!(
            stmts("f = fn(n):\n    mut v = 0\n    return fn() -> i32:\n        v += n\n        v"),
            "f = (fn/1 {decl mut v = 0; return (fn/0 {v += n; v})})"
        );
        assert_eq!(
            stmts("fn make() -> fn(i32) -> i32:\n    return fn(x: i32) -> i32: x"),
            "fn make/0 {return (fn/1 {x})}"
        );
        let m = parse_ok(
            "pub fn f<T: Comparable + Hashable, U>(self, x, f: fn(A, B) -> R, g: fn(A), xs: [T, 3]) -> Option<T>: x",
        );
        let StmtKind::Fn(f) = &m.stmts[0].kind else { panic!() };
        assert!(f.public);
        assert_eq!(f.generics.len(), 2);
        assert_eq!(f.generics[0].bounds.len(), 2);
        assert_eq!(f.params[0].name.name, "self");
        assert!(
            matches!(f.params[2].ty.as_ref().map(|t| &t.kind), Some(TypeExprKind::Func { params, ret: Some(_) }) if params.len() == 2)
        );
        assert!(matches!(f.params[3].ty.as_ref().map(|t| &t.kind), Some(TypeExprKind::Func { ret: None, .. })));
        assert!(matches!(f.params[4].ty.as_ref().map(|t| &t.kind), Some(TypeExprKind::Array { len: Some(3), .. })));
        assert!(matches!(f.ret.as_ref().map(|t| &t.kind), Some(TypeExprKind::Named { args, .. }) if args.len() == 1));
        let StmtKind::Expr(e) = &parse_ok("fn(x): x").stmts[0].kind else { panic!() };
        let ExprKind::Lambda(l) = &e.kind else { panic!() };
        assert_eq!(l.name.name, "<lambda>");
    }

    #[test]
    fn types() {
        let m = parse_ok("x: Option<Map<string, [geo.Point]>> = y");
        let StmtKind::Decl { ty: Some(t), .. } = &m.stmts[0].kind else { panic!() };
        let TypeExprKind::Named { path, args } = &t.kind else { panic!() };
        assert_eq!(path[0].name, "Option");
        let TypeExprKind::Named { args: inner, .. } = &args[0].kind else { panic!() };
        assert!(
            matches!(&inner[1].kind, TypeExprKind::Array { elem, len: None } if matches!(&elem.kind, TypeExprKind::Named { path, .. } if path.len() == 2))
        );
    }

    #[test]
    fn declarations() {
        let src = "struct Point:\n    x: i32\n    y: i32 = 0\n\npub struct Pair<A, B>:\n    first: A\n    second: B\n\nenum Shape:\n    Circle(radius: f64)\n    Rect(w: f64, h: f64)\n    Num(i64)\n    Empty\n\nimpl<A, B> Pair<A, B>:\n    fn swap(self) -> Pair<B, A>:\n        Pair{ first: self.second, second: self.first }\n    pub fn origin() -> Point: Point{ x: 0 }\n";
        assert_eq!(stmts(src), "struct Point 2 | struct Pair 2 | enum Shape 4 | impl 2");
        let m = parse_ok(src);
        let StmtKind::Struct(s) = &m.stmts[0].kind else { panic!() };
        assert!(s.fields[1].default.is_some());
        let StmtKind::Enum(e) = &m.stmts[2].kind else { panic!() };
        assert!(e.variants[0].fields[0].name.is_some());
        assert!(e.variants[2].fields[0].name.is_none());
        assert!(e.variants[3].fields.is_empty());
        assert_eq!(stmts("enum Color: Red, Green, Blue"), "enum Color 3");
        assert_eq!(stmts("struct P: x: i32, y: i32"), "struct P 2");
    }

    #[test]
    fn uses() {
        let m = parse_ok("use geometry\nuse geometry as geo\nuse geometry: Point, origin as start\nuse lib.textutil: *\nuse std.math: sqrt");
        let kinds: Vec<String> = m
            .stmts
            .iter()
            .map(|s| match &s.kind {
                StmtKind::Use(u) => match &u.kind {
                    UseKind::Module { alias } => format!("{}:mod:{}", u.path.len(), alias.is_some()),
                    UseKind::Names(n) => {
                        format!("{}:names:{}:{}", u.path.len(), n.len(), n.last().is_some_and(|n| n.1.is_some()))
                    }
                    UseKind::Glob => format!("{}:glob", u.path.len()),
                },
                _ => "?".into(),
            })
            .collect();
        assert_eq!(kinds, vec!["1:mod:false", "1:mod:true", "1:names:2:true", "2:glob", "2:names:1:false"]);
        assert_eq!(stmts("use a.b: x, y as z"), "use 2");
    }

    #[test]
    fn node_ids_are_unique() {
        let (m, _) = parse("x = f(1 + 2, [3; 4])\nmatch x:\n    Some(y) -> y\n");
        let mut seen = HashSet::new();
        fn walk(e: &Expr, seen: &mut HashSet<NodeId>) {
            assert!(seen.insert(e.id));
            match &e.kind {
                ExprKind::Binary { lhs, rhs, .. } => {
                    walk(lhs, seen);
                    walk(rhs, seen);
                }
                ExprKind::Call { callee, args, .. } => {
                    walk(callee, seen);
                    args.iter().for_each(|a| walk(a, seen));
                }
                ExprKind::Array(items) => items.iter().for_each(|a| walk(a, seen)),
                ExprKind::ArrayFill { value, count } => {
                    walk(value, seen);
                    walk(count, seen);
                }
                _ => {}
            }
        }
        let StmtKind::Assign { targets, value } = &m.stmts[0].kind else { panic!() };
        walk(&targets[0], &mut seen);
        walk(value, &mut seen);
        assert!(seen.iter().all(|&id| id < m.node_count));
        assert!(m.node_count >= 10);
    }

    #[test]
    fn spans_cover_statements() {
        let src = "if a:\n    b\nc = 1\n";
        let m = parse_ok(src);
        assert_eq!((m.stmts[0].span.start, m.stmts[0].span.end), (0, 11));
        assert_eq!((m.stmts[1].span.start, m.stmts[1].span.end), (12, 17));
    }

    #[test]
    fn missing_colon_is_reported_at_the_end_of_the_header() {
        let src = "print(1)\nfor i in 0..3 print(i)\n";
        let (_, d) = parse(src);
        assert_eq!(d.len(), 1, "{}", show_diags(src, &d));
        assert_eq!(d[0].code, codes::MISSING_COLON);
        assert_eq!(LineIndex::new(src).line_col(d[0].primary.span.start), (2, 23));
        assert_eq!(LineIndex::new(src).line_col(d[0].secondary[0].span.start), (2, 15));
        let src = "if x > 3\n    print(x)\nelse\n    print(y)\n";
        assert_eq!(errors(src), vec![(codes::MISSING_COLON, 1), (codes::MISSING_COLON, 3)]);
        assert_eq!(errors("while x\nprint(x)\n"), vec![(codes::MISSING_COLON, 1)]);
        assert_eq!(errors("fn f() -> i32\n    1\n"), vec![(codes::MISSING_COLON, 1)]);
    }

    #[test]
    fn several_errors_in_one_run() {
        let src = "x = (1 +)\ny = 2\nfn f(x y):\n    pass\nz = [1 2]\nif a:\n    b = = 3\n    c = 4\nw = 5 5\n";
        let e = errors(src);
        assert_eq!(e.iter().map(|e| e.1).collect::<Vec<_>>(), vec![1, 3, 5, 7, 9], "{e:?}");
        assert!(e.iter().all(|e| e.0 == codes::UNEXPECTED_TOKEN));
        let (m, _) = parse(src);
        assert!(m.stmts.iter().any(|s| matches!(s.kind, StmtKind::Error)));
        assert!(m.stmts.iter().any(|s| matches!(&s.kind, StmtKind::Assign { targets, .. } if matches!(&targets[0].kind, ExprKind::Name(n) if n.name == "y"))));
    }

    #[test]
    fn error_messages_are_readable() {
        let (_, d) = parse("x = \ny = 1");
        assert_eq!(d[0].title, "unexpected end of line");
        assert_eq!(d[0].primary.message, "expected an expression");
        let (_, d) = parse("if x:\ny\n");
        assert_eq!(d[0].title, "expected an indented block");
        assert_eq!(errors("if x:\n"), vec![(codes::UNEXPECTED_EOF, 1)]);
        assert_eq!(errors("x = 1 +"), vec![(codes::UNEXPECTED_EOF, 1)]);
        assert_eq!(errors("fn f():\n    x = 1 +\n"), vec![(codes::UNEXPECTED_EOF, 2)]);
        let (_, d) = parse("x = a ? b\n");
        assert!(d[0].title.contains("reserved"));
        let (_, d) = parse("else:\n    x\n");
        assert!(d[0].title.contains("`else`"));
        for d in parse("f(1 2) ] } )").1 {
            assert!(!d.title.contains('"') && !d.primary.message.contains("\\\""), "{d:?}");
        }
    }

    #[test]
    fn unexpected_eof_in_brackets() {
        assert_eq!(errors("x = [1, 2,\n"), vec![(codes::UNEXPECTED_EOF, 1)]);
        assert_eq!(errors("print(f(1)\ny = 2\nwhile y: pass\n"), vec![(codes::UNEXPECTED_TOKEN, 1)]);
    }

    #[test]
    fn deep_nesting_gives_a_diagnostic() {
        let cases = [
            "(".repeat(10_000),
            format!("x = {}1{}", "(".repeat(10_000), ")".repeat(10_000)),
            format!("x = {}1", "1 + ".repeat(10_000)),
            format!("x = {}1", "- ".repeat(10_000)),
            format!("x = {}1", "not ".repeat(10_000)),
            format!("x = a{}", ".b".repeat(10_000)),
            format!("x = f{}", "()".repeat(10_000)),
            format!("x = a{}", " as i32".repeat(10_000)),
            format!("x = {}1", "fn(): ".repeat(10_000)),
            format!("x = {}1{}", "[".repeat(10_000), "]".repeat(10_000)),
            (0..300).map(|i| format!("{}if x:\n", " ".repeat(i))).collect(),
        ];
        for src in &cases {
            let (m, d) = parse(src);
            assert!(d.iter().any(|d| d.code == codes::NESTING_TOO_DEEP), "{}", &src[..40]);
            assert!(m.stmts.is_empty());
        }
        // Deep input just under the limits parses (and drops) fine on a test thread.
        parse_ok(&format!("x = {}1", "1 + ".repeat(900)));
        parse_ok(&format!("x = {}1{}", "(".repeat(190), ")".repeat(190)));
        parse_ok(&format!("x = {}1", "-".repeat(900)));
        // Long but shallow input is fine.
        let flat = format!("x = [{}]\n", "1, ".repeat(20_000));
        parse_ok(&flat);
        let many: String = (0..5000).map(|i| format!("x{i} = {i}\n")).collect();
        assert_eq!(parse_ok(&many).stmts.len(), 5000);
    }

    fn conformance_dir() -> Option<PathBuf> {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        [here.join("../shared/conformance"), PathBuf::from("/work/shared/conformance")].into_iter().find(|p| p.is_dir())
    }

    fn conformance_programs() -> Vec<(PathBuf, String)> {
        let Some(dir) = conformance_dir() else {
            eprintln!("conformance suite not found; skipping");
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "orus") {
                    if let Ok(text) = std::fs::read_to_string(&p) {
                        out.push((p, text));
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// Syntax-error programs of the conformance suite, with their expected code and line.
    const SYNTAX_ERRORS: &[(&str, &str, u32)] = &[
        ("bad_dedent", codes::BAD_DEDENT, 6),
        ("bad_escape", codes::BAD_ESCAPE, 3),
        ("missing_colon", codes::MISSING_COLON, 3),
        ("mixed_tabs", codes::INCONSISTENT_INDENTATION, 6),
        ("unterminated_comment", codes::UNTERMINATED_COMMENT, 4),
    ];

    #[test]
    fn conformance_programs_parse() {
        let programs = conformance_programs();
        for (path, src) in &programs {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let (m, d) = parse(src);
            match SYNTAX_ERRORS.iter().find(|e| e.0 == stem) {
                Some(&(_, code, line)) => {
                    let lines = LineIndex::new(src);
                    let got: Vec<_> = d.iter().map(|d| (d.code, lines.line(d.primary.span.start))).collect();
                    assert_eq!(got, vec![(code, line)], "{}", path.display());
                    let stderr = std::fs::read_to_string(path.with_extension("stderr")).unwrap_or_default();
                    for want in stderr.lines().filter(|l| !l.trim().is_empty() && !l.starts_with(':')) {
                        assert!(d[0].title.contains(want), "{}: title {:?} lacks {want:?}", path.display(), d[0].title);
                    }
                }
                None => {
                    assert!(d.is_empty(), "{}:\n{}", path.display(), show_diags(src, &d));
                    assert!(!m.stmts.is_empty());
                }
            }
        }
    }

    #[test]
    fn truncated_programs_never_panic() {
        for (_, src) in conformance_programs() {
            let step = (src.len() / 60).max(1);
            let mut i = 0;
            while i < src.len() {
                if src.is_char_boundary(i) {
                    let _ = parse(&src[..i]);
                    // Also with a stray token spliced in.
                    let _ = parse(&format!("{} ) ( : \n{}", &src[..i], &src[i..]));
                }
                i += step;
            }
        }
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let alphabet: Vec<char> =
            "ab1_ \n\t:;,.()[]{}<>=+-*/%&|^~!?'\"\\#@$\u{e9}0x9e.fnifelsematchwhile->..=::".chars().collect();
        for _ in 0..300 {
            let len = (seed % 200) as usize;
            let mut s = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let _ = parse(&s);
        }
    }

    #[test]
    fn empty_and_comment_only_files() {
        for src in ["", "\n\n", "// only a comment", "/* a */\n   \n\t// b\n", "\u{feff}"] {
            let m = parse_ok(src);
            assert!(m.stmts.is_empty());
            assert_eq!(m.node_count, 0);
        }
    }

    #[test]
    fn line_endings_and_trailing_comments() {
        assert_eq!(stmts("if a:\r\n    b\r\nc\r\n"), "(if a {b}) | c");
        assert_eq!(stmts("if a:  // why\n    b  /* note */\n"), "(if a {b})");
        assert_eq!(stmts("y = if c: 1\nelse: 2"), "y = (if c {1} else {2})");
        assert_eq!(stmts("if a: x\nelse: if b: y"), "(if a {x} else {(if b {y})})");
    }

    #[test]
    fn bom_is_ignored() {
        let m = parse_ok("\u{feff}x = 1\n");
        assert_eq!(m.stmts[0].span.start, 3);
    }
}
