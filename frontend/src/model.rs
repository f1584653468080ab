//! What the server's JSON API sends, as the widget reads it. Engine types (forms, field
//! errors, messages, audit events) are shared with the server through kexie-engine.

use std::collections::BTreeMap;

use kexie_engine::definition::Definition;
use kexie_engine::fields::{FieldError, Form};
use kexie_engine::instance::Event;
use kexie_engine::people::Actor;
use kexie_engine::text::{Message, Text};
use serde::Deserialize;

/// The verified caller (`GET /me`): who the rules see acting, and whether they administer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Me {
    #[serde(flatten)]
    pub actor: Actor,
    #[serde(default)]
    pub admin: bool,
}

/// A workflow in the list of those that can be started.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WorkflowSummary {
    pub key: String,
    pub version: i64,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    #[serde(default)]
    pub article: Option<String>,
    pub can_start: bool,
}

/// A published version: the sources the widget compiles its rules from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WorkflowVersion {
    pub key: String,
    pub version: i64,
    /// The checked definition (the widget never parses TOML).
    pub definition: Definition,
    pub rules_rhai: String,
}

/// Somebody, as the server names them: id and name, and for an initiator the department
/// and roles the rules see (`ctx.initiator`).
pub type PersonRef = Actor;

/// A step the instance can be returned to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StepRef {
    pub id: String,
    pub label: Text,
}

/// An instance as the caller may see it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InstanceView {
    pub id: String,
    pub workflow: String,
    pub version: u32,
    pub title: Text,
    pub status: String,
    pub step: String,
    #[serde(default)]
    pub step_label: Option<Text>,
    #[serde(default)]
    pub step_kind: Option<String>,
    pub revision: u64,
    pub initiator: PersonRef,
    pub form: Form,
    #[serde(default)]
    pub hidden: Vec<String>,
    #[serde(default)]
    pub editable: Vec<String>,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub notes: Vec<Message>,
    #[serde(default)]
    pub overdue: bool,
    #[serde(default)]
    pub due_at: Option<String>,
    /// At a notice (公示) step: when it may be closed.
    #[serde(default)]
    pub notice_until: Option<String>,
    #[serde(default)]
    pub waiting_for: Vec<String>,
    #[serde(default)]
    pub route: Vec<String>,
    #[serde(default)]
    pub return_to: Vec<StepRef>,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
}

impl InstanceView {
    /// Whether the caller may take `action` now.
    pub fn can(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a == action)
    }

    /// A person's name, or the id when the server did not say.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }
}

/// A row of a work list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListRow {
    pub id: String,
    pub workflow: String,
    pub title: Text,
    pub step: String,
    #[serde(default)]
    pub step_label: Option<Text>,
    pub status: String,
    /// The instance's first text field, to tell it from others of its workflow.
    #[serde(default)]
    pub summary: Option<String>,
    pub initiator: PersonRef,
    pub updated_at: String,
    #[serde(default)]
    pub due_at: Option<String>,
    #[serde(default)]
    pub overdue: bool,
}

/// A page of a work list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ListPage {
    pub items: Vec<ListRow>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// An entry of the audit log.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub event: Event,
}

/// A person or department a picker offers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub department: Option<String>,
}

/// The directory's answer to a search.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct DirectoryPage {
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub departments: Vec<String>,
}

/// A stored attachment, as an attachment field holds it.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct AttachmentMeta {
    pub name: String,
    pub size: u64,
    pub media_type: String,
    pub sha256: String,
}

/// The server's error body.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, in both languages, and where.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: Text,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub details: Option<serde_json::Value>,
}

impl ErrorDetail {
    /// The field errors a refused submit names.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match (self.code.as_str(), &self.details) {
            ("validation", Some(d)) => serde_json::from_value(d.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}
