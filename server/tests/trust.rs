//! Trust over real loopback HTTP: tokens, permissions, bad values, concurrency, replays,
//! publishing, and a server killed mid-stream.

mod support;

use std::sync::{Arc, Barrier};

use serde_json::{Value, json};
use support::*;

/// A kexie-formation instance submitted by li: (id, view).
fn submitted(server: &Server) -> (String, Value) {
    sync_directory(server, FORMATION_PEOPLE);
    submitted_formation(server)
}

fn instance(server: &Server, id: &str) -> Value {
    get(&server.url(&format!("/instances/{id}")), Some(&formation_token("li"))).1
}

fn approve(server: &Server, who: &str, id: &str, rev: u64, changes: Value) -> (u16, Value) {
    act(server, &formation_token(who), id, rev, json!({ "action": "approve", "changes": changes }))
}

#[test]
fn tokens_and_permissions_are_checked_and_refusals_change_nothing() {
    for db in databases("authz") {
        let server = Server::start(&db);
        let (id, view) = submitted(&server);
        let rev = view["revision"].as_u64().unwrap();
        let url = server.url(&format!("/instances/{id}/actions"));
        let approve_body = json!({ "request_id": "authz-1", "revision": rev, "action": { "action": "approve" } });
        let bad_tokens = [
            (None, "missing"),
            (Some(token_for("zhou", &["party_org"], -3600, SECRET, AUDIENCE)), "expired"),
            (
                Some(token_for("zhou", &["party_org"], 3600, "another-secret-another-secret-another", AUDIENCE)),
                "forged",
            ),
            (Some(token_for("zhou", &["party_org"], 3600, SECRET, "another-system")), "audience"),
            (Some("not.a.jwt".to_string()), "malformed"),
        ];
        for (t, what) in bad_tokens {
            let (status, body) = post(&url, t.as_deref(), &approve_body);
            assert_eq!((status, code(&body)), (401, "unauthorized"), "{what}: {body}");
            assert!(!body["error"]["message"]["zh"].as_str().unwrap().is_empty());
        }
        // Not the assignee, a wrong role, the initiator: refused with the reason.
        for who in ["wu", "chen", "li", "feng"] {
            let (status, body) = approve(&server, who, &id, rev, json!({}));
            assert!(status == 403, "{who}: {status} {body}");
        }
        let (status, body) =
            act(&server, &formation_token("wu"), &id, rev, json!({ "action": "reject", "comment": "不同意" }));
        assert_eq!((status, code(&body)), (403, "forbidden"), "not yet taking part: {body}");
        let (status, body) =
            act(&server, &formation_token("li"), &id, rev, json!({ "action": "reject", "comment": "不同意" }));
        assert_eq!((status, code(&body)), (403, "not_assignee"), "{body}");
        // The step by its label, never its id.
        assert_eq!(body["error"]["message"]["zh"], "您不是当前步骤「企业党组织审批」的办理人，或尚未轮到您。");
        assert_eq!(
            body["error"]["message"]["en"],
            "You are not assigned to act at 'Party organisation approval', or it is not your turn yet."
        );
        // A person outside the instance cannot even read it.
        let (status, _) = get(&server.url(&format!("/instances/{id}")), Some(&formation_token("chen")));
        assert_eq!(status, 403);
        // Starting a workflow one's roles do not allow.
        let (status, body) =
            post(&server.url("/instances"), Some(&formation_token("zhou")), &json!({ "workflow": "kexie-formation" }));
        assert_eq!((status, code(&body)), (403, "not_allowed"), "{body}");
        // Publishing needs the admin role.
        let (status, _) = post(
            &server.url("/workflows/kexie-formation/versions"),
            Some(&formation_token("li")),
            &json!({ "bundle": { "workflow_toml": "", "rules_rhai": "" }, "note": "试试" }),
        );
        assert_eq!(status, 403);
        assert_eq!(instance(&server, &id)["revision"].as_u64(), Some(rev), "nothing changed");
    }
}

