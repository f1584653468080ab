//! The outbox and its feed over loopback, on SQLite and PostgreSQL: each action's events
//! are written with it, in order, once; refused and replayed actions write none.

mod support;

use serde_json::{Value, json};
use support::*;

const CONFIG: &str = r#"
[events]
task_url = "https://oa.example.com/kexie?instance={instance}&task={task}"
"#;

/// Every event of instance `id` in the feed, read page by page as an OA would.
fn events_of(server: &Server, id: &str) -> Vec<Value> {
    // Valid for 90 days: the overdue test runs the demo clock ahead.
    let reader = token_for("oa-bridge", &["integration"], 90 * 86_400, SECRET, AUDIENCE);
    let (mut after, mut out) = (0, Vec::new());
    loop {
        let (status, page) = get(&server.url(&format!("/events?after={after}&limit=7")), Some(&reader));
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap().clone();
        if items.is_empty() {
            assert_eq!(page["next"], after, "nothing new: the cursor stays");
            return out;
        }
        after = page["next"].as_i64().unwrap();
        assert_eq!(items.last().unwrap()["cursor"], after);
        out.extend(items.into_iter().map(|i| i["event"].clone()).filter(|e| e["instance"]["id"] == id));
    }
}

/// "type assignee" for task events, "type" for the others.
fn said(events: &[Value]) -> Vec<String> {
    let line = |e: &Value| match e["task"]["assignee"]["id"].as_str() {
        Some(who) => format!("{} {who}", e["type"].as_str().unwrap()),
        None => e["type"].as_str().unwrap().to_string(),
    };
    events.iter().map(line).collect()
}

#[test]
fn each_action_writes_its_events_once_in_order_for_the_feed() {
    for db in own_databases("events") {
        let server = Server::start_extra(&db, &["--config", &config_file("events", CONFIG)], &[]);
        sync_directory(&server, FORMATION_PEOPLE);
        let (id, view) = submitted_formation(&server);
        assert_eq!(said(&events_of(&server, &id)), ["instance.submitted", "task.created zhou"], "{db}");

        // Refused (a field the step does not let zhou change), then the same approval
        // twice: its events once.
        let zhou = formation_token("zhou");
        let rev = view["revision"].as_u64().unwrap();
        let refused = json!({ "action": "approve", "changes": { "enterprise_name": "改名" } });
        let (status, _) = act(&server, &zhou, &id, rev, refused);
        assert_eq!(status, 403);
        let approve = json!({ "request_id": "zhou-1", "revision": rev,
            "action": { "action": "approve", "changes": { "party_opinion": "同意" } } });
        for _ in 0..2 {
            let (status, body) = post(&server.url(&format!("/instances/{id}/actions")), Some(&zhou), &approve);
            assert_eq!(status, 200, "{body}");
        }
        let events = events_of(&server, &id);
        assert_eq!(
            said(&events),
            ["instance.submitted", "task.created zhou", "task.completed zhou", "task.created wu", "task.created zheng"],
            "{db}"
        );

        let created = &events[3];
        let task_id = created["task"]["id"].as_str().unwrap();
        assert_eq!(created["task"]["assignee"], json!({ "id": "wu", "name": "WU" }));
        assert_eq!(created["task"]["step"], "leadership");
        assert_eq!(
            created["task"]["url"],
            json!(format!("https://oa.example.com/kexie?instance={id}&task={task_id}")),
            "the configured link, filled in"
        );
        assert_eq!(created["instance"]["summary"], "中化新材料研究院有限公司", "the enterprise tells it apart");
        assert_eq!(created["instance"]["status"], "running");
        assert!(created["instance"]["title"]["zh"].is_string());
        assert!(created.get("form").is_none() && created["instance"].get("form").is_none(), "no form values");
        let ids: std::collections::BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), events.len(), "every event has an id of its own");
    }
}

#[test]
fn the_feed_is_for_administrators_and_the_integration_account() {
    let server = Server::start(&databases("events-access")[0]);
    let (status, body) = get(&server.url("/events"), Some(&formation_token("li")));
    assert_eq!((status, code(&body)), (403, "forbidden"));
    let (status, _) = get(&server.url("/events"), Some(&token("boss", &["admin"])));
    assert_eq!(status, 200);
    for bad in ["after=-1", "limit=0", "limit=501"] {
        let (status, body) = get(&server.url(&format!("/events?{bad}")), Some(&token("boss", &["admin"])));
        assert_eq!((status, code(&body)), (400, "bad_request"), "{bad}");
    }
}

#[test]
fn a_passed_deadline_is_told_once_per_step() {
    for db in own_databases("events-overdue") {
        let server = Server::start_extra(&db, &["--demo"], &[]);
        sync_directory(&server, FORMATION_PEOPLE);
        let (id, _) = submitted_formation(&server);
        let clock = |days: u32| {
            let (status, body) = post(&format!("{}/demo/clock", server.base), None, &json!({ "days": days }));
            assert_eq!(status, 200, "{body}");
        };
        // Who the party step waits for (the demo's party secretary too).
        let of_type = |kind: &str| -> Vec<String> {
            let events = events_of(&server, &id);
            let typed = events.into_iter().filter(|e| e["type"] == kind);
            typed.map(|e| e["task"]["assignee"]["id"].as_str().unwrap().to_string()).collect()
        };
        let waiting = of_type("task.created");
        assert!(waiting.contains(&"zhou".to_string()), "{waiting:?}");
        clock(3);
        assert!(of_type("task.overdue").is_empty(), "not due yet");
        clock(5); // the party step has 7 days
        clock(1);
        assert_eq!(of_type("task.overdue"), waiting, "{db}: once each, for whom the step waits");
    }
}
