//! Soak: a bounded run of mixed OA traffic from 100 simulated users against a real `kexie
//! serve`, on a fresh SQLite file and, when KEXIE_BENCH_POSTGRES_URL names a database it may
//! fill, on PostgreSQL. It records the server's memory and the latency of each kind of request
//! at the start and at the end, to show whether anything grows beyond its caches. Run with
//! `scripts/bench.sh soak`, or `cargo bench -p kexie-server --bench soak [-- sqlite|postgres]`;
//! KEXIE_SOAK_SECS sets the length (600 s by default). BENCHMARKS.md ("Soak") has the figures.
//!
//! Each user is a thread on its own keep-alive connection, with a role as in an enterprise:
//! applicants start kexie-formation, the 科协 secretariat annual-plan; they save drafts,
//! submit, follow their applications (resubmitting what came back) and upload charters. The
//! approvers work their inboxes: open a task and its history, perhaps download its
//! attachment, then approve, now and then return or reject. Everybody reads their lists, and
//! now and then sends a request that must be refused. Expected refusals (a 409 for losing a
//! race to another approver, the 4xx of a deliberately bad request) are counted apart; any
//! other answer is a failure, and the run exits 1. Memory is a measurement, not a verdict
//! that fails the run: it is printed with a plain line saying whether it grew.
//!
//! A webhook receiver that answers 500 to every fifth call is subscribed throughout: at the
//! end the outbox must drain and the receiver must hold every event the server delivered.

// The tests' way to start a server, sign tokens and sync the directory.
#[path = "../tests/support/mod.rs"]
mod support;

mod common;

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::receiver::{Receivers, drained};
use common::{TempDir, databases};
use serde_json::{Value, json};
use support::{Server, config_file, formation_form, memory_kib, sync_directory, token};

/// The cast: id prefix, role, how many. 100 people in all; the observers hold no role.
const CAST: &[(&str, &str, usize)] = &[
    ("app", "applicant", 28),
    ("sec", "kexie_secretariat", 12),
    ("party", "party_org", 10),
    ("lead", "leadership", 16),
    ("upper", "upper_kexie", 12),
    ("sasac", "sasac", 10),
    ("cmte", "kexie_committee", 3),
    ("obs", "", 9),
];

/// An initiator keeps at most this many applications open before starting another, so that
/// the load stays steady instead of piling up in the approvers' inboxes.
const MAX_OPEN: usize = 3;

/// RSS may grow this much from the end of the first window to the end before the run says it
/// grew: 10 %, but at least 8 MiB, the bound of SQLite's page cache (2 MiB for each of the
/// server's 4 connections), which fills as the database grows.
const RSS_TOLERANCE_PCT: f64 = 10.0;
const RSS_TOLERANCE_KIB: f64 = 8.0 * 1024.0;

