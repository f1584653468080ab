//! Property tests: invariants of the state machine under random sequences of actions by
//! random people, checked against the audit log rather than the machine's own flags.

mod fixture;

use fixture::*;
use kexie_engine::instance::invariants::check_transition;
use kexie_engine::instance::{Action, ActionKind, Env, Event, Instance, Position, Status, TaskState, apply, available};
use proptest::prelude::*;

const PEOPLE: [&str; 9] = ["init", "a1", "a2", "b1", "b2", "b3", "c1", "c2", "x"];
const STEPS: [&str; 4] = ["apply", "seq", "all", "any"];
const DECISIONS: [ActionKind; 6] = [
    ActionKind::Submit,
    ActionKind::Approve,
    ActionKind::Reject,
    ActionKind::Return,
    ActionKind::Transfer,
    ActionKind::AddApprover,
];

fn action() -> impl Strategy<Value = Action> {
    let person = prop::sample::select(&PEOPLE[..]).prop_map(String::from);
    let step = prop::sample::select(&STEPS[..]).prop_map(String::from);
    let text = prop::option::of(prop::sample::select(vec!["同意", "", "理由"]).prop_map(String::from));
    prop_oneof![
        3 => Just(Action::Submit { changes: Default::default() }),
        8 => text.clone().prop_map(|comment| Action::Approve { changes: Default::default(), comment }),
        1 => text.clone().prop_map(|comment| Action::Reject { changes: Default::default(), comment }),
        1 => (step, text.clone()).prop_map(|(to, reason)| Action::Return { to, reason }),
        1 => Just(Action::Withdraw),
        1 => (person.clone(), text.clone()).prop_map(|(to, comment)| Action::Transfer { to, comment }),
        1 => (person.clone(), any::<bool>()).prop_map(|(user, before)| Action::AddApprover {
            user,
            position: if before { Position::Before } else { Position::After },
            comment: None,
        }),
        1 => Just(Action::Comment { text: "意见".into() }),
        1 => person.prop_map(|u| Action::Cc { users: vec![u] }),
        1 => Just(Action::Remind),
    ]
}

/// Whether somebody made a decision since the initiator's last submit, by the log.
fn acted_since_submit(log: &[Event]) -> bool {
    let submitted = |e: &Event| e.action() == Some(ActionKind::Submit) && e.step == "apply";
    let since = log.iter().rposition(submitted).map_or(0, |i| i + 1);
    log[since..].iter().any(|e| e.action().is_some_and(|a| DECISIONS.contains(&a)))
}

fn check_step(before: &Instance, after: &Instance, actor: &str, action: &Action) -> Result<(), TestCaseError> {
    let left = after.step != before.step;
    if matches!(action, Action::Approve { .. }) && left && before.step == "all" {
        let others_done = before.tasks.iter().filter(|t| t.assignee != actor).all(|t| t.state == TaskState::Done);
        prop_assert!(others_done, "a countersign completed before everyone approved: {:?}", before.tasks);
    }
    if matches!(action, Action::Approve { .. }) && before.step == "any" {
        let waited_on = before.tasks.iter().any(|t| {
            t.assignee == actor
                && before.tasks.iter().any(|o| o.state == TaskState::Pending && o.waits_for.contains(&t.n))
        });
        prop_assert!(left || waited_on, "an any-one step did not complete at the first approval");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn the_state_machine_keeps_its_invariants(
        script in prop::collection::vec((any::<bool>(), prop::sample::select(&PEOPLE[..]), action()), 1..60)
    ) {
        let (wf, dir) = (workflow(), directory());
        let mut inst = draft(&wf, &dir);
        let mut log: Vec<Event> = Vec::new();
        for (hour, (assignee, anybody, action)) in (1..).zip(&script) {
            // Half the time somebody the step waits for acts, so runs get far.
            let waiting = inst.waiting_for();
            let who = if *assignee && !waiting.is_empty() { waiting[hour as usize % waiting.len()] } else { anybody };
            let who = who.to_string();
            let who = who.as_str();
            let actor = dir.get(who).unwrap();
            let before = inst.clone();
            let offered = available(&wf, &inst, actor, at(hour));
            let result = apply(&wf, &inst, action, actor, &Env::new(at(hour), &dir));
            if let Err(broken) = check_transition(&wf, &before, &inst, action, who, &offered, &result) {
                return Err(TestCaseError::fail(broken));
            }
            let Ok(t) = result else { continue };
            if matches!(action, Action::Withdraw) {
                prop_assert!(!acted_since_submit(&log), "withdraw accepted after somebody acted");
            }
            check_step(&before, &t.instance, who, action)?;
            log.extend(t.events);
            inst = t.instance;
        }
        if inst.status == Status::Completed {
            prop_assert_eq!(inst.route.last().map(String::as_str), Some("any"));
        }
    }
}
