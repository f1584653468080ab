//! Who is assigned when a step starts, and how their tasks depend on each other.

use super::Machine;
use super::action::ActionError;
use super::model::{Task, TaskState};
use crate::definition::{ActorSpec, ApprovalMode, Definition, FieldKind, Step};
use crate::fields::{FieldError, Form};
use crate::people::Directory;
use crate::text::Message;

/// The user ids a step's `actors` name now, without repeats, in a stable order.
pub(super) fn resolve(m: &Machine<'_>, step: &Step) -> Result<Vec<String>, ActionError> {
    let mut ids: Vec<String> = Vec::new();
    for spec in step.actors.iter().filter_map(|a| ActorSpec::parse(a)) {
        match spec {
            ActorSpec::Initiator => ids.push(m.i.initiator.id.clone()),
            ActorSpec::Role(role) => ids.extend(m.env.directory.with_role(role).map(|a| a.id.clone())),
            ActorSpec::User(user) => ids.push(user.to_string()),
            ActorSpec::Field(field) => ids.extend(person_ids(m.i.form.get(field))),
            ActorSpec::Rules => {
                let mut ctx = m.rule_ctx();
                ctx.target = Some(step.id.clone());
                ids.extend(m.wf.assignees(&m.i.form, &ctx)?);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    if let Some(unknown) = ids.iter().find(|id| *id != &m.i.initiator.id && m.env.directory.get(id).is_none()) {
        let reason = Message::new(
            format!("目录中没有用户「{unknown}」。"),
            format!("there is no user '{unknown}' in the directory."),
        );
        return Err(ActionError::NoAssignees { step: step.id.clone(), step_label: Box::new(step.label()), reason });
    }
    if ids.is_empty() {
        let who = step.actors.join(", ");
        let reason =
            Message::new(format!("目录中没有人符合 {who}。"), format!("nobody in the directory matches {who}."));
        return Err(ActionError::NoAssignees { step: step.id.clone(), step_label: Box::new(step.label()), reason });
    }
    Ok(ids)
}

/// Whether `user` may hold a task at `step`: one of the people its actors name now, or
/// of its delegates.
pub(super) fn may_hold(m: &Machine<'_>, step: &Step, user: &str) -> Result<bool, ActionError> {
    for spec in step.actors.iter().chain(&step.delegates).filter_map(|a| ActorSpec::parse(a)) {
        let holds = match spec {
            ActorSpec::Initiator => m.i.initiator.id == user,
            ActorSpec::Role(role) => m.env.directory.get(user).is_some_and(|a| a.has_role(role)),
            ActorSpec::User(u) => u == user,
            ActorSpec::Field(field) => person_ids(m.i.form.get(field)).iter().any(|p| p == user),
            ActorSpec::Rules => {
                let mut ctx = m.rule_ctx();
                ctx.target = Some(step.id.clone());
                m.wf.assignees(&m.i.form, &ctx)?.iter().any(|p| p == user)
            }
        };
        if holds {
            return Ok(true);
        }
    }
    Ok(false)
}

fn person_ids(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(list)) => list.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

/// Fresh tasks for the assignees: a chain for a sequence, side by side otherwise.
pub(super) fn tasks(mode: ApprovalMode, assignees: &[String]) -> Vec<Task> {
    (1..)
        .zip(assignees)
        .map(|(n, who)| Task {
            n,
            assignee: who.clone(),
            state: TaskState::Pending,
            waits_for: if mode == ApprovalMode::Sequence && n > 1 { vec![n - 1] } else { Vec::new() },
            comment: None,
            acted_at: None,
        })
        .collect()
}

/// A person field limited to a role (`role`) holds only people with that role: checked
/// where `step` lets the field change, so a role lost later does not stop the instance.
pub(super) fn check_roles(step: &Step, def: &Definition, form: &Form, dir: &Directory) -> Vec<FieldError> {
    let mut out = Vec::new();
    for f in def.fields.iter().filter(|f| f.kind == FieldKind::Person && step.can_edit(&f.id)) {
        let Some(role) = &f.role else { continue };
        for id in person_ids(form.get(&f.id)) {
            let person = dir.get(&id);
            if person.is_some_and(|p| p.has_role(role)) {
                continue;
            }
            let (zh, en) = person.map_or(("所选人员".into(), "The person chosen".into()), |p| {
                (format!("「{}」", p.name), p.name.clone())
            });
            let label = f.label();
            out.push(FieldError::new(
                &f.id,
                format!("{zh}不在「{}」的可选范围内，请重新选择。", label.zh),
                format!("{en} cannot be chosen for '{}'; choose again.", label.en),
            ));
        }
    }
    out
}
