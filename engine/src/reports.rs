//! Reports computed in memory over a few instances: what the rule editor shows over its
//! golden cases. The server computes the same in SQL over its index, with the same values
//! ([`indexed`]), passes through steps ([`pass_changes`]) and percentiles ([`percentile`]);
//! a server test keeps the two equal on the shipped cases.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::definition::{Group, Measure, Report, Test};
use crate::instance::{Event, EventKind, Instance, Moment, Transition};

/// Numbers are kept in ten-thousandths, so that sums of decimals stay exact.
pub const NUM_SCALE: i64 = 10_000;

/// The resolution of step times: a tenth of an hour.
pub const BUCKET_SECS: i64 = 360;

/// A scalar value as reports read it: its text and, where it is a number, the number scaled.
pub type Indexed = (Option<String>, Option<i64>);

/// A value a report can read: a scalar as it is; a list (a table's rows, a multi-select's
/// options) as how many it holds, which a report sums.
pub fn indexed(v: &Value) -> Option<Indexed> {
    match v {
        Value::Array(items) => Some((None, Some(items.len() as i64 * NUM_SCALE))),
        v => scalar(v),
    }
}

/// A scalar as reports read it (a table's cell too); `None` for a list or an object.
pub fn scalar(v: &Value) -> Option<Indexed> {
    match v {
        Value::String(s) => Some((Some(s.clone()), scaled(s))),
        Value::Number(n) => Some((Some(n.to_string()), scaled(&n.to_string()))),
        Value::Bool(b) => Some((Some(b.to_string()), None)),
        _ => None,
    }
}

/// "1234.5" → 12345000; `None` for what is not a plain decimal (or is too large).
pub fn scaled(text: &str) -> Option<i64> {
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

/// One pass through a step, in Unix seconds; `left` none while the instance is at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    pub step: String,
    pub entered: i64,
    pub left: Option<i64>,
    pub due: Option<i64>,
}

/// What one action does to an instance's passes.
#[derive(Debug, Clone, PartialEq)]
pub enum PassChange {
    /// The open pass ends.
    Close(i64),
    /// A pass begins, at the action's `event`-th entry.
    Open { event: usize, pass: Pass },
}

/// A step entered closes the pass before it and opens its own (with the deadline, for the
/// step the instance stays at); the end closes the last. `i` is the instance after the
/// action whose entries are `events`.
pub fn pass_changes(i: &Instance, events: &[&Event]) -> Vec<PassChange> {
    let last_entry = events.iter().rposition(|e| matches!(e.kind, EventKind::StepEntered { .. }));
    let mut out = Vec::new();
    for (k, e) in events.iter().enumerate() {
        let at = e.at.0.unix_timestamp();
        let entered = matches!(e.kind, EventKind::StepEntered { .. });
        if entered || matches!(e.kind, EventKind::Completed) {
            out.push(PassChange::Close(at));
        }
        if entered {
            let due = (Some(k) == last_entry).then(|| i.due_at.map(|d| d.0.unix_timestamp())).flatten();
            out.push(PassChange::Open { event: k, pass: Pass { step: e.step.clone(), entered: at, left: None, due } });
        }
    }
    if i.status.is_finished()
        && let Some(last) = events.last()
    {
        out.push(PassChange::Close(last.at.0.unix_timestamp()));
    }
    out
}

/// The time of the pass at `num/den` of the ordered passes (rounded up: the median of an
/// even count is the lower middle), from (bucket, passes) counts in order: its bucket's
/// middle, in seconds.
pub fn percentile(counts: &[(i64, i64)], num: i64, den: i64) -> Option<i64> {
    let passes: i64 = counts.iter().map(|c| c.1).sum();
    let rank = ((passes * num + den - 1) / den).max(1);
    let mut seen = 0;
    counts
        .iter()
        .find(|c| {
            seen += c.1;
            seen >= rank
        })
        .map(|c| c.0 * BUCKET_SECS + BUCKET_SECS / 2)
}

/// An instance as a report reads it: its state, when it started, its passes through steps.
#[derive(Debug, Clone)]
pub struct Reported {
    pub instance: Instance,
    pub started: Moment,
    pub passes: Vec<Pass>,
}

