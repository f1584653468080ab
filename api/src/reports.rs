//! Reports (`[[reports]]` of a workflow): the list a reader may open, a report's table, and
//! the instances behind one of its figures. The dashboard draws them; exports write them.

use kexie_engine::text::Text;
use serde::{Deserialize, Serialize};

/// A report the caller may open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSummary {
    pub workflow: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub workflow_title: Text,
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: Text,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub description: Option<Text>,
    /// The fields it may be narrowed by (`field` and `equals` in the query), with labels.
    pub filters: Vec<ReportFilter>,
}

/// A field a report may be narrowed by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportFilter {
    pub field: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub label: Text,
}

/// Which instances a report counts, and (for the instances behind a figure) which group.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Started on or after this day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Started on or before this day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Only this status (`running`, `completed`, `rejected`, `draft`) of those the report counts.
    pub status: Option<String>,
    /// Only instances of this version of the workflow.
    pub version: Option<i64>,
    /// Narrow by one of the report's `filters`: the field…
    pub field: Option<String>,
    /// …and the value it must hold.
    pub equals: Option<String>,
    /// The instances behind a figure: the first group's value (empty: those without one).
    pub key: Option<String>,
    /// …and the second group's.
    pub key2: Option<String>,
    /// The page of instances behind a figure, from 1.
    pub page: Option<i64>,
    /// 1 to 100; default 20.
    pub per_page: Option<i64>,
    /// `csv` or `xlsx` to download the table (or the whole list) instead of JSON.
    pub format: Option<String>,
    /// The file's language: `zh` (the default) or `en`.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub lang: Option<kexie_engine::text::Lang>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// A group's value (its label).
    Group,
    /// How many instances (or passes through a step).
    Count,
    /// A sum of a field.
    Sum,
    /// An average of a field.
    Avg,
    /// Hours a step took.
    Hours,
    /// A share, 0 to 1.
    Rate,
}

/// A column of a report's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportColumn {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub label: Text,
    pub kind: ColumnKind,
    /// The field's unit (万元, 人), if it has one.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub unit: Option<Text>,
    /// Digits after the point that the figures are shown with.
    pub scale: u32,
}

/// A group's value and what it reads as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportKey {
    /// As stored (an option's value, a step's id); null for the instances without one.
    pub value: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub label: Text,
}

/// A row: the group's keys, then a figure per measure (null where nothing was measured).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub keys: Vec<ReportKey>,
    pub values: Vec<Option<f64>>,
}

/// How a report is best looked at: the dashboard draws it so, with its table under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Chart {
    /// Shares of one whole (one choice field, counted): a pie.
    Pie,
    /// One bar per group.
    Bars,
    /// Bars of the first grouping, stacked by the second.
    StackedBars,
    /// A line through the years.
    Trend,
}

/// A report's table (`GET /reports/{workflow}/{report}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportTable {
    pub workflow: String,
    pub report: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: Text,
    pub chart: Chart,
    /// The group columns first, then the measures.
    pub columns: Vec<ReportColumn>,
    pub rows: Vec<ReportRow>,
    /// How many instances (or, for step durations, passes) the table counts.
    pub total: i64,
}
