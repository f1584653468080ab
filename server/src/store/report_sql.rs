//! The report queries: grouped counts and sums, the time steps take, and the instances
//! behind a figure — each over the instances a scope admits, aggregated in SQL.

use kexie_engine::definition::{Group, Test};
use kexie_engine::reports::{BUCKET_SECS, NUM_SCALE, percentile};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::lists::{ListItem, Page, item};
use super::{Store, StoreError};

/// Which instances a report counts.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub workflow: String,
    /// The statuses that count ("running", "completed", …).
    pub statuses: Vec<String>,
    /// Started on or after this day, "YYYY-MM-DD".
    pub from: Option<String>,
    /// Started on or before this day.
    pub to: Option<String>,
    pub version: Option<i64>,
    /// Only those whose field holds this value.
    pub filter: Option<(String, String)>,
    /// Only those whose fields meet each of these (the report's `where`).
    pub conditions: Vec<(String, Test)>,
    /// Only those this user may read; `None` for an administrator.
    pub reader: Option<String>,
}

/// One group of a grouped report: its keys, its count (of instances, or of a table's rows),
/// and per measured field the sum (scaled by `NUM_SCALE`) and how many had a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped {
    pub keys: Vec<Option<String>>,
    pub count: i64,
    pub sums: Vec<(Option<i64>, i64)>,
}

/// How long the passes through one step took (those that ended), in seconds (to the middle
/// of its tenth of an hour).
#[derive(Debug, Clone, PartialEq)]
pub struct StepTimes {
    pub step: String,
    pub passes: i64,
    pub late: i64,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

enum Arg {
    Text(String),
    Int(i64),
}

/// A statement being written with its parameters numbered as they are bound.
#[derive(Default)]
struct Sql {
    joins: String,
    wheres: Vec<String>,
    args: Vec<Arg>,
    /// The join of the first table cell grouped by: the report counts that table's rows,
    /// and every other cell it reads is on the same row.
    row: Option<String>,
}

impl Sql {
    fn text(&mut self, v: &str) -> String {
        self.args.push(Arg::Text(v.to_string()));
        format!("${}", self.args.len())
    }

    fn int(&mut self, v: i64) -> String {
        self.args.push(Arg::Int(v));
        format!("${}", self.args.len())
    }

    /// The scope's conditions on `instances i`.
    fn scope(s: &Scope) -> Sql {
        let mut q = Sql::default();
        let wf = q.text(&s.workflow);
        q.wheres.push(format!("i.workflow = {wf}"));
        let statuses: Vec<String> = s.statuses.iter().map(|st| q.text(st)).collect();
        q.wheres
            .push(format!("i.status IN ({})", if statuses.is_empty() { "NULL".into() } else { statuses.join(", ") }));
        if let Some(from) = &s.from {
            let p = q.text(from);
            q.wheres.push(format!("SUBSTR(i.created_at, 1, 10) >= {p}"));
        }
        if let Some(to) = &s.to {
            let p = q.text(to);
            q.wheres.push(format!("SUBSTR(i.created_at, 1, 10) <= {p}"));
        }
        if let Some(v) = s.version {
            let p = q.int(v);
            q.wheres.push(format!("i.version = {p}"));
        }
        if let Some((field, value)) = &s.filter {
            let (f, v) = (q.text(field), q.text(value));
            q.joins.push_str(&format!(
                " JOIN instance_values fv ON fv.instance_id = i.id AND fv.field = {f} AND fv.text = {v}"
            ));
        }
        for (k, (field, test)) in s.conditions.iter().enumerate() {
            let f = q.text(field);
            let on = format!("w{k}.instance_id = i.id AND w{k}.field = {f}");
            let (join, cond) = match test {
                Test::Equals(v) => ("JOIN", format!("w{k}.text = {}", q.text(v))),
                Test::Not(v) => ("LEFT JOIN", format!("(w{k}.text IS NULL OR w{k}.text <> {})", q.text(v))),
                Test::AtLeast(n) => ("JOIN", format!("w{k}.num >= {}", q.int(n.saturating_mul(NUM_SCALE)))),
                Test::Below(n) => ("JOIN", format!("w{k}.num < {}", q.int(n.saturating_mul(NUM_SCALE)))),
            };
            q.joins.push_str(&format!(" {join} instance_values w{k} ON {on}"));
            q.wheres.push(cond);
        }
        if let Some(user) = &s.reader {
            let p = q.text(user);
            // The reader's instances first (from their index), rather than a probe per instance.
            q.wheres.push(format!("i.id IN (SELECT r.instance_id FROM instance_readers r WHERE r.user_id = {p})"));
        }
        q
    }

