//! Each action of the state machine, by example.

mod fixture;

use fixture::*;
use kexie_engine::instance::{
    Action, ActionError, ActionKind, Env, EventKind, Instance, Position, Status, apply, available, return_targets,
};
use kexie_engine::people::Directory;
use serde_json::json;

struct World {
    wf: kexie_engine::Workflow,
    dir: Directory,
    hour: i64,
}

impl World {
    fn new() -> Self {
        World { wf: workflow(), dir: directory(), hour: 0 }
    }

    fn act(&mut self, i: &Instance, who: &str, action: Action) -> Result<Instance, ActionError> {
        self.hour += 1;
        let actor = self.dir.get(who).unwrap().clone();
        apply(&self.wf, i, &action, &actor, &Env::new(at(self.hour), &self.dir)).map(|t| t.instance)
    }

    fn ok(&mut self, i: &Instance, who: &str, action: Action) -> Instance {
        self.act(i, who, action.clone()).unwrap_or_else(|e| panic!("{who} {action:?}: {e}"))
    }

    fn submitted(&mut self) -> Instance {
        let d = draft(&self.wf, &self.dir);
        self.ok(&d, "init", Action::Submit { changes: Default::default() })
    }
}

fn approve() -> Action {
    Action::Approve { changes: Default::default(), comment: None }
}

#[test]
fn only_starters_may_start() {
    let (wf, dir) = (workflow(), directory());
    let err =
        kexie_engine::instance::start(&wf, "i", dir.get("x").unwrap(), Default::default(), &Env::new(at(0), &dir));
    assert_eq!(err.unwrap_err().code(), "not_allowed");
}

#[test]
fn submit_checks_the_form_and_the_rules() {
    let mut w = World::new();
    let d = draft(&w.wf, &w.dir);
    let big = form(&[("amount", json!("5000"))]);
    match w.act(&d, "init", Action::Submit { changes: big.clone() }) {
        Err(ActionError::Validation { errors }) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].path, "reason");
            assert_eq!(errors[0].message.article.as_deref(), Some("十六"));
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    let mut fixed = big;
    fixed.insert("reason".into(), json!("设备采购"));
    let i = w.ok(&d, "init", Action::Submit { changes: fixed });
    assert_eq!((i.step.as_str(), i.status), ("seq", Status::Running));
    assert_eq!(i.waiting_for(), ["a1"], "a sequence starts with its first assignee only");
}

#[test]
fn fields_not_editable_at_the_step_are_refused() {
    let mut w = World::new();
    let i = w.submitted();
    let err = w.act(&i, "a1", Action::Approve { changes: form(&[("amount", json!("1"))]), comment: None }).unwrap_err();
    assert!(
        matches!(err, ActionError::FieldNotEditable { ref field, ref step, .. } if field == "amount" && step == "seq")
    );
    let i = w.ok(&i, "a1", Action::Approve { changes: form(&[("opinion", json!("同意"))]), comment: None });
    assert_eq!(i.form["opinion"], json!("同意"));
    // A field the form does not have is named as such, in both languages, not as a permission.
    let err =
        w.act(&i, "a2", Action::Approve { changes: form(&[("venue", json!("一号厅"))]), comment: None }).unwrap_err();
    let ActionError::Validation { errors } = err else { panic!("expected a validation error, got {err:?}") };
    assert_eq!((errors[0].path.as_str(), errors[0].message.zh.as_str()), ("venue", "表单没有字段「venue」。"));
}

#[test]
fn hidden_fields_are_left_out_of_what_a_step_shows() {
    let wf = WORKFLOW.replace("editable = [\"opinion\"]", "editable = [\"opinion\"]\nhidden = [\"reason\"]");
    let wf = kexie_engine::Workflow::load(
        &kexie_engine::definition::Source { name: "w.toml", text: &wf },
        &kexie_engine::definition::Source { name: "r.rhai", text: RULES },
    )
    .unwrap();
    let f = form(&[("amount", json!("1")), ("reason", json!("私事"))]);
    let seq = wf.definition.step("seq").unwrap();
    assert_eq!(seq.visible_form(&f).keys().collect::<Vec<_>>(), ["amount"]);
}

