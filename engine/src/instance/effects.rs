//! What a transition means to the systems around the instance: the to-do items it opened
//! and closed, and the instance's milestones. The server writes them, with the action, to
//! the outbox the host's to-do centre and mail read from.

use super::{ActionKind, Event, EventKind, Instance, Status};

/// A to-do item: one person's task, ready for them, at one entry into a step (a step
/// entered again after a return is a new entry, with new items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskKey {
    /// How many steps the instance had entered when this one began (its route's length).
    pub entry: usize,
    /// The task's number at that entry.
    pub n: u32,
    pub assignee: String,
    pub step: String,
}

impl TaskKey {
    /// Unique across instances, and the same in every event about this item.
    pub fn id(&self, instance: &str) -> String {
        format!("{instance}:{}:{}:{}", self.entry, self.n, self.assignee)
    }
}

/// One consequence of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A task became ready for its assignee.
    TaskCreated(TaskKey),
    /// Its assignee decided it (submitted, approved, rejected, returned).
    TaskCompleted(TaskKey),
    /// It stopped waiting for its assignee without their decision: another person of an
    /// any-one step decided, the instance was withdrawn, returned or rejected elsewhere,
    /// the task was transferred, or an approver was added before its assignee.
    TaskCancelled(TaskKey),
    /// The initiator reminded its assignee.
    TaskReminded(TaskKey),
    Submitted,
    Returned,
    Withdrawn,
    Completed,
    Rejected,
    /// Copies were sent to these people.
    Copied(Vec<String>),
}

impl Effect {
    /// The event type the outbox writes (`task.created`, `instance.submitted`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Effect::TaskCreated(_) => "task.created",
            Effect::TaskCompleted(_) => "task.completed",
            Effect::TaskCancelled(_) => "task.cancelled",
            Effect::TaskReminded(_) => "task.reminded",
            Effect::Submitted => "instance.submitted",
            Effect::Returned => "instance.returned",
            Effect::Withdrawn => "instance.withdrawn",
            Effect::Completed => "instance.completed",
            Effect::Rejected => "instance.rejected",
            Effect::Copied(_) => "instance.cc",
        }
    }

    /// The to-do item it is about, for a task event.
    pub fn task(&self) -> Option<&TaskKey> {
        match self {
            Effect::TaskCreated(t) | Effect::TaskCompleted(t) | Effect::TaskCancelled(t) | Effect::TaskReminded(t) => {
                Some(t)
            }
            Effect::Submitted
            | Effect::Returned
            | Effect::Withdrawn
            | Effect::Completed
            | Effect::Rejected
            | Effect::Copied(_) => None,
        }
    }
}

/// The to-do items `inst` holds open: its ready tasks. A draft never submitted has none
/// (its initiator is filling it in); one that came back (returned, withdrawn) has its
/// initiator's.
pub fn open_tasks(inst: &Instance) -> Vec<TaskKey> {
    if inst.status.is_finished() || (inst.status == Status::Draft && inst.route.len() <= 1) {
        return Vec::new();
    }
    inst.ready_tasks()
        .map(|t| TaskKey { entry: inst.route.len(), n: t.n, assignee: t.assignee.clone(), step: inst.step.clone() })
        .collect()
}

/// What the transition from `before` (none: the instance is new) to `after`, which
/// recorded `events`, means: items closed (completed, then cancelled), the milestones,
/// items opened, reminders.
pub fn effects(before: Option<&Instance>, after: &Instance, events: &[Event]) -> Vec<Effect> {
    let was = before.map(open_tasks).unwrap_or_default();
    let now = open_tasks(after);
    let decided = |who: &str| {
        events.iter().any(|e| {
            e.actor == who
                && matches!(
                    e.action(),
                    Some(ActionKind::Submit | ActionKind::Approve | ActionKind::Reject | ActionKind::Return)
                )
        })
    };
    let gone: Vec<&TaskKey> = was.iter().filter(|t| !now.contains(t)).collect();
    let mut out: Vec<Effect> =
        gone.iter().filter(|t| decided(&t.assignee)).map(|t| Effect::TaskCompleted((*t).clone())).collect();
    out.extend(gone.iter().filter(|t| !decided(&t.assignee)).map(|t| Effect::TaskCancelled((*t).clone())));
    out.extend(events.iter().filter_map(milestone));
    if after.status == Status::Rejected && before.is_some_and(|b| b.status != Status::Rejected) {
        out.push(Effect::Rejected);
    }
    out.extend(now.iter().filter(|t| !was.contains(t)).map(|t| Effect::TaskCreated(t.clone())));
    if let Some(reminded) = events.iter().find(|e| e.action() == Some(ActionKind::Remind)) {
        let asked = now.iter().filter(|t| reminded.targets.contains(&t.assignee));
        out.extend(asked.map(|t| Effect::TaskReminded(t.clone())));
    }
    out
}

/// The milestone an audit entry records, if it records one.
fn milestone(e: &Event) -> Option<Effect> {
    match (&e.kind, e.action()) {
        (EventKind::Completed, _) => Some(Effect::Completed),
        (_, Some(ActionKind::Submit)) => Some(Effect::Submitted),
        (_, Some(ActionKind::Return)) => Some(Effect::Returned),
        (_, Some(ActionKind::Withdraw)) => Some(Effect::Withdrawn),
        (_, Some(ActionKind::Cc)) => Some(Effect::Copied(e.targets.clone())),
        (
            _,
            Some(
                ActionKind::SaveDraft
                | ActionKind::Approve
                | ActionKind::Reject
                | ActionKind::Transfer
                | ActionKind::AddApprover
                | ActionKind::Comment
                | ActionKind::Remind,
            )
            | None,
        ) => None,
    }
}
