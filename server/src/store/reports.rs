//! What reports read (issue 17): each instance's scalar form values and table cells, its
//! readers and its passes through steps, written with every action.

use std::collections::{BTreeMap, BTreeSet};

use kexie_engine::instance::{Event, Instance};
use kexie_engine::reports::{Indexed, PassChange, indexed, pass_changes, scalar};
use serde_json::Value;
use sqlx::Row;

use super::{Connection, Store, StoreError, from_json};

/// The values of `i`'s form a report can read.
fn values(i: &Instance) -> BTreeMap<String, Indexed> {
    i.form.iter().filter_map(|(field, v)| Some((field.clone(), indexed(v)?))).collect()
}

/// The scalar cells of `i`'s tables, by "table.column" and row: what a report counting
/// rows groups and sums by.
fn cells(i: &Instance) -> BTreeMap<(String, i64), Indexed> {
    let mut out = BTreeMap::new();
    for (field, v) in &i.form {
        let Value::Array(rows) = v else { continue };
        for (n, row) in rows.iter().enumerate() {
            let Value::Object(row) = row else { continue };
            for (column, v) in row {
                if let Some(indexed) = scalar(v) {
                    out.insert((format!("{field}.{column}"), n as i64), indexed);
                }
            }
        }
    }
    out
}

/// What changed from `old` to `new`: the keys to delete (gone or changed), and the entries
/// to insert (new or changed).
fn changes<'a, K: Ord>(
    old: &'a BTreeMap<K, Indexed>,
    new: &'a BTreeMap<K, Indexed>,
) -> (Vec<&'a K>, Vec<(&'a K, &'a Indexed)>) {
    let gone = old.iter().filter(|(k, v)| new.get(*k) != Some(*v)).map(|(k, _)| k).collect();
    let came = new.iter().filter(|(k, v)| old.get(*k) != Some(*v)).collect();
    (gone, came)
}

fn readers(i: &Instance) -> BTreeSet<&str> {
    let mut out: BTreeSet<&str> = i.participants.iter().chain(&i.cc).map(String::as_str).collect();
    out.insert(&i.initiator.id);
    out
}

/// Writes what the action changed of `i`'s report index: its values, new readers, and the
/// steps its `events` (each with its audit number) entered and left.
pub(super) async fn index(
    tx: &mut Connection,
    i: &Instance,
    before: Option<&Instance>,
    events: &[(i64, &Event)],
) -> Result<(), StoreError> {
    let (old, now) = (before.map(values).unwrap_or_default(), values(i));
    let (gone, came) = changes(&old, &now);
    for field in gone {
        sqlx::query("DELETE FROM instance_values WHERE instance_id = $1 AND field = $2")
            .bind(&i.id)
            .bind(field)
            .execute(&mut *tx)
            .await?;
    }
    for (field, (text, num)) in came {
        sqlx::query("INSERT INTO instance_values (instance_id, field, text, num) VALUES ($1, $2, $3, $4)")
            .bind(&i.id)
            .bind(field)
            .bind(text)
            .bind(*num)
            .execute(&mut *tx)
            .await?;
    }
    let (old, now) = (before.map(cells).unwrap_or_default(), cells(i));
    let (gone, came) = changes(&old, &now);
    for (field, row) in gone {
        sqlx::query("DELETE FROM instance_cells WHERE instance_id = $1 AND field = $2 AND row_no = $3")
            .bind(&i.id)
            .bind(field)
            .bind(*row)
            .execute(&mut *tx)
            .await?;
    }
    for ((field, row), (text, num)) in came {
        sqlx::query("INSERT INTO instance_cells (instance_id, field, row_no, text, num) VALUES ($1, $2, $3, $4, $5)")
            .bind(&i.id)
            .bind(field)
            .bind(*row)
            .bind(text)
            .bind(*num)
            .execute(&mut *tx)
            .await?;
    }
    let known = before.map(readers).unwrap_or_default();
    for user in readers(i).difference(&known) {
        sqlx::query("INSERT INTO instance_readers (instance_id, user_id) VALUES ($1, $2)")
            .bind(&i.id)
            .bind(*user)
            .execute(&mut *tx)
            .await?;
    }
    spans(tx, i, events).await
}

/// The passes through steps that `events` (each with its audit number) open and close.
async fn spans(tx: &mut Connection, i: &Instance, events: &[(i64, &Event)]) -> Result<(), StoreError> {
    let plain: Vec<&Event> = events.iter().map(|(_, e)| *e).collect();
    for change in pass_changes(i, &plain) {
        match change {
            PassChange::Close(at) => {
                sqlx::query("UPDATE step_spans SET left_at = $1 WHERE instance_id = $2 AND left_at IS NULL")
                    .bind(at)
                    .bind(&i.id)
                    .execute(&mut *tx)
                    .await?;
            }
            PassChange::Open { event, pass } => {
                sqlx::query(
                    "INSERT INTO step_spans (instance_id, seq, step, entered_at, due_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&i.id)
                .bind(events[event].0)
                .bind(&pass.step)
                .bind(pass.entered)
                .bind(pass.due)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    Ok(())
}

impl Store {
    /// Indexes the instances written before reports existed (no readers yet): their values,
    /// readers and steps, from their state and audit log. Returns how many.
    pub async fn index_for_reports(&self) -> Result<u64, StoreError> {
        let rows = sqlx::query(
            "SELECT id, state FROM instances i WHERE NOT EXISTS \
             (SELECT 1 FROM instance_readers r WHERE r.instance_id = i.id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut count = 0;
        for r in rows {
            let id: String = r.try_get("id")?;
            let inst: Instance = from_json(&r.try_get::<String, _>("state")?)?;
            let entries = self.audit(&id).await?;
            let events: Vec<(i64, &Event)> = entries.iter().map(|e| (e.seq, &e.event)).collect();
            let _turn = self.writer_turn().await;
            let mut tx = self.pool.begin().await?;
            sqlx::query("DELETE FROM step_spans WHERE instance_id = $1").bind(&id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM instance_values WHERE instance_id = $1").bind(&id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM instance_cells WHERE instance_id = $1").bind(&id).execute(&mut *tx).await?;
            sqlx::query("UPDATE instances SET department = $1 WHERE id = $2")
                .bind(inst.initiator.department.clone())
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            index(&mut tx, &inst, None, &events).await?;
            tx.commit().await?;
            count += 1;
        }
        Ok(count)
    }
}
