//! Field values and the built-in constraints the engine checks before the rules.

mod constraints;
pub mod date;
pub mod display;
mod value;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use constraints::{Patterns, check_value, pattern_matches};
pub use value::{decimal_of, from_rhai, is_empty, to_rhai};

use crate::text::Message;

/// A form: field id → value, as JSON (decimals as strings, dates as "YYYY-MM-DD").
pub type Form = BTreeMap<String, serde_json::Value>;

/// The ids `fields`' person fields hold in the values `value_of` gives, table rows
/// included: the people a form (or a change to it) names.
pub fn people_in<'a>(
    fields: &[crate::definition::Field],
    value_of: &dyn Fn(&str) -> Option<&'a serde_json::Value>,
    out: &mut Vec<&'a str>,
) {
    use crate::definition::FieldKind;
    use serde_json::Value;
    for f in fields {
        let Some(v) = value_of(&f.id) else { continue };
        match (f.kind, v) {
            (FieldKind::Person, Value::String(id)) => out.push(id),
            (FieldKind::Person, Value::Array(ids)) => out.extend(ids.iter().filter_map(Value::as_str)),
            (FieldKind::Table, Value::Array(rows)) => {
                for cells in rows.iter().filter_map(Value::as_object) {
                    people_in(&f.columns, &|id| cells.get(id), out);
                }
            }
            _ => {}
        }
    }
}

/// A file a form's attachment field names, as the form records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The attachment field.
    pub field: String,
    pub name: String,
    pub sha256: String,
    pub size: Option<u64>,
    pub media_type: String,
}

/// Every file named in `form`'s attachment fields (one value or a list each), whatever
/// else is wrong with them: the constraints report that.
pub fn files(def: &crate::definition::Definition, form: &Form) -> Vec<FileRef> {
    let attachment_fields = def.fields.iter().filter(|f| f.kind == crate::definition::FieldKind::Attachment);
    let mut out = Vec::new();
    for field in attachment_fields {
        let items = match form.get(&field.id) {
            Some(serde_json::Value::Array(list)) => list.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        for item in items {
            let text = |k: &str| item.get(k).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
            if let Some(sha256) = item.get("sha256").and_then(serde_json::Value::as_str) {
                out.push(FileRef {
                    field: field.id.clone(),
                    name: text("name"),
                    sha256: sha256.to_string(),
                    size: item.get("size").and_then(serde_json::Value::as_u64),
                    media_type: text("media_type"),
                });
            }
        }
    }
    out
}

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

    /// A value sent for `key`, which the form does not have.
    pub fn no_such_field(key: &str) -> Self {
        FieldError::new(key, format!("表单没有字段「{key}」。"), format!("The form has no field '{key}'."))
    }
}