    /// The expression of group `k`, joining the value it reads.
    fn group(&mut self, k: usize, g: &Group) -> String {
        let mut value = |field: &str| {
            let alias = format!("g{k}");
            self.value(&alias, field);
            format!("{alias}.text")
        };
        match g {
            Group::Field(f) => value(f),
            Group::Year(f) => format!("SUBSTR({}, 1, 4)", value(f)),
            Group::StartedYear => "SUBSTR(i.created_at, 1, 4)".into(),
            Group::Department => "i.department".into(),
            Group::Step => "i.step".into(),
            Group::Status => "i.status".into(),
        }
    }

    /// Joins a field's value as `alias` (none: NULL); a table's cell (`table.column`) on the
    /// row counted, the first such join making the rows the report counts.
    fn value(&mut self, alias: &str, field: &str) {
        let f = self.text(field);
        let on = format!("{alias}.instance_id = i.id AND {alias}.field = {f}");
        let join = match (field.contains('.'), &self.row) {
            (false, _) => format!(" LEFT JOIN instance_values {alias} ON {on}"),
            (true, Some(row)) => format!(" LEFT JOIN instance_cells {alias} ON {on} AND {alias}.row_no = {row}.row_no"),
            (true, None) => {
                self.row = Some(alias.to_string());
                format!(" JOIN instance_cells {alias} ON {on}")
            }
        };
        self.joins.push_str(&join);
    }

    fn condition(&self) -> String {
        self.wheres.join(" AND ")
    }

