//! The syntax stage: lexer (`token`), offside rule (`layout`), LALRPOP grammar and the driver
//! that turns one source file into an AST plus diagnostics (`parse`).

pub mod ast;
pub mod host;
pub mod layout;
pub mod parse;
pub mod span;
pub mod token;
pub mod visit;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, unused_imports, dead_code)]
    pub grammar,
    "/syntax/grammar.rs"
);

pub use parse::{parse_module, parse_module_from};
