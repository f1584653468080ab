//! Handing work on: transfer (转交), added approvers (加签), copies (抄送), reminders (催办).

use super::action::{ActionError, ActionKind, EventKind, Position};
use super::machine::{REMIND_INTERVAL_HOURS, bad_target, not_allowed};
use super::model::{Status, Task, TaskState};
use super::{Machine, assign};
use crate::definition::{ApprovalMode, StepKind};

impl Machine<'_> {
    pub(super) fn transfer(&mut self, to: &str, comment: &Option<String>) -> Result<(), ActionError> {
        let n = self.require_task(&StepKind::ALL)?;
        if self.i.step == self.wf.definition.first_step().id {
            return Err(not_allowed("发起人的填写步骤不能转交。", "the initiator's own form cannot be transferred."));
        }
        self.check_new_assignee(to)?;
        if let Some(task) = self.i.tasks.iter_mut().find(|t| t.n == n) {
            task.assignee = to.to_string();
        }
        self.i.participants.insert(to.to_string());
        self.acted(ActionKind::Transfer.into(), comment.clone(), Vec::new(), vec![to.to_string()]);
        Ok(())
    }

    /// The person exists, may hold this step (one of its actors or delegates: a task
    /// never leaves the people the step names, so the 科协's opinion stays the 科协's) and
    /// has no open task here yet.
    fn check_new_assignee(&self, user: &str) -> Result<(), ActionError> {
        let Some(person) = self.env.directory.get(user) else {
            return Err(bad_target(
                format!("目录中没有用户「{user}」。"),
                format!("there is no user '{user}' in the directory."),
            ));
        };
        let step = self.step();
        if !assign::may_hold(self, step, user)? {
            let (name, label) = (&person.name, step.label());
            return Err(bad_target(
                format!("{name}不能办理「{}」：只能交给本步骤规定的办理人员。", label.zh),
                format!("{name} may not act at '{}': only the people the step names may.", label.en),
            ));
        }
        if self.i.tasks.iter().any(|t| t.assignee == user && t.state == TaskState::Pending) {
            return Err(bad_target(
                format!("{}已是本步骤的办理人。", person.name),
                format!("{} is already assigned at this step.", person.name),
            ));
        }
        Ok(())
    }

    pub(super) fn add_approver(
        &mut self,
        user: &str,
        position: Position,
        comment: &Option<String>,
    ) -> Result<(), ActionError> {
        let me = self.require_task(&[StepKind::Approval, StepKind::Opinion])?;
        if self.step().mode == ApprovalMode::Vote {
            return Err(not_allowed(
                "比例会签的投票人在步骤开始时已确定，不能加签。",
                "a vote's voters are fixed when the step starts; nobody can be added.",
            ));
        }
        self.check_new_assignee(user)?;
        let n = self.i.tasks.iter().map(|t| t.n).max().unwrap_or(0) + 1;
        let mut added = Task {
            n,
            assignee: user.to_string(),
            state: TaskState::Pending,
            waits_for: Vec::new(),
            comment: None,
            acted_at: None,
        };
        match position {
            Position::Before => {
                let mine = self.i.tasks.iter_mut().find(|t| t.n == me).expect("actionable task exists");
                added.waits_for = std::mem::replace(&mut mine.waits_for, vec![n]);
            }
            Position::After => {
                for t in self.i.tasks.iter_mut() {
                    t.waits_for.iter_mut().filter(|w| **w == me).for_each(|w| *w = n);
                }
                added.waits_for = vec![me];
            }
        }
        self.i.tasks.push(added);
        self.i.participants.insert(user.to_string());
        let kind = EventKind::Acted { action: ActionKind::AddApprover, position: Some(position) };
        self.acted(kind, comment.clone(), Vec::new(), vec![user.to_string()]);
        Ok(())
    }

    pub(super) fn cc(&mut self, users: &[String]) -> Result<(), ActionError> {
        let who = &self.actor.id;
        if *who != self.i.initiator.id && !self.i.tasks.iter().any(|t| &t.assignee == who) {
            return Err(not_allowed(
                "只有发起人和当前办理人可以抄送。",
                "only the initiator and the current assignees may send copies.",
            ));
        }
        if users.is_empty() {
            return Err(bad_target("请选择抄送人。".into(), "choose whom to copy.".into()));
        }
        if let Some(u) = users.iter().find(|u| self.env.directory.get(u).is_none()) {
            return Err(bad_target(
                format!("目录中没有用户「{u}」。"),
                format!("there is no user '{u}' in the directory."),
            ));
        }
        self.i.cc.extend(users.iter().cloned());
        self.record(ActionKind::Cc.into(), None, users.to_vec());
        Ok(())
    }

    pub(super) fn remind(&mut self) -> Result<(), ActionError> {
        if self.actor.id != self.i.initiator.id {
            return Err(not_allowed("只有发起人可以催办。", "only the initiator may send reminders."));
        }
        if self.i.status != Status::Running {
            return Err(not_allowed("流程未在审批中，无需催办。", "the instance is not waiting for anybody."));
        }
        if let Some(last) = self.i.reminded_at {
            let until = last.plus_hours(REMIND_INTERVAL_HOURS);
            if self.env.now < until {
                return Err(ActionError::TooEarly { until });
            }
        }
        let waiting: Vec<String> = self.i.waiting_for().into_iter().map(String::from).collect();
        self.i.reminded_at = Some(self.env.now);
        self.record(ActionKind::Remind.into(), None, waiting);
        Ok(())
    }
}
