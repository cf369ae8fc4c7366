//! `orus explain CODE`: the section of `ERRORS.md` for one code, embedded in the binary.

const ERRORS_MD: &str = include_str!("../../ERRORS.md");

/// The `## CODE: title` section for `code` (case-insensitive), up to the next section.
pub fn explain(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let heading = format!("## {code}:");
    let start = ERRORS_MD.find(&heading)?;
    let rest = &ERRORS_MD[start..];
    let end = rest[heading.len()..].find("\n## ").map(|i| i + heading.len() + 1).unwrap_or(rest.len());
    Some(rest[..end].trim_end().to_string() + "\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_a_section_and_stops_at_the_next() {
        let text = super::explain("e0001").unwrap_or_default();
        assert!(text.starts_with("## E0001: division by zero"));
        assert!(!text.contains("## E0002"));
        assert!(super::explain("E7777").is_none());
    }
}
