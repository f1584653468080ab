//! What people do to an instance, what it records, and why an action can be refused.

use serde::{Deserialize, Serialize};

use super::Moment;
use crate::fields::{FieldError, Form};
use crate::rules::RuleError;
use crate::text::{Message, Text};

/// Where an added approver goes relative to the person adding them (加签).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// They act first; then the task comes back to me.
    Before,
    /// They act after me.
    After,
}

/// An action on an existing instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Keep changes at a fill step without checking them.
    SaveDraft {
        /// Field changes.
        #[serde(default)]
        changes: Form,
    },
    /// Finish a fill step: the form must pass every check.
    Submit {
        /// Field changes.
        #[serde(default)]
        changes: Form,
    },
    /// Approve (approval), give the opinion (opinion), close the publicity (notice).
    Approve {
        /// Changes to fields editable at this step.
        #[serde(default)]
        changes: Form,
        /// Comment; the opinion itself at an opinion step.
        #[serde(default)]
        comment: Option<String>,
    },
    /// Reject at an approval step: the instance ends as rejected.
    Reject {
        /// Changes to fields editable at this step (the approver's opinion field).
        #[serde(default)]
        changes: Form,
        /// Why (required).
        comment: Option<String>,
    },
    /// Send the instance back to a step it passed (退回).
    Return {
        /// The step to go back to.
        to: String,
        /// Why (required).
        reason: Option<String>,
    },
    /// The initiator takes it back while nobody has acted (撤回).
    Withdraw,
    /// Hand my task to somebody else (转交).
    Transfer {
        /// The new assignee's user id.
        to: String,
        /// Note to them.
        #[serde(default)]
        comment: Option<String>,
    },
    /// Add an approver before or after me (加签).
    AddApprover {
        /// The added person's user id.
        user: String,
        /// Before or after me.
        position: Position,
        /// Note to them.
        #[serde(default)]
        comment: Option<String>,
    },
    /// A comment on the instance.
    Comment {
        /// The text.
        text: String,
    },
    /// Send a copy to people (抄送).
    Cc {
        /// User ids.
        users: Vec<String>,
    },
    /// Remind the people the step waits for (催办).
    Remind,
}

impl Action {
    /// The form changes the action carries, if it can carry any.
    pub fn changes(&self) -> Option<&Form> {
        match self {
            Action::SaveDraft { changes } | Action::Submit { changes } => Some(changes),
            Action::Approve { changes, .. } | Action::Reject { changes, .. } => Some(changes),
            _ => None,
        }
    }

    /// The action carrying `changes` instead of its own, if it is one that carries changes.
    pub fn with_changes(self, changes: Form) -> Action {
        match self {
            Action::SaveDraft { .. } => Action::SaveDraft { changes },
            Action::Submit { .. } => Action::Submit { changes },
            Action::Approve { comment, .. } => Action::Approve { changes, comment },
            Action::Reject { comment, .. } => Action::Reject { changes, comment },
            other @ (Action::Return { .. }
            | Action::Withdraw
            | Action::Transfer { .. }
            | Action::AddApprover { .. }
            | Action::Comment { .. }
            | Action::Cc { .. }
            | Action::Remind) => other,
        }
    }

    /// What kind of action it is.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::SaveDraft { .. } => ActionKind::SaveDraft,
            Action::Submit { .. } => ActionKind::Submit,
            Action::Approve { .. } => ActionKind::Approve,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Return { .. } => ActionKind::Return,
            Action::Withdraw => ActionKind::Withdraw,
            Action::Transfer { .. } => ActionKind::Transfer,
            Action::AddApprover { .. } => ActionKind::AddApprover,
            Action::Comment { .. } => ActionKind::Comment,
            Action::Cc { .. } => ActionKind::Cc,
            Action::Remind => ActionKind::Remind,
        }
    }
}

/// An action by name, as the API, cases and the audit log write it (`add_approver`, …):
/// what the UI offers, labels and records. A match over it has no catch-all, so an action
/// added here fails to compile until every table knows it.
// Read and written as its name (`as_str`), which keeps the browser's wasm smaller than
// serde's derive for a plain enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum ActionKind {
    SaveDraft,
    Submit,
    Approve,
    Reject,
    Return,
    Withdraw,
    Transfer,
    AddApprover,
    Comment,
    Cc,
    Remind,
}

