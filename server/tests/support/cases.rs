//! Golden cases replayed through the API with several users, as the tests of routes and
//! reports walk them.

use kexie_engine::definition::Source;
use kexie_engine::golden::{self, Case, People};
use kexie_engine::instance::ActionKind;
use serde_json::{Value, json};

use super::*;

/// A shipped workflow's case `file` and the people its cases share.
pub fn case(workflow: &str, file: &str) -> (Case, People) {
    let dir = repo().join("workflows").join(workflow).join("cases");
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let case = golden::parse_case(&Source { name: file, text: &text }).unwrap();
    let people = std::fs::read_to_string(dir.join("_people.toml"))
        .map(|t| golden::parse_people(&Source { name: "_people.toml", text: &t }).unwrap())
        .unwrap_or_default();
    (case, people)
}

/// `form` with each file it names uploaded by the holder of `token` (a small PDF of the
/// same name), as the widget does before it names one: a form may name only files its
/// author uploaded.
pub fn uploaded(server: &Server, token: &str, mut form: Value) -> Value {
    let Some(fields) = form.as_object_mut() else { return form };
    for value in fields.values_mut() {
        let files = match value {
            Value::Array(list) => list.iter_mut().collect(),
            one => vec![one],
        };
        for file in files.into_iter().filter(|f| f.get("sha256").is_some()) {
            *file = uploaded_pdf(server, token, file["name"].as_str().unwrap_or("file.pdf"));
        }
    }
    form
}

/// Replays a golden case through the API with several users, as far as the real clock
/// allows: a notice (公示) step lasts real days, so the replay stops there.
pub fn replay(server: &Server, workflow: &str, file: &str) -> (Value, Option<ActionKind>) {
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
    let form = uploaded(server, &tok(&case.initiator), json!(golden::form_of(&case.form)));
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
            return (view, Some(a.action));
        }
        let mut action = serde_json::to_value(golden::to_action(a).unwrap()).unwrap();
        if let Some(changes) = action.get_mut("changes") {
            *changes = uploaded(server, &tok(&a.actor), changes.take());
        }
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
