//! Native (Rust) functions callable with `CallN`. The id is shared by codegen and the VM;
//! the type argument carried by `CallN` is described per native.

macro_rules! natives {
    ($( $(#[$doc:meta])* $name:ident, )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Native { $( $(#[$doc])* $name, )* }

        impl Native {
            pub const ALL: &'static [Native] = &[$(Native::$name,)*];
            pub fn name(self) -> &'static str {
                match self { $( Native::$name => stringify!($name), )* }
            }
            pub fn from_u16(v: u16) -> Option<Native> {
                Native::ALL.get(v as usize).copied()
            }
        }
    };
}

natives! {
    /// input() -> string; EOF is E0011. Flushes stdout first.
    Input,
    /// input(prompt: string) -> string; writes the prompt without newline, flushes.
    InputPrompt,
    /// int(s: string) -> i32 (section 16.9); bad input E0007
    ParseInt,
    /// float(s: string) -> f64 (section 16.18); bad input E0007
    ParseFloat,
    /// timestamp() -> f64 monotonic seconds
    Timestamp,
    /// assert(cond: bool) -> void; false is E0005 "assertion failed"
    Assert,
    /// assert_eq(label: string, actual: T, expected: T) -> bool; type arg = T.
    /// Failure is E0005 with message naming label, expected and actual.
    AssertEq,
    /// min(a: T, b: T) -> T, type arg = T (numeric)
    Min,
    /// max(a: T, b: T) -> T
    Max,
    /// abs(a: T) -> T; signed MIN is E0002
    Abs,
    /// insert(xs: [T], i: int, v: T) -> void; i in 0..=len else E0003
    ArrayInsert,
    /// remove(xs: [T], i: int) -> T; E0003 when out of range
    ArrayRemove,
    /// sort(xs: [T]) in place; type arg = T (Comparable)
    Sort,
    /// sorted(xs: [T]) -> [T]; type arg = T
    Sorted,
    /// reverse(xs: [T]) in place
    Reverse,
    /// contains(xs: [T], v: T) -> bool; type arg = T (deep equality)
    ArrayContains,
    /// contains(s: string, sub: string) -> bool
    StrContains,
    StartsWith,
    EndsWith,
    /// split(s, sep) -> [string]; split("", ",") == [""]; empty sep splits into chars
    Split,
    /// join(parts: [string], sep) -> string
    Join,
    /// trim(s) -> string (Unicode whitespace)
    Trim,
    ToUpper,
    ToLower,
    /// replace(s, from, to) -> string (all occurrences)
    Replace,
    /// repeat(s, n: i32) -> string; n < 0 treated as 0
    Repeat,
    /// chars(s) -> [string] (one string per Unicode scalar)
    Chars,
    /// exit(code: i32): ends the program with that exit code
    Exit,
    /// find(s, sub) -> Option<i32>: byte index of the first occurrence; type arg = the
    /// TypeId of `Option<i32>`
    StrFind,
    // The standard library's hooks (std/*.orus); f64 -> f64 unless noted.
    Sqrt,
    /// pow(x, y) -> f64
    Pow,
    Floor,
    Ceil,
    /// round half away from zero
    Round,
    Sin,
    Cos,
    Tan,
    /// atan2(y, x) -> f64
    Atan2,
    Exp,
    Ln,
    Log10,
    /// read_file(path) -> Result<string, Error>; type arg = that Result type
    ReadFile,
    /// write_file(path, text) -> Result<void, Error>; type arg = that Result type
    WriteFile,
    /// read_lines(path) -> Result<[string], Error>; type arg = that Result type
    ReadLines,
    /// args() -> [string]: a fresh copy of the program's arguments
    Args,
    /// env(name) -> Option<string>; type arg = that Option type
    Env,
    /// sleep(seconds: f64): stops early with E0016/E0018 on a deadline or interrupt
    Sleep,
}