fn main() {
    let secs: u64 = std::env::var("KEXIE_SOAK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let dir = TempDir::new("soak");
    let mut failed = false;
    for (name, url) in databases(dir.0.join("kexie.db")) {
        println!("\n## Soak on {name}: {} users, {secs} s\n", people().len());
        failed |= soak(&url, &dir.0, Duration::from_secs(secs));
    }
    if failed {
        eprintln!("some requests failed (5xx or an unexpected status): the soak did not pass");
        std::process::exit(1);
    }
}

/// One database: starts the server, lets the users loose until the deadline, prints the
/// report. True if any request failed.
fn soak(url: &str, dir: &Path, length: Duration) -> bool {
    let receiver = Receivers::start(1, 5);
    let server = Server::start_extra(url, &["--config", &config_file("soak-hooks", &receiver.config())], &[]);
    let people = people();
    let cast: Vec<(&str, &[&str])> = people.iter().map(|(id, roles)| (id.as_str(), roles.as_slice())).collect();
    sync_directory(&server, &cast);
    let began = Instant::now();
    let run = Arc::new(Run { base: server.url(""), began, deadline: began + length, recent: Mutex::default() });
    let sampler = {
        let (run, pid) = (run.clone(), server.pid());
        thread::spawn(move || sample_memory(&run, pid, length))
    };
    let users: Vec<_> = people
        .into_iter()
        .enumerate()
        .map(|(n, (id, roles))| {
            let run = run.clone();
            thread::spawn(move || User::new(&run, id, roles, n as u64).live())
        })
        .collect();
    let mut tally = Tally::default();
    for user in users {
        tally.add(user.join().expect("a user thread"));
    }
    let memory = sampler.join().expect("the sampler");
    let report = Report { length, window: window(length), tally, memory };
    report.print();
    let (size, parts) = database_size(url, dir);
    let parts: Vec<String> = parts.iter().map(|(table, bytes)| format!("{table} {}", mib(*bytes))).collect();
    println!("\ndatabase size at the end: {} (stored data by table: {})", mib(size), parts.join(", "));
    report.tally.failures > 0 || !webhooks_caught_up(&server, &receiver)
}

/// Waits for the outbox to drain and says whether the failing receiver got every event
/// the server recorded as delivered.
fn webhooks_caught_up(server: &Server, receiver: &Receivers) -> bool {
    let ended = Instant::now();
    let done = drained(server)[0];
    let seen = &receiver.seen[0];
    let got = seen.arrived.lock().unwrap().len() as i64;
    let (calls, duplicates) = (seen.calls.load(Ordering::Relaxed), seen.duplicates.load(Ordering::Relaxed));
    println!(
        "\nwebhooks (a receiver failing every 5th call): drained {:.1} s after the end; {done} delivered, {got} \
         distinct events received, {calls} calls, {duplicates} duplicates",
        ended.elapsed().as_secs_f64()
    );
    got == done
}

/// The people and their roles, as the host OA's directory would hold them.
fn people() -> Vec<(String, Vec<&'static str>)> {
    CAST.iter()
        .flat_map(|&(prefix, role, count)| {
            let roles: Vec<&'static str> = if role.is_empty() { vec![] } else { vec![role] };
            (1..=count).map(move |n| (format!("{prefix}{n:02}"), roles.clone()))
        })
        .collect()
}

/// The first and last windows compared: a minute, or a quarter of a short run.
fn window(length: Duration) -> Duration {
    Duration::from_secs(60).min(length / 4)
}

/// What the users share.
struct Run {
    base: String,
    began: Instant,
    deadline: Instant,
    /// Instances started lately, for observers to try to open (and be refused).
    recent: Mutex<VecDeque<String>>,
}

/// The database's size in bytes (the SQLite file with its WAL, or PostgreSQL's own count),
/// and the bytes of the data the tables hold, largest first: what the growth is made of.
fn database_size(url: &str, dir: &Path) -> (u64, Vec<(String, u64)>) {
    // octet_length: bytes, not characters, on both databases (SQLite since 3.43).
    const PARTS: &str = "SELECT 'requests' AS t, SUM(octet_length(response)) AS n FROM requests \
        UNION ALL SELECT 'audit', SUM(octet_length(entry)) FROM audit \
        UNION ALL SELECT 'instances', SUM(octet_length(state)) FROM instances \
        UNION ALL SELECT 'attachments', SUM(octet_length(content)) FROM attachments";
    let sqlite = url.starts_with("sqlite:");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        use sqlx::{Connection, Row};
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(url).await.expect("the database answers");
        let rows = sqlx::query(PARTS).fetch_all(&mut conn).await.expect("the tables' sizes");
        let mut parts: Vec<(String, u64)> =
            rows.iter().map(|r| (r.get("t"), r.get::<Option<i64>, _>("n").unwrap_or(0) as u64)).collect();
        parts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let size = if sqlite {
            let files = ["kexie.db", "kexie.db-wal", "kexie.db-shm"];
            files.iter().filter_map(|f| std::fs::metadata(dir.join(f)).ok()).map(|m| m.len()).sum()
        } else {
            let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&mut conn)
                .await
                .expect("the database's size");
            size as u64
        };
        (size, parts)
    })
}

// ---------------------------------------------------------------------------------------
// Memory

