//! Instances: starting one, acting on it, how a person sees it, its audit log.

use std::collections::BTreeMap;

use kexie_engine::definition::StepKind;
use kexie_engine::fields::Form;
use kexie_engine::instance::{Action, ActionKind, Decision, Event, Referenced, Tally};
use kexie_engine::text::{Message, Text};
use serde::{Deserialize, Serialize};

use crate::PersonRef;

/// A step the instance can be returned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRef {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub label: Text,
}

/// An instance as one person may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstanceView {
    pub id: String,
    pub workflow: String,
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: Text,
    /// draft, running, completed, rejected.
    pub status: String,
    pub step: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub step_label: Option<Text>,
    /// fill, approval, opinion, notice, filing; null at the end.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub step_kind: Option<StepKind>,
    /// Send it back with an action: a stale revision gets 409.
    pub revision: u64,
    pub initiator: PersonRef,
    /// The form without the fields hidden at this step.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: Form,
    pub hidden: Vec<String>,
    /// Fields the person may change now.
    pub editable: Vec<String>,
    /// Actions the person may take now.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub actions: Vec<ActionKind>,
    /// Advice the rules give on the form now.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub notes: Vec<Message>,
    pub overdue: bool,
    /// At a vote (比例会签): the votes so far and how many agreeing votes pass it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub vote: Option<Tally>,
    /// At a notice (公示) step: when the notice period ends and it may be closed.
    pub notice_until: Option<String>,
    pub due_at: Option<String>,
    pub waiting_for: Vec<String>,
    pub route: Vec<String>,
    /// Every decision so far (who, at which step, with which roles): the rules read them.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub decisions: Vec<Decision>,
    /// The instances the shown form's reference fields name, by field id (关联审批).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub references: BTreeMap<String, Referenced>,
    /// Steps the person may return the instance to now (empty unless "return" is offered).
    pub return_to: Vec<StepRef>,
    /// Display names of the people the instance mentions, by id (as far as the directory knows).
    pub names: BTreeMap<String, String>,
}

impl InstanceView {
    /// Whether the person may take `action` now.
    pub fn can(&self, action: ActionKind) -> bool {
        self.actions.contains(&action)
    }

    /// A person's name, or the id when the server did not say.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }
}

/// Starting an instance (`POST /instances`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    pub workflow: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: Form,
}

/// An action (`POST /instances/{id}/actions`), with the client's request id and the
/// revision it saw.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActRequest {
    /// Unique per attempt: a repeated id returns the first result and applies nothing twice.
    pub request_id: String,
    /// The revision the client saw.
    pub revision: u64,
    /// `{ "action": "approve", "comment": "同意", "changes": { … } }` and so on.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub action: Action,
}

/// The printed record's language (`GET /instances/{id}/print`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PrintQuery {
    /// `zh` (the default) or `en`.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub lang: Option<kexie_engine::text::Lang>,
}

/// One entry of an instance's audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the instance's chain, from 1.
    pub seq: i64,
    /// The event: who, when, action, form diff, comment.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub event: Event,
    /// sha256 of the previous entry's hash and this entry.
    pub hash: String,
}