impl Reported {
    /// `t`, an instance just started at `started`, with its first pass.
    pub fn started(t: Transition, started: Moment) -> Reported {
        let mut passes = Vec::new();
        passed(&mut passes, &t);
        Reported { instance: t.instance, started, passes }
    }

    /// The instance after the action `t`, and the passes its entries opened and closed.
    pub fn record(&mut self, t: Transition) {
        passed(&mut self.passes, &t);
        self.instance = t.instance;
    }
}

fn passed(passes: &mut Vec<Pass>, t: &Transition) {
    let events: Vec<&Event> = t.events.iter().collect();
    for c in pass_changes(&t.instance, &events) {
        match c {
            PassChange::Close(at) => passes.iter_mut().filter(|p| p.left.is_none()).for_each(|p| p.left = Some(at)),
            PassChange::Open { pass, .. } => passes.push(pass),
        }
    }
}

/// A row of a report: its groups' values, and a figure per measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Tallied {
    pub keys: Vec<Option<String>>,
    pub values: Vec<Option<f64>>,
}

/// `r` over `instances`: its rows in the order of their keys (`None` first), and how many
/// instances (table rows, passes) it counted.
pub fn tabulate(r: &Report, instances: &[&Reported]) -> (Vec<Tallied>, i64) {
    let counted: Vec<&Reported> = instances.iter().copied().filter(|i| counts(r, &i.instance)).collect();
    if r.is_durations() {
        return durations(r, &counted);
    }
    let mut groups: BTreeMap<Vec<Option<String>>, Counted> = BTreeMap::new();
    let fields: Vec<&str> = r.measures.iter().filter_map(Measure::field).collect();
    for i in &counted {
        for row in units(r, &i.instance) {
            let value = |path: &str| read(&i.instance, path, row);
            let keys = r.group_by.iter().map(|g| key(g, i, &value)).collect();
            let (n, sums) = groups.entry(keys).or_insert_with(|| (0, vec![(0, 0); fields.len()]));
            *n += 1;
            for (f, sum) in fields.iter().zip(sums.iter_mut()) {
                if let Some(x) = value(f).and_then(|v| v.1) {
                    *sum = (sum.0 + x, sum.1 + 1);
                }
            }
        }
    }
    let total = groups.values().map(|g| g.0).sum();
    let rows = groups
        .into_iter()
        .map(|(keys, (n, sums))| {
            let mut sums = sums.into_iter();
            let scale = |s: i64| s as f64 / NUM_SCALE as f64;
            let values = r
                .measures
                .iter()
                .map(|m| match m {
                    Measure::Count => Some(n as f64),
                    Measure::Sum(_) => sums.next().filter(|s| s.1 > 0).map(|s| scale(s.0)),
                    Measure::Avg(_) => sums.next().filter(|s| s.1 > 0).map(|s| scale(s.0) / s.1 as f64),
                    _ => None,
                })
                .collect();
            Tallied { keys, values }
        })
        .collect();
    (rows, total)
}

/// A group's count, and per measured field its sum and how many had a value.
type Counted = (i64, Vec<(i64, i64)>);

/// Whether `r` counts `i`: its status, and its fields meeting the report's conditions.
fn counts(r: &Report, i: &Instance) -> bool {
    let status = r.statuses().iter().any(|s| s.as_str() == i.status.as_str());
    status
        && r.conditions.iter().all(|c| {
            let v = i.form.get(&c.field).and_then(indexed);
            let (text, num) = (v.as_ref().and_then(|v| v.0.as_deref()), v.as_ref().and_then(|v| v.1));
            match c.test() {
                Some(Test::Equals(want)) => text == Some(want.as_str()),
                Some(Test::Not(other)) => text != Some(other.as_str()),
                Some(Test::AtLeast(n)) => num.is_some_and(|x| x >= n.saturating_mul(NUM_SCALE)),
                Some(Test::Below(n)) => num.is_some_and(|x| x < n.saturating_mul(NUM_SCALE)),
                None => true,
            }
        })
}

