//! Countersign by vote (比例会签), filing steps that never veto, tasks that stay with a
//! step's own people, and the decisions the rules can see.

mod fixture;

use fixture::{at, person};
use kexie_engine::definition::Source;
use kexie_engine::instance::{Action, ActionError, ActionKind, Env, Instance, Status, apply, available, start, tally};
use kexie_engine::people::Directory;
use kexie_engine::{RuleContext, Workflow};

const WORKFLOW: &str = r#"
key = "nomination"
version = 1
title = { zh = "推荐", en = "Nomination" }

[[fields]]
id = "who"
kind = "text"
label = { zh = "被推荐人", en = "Nominee" }

[[steps]]
id = "apply"
kind = "fill"
label = { zh = "推荐", en = "Nominate" }
actors = ["initiator"]
editable = ["who"]
next = ["vote"]

[[steps]]
id = "vote"
kind = "approval"
mode = "vote"
pass = "2/3"
label = { zh = "常委会表决", en = "Committee vote" }
actors = ["role:v"]
next = ["filing"]

[[steps]]
id = "filing"
kind = "filing"
label = { zh = "备案", en = "Filing" }
actors = ["role:f"]
next = ["end"]
"#;

// At the filing step the rules count the votes for: they see every decision.
const RULES: &str = r#"
fn check(form, ctx) {
    let v = verdict();
    if ctx.step == "filing" {
        let yes = [];
        for d in ctx.decisions {
            if d.step == "vote" && d.action == "approve" && "v" in d.roles { yes.push(d.user); }
        }
        v.note(msg(`赞成：${yes}`, `for: ${yes}`));
    }
    v
}
"#;

struct World {
    wf: Workflow,
    dir: Directory,
    hour: i64,
}

impl World {
    /// Voters v1–v3, filers f1 f2, the nominator n, and x who holds no role here.
    fn new() -> Self {
        let wf = Workflow::load(
            &Source { name: "nomination/workflow.toml", text: WORKFLOW },
            &Source { name: "nomination/rules.rhai", text: RULES },
        )
        .expect("loads");
        let people = [("n", "staff"), ("v1", "v"), ("v2", "v"), ("v3", "v"), ("f1", "f"), ("f2", "f"), ("x", "x")];
        World { wf, dir: Directory(people.into_iter().map(|(id, r)| person(id, r)).collect()), hour: 0 }
    }

    fn act(&mut self, i: &Instance, who: &str, action: Action) -> Result<Instance, ActionError> {
        self.hour += 1;
        let env = Env::new(at(self.hour), &self.dir);
        apply(&self.wf, i, &action, self.dir.get(who).unwrap(), &env).map(|t| t.instance)
    }

    fn ok(&mut self, i: &Instance, who: &str, action: Action) -> Instance {
        self.act(i, who, action.clone()).unwrap_or_else(|e| panic!("{who} {action:?}: {e}"))
    }

    fn at_vote(&mut self) -> Instance {
        let env = Env::new(at(0), &self.dir);
        let d = start(&self.wf, "i-1", self.dir.get("n").unwrap(), Default::default(), &env).unwrap().instance;
        self.ok(&d, "n", Action::Submit { changes: Default::default() })
    }
}

fn yes() -> Action {
    Action::Approve { changes: Default::default(), comment: None }
}

fn no(why: &str) -> Action {
    Action::Reject { changes: Default::default(), comment: Some(why.into()).filter(|w: &String| !w.is_empty()) }
}

#[test]
fn two_of_three_pass_a_two_thirds_vote_without_the_third() {
    let mut w = World::new();
    let i = w.at_vote();
    let t = tally(w.wf.definition.step("vote").unwrap(), &i).unwrap();
    assert_eq!((t.yes, t.no, t.voters, t.needed), (0, 0, 3, 2));
    let i = w.ok(&i, "v1", yes());
    assert_eq!(i.step, "vote");
    let i = w.ok(&i, "v2", yes());
    assert_eq!(i.step, "filing");
    assert_eq!(i.status, Status::Running);
}

