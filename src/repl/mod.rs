//! The REPL (`orus repl`, or `orus` without arguments). Design (see docs/DECISIONS.md):
//! each input is compiled as a fresh program made of the input followed by the
//! declarations accumulated so far (functions, structs, enums, impls, constants, uses),
//! with every variable bound by an earlier input provided as a typed host global holding
//! its value. Only the new input's statements run, so earlier side effects never repeat.
//! After a run, the program's module-level bindings are copied out as `Value`s and become
//! the globals of the next input. An input whose last statement is an expression prints
//! its value and type (`3 : i32`).
//!
//! `input.rs` reads inputs (rustyline with history on a terminal, plain lines otherwise).

mod input;
mod interrupt;

use std::io::Write;

use crate::api::{Engine, Type, Value};
use crate::diag::render::ErrorFormat;
use crate::syntax::ast::{Stmt, StmtKind, TypeExprKind};

pub use input::run;

/// The hidden binding an expression input is assigned to.
const IT: &str = "__it";

/// A declaration kept between inputs, with the key that a redefinition replaces.
struct Decl {
    key: String,
    source: String,
}

/// A variable from an earlier input.
struct Var {
    name: String,
    ty: Type,
    type_name: String,
    value: Value,
    mutable: bool,
}

/// The state of one REPL session.
pub struct Session {
    decls: Vec<Decl>,
    vars: Vec<Var>,
    color: bool,
    /// Where results and diagnostics go (the script's own `print` goes to stdout).
    out: Box<dyn Write>,
    err: Box<dyn Write>,
}

/// What `eval` decided about an input.
struct Plan {
    /// Keys of the declarations the input makes.
    keys: Vec<(String, String)>,
    /// The span of a final expression statement.
    expr: Option<(usize, usize)>,
}

impl Session {
    pub fn new(color: bool, out: Box<dyn Write>, err: Box<dyn Write>) -> Session {
        Session { decls: Vec::new(), vars: Vec::new(), color, out, err }
    }

    /// Handles one complete input: a `:command` or Orus code. Returns false on `:quit`.
    pub fn handle(&mut self, input: &str) -> bool {
        let trimmed = input.trim();
        if let Some(cmd) = trimmed.strip_prefix(':') {
            let (name, arg) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
            let arg = arg.trim();
            match name {
                "q" | "quit" | "exit" => return false,
                "h" | "help" => self.say(HELP),
                "t" | "type" => self.type_of(arg),
                "d" | "disasm" => self.disasm(arg),
                "l" | "load" => match std::fs::read(arg) {
                    Ok(bytes) => self.eval(&String::from_utf8_lossy(&bytes)),
                    Err(e) => self.complain(&format!("error: cannot read `{arg}`: {e}\n")),
                },
                _ => self.complain(&format!("error: unknown command `:{name}` (try :help)\n")),
            }
            return true;
        }
        if !trimmed.is_empty() {
            self.eval(input);
        }
        true
    }

