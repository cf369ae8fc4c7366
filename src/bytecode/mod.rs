//! The compiled form: instruction encoding (`op`), programs and functions (`chunk`),
//! native function ids (`native`), a disassembler and a verifier run once at load.

pub mod chunk;
pub mod disasm;
pub mod host;
pub mod native;
pub mod op;
pub mod verify;
