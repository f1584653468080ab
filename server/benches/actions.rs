//! Approval actions per second, and their latency, of a real `kexie serve` over loopback HTTP:
//! on a fresh SQLite file always, on PostgreSQL too when KEXIE_BENCH_POSTGRES_URL names a
//! database it may fill (scripts/bench.sh starts a throwaway one). Run with `cargo bench -p
//! kexie-server --bench actions [-- sqlite|postgres]`; BENCHMARKS.md has the figures and what
//! they mean.
//!
//! Each measured request is one real approval of a kexie-formation instance: the instances
//! are created and submitted beforehand (not timed), then every client walks its own
//! instances through the four approval steps, party → leadership → upper_kexie → sasac, each
//! request carrying the revision the previous answer gave. Clients never share an instance,
//! so no request meets a conflict: every answer must be 200, and a run with any other answer
//! is reported as failed rather than as a figure.
//!
//! Then the 50-client run again on a server with two webhook receivers subscribed (served
//! by this process, `common/receiver.rs`): what the outbox costs the actions, and how long
//! an event takes from the action's answer to its receipt at each receiver, until the
//! outbox is drained.

// The tests' way to start a server, sign tokens and sync the directory.
#[path = "../tests/support/mod.rs"]
mod support;

mod common;

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::receiver::{Receivers, drained};
use common::{TempDir, databases};
use serde::Deserialize;
use serde_json::{Value, json};
use support::{FORMATION_PEOPLE, Server, config_file, cpu_time, formation_form_of, formation_token, sync_directory};

/// One measured run: how many clients, each on its own thread and keep-alive connection, send
/// how many approvals in all. A multiple of 4 (the approvals of one instance).
struct Run {
    clients: usize,
    requests: usize,
    /// A client sends at most one approval per this long.
    pace: Option<Duration>,
}

const RUNS: &[Run] =
    &[Run { clients: 1, requests: 2_000, pace: None }, Run { clients: 50, requests: 10_000, pace: None }];

/// With two receivers: at full speed, and with each client sending at most one approval
/// per 100 ms (at most 500/s: load that leaves the cores time for sending).
const HOOKED_RUNS: &[Run] = &[
    Run { clients: 50, requests: 10_000, pace: None },
    Run { clients: 50, requests: 6_000, pace: Some(Duration::from_millis(100)) },
];

/// Before measuring, untimed: the server records each approver the first time it sees them,
/// compiles the workflow on first use and fills the database's caches.
const WARM_UP: Run = Run { clients: 10, requests: 400, pace: None };

/// The approval steps of kexie-formation after submit: who approves, and the opinion they write.
/// upper_kexie must write one (a rule); the others do too, so every request is alike.
const STEPS: [(&str, &str); 4] = [
    ("zhou", "party_opinion"),
    ("wu", "leadership_opinion"),
    ("sun", "upper_kexie_opinion"),
    ("feng", "sasac_opinion"),
];

fn main() {
    let failed = {
        let dir = TempDir::new("bench");
        bench(&dir.0)
    };
    if failed {
        eprintln!("some approvals failed: these figures are not a result");
        std::process::exit(1);
    }
}

/// Runs every database and prints the tables; true if any approval failed.
fn bench(dir: &Path) -> bool {
    let mut failed = false;
    println!("| database | clients | approvals | errors | actions/s | p50 | p99 | max | server CPU per approval |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, url) in databases(dir.join("kexie.db")) {
        let server = Server::start(&url);
        sync_directory(&server, FORMATION_PEOPLE);
        failed |= errors(name, &WARM_UP, &measure(&server, &WARM_UP));
        for run in RUNS {
            let result = measure(&server, run);
            println!("{}", result.row(name, run));
            failed |= errors(name, run, &result);
        }
    }
    println!("\nWith two webhook receivers:\n");
    println!(
        "| database | clients | approvals | errors | actions/s | p50 | p99 | events per receiver | delivery p50 | delivery p99 | drained after | server CPU per approval, until drained |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, url) in databases(dir.join("hooks.db")) {
        for run in HOOKED_RUNS {
            failed |= bench_webhooks(name, &url, run);
        }
    }
    failed
}

