//! The API over real loopback HTTP, against SQLite and (in scripts/test.sh) PostgreSQL.

mod support;

use kexie_engine::definition::Source;
use kexie_engine::golden::{self, Case, People};
use serde_json::{Value, json};
use support::*;

fn case(workflow: &str, file: &str) -> (Case, People) {
    let dir = repo().join("workflows").join(workflow).join("cases");
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let case = golden::parse_case(&Source { name: file, text: &text }).unwrap();
    let people = std::fs::read_to_string(dir.join("_people.toml"))
        .map(|t| golden::parse_people(&Source { name: "_people.toml", text: &t }).unwrap())
        .unwrap_or_default();
    (case, people)
}

/// Replays a golden case through the API with several users, as far as the real clock
/// allows: a notice (公示) step lasts real days, so the replay stops there.
fn replay(server: &Server, workflow: &str, file: &str) -> (Value, Option<String>) {
    let (case, shared) = case(workflow, file);
    let dir = golden::directory(&shared, &case);
    let people: Vec<(&str, Vec<&str>)> =
        dir.0.values().map(|a| (a.id.as_str(), a.roles.iter().map(String::as_str).collect())).collect();
    let people: Vec<(&str, &[&str])> = people.iter().map(|(id, roles)| (*id, roles.as_slice())).collect();
    sync_directory(server, &people);
    let tok = |id: &str| {
        let roles: Vec<&str> = dir.get(id).map(|a| a.roles.iter().map(String::as_str).collect()).unwrap_or_default();
        token(id, &roles)
    };
    let form = golden::form_of(&case.form);
    let (status, mut view) =
        post(&server.url("/instances"), Some(&tok(&case.initiator)), &json!({ "workflow": workflow, "form": form }));
    assert_eq!(status, 201, "{view}");
    let id = view["id"].as_str().unwrap().to_string();
    let (_, def) = get(&server.url(&format!("/workflows/{workflow}")), Some(&tok(&case.initiator)));
    let notice = |step: &Value| {
        def["definition"]["steps"].as_array().unwrap().iter().any(|s| &s["id"] == step && s["kind"] == "notice")
    };
    for (k, a) in case.actions.iter().enumerate() {
        if notice(&view["step"]) {
            return (view, Some(a.action.clone()));
        }
        let action = serde_json::to_value(golden::to_action(a).unwrap()).unwrap();
        let (status, body) = act(server, &tok(&a.actor), &id, view["revision"].as_u64().unwrap(), action);
        let label = format!("{workflow}/{file} action {} ({} by {})", k + 1, a.action, a.actor);
        match (&a.refused, &a.errors) {
            (None, None) => {
                assert_eq!(status, 200, "{label}: {body}");
                view = body;
            }
            (refused, errors) => {
                assert!(status >= 400, "{label}: expected a refusal, got {body}");
                assert_eq!(code(&body), refused.as_deref().unwrap_or("validation"), "{label}: {body}");
                if let Some(errors) = errors {
                    let mut got: Vec<&str> = body["error"]["details"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["path"].as_str().unwrap())
                        .collect();
                    let mut want: Vec<&str> = errors.iter().map(String::as_str).collect();
                    got.sort();
                    got.dedup();
                    want.sort();
                    assert_eq!(got, want, "{label}");
                }
                let (_, now) = get(&server.url(&format!("/instances/{id}")), Some(&tok(&case.initiator)));
                assert_eq!(now["revision"], view["revision"], "{label}: a refused action changed the instance");
            }
        }
        if let Some(step) = &a.step {
            assert_eq!(view["step"], json!(step), "{label}");
        }
    }
    (view, None)
}

#[test]
fn the_main_route_of_every_shipped_workflow_runs_through_the_api() {
    for db in databases("main-routes") {
        let server = Server::start(&db);
        for (workflow, file) in [
            ("kexie-formation", "01-main-standalone.toml"),
            ("annual-plan", "01-main-countersign.toml"),
            ("major-project", "01-main-route-above-threshold.toml"),
            ("title-evaluation", "01-main-pass.toml"),
        ] {
            let (view, stopped_at) = replay(&server, workflow, file);
            match stopped_at {
                None => assert_eq!(view["status"], "completed", "{db} {workflow}: {view}"),
                // The publicity lasts five real days: the replay stops at it, waiting.
                Some(action) => {
                    assert_eq!(
                        (workflow, view["step"].as_str(), action.as_str()),
                        ("title-evaluation", Some("publicity"), "approve")
                    );
                    assert!(
                        !view["actions"].as_array().unwrap().iter().any(|a| a == "approve"),
                        "closing too early is not offered"
                    );
                }
            }
            let id = view["id"].as_str().unwrap();
            let (status, audit) =
                get(&server.url(&format!("/instances/{id}/audit")), Some(&token("admin", &["admin"])));
            assert_eq!(status, 200);
            assert!(audit.as_array().unwrap().len() >= 4, "{audit}");
        }
    }
}

#[test]
fn the_openapi_document_describes_the_api() {
    let db = &databases("openapi")[0];
    let server = Server::start(db);
    let (status, doc) = get(&server.url("/openapi.json"), None);
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/workflows", "/api/v1/instances/{id}/actions", "/api/v1/tasks", "/api/v1/attachments"] {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
}
