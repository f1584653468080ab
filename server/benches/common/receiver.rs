//! Webhook receivers for the benches, served by the bench process itself (axum on loopback,
//! a process apart from the server): each notes when every event arrived, and may answer
//! 500 to every n-th call to play a failing receiver.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use crate::support::{Server, get, token};

pub const SECRET: &str = "a-bench-receiver-secret";

/// What one receiver saw.
#[derive(Default)]
pub struct Seen {
    /// Event id → when it first arrived.
    pub arrived: Mutex<HashMap<String, Instant>>,
    pub calls: AtomicU64,
    pub duplicates: AtomicU64,
    /// Answer 500 to every `fail_every`-th call; 0: never.
    fail_every: u64,
}

pub struct Receivers {
    pub urls: Vec<String>,
    pub seen: Vec<Arc<Seen>>,
    _runtime: tokio::runtime::Runtime,
}

impl Receivers {
    pub fn start(count: usize, fail_every: u64) -> Receivers {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let (mut urls, mut seen) = (Vec::new(), Vec::new());
        for _ in 0..count {
            let state = Arc::new(Seen { fail_every, ..Seen::default() });
            let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
            urls.push(format!("http://{}/hook", listener.local_addr().unwrap()));
            let app = axum::Router::new().route("/hook", axum::routing::post(take)).with_state(state.clone());
            runtime.spawn(async move { axum::serve(listener, app).await });
            seen.push(state);
        }
        Receivers { urls, seen, _runtime: runtime }
    }

    /// The `[[webhooks]]` of kexie.toml for them.
    pub fn config(&self) -> String {
        self.urls.iter().map(|u| format!("[[webhooks]]\nurl = \"{u}\"\nsecret = \"{SECRET}\"\n\n")).collect()
    }
}

async fn take(State(seen): State<Arc<Seen>>, headers: HeaderMap, _body: Bytes) -> StatusCode {
    let call = seen.calls.fetch_add(1, Ordering::Relaxed) + 1;
    if seen.fail_every > 0 && call.is_multiple_of(seen.fail_every) {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let id = headers.get("kexie-event-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let mut arrived = seen.arrived.lock().unwrap();
    match arrived.entry(id) {
        Entry::Occupied(_) => _ = seen.duplicates.fetch_add(1, Ordering::Relaxed),
        Entry::Vacant(v) => _ = v.insert(Instant::now()),
    }
    StatusCode::OK
}

/// Waits until no delivery is pending or dead at any receiver (the outbox is drained):
/// how many each receiver has had delivered.
pub fn drained(server: &Server) -> Vec<i64> {
    let admin = token("bench-admin", &["admin"]);
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        let (status, health) = get(&server.url("/deliveries/health"), Some(&admin));
        assert_eq!(status, 200, "{health}");
        let receivers = health.as_array().unwrap();
        let count = |h: &serde_json::Value, what: &str| h[what].as_i64().unwrap();
        if receivers.iter().all(|h| count(h, "pending") + count(h, "dead") == 0) {
            return receivers.iter().map(|h| count(h, "done")).collect();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the outbox did not drain in 10 minutes");
}