/// The 50-client run with two receivers subscribed; then waits for the outbox to drain and
/// times each event from the approval's answer to its arrival. True if any approval failed.
fn bench_webhooks(name: &str, url: &str, run: &Run) -> bool {
    let receivers = Receivers::start(2, 0);
    let config = config_file(&format!("bench-hooks-{name}"), &receivers.config());
    let server = Server::start_extra(url, &["--config", &config], &[]);
    sync_directory(&server, FORMATION_PEOPLE);
    let mut failed = errors(name, &WARM_UP, &measure(&server, &WARM_UP));
    let result = measure(&server, run);
    failed |= errors(name, run, &result);
    let ended = Instant::now();
    drained(&server);
    let drained_after = ended.elapsed();
    let cpu = result.cpu + cpu_time(server.pid()).saturating_sub(result.cpu_at_end);
    let mut delays = Vec::new();
    let mut per_receiver = Vec::new();
    for seen in &receivers.seen {
        let arrived = seen.arrived.lock().unwrap();
        let before = delays.len();
        for (id, revision, answered) in &result.answered {
            let events = (0..).map_while(|k| arrived.get(&format!("{id}.{revision}.{k}")));
            delays.extend(events.map(|at| at.saturating_duration_since(*answered)));
        }
        per_receiver.push(delays.len() - before);
    }
    delays.sort_unstable();
    let per_second = result.latencies.len() as f64 / result.wall.as_secs_f64();
    let counts: Vec<String> = per_receiver.iter().map(usize::to_string).collect();
    println!(
        "| {name} | {} | {} | {} | {per_second:.0} | {} | {} | {} | {} | {} | {:.1} s | {} |",
        match run.pace {
            Some(p) => format!("{}, one per {} ms each", run.clients, p.as_millis()),
            None => run.clients.to_string(),
        },
        result.latencies.len(),
        result.errors,
        ms(percentile(&result.latencies, 50.0)),
        ms(percentile(&result.latencies, 99.0)),
        counts.join(" / "),
        ms(percentile(&delays, 50.0)),
        ms(percentile(&delays, 99.0)),
        drained_after.as_secs_f64(),
        ms(cpu / result.latencies.len().max(1) as u32)
    );
    failed
}

/// Says how many approvals of a run failed, and the first failure; true if any did.
fn errors(database: &str, run: &Run, result: &Outcome) -> bool {
    if let Some(error) = &result.first_error {
        eprintln!("{database}, {} clients: {} errors; the first: {error}", run.clients, result.errors);
    }
    result.errors > 0
}

/// An HTTP client on one keep-alive connection (ureq pools it in the agent). Answers of any
/// status come back as `Ok`, so that the bench counts them.
struct Client {
    agent: ureq::Agent,
}

impl Client {
    fn new() -> Client {
        Client { agent: ureq::Agent::config_builder().http_status_as_error(false).build().into() }
    }

    fn post(&self, url: &str, token: &str, body: &Value) -> Result<(u16, String), ureq::Error> {
        let mut resp = self.agent.post(url).header("Authorization", &format!("Bearer {token}")).send_json(body)?;
        // Reading the whole body returns the connection to the pool for the next request.
        let text = resp.body_mut().read_to_string()?;
        Ok((resp.status().as_u16(), text))
    }
}

/// The part of an instance view the bench needs.
#[derive(Deserialize)]
struct View {
    id: String,
    revision: u64,
}

/// A submitted instance waiting at the party step, and the revision it is at.
struct Pending {
    id: String,
    revision: u64,
}

/// Creates and submits `count` instances, a few clients at a time; not timed.
fn prepare(server: &Server, count: usize) -> Vec<Pending> {
    const CLIENTS: usize = 4;
    let (base, li) = (server.url(""), formation_token("li"));
    let form = formation_form_of(server, &li);
    let handles: Vec<_> = (0..CLIENTS)
        .map(|k| {
            let (base, li, form) = (base.clone(), li.clone(), form.clone());
            let share = count / CLIENTS + usize::from(k < count % CLIENTS);
            thread::spawn(move || {
                let client = Client::new();
                (0..share).map(|_| submitted(&client, &base, &li, &form)).collect::<Vec<_>>()
            })
        })
        .collect();
    handles.into_iter().flat_map(|h| h.join().expect("preparing instances")).collect()
}

fn submitted(client: &Client, base: &str, li: &str, form: &Value) -> Pending {
    let start = json!({ "workflow": "kexie-formation", "form": form });
    let (status, text) = client.post(&format!("{base}/instances"), li, &start).expect("the server answers");
    assert_eq!(status, 201, "starting an instance: {text}");
    let view: View = serde_json::from_str(&text).expect("an instance view");
    let submit = json!({ "request_id": uuid::Uuid::new_v4().to_string(), "revision": view.revision,
        "action": { "action": "submit" } });
    let url = format!("{base}/instances/{}/actions", view.id);
    let (status, text) = client.post(&url, li, &submit).expect("the server answers");
    assert_eq!(status, 200, "submitting: {text}");
    let view: View = serde_json::from_str(&text).expect("an instance view");
    Pending { id: view.id, revision: view.revision }
}

