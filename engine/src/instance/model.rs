//! An instance of a workflow: the form, where it stands, and who must act.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{ActionKind, Moment};
use crate::fields::Form;
use crate::people::Actor;

/// Where an instance stands as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// At the first step: being filled, withdrawn or returned to the initiator.
    Draft,
    /// Submitted, waiting at a later step.
    Running,
    /// Went through to the end.
    Completed,
    /// Rejected at an approval step.
    Rejected,
}

impl Status {
    /// Completed and rejected instances accept no action.
    pub fn is_finished(self) -> bool {
        matches!(self, Status::Completed | Status::Rejected)
    }

    /// The status as written in cases and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Rejected => "rejected",
        }
    }
}

/// What an assignee has done with their task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Not yet acted.
    Pending,
    /// Approved, submitted, gave an opinion, or closed a notice.
    Done,
    /// Rejected.
    Rejected,
}

/// One person's part in the current step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Number within the step, stable while the step lasts.
    pub n: u32,
    /// Who must act.
    pub assignee: String,
    /// Pending, done or rejected.
    pub state: TaskState,
    /// Tasks (by `n`) that must be done before this one can act: a sequence is a chain,
    /// and adding an approver before or after someone rewires it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits_for: Vec<u32>,
    /// The opinion or comment given with the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When the assignee acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acted_at: Option<Moment>,
}

/// A decision someone took at a step: submitted, approved (agreed, gave an opinion,
/// filed), rejected (voted against) or returned. Kept for the rules (`ctx.decisions`),
/// which may ask who decided and with which roles, e.g. that the 科协's opinion was given
/// by the 科协.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The step it was taken at.
    pub step: String,
    /// Who (user id).
    pub user: String,
    /// Their roles when they decided.
    #[serde(default)]
    pub roles: Vec<String>,
    /// `submit`, `approve`, `reject` or `return`.
    pub action: ActionKind,
    /// The opinion, reason or comment given with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When.
    pub at: Moment,
}

/// A running or finished instance of a workflow version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// Id given by the host.
    pub id: String,
    /// The workflow key.
    pub workflow: String,
    /// The definition version it started on and stays on.
    pub version: u32,
    /// Who started it.
    pub initiator: Actor,
    /// Draft, running, completed or rejected.
    pub status: Status,
    /// The form's values.
    pub form: Form,
    /// The current step id ("end" once completed).
    pub step: String,
    /// The tasks of the current step.
    pub tasks: Vec<Task>,
    /// When the current step started.
    pub entered_at: Moment,
    /// When the current step becomes overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<Moment>,
    /// Every step entered, in order (the route).
    pub route: Vec<String>,
    /// People sent a copy (抄送).
    #[serde(default)]
    pub cc: BTreeSet<String>,
    /// Everybody ever assigned; they may comment.
    #[serde(default)]
    pub participants: BTreeSet<String>,
    /// Whether anybody but the initiator acted since the last submit (then no withdraw).
    #[serde(default)]
    pub acted_since_submit: bool,
    /// Every decision taken so far, in order (returns and resubmissions included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    /// The last reminder, to keep reminders to one an hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminded_at: Option<Moment>,
    /// Grows by one with every accepted action (optimistic concurrency).
    pub revision: u64,
}

impl Instance {
    /// Whether the current step is past its deadline at `now`.
    pub fn is_overdue(&self, now: Moment) -> bool {
        !self.status.is_finished() && self.due_at.is_some_and(|due| now > due)
    }

    /// Tasks `user` can act on now: pending, and not waiting for anybody.
    pub fn actionable(&self, user: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.assignee == user && t.state == TaskState::Pending && self.ready(t))
    }

    /// People the current step is waiting for right now: nobody once it is finished (the
    /// others of a rejected countersign or a failed vote keep their tasks unanswered).
    pub fn waiting_for(&self) -> Vec<&str> {
        if self.status.is_finished() {
            return Vec::new();
        }
        self.ready_tasks().map(|t| t.assignee.as_str()).collect()
    }

    /// The tasks their assignees can act on now: pending, and waiting for nobody.
    pub fn ready_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(|t| t.state == TaskState::Pending && self.ready(t))
    }

    fn ready(&self, task: &Task) -> bool {
        task.waits_for.iter().all(|n| self.tasks.iter().any(|t| t.n == *n && t.state == TaskState::Done))
    }
}
