//! What each transition tells the systems around the instance: the to-do items it opens
//! and closes, and its milestones, in order.

mod fixture;

use fixture::*;
use kexie_engine::instance::{Action, Env, Instance, Position, apply, effects, start};
use kexie_engine::people::Directory;

struct Walk {
    wf: kexie_engine::Workflow,
    dir: Directory,
    hour: i64,
}

impl Walk {
    /// `who` takes `action` on `i`: the instance after, and the effects as "type person".
    fn act(&mut self, i: &Instance, who: &str, action: Action) -> (Instance, Vec<String>) {
        self.hour += 1;
        let actor = self.dir.get(who).unwrap();
        let t = apply(&self.wf, i, &action, actor, &Env::new(at(self.hour), &self.dir))
            .unwrap_or_else(|e| panic!("{who} {action:?}: {e}"));
        let said = effects(Some(i), &t.instance, &t.events).iter().map(described).collect();
        (t.instance, said)
    }
}

fn described(e: &kexie_engine::instance::Effect) -> String {
    match e.task() {
        Some(t) => format!("{} {}@{}", e.name(), t.assignee, t.step),
        None => e.name().to_string(),
    }
}

fn approve() -> Action {
    Action::Approve { changes: Default::default(), comment: None }
}

#[test]
fn a_walk_opens_and_closes_each_to_do_item_once() {
    let (wf, dir) = (workflow(), directory());
    let init = dir.get("init").unwrap().clone();
    let t = start(&wf, "i1", &init, Default::default(), &Env::new(at(0), &dir)).unwrap();
    assert!(effects(None, &t.instance, &t.events).is_empty(), "a new draft is its author's, not a to-do");
    let mut w = Walk { wf, dir, hour: 0 };
    let d = draft(&w.wf, &w.dir);

    let (i, said) = w.act(&d, "init", Action::Submit { changes: Default::default() });
    assert_eq!(said, ["instance.submitted", "task.created a1@seq"]);
    let (i, said) = w.act(&i, "a1", approve());
    assert_eq!(said, ["task.completed a1@seq", "task.created a2@seq"], "a sequence hands on");
    let (i, said) = w.act(&i, "a2", approve());
    assert_eq!(said, ["task.completed a2@seq", "task.created b1@all", "task.created b2@all", "task.created b3@all"]);
    let (i, said) = w.act(&i, "b1", approve());
    assert_eq!(said, ["task.completed b1@all"], "a countersign waits for the others");
    let (i, said) = w.act(&i, "b2", Action::Transfer { to: "x".into(), comment: None });
    assert_eq!(said, ["task.cancelled b2@all", "task.created x@all"]);
    let (i, said) = w.act(&i, "init", Action::Remind);
    assert_eq!(said, ["task.reminded x@all", "task.reminded b3@all"], "in task order: x took b2's place");
    let (i, _) = w.act(&i, "x", approve());
    let (i, said) = w.act(&i, "b3", approve());
    assert_eq!(said, ["task.completed b3@all", "task.created c1@any", "task.created c2@any"]);
    let (_, said) = w.act(&i, "c2", approve());
    assert_eq!(said, ["task.completed c2@any", "task.cancelled c1@any", "instance.completed"], "any one decides");
}

#[test]
fn returns_withdrawals_rejections_and_copies_say_so() {
    let mut w = Walk { wf: workflow(), dir: directory(), hour: 0 };
    let d = draft(&w.wf, &w.dir);
    let (i, _) = w.act(&d, "init", Action::Submit { changes: Default::default() });
    let (i, said) = w.act(&i, "init", Action::Cc { users: vec!["x".into()] });
    assert_eq!(said, ["instance.cc"]);
    let (i, said) = w.act(&i, "init", Action::Withdraw);
    assert_eq!(said, ["task.cancelled a1@seq", "instance.withdrawn", "task.created init@apply"]);
    let (i, said) = w.act(&i, "init", Action::SaveDraft { changes: Default::default() });
    assert!(said.is_empty(), "saving a draft changes no to-do: {said:?}");
    let (i, said) = w.act(&i, "init", Action::Submit { changes: Default::default() });
    assert_eq!(said, ["task.completed init@apply", "instance.submitted", "task.created a1@seq"]);
    let (i, said) = w.act(&i, "a1", Action::Return { to: "apply".into(), reason: Some("补材料".into()) });
    assert_eq!(said, ["task.completed a1@seq", "instance.returned", "task.created init@apply"]);
    let (i, _) = w.act(&i, "init", Action::Submit { changes: Default::default() });
    let added = Action::AddApprover { user: "x".into(), position: Position::Before, comment: None };
    let (i, said) = w.act(&i, "a1", added);
    assert_eq!(said, ["task.cancelled a1@seq", "task.created x@seq"], "a1 waits for x");
    let (i, _) = w.act(&i, "x", approve());
    let (_, said) = w.act(&i, "a1", Action::Reject { changes: Default::default(), comment: Some("不符合".into()) });
    assert_eq!(said, ["task.completed a1@seq", "instance.rejected"]);
}
