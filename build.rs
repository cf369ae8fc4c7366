//! Generates the parser from `src/syntax/grammar.lalrpop` into OUT_DIR (loaded by
//! `lalrpop_mod!` in `src/syntax/mod.rs`).

fn main() {
    lalrpop::Configuration::new().use_cargo_dir_conventions().emit_rerun_directives(true).process().unwrap();
}