    async fn fetch(&self, store: &Store, sql: &str) -> Result<Vec<AnyRow>, StoreError> {
        let mut query = sqlx::query(sql);
        for a in &self.args {
            query = match a {
                Arg::Text(s) => query.bind(s.clone()),
                Arg::Int(n) => query.bind(*n),
            };
        }
        Ok(query.fetch_all(&store.pool).await?)
    }
}

impl Store {
    /// Counts (and sums `fields`) of the scope's instances per value of `groups`.
    pub async fn grouped(
        &self,
        scope: &Scope,
        groups: &[Group],
        fields: &[String],
    ) -> Result<Vec<Grouped>, StoreError> {
        let mut q = Sql::scope(scope);
        let keys: Vec<String> = groups.iter().enumerate().map(|(k, g)| q.group(k, g)).collect();
        let mut select: Vec<String> = keys.iter().enumerate().map(|(k, e)| format!("{e} AS k{k}")).collect();
        select.push("COUNT(*) AS n".into());
        for (m, field) in fields.iter().enumerate() {
            q.value(&format!("m{m}"), field);
            select.push(format!("CAST(SUM(m{m}.num) AS BIGINT) AS s{m}, COUNT(m{m}.num) AS c{m}"));
        }
        let sql = format!(
            "SELECT {} FROM instances i{} WHERE {} GROUP BY {} ORDER BY {}",
            select.join(", "),
            q.joins,
            q.condition(),
            keys.join(", "),
            keys.join(", ")
        );
        let rows = q.fetch(self, &sql).await?;
        rows.iter()
            .map(|r| {
                Ok(Grouped {
                    keys: (0..keys.len()).map(|k| r.try_get(format!("k{k}").as_str())).collect::<Result<_, _>>()?,
                    count: r.try_get("n")?,
                    sums: (0..fields.len())
                        .map(|m| Ok((r.try_get(format!("s{m}").as_str())?, r.try_get(format!("c{m}").as_str())?)))
                        .collect::<Result<_, sqlx::Error>>()?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// The median and 90th-percentile time of the passes through each step that ended, and
    /// how many of them ended after the step's deadline. SQL counts the passes per step and
    /// tenth of an hour; the percentiles are read off those counts.
    pub async fn step_times(&self, scope: &Scope) -> Result<Vec<StepTimes>, StoreError> {
        let q = Sql::scope(scope);
        let sql = format!(
            "SELECT s.step, (s.left_at - s.entered_at) / {BUCKET_SECS} AS bucket, COUNT(*) AS passes, \
               CAST(SUM(CASE WHEN s.due_at IS NOT NULL AND s.left_at > s.due_at THEN 1 ELSE 0 END) AS BIGINT) AS late \
             FROM step_spans s JOIN instances i ON i.id = s.instance_id{} \
             WHERE s.left_at IS NOT NULL AND {} GROUP BY s.step, bucket ORDER BY s.step, bucket",
            q.joins,
            q.condition()
        );
        let rows = q.fetch(self, &sql).await?;
        let mut buckets: Vec<(String, i64, i64, i64)> = Vec::with_capacity(rows.len());
        for r in &rows {
            buckets.push((r.try_get("step")?, r.try_get("bucket")?, r.try_get("passes")?, r.try_get("late")?));
        }
        let mut out = Vec::new();
        for step in buckets.chunk_by(|a, b| a.0 == b.0) {
            let counts: Vec<(i64, i64)> = step.iter().map(|b| (b.1, b.2)).collect();
            out.push(StepTimes {
                step: step[0].0.clone(),
                passes: counts.iter().map(|c| c.1).sum(),
                late: step.iter().map(|b| b.3).sum(),
                median_secs: percentile(&counts, 1, 2),
                p90_secs: percentile(&counts, 9, 10),
            });
        }
        Ok(out)
    }

    /// A page of the instances behind one figure: the scope's, whose groups hold `keys`
    /// (`None`: the group of instances without a value). Newest first.
    pub async fn behind(
        &self,
        scope: &Scope,
        groups: &[Group],
        keys: &[Option<String>],
        page: i64,
        per_page: i64,
    ) -> Result<Page, StoreError> {
        let mut q = Sql::scope(scope);
        for (k, (g, key)) in groups.iter().zip(keys).enumerate() {
            let e = q.group(k, g);
            let cond = match key {
                Some(v) => format!("{e} = {}", q.text(v)),
                None => format!("{e} IS NULL"),
            };
            q.wheres.push(cond);
        }
        let from = format!("FROM instances i{} WHERE {}", q.joins, q.condition());
        // Counting a table's rows, an instance comes once per row of the group.
        let (distinct, count) = if q.row.is_some() { ("DISTINCT ", "DISTINCT i.id") } else { ("", "*") };
        let (limit, offset) = (q.int(per_page), q.int((page - 1) * per_page));
        // The page is chosen from the index alone; only its own rows' states are read.
        let sql = format!(
            "SELECT o.id, o.workflow, o.version, o.status, o.step, o.initiator, o.updated_at, NULL AS due_at, o.state, \
             (SELECT u.name FROM users u WHERE u.id = o.initiator) AS initiator_name FROM instances o \
             WHERE o.id IN (SELECT p.id FROM (SELECT {distinct}i.id, i.updated_at {from} \
               ORDER BY i.updated_at DESC, i.id LIMIT {limit} OFFSET {offset}) p) \
             ORDER BY o.updated_at DESC, o.id"
        );
        let items: Vec<ListItem> = q.fetch(self, &sql).await?.iter().map(item).collect::<Result<_, sqlx::Error>>()?;
        // The count binds the same parameters but the page's two.
        q.args.truncate(q.args.len() - 2);
        let total = q.fetch(self, &format!("SELECT COUNT({count}) AS n {from}")).await?;
        Ok(Page { items, total: total.first().map(|r| r.try_get("n")).transpose()?.unwrap_or(0) })
    }
}