#[test]
fn fields_are_checked_where_they_change() {
    for db in databases("fields") {
        let server = Server::start(&db);
        let (id, view) = submitted(&server);
        let rev = view["revision"].as_u64().unwrap();
        let (status, body) = approve(&server, "zhou", &id, rev, json!({ "enterprise_name": "改名" }));
        assert_eq!(
            (status, code(&body), body["error"]["field"].as_str()),
            (403, "field_not_editable", Some("enterprise_name")),
            "{body}"
        );
        let (status, body) = approve(&server, "zhou", &id, rev, json!({ "party_opinion": 42 }));
        assert_eq!(
            (status, code(&body), body["error"]["field"].as_str()),
            (422, "validation", Some("party_opinion")),
            "{body}"
        );
        let (status, body) = post(
            &server.url(&format!("/instances/{id}/actions")),
            Some(&formation_token("zhou")),
            &json!({ "request_id": "x", "revision": rev, "action": { "action": "approve", "bogus": 1 } }),
        );
        assert_eq!((status, code(&body)), (400, "bad_request"), "unknown fields are refused: {body}");
        // A draft with an out-of-range value is refused at submit, naming the field.
        let (_, draft) = post(
            &server.url("/instances"),
            Some(&formation_token("li")),
            &json!({ "workflow": "kexie-formation", "form": { "st_staff_count": -5 } }),
        );
        let (status, body) =
            act(&server, &formation_token("li"), draft["id"].as_str().unwrap(), 1, json!({ "action": "submit" }));
        assert_eq!(status, 422);
        assert!(body["error"]["details"].as_array().unwrap().iter().any(|e| e["path"] == "st_staff_count"), "{body}");
        assert_eq!(instance(&server, &id)["revision"].as_u64(), Some(rev));
    }
}

#[test]
fn of_two_concurrent_any_one_approvals_exactly_one_wins() {
    for db in databases("race") {
        let server = Server::start(&db);
        let (id, view) = submitted(&server);
        let (status, view) =
            approve(&server, "zhou", &id, view["revision"].as_u64().unwrap(), json!({ "party_opinion": "同意" }));
        assert_eq!((status, view["step"].as_str()), (200, Some("leadership")));
        let rev = view["revision"].as_u64().unwrap();
        let barrier = Arc::new(Barrier::new(2));
        let results: Vec<(u16, Value)> = ["wu", "zheng"]
            .map(|who| {
                let (barrier, server_url, id) = (barrier.clone(), server.url(&format!("/instances/{id}/actions")), id.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let body = json!({ "request_id": format!("race-{who}"), "revision": rev, "action": { "action": "approve", "changes": { "leadership_opinion": who } } });
                    let _ = &id;
                    post(&server_url, Some(&formation_token(who)), &body)
                })
            })
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect();
        let wins = results.iter().filter(|(s, _)| *s == 200).count();
        assert_eq!(wins, 1, "{results:?}");
        let loser = results.iter().find(|(s, _)| *s != 200).unwrap();
        assert_eq!((loser.0, code(&loser.1)), (409, "conflict"), "{loser:?}");
        let now = instance(&server, &id);
        assert_eq!((now["step"].as_str(), now["revision"].as_u64()), (Some("upper_kexie"), Some(rev + 1)));
        let (_, audit) = get(&server.url(&format!("/instances/{id}/audit")), Some(&formation_token("li")));
        let approvals = audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"]["action"] == "approve" && e["event"]["step"] == "leadership")
            .count();
        assert_eq!(approvals, 1, "one approval in the log");
    }
}

#[test]
fn a_replayed_request_id_applies_once() {
    for db in databases("replay") {
        let server = Server::start(&db);
        let (id, view) = submitted(&server);
        let rev = view["revision"].as_u64().unwrap();
        let body = json!({ "request_id": "once-only", "revision": rev, "action": { "action": "comment", "text": "请尽快审批" } });
        let url = server.url(&format!("/instances/{id}/actions"));
        let first = post(&url, Some(&formation_token("li")), &body);
        let second = post(&url, Some(&formation_token("li")), &body);
        assert_eq!(first.0, 200);
        assert_eq!(first, second, "the replay returns the first result");
        // The same id from somebody else is their own request, not a replay of li's.
        let (status, other) = post(&url, Some(&formation_token("zhou")), &body);
        assert_eq!(status, 409, "zhou's request carries a stale revision: {other}");
        // The same id on another instance is a new request there, not a replay of this one.
        let (other_id, other_view) = submitted(&server);
        let body = json!({ "request_id": "once-only", "revision": other_view["revision"], "action": { "action": "comment", "text": "另一份" } });
        let (status, again) =
            post(&server.url(&format!("/instances/{other_id}/actions")), Some(&formation_token("li")), &body);
        assert_eq!((status, again["id"].as_str()), (200, Some(other_id.as_str())), "{again}");
        let (_, audit) = get(&server.url(&format!("/instances/{id}/audit")), Some(&formation_token("li")));
        assert_eq!(audit.as_array().unwrap().iter().filter(|e| e["event"]["action"] == "comment").count(), 1);
    }
}

