//! Webhooks against a receiver in another process (server/tests/fixtures/receiver.py),
//! on SQLite and PostgreSQL: every event arrives, signed, each instance's in order, even
//! when the receiver first fails.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

/// The instance's events as the feed holds them.
fn feed_of(server: &Server, id: &str) -> Vec<Value> {
    let (status, page) = get(&server.url("/events?limit=500"), Some(&token("boss", &["admin"])));
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap().iter().map(|i| i["event"].clone());
    items.filter(|e| e["instance"]["id"] == id).collect()
}

#[test]
fn every_event_arrives_signed_and_in_order_after_the_receiver_failed_at_first() {
    for (k, db) in own_databases("webhooks").into_iter().enumerate() {
        let receiver = Receiver::start(&format!("first-fails-{k}"), &["--fail", "2"]);
        let config =
            format!("[[webhooks]]\nurl = \"http://127.0.0.1:{}/hook\"\nsecret = \"{HOOK_SECRET}\"\n", receiver.port);
        let server = Server::start_extra(&db, &["--config", &config_file(&format!("webhooks-{k}"), &config)], &[]);
        sync_directory(&server, FORMATION_PEOPLE);
        let (id, view) = submitted_formation(&server);
        let approve = json!({ "action": "approve", "changes": { "party_opinion": "同意" } });
        let (status, _) = act(&server, &formation_token("zhou"), &id, view["revision"].as_u64().unwrap(), approve);
        assert_eq!(status, 200);

        let want = feed_of(&server, &id);
        assert_eq!(want.len(), 5, "{want:?}");
        // The first two tries failed: retried after 1 s, then 2 s.
        let deadline = Instant::now() + Duration::from_secs(30);
        while receiver.events_of(&id).len() < want.len() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
        let got = receiver.events_of(&id);
        let events: Vec<&Value> = got.iter().map(|l| &l["event"]).collect();
        assert_eq!(events, want.iter().collect::<Vec<_>>(), "{db}: every event, once, in the feed's order");
        for line in &got {
            assert_eq!(
                (&line["id"], &line["type"]),
                (&line["event"]["id"], &line["event"]["type"]),
                "the headers say it"
            );
        }
    }
}

#[test]
fn deliveries_to_a_receiver_that_is_down_are_listed_and_sent_again_once_redelivered() {
    let db = &own_databases("webhooks-dead")[0]; // SQLite: the test gives up on the deliveries itself
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!("[[webhooks]]\nurl = \"http://127.0.0.1:{port}/hook\"\nsecret = \"{HOOK_SECRET}\"\n");
    let server = Server::start_extra(db, &["--config", &config_file("webhooks-dead", &config)], &[]);
    sync_directory(&server, FORMATION_PEOPLE);
    let (id, _) = submitted_formation(&server);
    let admin = token("boss", &["admin"]);
    let listed = |status: &str| {
        let (code, list) = get(&server.url(&format!("/deliveries?status={status}")), Some(&admin));
        assert_eq!(code, 200, "{list}");
        let rows = list.as_array().unwrap().iter().filter(|d| d["instance"] == id.as_str()).cloned();
        rows.collect::<Vec<Value>>()
    };
    // Nobody listens on the port: each first try fails with the reason kept.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !listed("pending").iter().any(|d| d["attempts"].as_i64() > Some(0)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let pending = listed("pending");
    assert_eq!(pending.len(), 2, "submitted, then task.created: {pending:?}");
    let tried = pending.iter().find(|d| d["attempts"].as_i64() > Some(0)).expect("a failed try");
    assert!(!tried["last_error"].as_str().unwrap().is_empty(), "{tried}");
    let (code, _) = get(&server.url("/deliveries"), Some(&formation_token("li")));
    assert_eq!(code, 403);

    // A day of failures, as the sender would mark it; then the receiver comes back.
    let path = db.strip_prefix("sqlite://").unwrap();
    let marked = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE deliveries SET status='dead'\"); c.commit()", path])
        .status()
        .unwrap();
    assert!(marked.success());
    assert_eq!(listed("dead").len(), 2);
    let health = || get(&server.url("/deliveries/health"), Some(&admin)).1[0].clone();
    let sick = health();
    assert_eq!(
        (&sick["hook"], &sick["dead"], &sick["pending"]),
        (&json!(format!("http://127.0.0.1:{port}/hook")), &json!(2), &json!(0))
    );
    assert!(!sick["last_error"].as_str().unwrap().is_empty(), "why it failed: {sick}");
    let receiver = Receiver::start("dead", &["--port", &port.to_string()]);
    let (code, body) = post(&server.url("/deliveries/redeliver"), Some(&admin), &json!({}));
    assert_eq!((code, &body["requeued"]), (200, &json!(2)), "{body}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while receiver.events_of(&id).len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let got: Vec<Value> = receiver.events_of(&id).iter().map(|l| l["type"].clone()).collect();
    assert_eq!(got, [json!("instance.submitted"), json!("task.created")]);
    assert_eq!(listed("done").len(), 2);
    let well = health();
    assert_eq!((&well["done"], &well["dead"], &well["last_error"]), (&json!(2), &json!(0), &json!("")), "{well}");
    let (code, _) = get(&server.url("/deliveries/health"), Some(&formation_token("li")));
    assert_eq!(code, 403);
}

#[test]
fn a_slow_receiver_that_times_out_holds_up_no_action_and_loses_no_event() {
    for (k, db) in own_databases("webhooks-slow").into_iter().enumerate() {
        // Its first request outlasts the sender's 10 s timeout; every other takes 0.3 s.
        let receiver = Receiver::start(&format!("slow-{k}"), &["--hang", "1", "--slow", "0.3"]);
        let server =
            Server::start_extra(&db, &["--config", &config_file(&format!("slow-{k}"), &receiver.config())], &[]);
        sync_directory(&server, FORMATION_PEOPLE);
        // While the receiver holds the first delivery, every action is answered.
        for _ in 0..4 {
            let (id, view) = submitted_formation(&server);
            let approve = json!({ "action": "approve", "changes": { "party_opinion": "同意" } });
            let (status, body) =
                act(&server, &formation_token("zhou"), &id, view["revision"].as_u64().unwrap(), approve);
            assert_eq!(status, 200, "{body}");
        }
        let (got, duplicates) = receiver.all_of(&server, Duration::from_secs(60));
        assert_eq!(got.len(), 4);
        assert!(duplicates >= 1, "the timed-out delivery came again");
        eprintln!("{db}: {} events, {duplicates} delivered twice", got.values().map(Vec::len).sum::<usize>());
    }
}

#[test]
fn an_event_committed_before_a_kill_9_is_delivered_after_the_restart() {
    for (k, db) in own_databases("webhooks-kill").into_iter().enumerate() {
        let port = free_port(); // nobody listens yet: nothing can be delivered before the kill
        let config = format!("[[webhooks]]\nurl = \"http://127.0.0.1:{port}/hook\"\nsecret = \"{HOOK_SECRET}\"\n");
        let mut server = Server::start_extra(&db, &["--config", &config_file(&format!("kill-{k}"), &config)], &[]);
        sync_directory(&server, FORMATION_PEOPLE);
        let (id, _) = submitted_formation(&server);
        server.kill_and_restart();
        let receiver = Receiver::start(&format!("kill-{k}"), &["--port", &port.to_string()]);
        let (got, _) = receiver.all_of(&server, Duration::from_secs(30));
        assert_eq!(got[&id].len(), 2, "{db}: submitted and task.created, after the restart");
    }
}
