//! The bounded pool engine work runs on: loading a version, evaluating a form, applying an
//! action, running a bundle's cases. A rule may take its whole time budget (a second by
//! default), so it must not run on the few async workers every other request needs: on
//! those, two slow rules held `GET /me` for minutes (issue 12). Here a slow rule delays only
//! its own request; at most `size` jobs run at once, and a request that waits longer than
//! `queue` for a turn is told to come back (503, `Retry-After`) rather than left hanging.
//!
//! The threads are the pool's own, each with the stack a rule call runs on
//! (`kexie_engine::rules::limits::STACK_BYTES`, reserved and touched only as deep as a call
//! goes), so calls run in place: elsewhere the engine maps a fresh stack segment per call,
//! which cost ~15 µs an evaluation.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use kexie_engine::rules::limits::STACK_BYTES;
use tokio::sync::{Semaphore, oneshot};

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of engine threads and the permits to use them.
pub struct Workers {
    permits: Arc<Semaphore>,
    jobs: Sender<Job>,
    queue: Duration,
}

impl Workers {
    /// Starts `size` threads (at least one); callers wait `queue` at most for a turn.
    pub fn new(size: usize, queue: Duration) -> Self {
        let size = size.max(1);
        let (jobs, inbox) = channel::<Job>();
        let inbox = Arc::new(Mutex::new(inbox));
        for n in 0..size {
            let inbox = inbox.clone();
            std::thread::Builder::new()
                .name(format!("kexie-engine-{n}"))
                // Room for the call's own segment and for what runs around it.
                .stack_size(STACK_BYTES + (4 << 20))
                .spawn(move || work(&inbox))
                .expect("an engine thread starts");
        }
        Workers { permits: Arc::new(Semaphore::new(size)), jobs, queue }
    }

    /// Runs `job` on the pool once a permit is free. The permit is held until the job ends,
    /// even if the request that asked for it has gone, so the bound holds.
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let permit = match tokio::time::timeout(self.queue, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(busy(self.queue)),
        };
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(job());
            drop(permit);
        });
        let sent = self.jobs.send(job).is_ok();
        match (sent, result.await) {
            (true, Ok(out)) => Ok(out),
            _ => Err(failed()),
        }
    }
}

/// One engine thread: takes jobs until the pool is gone. A job that panics loses its
/// answer (the request gets 500), not the thread.
fn work(inbox: &Mutex<Receiver<Job>>) {
    loop {
        let job = match inbox.lock() {
            Ok(inbox) => inbox.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        if std::panic::catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("engine work panicked");
        }
    }
}

fn failed() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "服务器内部错误，请稍后再试。",
        "Internal error; please try again later.",
    )
}

fn busy(waited: Duration) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "服务器正忙于处理其他规则，请稍后再试。",
        "the server is busy running other rules; please try again shortly.",
    );
    e.retry_after = Some(waited.as_secs().max(1));
    e
}
