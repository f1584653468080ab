//! Instances and everything an action writes, in one transaction.

use kexie_api::IntegrationEvent;
use kexie_engine::instance::{Event, Instance};
use sqlx::Row;

use super::audit::chain_hash;
use super::events::append_events;
use super::{Connection, Store, StoreError, from_json, to_json};

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
    /// What the action tells the systems around Kexie, for the outbox.
    pub outbox: &'a [IntegrationEvent],
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

    /// The newest `limit` completed instances of `workflow`, with when each was last changed.
    pub async fn completed(&self, workflow: &str, limit: i64) -> Result<Vec<(Instance, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT state, updated_at FROM instances WHERE workflow = $1 AND status = 'completed' \
             ORDER BY updated_at DESC, id LIMIT $2",
        )
        .bind(workflow)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| Ok((from_json(&r.try_get::<String, _>("state")?)?, r.try_get("updated_at")?)))
            .collect()
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
        if let Some(r) = &w.request
            && let Err(e) = insert_request(&mut tx, r, w.now).await
        {
            drop(tx); // the same request id won a race: answer with its response
            return self.replayed(r.id).await?.map(Applied::Replayed).ok_or_else(|| e.into());
        }
        let i = w.instance;
        let (entries, head) = chained(w.before.map_or((0, String::new()), |b| b.audit_head.clone()), w.events);
        match w.before {
            None => insert_instance(&mut tx, i, &head, w.now).await?,
            Some(before) => {
                if !update_instance(&mut tx, i, &head, before.instance.revision, w.now).await? {
                    drop(tx);
                    return self.lost_race(i, w.request.as_ref()).await;
                }
            }
        }
        let before = w.before.map(|b| &b.instance);
        replace_tasks(&mut tx, i, before).await?;
        replace_copies(&mut tx, i, before).await?;
        let numbered: Vec<(i64, &Event)> = entries.iter().map(|e| e.seq).zip(w.events).collect();
        super::reports::index(&mut tx, i, before, &numbered).await?;
        append_audit(&mut tx, &i.id, &entries).await?;
        append_events(&mut tx, w.outbox, &self.hooks).await?;
        tx.commit().await?;
        Ok(Applied::Done)
    }

    /// The instance changed since the action read it: the same request applied meanwhile
    /// (its answer), or another one (a conflict, with the revision it is at now).
    async fn lost_race(&self, i: &Instance, request: Option<&Request<'_>>) -> Result<Applied, StoreError> {
        if let Some(r) = request
            && let Some(replay) = self.replayed(r.id).await?
        {
            return Ok(Applied::Replayed(replay));
        }
        let now = sqlx::query("SELECT revision FROM instances WHERE id = $1").bind(&i.id).fetch_one(&self.pool).await?;
        Err(StoreError::Conflict(now.try_get("revision")?))
    }
}

/// One audit entry as stored: its place in the chain, the entry, the hash before it, its own.
struct AuditRow {
    seq: i64,
    entry: String,
    prev_hash: String,
    hash: String,
}

/// The action's audit entries chained on from `head` (the last entry's number and hash),
/// and the new head.
fn chained(head: (i64, String), events: &[Event]) -> (Vec<AuditRow>, (i64, String)) {
    let (mut seq, mut prev) = head;
    let rows = events
        .iter()
        .map(|event| {
            let entry = to_json(event);
            let hash = chain_hash(&prev, &entry);
            seq += 1;
            AuditRow { seq, entry, prev_hash: std::mem::replace(&mut prev, hash.clone()), hash }
        })
        .collect();
    (rows, (seq, prev))
}

async fn insert_request(tx: &mut Connection, r: &Request<'_>, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO requests (request_id, user_id, digest, status, response, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(r.id)
    .bind(r.user)
    .bind(r.digest)
    .bind(r.status as i64)
    .bind(&r.response)
    .bind(now)
    .execute(tx)
    .await
    .map(|_| ())
}

async fn insert_instance(tx: &mut Connection, i: &Instance, head: &(i64, String), now: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO instances (id, workflow, version, initiator, status, step, revision, state, created_at, \
         updated_at, audit_seq, audit_hash, department) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&i.id)
    .bind(&i.workflow)
    .bind(i.version as i64)
    .bind(&i.initiator.id)
    .bind(i.status.as_str())
    .bind(&i.step)
    .bind(i.revision as i64)
    .bind(to_json(i))
    .bind(now)
    .bind(now)
    .bind(head.0)
    .bind(&head.1)
    .bind(i.initiator.department.clone())
    .execute(tx)
    .await?;
    Ok(())
}

/// Whether the instance was still at `read_at` and is now written.
async fn update_instance(
    tx: &mut Connection,
    i: &Instance,
    head: &(i64, String),
    read_at: u64,
    now: &str,
) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE instances SET status = $1, step = $2, revision = $3, state = $4, updated_at = $5, \
         audit_seq = $6, audit_hash = $7 WHERE id = $8 AND revision = $9",
    )
    .bind(i.status.as_str())
    .bind(&i.step)
    .bind(i.revision as i64)
    .bind(to_json(i))
    .bind(now)
    .bind(head.0)
    .bind(&head.1)
    .bind(&i.id)
    .bind(read_at as i64)
    .execute(tx)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// The work lists' rows of the instance, rewritten only when they changed.
async fn replace_tasks(tx: &mut Connection, i: &Instance, before: Option<&Instance>) -> Result<(), StoreError> {
    let tasks = open_tasks(i);
    if before.is_some_and(|b| open_tasks(b) == tasks) {
        return Ok(());
    }
    sqlx::query("DELETE FROM open_tasks WHERE instance_id = $1").bind(&i.id).execute(&mut *tx).await?;
    for (assignee, due) in &tasks {
        sqlx::query("INSERT INTO open_tasks (instance_id, assignee, due_at) VALUES ($1, $2, $3)")
            .bind(&i.id)
            .bind(assignee)
            .bind(due.clone())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Who the instance is copied to, rewritten only when it changed.
async fn replace_copies(tx: &mut Connection, i: &Instance, before: Option<&Instance>) -> Result<(), StoreError> {
    if before.is_some_and(|b| b.cc == i.cc) {
        return Ok(());
    }
    sqlx::query("DELETE FROM copies WHERE instance_id = $1").bind(&i.id).execute(&mut *tx).await?;
    for user in &i.cc {
        sqlx::query("INSERT INTO copies (instance_id, user_id) VALUES ($1, $2)")
            .bind(&i.id)
            .bind(user)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// The action's audit entries, in one statement.
async fn append_audit(tx: &mut Connection, id: &str, rows: &[AuditRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..rows.len())
        .map(|k| format!("(${}, ${}, ${}, ${}, ${})", 5 * k + 1, 5 * k + 2, 5 * k + 3, 5 * k + 4, 5 * k + 5))
        .collect();
    let sql = format!("INSERT INTO audit (instance_id, seq, entry, prev_hash, hash) VALUES {}", values.join(", "));
    let mut insert = sqlx::query(&sql);
    for r in rows {
        insert = insert.bind(id).bind(r.seq).bind(&r.entry).bind(&r.prev_hash).bind(&r.hash);
    }
    insert.execute(tx).await?;
    Ok(())
}

/// Who may act now and by when: what the work lists read.
fn open_tasks(inst: &Instance) -> Vec<(String, Option<String>)> {
    let due = inst.due_at.map(|d| d.to_string());
    inst.waiting_for().into_iter().map(|who| (who.to_string(), due.clone())).collect()
}