/// One reading of the server's memory: seconds into the run, VmRSS and VmHWM in KiB.
#[derive(Clone, Copy)]
struct Memory {
    at: f64,
    rss: u64,
    hwm: u64,
}

/// Reads the server's memory every `length / 60` (10 s for the 10-minute run, at least 1 s)
/// until the deadline, and once more at the end.
fn sample_memory(run: &Run, pid: u32, length: Duration) -> Vec<Memory> {
    let every = (length / 60).clamp(Duration::from_secs(1), Duration::from_secs(10));
    let mut samples = vec![read_memory(pid, 0.0)];
    while Instant::now() < run.deadline {
        thread::sleep(every.min(run.deadline.saturating_duration_since(Instant::now())));
        samples.push(read_memory(pid, run.began.elapsed().as_secs_f64()));
    }
    samples
}

fn read_memory(pid: u32, at: f64) -> Memory {
    Memory { at, rss: memory_kib(pid, "VmRSS"), hwm: memory_kib(pid, "VmHWM") }
}

// ---------------------------------------------------------------------------------------
// Users

/// The kinds of request, each with its own latencies.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Start,
    SaveDraft,
    Submit,
    Approve,
    Return,
    Reject,
    Tasks,
    Started,
    Cc,
    Instance,
    Audit,
    Upload,
    Download,
    /// A deliberately bad request.
    Bad,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::SaveDraft => "save draft",
            Kind::Submit => "submit",
            Kind::Approve => "approve",
            Kind::Return => "return",
            Kind::Reject => "reject",
            Kind::Tasks => "inbox",
            Kind::Started => "started list",
            Kind::Cc => "copies list",
            Kind::Instance => "open instance",
            Kind::Audit => "history",
            Kind::Upload => "upload",
            Kind::Download => "download",
            Kind::Bad => "bad request",
        }
    }
}

/// Which answers a request may get.
#[derive(Clone, Copy)]
enum Expect {
    /// 2xx only.
    Success,
    /// 2xx, or 409 when another approver acted first (the revision changed since it was read).
    Race,
    /// Exactly this refusal, and why it is expected.
    Refused(u16, &'static str),
}

/// One timed request: seconds into the run, its kind, how long it took.
struct Sample {
    at: f32,
    kind: Kind,
    took: Duration,
}

/// What the users saw.
#[derive(Default)]
struct Tally {
    samples: Vec<Sample>,
    /// Answers by outcome, e.g. "2xx", "409 lost a race to another approver".
    outcomes: BTreeMap<String, usize>,
    failures: usize,
    /// Instances that ended, by workflow and status ("kexie-formation completed").
    finished: BTreeMap<String, usize>,
    /// The first few failures, in full.
    first_failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.samples.extend(other.samples);
        for (k, n) in other.outcomes {
            *self.outcomes.entry(k).or_default() += n;
        }
        self.failures += other.failures;
        for (k, n) in other.finished {
            *self.finished.entry(k).or_default() += n;
        }
        self.first_failures.extend(other.first_failures);
        self.first_failures.truncate(10);
    }
}

/// One simulated person.
struct User {
    run: Arc<Run>,
    id: String,
    roles: Vec<&'static str>,
    token: String,
    signed: Instant,
    agent: ureq::Agent,
    rng: u64,
    /// Their open applications (instance ids), as an initiator.
    open: Vec<String>,
    /// The attachment their forms carry, once uploaded.
    charter: Option<Value>,
    uploads: u32,
    tally: Tally,
}

