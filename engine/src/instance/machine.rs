//! The state machine: `(workflow, instance, action, actor, now) → (instance', events)`.
//! Every function here is pure; a refused action returns an error and the caller's
//! instance is untouched.

use super::action::{Action, ActionError, ActionKind, Event, EventKind, FieldChange};
use super::model::{Decision, Instance, Status, Task, TaskState};
use super::{Env, assign};
use crate::definition::{ApprovalMode, END, Step, StepKind};
use crate::fields::{FieldError, Form};
use crate::people::Actor;
use crate::text::{Message, Text};
use crate::{RuleContext, Workflow};

/// The new state and what to append to the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The instance after the action.
    pub instance: Instance,
    /// Audit-log entries, in order.
    pub events: Vec<Event>,
}

/// Reminders to the same step at most this often.
pub const REMIND_INTERVAL_HOURS: i64 = 1;

/// Starts an instance at the first step, as a draft of `initiator` holding `form`.
pub fn start(wf: &Workflow, id: &str, initiator: &Actor, form: Form, env: &Env<'_>) -> Result<Transition, ActionError> {
    if !wf.definition.may_start(initiator) {
        let who = wf.definition.starters.join(", ");
        return Err(not_allowed(
            &format!("只有 {who} 可以发起这个流程。"),
            &format!("only {who} may start this workflow."),
        ));
    }
    let first = wf.definition.first_step();
    let mut m = Machine {
        wf,
        env,
        actor: initiator,
        events: Vec::new(),
        i: Instance {
            id: id.to_string(),
            workflow: wf.definition.key.clone(),
            version: wf.definition.version,
            initiator: initiator.clone(),
            status: Status::Draft,
            form: Form::new(),
            step: first.id.clone(),
            tasks: Vec::new(),
            entered_at: env.now,
            due_at: None,
            route: Vec::new(),
            cc: Default::default(),
            participants: Default::default(),
            acted_since_submit: false,
            decisions: Vec::new(),
            reminded_at: None,
            revision: 0,
        },
    };
    m.record(EventKind::Started, None, Vec::new());
    m.enter(&first.id)?;
    let diff = m.change(first, &form)?;
    if let Some(started) = m.events.first_mut() {
        started.diff = diff;
    }
    Ok(m.finish())
}

/// Applies `action` by `actor` to `instance` at `env.now`.
pub fn apply(
    wf: &Workflow,
    instance: &Instance,
    action: &Action,
    actor: &Actor,
    env: &Env<'_>,
) -> Result<Transition, ActionError> {
    if instance.status.is_finished() {
        return Err(ActionError::Finished { status: instance.status.as_str().to_string() });
    }
    if instance.workflow != wf.definition.key || instance.version != wf.definition.version {
        return Err(not_allowed("实例属于另一个流程版本。", "the instance belongs to another workflow version."));
    }
    let mut m = Machine { wf, env, actor, events: Vec::new(), i: instance.clone() };
    m.act(action)?;
    Ok(m.finish())
}

pub(super) fn not_allowed(zh: &str, en: &str) -> ActionError {
    ActionError::NotAllowed { reason: Message::new(zh, en) }
}

pub(super) fn bad_target(zh: String, en: String) -> ActionError {
    ActionError::BadTarget { reason: Message::new(zh, en) }
}

pub(super) fn required_text(text: &Option<String>) -> Result<String, ActionError> {
    match text.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => Ok(t.to_string()),
        _ => Err(ActionError::CommentRequired),
    }
}

/// One action in progress on a private copy of the instance.
pub(super) struct Machine<'a> {
    pub wf: &'a Workflow,
    pub env: &'a Env<'a>,
    pub actor: &'a Actor,
    pub i: Instance,
    pub events: Vec<Event>,
}

impl<'a> Machine<'a> {
    fn finish(mut self) -> Transition {
        self.i.revision += 1;
        Transition { instance: self.i, events: self.events }
    }

