//! How one person sees an instance: built here only, for the server's answers and the
//! editor's preview alike.

use std::collections::BTreeMap;

use kexie_engine::definition::{Definition, StepKind};
use kexie_engine::fields::Form;
use kexie_engine::instance::{self, ActionKind, Env, Instance};
use kexie_engine::people::{Actor, Directory};
use kexie_engine::{RuleContext, Workflow};

use crate::{InstanceView, PersonRef, StepRef};

/// Whether a view asks the rules for their advice on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notes {
    Ask,
    /// A new draft: its form is what the widget just evaluated, and nothing was checked.
    Skip,
}

/// What `viewer` sees of `inst` at `now`, with the advice its rules give (`notes`) or none.
/// Runs rules when asked for notes.
pub fn instance_view(wf: &Workflow, inst: &Instance, viewer: &Actor, env: &Env<'_>, notes: Notes) -> InstanceView {
    let (dir, now) = (env.directory, env.now);
    let step = wf.definition.step(&inst.step);
    let mine = inst.actionable(&viewer.id).is_some();
    // Only what this step shows, names included: a hidden person field names nobody.
    let form = step.map_or_else(|| inst.form.clone(), |s| s.visible_form(&inst.form));
    let references = instance::referenced(&wf.definition, &form, env.refs);
    let mut ctx = RuleContext::for_instance(inst, viewer, now);
    ctx.refs = references.clone();
    let notes = match notes {
        // A rule that fails here refuses every action anyway; the form still shows.
        Notes::Ask => step.and_then(|_| wf.evaluate(&inst.form, &ctx).ok()).map(|e| e.notes).unwrap_or_default(),
        Notes::Skip => Vec::new(),
    };
    let actions = instance::available(wf, inst, viewer, now);
    let targets = if actions.contains(&ActionKind::Return) { instance::return_targets(wf, inst) } else { Vec::new() };
    InstanceView {
        id: inst.id.clone(),
        workflow: inst.workflow.clone(),
        version: inst.version,
        title: wf.definition.title.clone(),
        status: inst.status.as_str().into(),
        step: inst.step.clone(),
        step_label: step.map(|s| s.label()),
        step_kind: step.map(|s| s.kind),
        revision: inst.revision,
        initiator: PersonRef::from(&inst.initiator),
        names: names(&wf.definition, inst, &form, dir),
        form,
        hidden: step.map(|s| s.hidden.clone()).unwrap_or_default(),
        editable: step
            .filter(|_| mine)
            .map(|s| s.editable_for(viewer, &inst.initiator.id, &inst.form))
            .unwrap_or_default(),
        actions,
        notes,
        overdue: inst.is_overdue(now),
        vote: step.and_then(|s| instance::tally(s, inst)),
        notice_until: step
            .filter(|s| s.kind == StepKind::Notice)
            .map(|s| inst.entered_at.plus_days(s.notice_days.unwrap_or(0)).to_string()),
        due_at: inst.due_at.map(|d| d.to_string()),
        waiting_for: inst.waiting_for().into_iter().map(String::from).collect(),
        route: inst.route.clone(),
        decisions: inst.decisions.clone(),
        references,
        return_to: targets.iter().map(|s| StepRef { id: s.id.clone(), label: s.label() }).collect(),
    }
}

/// Names for the initiator, the people waited for, participants, copies, and the people
/// the shown form's person fields name (in tables too); nameless or unknown ids are left out
/// (the widget shows the id). The initiator's name as started is the fallback for the
/// initiator.
fn names(def: &Definition, inst: &Instance, form: &Form, dir: &Directory) -> BTreeMap<String, String> {
    let mut in_form = Vec::new();
    kexie_engine::fields::people_in(&def.fields, &|id| form.get(id), &mut in_form);
    let ids = std::iter::once(inst.initiator.id.as_str())
        .chain(inst.waiting_for())
        .chain(inst.participants.iter().map(String::as_str))
        .chain(inst.cc.iter().map(String::as_str))
        .chain(in_form);
    let mut out = BTreeMap::new();
    for id in ids {
        let known = dir.get(id).map(|a| a.name.as_str()).filter(|n| !n.is_empty());
        let fallback = (id == inst.initiator.id).then_some(inst.initiator.name.as_str());
        if let Some(name) = known.or(fallback).filter(|n| !n.is_empty()) {
            out.insert(id.to_string(), name.to_string());
        }
    }
    out
}
