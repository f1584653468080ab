//! Action sequences against the state machine on a shipped workflow: a start, then any
//! actions by anyone in the case directory, each checked by the engine's invariants
//! (`kexie_engine::instance::invariants`, which the property tests use too).
#![no_main]

use arbitrary::Unstructured;
use kexie_engine::instance::invariants::{check_instance, check_transition};
use kexie_engine::instance::{Action, Env, Moment, Position, apply, available, start};
use kexie_fuzz::{changes, pick, start_form};
use libfuzzer_sys::fuzz_target;

const TEXTS: [Option<&str>; 4] = [None, Some(""), Some("同意"), Some("理由不足，请补充")];

fn run(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let shipped = pick(u)?;
    let (wf, dir) = (&shipped.workflow, &shipped.directory);
    let people: Vec<_> = dir.0.values().collect();
    let mut now = Moment::parse("2026-03-02T09:00:00+08:00").expect("a moment");
    let (initiator, first) = start_form(u, shipped)?;
    let initiator = match initiator.as_deref().and_then(|id| dir.get(id)) {
        Some(actor) if u.ratio(7, 8)? => actor,
        _ => *u.choose(&people)?,
    };
    let Ok(t) = start(wf, "fuzz-1", initiator, first, &Env::new(now, dir)) else { return Ok(()) };
    let mut inst = t.instance;
    if let Err(broken) = check_instance(wf, &inst) {
        panic!("start: {broken}");
    }
    let steps: Vec<String> = wf.definition.steps.iter().map(|s| s.id.clone()).collect();
    for _ in 0..u.int_in_range(1..=40)? {
        now = now.plus_hours(u.int_in_range(0..=72)?);
        // Mostly somebody the step waits for, so runs get far.
        let waiting = inst.waiting_for();
        let who = if !waiting.is_empty() && u.ratio(3, 4)? {
            (*u.choose(&waiting)?).to_string()
        } else {
            u.choose(&people)?.id.clone()
        };
        let actor = dir.get(&who).expect("in the directory");
        let offered = available(wf, &inst, actor, now);
        let comment = u.choose(&TEXTS)?.map(String::from);
        let person = u.choose(&people)?.id.clone();
        let action = match u.int_in_range(0..=11)? {
            0 => Action::SaveDraft { changes: changes(u, shipped)? },
            1 => Action::Submit { changes: changes(u, shipped)? },
            2..=4 => Action::Approve { changes: changes(u, shipped)?, comment },
            5 => Action::Reject { changes: changes(u, shipped)?, comment },
            6 => Action::Return { to: u.choose(&steps)?.clone(), reason: comment },
            7 => Action::Withdraw,
            8 => Action::Transfer { to: person, comment },
            9 => Action::AddApprover {
                user: person,
                position: if u.arbitrary()? { Position::Before } else { Position::After },
                comment,
            },
            10 => Action::Cc { users: vec![person] },
            _ => {
                if u.arbitrary()? {
                    Action::Remind
                } else {
                    Action::Comment { text: comment.unwrap_or_default() }
                }
            }
        };
        let before = inst.clone();
        let result = apply(wf, &inst, &action, actor, &Env::new(now, dir));
        if let Err(broken) = check_transition(wf, &before, &inst, &action, &who, &offered, &result) {
            panic!("{} at {} by {who}, {action:?}: {broken}", shipped.key, before.step);
        }
        if let Ok(t) = result {
            inst = t.instance;
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
