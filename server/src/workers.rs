//! The bounded pool engine work runs on: loading a version, evaluating a form, applying an
//! action, running a bundle's cases. A rule may take its whole time budget (a second by
//! default), so it must not run on the few async workers every other request needs: on
//! those, two slow rules held `GET /me` for minutes (issue 12). Here a slow rule delays only
//! its own request; at most `workers` run at once, and a request that waits longer than
//! `queue` for a turn is told to come back (503, `Retry-After`) rather than left hanging.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// Permits for engine work, each run on one of tokio's blocking threads.
pub struct Workers {
    permits: Arc<Semaphore>,
    queue: Duration,
}

impl Workers {
    /// A pool running `size` jobs at once (at least one), whose callers wait `queue` at most.
    pub fn new(size: usize, queue: Duration) -> Self {
        Workers { permits: Arc::new(Semaphore::new(size.max(1))), queue }
    }

    /// Runs `job` on the pool once a permit is free. The permit is held until the job ends,
    /// even if the request that asked for it has gone, so the bound holds.
    pub async fn run<T: Send + 'static>(&self, job: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let permit = match tokio::time::timeout(self.queue, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(busy(self.queue)),
        };
        tokio::task::spawn_blocking(move || {
            let out = job();
            drop(permit);
            out
        })
        .await
        .map_err(|e| {
            tracing::error!("engine work failed: {e}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误，请稍后再试。",
                "Internal error; please try again later.",
            )
        })
    }
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