#[test]
fn sequence_then_countersign_then_any_one() {
    let mut w = World::new();
    let mut i = w.submitted();
    assert_eq!(w.act(&i, "a2", approve()).unwrap_err().code(), "not_assignee", "a2 waits for a1");
    i = w.ok(&i, "a1", approve());
    i = w.ok(&i, "a2", approve());
    assert_eq!(i.step, "all");
    i = w.ok(&i, "b2", approve());
    i = w.ok(&i, "b1", approve());
    assert_eq!(i.step, "all", "a countersign waits for everyone");
    i = w.ok(&i, "b3", approve());
    assert_eq!(i.step, "any");
    i = w.ok(&i, "c2", approve());
    assert_eq!((i.step.as_str(), i.status), ("end", Status::Completed));
    assert_eq!(i.route, ["apply", "seq", "all", "any"]);
    assert_eq!(w.act(&i, "init", Action::Comment { text: "谢谢".into() }).unwrap_err().code(), "finished");
}

#[test]
fn reject_needs_a_reason_and_ends_the_instance() {
    let mut w = World::new();
    let i = w.submitted();
    assert_eq!(
        w.act(&i, "a1", Action::Reject { changes: Default::default(), comment: None }).unwrap_err().code(),
        "comment_required"
    );
    let i = w.ok(&i, "a1", Action::Reject { changes: Default::default(), comment: Some("预算不足".into()) });
    assert_eq!(i.status, Status::Rejected);
    assert_eq!(w.act(&i, "a2", approve()).unwrap_err().code(), "finished");
}

#[test]
fn return_goes_back_only_to_a_passed_step() {
    let mut w = World::new();
    let mut i = w.submitted();
    i = w.ok(&i, "a1", approve());
    i = w.ok(&i, "a2", approve());
    let back = |to: &str, reason: Option<&str>| Action::Return { to: to.into(), reason: reason.map(String::from) };
    assert_eq!(w.act(&i, "b1", back("any", Some("x"))).unwrap_err().code(), "bad_target");
    assert_eq!(w.act(&i, "b1", back("apply", None)).unwrap_err().code(), "comment_required");
    i = w.ok(&i, "b1", back("apply", Some("请补充事由")));
    assert_eq!((i.step.as_str(), i.status), ("apply", Status::Draft));
    assert_eq!(i.waiting_for(), ["init"]);
    i = w.ok(&i, "init", Action::Submit { changes: form(&[("reason", json!("补充"))]) });
    assert_eq!(i.route, ["apply", "seq", "all", "apply", "seq"]);
}

#[test]
fn return_targets_are_the_passed_steps_the_machine_accepts() {
    let mut w = World::new();
    let ids =
        |w: &World, i: &Instance| -> Vec<String> { return_targets(&w.wf, i).iter().map(|s| s.id.clone()).collect() };
    let d = draft(&w.wf, &w.dir);
    assert!(ids(&w, &d).is_empty(), "the first step returns nowhere");
    let mut i = w.submitted();
    assert_eq!(ids(&w, &i), ["apply"]);
    i = w.ok(&i, "a1", approve());
    i = w.ok(&i, "a2", approve());
    assert_eq!(ids(&w, &i), ["apply", "seq"], "not the current step");
    assert!(available(&w.wf, &i, w.dir.get("b1").unwrap(), at(w.hour)).contains(&ActionKind::Return));
    let back = |to: &str| Action::Return { to: to.into(), reason: Some("退回".into()) };
    i = w.ok(&i, "b1", back("apply"));
    i = w.ok(&i, "init", Action::Submit { changes: Default::default() });
    assert_eq!(i.route, ["apply", "seq", "all", "apply", "seq"]);
    assert_eq!(ids(&w, &i), ["apply", "all"], "each passed step once, in the order first entered");
    for target in ids(&w, &i) {
        assert!(w.act(&i, "a1", back(&target)).is_ok(), "{target} is accepted");
    }
    assert_eq!(w.act(&i, "a1", back("any")).unwrap_err().code(), "bad_target", "never entered");
}

#[test]
fn withdraw_only_before_anybody_acted() {
    let mut w = World::new();
    let i = w.submitted();
    assert_eq!(w.act(&i, "a1", Action::Withdraw).unwrap_err().code(), "not_allowed", "only the initiator");
    let back = w.ok(&i, "init", Action::Withdraw);
    assert_eq!((back.step.as_str(), back.status), ("apply", Status::Draft));
    let again = w.ok(&back, "init", Action::Submit { changes: Default::default() });
    let acted = w.ok(&again, "a1", approve());
    assert_eq!(w.act(&acted, "init", Action::Withdraw).unwrap_err().code(), "withdraw_too_late");
}

