//! Webhook deliveries: one per event and receiver, due at `next_at`, leased by the
//! replica sending it, done, or dead after a day of failures. An instance's events go to
//! a receiver in order: one is due only when none before it is still pending.

use kexie_api::events::{Delivery, ReceiverHealth};
use sqlx::Row;

use super::{Connection, Store, StoreError};

/// A receiver, as the outbox knows it: its name and the event types it takes.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub hook: String,
    /// All when empty.
    pub events: Vec<String>,
}

impl Subscription {
    pub fn takes(&self, kind: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == kind)
    }
}

/// A read of due deliveries slower than this means a bad plan (see `refresh_statistics`).
const SLOW_READ: std::time::Duration = std::time::Duration::from_millis(100);

/// A delivery to send now.
pub struct Due {
    pub seq: i64,
    pub id: String,
    pub kind: String,
    pub body: String,
    pub attempts: i64,
    pub first_at: i64,
}

/// Unix seconds now: delivery times are the real clock's, not the demo's.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Writes the deliveries of one action's events in one statement: `(hook, seq, instance)`.
pub(super) async fn add_deliveries(tx: &mut Connection, rows: &[(&str, i64, &str)]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..rows.len())
        .map(|k| format!("(${}, ${}, ${}, 'pending', $1, $1)", 3 * k + 2, 3 * k + 3, 3 * k + 4))
        .collect();
    let sql = format!(
        "INSERT INTO deliveries (hook, event_seq, instance_id, status, first_at, next_at) VALUES {}",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(unix_now());
    for (hook, seq, instance) in rows {
        query = query.bind(*hook).bind(*seq).bind(*instance);
    }
    query.execute(&mut *tx).await?;
    Ok(())
}

