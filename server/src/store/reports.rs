//! What reports read (issue 17): each instance's scalar form values and table cells, its
//! readers and its passes through steps, written with every action.

use std::collections::{BTreeMap, BTreeSet};

use kexie_engine::instance::{Event, EventKind, Instance};
use serde_json::Value;
use sqlx::Row;

use super::{Connection, Store, StoreError, from_json};

/// Numbers are kept in ten-thousandths, so that sums of decimals stay exact.
pub const NUM_SCALE: i64 = 10_000;

/// A scalar value as indexed: its text and, where it is a number, the number scaled.
type Indexed = (Option<String>, Option<i64>);

/// The values of `i`'s form a report can read: a scalar as it is; a list (a table's rows, a
/// multi-select's options) as how many it holds, which a report sums.
fn values(i: &Instance) -> BTreeMap<String, Indexed> {
    let mut out = BTreeMap::new();
    for (field, v) in &i.form {
        let indexed = match v {
            Value::Array(items) => (None, Some(items.len() as i64 * NUM_SCALE)),
            v => match scalar(v) {
                Some(indexed) => indexed,
                None => continue,
            },
        };
        out.insert(field.clone(), indexed);
    }
    out
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

fn scalar(v: &Value) -> Option<Indexed> {
    match v {
        Value::String(s) => Some((Some(s.clone()), scaled(s))),
        Value::Number(n) => Some((Some(n.to_string()), scaled(&n.to_string()))),
        Value::Bool(b) => Some((Some(b.to_string()), None)),
        _ => None,
    }
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

/// "1234.5" → 12345000; `None` for what is not a plain decimal (or is too large).
fn scaled(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, digits) = t.strip_prefix('-').map_or((false, t), |rest| (true, rest));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !plain(int) || !plain(frac) || int.len() > 14 {
        return None;
    }
    let frac: String = frac.chars().chain("0000".chars()).take(4).collect();
    let n = int.parse::<i64>().ok()? * NUM_SCALE + frac.parse::<i64>().ok()?;
    Some(if neg { -n } else { n })
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

/// A step entered closes the pass before it and opens its own (with the deadline, for the
/// step the instance stays at); the end closes the last.
async fn spans(tx: &mut Connection, i: &Instance, events: &[(i64, &Event)]) -> Result<(), StoreError> {
    let last_entry = events.iter().rposition(|(_, e)| matches!(e.kind, EventKind::StepEntered { .. }));
    for (k, (seq, e)) in events.iter().enumerate() {
        let at = e.at.0.unix_timestamp();
        let entered = matches!(e.kind, EventKind::StepEntered { .. });
        if entered || matches!(e.kind, EventKind::Completed) {
            sqlx::query("UPDATE step_spans SET left_at = $1 WHERE instance_id = $2 AND left_at IS NULL")
                .bind(at)
                .bind(&i.id)
                .execute(&mut *tx)
                .await?;
        }
        if entered {
            let due = (Some(k) == last_entry).then(|| i.due_at.map(|d| d.0.unix_timestamp())).flatten();
            sqlx::query(
                "INSERT INTO step_spans (instance_id, seq, step, entered_at, due_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&i.id)
            .bind(*seq)
            .bind(&e.step)
            .bind(at)
            .bind(due)
            .execute(&mut *tx)
            .await?;
        }
    }
    if i.status.is_finished()
        && let Some((_, last)) = events.last()
    {
        sqlx::query("UPDATE step_spans SET left_at = $1 WHERE instance_id = $2 AND left_at IS NULL")
            .bind(last.at.0.unix_timestamp())
            .bind(&i.id)
            .execute(&mut *tx)
            .await?;
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

#[cfg(test)]
mod tests {
    use super::scaled;

    #[test]
    fn numbers_are_scaled_exactly() {
        assert_eq!(scaled("1234.5"), Some(12_345_000));
        assert_eq!(scaled("-0.0001"), Some(-1));
        assert_eq!(scaled("180"), Some(1_800_000));
        assert_eq!(scaled("12.34567"), Some(123_456), "past four places is cut");
        assert_eq!(scaled("2026-12-05"), None);
        assert_eq!(scaled(""), None);
        assert_eq!(scaled("999999999999999"), None, "too large to sum safely");
    }
}