#[test]
fn a_vote_fails_once_it_can_no_longer_pass() {
    let mut w = World::new();
    let i = w.at_vote();
    assert_eq!(w.act(&i, "v1", no("")).unwrap_err().code(), "comment_required");
    let i = w.ok(&i, "v1", no("业绩材料不足。"));
    // One against: two may still agree.
    assert_eq!(i.status, Status::Running);
    let i = w.ok(&i, "v3", yes());
    assert_eq!(i.status, Status::Running);
    let i = w.ok(&i, "v2", no("同意钱委员意见。"));
    assert_eq!(i.status, Status::Rejected);
    let t = tally(w.wf.definition.step("vote").unwrap(), &i).unwrap();
    assert_eq!((t.yes, t.no), (1, 2));
}

#[test]
fn two_noes_sink_a_vote_before_the_third_votes() {
    let mut w = World::new();
    let i = w.at_vote();
    let i = w.ok(&i, "v1", no("不同意。"));
    let i = w.ok(&i, "v2", no("不同意。"));
    assert_eq!(i.status, Status::Rejected);
    assert_eq!(w.act(&i, "v3", yes()).unwrap_err().code(), "finished");
}

#[test]
fn a_vote_has_no_added_voters_and_keeps_its_tasks_with_its_voters() {
    let mut w = World::new();
    let i = w.at_vote();
    let offered = available(&w.wf, &i, w.dir.get("v1").unwrap(), at(2));
    assert!(offered.contains(&ActionKind::Reject) && !offered.contains(&ActionKind::AddApprover), "{offered:?}");
    let add =
        Action::AddApprover { user: "x".into(), position: kexie_engine::instance::Position::After, comment: None };
    assert_eq!(w.act(&i, "v1", add).unwrap_err().code(), "not_allowed");
    let transfer = |to: &str| Action::Transfer { to: to.into(), comment: None };
    let refused = w.act(&i, "v1", transfer("x")).unwrap_err();
    assert_eq!(refused.code(), "bad_target");
    assert!(
        refused.message().zh.contains("X不能办理「常委会表决」：只能交给本步骤规定的办理人员。"),
        "{}",
        refused.message().zh
    );
    // A copy does not make a voter.
    let i = w.ok(&i, "v1", Action::Cc { users: vec!["x".into()] });
    assert_eq!(w.act(&i, "x", yes()).unwrap_err().code(), "not_assignee");
}

#[test]
fn a_filing_records_or_sends_back_and_never_rejects() {
    let mut w = World::new();
    let i = w.at_vote();
    let i = w.ok(&i, "v1", yes());
    let i = w.ok(&i, "v3", yes());
    let offered = available(&w.wf, &i, w.dir.get("f1").unwrap(), at(5));
    assert!(offered.contains(&ActionKind::Approve) && offered.contains(&ActionKind::Return), "{offered:?}");
    assert!(!offered.contains(&ActionKind::Reject) && !offered.contains(&ActionKind::AddApprover), "{offered:?}");
    assert_eq!(w.act(&i, "f1", no("不予备案。")).unwrap_err().code(), "not_allowed");
    let back = w.ok(&i, "f1", Action::Return { to: "apply".into(), reason: Some("请补充材料。".into()) });
    assert_eq!((back.status, back.step.as_str()), (Status::Draft, "apply"));
    let filed = w.ok(&i, "f2", yes());
    assert_eq!(filed.status, Status::Completed);
}

