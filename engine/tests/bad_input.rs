//! Bad definitions and hostile scripts: each gives a clear, located error, quickly, and
//! changes nothing.

mod fixture;

use fixture::*;
use kexie_engine::definition::{Diagnostic, Source};
use kexie_engine::instance::{Action, ActionError, Env, apply};
use kexie_engine::rules::RuleError;
use kexie_engine::{RuleContext, Workflow};

fn load(workflow: &str, rules: &str) -> Result<Workflow, Vec<Diagnostic>> {
    Workflow::load(&Source { name: "w.toml", text: workflow }, &Source { name: "r.rhai", text: rules }).map_err(|d| d.0)
}

fn with_check(body: &str) -> String {
    format!("fn check(form, ctx) {{\n{body}\n}}\n")
}

/// Evaluates the fixture's form with `check` replaced by `body`.
fn evaluate(body: &str) -> Result<kexie_engine::Evaluation, RuleError> {
    let wf = load(WORKFLOW, &with_check(body)).expect("compiles");
    let ctx = RuleContext { step: "apply".into(), today: "2026-03-02".into(), ..Default::default() };
    wf.evaluate(&form(&[("amount", serde_json::json!("1"))]), &ctx)
}

fn has(diags: &[Diagnostic], file: &str, line: u32, text: &str) -> bool {
    diags.iter().any(|d| d.file == file && d.line == line && d.message.en.contains(text))
}

const BROKEN: &str = r#"key = "broken"
version = 1
title = { zh = "坏", en = "" }

[[fields]]
id = "a"
kind = "integr"
label = { zh = "甲", en = "A" }

[[fields]]
id = "b"
kind = "select"
lable = { zh = "乙", en = "B" }

[[fields]]
id = "c"
kind = "select"
label = { zh = "丙", en = "C" }
options = [{ value = "x" }, { value = "x", label = { zh = "x", en = "x" } }]

[[fields]]
id = "c"
kind = "text"
label = { zh = "丁", en = "D" }
pattern = "("
min = 3

[[steps]]
id = "apply"
kind = "fill"
actors = ["initiator"]
label = { zh = "申请", en = "Apply" }
editable = ["c", "zz"]
hidden = ["c"]
next = ["review", "nowhere"]

[[steps]]
id = "review"
kind = "approval"
actors = ["boss", "rules"]
label = { zh = "审", en = "Review" }
next = ["review"]

[[steps]]
id = "island"
kind = "notice"
actors = ["role:x"]
label = { zh = "孤岛", en = "Island" }
next = ["end"]
"#;

#[test]
fn every_definition_error_is_reported_at_once_with_its_position() {
    let d = load(BROKEN, "fn check(form) { verdict() }").unwrap_err();
    let expected = [
        ("w.toml", 3, "the en text is missing"),
        ("w.toml", 7, "unknown variant `integr`"),
        ("w.toml", 13, "unknown field `lable`"),
        ("w.toml", 19, "the label is missing"),
        ("w.toml", 19, "the option value 'x' is repeated"),
        ("w.toml", 22, "duplicate field id 'c'"),
        ("w.toml", 25, "pattern is not a valid regular expression"),
        ("w.toml", 26, "min applies only to integer, decimal fields"),
        ("w.toml", 33, "there is no field with id 'zz'"),
        ("w.toml", 34, "cannot be both editable and hidden"),
        ("w.toml", 35, "there is no step with id 'nowhere'"),
        ("w.toml", 35, "with several next steps, rules.rhai must define fn route"),
        ("w.toml", 40, "unknown actor 'boss'"),
        ("w.toml", 40, "needs rules.rhai to define fn assignees"),
        ("w.toml", 42, "can never reach end"),
        ("w.toml", 45, "cannot be reached"),
        ("w.toml", 46, "a notice step needs notice_days"),
        ("r.rhai", 1, "must take 2 parameters"),
    ];
    for (file, line, text) in expected {
        assert!(has(&d, file, line, text), "missing {file}:{line} '{text}' in:\n{}", render(&d));
    }
    assert_eq!(d.len(), expected.len(), "unexpected extra diagnostics:\n{}", render(&d));
    assert!(d.iter().all(|d| !d.message.zh.is_empty()), "every diagnostic speaks Chinese too");
}

fn render(d: &[Diagnostic]) -> String {
    d.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
}

#[test]
fn toml_syntax_errors_are_located() {
    let d = load("key = \"a\"\nversion = \n", "fn check(form, ctx) { verdict() }").unwrap_err();
    assert_eq!((d[0].file.as_str(), d[0].line), ("w.toml", 2), "{}", render(&d));
}

#[test]
fn the_first_step_must_be_the_initiators_form() {
    let wf = WORKFLOW.replacen("kind = \"fill\"", "kind = \"approval\"", 1);
    let d = load(&wf, RULES).unwrap_err();
    assert!(d.iter().any(|d| d.message.en.contains("the first step must be the initiator's form")), "{}", render(&d));
}

