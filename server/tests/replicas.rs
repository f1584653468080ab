//! Two `kexie serve` replicas on different loopback ports sharing one PostgreSQL database:
//! concurrent actions through both on the same instances, at an any-one step and at a
//! countersign (exactly one wins each conflict, a duplicate gets the first answer, no task
//! lost or duplicated, the audit chains verify), a replica killed mid-stream (nothing
//! acknowledged is lost, nothing half-written), directory syncs through either replica, and
//! publishes through both at once.
//!
//! PostgreSQL only (SQLite is one file on one machine), so the tests are `#[ignore]`d in a
//! plain `cargo test`: scripts/test.sh starts a PostgreSQL and runs them with `--ignored`,
//! and there a missing KEXIE_TEST_POSTGRES_URL fails them rather than passing them unrun.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

/// How many instances race at the any-one step.
const RACED: usize = 16;
/// How many instances the kill stream comments on.
const STREAMED: usize = 4;

/// Both replicas started at the same moment (their migrations and first-start seeding race
/// on the shared database too).
fn two_replicas(db: &str) -> (Server, Server) {
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let db = db.to_string();
            std::thread::spawn(move || Server::start(&db))
        })
        .collect();
    let mut servers = starts.into_iter().map(|h| h.join().expect("a replica starts"));
    (servers.next().unwrap(), servers.next().unwrap())
}

/// A kexie-formation instance started and submitted by li through `via`: its id and revision.
fn submitted(via: &Server) -> (String, u64) {
    let (id, view) = submitted_formation(via);
    (id, view["revision"].as_u64().unwrap())
}

fn view(via: &Server, id: &str) -> Value {
    let (status, view) = get(&via.url(&format!("/instances/{id}")), Some(&token("admin", &["admin"])));
    assert_eq!(status, 200, "{view}");
    view
}

fn audit(via: &Server, id: &str) -> Vec<Value> {
    let (status, audit) = get(&via.url(&format!("/instances/{id}/audit")), Some(&token("admin", &["admin"])));
    assert_eq!(status, 200, "{audit}");
    audit.as_array().unwrap().clone()
}

/// Every instance id in `who`'s task list, with how often each appears (all pages).
fn tasks(via: &Server, who: &str) -> BTreeMap<String, usize> {
    tasks_of(via, &formation_token(who))
}

fn tasks_of(via: &Server, token: &str) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for page in 1.. {
        let (status, body) = get(&via.url(&format!("/tasks?page={page}&per_page=100")), Some(token));
        assert_eq!(status, 200, "{body}");
        let items = body["items"].as_array().unwrap();
        for item in items {
            *seen.entry(item["id"].as_str().unwrap().to_string()).or_insert(0) += 1;
        }
        if items.len() < 100 {
            break;
        }
    }
    seen
}