impl ActionKind {
    /// Every action, in the order of its variants (keep it whole: names are read back
    /// through it).
    pub const ALL: [ActionKind; 11] = [
        ActionKind::SaveDraft,
        ActionKind::Submit,
        ActionKind::Approve,
        ActionKind::Reject,
        ActionKind::Return,
        ActionKind::Withdraw,
        ActionKind::Transfer,
        ActionKind::AddApprover,
        ActionKind::Comment,
        ActionKind::Cc,
        ActionKind::Remind,
    ];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::SaveDraft => "save_draft",
            ActionKind::Submit => "submit",
            ActionKind::Approve => "approve",
            ActionKind::Reject => "reject",
            ActionKind::Return => "return",
            ActionKind::Withdraw => "withdraw",
            ActionKind::Transfer => "transfer",
            ActionKind::AddApprover => "add_approver",
            ActionKind::Comment => "comment",
            ActionKind::Cc => "cc",
            ActionKind::Remind => "remind",
        }
    }

    /// Whether the action may carry form changes.
    pub fn carries_changes(self) -> bool {
        matches!(self, ActionKind::SaveDraft | ActionKind::Submit | ActionKind::Approve | ActionKind::Reject)
    }
}

impl From<ActionKind> for &'static str {
    fn from(kind: ActionKind) -> Self {
        kind.as_str()
    }
}

impl TryFrom<String> for ActionKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, String> {
        // Audit logs written before an added approver's position had a field of its own
        // name it in the action.
        let legacy = ["add_approver_before", "add_approver_after"].contains(&name.as_str());
        let name = if legacy { ActionKind::AddApprover.as_str() } else { &name };
        ActionKind::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| {
            let known: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown action `{name}`, expected one of {}", known.join(", "))
        })
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field's change, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field id.
    pub field: String,
    /// The value before (null if none).
    pub before: serde_json::Value,
    /// The value after (null if cleared).
    pub after: serde_json::Value,
}

/// What happened, as the audit log stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The instance was created.
    Started,
    /// An action was taken.
    Acted {
        action: ActionKind,
        /// Where the added approver went (`add_approver`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<Position>,
    },
    /// A step began, with its assignees.
    StepEntered {
        /// The assignees.
        assignees: Vec<String>,
    },
    /// The instance reached the end.
    Completed,
}

impl From<ActionKind> for EventKind {
    fn from(action: ActionKind) -> Self {
        EventKind::Acted { action, position: None }
    }
}

/// One audit-log entry: who, when, what, the form diff, the comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When.
    pub at: Moment,
    /// Who (user id).
    pub actor: String,
    /// The step it happened at.
    pub step: String,
    /// The kind of entry.
    #[serde(flatten)]
    pub kind: EventKind,
    /// Form changes made by this action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<FieldChange>,
    /// Comment, reason or opinion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The target of the action: step returned to, person transferred to, people cc'd.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
}

impl Event {
    /// The action taken, if the entry records one (not a step entered, say).
    pub fn action(&self) -> Option<ActionKind> {
        match self.kind {
            EventKind::Acted { action, .. } => Some(action),
            EventKind::Started | EventKind::StepEntered { .. } | EventKind::Completed => None,
        }
    }
}

/// Why an action was refused. The instance is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActionError {
    /// The form does not pass the checks.
    #[error("the form has {} error(s): {}", errors.len(), errors.iter().map(|e| format!("{}: {}", e.path, e.message.en)).collect::<Vec<_>>().join("; "))]
    Validation {
        /// Every field error.
        errors: Vec<FieldError>,
    },
    /// The actor has no task they can act on at this step.
    #[error("{actor} is not assigned to act at step '{step}' now")]
    NotAssignee {
        /// Who tried.
        actor: String,
        /// The step.
        step: String,
        /// What people call it (boxed: errors travel in every `Result`).
        step_label: Box<Text>,
    },
    /// A change to a field not editable at this step.
    #[error("the field '{field}' cannot be changed at step '{step}'")]
    FieldNotEditable {
        /// The field.
        field: String,
        /// What people call it.
        field_label: Box<Text>,
        /// The step.
        step: String,
        /// What people call it (boxed: errors travel in every `Result`).
        step_label: Box<Text>,
    },
    /// The instance is completed or rejected.
    #[error("the instance is {status} and accepts no action")]
    Finished {
        /// "completed" or "rejected".
        status: String,
    },
    /// Withdraw after somebody acted.
    #[error("it cannot be withdrawn: somebody has already acted on it")]
    WithdrawTooLate,
    /// Not possible here, for the reason given.
    #[error("not allowed: {}", reason.en)]
    NotAllowed {
        /// Why.
        reason: Message,
    },
    /// The step or person named does not fit.
    #[error("bad target: {}", reason.en)]
    BadTarget {
        /// Why.
        reason: Message,
    },
    /// A comment, reason or opinion is required.
    #[error("a comment is required for this action")]
    CommentRequired,
    /// Too soon: a notice period or the reminder interval has not passed.
    #[error("too early: possible from {until}")]
    TooEarly {
        /// From when it is possible.
        until: Moment,
    },
    /// Nobody could be assigned to the next step.
    #[error("nobody can be assigned to step '{step}': {}", reason.en)]
    NoAssignees {
        /// The step.
        step: String,
        /// What people call it (boxed: errors travel in every `Result`).
        step_label: Box<Text>,
        /// Why.
        reason: Message,
    },
    /// The rules failed; nothing changed.
    #[error(transparent)]
    Rule(#[from] RuleError),
}

