//! Workflows: the list, a published version, and for administrators publishing, the
//! version history and each version's texts.

use kexie_engine::bundle::{Bundle, Checked};
use kexie_engine::definition::{Definition, Diagnostic};
use kexie_engine::text::{Lang, Text};
use serde::{Deserialize, Serialize};

use crate::PersonRef;

/// A workflow in the list of those that can be started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkflowSummary {
    pub key: String,
    pub version: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: Text,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub description: Option<Text>,
    pub article: Option<String>,
    /// Whether the caller may start it.
    pub can_start: bool,
}

/// A published version: the definition and the sources the widget compiles its rules from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkflowVersion {
    pub key: String,
    pub version: i64,
    /// The checked definition (the widget never parses TOML).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub definition: Definition,
    pub workflow_toml: String,
    pub rules_rhai: String,
    pub published_at: String,
    pub published_by: String,
    /// Why it was published.
    pub note: String,
}

/// A workflow's texts: its definition, its rules and its golden cases.
// `kexie_engine::bundle::Bundle` as it reads and writes itself, for the OpenAPI document
// only: the engine does not depend on utoipa.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(as = Bundle)]
#[allow(dead_code)] // never built
pub struct BundleSchema {
    workflow_toml: String,
    rules_rhai: String,
    /// Case files by name (`01-main.toml`, and `_people.toml` for the people they share) →
    /// text. Always in responses; may be left out of a request (no cases).
    #[schema(required = false)]
    cases: std::collections::BTreeMap<String, String>,
}

/// Publishing (`POST /workflows/{key}/versions`): the texts and why they changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = BundleSchema))]
    pub bundle: Bundle,
    /// What changed and why: 1 to 500 characters, kept with the version.
    // A missing note is refused like an empty one, naming the field.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub note: String,
}

/// The result of publishing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishResult {
    pub key: String,
    pub version: i64,
    /// False when the bundle equals the newest version (nothing stored).
    pub created: bool,
}

/// The `details` of a 422 `definition_invalid`: why a bundle was not published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvalidBundle {
    /// Every problem as one line: `file:line:col: message` or `cases/<name>: failure` (English).
    pub problems: Vec<String>,
    /// Each problem in a file: `{file, line, col, message: {zh, en}}`, the file being
    /// `workflow.toml`, `rules.rhai` or `cases/<name>`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub diagnostics: Vec<Diagnostic>,
    /// Only the cases that failed.
    pub cases: Vec<FailedCase>,
}

/// A golden case that did not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailedCase {
    /// `cases/<name>`.
    pub file: String,
    /// The case's `name`.
    pub name: String,
    /// Each expectation that did not hold (English).
    pub failures: Vec<String>,
}

impl InvalidBundle {
    pub fn of(checked: &Checked) -> Self {
        let cases = checked.cases.iter().filter(|(_, report)| !report.passed());
        InvalidBundle {
            problems: checked.problems(Lang::En),
            diagnostics: checked.diagnostics.clone(),
            cases: cases
                .map(|(file, r)| FailedCase { file: file.clone(), name: r.name.clone(), failures: r.failures.clone() })
                .collect(),
        }
    }
}

/// A version in a workflow's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    pub version: i64,
    pub published_at: String,
    /// `{id, name}`.
    pub published_by: PersonRef,
    pub note: String,
    /// sha256 of the texts: equal digests, equal texts.
    pub digest: String,
}

/// A version's texts exactly as published, with who published it and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionBundle {
    pub key: String,
    pub version: i64,
    pub note: String,
    pub published_at: String,
    /// `{id, name}`.
    pub published_by: PersonRef,
    #[cfg_attr(feature = "openapi", schema(value_type = BundleSchema))]
    pub bundle: Bundle,
}
