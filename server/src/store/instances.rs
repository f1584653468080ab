//! Instances and everything an action writes, in one transaction.

use kexie_engine::instance::{Event, Instance};
use sqlx::Row;

use super::audit::chain_hash;
use super::{Store, StoreError, from_json, to_json};

/// An instance as stored, with the head of its audit chain.
pub struct Stored {
    pub instance: Instance,
    /// The last entry's sequence number and hash (0 and "" before the first).
    pub audit_head: (i64, String),
    /// The directory's change count when this was read: one query serves both.
    pub directory_stamp: i64,
}

/// Everything one accepted action writes.
pub struct Write<'a> {
    /// The instance after the action.
    pub instance: &'a Instance,
    /// The instance as read before the action; `None` when it is new.
    pub before: Option<&'a Stored>,
    /// The audit entries to append.
    pub events: &'a [Event],
    /// The client's request and the response it gets, so a replay returns it again.
    pub request: Option<Request<'a>>,
    /// Now (RFC 3339).
    pub now: &'a str,
}

/// A client's request id, who sent it, what it asked (a digest of its body) and the
/// response it got.
pub struct Request<'a> {
    pub id: &'a str,
    pub user: &'a str,
    pub digest: &'a str,
    pub status: u16,
    pub response: String,
}

/// A request id applied before: the digest of what it asked, and its answer.
pub struct Replay {
    pub digest: String,
    pub status: u16,
    pub response: String,
}

/// The outcome of a write.
pub enum Applied {
    /// Written.
    Done,
    /// This request id was applied before.
    Replayed(Replay),
}

