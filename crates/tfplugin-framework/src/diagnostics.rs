//! Diagnostics as values: what every operation appends to when something is wrong, with a summary,
//! a detail and the attribute path Terraform uses to point at the offending line.

use crate::cty::PathStep;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// An attribute path such as `timeouts.create` or `event_data_store`.
pub type AttributePath = Vec<PathStep>;

/// Builds a path from attribute names, the common case.
pub fn attr_path(names: &[&str]) -> AttributePath {
    names
        .iter()
        .map(|n| PathStep::Attr((*n).to_owned()))
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    pub fn at(mut self, path: AttributePath) -> Self {
        self.path = Some(path);
        self
    }

    /// At `path` when there is one; as it is otherwise.
    pub fn at_opt(mut self, path: Option<AttributePath>) -> Self {
        if path.is_some() {
            self.path = path;
        }
        self
    }
}

/// Every problem an operation found, in the order found; never just the first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Appends more: other `Diagnostics`, or an `Option<Diagnostic>`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// Shows a user-supplied string so that control characters and non-printing bytes are visible
/// and cannot break the terminal or the diagnostic's layout. A long value is cut (its length is
/// given instead), so a megabyte of input never becomes a megabyte of diagnostic.
pub fn quote(value: &str) -> String {
    const SHOWN: usize = 100;
    let count = value.chars().count();
    if count <= SHOWN {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(SHOWN).collect();
    format!("{head:?}… ({count} characters)")
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_and_cuts() {
        assert_eq!(quote("a\u{1b}b"), "\"a\\u{1b}b\"");
        let long = quote(&"x".repeat(1 << 20));
        assert!(long.len() < 200, "{long}");
        assert!(long.ends_with("(1048576 characters)"), "{long}");
    }
}
