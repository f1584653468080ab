//! The outbox: integration events, written with the action that caused them (each with a
//! delivery for every webhook receiver that takes it), read in order by the feed.

use kexie_api::IntegrationEvent;
use kexie_api::events::FeedItem;
use sqlx::Row;

use super::deliveries::{Subscription, add_deliveries};
use super::{Connection, Store, StoreError, from_json, to_json};

/// Appends `events` in order, numbering them after the last, each with a delivery for
/// every hook that takes it. The counter's row stays locked until the action commits.
pub(super) async fn append_events(
    tx: &mut Connection,
    events: &[IntegrationEvent],
    hooks: &[Subscription],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len() as i64;
    let row = sqlx::query("UPDATE event_seq SET last = last + $1 WHERE id = 1 RETURNING last")
        .bind(n)
        .fetch_one(&mut *tx)
        .await?;
    let last: i64 = row.try_get("last")?;
    // One statement for all of them: each costs a round trip to the database's thread.
    let values: Vec<String> = (0..events.len())
        .map(|k| {
            format!("(${}, ${}, ${}, ${}, ${}, ${})", 6 * k + 1, 6 * k + 2, 6 * k + 3, 6 * k + 4, 6 * k + 5, 6 * k + 6)
        })
        .collect();
    let sql = format!("INSERT INTO events (seq, id, type, instance_id, at, body) VALUES {}", values.join(", "));
    let mut insert = sqlx::query(&sql);
    let mut deliveries = Vec::new();
    for (k, e) in events.iter().enumerate() {
        let seq = last - n + 1 + k as i64;
        insert = insert.bind(seq).bind(&e.id).bind(&e.kind).bind(&e.instance.id).bind(&e.at).bind(to_json(e));
        let takers = hooks.iter().filter(|h| h.takes(&e.kind));
        deliveries.extend(takers.map(|h| (h.hook.as_str(), seq, e.instance.id.as_str())));
    }
    insert.execute(&mut *tx).await?;
    add_deliveries(tx, &deliveries).await
}

impl Store {
    /// Up to `limit` events after `after`, oldest first.
    pub async fn events_after(&self, after: i64, limit: i64) -> Result<Vec<FeedItem>, StoreError> {
        let rows = sqlx::query("SELECT seq, body FROM events WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| Ok(FeedItem { cursor: r.try_get("seq")?, event: from_json(&r.try_get::<String, _>("body")?)? }))
            .collect()
    }

    /// The instances with an open task that has a deadline: where one may pass.
    pub async fn with_deadlines(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT instance_id FROM open_tasks WHERE due_at IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(|r| Ok(r.try_get("instance_id")?)).collect()
    }

    /// Whether the `task.overdue` events of `instance`'s step entry `entry` were written.
    pub async fn overdue_told(&self, instance: &str, entry: i64) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM overdue_sent WHERE instance_id = $1 AND entry = $2")
            .bind(instance)
            .bind(entry)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Writes the `task.overdue` events of `instance`'s step entry `entry`, unless they
    /// were written before (say by another replica's sweep).
    pub async fn record_overdue(
        &self,
        instance: &str,
        entry: i64,
        events: &[IntegrationEvent],
    ) -> Result<(), StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.pool.begin().await?;
        let first = sqlx::query("INSERT INTO overdue_sent (instance_id, entry) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(instance)
            .bind(entry)
            .execute(&mut *tx)
            .await?;
        if first.rows_affected() == 1 {
            append_events(&mut tx, events, &self.hooks).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