impl Store {
    /// Reads an instance with its audit head, to act on it.
    pub async fn stored(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        let row = sqlx::query(
            "SELECT state, audit_seq, audit_hash, (SELECT stamp FROM directory_stamp WHERE id = 1) AS stamp \
             FROM instances WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let instance = from_json(&r.try_get::<String, _>("state")?)?;
        let audit_head = (r.try_get("audit_seq")?, r.try_get("audit_hash")?);
        Ok(Some(Stored { instance, audit_head, directory_stamp: r.try_get("stamp")? }))
    }

    /// What a request id already applied asked, and its answer.
    pub async fn replayed(&self, request_id: &str) -> Result<Option<Replay>, StoreError> {
        let row = sqlx::query("SELECT digest, status, response FROM requests WHERE request_id = $1")
            .bind(request_id)
            .fetch_optional(&self.pool)
            .await?;
        let read = |r: sqlx::any::AnyRow| {
            Ok::<_, sqlx::Error>(Replay {
                digest: r.try_get("digest")?,
                status: r.try_get::<i64, _>("status")? as u16,
                response: r.try_get("response")?,
            })
        };
        Ok(row.map(read).transpose()?)
    }

    /// Forgets the request ids answered before `before` (RFC 3339, as written); returns how many.
    pub async fn forget_requests(&self, before: &str) -> Result<u64, StoreError> {
        let _turn = self.writer_turn().await;
        let done = sqlx::query("DELETE FROM requests WHERE created_at < $1").bind(before).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }

    /// Writes an action: the instance (only if nobody changed it since `w.before` was read), its
    /// open tasks and copies, its audit entries and the request id — all or nothing.
    pub async fn write(&self, w: Write<'_>) -> Result<Applied, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = self.pool.begin().await?;
        // The request id first: of two identical requests only one gets past here.
        if let Some(r) = &w.request {
            let inserted = sqlx::query(
                "INSERT INTO requests (request_id, user_id, digest, status, response, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(r.id)
            .bind(r.user)
            .bind(r.digest)
            .bind(r.status as i64)
            .bind(&r.response)
            .bind(w.now)
            .execute(&mut *tx)
            .await;
            if let Err(e) = inserted {
                drop(tx); // the same request id won a race: answer with its response
                return match self.replayed(r.id).await? {
                    Some(replay) => Ok(Applied::Replayed(replay)),
                    None => Err(e.into()),
                };
            }
        }
        let i = w.instance;
        let state = to_json(i);
        let (rev, status) = (i.revision as i64, i.status.as_str());
        let (mut seq, mut prev) = w.before.map_or((0, String::new()), |b| b.audit_head.clone());
        let entries: Vec<(i64, String, String, String)> = w
            .events
            .iter()
            .map(|event| {
                let entry = to_json(event);
                let hash = chain_hash(&prev, &entry);
                seq += 1;
                (seq, entry, std::mem::replace(&mut prev, hash.clone()), hash)
            })
            .collect();
        match w.before {
            None => {
                sqlx::query(
                    "INSERT INTO instances (id, workflow, version, initiator, status, step, revision, state, created_at, \
                     updated_at, audit_seq, audit_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&i.id)
                .bind(&i.workflow)
                .bind(i.version as i64)
                .bind(&i.initiator.id)
                .bind(status)
                .bind(&i.step)
                .bind(rev)
                .bind(&state)
                .bind(w.now)
                .bind(w.now)
                .bind(seq)
                .bind(&prev)
                .execute(&mut *tx)
                .await?;
            }
            Some(before) => {
                let updated = sqlx::query(
                    "UPDATE instances SET status = $1, step = $2, revision = $3, state = $4, updated_at = $5, \
                     audit_seq = $6, audit_hash = $7 WHERE id = $8 AND revision = $9",
                )
                .bind(status)
                .bind(&i.step)
                .bind(rev)
                .bind(&state)
                .bind(w.now)
                .bind(seq)
                .bind(&prev)
                .bind(&i.id)
                .bind(before.instance.revision as i64)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() == 0 {
                    drop(tx);
                    if let Some(r) = &w.request
                        && let Some(replay) = self.replayed(r.id).await?
                    {
                        return Ok(Applied::Replayed(replay));
                    }
                    let now = sqlx::query("SELECT revision FROM instances WHERE id = $1")
                        .bind(&i.id)
                        .fetch_one(&self.pool)
                        .await?;
                    return Err(StoreError::Conflict(now.try_get("revision")?));
                }
            }
        }
        let tasks = open_tasks(i);
        if w.before.is_none_or(|b| open_tasks(&b.instance) != tasks) {
            sqlx::query("DELETE FROM open_tasks WHERE instance_id = $1").bind(&i.id).execute(&mut *tx).await?;
            for (assignee, due) in &tasks {
                sqlx::query("INSERT INTO open_tasks (instance_id, assignee, due_at) VALUES ($1, $2, $3)")
                    .bind(&i.id)
                    .bind(assignee)
                    .bind(due.clone())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if w.before.is_none_or(|b| b.instance.cc != i.cc) {
            sqlx::query("DELETE FROM copies WHERE instance_id = $1").bind(&i.id).execute(&mut *tx).await?;
            for user in &i.cc {
                sqlx::query("INSERT INTO copies (instance_id, user_id) VALUES ($1, $2)")
                    .bind(&i.id)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if !entries.is_empty() {
            // One statement for all of the action's entries.
            let values: Vec<String> = (0..entries.len())
                .map(|k| format!("(${}, ${}, ${}, ${}, ${})", 5 * k + 1, 5 * k + 2, 5 * k + 3, 5 * k + 4, 5 * k + 5))
                .collect();
            let sql =
                format!("INSERT INTO audit (instance_id, seq, entry, prev_hash, hash) VALUES {}", values.join(", "));
            let mut insert = sqlx::query(&sql);
            for (seq, entry, prev_hash, hash) in &entries {
                insert = insert.bind(&i.id).bind(*seq).bind(entry).bind(prev_hash).bind(hash);
            }
            insert.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Applied::Done)
    }
}

/// Who may act now and by when: what the work lists read.
fn open_tasks(inst: &Instance) -> Vec<(String, Option<String>)> {
    let due = inst.due_at.map(|d| d.to_string());
    inst.waiting_for().into_iter().map(|who| (who.to_string(), due.clone())).collect()
}
