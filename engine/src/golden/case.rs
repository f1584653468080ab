//! The model of a golden case file (`cases/*.toml`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::definition::{Diagnostic, Source};
use crate::fields::Form;
use crate::instance::{ActionKind, Position, Referenced, Status};
use crate::people::{Actor, Directory};
use crate::text::Text;

/// A person as a case's `[people]` table writes them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CasePerson {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Department id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// A shared `cases/_people.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// id → person.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub people: BTreeMap<String, CasePerson>,
}

/// One action of a case and what it must lead to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseAction {
    /// Who acts (user id).
    pub actor: String,
    /// `submit`, `approve`, … as in the format doc.
    pub action: ActionKind,
    /// Field changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<toml::Table>,
    /// Comment, reason or opinion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Step (return) or person (transfer, add_approver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `before` or `after` (add_approver; after when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// People to copy (cc).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// When; default one hour after the previous action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The action must be refused with this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// The action must be refused for exactly these field paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<String>>,
    /// The current step afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The status afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// How many advisory notes the rules give on the form at this action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<usize>,
    /// The events the action causes for the OA, in order: `"task.created zhou"` for a
    /// to-do item's (type and assignee), `"instance.submitted"` for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
}

/// What must hold after the last action.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `draft`, `running`, `completed`, `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The current step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Every step entered, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Vec<String>>,
    /// Field values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<toml::Table>,
    /// Whether the current step is overdue at `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// When to judge `overdue`; default the last action's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A golden case: a starting form, actions by people, and the outcome expected.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows.
    pub name: String,
    /// More words on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who starts the instance.
    pub initiator: String,
    /// When, RFC 3339 with offset.
    pub start: String,
    /// The directory for this case (added to `_people.toml`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub people: BTreeMap<String, CasePerson>,
    /// The starting form.
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub form: toml::Table,
    /// Other instances the form's reference fields may name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<OtherInstance>,
    /// The actions, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<CaseAction>,
    /// The outcome.
    #[serde(default)]
    pub expect: Expect,
}

/// Another instance, for reference fields (关联审批): the host would have it stored.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OtherInstance {
    pub id: String,
    /// Its workflow's key.
    pub workflow: String,
    /// `completed` unless said.
    #[serde(default = "completed")]
    pub status: Status,
    /// Who may read it (in the host: its initiator, the people assigned, copies).
    #[serde(default)]
    pub readers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default)]
    pub form: toml::Table,
}

fn completed() -> Status {
    Status::Completed
}

impl OtherInstance {
    /// As the engine is told of it.
    pub fn referenced(&self) -> Referenced {
        Referenced {
            id: self.id.clone(),
            workflow: self.workflow.clone(),
            status: self.status,
            summary: self.summary.as_ref().map(|s| crate::text::Text::new(s, s)),
            form: form_of(&self.form),
        }
    }
}

/// Parses a case file.
pub fn parse_case(src: &Source<'_>) -> Result<Case, Diagnostic> {
    parse_toml(src)
}

/// Parses a shared `cases/_people.toml`.
pub fn parse_people(src: &Source<'_>) -> Result<People, Diagnostic> {
    parse_toml(src)
}

/// Parses a TOML document, turning a syntax or shape error into a diagnostic.
fn parse_toml<T: for<'de> Deserialize<'de>>(src: &Source<'_>) -> Result<T, Diagnostic> {
    toml::from_str(src.text).map_err(|e| {
        let detail = e.message().trim().to_string();
        src.at(
            e.span().map_or(0, |s| s.start),
            Text::new(format!("无法读取案例：{detail}"), format!("cannot read the case: {detail}")),
        )
    })
}

/// A form as a TOML table. TOML has no null: empty values are left out.
pub fn table_of(form: &Form) -> toml::Table {
    fn without_nulls(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Array(items) => items.iter().map(without_nulls).collect(),
            serde_json::Value::Object(map) => {
                map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect()
            }
            other => other.clone(),
        }
    }
    form.iter()
        .filter(|(_, v)| !v.is_null())
        .filter_map(|(k, v)| toml::Value::try_from(without_nulls(v)).ok().map(|t| (k.clone(), t)))
        .collect()
}

/// TOML values as a form (JSON).
pub fn form_of(table: &toml::Table) -> Form {
    table.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(serde_json::Value::Null))).collect()
}

impl People {
    /// The directory these people make, with `more` added (a case's own people).
    pub fn directory(&self, more: &BTreeMap<String, CasePerson>) -> Directory {
        let people = self.people.iter().chain(more.iter());
        let actor = |(id, p): (&String, &CasePerson)| Actor {
            id: id.clone(),
            name: p.name.clone(),
            roles: p.roles.clone(),
            department: p.department.clone(),
        };
        Directory(people.map(|entry| (entry.0.clone(), actor(entry))).collect())
    }
}

/// The case's directory: the shared people plus its own.
pub fn directory(shared: &People, case: &Case) -> Directory {
    shared.directory(&case.people)
}

/// A case as the text of its file (the rule editor records cases this way).
pub fn case_to_toml(case: &Case) -> Result<String, toml::ser::Error> {
    toml::to_string(case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_case_reads_back_the_same_after_writing() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows");
        let mut seen = 0;
        for wf in std::fs::read_dir(root).unwrap().flatten().filter(|e| e.path().is_dir()) {
            for file in std::fs::read_dir(wf.path().join("cases")).unwrap().flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                if name.starts_with('_') {
                    continue;
                }
                let text = std::fs::read_to_string(file.path()).unwrap();
                let case = parse_case(&Source { name: &name, text: &text }).unwrap();
                let written = case_to_toml(&case).unwrap();
                let again = parse_case(&Source { name: &name, text: &written }).unwrap();
                assert_eq!(format!("{again:?}"), format!("{case:?}"), "{name}:\n{written}");
                for a in &case.actions {
                    let accepted = a.refused.is_none() && a.errors.is_none();
                    assert!(!accepted || a.events.is_some(), "{name}: every accepted action lists its events: {a:?}");
                    let Ok(action) = super::super::to_action(a) else { continue };
                    let back = super::super::from_action(&a.actor, &action);
                    assert_eq!(super::super::to_action(&back), Ok(action), "{name}: {a:?}");
                }
                seen += 1;
            }
        }
        assert!(seen >= 20, "only {seen} cases found");
    }
}