#[test]
fn a_script_syntax_error_names_line_and_column() {
    let d = load(WORKFLOW, "fn check(form, ctx) {\n  let v = verdict();\n  let x = ;\n  v\n}").unwrap_err();
    assert_eq!((d[0].file.as_str(), d[0].line, d[0].col), ("r.rhai", 3, 11), "{}", render(&d));
}

#[test]
fn a_missing_check_function_is_reported() {
    let d = load(WORKFLOW, "fn chek(form, ctx) { verdict() }").unwrap_err();
    assert!(has(&d, "r.rhai", 1, "the rule function check(form, ctx) is missing"), "{}", render(&d));
}

#[test]
fn eval_is_disabled() {
    let d = load(WORKFLOW, &with_check("eval(\"verdict()\")")).unwrap_err();
    assert_eq!(d[0].file, "r.rhai");
}

fn limit_of(err: RuleError) -> (String, u32, String) {
    match err {
        RuleError::Limit { function, line, limit, .. } => (function, line, limit),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn an_endless_loop_is_stopped() {
    let (function, line, limit) = limit_of(evaluate("loop { }").unwrap_err());
    // Rhai counts operations without positions: the error names where `check` starts.
    assert_eq!((function.as_str(), line), ("check", 1));
    assert!(limit.contains("operations"), "{limit}");
}

#[test]
fn a_string_doubled_until_huge_is_stopped() {
    let (_, line, limit) = limit_of(evaluate("let s = \"x\";\nloop { s += s; }").unwrap_err());
    // The sandbox does not know where the string grew: it names where `check` starts.
    assert_eq!(line, 1);
    assert!(limit.contains("too large"), "{limit}");
}

#[test]
fn unbounded_recursion_is_stopped() {
    let rules = "fn down(n) { down(n + 1) }\nfn check(form, ctx) { down(0); verdict() }";
    let wf = load(WORKFLOW, rules).unwrap();
    let ctx = RuleContext { step: "apply".into(), ..Default::default() };
    let (function, _, limit) = limit_of(wf.evaluate(&Default::default(), &ctx).unwrap_err());
    assert_eq!(function, "check");
    assert!(limit.contains("nested deeper"), "{limit}");
}

#[test]
fn a_rule_returning_the_wrong_type_is_named() {
    match evaluate("42").unwrap_err() {
        RuleError::WrongReturn { function, got, .. } => assert_eq!((function.as_str(), got.as_str()), ("check", "i64")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_runtime_error_names_the_function_and_line() {
    match evaluate("let v = verdict();\nv.error(\"amount\", 3);\nv").unwrap_err() {
        RuleError::Failed { function, line, message, .. } => {
            assert_eq!((function.as_str(), line), ("check", 3));
            assert!(message.contains("error"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rules_may_not_touch_unknown_or_typed_fields() {
    assert!(matches!(evaluate("let v = verdict(); v.set(\"amount\", 3); v"), Err(RuleError::WrongReturn { .. })));
    assert!(matches!(
        evaluate("let v = verdict(); v.error(\"nope\", msg(\"a\", \"b\")); v"),
        Err(RuleError::WrongReturn { .. })
    ));
}

#[test]
fn a_failing_rule_refuses_the_action_and_changes_nothing() {
    let wf = load(WORKFLOW, &with_check("loop { }")).unwrap();
    let dir = directory();
    let init = dir.get("init").unwrap();
    let env = Env::new(at(0), &dir);
    let draft = kexie_engine::instance::start(&wf, "i", init, Default::default(), &env).unwrap().instance;
    let before = draft.clone();
    let err = apply(&wf, &draft, &Action::Submit { changes: Default::default() }, init, &env).unwrap_err();
    assert!(matches!(err, ActionError::Rule(RuleError::Limit { .. })), "{err:?}");
    assert_eq!(err.code(), "rule_error");
    assert_eq!(draft, before);
}

#[test]
fn a_summary_lists_short_fields_and_is_reported_where_it_is_written() {
    for (summary, says) in [("\"nope\"", "unknown field 'nope'"), ("[\"amount\", \"reason\"]", "'reason' is not one")] {
        let wf = WORKFLOW.replacen(
            "starters = [\"role:staff\"]",
            &format!("starters = [\"role:staff\"]\nsummary = {summary}"),
            1,
        );
        let d = load(&wf, RULES).unwrap_err();
        assert!(has(&d, "w.toml", 6, says), "{}", render(&d));
    }
    let one = WORKFLOW.replacen("starters = [\"role:staff\"]", "starters = [\"role:staff\"]\nsummary = \"opinion\"", 1);
    assert_eq!(load(&one, RULES).unwrap().definition.summary, ["opinion"], "one field as a string");
    let two = one.replace("summary = \"opinion\"", "summary = [\"opinion\", \"amount\"]");
    assert_eq!(load(&two, RULES).unwrap().definition.summary, ["opinion", "amount"]);
}
