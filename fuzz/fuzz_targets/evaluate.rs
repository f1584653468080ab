//! Form values against each shipped workflow: any form over the workflow's real field ids,
//! evaluated at every step by anyone in its case directory. Never panics; an error is a
//! value.
#![no_main]

use arbitrary::Unstructured;
use kexie_engine::RuleContext;
use kexie_fuzz::{pick, start_form};
use libfuzzer_sys::fuzz_target;

fn run(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let shipped = pick(u)?;
    let wf = &shipped.workflow;
    let people: Vec<_> = shipped.directory.0.values().collect();
    let (_, form) = start_form(u, shipped)?;
    let actor = (*u.choose(&people)?).clone();
    let initiator = (*u.choose(&people)?).clone();
    let today =
        format!("{}-{:02}-{:02}", u.int_in_range(2000..=2100)?, u.int_in_range(1..=12)?, u.int_in_range(1..=28)?);
    let mut history = Vec::new();
    for step in &wf.definition.steps {
        history.push(step.id.clone());
        let ctx = RuleContext {
            step: step.id.clone(),
            actor: actor.clone(),
            initiator: initiator.clone(),
            today: today.clone(),
            history: history.clone(),
            ..RuleContext::default()
        };
        let _ = wf.evaluate(&form, &ctx);
        let _ = wf.route(step, &form, &RuleContext { decision: Some("approve".into()), ..ctx.clone() });
        let _ = wf.assignees(&form, &RuleContext { target: Some(step.id.clone()), ..ctx });
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
