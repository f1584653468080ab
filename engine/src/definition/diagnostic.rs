//! Diagnostics: what is wrong in a definition, where, and what to do.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::{Lang, Text};

/// One problem found in a definition file, at `file:line:col`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file, as the caller named it (e.g. "workflows/annual-plan/rules.rhai").
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
    /// What is wrong and what to do, in both languages.
    pub message: Text,
    /// An error stops publishing; a warning is worth a look but may be right.
    #[serde(default, skip_serializing_if = "Severity::is_error")]
    pub severity: Severity,
}

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The definition cannot be published as it is.
    #[default]
    Error,
    /// Possibly wrong, but only the host knows (a role its directory may hold).
    Warning,
}

impl Severity {
    pub fn is_error(&self) -> bool {
        *self == Severity::Error
    }
}

impl Diagnostic {
    /// An error at `file:line:col`.
    pub fn new(file: impl Into<String>, line: u32, col: u32, message: Text) -> Self {
        Diagnostic { file: file.into(), line, col, message, severity: Severity::Error }
    }

    /// The diagnostic as one line in `lang`: `file:line:col: message`, a warning marked.
    pub fn render(&self, lang: Lang) -> String {
        let mark = match (self.severity, lang) {
            (Severity::Error, _) => "",
            (Severity::Warning, Lang::Zh) => "警告：",
            (Severity::Warning, Lang::En) => "warning: ",
        };
        format!("{}:{}:{}: {mark}{}", self.file, self.line, self.col, self.message.get(lang))
    }

    /// The same finding as a warning.
    pub fn warning(self) -> Self {
        Diagnostic { severity: Severity::Warning, ..self }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Every problem found in a definition; loading never stops at the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the definition; first: {}", .0.len(), .0.first().map(|d| d.to_string()).unwrap_or_default())]
pub struct Diagnostics(pub Vec<Diagnostic>);

/// A source file and a way to turn byte offsets into line:col.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// The file name used in diagnostics.
    pub name: &'a str,
    /// The file's text.
    pub text: &'a str,
}

impl Source<'_> {
    /// The 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..self.text.floor_char_boundary(offset)];
        let line = before.matches('\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() as u32 + 1;
        (line, col)
    }

    /// A diagnostic at a byte offset.
    pub fn at(&self, offset: usize, message: Text) -> Diagnostic {
        let (line, col) = self.line_col(offset);
        Diagnostic::new(self.name, line, col, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_character_columns() {
        let src = Source { name: "w.toml", text: "a = 1\n名称 = 2\n" };
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(6), (2, 1));
        // "名称" is two characters of three bytes each.
        assert_eq!(src.line_col(6 + 6 + 1), (2, 4));
    }
}
