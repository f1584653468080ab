//! Reference fields (关联审批): an instance refers to a completed instance of a named
//! workflow that its chooser may read; the rules see it; a choice prefills the form.

mod fixture;

use std::collections::BTreeMap;

use fixture::{at, form, person};
use kexie_engine::definition::Source;
use kexie_engine::instance::{
    Action, Env, Referenced, Status, apply, check_references, held_references, prefill, start,
};
use kexie_engine::people::Directory;
use kexie_engine::text::Text;
use kexie_engine::{RuleContext, Workflow};
use serde_json::json;

const WORKFLOW: &str = r#"
key = "report"
version = 1
title = { zh = "汇报", en = "Report" }

[[fields]]
id = "plan"
kind = "reference"
workflow = "plan"
label = { zh = "计划", en = "Plan" }
required = true
prefill = { items = "items", name = "title" }

[[fields]]
id = "name"
kind = "text"
label = { zh = "名称", en = "Name" }

[[fields]]
id = "items"
kind = "table"
label = { zh = "事项", en = "Items" }

[[fields.columns]]
id = "item"
kind = "text"
label = { zh = "事项", en = "Item" }

[[fields.columns]]
id = "done"
kind = "checkbox"
label = { zh = "完成", en = "Done" }

[[steps]]
id = "draft"
kind = "fill"
label = { zh = "撰写", en = "Write" }
actors = ["initiator"]
editable = ["plan", "name", "items"]
next = ["review"]

[[steps]]
id = "review"
kind = "approval"
label = { zh = "审核", en = "Review" }
actors = ["role:r"]
next = ["end"]
"#;

// The rules read the plan's funds (a string, as stored) through ctx.refs.
const RULES: &str = r#"
fn check(form, ctx) {
    let v = verdict();
    let plan = ctx.refs.plan;
    if plan != () { v.note(msg(`计划经费 ${money(plan.form.funds)}`, `plan funds ${money(plan.form.funds)}`)); }
    v
}
"#;

fn wf() -> Workflow {
    Workflow::load(&Source { name: "report/workflow.toml", text: WORKFLOW }, &Source { name: "r.rhai", text: RULES })
        .expect("loads")
}

fn plan(id: &str, workflow: &str, status: Status) -> Referenced {
    let items = json!([{ "item": "论坛", "budget": "10.00", "owner": "qian" }, { "item": "科普" }]);
    let form = form(&[("title", json!("2026 年计划")), ("funds", json!("30.00")), ("items", items)]);
    Referenced { id: id.into(), workflow: workflow.into(), status, summary: Some(Text::new("2026", "2026")), form }
}

fn known(refs: &[Referenced]) -> BTreeMap<String, Referenced> {
    refs.iter().map(|r| (r.id.clone(), r.clone())).collect()
}

#[test]
fn only_a_completed_instance_of_the_named_workflow_that_was_given_is_accepted() {
    let wf = wf();
    let given = known(&[
        plan("p1", "plan", Status::Completed),
        plan("p2", "plan", Status::Running),
        plan("x", "other", Status::Completed),
    ]);
    let errors = |id: &str| check_references(&wf.definition, &form(&[("plan", json!(id))]), &given);
    assert!(errors("p1").is_empty());
    for bad in ["p2", "x", "unreadable"] {
        let e = errors(bad);
        assert_eq!(e.len(), 1, "{bad}");
        assert_eq!(e[0].path, "plan");
        assert!(e[0].message.zh.contains("「计划」须选择您可以查看的、已办结的流程"), "{}", e[0].message.zh);
    }
}

#[test]
fn the_rules_see_the_referenced_form_and_submit_checks_the_reference() {
    let wf = wf();
    let dir = Directory([person("n", "staff"), person("r1", "r")].into_iter().collect());
    let given = known(&[plan("p1", "plan", Status::Completed)]);
    let env = Env { now: at(0), directory: &dir, refs: &given };
    let f = form(&[("plan", json!("p1"))]);
    let d = start(&wf, "i", dir.get("n").unwrap(), f, &env).unwrap().instance;
    let submitted = apply(&wf, &d, &Action::Submit { changes: Default::default() }, dir.get("n").unwrap(), &env);
    let i = submitted.expect("a readable completed plan").instance;
    let mut ctx = RuleContext::for_instance(&i, dir.get("r1").unwrap(), at(1));
    ctx.refs = kexie_engine::instance::referenced(&wf.definition, &i.form, &given);
    assert_eq!(wf.evaluate(&i.form, &ctx).unwrap().notes[0].zh, "计划经费 30.00");
    // Told of nothing, the same submit is refused at the field.
    let refused =
        apply(&wf, &d, &Action::Submit { changes: Default::default() }, dir.get("n").unwrap(), &Env::new(at(1), &dir));
    let kexie_engine::instance::ActionError::Validation { errors } = refused.unwrap_err() else { panic!("validation") };
    assert_eq!(errors[0].path, "plan");
}

#[test]
fn a_reference_is_held_only_where_the_step_cannot_change_it() {
    let wf = wf();
    let dir = Directory([person("n", "staff"), person("r1", "r")].into_iter().collect());
    let given = known(&[plan("p1", "plan", Status::Completed)]);
    let env = Env { now: at(0), directory: &dir, refs: &given };
    let d = start(&wf, "i", dir.get("n").unwrap(), form(&[("plan", json!("p1"))]), &env).unwrap().instance;
    assert!(held_references(&wf.definition, &d).is_empty(), "at the draft it is still being chosen");
    let i =
        apply(&wf, &d, &Action::Submit { changes: Default::default() }, dir.get("n").unwrap(), &env).unwrap().instance;
    assert_eq!(held_references(&wf.definition, &i), ["p1"]);
}

#[test]
fn a_choice_prefills_fields_and_a_table_keeps_its_own_columns() {
    let wf = wf();
    let changes = prefill(&wf.definition, "plan", &plan("p1", "plan", Status::Completed));
    assert_eq!(changes["name"], json!("2026 年计划"));
    assert_eq!(changes["items"], json!([{ "item": "论坛" }, { "item": "科普" }]));
}

#[test]
fn a_reference_names_its_workflow_and_prefills_fields_that_exist() {
    let load = |toml: String| {
        Workflow::load(&Source { name: "w.toml", text: &toml }, &Source { name: "r.rhai", text: RULES })
            .map_err(|d| d.0.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message.en)).collect::<Vec<_>>())
    };
    let no_workflow = load(WORKFLOW.replace("workflow = \"plan\"\n", "")).unwrap_err();
    assert!(no_workflow.iter().any(|e| e.contains("a reference field needs workflow")), "{no_workflow:?}");
    let bad_target = load(WORKFLOW.replace("name = \"title\"", "nme = \"title\"")).unwrap_err();
    assert!(
        bad_target.iter().any(|e| e.starts_with("w.toml:12:") && e.contains("prefill target 'nme'")),
        "{bad_target:?}"
    );
    let on_text = load(WORKFLOW.replace(
        "kind = \"text\"\nlabel = { zh = \"名称\"",
        "kind = \"text\"\nworkflow = \"plan\"\nlabel = { zh = \"名称\"",
    ))
    .unwrap_err();
    assert!(on_text.iter().any(|e| e.contains("workflow")), "{on_text:?}");
}
