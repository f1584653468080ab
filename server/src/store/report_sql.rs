//! The report queries: grouped counts and sums, the time steps take, and the instances
//! behind a figure — each over the instances a scope admits, aggregated in SQL.

use kexie_engine::definition::Group;
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
    /// Only those this user may read; `None` for an administrator.
    pub reader: Option<String>,
}

/// One group of a grouped report: its keys, its count, and per measured field the sum
/// (scaled by `NUM_SCALE`) and how many instances had a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped {
    pub keys: Vec<Option<String>>,
    pub count: i64,
    pub sums: Vec<(Option<i64>, i64)>,
}

/// How long the passes through one step took (those that ended), in seconds.
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
        if let Some(user) = &s.reader {
            let p = q.text(user);
            q.wheres.push(format!(
                "EXISTS (SELECT 1 FROM instance_readers r WHERE r.instance_id = i.id AND r.user_id = {p})"
            ));
        }
        q
    }

    /// The expression of group `k`, joining the value it reads.
    fn group(&mut self, k: usize, g: &Group) -> String {
        let mut value = |field: &str| {
            let f = self.text(field);
            self.joins
                .push_str(&format!(" LEFT JOIN instance_values g{k} ON g{k}.instance_id = i.id AND g{k}.field = {f}"));
            format!("g{k}.text")
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
            let f = q.text(field);
            q.joins
                .push_str(&format!(" LEFT JOIN instance_values m{m} ON m{m}.instance_id = i.id AND m{m}.field = {f}"));
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
    /// how many of them ended after the step's deadline.
    pub async fn step_times(&self, scope: &Scope) -> Result<Vec<StepTimes>, StoreError> {
        let q = Sql::scope(scope);
        let sql = format!(
            "WITH d AS (SELECT s.step, s.left_at - s.entered_at AS secs, \
               CASE WHEN s.due_at IS NOT NULL AND s.left_at > s.due_at THEN 1 ELSE 0 END AS late, \
               ROW_NUMBER() OVER (PARTITION BY s.step ORDER BY s.left_at - s.entered_at) AS rn, \
               COUNT(*) OVER (PARTITION BY s.step) AS total \
             FROM step_spans s JOIN instances i ON i.id = s.instance_id{} \
             WHERE s.left_at IS NOT NULL AND {}) \
             SELECT step, COUNT(*) AS passes, CAST(SUM(late) AS BIGINT) AS late, \
               MIN(CASE WHEN rn * 2 >= total THEN secs END) AS median, \
               MIN(CASE WHEN rn * 10 >= total * 9 THEN secs END) AS p90 \
             FROM d GROUP BY step ORDER BY step",
            q.joins,
            q.condition()
        );
        let rows = q.fetch(self, &sql).await?;
        rows.iter()
            .map(|r| {
                Ok(StepTimes {
                    step: r.try_get("step")?,
                    passes: r.try_get("passes")?,
                    late: r.try_get("late")?,
                    median_secs: r.try_get("median")?,
                    p90_secs: r.try_get("p90")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
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
        let (limit, offset) = (q.int(per_page), q.int((page - 1) * per_page));
        let sql = format!(
            "SELECT i.id, i.workflow, i.version, i.status, i.step, i.initiator, i.updated_at, NULL AS due_at, i.state, \
             (SELECT u.name FROM users u WHERE u.id = i.initiator) AS initiator_name \
             {from} ORDER BY i.updated_at DESC, i.id LIMIT {limit} OFFSET {offset}"
        );
        let items: Vec<ListItem> = q.fetch(self, &sql).await?.iter().map(item).collect::<Result<_, sqlx::Error>>()?;
        // The count binds the same parameters but the page's two.
        q.args.truncate(q.args.len() - 2);
        let total = q.fetch(self, &format!("SELECT COUNT(*) AS n {from}")).await?;
        Ok(Page { items, total: total.first().map(|r| r.try_get("n")).transpose()?.unwrap_or(0) })
    }
}
