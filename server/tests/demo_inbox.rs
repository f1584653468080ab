//! The demo portal's to-do centre over loopback, on SQLite and PostgreSQL: it learns of
//! tasks only through signed webhook deliveries to its receiver, and refuses unsigned ones.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

/// `who`'s to-do items once they number `count` (deliveries take a moment).
fn todo_of(server: &Server, who: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, mine) = get(&format!("{}/demo/inbox", server.base), Some(&formation_token(who)));
        assert_eq!(status, 200, "{mine}");
        let todo = mine["todo"].as_array().unwrap().clone();
        if todo.len() == count || Instant::now() > deadline {
            assert_eq!(todo.len(), count, "{who}'s to-do items: {mine}");
            return todo;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_submitted_application_reaches_the_approvers_to_do_list_through_signed_webhooks() {
    for db in own_databases("demo-inbox") {
        let server = Server::start_extra(&db, &["--demo"], &[]);
        sync_directory(&server, FORMATION_PEOPLE);
        let (id, view) = submitted_formation(&server);

        let todo = todo_of(&server, "zhou", 1);
        assert_eq!(todo[0]["instance"], json!(id), "{db}");
        assert!(todo[0]["title"].as_str().unwrap().contains("中化新材料研究院有限公司"), "{todo:?}");
        let (_, mine) = get(&format!("{}/demo/inbox", server.base), Some(&formation_token("zhou")));
        assert_eq!(mine["messages"][0]["label"], "新待办");

        let approve = json!({ "action": "approve", "changes": { "party_opinion": "同意" } });
        let (status, body) = act(&server, &formation_token("zhou"), &id, view["revision"].as_u64().unwrap(), approve);
        assert_eq!(status, 200, "{body}");
        todo_of(&server, "wu", 1);
        todo_of(&server, "zheng", 1);
        todo_of(&server, "zhou", 0);
        assert!(todo_of(&server, "li", 0).is_empty(), "the applicant has nothing to do");
    }
}

#[test]
fn the_demo_receiver_refuses_what_is_not_signed_with_its_secret() {
    for db in databases("demo-receiver") {
        let server = Server::start_extra(&db, &["--demo"], &[]);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let body = r#"{"id":"x.1.0","type":"task.created"}"#;
        for signature in [String::new(), format!("t={now},v1={}", "ab".repeat(32)), format!("t={now}")] {
            let refused = agent()
                .post(&format!("{}/demo/receiver", server.base))
                .header("Kexie-Signature", &signature)
                .send(body);
            let refused = refused.expect("the server answers");
            assert_eq!(refused.status(), 401, "{db}: {signature:?}");
        }
    }
}