/// `kexie audit verify` on the database: every chain of every instance.
fn audit_verifies(db: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kexie"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("audit log verifies"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs these with --ignored"]
fn two_replicas_on_one_postgres_let_exactly_one_of_each_conflict_win() {
    let db = postgres("race");
    let started = Instant::now();
    let (a, b) = two_replicas(&db);
    sync_directory(&a, FORMATION_PEOPLE);
    // RACED instances brought to the leadership step (或签: wu or zheng), half through each.
    let ids: Vec<(String, u64)> = (0..RACED)
        .map(|n| {
            let via = if n % 2 == 0 { &a } else { &b };
            let (id, rev) = submitted(via);
            let (status, v) = act(
                via,
                &formation_token("zhou"),
                &id,
                rev,
                json!({ "action": "approve", "changes": { "party_opinion": "同意" } }),
            );
            assert_eq!((status, v["step"].as_str()), (200, Some("leadership")), "{v}");
            (id, v["revision"].as_u64().unwrap())
        })
        .collect();
    // Request ids are the database's for good: unique to this run.
    let run = uuid::Uuid::new_v4();
    // On each instance at the same moment: wu through A, the very same request of wu's
    // through B (a client retrying on the other replica), and zheng through B.
    let per_instance = 3;
    let barrier = Arc::new(Barrier::new(RACED * per_instance));
    let mut handles = Vec::new();
    for (n, (id, rev)) in ids.iter().enumerate() {
        for (who, base, request_id) in [
            ("wu", &a.base, format!("{run}-race-{n}-wu")),
            ("wu", &b.base, format!("{run}-race-{n}-wu")),
            ("zheng", &b.base, format!("{run}-race-{n}-zheng")),
        ] {
            let url = format!("{base}/api/v1/instances/{id}/actions");
            let body = json!({ "request_id": request_id, "revision": rev,
                "action": { "action": "approve", "changes": { "leadership_opinion": format!("{who}同意") } } });
            let barrier = barrier.clone();
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                (who, request_id, post(&url, Some(&formation_token(who)), &body))
            }));
        }
    }
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let (mut conflicts, mut wu_wins) = (0, 0);
    for (n, (id, rev)) in ids.iter().enumerate() {
        let mine = &results[n * per_instance..(n + 1) * per_instance];
        for (who, _, (status, body)) in mine {
            assert!(*status == 200 || (*status == 409 && code(body) == "conflict"), "{who}: {status} {body}");
        }
        conflicts += mine.iter().filter(|(_, _, (s, _))| *s == 409).count();
        // Exactly one request (by id) won; a duplicate of it got the same answer.
        let winners: BTreeSet<&str> =
            mine.iter().filter(|(_, _, (s, _))| *s == 200).map(|(_, r, _)| r.as_str()).collect();
        assert_eq!(winners.len(), 1, "instance {n}: {mine:?}");
        let wu: Vec<_> = mine.iter().filter(|(w, ..)| *w == "wu").map(|(_, _, r)| r).collect();
        if winners.contains(format!("{run}-race-{n}-wu").as_str()) {
            wu_wins += 1;
            assert_eq!(wu[0], wu[1], "the duplicate gets the first answer: {mine:?}");
        }
        let now = view(&b, id);
        assert_eq!((now["step"].as_str(), now["revision"].as_u64()), (Some("upper_kexie"), Some(rev + 1)), "{now}");
        let approvals: Vec<_> = audit(&a, id)
            .into_iter()
            .filter(|e| e["event"]["action"] == "approve" && e["event"]["step"] == "leadership")
            .collect();
        assert_eq!(approvals.len(), 1, "one leadership approval in the log: {approvals:?}");
    }
    // No task lost or duplicated: each instance in sun's list exactly once (through either
    // replica), and in neither leader's any more.
    for via in [&a, &b] {
        let sun = tasks(via, "sun");
        let (wu, zheng) = (tasks(via, "wu"), tasks(via, "zheng"));
        for (id, _) in &ids {
            assert_eq!(sun.get(id), Some(&1), "sun's task for {id}");
            assert!(!wu.contains_key(id) && !zheng.contains_key(id), "a leader still has {id}");
        }
    }
    // The next step takes its action on whichever replica: every instance is whole.
    for (n, (id, _)) in ids.iter().enumerate() {
        let via = if n % 2 == 0 { &b } else { &a };
        let rev = view(via, id)["revision"].as_u64().unwrap();
        let (status, v) = act(
            via,
            &formation_token("sun"),
            id,
            rev,
            json!({ "action": "approve", "changes": { "upper_kexie_opinion": "同意组建。" } }),
        );
        assert_eq!((status, v["step"].as_str()), (200, Some("sasac")), "{v}");
    }
    audit_verifies(&db);
    println!(
        "replicas: {RACED} instances, {} concurrent actions, {conflicts} conflicts (409), wu won {wu_wins}, \
         zheng {}; {:.1?}",
        results.len(),
        RACED - wu_wins,
        started.elapsed()
    );
}

