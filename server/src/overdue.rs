//! Deadlines that pass with nobody acting: a sweep writes `task.overdue` for each item
//! still open at a step past its deadline, once per step entry. It runs every half
//! minute and when the demo's clock moves.

use std::time::Duration;

use kexie_api::events::{Context, overdue_events};

use crate::error::ApiError;
use crate::state::AppState;

/// How often the sweep runs.
const EVERY: Duration = Duration::from_secs(30);

/// Sweeps every half minute for as long as the server runs.
pub fn start(state: AppState) {
    tokio::spawn(async move {
        loop {
            sweep(&state).await;
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Writes the overdue events due now; failures are logged and tried at the next sweep.
pub async fn sweep(state: &AppState) {
    let ids = match state.store.with_deadlines().await {
        Ok(ids) => ids,
        Err(e) => return tracing::error!("overdue sweep: {e}"),
    };
    for id in ids {
        if let Err(e) = sweep_one(state, &id).await {
            tracing::error!("overdue sweep, instance {id}: {}", e.message.en);
        }
    }
}

async fn sweep_one(state: &AppState, id: &str) -> Result<(), ApiError> {
    let now = state.now();
    let Some(stored) = state.store.stored(id).await? else { return Ok(()) };
    let inst = stored.instance;
    let entry = inst.route.len() as i64;
    // An entry told once is not built again at every sweep while it stays overdue.
    if !inst.is_overdue(now) || state.store.overdue_told(id, entry).await? {
        return Ok(());
    }
    let (wf, _) = state.workflow(&inst.workflow, Some(i64::from(inst.version))).await?;
    let dir = state.directory_at(stored.directory_stamp).await?;
    let task_url = state.config.events.task_url.as_deref();
    let events = overdue_events(&Context { definition: &wf.definition, directory: &dir, now, task_url }, &inst);
    if !events.is_empty() {
        state.store.record_overdue(id, entry, &events).await?;
    }
    Ok(())
}
