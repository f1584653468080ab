//! What every handler shares: configuration, store, keys, and compiled workflows.

use std::collections::HashMap;
use std::sync::Arc;

use kexie_engine::Workflow;
use kexie_engine::definition::Source;
use kexie_engine::instance::Moment;
use kexie_engine::people::{Actor, Directory};
use tokio::sync::RwLock;

use crate::auth::Keys;
use crate::config::Config;
use crate::error::ApiError;
use crate::store::{Store, VersionRow};
use crate::throttle::{ADDRESS_FACTOR, Throttle};
use crate::workers::Workers;

/// A published version: compiled, and as stored.
pub type CachedVersion = (Arc<Workflow>, Arc<VersionRow>);

/// Shared state: cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub keys: Keys,
    pub demo: bool,
    /// Failed token checks per client address.
    /// Forged tokens per claimed subject, and (ten times as many) per client address.
    pub forged_by_subject: Throttle<String>,
    pub forged_by_address: Throttle<std::net::IpAddr>,
    /// Where engine work runs, off the async workers.
    pub workers: Workers,
    /// Compiled workflows by (key, version): versions are immutable, so this never goes stale.
    workflows: RwLock<HashMap<(String, i64), CachedVersion>>,
    /// The directory and the change count it was read at.
    directory: RwLock<Option<(i64, Arc<Directory>)>>,
    /// The last claims seen per user, to write the directory only when they change.
    seen: RwLock<HashMap<String, Actor>>,
    /// Seconds the demo clock runs ahead (`POST /demo/clock`); always 0 outside `--demo`.
    clock_shift: std::sync::atomic::AtomicI64,
    /// When (Unix seconds, by [`AppState::now`]) old request ids were last forgotten.
    requests_forgotten: std::sync::atomic::AtomicI64,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, store: Store, keys: Keys, demo: bool) -> Self {
        AppState(Arc::new(Inner {
            forged_by_subject: Throttle::new(config.auth.failures_per_minute),
            forged_by_address: Throttle::new(config.auth.failures_per_minute.saturating_mul(ADDRESS_FACTOR)),
            workers: Workers::new(config.rules.worker_count(), std::time::Duration::from_millis(config.rules.queue_ms)),
            config,
            store,
            keys,
            demo,
            workflows: RwLock::default(),
            directory: RwLock::default(),
            seen: RwLock::default(),
            clock_shift: std::sync::atomic::AtomicI64::new(0),
            requests_forgotten: std::sync::atomic::AtomicI64::new(0),
        }))
    }

    /// Moves the demo clock forward by `days` (so deadlines and notice periods can be shown).
    pub fn shift_clock(&self, days: i64) {
        if self.demo {
            self.clock_shift.fetch_add(days * 86_400, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Forgets request ids older than a week, at most once an hour per process. A replay
    /// answers a retry, which comes within minutes, and each id keeps a whole response: kept
    /// for ever they would grow the database by kilobytes per action. Called after every
    /// action: the check is an atomic read, and only a due clean-up spawns a task.
    pub fn forget_old_requests(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        const KEPT: i64 = 7 * 86_400;
        let now = self.now();
        let (secs, offset) = (now.0.unix_timestamp(), now.0.offset().whole_seconds());
        let last = self.requests_forgotten.load(Relaxed);
        if secs - last < 3_600 || self.requests_forgotten.compare_exchange(last, secs, Relaxed, Relaxed).is_err() {
            return;
        }
        let Some(cutoff) = Moment::from_unix(secs - KEPT, offset) else { return };
        let store = self.store.clone();
        tokio::spawn(async move {
            match store.forget_requests(&cutoff.to_string()).await {
                Ok(n) if n > 0 => tracing::info!("forgot {n} request ids answered before {cutoff}"),
                Ok(_) => {}
                Err(e) => tracing::error!("forgetting old request ids: {e}"),
            }
        });
    }

    /// Now, at the enterprise's UTC offset.
    pub fn now(&self) -> Moment {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
            + self.clock_shift.load(std::sync::atomic::Ordering::Relaxed);
        Moment::from_unix(secs, i32::from(self.config.utc_offset_hours) * 3600).expect("the clock is sane")
    }

    /// Keeps the directory up to date with the people tokens describe. A token that says
    /// what this replica last wrote for its user writes nothing.
    pub async fn remember(&self, actor: &Actor) -> Result<(), ApiError> {
        if self.seen.read().await.get(&actor.id) == Some(actor) {
            return Ok(());
        }
        self.record(actor).await
    }

    /// What is known of a person: as this replica last wrote them, else the directory's
    /// entry (a query only for someone this replica has not seen).
    pub async fn known(&self, id: &str) -> Result<Option<Actor>, ApiError> {
        if let Some(actor) = self.seen.read().await.get(id) {
            return Ok(Some(actor.clone()));
        }
        Ok(self.directory().await?.get(id).cloned())
    }

    /// Writes a person to the directory whatever this replica last wrote for them: another
    /// replica may have written something else since (an administrator's sync must land).
    pub async fn record(&self, actor: &Actor) -> Result<(), ApiError> {
        self.store.upsert_user(actor, &self.now().to_string()).await?;
        self.seen.write().await.insert(actor.id.clone(), actor.clone());
        Ok(())
    }

    /// A published version, compiled once and cached with its row. Versions are immutable,
    /// so a known (key, version) needs no query; "the newest" asks the store which it is.
    pub async fn workflow(&self, key: &str, version: Option<i64>) -> Result<CachedVersion, ApiError> {
        if let Some(v) = version
            && let Some(hit) = self.workflows.read().await.get(&(key.to_string(), v))
        {
            return Ok(hit.clone());
        }
        let row = self
            .store
            .version(key, version)
            .await?
            .ok_or_else(|| ApiError::not_found(&format!("流程「{key}」"), &format!("workflow '{key}'")))?;
        let id = (row.key.clone(), row.version);
        if let Some(hit) = self.workflows.read().await.get(&id) {
            return Ok(hit.clone());
        }
        let row = Arc::new(row);
        let stored = row.clone();
        let wf = Arc::new(self.workers.run(move || compile(&stored)).await?.map_err(|e| {
            tracing::error!("stored version {}@{} does not load: {e}", row.key, row.version);
            ApiError::from(crate::store::StoreError::Corrupt(e))
        })?);
        let entry = (wf, row);
        self.workflows.write().await.insert(id, entry.clone());
        Ok(entry)
    }

    /// The directory, reloaded only when somebody changed it (on any replica: the store
    /// counts changes).
    pub async fn directory(&self) -> Result<Arc<Directory>, ApiError> {
        let stamp = self.store.directory_stamp().await?;
        self.directory_at(stamp).await
    }

    /// The directory as of a change count the caller already read (with the instance).
    pub async fn directory_at(&self, stamp: i64) -> Result<Arc<Directory>, ApiError> {
        if let Some((seen, dir)) = self.directory.read().await.as_ref()
            && *seen == stamp
        {
            return Ok(dir.clone());
        }
        let dir = Arc::new(self.store.directory().await?);
        *self.directory.write().await = Some((stamp, dir.clone()));
        Ok(dir)
    }
}

/// Compiles a stored version. The server numbers versions: the number stored wins over the
/// `version` written in the file.
pub fn compile(row: &VersionRow) -> Result<Workflow, String> {
    let def = Source { name: "workflow.toml", text: &row.workflow_toml };
    let rules = Source { name: "rules.rhai", text: &row.rules_rhai };
    let mut wf = Workflow::load(&def, &rules).map_err(|d| d.to_string())?;
    wf.definition.version = row.version as u32;
    Ok(wf)
}