/// One acknowledged comment: (instance, request id, text, the response's revision, replica).
type Acked = (String, String, String, u64, &'static str);

#[test]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs these with --ignored"]
fn a_replica_killed_mid_stream_loses_nothing_it_acknowledged() {
    let db = postgres("kill");
    let started = Instant::now();
    let (a, b) = two_replicas(&db);
    sync_directory(&b, FORMATION_PEOPLE);
    let ids: Vec<(String, u64)> = (0..STREAMED).map(|_| submitted(&b)).collect();
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let run = uuid::Uuid::new_v4();
    let sent_to_a = Arc::new(AtomicUsize::new(0));
    let missed = Arc::new(AtomicUsize::new(0)); // requests that found no server
    let stop = Arc::new(AtomicBool::new(false));
    // Two clients per replica, each commenting in turn on every instance, each comment on
    // the revision last seen (a 409 tells the current one); a request that finds no server
    // is not acknowledged.
    let clients: Vec<_> = [("a", &a.base), ("a", &a.base), ("b", &b.base), ("b", &b.base)]
        .into_iter()
        .enumerate()
        .map(|(c, (name, base))| {
            let (base, ids, acked, sent_to_a, stop, missed) =
                (base.clone(), ids.clone(), acked.clone(), sent_to_a.clone(), stop.clone(), missed.clone());
            std::thread::spawn(move || {
                let mut revs: Vec<u64> = ids.iter().map(|(_, r)| *r).collect();
                let (mut unanswered, mut conflicts) = (0, 0);
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let k = n % ids.len();
                    let id = &ids[k].0;
                    let (request_id, text) = (format!("{run}-kill-{c}-{n}"), format!("{name}{c}第{n}条"));
                    let body = json!({ "request_id": request_id, "revision": revs[k],
                        "action": { "action": "comment", "text": text } });
                    let url = format!("{base}/api/v1/instances/{id}/actions");
                    match post_maybe(&url, &formation_token("li"), &body) {
                        Some((200, v)) => {
                            revs[k] = v["revision"].as_u64().unwrap();
                            acked.lock().unwrap().push((id.clone(), request_id, text, revs[k], name));
                        }
                        Some((409, v)) if code(&v) == "conflict" => {
                            conflicts += 1;
                            revs[k] = v["error"]["details"]["revision"].as_u64().unwrap();
                        }
                        Some(other) => panic!("client {c}: {other:?}"),
                        None => {
                            unanswered += 1;
                            missed.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                    if name == "a" {
                        sent_to_a.fetch_add(1, Ordering::SeqCst);
                    }
                    n += 1;
                }
                (unanswered, conflicts)
            })
        })
        .collect();
    // Killed once it has acknowledged some and been sent more.
    let acked_by = |replica: &str| acked.lock().unwrap().iter().filter(|a| a.4 == replica).count();
    let deadline = Instant::now() + Duration::from_secs(20);
    while (acked_by("a") < 10 || sent_to_a.load(Ordering::SeqCst) < 60) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let acked_before_kill = acked.lock().unwrap().len();
    let acked_by_a = acked_by("a");
    assert!(acked_by_a >= 10, "the replica to kill acknowledged {acked_by_a}");
    drop(a); // SIGKILL, mid-stream
    // B keeps serving; A's clients keep trying and find nobody (on a loaded machine they
    // may not get the CPU before B has served its 60: wait for both).
    let until = acked.lock().unwrap().len() + 60;
    let deadline = Instant::now() + Duration::from_secs(20);
    while (acked.lock().unwrap().len() < until || missed.load(Ordering::SeqCst) == 0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::SeqCst);
    let outcomes: Vec<(usize, usize)> = clients.into_iter().map(|h| h.join().unwrap()).collect();
    let unanswered: usize = outcomes.iter().map(|o| o.0).sum();
    let conflicts: usize = outcomes.iter().map(|o| o.1).sum();
    let acked = acked.lock().unwrap().clone();
    assert!(unanswered > 0, "A was killed while its clients were sending");
    assert!(acked.len() >= until, "B kept acknowledging after the kill: {} of {until}", acked.len());
    // Everything acknowledged is there, read through the survivor; every revision has its
    // audit entry (nothing half-written).
    for (id, submitted_at) in &ids {
        let log = audit(&b, id);
        let comments: BTreeSet<&str> = log
            .iter()
            .filter(|e| e["event"]["action"] == "comment")
            .map(|e| e["event"]["comment"].as_str().unwrap())
            .collect();
        let count = log.iter().filter(|e| e["event"]["action"] == "comment").count();
        assert_eq!(comments.len(), count, "no comment written twice");
        for (_, _, text, ..) in acked.iter().filter(|(i, ..)| i == id) {
            assert!(comments.contains(text.as_str()), "acknowledged {text} is in the log of {id}");
        }
        let now = view(&b, id);
        assert_eq!(now["revision"].as_u64().unwrap(), submitted_at + count as u64, "{now}");
        let highest = acked.iter().filter(|(i, ..)| i == id).map(|a| a.3).max().unwrap_or(*submitted_at);
        assert!(now["revision"].as_u64().unwrap() >= highest);
        // The instance is whole: it takes the next step's action through the survivor.
        let (status, v) = act(
            &b,
            &formation_token("zhou"),
            id,
            now["revision"].as_u64().unwrap(),
            json!({ "action": "approve", "changes": { "party_opinion": "同意" } }),
        );
        assert_eq!((status, v["step"].as_str()), (200, Some("leadership")), "{v}");
    }
    // Every request the killed replica acknowledged, replayed through the survivor: its
    // answer comes back again (the revision it names is stale by now), nothing applied twice.
    for (id, request_id, text, rev, _) in acked.iter().filter(|a| a.4 == "a") {
        let body =
            json!({ "request_id": request_id, "revision": rev - 1, "action": { "action": "comment", "text": text } });
        let (status, replay) = post(&b.url(&format!("/instances/{id}/actions")), Some(&formation_token("li")), &body);
        assert_eq!((status, replay["revision"].as_u64()), (200, Some(*rev)), "{replay}");
    }
    audit_verifies(&db);
    println!(
        "replica killed: {} acknowledged before the kill ({acked_by_a} by the killed one), {} in all, {unanswered} unanswered, {conflicts} conflicts; \
         {:.1?}",
        acked_before_kill,
        acked.len(),
        started.elapsed()
    );
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs these with --ignored"]
fn an_admins_directory_sync_through_either_replica_always_lands() {
    let db = postgres("sync");
    let (a, b) = two_replicas(&db);
    let admin = token("admin", &["admin"]);
    let who = format!("replica-sync-{}", std::process::id());
    let name_in = |via: &Server| {
        let (status, found) = get(&via.url(&format!("/directory?ids={who}")), Some(&admin));
        assert_eq!(status, 200, "{found}");
        found["people"][0]["name"].as_str().unwrap_or_default().to_string()
    };
    // A, then B, then A again with what A sent first: the last sync wins on both replicas,
    // whatever either replica remembers of its own earlier syncs.
    for (via, name) in [(&a, "甲"), (&b, "乙"), (&a, "甲"), (&b, "乙")] {
        let (status, body) = post(&via.url("/directory"), Some(&admin), &json!([{ "id": who, "name": name }]));
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (name_in(&a), name_in(&b)),
            (name.to_string(), name.to_string()),
            "after a sync through {}",
            via.base
        );
    }
}

/// The people of major-project's cases (`workflows/major-project/cases/_people.toml`).
const PROJECT_PEOPLE: &[(&str, &[&str])] = &[
    ("xu", &["project_office"]),
    ("chen", &["kexie_secretariat"]),
    ("lin", &["kexie_committee"]),
    ("zhao", &["kexie_expert"]),
    ("qian", &["kexie_expert"]),
    ("sun", &["kexie_expert"]),
    ("zhou", &["kexie_expert"]),
    ("wu", &["decision_meeting"]),
];

fn project_token(id: &str) -> String {
    token(id, PROJECT_PEOPLE.iter().find(|(p, _)| *p == id).map_or(&[][..], |(_, r)| r))
}

/// How many major-project instances the experts countersign at once.
const COUNTERSIGNED: usize = 8;

#[test]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs these with --ignored"]
fn a_countersign_through_two_replicas_takes_every_opinion_exactly_once() {
    let db = postgres("countersign");
    let started = Instant::now();
    let (a, b) = two_replicas(&db);
    sync_directory(&a, PROJECT_PEOPLE);
    let experts = ["zhao", "qian", "sun"];
    let report = uploaded_pdf(&a, &project_token("xu"), "可行性研究报告.pdf");
    // Brought to the experts' step (会签: every expert on the panel), half through each.
    let ids: Vec<(String, u64)> = (0..COUNTERSIGNED)
        .map(|n| {
            let via = if n % 2 == 0 { &a } else { &b };
            let form = json!({
                "project_name": "高端轴承钢连铸产线建设", "project_type": "major_project",
                "total_investment": "12000.00", "technical_fields": ["new_materials"],
                "summary": "新建一条高端轴承钢连铸产线，采用电磁搅拌与轻压下技术，预计年产30万吨。",
                "feasibility_report": report });
            let (status, v) = post(
                &via.url("/instances"),
                Some(&project_token("xu")),
                &json!({ "workflow": "major-project", "form": form }),
            );
            assert_eq!(status, 201, "{v}");
            let id = v["id"].as_str().unwrap().to_string();
            let (status, v) = act(via, &project_token("xu"), &id, 1, json!({ "action": "submit" }));
            assert_eq!((status, v["step"].as_str()), (200, Some("intake")), "{v}");
            let rev = v["revision"].as_u64().unwrap();
            let (status, v) = act(
                via,
                &project_token("chen"),
                &id,
                rev,
                json!({ "action": "submit", "changes": { "expert_panel": experts } }),
            );
            assert_eq!((status, v["step"].as_str()), (200, Some("experts")), "{v}");
            (id, v["revision"].as_u64().unwrap())
        })
        .collect();
    // Every expert at the same moment on every instance, zhao and sun through A, qian through
    // B, and qian's very same request through A too; each retries on a 409 with the revision
    // it names (the same request id: a refused request applied nothing).
    let run = uuid::Uuid::new_v4();
    let clients: Vec<(&str, &String)> = vec![("zhao", &a.base), ("qian", &b.base), ("qian", &a.base), ("sun", &a.base)];
    let barrier = Arc::new(Barrier::new(COUNTERSIGNED * clients.len()));
    let mut handles = Vec::new();
    for (n, (id, rev)) in ids.iter().enumerate() {
        for (who, base) in &clients {
            let (who, url, barrier, mut rev) =
                (*who, format!("{base}/api/v1/instances/{id}/actions"), barrier.clone(), *rev);
            let request_id = format!("{run}-sign-{n}-{who}");
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                let mut conflicts = 0;
                loop {
                    let body = json!({ "request_id": request_id, "revision": rev,
                        "action": { "action": "approve", "comment": format!("{who}：技术路线可行。") } });
                    match post(&url, Some(&project_token(who)), &body) {
                        (200, v) => return (who, conflicts, v),
                        (409, v) if code(&v) == "conflict" => {
                            conflicts += 1;
                            rev = v["error"]["details"]["revision"].as_u64().unwrap();
                        }
                        other => panic!("{who}: {other:?}"),
                    }
                }
            }));
        }
    }
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let conflicts: usize = results.iter().map(|r| r.1).sum();
    for (n, (id, rev)) in ids.iter().enumerate() {
        let mine = &results[n * clients.len()..(n + 1) * clients.len()];
        assert_eq!(mine[1].2, mine[2].2, "qian's duplicate gets the first answer");
        let now = view(&b, id);
        assert_eq!((now["step"].as_str(), now["revision"].as_u64()), (Some("kexie_opinion"), Some(rev + 3)), "{now}");
        let signed: Vec<String> = audit(&a, id)
            .into_iter()
            .filter(|e| e["event"]["action"] == "approve" && e["event"]["step"] == "experts")
            .map(|e| e["event"]["actor"].as_str().unwrap().to_string())
            .collect();
        let mut sorted = signed.clone();
        sorted.sort();
        assert_eq!(sorted, ["qian", "sun", "zhao"], "each expert's opinion once: {signed:?}");
    }
    // No task lost or duplicated: the experts have none left, the 科协 (secretariat or
    // committee, either may give its opinion) has each instance once, through either replica.
    for via in [&a, &b] {
        for expert in experts {
            let left = tasks_of(via, &project_token(expert));
            assert!(ids.iter().all(|(id, _)| !left.contains_key(id)), "{expert} still has a task");
        }
        for kexie in ["chen", "lin"] {
            let open = tasks_of(via, &project_token(kexie));
            for (id, _) in &ids {
                assert_eq!(open.get(id), Some(&1), "{kexie}'s task for {id}");
            }
        }
    }
    audit_verifies(&db);
    println!(
        "countersign: {COUNTERSIGNED} instances, {} concurrent clients, {conflicts} conflicts (409) retried; {:.1?}",
        results.len(),
        started.elapsed()
    );
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs these with --ignored"]
fn publishes_through_both_replicas_at_once_each_get_a_version_of_their_own() {
    let db = postgres("publish");
    let (a, b) = two_replicas(&db);
    let admin = token("root", &["admin"]);
    let dir = repo().join("workflows/annual-plan");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let (toml, rules) = (read("workflow.toml"), read("rules.rhai"));
    let caps = [60, 70, 80, 90, 95, 99];
    let barrier = Arc::new(Barrier::new(caps.len()));
    let handles: Vec<_> = caps
        .iter()
        .enumerate()
        .map(|(n, cap)| {
            let url = if n % 2 == 0 { a.url("/workflows/annual-plan/versions") } else { b.url("/workflows/annual-plan/versions") };
            let rules = rules.replace("const ITEM_BUDGET_CAP = 50.00;", &format!("const ITEM_BUDGET_CAP = {cap}.00;"));
            let body = json!({ "bundle": { "workflow_toml": toml, "rules_rhai": rules, "cases": {} }, "note": format!("上限{cap}") });
            let (barrier, admin) = (barrier.clone(), admin.clone());
            std::thread::spawn(move || {
                barrier.wait();
                post(&url, Some(&admin), &body)
            })
        })
        .collect();
    let results: Vec<(u16, Value)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut versions: Vec<i64> = results
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 201, "{body}");
            body["version"].as_i64().unwrap()
        })
        .collect();
    versions.sort();
    assert_eq!(versions, (2..2 + caps.len() as i64).collect::<Vec<_>>(), "one new version each, none lost");
    let (status, latest) = get(&b.url("/workflows/annual-plan"), Some(&admin));
    assert_eq!((status, latest["version"].as_i64()), (200, Some(1 + caps.len() as i64)), "{latest}");
}

