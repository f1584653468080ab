//! A webhook receiver in a process of its own (server/tests/fixtures/receiver.py).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Server, get, repo, token};

/// The secret the receiver checks signatures with.
pub const HOOK_SECRET: &str = "a-receiver-secret-of-some-length";

/// The receiver, killed when dropped; what it accepted is in `out`.
pub struct Receiver {
    child: Child,
    pub port: u16,
    out: std::path::PathBuf,
}

impl Receiver {
    /// With receiver.py's flags (`--fail N`, `--slow S`, `--hang N`, `--port P`).
    pub fn start(name: &str, flags: &[&str]) -> Receiver {
        let out = std::env::temp_dir().join(format!("kexie-hook-{}-{name}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&out);
        let mut child = Command::new("python3")
            .arg(repo().join("server/tests/fixtures/receiver.py"))
            .args(["--secret", HOOK_SECRET, "--out", out.to_str().unwrap()])
            .args(flags)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Receiver { child, port: line.trim().parse().expect("the receiver's port"), out }
    }

    /// `[[webhooks]]` for this receiver.
    pub fn config(&self) -> String {
        format!("[[webhooks]]\nurl = \"http://127.0.0.1:{}/hook\"\nsecret = \"{HOOK_SECRET}\"\n", self.port)
    }

    /// Every request it accepted, in the order they came (an event sent again, again).
    pub fn received(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).collect()
    }

    /// The events it accepted so far for instance `id`, in the order they came.
    pub fn events_of(&self, id: &str) -> Vec<Value> {
        self.received().into_iter().filter(|l| l["event"]["instance"]["id"] == id).collect()
    }

    /// Each instance's event ids in the order they first came, deduplicated as a receiver
    /// would; and how many arrived more than once.
    pub fn deduplicated(&self) -> (BTreeMap<String, Vec<String>>, usize) {
        let (mut seen, mut per_instance, mut duplicates) = (HashSet::new(), BTreeMap::new(), 0);
        for line in self.received() {
            let id = line["id"].as_str().unwrap().to_string();
            if !seen.insert(id.clone()) {
                duplicates += 1;
                continue;
            }
            let instance = line["event"]["instance"]["id"].as_str().unwrap().to_string();
            per_instance.entry(instance).or_insert_with(Vec::new).push(id);
        }
        (per_instance, duplicates)
    }
}

impl Receiver {
    /// Waits until it has every event of `server`'s feed (deduplicated): per instance, the
    /// ids in the order they first arrived, and how many came more than once.
    pub fn all_of(&self, server: &Server, within: Duration) -> (BTreeMap<String, Vec<String>>, usize) {
        let want = feed_ids(server);
        let deadline = Instant::now() + within;
        loop {
            let (got, duplicates) = self.deduplicated();
            if got == want || Instant::now() > deadline {
                assert_eq!(got, want, "every event, each instance's in the feed's order");
                return (got, duplicates);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Every instance's event ids as the feed holds them, in order.
pub fn feed_ids(server: &Server) -> BTreeMap<String, Vec<String>> {
    let mut per_instance = BTreeMap::new();
    let (status, page) = get(&server.url("/events?limit=500"), Some(&token("boss", &["admin"])));
    assert_eq!(status, 200, "{page}");
    for item in page["items"].as_array().unwrap() {
        let e = &item["event"];
        let instance = e["instance"]["id"].as_str().unwrap().to_string();
        per_instance.entry(instance).or_insert_with(Vec::new).push(e["id"].as_str().unwrap().to_string());
    }
    per_instance
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
