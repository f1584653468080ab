//! Field values and the built-in constraints the engine checks before the rules.

mod constraints;
pub mod date;
mod value;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use constraints::{Patterns, check_value, compile_patterns};
pub use value::{decimal_of, from_rhai, is_empty, to_rhai};

use crate::text::Message;

/// A form: field id → value, as JSON (decimals as strings, dates as "YYYY-MM-DD").
pub type Form = BTreeMap<String, serde_json::Value>;

/// A problem with one field or table cell (`items[2].budget`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field id, or `table[row].column` for a cell.
    pub path: String,
    /// What is wrong, in both languages.
    pub message: Message,
}

impl FieldError {
    /// An error on `path` with the engine's own bilingual message.
    pub fn new(path: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError { path: path.into(), message: Message::new(zh, en) }
    }
}