#[test]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs these with --ignored"]
fn a_replica_killed_while_sending_leaves_its_deliveries_to_the_other() {
    let db = postgres("webhooks");
    let receiver = Receiver::start("replicas", &["--slow", "0.5"]);
    let config = config_file("replicas-webhooks", &receiver.config());
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let (db, config) = (db.clone(), config.clone());
            std::thread::spawn(move || Server::start_extra(&db, &["--config", &config], &[]))
        })
        .collect();
    let mut replicas: Vec<Server> = starts.into_iter().map(|h| h.join().expect("a replica starts")).collect();
    sync_directory(&replicas[0], FORMATION_PEOPLE);
    for k in 0..6 {
        let via = &replicas[k % 2];
        let (id, revision) = submitted(via);
        let approve = json!({ "action": "approve", "changes": { "party_opinion": "同意" } });
        let (status, body) = act(via, &formation_token("zhou"), &id, revision, approve);
        assert_eq!(status, 200, "{body}");
    }
    // Both are sending (each delivery takes the receiver half a second) when one dies.
    std::thread::sleep(Duration::from_secs(1));
    assert!(!receiver.received().is_empty(), "deliveries under way");
    drop(replicas.remove(0)); // SIGKILL
    // What it held is leased for 30 s, then the other replica sends it.
    let (got, duplicates) = receiver.all_of(&replicas[0], Duration::from_secs(90));
    let events: usize = got.values().map(Vec::len).sum();
    assert_eq!((got.len(), events), (6, 30));
    eprintln!("{events} events through two replicas, one killed: none lost, {duplicates} delivered twice");
}
