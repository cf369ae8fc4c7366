//! The standard library's modules: Orus source files from `std/`, compiled into the binary.
//! They reach the runtime through `__`-prefixed built-ins, which only standard modules may
//! name (see `resolve`).

/// `(module name, file name shown in diagnostics, source)`.
const MODULES: &[(&str, &str, &str)] = &[
    ("std.math", "<std>/math.orus", include_str!("../../std/math.orus")),
    ("std.string", "<std>/string.orus", include_str!("../../std/string.orus")),
    ("std.io", "<std>/io.orus", include_str!("../../std/io.orus")),
    ("std.os", "<std>/os.orus", include_str!("../../std/os.orus")),
    ("std.time", "<std>/time.orus", include_str!("../../std/time.orus")),
];

/// The file name and source of the standard module `name` (e.g. `"std.math"`).
pub fn find(name: &str) -> Option<(&'static str, &'static str)> {
    MODULES.iter().find(|(n, _, _)| *n == name).map(|(_, file, src)| (*file, *src))
}

/// Every standard module's name.
pub fn names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|(n, _, _)| *n)
}