/// What `r` counts of `i`: the instance once (`None`), or each row of the table it counts
/// that has a value in the first column it groups by.
fn units(r: &Report, i: &Instance) -> Vec<Option<usize>> {
    let first_column = r.group_by.iter().find_map(|g| match g {
        Group::Field(f) if f.contains('.') => Some(f.as_str()),
        _ => None,
    });
    let Some(path) = first_column else { return vec![None] };
    let rows = path.split_once('.').and_then(|(t, _)| i.form.get(t)?.as_array().map(Vec::len)).unwrap_or(0);
    (0..rows).filter(|n| read(i, path, Some(*n)).is_some()).map(Some).collect()
}

/// A field's value, or with `table.column` the cell of `row`.
fn read(i: &Instance, path: &str, row: Option<usize>) -> Option<Indexed> {
    match (path.split_once('.'), row) {
        (Some((table, column)), Some(n)) => scalar(i.form.get(table)?.as_array()?.get(n)?.get(column)?),
        (Some(_), None) => None,
        (None, _) => indexed(i.form.get(path)?),
    }
}

fn key(g: &Group, i: &Reported, value: &dyn Fn(&str) -> Option<Indexed>) -> Option<String> {
    let text = |f: &str| value(f).and_then(|v| v.0);
    match g {
        Group::Field(f) => text(f),
        Group::Year(f) => text(f).map(|t| t.chars().take(4).collect()),
        // The server stamps instances in UTC.
        Group::StartedYear => Some(i.started.0.to_offset(time::UtcOffset::UTC).year().to_string()),
        Group::Department => i.instance.initiator.department.clone(),
        Group::Step => Some(i.instance.step.clone()),
        Group::Status => Some(i.instance.status.as_str().to_string()),
    }
}

/// The passes through each step that ended: how many, the median and 90th percentile of
/// their times, and the share that ended late.
fn durations(r: &Report, instances: &[&Reported]) -> (Vec<Tallied>, i64) {
    // Per step: passes per bucket, and how many were late.
    let mut steps: BTreeMap<&str, (BTreeMap<i64, i64>, i64)> = BTreeMap::new();
    for p in instances.iter().flat_map(|i| &i.passes) {
        let Some(left) = p.left else { continue };
        let (buckets, late) = steps.entry(&p.step).or_default();
        *buckets.entry((left - p.entered) / BUCKET_SECS).or_default() += 1;
        *late += i64::from(p.due.is_some_and(|d| left > d));
    }
    let mut total = 0;
    let rows = steps
        .into_iter()
        .map(|(step, (buckets, late))| {
            let counts: Vec<(i64, i64)> = buckets.into_iter().collect();
            let passes: i64 = counts.iter().map(|c| c.1).sum();
            total += passes;
            let hours = |s: Option<i64>| s.map(|s| s as f64 / 3600.0);
            let values = r
                .measures
                .iter()
                .map(|m| match m {
                    Measure::Count => Some(passes as f64),
                    Measure::MedianHours => hours(percentile(&counts, 1, 2)),
                    Measure::P90Hours => hours(percentile(&counts, 9, 10)),
                    Measure::OverdueRate => Some(late as f64 / passes as f64),
                    Measure::Sum(_) | Measure::Avg(_) => None, // `kexie check` keeps them apart
                })
                .collect();
            Tallied { keys: vec![Some(step.to_string())], values }
        })
        .collect();
    (rows, total)
}

#[cfg(test)]
mod tests {
    use super::{BUCKET_SECS, percentile, scaled};

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

    #[test]
    fn percentiles_are_read_off_the_counts() {
        let mid = |bucket: i64| Some(bucket * BUCKET_SECS + BUCKET_SECS / 2);
        // Ten passes: four in the first tenth of an hour, five at 1.0 h, one at 5.0 h.
        let counts = [(0, 4), (10, 5), (50, 1)];
        assert_eq!(percentile(&counts, 1, 2), mid(10), "the 5th of 10");
        assert_eq!(percentile(&counts, 9, 10), mid(10), "the 9th of 10");
        assert_eq!(percentile(&[(0, 1), (50, 1)], 1, 2), mid(0), "of two, the lower");
        assert_eq!(percentile(&[], 1, 2), None);
    }
}