    fn say(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    fn complain(&mut self, text: &str) {
        let _ = self.out.flush();
        let _ = self.err.write_all(text.as_bytes());
        let _ = self.err.flush();
    }

    /// An engine providing the variables of earlier inputs.
    fn engine(&self) -> Engine {
        let mut engine = Engine::builder().inherit_stdin(true).module_files(true).build();
        for v in &self.vars {
            engine.set_global_value(&v.name, v.ty.clone(), v.value.clone(), v.mutable);
        }
        engine
    }

    /// The program text: `input`, then the kept declarations it does not redefine.
    fn source(&self, input: &str, redefined: &[(String, String)]) -> String {
        let mut src = input.trim_end().to_string();
        src.push('\n');
        for d in self.decls.iter().filter(|d| !redefined.iter().any(|(k, _)| *k == d.key)) {
            src.push('\n');
            src.push_str(d.source.trim_end());
            src.push('\n');
        }
        src
    }

    fn plan(&mut self, input: &str) -> Option<Plan> {
        let (module, diags) = crate::syntax::parse_module(input, 0);
        if diags.iter().any(|d| d.is_error()) {
            let files = vec![crate::diag::SourceFile { name: "<repl>".into(), text: input.to_string() }];
            let text = crate::diag::render::render_diagnostics(&diags, &files, ErrorFormat::Human, self.color);
            self.complain(&text);
            return None;
        }
        let mut keys = Vec::new();
        for s in &module.stmts {
            if let Some(key) = decl_key(s) {
                let text = input.get(s.span.start as usize..s.span.end as usize).unwrap_or_default();
                keys.push((key, text.to_string()));
            }
        }
        let expr = match module.stmts.last().map(|s| &s.kind) {
            Some(StmtKind::Expr(e)) => Some((e.span.start as usize, e.span.end as usize)),
            _ => None,
        };
        Some(Plan { keys, expr })
    }

    /// Compiles and runs one input.
    fn eval(&mut self, input: &str) {
        let Some(plan) = self.plan(input) else { return };
        self.drop_vars_of_redefined_types(&plan.keys);
        let engine = self.engine();
        let mut printed_expr = false;
        let mut program = None;
        if let Some((start, end)) = plan.expr {
            let rewritten = format!(
                "{}{IT} = ({}){}",
                input.get(..start).unwrap_or_default(),
                input.get(start..end).unwrap_or_default(),
                input.get(end..).unwrap_or_default()
            );
            if let Ok(p) = engine.compile_named("<repl>", &self.source(&rewritten, &plan.keys)) {
                program = Some(p);
                printed_expr = true;
            }
        }
        let mut program = match program {
            Some(p) => p,
            None => match engine.compile_named("<repl>", &self.source(input, &plan.keys)) {
                Ok(p) => p,
                Err(d) => return self.complain(&d.render_as(ErrorFormat::Human, self.color)),
            },
        };
        let result = interrupt::while_running(&mut program, |p| p.run());
        let _ = std::io::stdout().flush();
        let as_typed = printed_expr.then(|| self.source(input, &plan.keys));
        self.keep_decls(plan.keys);
        self.keep_vars(&mut program);
        match result {
            Ok(_) if printed_expr => match program.global_value(IT) {
                Ok((Value::Void, _)) | Err(_) => {}
                Ok((v, ty)) => self.say(&format!("{v} : {ty}\n")),
            },
            Ok(_) => {}
            Err(e) => {
                let text = match &as_typed {
                    // The rewrite adds no lines, so the typed text lines up with the trace.
                    Some(src) => program.render_error_as_typed(&e, src),
                    None => program.render_error(&e),
                };
                self.complain(&text);
            }
        }
    }

    fn keep_decls(&mut self, keys: Vec<(String, String)>) {
        self.decls.retain(|d| !keys.iter().any(|(k, _)| *k == d.key));
        self.decls.extend(keys.into_iter().map(|(key, source)| Decl { key, source }));
    }

    /// Copies the program's initialized module-level bindings out as the next variables.
    fn keep_vars(&mut self, program: &mut crate::api::Program) {
        let globals = program.globals();
        let mut seen = Vec::new();
        for g in globals.iter().rev() {
            if g.name == IT || g.constant || seen.contains(&g.name) {
                continue;
            }
            seen.push(g.name.clone());
            let Ok((value, type_name)) = program.global_value(&g.name) else { continue };
            let old = self.vars.iter().position(|v| v.name == g.name);
            if let Value::Func(_) = value {
                if let Some(i) = old {
                    self.vars.remove(i);
                }
                let note = format!(
                    "note: `{}` holds a function value, which does not persist between inputs; define it with `fn {}(...)`\n",
                    g.name, g.name
                );
                self.complain(&note);
                continue;
            }
            let Some(ty) = Type::parse(&type_name) else { continue };
            let var = Var { name: g.name.clone(), ty, type_name, value, mutable: g.mutable };
            match old.and_then(|i| self.vars.get_mut(i)) {
                Some(slot) => *slot = var,
                None => self.vars.push(var),
            }
        }
    }

    /// A redefined struct or enum invalidates the variables holding its old values.
    fn drop_vars_of_redefined_types(&mut self, keys: &[(String, String)]) {
        let types: Vec<&str> = keys.iter().filter_map(|(k, _)| k.strip_prefix("type ")).collect();
        let mut dropped = Vec::new();
        self.vars.retain(|v| {
            let uses = v.type_name.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| types.contains(&w));
            if uses {
                dropped.push((v.name.clone(), v.type_name.clone()));
            }
            !uses
        });
        for (name, ty) in dropped {
            self.complain(&format!("note: `{name}` was dropped: its type `{ty}` was redefined\n"));
        }
    }

    /// `:type EXPR`: the type of an expression, without running anything.
    fn type_of(&mut self, expr: &str) {
        if expr.is_empty() {
            return self.complain("usage: :type EXPR\n");
        }
        let engine = self.engine();
        let probe = format!("{IT} = ({expr})");
        if let Ok(p) = engine.compile_named("<repl>", &self.source(&probe, &[])) {
            if let Some(g) = p.globals().iter().rev().find(|g| g.name == IT) {
                return self.say(&format!("{expr} : {}\n", g.ty));
            }
        }
        match engine.compile_named("<repl>", &self.source(expr, &[])) {
            Ok(_) => self.say(&format!("{expr} : void\n")),
            Err(d) => self.complain(&d.render_as(ErrorFormat::Human, self.color)),
        }
    }

    /// `:disasm NAME`: the bytecode of a function defined so far.
    fn disasm(&mut self, name: &str) {
        let engine = self.engine();
        match engine.compile_named("<repl>", &self.source("", &[])) {
            Ok(p) => {
                let text = p.disassemble(if name.is_empty() { None } else { Some(name) });
                if text.is_empty() {
                    self.complain(&format!("error: no function `{name}` (generic functions appear once called)\n"));
                } else {
                    self.say(&text);
                }
            }
            Err(d) => self.complain(&d.render_as(ErrorFormat::Human, self.color)),
        }
    }
}

/// The key under which a declaration statement is kept (a redefinition replaces it).
fn decl_key(s: &Stmt) -> Option<String> {
    match &s.kind {
        StmtKind::Fn(f) => Some(format!("fn {}", f.name.name)),
        StmtKind::Struct(d) => Some(format!("type {}", d.name.name)),
        StmtKind::Enum(d) => Some(format!("type {}", d.name.name)),
        StmtKind::Const { name, .. } => Some(format!("const {}", name.name)),
        StmtKind::Impl(imp) => match &imp.target.kind {
            TypeExprKind::Named { path, .. } => {
                let methods: Vec<&str> = imp.methods.iter().map(|m| m.name.name.as_str()).collect();
                let ty = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                Some(format!("impl {ty} {}", methods.join(",")))
            }
            _ => None,
        },
        StmtKind::Use(_) => Some(format!("use {}:{}", s.span.start, s.span.end)),
        _ => None,
    }
}

const HELP: &str = "\
Enter Orus code; a line ending in `:` continues until a blank line.
Definitions (fn, struct, enum, impl, constants) and variables persist between inputs;
an expression input prints its value and type. Use `let x = ...` to redefine a variable.
  :type EXPR     show the type of an expression (nothing runs)
  :disasm NAME   show the bytecode of a function
  :load FILE     run a file's code in the session
  :help          this text
  :quit          leave (also Ctrl-D)
";