/// `$from, $from+1, …` for `n` values of an `IN (…)`.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|k| format!("${k}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// Up to `limit` deliveries to `hook` due at `now`, each the first still pending of
    /// its instance, and not leased by anyone.
    pub async fn due_deliveries(&self, hook: &str, now: i64, limit: i64) -> Result<Vec<Due>, StoreError> {
        let asked = std::time::Instant::now();
        let rows = sqlx::query(
            "SELECT d.event_seq, d.attempts, d.first_at, e.id, e.type, e.body FROM deliveries d \
             JOIN events e ON e.seq = d.event_seq \
             WHERE d.hook = $1 AND d.status = 'pending' AND d.next_at <= $2 AND d.leased_until <= $2 \
             AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.hook = d.hook AND p.instance_id = d.instance_id \
                             AND p.status = 'pending' AND p.event_seq < d.event_seq) \
             ORDER BY d.event_seq LIMIT $3",
        )
        .bind(hook)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        if asked.elapsed() > SLOW_READ {
            self.refresh_statistics().await?;
        }
        rows.into_iter()
            .map(|r| {
                Ok(Due {
                    seq: r.try_get("event_seq")?,
                    id: r.try_get("id")?,
                    kind: r.try_get("type")?,
                    body: r.try_get("body")?,
                    attempts: r.try_get("attempts")?,
                    first_at: r.try_get("first_at")?,
                })
            })
            .collect()
    }

    /// PostgreSQL plans the query above by its statistics of `deliveries`. When the table
    /// grew from nothing faster than autovacuum analyses it (a burst on a new database),
    /// it probed every pending row per candidate (0.5 s a batch) instead of the
    /// per-instance index: a slow read refreshes them, at most once a minute.
    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        let now = unix_now();
        let last = self.analysed.load(std::sync::atomic::Ordering::Relaxed);
        let ours = self.writers.is_none()
            && now - last >= 60
            && self
                .analysed
                .compare_exchange(last, now, std::sync::atomic::Ordering::Relaxed, std::sync::atomic::Ordering::Relaxed)
                .is_ok();
        if ours {
            tracing::info!("outbox: refreshing PostgreSQL's statistics of deliveries after a slow read");
            sqlx::query("ANALYZE deliveries").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Takes deliveries `seqs` until `until`, but those another replica holds: the ones
    /// that are ours.
    pub async fn lease(&self, hook: &str, seqs: &[i64], now: i64, until: i64) -> Result<Vec<i64>, StoreError> {
        let _turn = self.writer_turn().await;
        let sql = format!(
            "UPDATE deliveries SET leased_until = $1 WHERE hook = $2 AND status = 'pending' AND leased_until <= $3 \
             AND event_seq IN ({}) RETURNING event_seq",
            placeholders(4, seqs.len())
        );
        let mut query = sqlx::query(&sql).bind(until).bind(hook).bind(now);
        for seq in seqs {
            query = query.bind(*seq);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get("event_seq")?)).collect()
    }

    /// The receiver accepted deliveries `seqs`.
    pub async fn delivered(&self, hook: &str, seqs: &[i64]) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        let sql = format!(
            "UPDATE deliveries SET status = 'done', attempts = attempts + 1, next_at = 0, leased_until = 0, \
             last_error = '' WHERE hook = $1 AND event_seq IN ({})",
            placeholders(2, seqs.len())
        );
        let mut query = sqlx::query(&sql).bind(hook);
        for seq in seqs {
            query = query.bind(*seq);
        }
        query.execute(&self.pool).await?;
        Ok(())
    }

    /// It failed with `error`: tried again at `next_at`, or given up (dead) when `None`.
    pub async fn failed(&self, hook: &str, seq: i64, error: &str, next_at: Option<i64>) -> Result<(), StoreError> {
        let status = if next_at.is_some() { "pending" } else { "dead" };
        let next_at = next_at.unwrap_or(0);
        let _turn = self.writer_turn().await;
        sqlx::query(
            "UPDATE deliveries SET status = $1, attempts = attempts + 1, next_at = $2, leased_until = 0, \
             last_error = $3 WHERE hook = $4 AND event_seq = $5",
        )
        .bind(status)
        .bind(next_at)
        .bind(error)
        .bind(hook)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` deliveries, of `status` if given.
    pub async fn deliveries(&self, status: Option<&str>, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.hook, d.instance_id, d.status, d.attempts, d.last_error, d.next_at, e.id, e.type \
             FROM deliveries d JOIN events e ON e.seq = d.event_seq \
             WHERE $1 = '' OR d.status = $1 ORDER BY d.event_seq DESC LIMIT $2",
        )
        .bind(status.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Delivery {
                    hook: r.try_get("hook")?,
                    event_id: r.try_get("id")?,
                    event_type: r.try_get("type")?,
                    instance: r.try_get("instance_id")?,
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    last_error: r.try_get("last_error")?,
                    next_try: r.try_get("next_at")?,
                })
            })
            .collect()
    }

    /// Each subscribed receiver's counts by status and its newest failure not yet mended.
    pub async fn delivery_health(&self) -> Result<Vec<ReceiverHealth>, StoreError> {
        let mut health: Vec<ReceiverHealth> = self
            .hooks
            .iter()
            .map(|s| ReceiverHealth { hook: s.hook.clone(), pending: 0, dead: 0, done: 0, last_error: String::new() })
            .collect();
        let counts = sqlx::query("SELECT hook, status, COUNT(*) AS n FROM deliveries GROUP BY hook, status")
            .fetch_all(&self.pool)
            .await?;
        let failures = sqlx::query(
            "SELECT hook, last_error FROM deliveries WHERE status <> 'done' AND last_error <> '' \
             ORDER BY event_seq DESC LIMIT 200",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in counts {
            let (hook, status, n): (String, String, i64) = (r.try_get("hook")?, r.try_get("status")?, r.try_get("n")?);
            let Some(h) = health.iter_mut().find(|h| h.hook == hook) else { continue };
            match status.as_str() {
                "pending" => h.pending = n,
                "dead" => h.dead = n,
                _ => h.done = n,
            }
        }
        for r in failures {
            let hook: String = r.try_get("hook")?;
            if let Some(h) = health.iter_mut().find(|h| h.hook == hook && h.last_error.is_empty()) {
                h.last_error = r.try_get("last_error")?;
            }
        }
        Ok(health)
    }

    /// Makes dead deliveries (of `hook`, or all) pending again, due now, with a fresh day
    /// of tries: how many.
    pub async fn redeliver(&self, hook: Option<&str>) -> Result<u64, StoreError> {
        let _turn = self.writer_turn().await;
        let now = unix_now();
        let done = sqlx::query(
            "UPDATE deliveries SET status = 'pending', attempts = 0, first_at = $1, next_at = $1, leased_until = 0 \
             WHERE status = 'dead' AND ($2 = '' OR hook = $2)",
        )
        .bind(now)
        .bind(hook.unwrap_or(""))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
