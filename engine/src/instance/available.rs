//! Which actions a person may try now: what the UI offers as buttons. Cheap (no rules
//! run); the state machine still decides when the action is taken.

use super::machine::REMIND_INTERVAL_HOURS;
use super::{ActionKind, Instance, Moment, Status};
use crate::Workflow;
use crate::definition::{ApprovalMode, Step, StepKind};
use crate::people::Actor;

/// The actions `actor` may take on `inst` at `now`.
pub fn available(wf: &Workflow, inst: &Instance, actor: &Actor, now: Moment) -> Vec<ActionKind> {
    use ActionKind::*;
    if inst.status.is_finished() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let step = wf.definition.step(&inst.step);
    let first = inst.step == wf.definition.first_step().id;
    if let (Some(step), Some(_)) = (step, inst.actionable(&actor.id)) {
        let notice_open =
            step.kind != StepKind::Notice || now >= inst.entered_at.plus_days(step.notice_days.unwrap_or(0));
        let own: &[ActionKind] = match step.kind {
            StepKind::Fill => &[SaveDraft, Submit],
            StepKind::Approval if step.mode == ApprovalMode::Vote => &[Approve, Reject],
            StepKind::Approval => &[Approve, Reject, AddApprover],
            StepKind::Opinion => &[Approve, AddApprover],
            StepKind::Notice if notice_open => &[Approve],
            StepKind::Notice => &[],
            StepKind::Filing => &[Approve],
        };
        out.extend(own);
        if !first {
            out.extend([Return, Transfer]);
        }
    }
    let initiator = actor.id == inst.initiator.id;
    if initiator && inst.status == Status::Running {
        if !inst.acted_since_submit {
            out.push(Withdraw);
        }
        if inst.reminded_at.is_none_or(|t| now >= t.plus_hours(REMIND_INTERVAL_HOURS)) {
            out.push(Remind);
        }
    }
    let assigned = inst.tasks.iter().any(|t| t.assignee == actor.id);
    if initiator || inst.participants.contains(&actor.id) || inst.cc.contains(&actor.id) {
        out.push(Comment);
    }
    if initiator || assigned {
        out.push(Cc);
    }
    out
}

/// The steps `inst` may be returned to now: every step it passed (in the order first
/// entered), except the current one; none at the first step or once finished. Whether a
/// given person may return it is `available`'s question ("return"); the state machine
/// refuses any other target.
pub fn return_targets<'w>(wf: &'w Workflow, inst: &Instance) -> Vec<&'w Step> {
    if inst.status.is_finished() || inst.step == wf.definition.first_step().id {
        return Vec::new();
    }
    let mut out: Vec<&Step> = Vec::new();
    for id in inst.route.iter().filter(|s| **s != inst.step) {
        if let Some(step) = wf.definition.step(id)
            && !out.iter().any(|s| s.id == step.id)
        {
            out.push(step);
        }
    }
    out
}
