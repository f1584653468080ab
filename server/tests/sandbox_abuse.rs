//! Hostile rules published by an administrator (issue 6), over real loopback HTTP: a
//! golden case that runs into a sandbox limit refuses the publish, naming rules.rhai and
//! the limit, and the server answers the next request at once.

mod support;

use serde_json::{Value, json};
use support::*;

fn admin() -> String {
    token_of("root", "系统管理员", "it", &["admin"])
}

fn seminar_with_check_prefix(prefix: &str) -> (String, Value) {
    let key = format!("abuse-{}", uuid::Uuid::new_v4().simple());
    let dir = repo().join("tests/fixtures/seminar-room");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let rules = read("rules.rhai").replacen("fn check(form, ctx) {", &format!("fn check(form, ctx) {{ {prefix}"), 1);
    let bundle = json!({
        "workflow_toml": read("workflow.toml").replace("key = \"seminar-room\"", &format!("key = \"{key}\"")),
        "rules_rhai": rules,
        "cases": { "01-main.toml": read("cases/01-main.toml") },
    });
    (key, bundle)
}

#[test]
fn a_rule_running_into_a_limit_in_a_case_refuses_the_publish_and_the_server_answers_on() {
    for db in databases("sandbox-abuse") {
        let server = Server::start(&db);
        let abuses = [
            ("loop { }", "operations"),
            ("let s = \"x\"; loop { s += s; }", "too large"),
            ("let a = []; loop { a.push(1); }", "too large"),
            // Past Rhai's per-value limits: only the call's memory budget stops it.
            ("let a = []; a.pad(5000, 0); let m = #{}; let i = 0; loop { m[`k${i}`] = a; i += 1; }", "memory"),
        ];
        for (prefix, limit) in abuses {
            let (key, bundle) = seminar_with_check_prefix(prefix);
            let url = server.url(&format!("/workflows/{key}/versions"));
            let (status, body) = post(&url, Some(&admin()), &json!({ "bundle": bundle, "note": "abuse" }));
            assert_eq!((status, code(&body)), (422, "definition_invalid"), "{prefix}: {body}");
            let text = body["error"]["details"].to_string();
            assert!(text.contains("rules.rhai") && text.contains(limit), "{prefix}: {body}");
            let (status, _) = get(&server.url(&format!("/workflows/{key}/versions")), Some(&admin()));
            assert!(status < 500, "the server answers after {prefix}: {status}");
        }
        // Without the budget the last abuse took 3 GB.
        let peak_kb = memory_kib(server.pid(), "VmHWM");
        assert!(peak_kb < 200_000, "the server's peak memory: {peak_kb} kB");
    }
}

#[test]
fn a_limit_only_some_input_reaches_refuses_that_submit_and_stores_nothing() {
    for db in databases("sandbox-abuse-input") {
        let server = Server::start(&db);
        // No case has 99999 attendees: the publish passes.
        let (key, bundle) = seminar_with_check_prefix("if form.attendees == 99999 { loop { } }");
        let url = server.url(&format!("/workflows/{key}/versions"));
        let (status, body) = post(&url, Some(&admin()), &json!({ "bundle": bundle, "note": "hidden loop" }));
        assert_eq!(status, 201, "{body}");
        sync_directory(&server, &[("wang", &["office"])]);
        let li = token_of("li", "李雷", "office", &["staff"]);
        let form = json!({ "topic": "新材料研讨", "attendees": 250, "safety_plan": "两名安全员值守" });
        let (status, started) = post(&server.url("/instances"), Some(&li), &json!({ "workflow": key, "form": form }));
        assert_eq!(status, 201, "{started}");
        let id = started["id"].as_str().unwrap();
        let audit_url = server.url(&format!("/instances/{id}/audit"));
        let (_, audit_before) = get(&audit_url, Some(&admin()));
        let (_, view_before) = get(&server.url(&format!("/instances/{id}")), Some(&li));

        let (status, body) = act(&server, &li, id, 1, json!({ "action": "submit", "changes": { "attendees": 99999 } }));
        assert!((400..500).contains(&status), "a clear 4xx, not {status}: {body}");
        assert_eq!(code(&body), "rule_error", "{body}");
        let text = body.to_string();
        assert!(text.contains("check") && text.contains("operations"), "{body}");

        // Nothing stored, and the server answers the next request at once.
        let (status, view_after) = get(&server.url(&format!("/instances/{id}")), Some(&li));
        assert_eq!(status, 200);
        assert_eq!(view_after, view_before);
        assert_eq!(get(&audit_url, Some(&admin())).1, audit_before);
        let (status, view) = act(&server, &li, id, 1, json!({ "action": "submit" }));
        assert_eq!(status, 200, "the same instance goes on with other input: {view}");
    }
}