    pub(super) fn step(&self) -> &'a Step {
        // The current step exists: instances only ever enter steps of their definition.
        let wf: &'a Workflow = self.wf;
        wf.definition.step(&self.i.step).unwrap_or_else(|| wf.definition.first_step())
    }

    pub(super) fn record(&mut self, kind: EventKind, comment: Option<String>, targets: Vec<String>) {
        self.events.push(Event {
            at: self.env.now,
            actor: self.actor.id.clone(),
            step: self.i.step.clone(),
            kind,
            diff: Vec::new(),
            comment,
            targets,
        });
    }

    pub(super) fn rule_ctx(&self) -> RuleContext {
        let mut ctx = RuleContext::for_instance(&self.i, self.actor, self.env.now);
        ctx.refs = super::referenced(&self.wf.definition, &self.i.form, self.env.refs);
        ctx
    }

    fn act(&mut self, action: &Action) -> Result<(), ActionError> {
        let kind = EventKind::from(action.kind());
        match action {
            Action::SaveDraft { changes } => {
                self.require_task(&[StepKind::Fill])?;
                let diff = self.change(self.step(), changes)?;
                self.acted(kind, None, diff, Vec::new());
            }
            Action::Submit { changes } => {
                self.require_task(&[StepKind::Fill])?;
                let diff = self.change(self.step(), changes)?;
                self.validate()?;
                self.acted(kind, None, diff, Vec::new());
                self.decide(TaskState::Done, None, ActionKind::Submit)?;
            }
            Action::Approve { changes, comment } => self.approve(changes, comment)?,
            Action::Reject { changes, comment } => {
                // At a filing step there is nothing to reject; at a vote step it is a no.
                self.require_task(&[StepKind::Approval])?;
                let reason = required_text(comment)?;
                // A rejection keeps the approver's opinion fields but needs no valid form.
                let diff = self.change(self.step(), changes)?;
                self.acted(kind, Some(reason.clone()), diff, Vec::new());
                self.decide(TaskState::Rejected, Some(reason), ActionKind::Reject)?;
            }
            Action::Return { to, reason } => self.return_to(to, reason)?,
            Action::Withdraw => self.withdraw()?,
            Action::Transfer { to, comment } => self.transfer(to, comment)?,
            Action::AddApprover { user, position, comment } => self.add_approver(user, *position, comment)?,
            Action::Comment { text } => {
                let who = &self.actor.id;
                let taking_part =
                    *who == self.i.initiator.id || self.i.participants.contains(who) || self.i.cc.contains(who);
                if !taking_part {
                    return Err(not_allowed(
                        "只有参与者和抄送人可以评论。",
                        "only people taking part or copied may comment.",
                    ));
                }
                let text = required_text(&Some(text.clone()))?;
                self.record(kind, Some(text), Vec::new());
            }
            Action::Cc { users } => self.cc(users)?,
            Action::Remind => self.remind()?,
        }
        Ok(())
    }

    /// The actor's actionable task at the current step, if the step is of one of `kinds`.
    pub(super) fn require_task(&self, kinds: &[StepKind]) -> Result<u32, ActionError> {
        let step = self.step();
        let task = self.i.actionable(&self.actor.id).ok_or_else(|| ActionError::NotAssignee {
            actor: self.actor.id.clone(),
            step: step.id.clone(),
            step_label: Box::new(step.label()),
        })?;
        if !kinds.contains(&step.kind) {
            return Err(not_allowed("当前步骤不能进行这个操作。", "this action is not possible at the current step."));
        }
        Ok(task.n)
    }

    /// Applies field changes, refusing any field not editable at `step`.
    fn change(&mut self, step: &Step, changes: &Form) -> Result<Vec<FieldChange>, ActionError> {
        // A field the form does not have is not a matter of this step's permissions.
        if let Some(key) = changes.keys().find(|k| self.wf.definition.field(k).is_none()) {
            return Err(ActionError::Validation { errors: vec![FieldError::no_such_field(key)] });
        }
        let may = |f: &str| step.editable_by(f, self.actor, &self.i.initiator.id, &self.i.form);
        if let Some(field) = changes.keys().find(|f| !may(f)) {
            let field_label =
                Box::new(self.wf.definition.field(field).map_or_else(|| Text::new(field, field), |f| f.label()));
            return Err(ActionError::FieldNotEditable {
                field: field.clone(),
                field_label,
                step: step.id.clone(),
                step_label: Box::new(step.label()),
            });
        }
        let mut diff = Vec::new();
        for (field, after) in changes {
            let before = self.i.form.get(field).cloned().unwrap_or(serde_json::Value::Null);
            if &before != after {
                diff.push(FieldChange { field: field.clone(), before, after: after.clone() });
                if after.is_null() {
                    self.i.form.remove(field);
                } else {
                    self.i.form.insert(field.clone(), after.clone());
                }
            }
        }
        Ok(diff)
    }

    /// Runs every check on the form at the current step; stores computed values.
    fn validate(&mut self) -> Result<(), ActionError> {
        let mut errors = super::check_references(&self.wf.definition, &self.i.form, self.env.refs);
        errors.extend(assign::check_roles(self.step(), &self.wf.definition, &self.i.form, self.env.directory));
        let eval = self.wf.evaluate(&self.i.form, &self.rule_ctx())?;
        errors.extend(eval.errors);
        if !errors.is_empty() {
            return Err(ActionError::Validation { errors });
        }
        for (field, value) in eval.computed {
            if value.is_null() {
                self.i.form.remove(&field);
            } else {
                self.i.form.insert(field, value);
            }
        }
        Ok(())
    }

    /// Records an action that counts as acting on the instance (`kind` is an `Acted`).
    pub(super) fn acted(
        &mut self,
        kind: EventKind,
        comment: Option<String>,
        diff: Vec<FieldChange>,
        targets: Vec<String>,
    ) {
        self.record(kind, comment, targets);
        if let Some(e) = self.events.last_mut() {
            e.diff = diff;
        }
        // Only decisions of other people (or at later steps) close the withdraw window.
        if self.i.step != self.wf.definition.first_step().id {
            self.i.acted_since_submit = true;
        }
    }

    fn approve(&mut self, changes: &Form, comment: &Option<String>) -> Result<(), ActionError> {
        self.require_task(&[StepKind::Approval, StepKind::Opinion, StepKind::Notice, StepKind::Filing])?;
        let step = self.step();
        // At an opinion step whose form asks this person nothing, the comment is the
        // opinion; where the form holds it, it is asked for there, once.
        let asks = !step.editable_for(self.actor, &self.i.initiator.id, &self.i.form).is_empty();
        let comment = match step.kind {
            StepKind::Opinion if !asks => Some(required_text(comment)?),
            _ => comment.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(String::from),
        };
        if step.kind == StepKind::Notice {
            let until = self.i.entered_at.plus_days(step.notice_days.unwrap_or(0));
            if self.env.now < until {
                return Err(ActionError::TooEarly { until });
            }
        }
        let diff = self.change(step, changes)?;
        self.validate()?;
        self.acted(ActionKind::Approve.into(), comment.clone(), diff, Vec::new());
        self.decide(TaskState::Done, comment, ActionKind::Approve)
    }

    /// Keeps a decision for the rules (`ctx.decisions`).
    fn note_decision(&mut self, action: ActionKind, comment: Option<String>) {
        self.i.decisions.push(Decision {
            step: self.i.step.clone(),
            user: self.actor.id.clone(),
            roles: self.actor.roles.clone(),
            action,
            comment,
            at: self.env.now,
        });
    }

    /// Records the actor's decision on their task and moves on if the step is done: a
    /// rejection ends the instance, except at a vote, which fails only once its share of
    /// agreement can no longer be reached.
    fn decide(&mut self, state: TaskState, comment: Option<String>, decision: ActionKind) -> Result<(), ActionError> {
        let now = self.env.now;
        self.note_decision(decision, comment.clone());
        let me = self.i.actionable(&self.actor.id).map(|t| t.n);
        if let Some(task) = self.i.tasks.iter_mut().find(|t| Some(t.n) == me) {
            task.state = state;
            task.comment = comment;
            task.acted_at = Some(now);
        }
        let vote = super::tally(self.step(), &self.i);
        if (state == TaskState::Rejected && vote.is_none()) || vote.is_some_and(|t| t.lost()) {
            self.i.status = Status::Rejected;
            self.i.due_at = None;
            return Ok(());
        }
        if self.step_done() {
            let step = self.step();
            let mut ctx = self.rule_ctx();
            ctx.decision = Some(decision.as_str().to_string());
            let next = self.wf.route(step, &self.i.form, &ctx)?;
            self.enter(&next)?;
        }
        Ok(())
    }

    fn step_done(&self) -> bool {
        let tasks = &self.i.tasks;
        let done = |t: &Task| t.state == TaskState::Done;
        match self.step().mode {
            ApprovalMode::Vote => super::tally(self.step(), &self.i).is_some_and(|t| t.passed()),
            ApprovalMode::Any => {
                // An approval decides unless somebody added after that person still waits.
                tasks
                    .iter()
                    .filter(|t| done(t))
                    .any(|t| !tasks.iter().any(|o| o.state == TaskState::Pending && o.waits_for.contains(&t.n)))
            }
            _ => tasks.iter().all(done),
        }
    }

    /// Enters a step (or the end): assigns its people and starts its clock.
    pub(super) fn enter(&mut self, step_id: &str) -> Result<(), ActionError> {
        if step_id == END {
            self.i.step = END.to_string();
            self.i.status = Status::Completed;
            self.i.tasks.clear();
            self.i.due_at = None;
            self.record(EventKind::Completed, None, Vec::new());
            return Ok(());
        }
        let wf: &'a Workflow = self.wf;
        let step = wf
            .definition
            .step(step_id)
            .ok_or_else(|| bad_target(format!("没有步骤「{step_id}」。"), format!("there is no step '{step_id}'.")))?;
        let assignees = assign::resolve(self, step)?;
        self.i.step = step.id.clone();
        self.i.entered_at = self.env.now;
        self.i.due_at = step.deadline_days.map(|d| self.env.now.plus_days(d));
        self.i.reminded_at = None;
        self.i.tasks = assign::tasks(step.mode, &assignees);
        self.i.participants.extend(assignees.iter().cloned());
        self.i.route.push(step.id.clone());
        let first = step.id == wf.definition.first_step().id;
        self.i.status = if first { Status::Draft } else { Status::Running };
        if first {
            self.i.acted_since_submit = false;
        }
        self.record(EventKind::StepEntered { assignees }, None, Vec::new());
        Ok(())
    }

    fn return_to(&mut self, to: &str, reason: &Option<String>) -> Result<(), ActionError> {
        self.require_task(&StepKind::ALL)?;
        if self.i.step == self.wf.definition.first_step().id {
            return Err(not_allowed("第一步不能退回。", "the first step cannot return anywhere."));
        }
        if !super::return_targets(self.wf, &self.i).iter().any(|s| s.id == *to) {
            let label = self.wf.definition.step(to).map_or_else(|| Text::new(to, to), |s| s.label());
            return Err(bad_target(
                format!("只能退回到已经过的步骤，「{}」不是。", label.zh),
                format!("an instance can only return to a step it passed; '{}' is not one.", label.en),
            ));
        }
        let reason = required_text(reason)?;
        self.acted(ActionKind::Return.into(), Some(reason.clone()), Vec::new(), vec![to.to_string()]);
        self.note_decision(ActionKind::Return, Some(reason));
        self.enter(to)
    }

    fn withdraw(&mut self) -> Result<(), ActionError> {
        if self.actor.id != self.i.initiator.id {
            return Err(not_allowed("只有发起人可以撤回。", "only the initiator may withdraw."));
        }
        if self.i.status != Status::Running {
            return Err(not_allowed(
                "尚未提交，无需撤回。",
                "it has not been submitted, so there is nothing to withdraw.",
            ));
        }
        if self.i.acted_since_submit {
            return Err(ActionError::WithdrawTooLate);
        }
        self.record(ActionKind::Withdraw.into(), None, Vec::new());
        let first = self.wf.definition.first_step().id.clone();
        self.enter(&first)
    }
}
