//! The state machine's invariants as checks, shared by the property tests
//! (`engine/tests/invariants.rs`) and the action-sequence fuzz target (`fuzz/`): each
//! returns what it found broken rather than panicking, so callers report it their way.

use std::collections::BTreeSet;

use super::{Action, ActionError, ActionKind, Instance, Status, TaskState, Transition};
use crate::Workflow;

/// What must hold of any instance the machine hands out: its status agrees with its step,
/// its step exists, and no task is duplicated.
pub fn check_instance(wf: &Workflow, inst: &Instance) -> Result<(), String> {
    let first = &wf.definition.first_step().id;
    match inst.status {
        Status::Draft if inst.step != *first => return Err(format!("draft at step '{}', not the first", inst.step)),
        Status::Running if inst.step == *first => return Err("running at the first step".into()),
        Status::Draft | Status::Running | Status::Rejected if wf.definition.step(&inst.step).is_none() => {
            return Err(format!("{} at an unknown step '{}'", inst.status.as_str(), inst.step));
        }
        _ => {}
    }
    let mut numbers = BTreeSet::new();
    let mut pending = BTreeSet::new();
    for t in &inst.tasks {
        if !numbers.insert(t.n) {
            return Err(format!("task number {} twice: {:?}", t.n, inst.tasks));
        }
        if t.state == TaskState::Pending && !pending.insert(t.assignee.as_str()) {
            return Err(format!("two pending tasks for {}: {:?}", t.assignee, inst.tasks));
        }
    }
    if inst.status == Status::Completed && inst.tasks.iter().any(|t| t.state == TaskState::Pending) {
        return Err(format!("completed with pending tasks: {:?}", inst.tasks));
    }
    Ok(())
}

/// What must hold of one call of `apply(wf, before, action, actor, …)` that returned
/// `result`, where `input` is the instance as it was after the call and `offered` what
/// `available` offered the actor before it: the input is unchanged, a finished instance
/// refuses everything, and an accepted action was offered, was taken by someone entitled
/// to it, raised the revision by one and left a sound instance.
pub fn check_transition(
    wf: &Workflow,
    before: &Instance,
    input: &Instance,
    action: &Action,
    actor: &str,
    offered: &[ActionKind],
    result: &Result<Transition, ActionError>,
) -> Result<(), String> {
    if input != before {
        return Err("apply changed its input".into());
    }
    if before.status.is_finished() {
        return match result {
            Err(ActionError::Finished { .. }) => Ok(()),
            other => Err(format!("a finished instance answered {action:?} with {other:?}")),
        };
    }
    let Ok(t) = result else { return Ok(()) };
    if !offered.contains(&action.kind()) {
        return Err(format!("{actor} was not offered {} (only {offered:?}) but it was accepted", action.kind()));
    }
    let decides = !matches!(
        action,
        Action::SaveDraft { .. } | Action::Comment { .. } | Action::Cc { .. } | Action::Remind | Action::Withdraw
    );
    if decides && before.actionable(actor).is_none() {
        return Err(format!("{actor} acted ({action:?}) without an actionable task"));
    }
    if t.instance.revision != before.revision + 1 {
        return Err(format!("revision went from {} to {}", before.revision, t.instance.revision));
    }
    check_instance(wf, &t.instance)
}
