//! Storage: every SQL statement of the server, for SQLite and PostgreSQL alike (sqlx's
//! `Any` driver, one set of migrations, `$n` placeholders both understand).

mod attachments;
mod audit;
mod deliveries;
mod directory;
mod events;
mod instances;
mod lists;
mod report_sql;
mod reports;
mod workflows;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use deliveries::{Due, Subscription, unix_now};
pub use directory::Contact;
pub use instances::{Applied, Replay, Request, Stored, Write};
pub use lists::{List, ListItem, Page};
pub use report_sql::Scope;
pub use workflows::VersionRow;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database said no.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The migrations failed.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Somebody changed the instance since the caller read it.
    #[error("the instance changed meanwhile (now at revision {0})")]
    Conflict(i64),
    /// Stored data that does not read back.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

/// The database behind the server.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// SQLite has one writer: queueing writers here wakes each as soon as the last is
    /// done, instead of SQLite's busy handler sleeping them in steps of up to 100 ms.
    writers: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// When PostgreSQL's statistics of deliveries were last refreshed (unix seconds).
    analysed: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// The webhook receivers each event is written out for.
    hooks: std::sync::Arc<Vec<Subscription>>,
}

impl Store {
    /// Connects (creating an SQLite file if needed) and migrates. `url` is
    /// `sqlite://path.db` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let url = if sqlite && !url.contains('?') { format!("{url}?mode=rwc") } else { url.to_string() };
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 16 })
            // A local file needs no liveness ping before every query.
            .test_before_acquire(!sqlite)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // WAL lets readers run beside the one writer; waits rather than fails.
                        // A connection plans by the statistics it finds when it opens: `optimize`
                        // first analyses, within a bounded effort, the tables that never were or
                        // have grown or shrunk a lot since (without statistics a report probed each
                        // value's primary key and the table, not the covering index). The pool
                        // replaces every connection within 30 minutes, so they stay fresh.
                        // No automatic checkpoints: `checkpoints` runs them beside the writers.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
                             PRAGMA optimize = 0x10002; PRAGMA wal_autocheckpoint = 0;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let store = Store {
            pool,
            writers: sqlite.then(Default::default),
            hooks: Default::default(),
            analysed: Default::default(),
        };
        if let Some(writers) = &store.writers {
            tokio::spawn(checkpoints(store.pool.clone(), std::sync::Arc::downgrade(writers)));
        }
        Ok(store)
    }

    /// Writes a delivery for each of `hooks` with every event from now on.
    pub fn subscribe(mut self, hooks: Vec<Subscription>) -> Store {
        self.hooks = std::sync::Arc::new(hooks);
        self
    }

    /// Waits for this writer's turn (SQLite only; PostgreSQL takes writers side by side).
    async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.writers {
            Some(queue) => Some(queue.lock().await),
            None => None,
        }
    }
}

/// How often SQLite's write-ahead log is copied back into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Checkpoints SQLite's write-ahead log every half second for as long as the store is in
/// use (`alive`), without taking a writer's turn. Left to SQLite, the checkpoint runs in the
/// commit that takes the log past 1,000 pages, while every other writer waits its turn.
async fn checkpoints(pool: AnyPool, alive: std::sync::Weak<tokio::sync::Mutex<()>>) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if alive.strong_count() == 0 || pool.is_closed() {
            return;
        }
        if let Err(e) = pool.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!("checkpointing the SQLite log: {e}");
        }
    }
}

/// A connection inside a transaction.
type Connection = sqlx::AnyConnection;

/// JSON in a TEXT column.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("engine types serialize")
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}