impl User {
    fn new(run: &Arc<Run>, id: String, roles: Vec<&'static str>, seed: u64) -> User {
        User {
            run: run.clone(),
            token: token(&id, &roles),
            signed: Instant::now(),
            id,
            roles,
            agent: ureq::Agent::config_builder().http_status_as_error(false).build().into(),
            rng: 0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9),
            open: Vec::new(),
            charter: None,
            uploads: 0,
            tally: Tally::default(),
        }
    }

    /// Turns until the deadline, a pause between them; what they saw.
    fn live(mut self) -> Tally {
        // Users arrive over the first seconds rather than all at once.
        self.pause(0, 2_000);
        while Instant::now() < self.run.deadline {
            // Tokens last an hour; the host OA hands out a fresh one well before.
            if self.signed.elapsed() > Duration::from_secs(600) {
                (self.token, self.signed) = (token(&self.id, &self.roles), Instant::now());
            }
            self.turn();
            self.pause(200, 1_000);
        }
        self.tally
    }

    /// What a person in this role does next: initiators mostly apply and follow their own,
    /// approvers work their inbox, people without a role read lists and peek.
    fn turn(&mut self) {
        if self.chance(3) {
            self.bad_request();
        }
        let starts = match self.roles.first() {
            Some(&"applicant") => Some("kexie-formation"),
            Some(&"kexie_secretariat") => Some("annual-plan"),
            _ => None,
        };
        let roll = self.below(100);
        match starts {
            Some(workflow) if self.open.len() < MAX_OPEN && roll < 40 => self.apply(workflow),
            Some(_) if !self.open.is_empty() && roll < 75 => self.follow_up(),
            None if !self.roles.is_empty() && roll < 80 => self.work_inbox(),
            None if self.roles.is_empty() && roll < 30 => self.peek(),
            _ => self.read_lists(),
        }
    }

    // --- randomness and think time (no rand crate needed: splitmix64) -------------------

    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` % of the time.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pause(&mut self, min_ms: u64, max_ms: u64) {
        let ms = min_ms + self.below(max_ms - min_ms);
        let left = self.run.deadline.saturating_duration_since(Instant::now());
        thread::sleep(Duration::from_millis(ms).min(left));
    }

    /// A person reads the answer before the next click.
    fn think(&mut self) {
        self.pause(20, 200);
    }

    // --- HTTP -------------------------------------------------------------------------

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.run.base)
    }

    fn get(&mut self, kind: Kind, path: &str, expect: Expect) -> Option<Value> {
        let req = self.agent.get(self.url(path)).header("Authorization", &format!("Bearer {}", self.token));
        self.timed(kind, expect, || req.call())
    }

    fn post(&mut self, kind: Kind, path: &str, body: &Value, expect: Expect) -> Option<Value> {
        let req = self.agent.post(self.url(path)).header("Authorization", &format!("Bearer {}", self.token));
        self.timed(kind, expect, || req.send_json(body))
    }

    /// An action on an instance, with a fresh request id.
    fn act(&mut self, kind: Kind, id: &str, revision: u64, action: Value, expect: Expect) -> Option<Value> {
        let body = json!({ "request_id": uuid::Uuid::new_v4().to_string(), "revision": revision, "action": action });
        self.post(kind, &format!("/instances/{id}/actions"), &body, expect)
    }

    /// Sends, times and judges one request; the JSON of a 2xx answer (Null if not JSON).
    fn timed(
        &mut self,
        kind: Kind,
        expect: Expect,
        send: impl FnOnce() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Option<Value> {
        let sent = Instant::now();
        // Reading the whole body returns the connection to the pool for the next request.
        let answer = send().and_then(|mut r| Ok((r.status().as_u16(), r.body_mut().read_to_vec()?)));
        let took = sent.elapsed();
        let at = sent.duration_since(self.run.began).as_secs_f32();
        self.tally.samples.push(Sample { at, kind, took });
        let (status, body) = match answer {
            Ok(answer) => answer,
            Err(e) => {
                self.failed(format!("{}: no answer: {e}", kind.name()));
                return None;
            }
        };
        let outcome = match (expect, status) {
            (_, 200..=299) if !matches!(expect, Expect::Refused(..)) => "2xx".to_string(),
            (Expect::Race, 409) => "409 lost a race to another approver (expected)".to_string(),
            (Expect::Refused(want, why), got) if got == want => format!("{want} {why} (expected)"),
            _ => {
                let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
                self.failed(format!("{}: {status}: {text}", kind.name()));
                return None;
            }
        };
        *self.tally.outcomes.entry(outcome).or_default() += 1;
        (200..300).contains(&status).then(|| serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    fn failed(&mut self, what: String) {
        *self.tally.outcomes.entry("failure".into()).or_default() += 1;
        self.tally.failures += 1;
        if self.tally.first_failures.len() < 10 {
            self.tally.first_failures.push(format!("{}: {what}", self.id));
        }
    }

    // --- what people do ---------------------------------------------------------------

    /// Starts an application with part of the form, saves the draft with more, submits the
    /// rest; now and then the first submit carries a mistake the rules refuse.
    fn apply(&mut self, workflow: &str) {
        if self.charter.is_none() || self.chance(5) {
            self.upload_charter();
            self.think();
        }
        let form = self.full_form(workflow);
        let (first, second, third) = split_form(&form);
        let Some(view) =
            self.post(Kind::Start, "/instances", &json!({ "workflow": workflow, "form": first }), Expect::Success)
        else {
            return;
        };
        let id = view["id"].as_str().unwrap_or_default().to_string();
        self.run.recent.lock().unwrap().push_front(id.clone());
        self.run.recent.lock().unwrap().truncate(200);
        self.think();
        let save = json!({ "action": "save_draft", "changes": second });
        let Some(view) = self.act(Kind::SaveDraft, &id, revision(&view), save, Expect::Success) else { return };
        self.think();
        let revision = revision(&view);
        if self.chance(5) {
            // A mistake: the rules refuse it and nothing changes.
            let wrong = json!({ "action": "submit", "changes": mistake(workflow) });
            self.act(Kind::Submit, &id, revision, wrong, Expect::Refused(422, "the form breaks a rule"));
            self.think();
        }
        let submit = json!({ "action": "submit", "changes": third });
        if self.act(Kind::Submit, &id, revision, submit, Expect::Success).is_some() {
            self.open.push(id);
        }
    }

    /// Uploads a small PDF that this person's next applications carry.
    fn upload_charter(&mut self) {
        self.uploads += 1;
        let mut pdf = format!("%PDF-1.4\n% charter of {} #{}\n", self.id, self.uploads).into_bytes();
        pdf.resize(8_192 + self.below(24_576) as usize, b' ');
        let req = self
            .agent
            .post(self.url("/attachments"))
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/pdf")
            .header("X-File-Name", "%E7%AB%A0%E7%A8%8B.pdf");
        if let Some(meta) = self.timed(Kind::Upload, Expect::Success, || req.send(&pdf[..])) {
            self.charter = Some(meta);
        }
    }

    /// The full valid form of the workflow's main case, made this person's own.
    fn full_form(&mut self, workflow: &str) -> Value {
        let n = self.below(1_000_000);
        let mut form = if workflow == "annual-plan" { annual_plan_form() } else { formation_form() };
        if workflow == "annual-plan" {
            form["kexie_name"] = json!(format!("{} 科协 {n}", self.id));
        } else {
            form["enterprise_name"] = json!(format!("{} 新材料研究院 {n}", self.id));
            form["charter_draft"] = self.charter.clone().unwrap_or(form["charter_draft"].clone());
        }
        form
    }

    /// Opens one of their applications with its history; resubmits it if it came back,
    /// forgets it once it is finished; now and then downloads its attachment.
    fn follow_up(&mut self) {
        let pick = self.below(self.open.len() as u64) as usize;
        let id = self.open[pick].clone();
        let Some(view) = self.get(Kind::Instance, &format!("/instances/{id}"), Expect::Success) else { return };
        self.think();
        if self.chance(50) {
            self.get(Kind::Audit, &format!("/instances/{id}/audit"), Expect::Success);
            self.think();
        }
        self.maybe_download(&view);
        if ended(&view) {
            self.open.retain(|o| *o != id);
        } else if has_action(&view, "submit") {
            // Returned to them (it is a draft again at the first step): they send it again.
            self.act(Kind::Submit, &id, revision(&view), json!({ "action": "submit" }), Expect::Success);
        }
    }

    fn maybe_download(&mut self, view: &Value) {
        let sha = view["form"]["charter_draft"]["sha256"].as_str();
        if let (Some(sha), true) = (sha, self.chance(15)) {
            let path = format!("/attachments/{sha}?instance={}", view["id"].as_str().unwrap_or_default());
            self.get(Kind::Download, &path, Expect::Success);
            self.think();
        }
    }

    /// An approver opens a task from the inbox, its history, and decides.
    fn work_inbox(&mut self) {
        let Some(page) = self.get(Kind::Tasks, "/tasks", Expect::Success) else { return };
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return;
        }
        self.think();
        let id = items[self.below(items.len() as u64) as usize]["id"].as_str().unwrap_or_default().to_string();
        let Some(view) = self.get(Kind::Instance, &format!("/instances/{id}"), Expect::Success) else { return };
        self.think();
        if self.chance(40) {
            self.get(Kind::Audit, &format!("/instances/{id}/audit"), Expect::Success);
            self.think();
        }
        self.maybe_download(&view);
        self.decide(&id, &view);
    }

    /// Approves mostly; returns 6 % and rejects 3 % of the time where the step allows it. The
    /// task may have gone to another approver meanwhile: then the view offers no action.
    fn decide(&mut self, id: &str, view: &Value) {
        if !has_action(view, "approve") {
            return;
        }
        let (workflow, step) = (view["workflow"].as_str().unwrap_or(""), view["step"].as_str().unwrap_or(""));
        let roll = self.below(100);
        let back_to = view["return_to"][0]["id"].as_str();
        let (kind, action) = match back_to {
            Some(to) if roll < 6 && has_action(view, "return") => {
                (Kind::Return, json!({ "action": "return", "to": to, "reason": "材料不全，请补充后重新报送。" }))
            }
            _ if roll < 9 && has_action(view, "reject") => {
                (Kind::Reject, json!({ "action": "reject", "comment": "条件尚不成熟，暂缓。" }))
            }
            _ => (Kind::Approve, json!({ "action": "approve", "comment": "同意", "changes": opinion(workflow, step) })),
        };
        if let Some(after) = self.act(kind, id, revision(view), action, Expect::Race)
            && ended(&after)
        {
            let finished = format!("{workflow} {}", after["status"].as_str().unwrap_or("?"));
            *self.tally.finished.entry(finished).or_default() += 1;
        }
    }

    fn read_lists(&mut self) {
        let lists = [(Kind::Tasks, "/tasks"), (Kind::Started, "/started"), (Kind::Cc, "/cc")];
        let (kind, path) = lists[self.below(3) as usize];
        let page = if self.chance(20) { "?page=2&per_page=10" } else { "" };
        self.get(kind, &format!("{path}{page}"), Expect::Success);
    }

    /// An observer opens somebody's application they take no part in: refused.
    fn peek(&mut self) {
        let recent = self.run.recent.lock().unwrap().front().cloned();
        match recent {
            Some(id) => {
                let why = Expect::Refused(403, "someone else's instance");
                self.get(Kind::Bad, &format!("/instances/{id}"), why);
            }
            None => self.read_lists(),
        }
    }

    /// One of the mistakes a client or a person makes, each with the refusal it must get.
    fn bad_request(&mut self) {
        let stranger = uuid::Uuid::new_v4();
        let own = self.open.first().cloned();
        match (self.below(6), own) {
            (0, Some(id)) => {
                let old = json!({ "action": "approve", "comment": "同意" });
                self.act(Kind::Bad, &id, 0, old, Expect::Refused(409, "stale revision"));
            }
            (1, _) => {
                self.get(Kind::Bad, &format!("/instances/{stranger}"), Expect::Refused(404, "no such instance"));
            }
            (2, _) => {
                self.get(Kind::Bad, "/tasks?per_page=0", Expect::Refused(400, "bad page size"));
            }
            (3, _) => {
                let body = json!({ "workflow": "no-such-workflow", "form": {} });
                self.post(Kind::Bad, "/instances", &body, Expect::Refused(404, "no such workflow"));
            }
            (4, _) => {
                let path = format!("/attachments/{}", "0".repeat(64));
                self.get(Kind::Bad, &path, Expect::Refused(403, "download outside an instance"));
            }
            _ => {
                let body = json!({ "request_id": "", "revision": 1, "action": { "action": "approve" } });
                let path = format!("/instances/{stranger}/actions");
                self.post(Kind::Bad, &path, &body, Expect::Refused(400, "empty request id"));
            }
        }
        self.think();
    }
}

fn revision(view: &Value) -> u64 {
    view["revision"].as_u64().unwrap_or(0)
}

fn ended(view: &Value) -> bool {
    view["status"] == "completed" || view["status"] == "rejected"
}

fn has_action(view: &Value, action: &str) -> bool {
    view["actions"].as_array().is_some_and(|a| a.iter().any(|x| x == action))
}

/// A form in three parts, as a person fills it: the start, a saved draft, the rest at submit.
fn split_form(form: &Value) -> (Value, Value, Value) {
    let mut parts = [json!({}), json!({}), json!({})];
    for (n, (key, value)) in form.as_object().into_iter().flatten().enumerate() {
        parts[n % 3][key] = value.clone();
    }
    let [a, b, c] = parts;
    (a, b, c)
}

/// A change the rules refuse at submit.
fn mistake(workflow: &str) -> Value {
    if workflow == "annual-plan" { json!({ "plan_year": 1999 }) } else { json!({ "st_staff_count": -1 }) }
}

/// What an approver writes at a step: their opinion field, and the filing number at filing.
fn opinion(workflow: &str, step: &str) -> Value {
    match (workflow, step) {
        ("annual-plan", "filing") => json!({ "filing_no": "市科协备〔2026〕012号", "filing_opinion": "准予备案。" }),
        (_, step) => json!({ format!("{step}_opinion"): "同意。" }),
    }
}

/// The valid form of annual-plan's main case (cases/01-main-countersign.toml), for this or
/// next year as its rules ask; the items' owners are committee members of the cast.
fn annual_plan_form() -> Value {
    // The year 30 days from now: this year or the next, whatever the day (an average year's
    // length is off by at most a day or two).
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_secs();
    let year = 1970 + (secs + 30 * 86_400) / 31_556_952;
    json!({
        "plan_year": year,
        "kexie_name": "华东能源集团有限公司科学技术协会",
        "annual_goals": "围绕集团“十五五”科技规划，组织群众性技术创新活动，举办学术论坛两次，建设产学研合作平台一个，开展开放式科普活动。",
        "work_systems": "健全常委会季度例会制度；制定科协经费管理办法；完善“讲、比”活动考核评估办法。",
        "requested_funds": "45.00",
        "items": [
            { "category": "jiangbi", "item": "合理化建议与“五小”竞赛", "goal": "征集建议300条", "owner": "cmte01", "quarter": "Q2", "budget": "8.00" },
            { "category": "academic", "item": "新能源技术学术论坛", "goal": "举办论坛2次", "owner": "cmte02", "quarter": "Q3", "budget": "12.50" },
            { "category": "platform", "item": "校企联合实验室", "goal": "签订产学研合作协议1项", "owner": "cmte03", "quarter": "Q4", "budget": "20.00" },
            { "category": "popsci", "item": "企业开放日科普活动", "goal": "面向公众开放2次", "owner": "cmte01", "quarter": "Q2", "budget": "6.00" },
            { "category": "talent", "item": "科技工作者之家建设", "goal": "走访慰问一线科技人员50人", "owner": "cmte02", "quarter": "Q1", "budget": "3.50" }
        ]
    })
}

// ---------------------------------------------------------------------------------------
// Report

struct Report {
    length: Duration,
    window: Duration,
    tally: Tally,
    memory: Vec<Memory>,
}

impl Report {
    fn print(&self) {
        let secs = self.length.as_secs_f64();
        let total = self.tally.samples.len();
        println!("requests: {total} in {secs:.0} s, {:.1}/s", total as f64 / secs);
        println!("\n| outcome | requests |\n|---|---:|");
        for (outcome, n) in &self.tally.outcomes {
            println!("| {outcome} | {n} |");
        }
        let ended: Vec<String> = self.tally.finished.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!("\ninstances ended: {}", ended.join(", "));
        for failure in &self.tally.first_failures {
            eprintln!("failure: {failure}");
        }
        self.print_latency();
        self.print_memory();
    }

    /// p50/p95/p99 per kind in the first window and in the last.
    fn print_latency(&self) {
        let w = self.window.as_secs_f32();
        let end = self.length.as_secs_f32();
        println!("\nlatency, first {w:.0} s against last {w:.0} s (n, p50 / p95 / p99):\n");
        println!("| request | n first | first | n last | last |\n|---|---:|---:|---:|---:|");
        let mut kinds: Vec<Kind> = self.tally.samples.iter().map(|s| s.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let rows = kinds.into_iter().map(|k| (k.name(), Some(k))).chain([("all", None)]);
        for (name, kind) in rows {
            let pick = |from: f32, to: f32| -> Vec<Duration> {
                let mut v: Vec<Duration> = (self.tally.samples.iter())
                    .filter(|s| kind.is_none_or(|k| s.kind == k) && s.at >= from && s.at < to)
                    .map(|s| s.took)
                    .collect();
                v.sort_unstable();
                v
            };
            let (first, last) = (pick(0.0, w), pick(end - w, f32::MAX));
            println!("| {name} | {} | {} | {} | {} |", first.len(), spread(&first), last.len(), spread(&last));
        }
    }

    /// RSS at the end of the first window and at the end, the peak, and the verdict.
    fn print_memory(&self) {
        let w = self.window.as_secs_f64();
        let Some(end) = self.memory.last() else { return };
        let start = self.memory.iter().find(|m| m.at >= w).unwrap_or(end);
        let max = self.memory.iter().map(|m| m.rss).max().unwrap_or(0);
        let series: Vec<String> = self.memory.iter().map(|m| format!("{:.1}", m.rss as f64 / 1024.0)).collect();
        println!("\nserver RSS (MiB) every {:.0} s: {}", self.memory.get(1).map_or(0.0, |m| m.at), series.join(" "));
        println!("\n| server memory | MiB |\n|---|---:|");
        println!("| RSS after the first {w:.0} s ({:.0} s) | {:.1} |", start.at, kib(start.rss));
        println!("| RSS at the end ({:.0} s) | {:.1} |", end.at, kib(end.rss));
        println!("| RSS, highest sample | {:.1} |", kib(max));
        println!("| VmHWM (peak RSS) at the end | {:.1} |", kib(end.hwm));
        // A leak keeps growing; a cache levels off: the second half shows which.
        let half = self.memory.iter().find(|m| m.at >= self.length.as_secs_f64() / 2.0).unwrap_or(end);
        println!("| RSS at half-time ({:.0} s) | {:.1} |", half.at, kib(half.rss));
        let grew = end.rss as f64 - start.rss as f64;
        let pct = 100.0 * grew / start.rss.max(1) as f64;
        let tolerance = RSS_TOLERANCE_KIB.max(start.rss as f64 * RSS_TOLERANCE_PCT / 100.0);
        let verdict = if grew > tolerance { "GREW beyond" } else { "steady, within" };
        println!(
            "\nmemory verdict: RSS {verdict} the tolerance ({:.1} MiB: 10 %, at least 8 MiB): {:+.1} MiB ({pct:+.1} %) \
             from {:.0} s to the end; {:+.1} MiB over the second half",
            tolerance / 1024.0,
            grew / 1024.0,
            start.at,
            (end.rss as f64 - half.rss as f64) / 1024.0,
        );
    }
}

fn spread(sorted: &[Duration]) -> String {
    if sorted.is_empty() {
        return "–".into();
    }
    let p = |q: f64| ms(sorted[((q / 100.0 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1]);
    format!("{} / {} / {}", p(50.0), p(95.0), p(99.0))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn kib(k: u64) -> f64 {
    k as f64 / 1024.0
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}