#[test]
fn request_ids_are_forgotten_a_week_after_their_answer() {
    for db in databases("forget") {
        // The demo's clock moves the server a week on.
        let server = Server::start_extra(&db, &["--demo"], &[]);
        let (id, view) = submitted(&server);
        let url = server.url(&format!("/instances/{id}/actions"));
        // Valid on the server's clock after the move too.
        let li = token_for("li", &["applicant"], 30 * 86_400, SECRET, AUDIENCE);
        let comment = |request_id: &str, revision: &Value| {
            let body = json!({ "request_id": request_id, "revision": revision, "action": { "action": "comment", "text": request_id } });
            post(&url, Some(&li), &body)
        };
        let (status, old) = comment("old", &view["revision"]);
        assert_eq!(status, 200, "{old}");
        let (status, _) = post(&format!("{}/demo/clock", server.base), None, &json!({ "days": 8 }));
        assert_eq!(status, 200);
        let (status, new) = comment("new", &old["revision"]);
        assert_eq!(status, 200, "{new}");
        // The clean-up runs beside the answer: within a few seconds the old id is a new
        // request (on a stale revision: 409), while the recent one still replays.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while comment("old", &view["revision"]).0 == 200 {
            assert!(std::time::Instant::now() < deadline, "the week-old request id is still kept");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(comment("new", &old["revision"]), (200, new), "a recent request id still replays");
    }
}

#[test]
fn a_broken_definition_is_not_published_and_the_old_version_keeps_serving() {
    for db in own_databases("publish") {
        let server = Server::start(&db);
        let admin = token("root", &["admin"]);
        let dir = repo().join("workflows/annual-plan");
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let broken = json!({ "bundle": { "workflow_toml": read("workflow.toml"), "rules_rhai": "fn check(form, ctx) { let v = verdict( }" }, "note": "坏的" });
        let (status, body) = post(&server.url("/workflows/annual-plan/versions"), Some(&admin), &broken);
        assert_eq!((status, code(&body)), (422, "definition_invalid"), "{body}");
        assert!(body["error"]["details"]["problems"][0].as_str().unwrap().starts_with("rules.rhai:1:"), "{body}");
        let (status, latest) = get(&server.url("/workflows/annual-plan"), Some(&admin));
        assert_eq!((status, latest["version"].as_i64()), (200, Some(1)));
        // A real change publishes version 2; the same bundle again creates nothing.
        let rules = read("rules.rhai").replace("const ITEM_BUDGET_CAP = 50.00;", "const ITEM_BUDGET_CAP = 80.00;");
        let mut cases = serde_json::Map::new();
        for entry in std::fs::read_dir(dir.join("cases")).unwrap() {
            let path = entry.unwrap().path();
            cases.insert(
                path.file_name().unwrap().to_string_lossy().into(),
                json!(std::fs::read_to_string(&path).unwrap()),
            );
        }
        let changed = json!({ "bundle": { "workflow_toml": read("workflow.toml"), "rules_rhai": rules, "cases": {} }, "note": "上限80" });
        let (status, body) = post(&server.url("/workflows/annual-plan/versions"), Some(&admin), &changed);
        assert_eq!((status, body["version"].as_i64()), (201, Some(2)), "{body}");
        let (status, body) = post(&server.url("/workflows/annual-plan/versions"), Some(&admin), &changed);
        assert_eq!((status, body["created"].as_bool()), (200, Some(false)), "{body}");
        // The shipped cases fail against a cap of 80 (they test the cap of 50): refused.
        let failing = json!({ "bundle": { "workflow_toml": read("workflow.toml"), "rules_rhai": read("rules.rhai").replace("50.00", "80.00"), "cases": cases }, "note": "上限80" });
        let (status, body) = post(&server.url("/workflows/annual-plan/versions"), Some(&admin), &failing);
        assert_eq!((status, code(&body)), (422, "definition_invalid"), "{body}");
        let problems = body["error"]["details"]["problems"].as_array().unwrap();
        assert!(problems.iter().any(|d| d.as_str().unwrap().starts_with("cases/")), "{body}");
    }
}

