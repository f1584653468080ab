//! A small workflow with every approval mode, shared by the engine's integration tests.

#![allow(dead_code)]

use kexie_engine::Workflow;
use kexie_engine::definition::Source;
use kexie_engine::fields::Form;
use kexie_engine::instance::{Env, Instance, Moment, start};
use kexie_engine::people::{Actor, Directory};

pub const WORKFLOW: &str = r#"
key = "modes"
version = 1
title = { zh = "审批方式", en = "Approval modes" }
starters = ["role:staff"]

[[fields]]
id = "amount"
kind = "decimal"
label = { zh = "金额", en = "Amount" }
required = true
min = 0

[[fields]]
id = "reason"
kind = "long_text"
label = { zh = "事由", en = "Reason" }

[[fields]]
id = "opinion"
kind = "text"
label = { zh = "意见", en = "Opinion" }

[[steps]]
id = "apply"
kind = "fill"
label = { zh = "申请", en = "Apply" }
actors = ["initiator"]
editable = ["amount", "reason"]
next = ["seq"]

[[steps]]
id = "seq"
kind = "approval"
mode = "sequence"
label = { zh = "依次审批", en = "In sequence" }
actors = ["role:a"]
editable = ["opinion"]
deadline_days = 2
next = ["all"]

[[steps]]
id = "all"
kind = "approval"
mode = "all"
label = { zh = "会签", en = "Countersign" }
actors = ["role:b"]
next = ["any"]

[[steps]]
id = "any"
kind = "approval"
mode = "any"
label = { zh = "或签", en = "Any one" }
actors = ["role:c"]
next = ["end"]
"#;

pub const RULES: &str = r#"
const BIG = 1000;
fn check(form, ctx) {
    let v = verdict();
    if form.amount > BIG { v.require("reason", msg("大额须写事由", "A large amount needs a reason", "十六")); }
    v
}
"#;

pub fn workflow() -> Workflow {
    Workflow::load(&Source { name: "modes/workflow.toml", text: WORKFLOW }, &Source { name: "modes/rules.rhai", text: RULES })
        .expect("the fixture loads")
}

pub fn person(id: &str, role: &str) -> (String, Actor) {
    (id.to_string(), Actor { id: id.into(), name: id.to_uppercase(), roles: vec![role.into()], department: None })
}

/// init (staff), a1 a2 (a), b1 b2 b3 (b), c1 c2 (c), x (nobody).
pub fn directory() -> Directory {
    Directory(
        [
            person("init", "staff"),
            person("a1", "a"),
            person("a2", "a"),
            person("b1", "b"),
            person("b2", "b"),
            person("b3", "b"),
            person("c1", "c"),
            person("c2", "c"),
            person("x", "other"),
        ]
        .into_iter()
        .collect(),
    )
}

pub fn at(hours: i64) -> Moment {
    Moment::parse("2026-03-02T09:00:00+08:00").unwrap().plus_hours(hours)
}

pub fn form(pairs: &[(&str, serde_json::Value)]) -> Form {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// A fresh draft by `init` with amount 100.
pub fn draft(wf: &Workflow, dir: &Directory) -> Instance {
    let init = dir.get("init").unwrap();
    let f = form(&[("amount", serde_json::json!("100.00"))]);
    start(wf, "i-1", init, f, &Env { now: at(0), directory: dir }).unwrap().instance
}