impl ActionError {
    /// A stable code for cases, the API and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            ActionError::Validation { .. } => "validation",
            ActionError::NotAssignee { .. } => "not_assignee",
            ActionError::FieldNotEditable { .. } => "field_not_editable",
            ActionError::Finished { .. } => "finished",
            ActionError::WithdrawTooLate => "withdraw_too_late",
            ActionError::NotAllowed { .. } => "not_allowed",
            ActionError::BadTarget { .. } => "bad_target",
            ActionError::CommentRequired => "comment_required",
            ActionError::TooEarly { .. } => "too_early",
            ActionError::NoAssignees { .. } => "no_assignees",
            ActionError::Rule(_) => "rule_error",
        }
    }

    /// The reason in both languages, for people.
    pub fn message(&self) -> Message {
        // Steps and fields by their labels, moments as people write them: never an id
        // or an RFC 3339 stamp.
        let (zh, en) = match self {
            ActionError::Validation { errors } => (
                format!("表单有 {} 处问题，请修改后再提交。", errors.len()),
                format!("The form has {} problem(s): correct them and submit again.", errors.len()),
            ),
            ActionError::NotAssignee { step_label: l, .. } => (
                format!("您不是当前步骤「{}」的办理人，或尚未轮到您。", l.zh),
                format!("You are not assigned to act at '{}', or it is not your turn yet.", l.en),
            ),
            ActionError::FieldNotEditable { field_label: f, step_label: l, .. } => (
                format!("字段「{}」在步骤「{}」不可修改。", f.zh, l.zh),
                format!("'{}' cannot be changed at '{}'.", f.en, l.en),
            ),
            ActionError::Finished { .. } => ("流程已结束，不能再操作。".to_string(), self.to_string()),
            ActionError::WithdrawTooLate => ("已有人办理，不能撤回。".to_string(), self.to_string()),
            ActionError::NotAllowed { reason } | ActionError::BadTarget { reason } => {
                (reason.zh.clone(), self.to_string())
            }
            ActionError::CommentRequired => ("请填写意见或理由。".to_string(), self.to_string()),
            ActionError::TooEarly { until } => {
                let when = until.describe();
                (format!("时间未到，{} 之后才可以。", when.zh), format!("Too early: possible from {}.", when.en))
            }
            ActionError::NoAssignees { step_label: l, reason, .. } => (
                format!("步骤「{}」找不到办理人：{}", l.zh, reason.zh),
                format!("Nobody can be assigned to '{}': {}", l.en, reason.en),
            ),
            ActionError::Rule(e) => (format!("规则出错，未做任何更改：{e}"), self.to_string()),
        };
        Message::new(zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_kind_reads_back_from_its_name_and_nothing_else_does() {
        for kind in ActionKind::ALL {
            let name = serde_json::to_value(kind).unwrap();
            assert_eq!(name, kind.as_str());
            assert_eq!(serde_json::from_value::<ActionKind>(name).unwrap(), kind);
        }
        let names: std::collections::BTreeSet<_> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ActionKind::ALL.len());
        let wrong = serde_json::from_value::<ActionKind>("aprove".into()).unwrap_err().to_string();
        assert!(wrong.contains("unknown action `aprove`, expected one of save_draft, submit"), "{wrong}");
        let old = serde_json::from_value::<ActionKind>("add_approver_before".into()).unwrap();
        assert_eq!(old, ActionKind::AddApprover);
    }
}
