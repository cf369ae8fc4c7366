//! Every diagnostic and runtime error code, with its one-line title. `ERRORS.md` holds the
//! long explanations; `orus explain` prints them.

// E0xxx: runtime errors.
pub const DIVISION_BY_ZERO: &str = "E0001";
pub const OVERFLOW: &str = "E0002";
pub const INDEX_OUT_OF_RANGE: &str = "E0003";
pub const STACK_OVERFLOW: &str = "E0004";
pub const ASSERTION_FAILED: &str = "E0005";
pub const PANIC: &str = "E0006";
pub const BAD_CONVERSION: &str = "E0007";
pub const UNINITIALIZED: &str = "E0008";
pub const ZERO_STEP: &str = "E0009";
pub const SHIFT_OUT_OF_RANGE: &str = "E0010";
pub const END_OF_INPUT: &str = "E0011";
pub const EMPTY_ARRAY: &str = "E0012";
pub const KEY_NOT_FOUND: &str = "E0013";
pub const OUT_OF_MEMORY: &str = "E0014";
pub const INSTRUCTION_BUDGET: &str = "E0015";
pub const DEADLINE: &str = "E0016";
pub const IO_ERROR: &str = "E0017";
pub const INTERRUPTED: &str = "E0018";
pub const UNWRAP_FAILED: &str = "E0019";
pub const HOST_ERROR: &str = "E0020";
pub const HOST_PANIC: &str = "E0021";

// E1xxx: syntax errors.
pub const UNEXPECTED_TOKEN: &str = "E1001";
pub const MISSING_COLON: &str = "E1002";
pub const INCONSISTENT_INDENTATION: &str = "E1003";
pub const BAD_DEDENT: &str = "E1004";
pub const UNEXPECTED_INDENT: &str = "E1005";
pub const BAD_ESCAPE: &str = "E1006";
pub const UNTERMINATED_STRING: &str = "E1007";
pub const UNTERMINATED_COMMENT: &str = "E1008";
pub const BAD_NUMBER: &str = "E1009";
pub const UNEXPECTED_CHARACTER: &str = "E1010";
pub const UNEXPECTED_EOF: &str = "E1011";
pub const NESTING_TOO_DEEP: &str = "E1012";

// E2xxx: name and type errors.
pub const UNKNOWN_NAME: &str = "E2001";
pub const TYPE_MISMATCH: &str = "E2002";
pub const IMMUTABLE_ASSIGN: &str = "E2003";
pub const WRONG_ARITY: &str = "E2004";
pub const BREAK_OUTSIDE_LOOP: &str = "E2005";
pub const UNKNOWN_LABEL: &str = "E2006";
pub const REDECLARED: &str = "E2007";
pub const UNASSIGNED: &str = "E2008";
pub const LITERAL_OUT_OF_RANGE: &str = "E2009";
pub const CONSTRAINT_NOT_SATISFIED: &str = "E2010";
pub const INVALID_CAST: &str = "E2011";
pub const CANNOT_INFER: &str = "E2012";
pub const NOT_CALLABLE: &str = "E2013";
pub const UNKNOWN_FIELD: &str = "E2014";
pub const UNKNOWN_METHOD: &str = "E2015";
pub const RETURN_OUTSIDE_FN: &str = "E2016";
pub const NON_EXHAUSTIVE: &str = "E2017";
pub const UNREACHABLE_ARM: &str = "E2018";
pub const MISSING_FIELD: &str = "E2019";
pub const UNKNOWN_VARIANT: &str = "E2020";
pub const PAYLOAD_ARITY: &str = "E2021";
pub const TYPE_ARG_COUNT: &str = "E2022";
pub const POLYMORPHIC_RECURSION: &str = "E2023";
pub const INVALID_TARGET: &str = "E2024";
pub const CONSTANT_ASSIGN: &str = "E2025";
pub const BAD_MAIN: &str = "E2026";
pub const FUNCTION_TOO_LARGE: &str = "E2027";
pub const UNSIGNED_NEGATION: &str = "E2028";
pub const DUPLICATE_DEFINITION: &str = "E2029";
pub const BINDING_IN_MATCHES: &str = "E2030";
pub const UNKNOWN_TYPE: &str = "E2031";
pub const NOT_YET_SUPPORTED: &str = "E2032";

// E3xxx: module errors.
pub const MODULE_NOT_FOUND: &str = "E3001";
pub const IMPORT_CYCLE: &str = "E3002";
pub const PRIVATE_NAME: &str = "E3003";
pub const USE_IN_BLOCK: &str = "E3004";
pub const UNKNOWN_MODULE_NAME: &str = "E3005";

// E9xxx: internal errors.
pub const INTERNAL: &str = "E9001";
