//! Reports a workflow declares (`[[reports]]` in `workflow.toml`): what is grouped, what is
//! counted or summed, which instances count, and who may see it. The server computes them
//! in SQL; this is only their shape, and `check` keeps their fields true.

use serde::{Deserialize, Serialize};

use crate::text::Text;

/// One report of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Stable id within the workflow, e.g. "by_mode".
    pub id: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// One or two groupings; a second makes a cross table (mode × region).
    pub group_by: Vec<Group>,
    /// What each group shows; `["count"]` when left out.
    #[serde(default = "count_only")]
    pub measures: Vec<Measure>,
    /// Which instances count, by status; by default every one but drafts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<ReportStatus>,
    /// Fields a reader may narrow the report by (a region, an industry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<String>,
    /// Only the instances whose fields meet every one of these: what a coverage figure
    /// asks about (100 or more S&T staff and not a standalone 科协, say).
    #[serde(default, rename = "where", skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Who may see it: "role:<r>" entries; administrators always may. Each reader sees only
    /// the instances they may read (their own, or those that reached them).
    pub readers: Vec<String>,
}

/// A condition on one field: exactly one of its tests is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    /// The value is this (an option's value, a text, `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    /// The value is not this (or is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<String>,
    /// A number at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<i64>,
    /// A number below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<i64>,
}

/// What a condition tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    Equals(String),
    Not(String),
    AtLeast(i64),
    Below(i64),
}

impl Condition {
    /// Its one test; `None` when it writes none or several (`kexie check` says which).
    pub fn test(&self) -> Option<Test> {
        let tests = [
            self.equals.clone().map(Test::Equals),
            self.not.clone().map(Test::Not),
            self.at_least.map(Test::AtLeast),
            self.below.map(Test::Below),
        ];
        let mut written = tests.into_iter().flatten();
        match (written.next(), written.next()) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }
}

fn count_only() -> Vec<Measure> {
    vec![Measure::Count]
}

/// What a report groups by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Group {
    /// A field's value: a select, radio, checkbox, text, integer, person or department; or
    /// a table's column, `table.column`, which makes the report count the table's rows.
    Field(String),
    /// The year of a date field.
    Year(String),
    /// The year the instance was started.
    StartedYear,
    /// The initiator's department.
    Department,
    /// The step the instance is at (or, with the duration measures, each step it passed).
    Step,
    /// draft, running, completed, rejected.
    Status,
}

/// What a report shows for each group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    /// How many instances (or, per step, how many passes through it).
    Count,
    /// The sum of an integer or decimal field (of a table: its rows; of a multi-select: the
    /// options chosen); of a column, `table.column`, over the rows a report counts.
    Sum(String),
    /// The average of an integer or decimal field.
    Avg(String),
    /// The median time a step took, in hours (DingTalk's 审批效率); grouped by step only.
    MedianHours,
    /// The 90th percentile of the time a step took, in hours; grouped by step only.
    P90Hours,
    /// The share of passes through a step that ended after its deadline; by step only.
    OverdueRate,
}

impl Measure {
    /// The duration measures, computed over the passes through each step.
    pub fn is_duration(&self) -> bool {
        matches!(self, Measure::MedianHours | Measure::P90Hours | Measure::OverdueRate)
    }

    /// The field a measure reads, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Measure::Sum(f) | Measure::Avg(f) => Some(f),
            _ => None,
        }
    }
}

impl Report {
    /// Whether this report measures the time steps take (grouped by step).
    pub fn is_durations(&self) -> bool {
        self.measures.iter().any(Measure::is_duration)
    }

    /// The table whose rows this report counts, when it groups by one of its columns.
    pub fn rows_of(&self) -> Option<&str> {
        self.group_by.iter().find_map(|g| match g {
            Group::Field(f) => f.split_once('.').map(|(table, _)| table),
            _ => None,
        })
    }

    /// The statuses that count: those declared, or every one but drafts.
    pub fn statuses(&self) -> Vec<ReportStatus> {
        if self.status.is_empty() {
            vec![ReportStatus::Running, ReportStatus::Completed, ReportStatus::Rejected]
        } else {
            self.status.clone()
        }
    }
}

/// An instance's status, as a report filters by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Running,
    Completed,
    Rejected,
}

impl ReportStatus {
    /// The name stored with the instance.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Running => "running",
            ReportStatus::Completed => "completed",
            ReportStatus::Rejected => "rejected",
        }
    }
}