#[test]
fn a_server_killed_mid_stream_restarts_whole_with_a_verified_audit_chain() {
    for db in databases("kill") {
        let mut server = Server::start(&db);
        let (id, view) = submitted(&server);
        let mut rev = view["revision"].as_u64().unwrap();
        let revision_at_submit = rev;
        // A bounded stream of comments, each on the revision the last answer gave, from a
        // second thread while the server is killed and restarted on the same port.
        let url = server.url(&format!("/instances/{id}/actions"));
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = done.clone();
        let stream = std::thread::spawn(move || {
            let (mut accepted, mut unanswered) = (0, 0);
            for n in 0..150 {
                let body = json!({ "request_id": format!("kill-{n}"), "revision": rev, "action": { "action": "comment", "text": format!("第{n}条") } });
                match post_maybe(&url, &formation_token("li"), &body) {
                    Some((200, v)) => {
                        rev = v["revision"].as_u64().unwrap();
                        accepted += 1;
                    }
                    Some((409, v)) => rev = v["error"]["details"]["revision"].as_u64().unwrap(),
                    Some(other) => panic!("{other:?}"),
                    None => {
                        unanswered += 1; // killed, restarting
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                }
                counter.store(n + 1, std::sync::atomic::Ordering::SeqCst);
            }
            (accepted, unanswered)
        });
        while done.load(std::sync::atomic::Ordering::SeqCst) < 30 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        server.kill_and_restart();
        let (accepted, unanswered) = stream.join().unwrap();
        assert!(accepted > 30 && unanswered > 0, "killed mid-stream: {accepted} accepted, {unanswered} unanswered");
        let now = instance(&server, &id);
        let (_, audit) = get(&server.url(&format!("/instances/{id}/audit")), Some(&formation_token("li")));
        let comments = audit.as_array().unwrap().iter().filter(|e| e["event"]["action"] == "comment").count();
        assert_eq!(
            comments as u64 + revision_at_submit,
            now["revision"].as_u64().unwrap(),
            "every revision has its audit entry, no half-applied action"
        );
        let (status, _) =
            approve(&server, "zhou", &id, now["revision"].as_u64().unwrap(), json!({ "party_opinion": "同意" }));
        assert_eq!(status, 200, "the instance is whole and takes actions again");
        let mut args = vec!["audit".to_string(), "verify".to_string()];
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kexie"));
        match db.strip_prefix("sqlite://") {
            Some(path) => args.extend(["--db".to_string(), path.to_string()]),
            None => {
                cmd.env("DATABASE_URL", &db);
            }
        }
        let out = cmd.args(&args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("audit log verifies"), "{text}");
    }
}

/// SQLite's automatic checkpoints are off (a commit would run them with every other writer
/// queued behind it); the server's own must still carry each write into the database file.
#[test]
fn sqlite_writes_reach_the_database_file_not_only_its_log() {
    let db = &databases("checkpoint")[0];
    let server = Server::start(db);
    let (id, _) = submitted(&server);
    let file = std::path::PathBuf::from(db.trim_start_matches("sqlite://"));
    let copy = file.with_file_name("copy.db");
    // The file alone, without its -wal: what a reader finds there is what was checkpointed.
    let in_file = || {
        std::fs::copy(&file, &copy).unwrap();
        let url = format!("sqlite://{}?mode=ro", copy.display());
        let sql = "SELECT COUNT(*) FROM instances WHERE id = $1";
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
            use sqlx::{Connection, Row};
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&url).await.ok()?;
            let row = sqlx::query(sql).bind(&id).fetch_one(&mut conn).await.ok()?;
            row.try_get::<i64, _>(0).ok()
        })
    };
    let started = std::time::Instant::now();
    while in_file() != Some(1) {
        assert!(started.elapsed().as_secs() < 10, "instance {id} is still only in the log after 10 s");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn attachments_are_checked_on_the_way_in_and_out() {
    let db = &databases("attachments")[0];
    let server = Server::start(db);
    let (id, _) = submitted(&server);
    let url = server.url("/attachments");
    let pdf = b"%PDF-1.4 charter".to_vec();
    let (status, body) = post_raw(&url, &formation_token("li"), "application/x-msdownload", "virus.exe", &pdf).unwrap();
    assert_eq!((status, code(&body)), (415, "media_type"), "{body}");
    // Too large: 413, or the connection closed while the client still sends.
    if let Some((status, body)) =
        post_raw(&url, &formation_token("li"), "application/pdf", "big.pdf", &vec![0u8; 21 << 20])
    {
        assert_eq!(status, 413, "{body}");
    }
    let (status, meta) = post_raw(&url, &formation_token("li"), "application/pdf", "章程.pdf", &pdf).unwrap();
    assert_eq!(status, 201, "{meta}");
    let sha = meta["sha256"].as_str().unwrap();
    assert_eq!(meta["size"].as_u64(), Some(pdf.len() as u64));
    // The form of `id` holds another file: this one cannot be fetched through it.
    let (status, _) = get(&server.url(&format!("/attachments/{sha}?instance={id}")), Some(&formation_token("li")));
    assert_eq!(status, 403);
    let (_, view) = get(&server.url(&format!("/instances/{id}")), Some(&formation_token("li")));
    let known = view["form"]["charter_draft"]["sha256"].as_str().unwrap();
    let (status, _) = get(&server.url(&format!("/attachments/{known}?instance={id}")), Some(&formation_token("chen")));
    assert_eq!(status, 403, "an outsider cannot fetch through the instance");
    // Draft a form holding the uploaded file; its initiator can download it.
    let mut f = formation_form();
    f["charter_draft"] =
        json!({ "name": "章程.pdf", "size": pdf.len(), "media_type": "application/pdf", "sha256": sha });
    let (_, draft) = post(
        &server.url("/instances"),
        Some(&formation_token("li")),
        &json!({ "workflow": "kexie-formation", "form": f }),
    );
    let draft = draft["id"].as_str().unwrap();
    let resp = ureq::get(&server.url(&format!("/attachments/{sha}?instance={draft}")))
        .header("Authorization", &format!("Bearer {}", formation_token("li")))
        .call()
        .unwrap();
    assert_eq!(resp.headers().get("content-type").unwrap(), "application/pdf");
    assert_eq!(resp.into_body().read_to_vec().unwrap(), pdf);
}

#[test]
fn bodies_are_limited_and_the_demo_is_off_unless_asked() {
    let db = &databases("limits")[0];
    let server = Server::start(db);
    let huge = json!({ "workflow": "kexie-formation", "form": { "enterprise_name": "x".repeat(2 << 20) } });
    // The server answers 413 as soon as it sees the length; a client still sending may
    // see the connection closed instead. Either way nothing is created.
    if let Some((status, body)) = post_maybe(&server.url("/instances"), &formation_token("li"), &huge) {
        assert_eq!((status, code(&body)), (413, "too_large"), "{body}");
    }
    let (_, started) = get(&server.url("/started"), Some(&formation_token("li")));
    assert_eq!(started["total"], 0);
    for path in ["/", "/demo/users"] {
        let (status, _) = get(&format!("{}{path}", server.base), None);
        assert_eq!(status, 404, "{path} exists without --demo");
    }
    let (status, _) = post(&format!("{}/demo/token", server.base), None, &json!({ "user": "hejun" }));
    assert_eq!(status, 404, "no token endpoint without --demo");
    let (status, _) = post(&format!("{}/demo/clock", server.base), None, &json!({ "days": 6 }));
    assert_eq!(status, 404, "no clock to move without --demo");
}

#[test]
fn work_lists_show_my_tasks_what_i_started_and_copies() {
    let db = &databases("lists")[0];
    let server = Server::start(db);
    let (id, view) = submitted(&server);
    let list = |who: &str, which: &str| {
        get(&server.url(&format!("/{which}?page=1&per_page=5")), Some(&formation_token(who))).1
    };
    let tasks = list("zhou", "tasks");
    assert_eq!(tasks["total"], 1, "{tasks}");
    let row = &tasks["items"][0];
    assert_eq!(
        (row["id"].as_str(), row["step"].as_str(), row["overdue"].as_bool()),
        (Some(id.as_str()), Some("party"), Some(false))
    );
    assert_eq!(row["step_label"]["zh"], "企业党组织审批", "{row}");
    assert_eq!(row["summary"]["zh"], "中化新材料研究院有限公司", "the row says which application it is");
    assert_eq!(row["returned"], false, "a fresh submission, not one come back");
    assert_eq!(list("li", "started")["total"], 1);
    assert_eq!(list("li", "tasks")["total"], 0, "submitted: nothing left for li");
    let (status, _) = act(
        &server,
        &formation_token("li"),
        &id,
        view["revision"].as_u64().unwrap(),
        json!({ "action": "cc", "users": ["chen"] }),
    );
    assert_eq!(status, 200);
    assert_eq!(list("chen", "cc")["items"][0]["id"], json!(id));
    let (status, body) = get(&server.url("/tasks?per_page=500"), Some(&formation_token("zhou")));
    assert_eq!((status, code(&body)), (400, "bad_request"));
}