#[test]
fn the_rules_see_who_decided_what_with_which_roles() {
    let mut w = World::new();
    let i = w.at_vote();
    let i = w.ok(&i, "v3", yes());
    let i = w.ok(&i, "v1", yes());
    let kinds: Vec<(&str, &str, ActionKind)> =
        i.decisions.iter().map(|d| (d.step.as_str(), d.user.as_str(), d.action)).collect();
    assert_eq!(
        kinds,
        [("apply", "n", ActionKind::Submit), ("vote", "v3", ActionKind::Approve), ("vote", "v1", ActionKind::Approve)]
    );
    let ctx = RuleContext::for_instance(&i, w.dir.get("f1").unwrap(), at(4));
    let notes = w.wf.evaluate(&i.form, &ctx).unwrap().notes;
    assert_eq!(notes[0].zh, r#"赞成：["v3", "v1"]"#);
}

#[test]
fn a_vote_needs_its_share_and_a_share_needs_a_vote() {
    let load = |toml: &str| {
        Workflow::load(&Source { name: "w.toml", text: toml }, &Source { name: "r.rhai", text: RULES })
            .map_err(|d| d.0.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message.en)).collect::<Vec<_>>())
    };
    let without = load(&WORKFLOW.replace("pass = \"2/3\"\n", "")).unwrap_err();
    assert!(without.iter().any(|e| e.contains("a vote needs pass")), "{without:?}");
    let wrong = load(&WORKFLOW.replace("\"2/3\"", "\"3/2\"")).unwrap_err();
    assert!(wrong.iter().any(|e| e.starts_with("w.toml:23:") && e.contains("pass '3/2' must be \"a/b\"")), "{wrong:?}");
    let stray = load(&WORKFLOW.replace("mode = \"vote\"\n", "")).unwrap_err();
    assert!(stray.iter().any(|e| e.contains("pass applies only to steps with mode = \"vote\"")), "{stray:?}");
    let on_filing =
        load(&WORKFLOW.replace("actors = [\"role:f\"]", "actors = [\"role:f\"]\ndelegates = [\"initiator\"]"))
            .unwrap_err();
    assert!(on_filing.iter().any(|e| e.contains("delegates may name role:")), "{on_filing:?}");
}

// At a countersign or a vote every assignee decides: a field they all could change would
// keep only the last one's text. Each one's opinion is the comment of their decision; the
// one consolidated field is written by whom the step names.
#[test]
fn a_field_every_voter_could_overwrite_needs_its_writers() {
    let load = |toml: &str| {
        Workflow::load(&Source { name: "w.toml", text: toml }, &Source { name: "r.rhai", text: RULES })
            .map_err(|d| d.0.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message.en)).collect::<Vec<_>>())
    };
    let shared = WORKFLOW.replace("pass = \"2/3\"\n", "pass = \"2/3\"\neditable = [\"who\"]\n");
    let errors = load(&shared).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("w.toml:24:") && e.contains("every assignee would overwrite the others' 'who'")),
        "{errors:?}"
    );
    let misnamed = shared
        .replace("editable = [\"who\"]\n", "editable = [\"who\"]\nwriters = { who = [\"rules\"], x = [\"role:v\"] }\n");
    let errors = load(&misnamed).unwrap_err();
    assert!(errors.iter().any(|e| e.contains("writers may name initiator, role:<role>")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("'x' in writers is not a field editable at this step")), "{errors:?}");

    let named = shared.replace("editable = [\"who\"]\n", "editable = [\"who\"]\nwriters = { who = [\"user:v3\"] }\n");
    let mut w = World::new();
    w.wf = Workflow::load(&Source { name: "w.toml", text: &named }, &Source { name: "r.rhai", text: RULES }).unwrap();
    let i = w.at_vote();
    let write =
        |text: &str| Action::Approve { changes: [("who".into(), text.into())].into(), comment: Some("同意".into()) };
    let refused = w.act(&i, "v1", write("v1 的汇总")).unwrap_err();
    assert_eq!(refused.code(), "field_not_editable");
    assert_eq!(refused.message().zh, "字段「被推荐人」在步骤「常委会表决」不可修改。", "labels, not ids");
    let i = w.ok(&i, "v1", yes());
    let i = w.ok(&i, "v3", write("两票赞成"));
    assert_eq!(i.form["who"], "两票赞成");
    assert_eq!(i.step, "filing");
}