/// What one run gave.
#[derive(Default)]
struct Outcome {
    /// One per approval answered 200; sorted once the run is over.
    latencies: Vec<Duration>,
    /// Answers other than 200, and requests that got no answer.
    errors: usize,
    first_error: Option<String>,
    /// From the start signal until the last client finished.
    wall: Duration,
    /// Each approval's instance, the revision it left, and when its answer came.
    answered: Vec<(String, u64, Instant)>,
    /// The server's CPU time over the run, and its total when the run ended.
    cpu: Duration,
    cpu_at_end: Duration,
}

impl Outcome {
    fn add(&mut self, other: Outcome) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.answered.extend(other.answered);
    }

    /// A row of the results table.
    fn row(&self, database: &str, run: &Run) -> String {
        let per_second = self.latencies.len() as f64 / self.wall.as_secs_f64();
        format!(
            "| {database} | {} | {} | {} | {per_second:.0} | {} | {} | {} | {} |",
            run.clients,
            self.latencies.len(),
            self.errors,
            ms(percentile(&self.latencies, 50.0)),
            ms(percentile(&self.latencies, 99.0)),
            ms(self.latencies.last().copied().unwrap_or_default()),
            ms(self.cpu / self.latencies.len().max(1) as u32),
        )
    }
}

/// Nearest rank: the smallest latency that `p` % of the requests did not exceed.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Prepares the instances (not timed), then lets `run.clients` clients loose on them at once.
fn measure(server: &Server, run: &Run) -> Outcome {
    assert!(run.requests.is_multiple_of(STEPS.len()), "whole instances only");
    let mut shares: Vec<Vec<Pending>> = (0..run.clients).map(|_| Vec::new()).collect();
    for (n, pending) in prepare(server, run.requests / STEPS.len()).into_iter().enumerate() {
        shares[n % run.clients].push(pending);
    }
    // Tokens are signed once: the host OA hands a user one token for many requests.
    let tokens: Arc<Vec<String>> = Arc::new(STEPS.iter().map(|(who, _)| formation_token(who)).collect());
    let start = Arc::new(Barrier::new(run.clients + 1));
    let handles: Vec<_> = shares
        .into_iter()
        .map(|share| {
            let (base, tokens, start) = (server.url(""), tokens.clone(), start.clone());
            let pace = run.pace;
            thread::spawn(move || approve_all(&base, &tokens, share, &start, pace))
        })
        .collect();
    start.wait();
    let (began, cpu_before) = (Instant::now(), cpu_time(server.pid()));
    let mut outcome = Outcome::default();
    for h in handles {
        outcome.add(h.join().expect("a client thread"));
    }
    outcome.wall = began.elapsed();
    outcome.cpu_at_end = cpu_time(server.pid());
    outcome.cpu = outcome.cpu_at_end.saturating_sub(cpu_before);
    outcome.latencies.sort_unstable();
    outcome
}

/// One client: takes each of its instances through every approval step, timing each request.
/// After a failed approval the rest of that instance's steps are skipped (its revision is
/// unknown), so errors also show as fewer approvals.
fn approve_all(base: &str, tokens: &[String], share: Vec<Pending>, start: &Barrier, pace: Option<Duration>) -> Outcome {
    let client = Client::new();
    let mut out = Outcome { latencies: Vec::with_capacity(share.len() * STEPS.len()), ..Outcome::default() };
    start.wait();
    for pending in share {
        let url = format!("{base}/instances/{}/actions", pending.id);
        let mut revision = pending.revision;
        for ((_, opinion), token) in STEPS.iter().zip(tokens) {
            let body = json!({
                "request_id": uuid::Uuid::new_v4().to_string(),
                "revision": revision,
                "action": { "action": "approve", "comment": "同意", "changes": { *opinion: "同意。" } }
            });
            let sent = Instant::now();
            let answer = client.post(&url, token, &body);
            let took = sent.elapsed();
            match approved(answer) {
                Ok(view) => {
                    out.latencies.push(took);
                    out.answered.push((pending.id.clone(), view.revision, sent + took));
                    revision = view.revision;
                }
                Err(error) => {
                    out.errors += 1;
                    out.first_error.get_or_insert(error);
                    break;
                }
            }
            if let Some(rest) = pace.and_then(|p| p.checked_sub(sent.elapsed())) {
                thread::sleep(rest);
            }
        }
    }
    out
}

/// The view a 200 answer carries, or what went wrong.
fn approved(answer: Result<(u16, String), ureq::Error>) -> Result<View, String> {
    match answer {
        Ok((200, text)) => serde_json::from_str(&text).map_err(|e| format!("200 without a view ({e}): {text}")),
        Ok((status, text)) => Err(format!("{status}: {text}")),
        Err(e) => Err(format!("no answer: {e}")),
    }
}