#[test]
fn transfer_hands_the_task_over() {
    let mut w = World::new();
    let i = w.submitted();
    let to = |u: &str| Action::Transfer { to: u.into(), comment: None };
    assert_eq!(w.act(&i, "a1", to("nobody")).unwrap_err().code(), "bad_target");
    let i = w.ok(&i, "a1", to("x"));
    assert_eq!(i.waiting_for(), ["x"]);
    assert_eq!(w.act(&i, "a1", approve()).unwrap_err().code(), "not_assignee");
    let i = w.ok(&i, "x", approve());
    assert_eq!(i.waiting_for(), ["a2"]);
}

#[test]
fn added_approvers_act_before_or_after_me() {
    let mut w = World::new();
    let i = w.submitted();
    let add = |u: &str, position| Action::AddApprover { user: u.into(), position, comment: None };
    // Before me: x acts first, then a1 again, then a2.
    let i = w.ok(&i, "a1", add("x", Position::Before));
    assert_eq!(i.waiting_for(), ["x"]);
    let i = w.ok(&i, "x", approve());
    assert_eq!(i.waiting_for(), ["a1"]);
    // After me: c1 comes between a1 and a2.
    let i = w.ok(&i, "a1", add("c1", Position::After));
    let i = w.ok(&i, "a1", approve());
    assert_eq!(i.waiting_for(), ["c1"]);
    let i = w.ok(&i, "c1", approve());
    assert_eq!(i.waiting_for(), ["a2"]);
    let i = w.ok(&i, "a2", approve());
    assert_eq!(i.step, "all");
}

#[test]
fn the_log_names_an_added_approver_by_the_action_and_its_position_apart() {
    let mut w = World::new();
    let i = w.submitted();
    let add = Action::AddApprover { user: "x".into(), position: Position::Before, comment: None };
    let t = apply(&w.wf, &i, &add, w.dir.get("a1").unwrap(), &Env::new(at(9), &w.dir)).unwrap();
    let added = serde_json::to_value(&t.events[0]).unwrap();
    assert_eq!((&added["action"], &added["position"]), (&json!("add_approver"), &json!("before")));
    assert_eq!(t.events[0].action(), Some(add.kind()));
    // Logs written before the position had its own field still read, as the action.
    let old = json!({ "at": "2026-03-02T09:00:00+08:00", "actor": "a1", "step": "seq", "action": "add_approver_before",
        "kind": "acted", "targets": ["x"] });
    let old: kexie_engine::instance::Event = serde_json::from_value(old).unwrap();
    assert_eq!(old.kind, EventKind::Acted { action: ActionKind::AddApprover, position: None });
}

#[test]
fn comments_cc_and_reminders() {
    let mut w = World::new();
    let i = w.submitted();
    assert_eq!(w.act(&i, "x", Action::Comment { text: "路过".into() }).unwrap_err().code(), "not_allowed");
    let i = w.ok(&i, "init", Action::Cc { users: vec!["x".into()] });
    let i = w.ok(&i, "x", Action::Comment { text: "已阅".into() });
    assert_eq!(w.act(&i, "x", Action::Comment { text: "  ".into() }).unwrap_err().code(), "comment_required");
    let i = w.ok(&i, "init", Action::Remind);
    w.hour -= 1; // the next action happens in the same moment
    assert_eq!(w.act(&i, "init", Action::Remind).unwrap_err().code(), "too_early", "one reminder an hour");
    w.ok(&i, "init", Action::Remind);
}

#[test]
fn deadlines_mark_the_step_overdue() {
    let mut w = World::new();
    let i = w.submitted();
    let due = i.due_at.expect("seq has a two-day deadline");
    assert_eq!(due, at(1).plus_days(2));
    assert!(!i.is_overdue(at(1 + 47)));
    assert!(i.is_overdue(at(1 + 49)));
}

#[test]
fn events_record_who_what_diff_and_comment() {
    let (wf, dir) = (workflow(), directory());
    let d = draft(&wf, &dir);
    let actor = dir.get("init").unwrap();
    let t =
        apply(&wf, &d, &Action::Submit { changes: form(&[("reason", json!("新"))]) }, actor, &Env::new(at(1), &dir))
            .unwrap();
    let submitted = &t.events[0];
    assert_eq!(
        (submitted.actor.as_str(), submitted.action(), submitted.step.as_str()),
        ("init", Some(ActionKind::Submit), "apply")
    );
    assert_eq!(submitted.diff.len(), 1);
    assert_eq!((submitted.diff[0].before.clone(), submitted.diff[0].after.clone()), (json!(null), json!("新")));
    assert!(t.events.iter().any(|e| matches!(e.kind, EventKind::StepEntered { .. }) && e.step == "seq"));
    assert_eq!(t.instance.revision, d.revision + 1);
}
