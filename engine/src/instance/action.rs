//! What people do to an instance, what it records, and why an action can be refused.

use serde::{Deserialize, Serialize};

use super::Moment;
use crate::fields::{FieldError, Form};
use crate::rules::RuleError;
use crate::text::Message;

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

    /// The action's name as cases and the audit log write it.
    pub fn name(&self) -> &'static str {
        match self {
            Action::SaveDraft { .. } => "save_draft",
            Action::Submit { .. } => "submit",
            Action::Approve { .. } => "approve",
            Action::Reject { .. } => "reject",
            Action::Return { .. } => "return",
            Action::Withdraw => "withdraw",
            Action::Transfer { .. } => "transfer",
            Action::AddApprover { .. } => "add_approver",
            Action::Comment { .. } => "comment",
            Action::Cc { .. } => "cc",
            Action::Remind => "remind",
        }
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
    /// An action was taken (see `Event::action`).
    Acted,
    /// A step began, with its assignees.
    StepEntered {
        /// The assignees.
        assignees: Vec<String>,
    },
    /// The instance reached the end.
    Completed,
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
    /// The action's name (`submit`, `approve`, …) or the system event.
    pub action: String,
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
    },
    /// A change to a field not editable at this step.
    #[error("the field '{field}' cannot be changed at step '{step}'")]
    FieldNotEditable {
        /// The field.
        field: String,
        /// The step.
        step: String,
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
        let zh = match self {
            ActionError::Validation { errors } => {
                format!("表单有 {} 处问题，请修改后再提交。", errors.len())
            }
            ActionError::NotAssignee { step, .. } => {
                format!("您不是当前步骤「{step}」的办理人，或尚未轮到您。")
            }
            ActionError::FieldNotEditable { field, step } => {
                format!("字段「{field}」在步骤「{step}」不可修改。")
            }
            ActionError::Finished { .. } => "流程已结束，不能再操作。".to_string(),
            ActionError::WithdrawTooLate => "已有人办理，不能撤回。".to_string(),
            ActionError::NotAllowed { reason } | ActionError::BadTarget { reason } => reason.zh.clone(),
            ActionError::CommentRequired => "请填写意见或理由。".to_string(),
            ActionError::TooEarly { until } => format!("时间未到，{until} 之后才可以。"),
            ActionError::NoAssignees { step, reason } => {
                format!("步骤「{step}」找不到办理人：{}", reason.zh)
            }
            ActionError::Rule(e) => format!("规则出错，未做任何更改：{e}"),
        };
        Message::new(zh, self.to_string())
    }
}
