//! A report's table as people read it, built from its figures: groups by their labels
//! (options, steps, people by name), columns with their units, rows in the route's and the
//! form's order. The server builds it over SQL, the rule editor over its golden cases.

use kexie_engine::definition::{Definition, FieldKind, Group, Measure, Report};
use kexie_engine::reports::{Tallied, scaled};
use kexie_engine::text::Text;

use crate::{Chart, ColumnKind, ReportColumn, ReportKey, ReportRow, ReportTable};

/// `r`'s table from its rows (keys as stored) and how many they count; `name` gives a
/// person's name by id.
pub fn report_table(
    def: &Definition,
    r: &Report,
    rows: Vec<Tallied>,
    total: i64,
    name: &dyn Fn(&str) -> Option<String>,
) -> ReportTable {
    let mut columns: Vec<ReportColumn> = r.group_by.iter().map(|g| group_column(def, g)).collect();
    columns.extend(r.measures.iter().map(|m| measure_column(def, r, m)));
    let mut rows: Vec<ReportRow> = rows
        .into_iter()
        .map(|t| ReportRow {
            keys: r.group_by.iter().zip(t.keys).map(|(g, k)| key(def, g, k, name)).collect(),
            values: t.values,
        })
        .collect();
    rows.sort_by_cached_key(|row| {
        r.group_by.iter().zip(&row.keys).map(|(g, k)| rank(def, g, k.value.as_deref())).collect::<Vec<_>>()
    });
    ReportTable {
        workflow: def.key.clone(),
        report: r.id.clone(),
        title: r.title.clone(),
        chart: chart_of(def, r),
        columns,
        rows,
        total,
    }
}

/// Years as a line, two groupings stacked, the shares of one choice as a pie, else bars.
fn chart_of(def: &Definition, r: &Report) -> Chart {
    let choice = |g: &Group| match g {
        Group::Field(f) => {
            def.field_or_column(f).is_some_and(|f| matches!(f.kind, FieldKind::Select | FieldKind::Radio))
        }
        _ => false,
    };
    match r.group_by.as_slice() {
        [Group::Year(_) | Group::StartedYear, ..] if r.group_by.len() == 1 => Chart::Trend,
        [_, _] => Chart::StackedBars,
        [g] if choice(g) && r.measures.first() == Some(&Measure::Count) => Chart::Pie,
        _ => Chart::Bars,
    }
}

fn group_column(def: &Definition, g: &Group) -> ReportColumn {
    let field_label = |f: &str| def.field_or_column(f).map(|f| f.label()).unwrap_or_else(|| Text::new(f, f));
    let label = match g {
        Group::Field(f) => field_label(f),
        Group::Year(f) => {
            let l = field_label(f);
            Text::new(format!("{}（年）", l.zh), format!("{} (year)", l.en))
        }
        Group::StartedYear => Text::new("发起年度", "Year started"),
        Group::Department => Text::new("发起部门", "Department"),
        Group::Step => Text::new("环节", "Step"),
        Group::Status => Text::new("状态", "Status"),
    };
    ReportColumn { label, kind: ColumnKind::Group, unit: None, scale: 0 }
}

fn measure_column(def: &Definition, r: &Report, m: &Measure) -> ReportColumn {
    let of = |f: &str, zh: &str, en: &str| {
        let field = def.field_or_column(f);
        let l = field.map(|f| f.label()).unwrap_or_else(|| Text::new(f, f));
        let scale = field.map_or(0, |f| if f.kind == FieldKind::Decimal { f.scale.unwrap_or(2) } else { 0 });
        // 「预算合计」 summed stays 「预算合计」, not 「预算合计合计」.
        let said = |label: &str, suffix: &str| {
            let (word, english) = (suffix.trim_start_matches(" (").trim_end_matches(')'), suffix.starts_with(' '));
            let already = if english { label.to_lowercase().starts_with(word) } else { label.ends_with(word) };
            if already { label.to_string() } else { format!("{label}{suffix}") }
        };
        (Text::new(said(&l.zh, zh), said(&l.en, en)), field.and_then(|f| f.unit.clone()), scale)
    };
    let (label, kind, unit, scale) = match m {
        Measure::Count => {
            // Counting a table's rows, the count is of them: 「计划事项数」.
            let rows = r.rows_of().and_then(|t| def.field(t)).map(|t| t.label());
            let label = rows.map_or_else(|| Text::new("件数", "Count"), |l| Text::new(format!("{}数", l.zh), l.en));
            (label, ColumnKind::Count, None, 0)
        }
        Measure::Sum(f) => {
            let (l, u, s) = of(f, "合计", " (total)");
            (l, ColumnKind::Sum, u, s)
        }
        Measure::Avg(f) => {
            let (l, u, s) = of(f, "平均", " (average)");
            (l, ColumnKind::Avg, u, s.max(1))
        }
        Measure::MedianHours => {
            (Text::new("办理时长中位数（小时）", "Median time (hours)"), ColumnKind::Hours, None, 1)
        }
        Measure::P90Hours => (Text::new("90%办结用时（小时）", "90th percentile (hours)"), ColumnKind::Hours, None, 1),
        Measure::OverdueRate => (Text::new("逾期率", "Overdue rate"), ColumnKind::Rate, None, 2),
    };
    ReportColumn { label, kind, unit, scale }
}

/// A group's value as people read it: an option by its label, a step by its name, a person
/// by name; 「未填写」 for the instances without one.
fn key(def: &Definition, g: &Group, value: Option<String>, name: &dyn Fn(&str) -> Option<String>) -> ReportKey {
    let Some(v) = value else { return ReportKey { value: None, label: Text::new("未填写", "(blank)") } };
    let label = match g {
        Group::Field(f) => match def.field_or_column(f) {
            Some(field) if field.kind == FieldKind::Checkbox => {
                if v == "true" {
                    Text::new("是", "Yes")
                } else {
                    Text::new("否", "No")
                }
            }
            Some(field) if field.kind == FieldKind::Person => {
                let name = name(&v).unwrap_or_else(|| "未知人员".to_string());
                Text::new(name.clone(), name)
            }
            Some(field) => field.option(&v).and_then(|o| o.label.clone()).unwrap_or_else(|| Text::new(&v, &v)),
            None => Text::new(&v, &v),
        },
        Group::Step => def.step(&v).map(|s| s.label()).unwrap_or_else(|| Text::new(&v, &v)),
        Group::Status => status_label(&v),
        Group::Year(_) | Group::StartedYear | Group::Department => Text::new(&v, &v),
    };
    ReportKey { value: Some(v), label }
}

/// Where a group's value goes among the rows: steps in the route's order, choices in the
/// form's, 是 before 否, statuses as an instance moves through them, the rest by value
/// (numbers as numbers: years ascending); 「未填写」 last. Each group keeps its rows together
/// (a cross table's years, then the categories within each).
fn rank(def: &Definition, g: &Group, value: Option<&str>) -> (usize, Option<i64>, String) {
    const STATUSES: [&str; 4] = ["draft", "running", "completed", "rejected"];
    let Some(v) = value else { return (usize::MAX, None, String::new()) };
    let position = match g {
        Group::Step => def.steps.iter().position(|s| s.id == v),
        Group::Status => STATUSES.iter().position(|s| *s == v),
        Group::Field(f) => def.field_or_column(f).and_then(|field| match field.kind {
            FieldKind::Checkbox => Some(usize::from(v != "true")),
            _ => field.options.iter().position(|o| o.value == v),
        }),
        Group::Year(_) | Group::StartedYear | Group::Department => None,
    };
    match position {
        Some(p) => (p, None, String::new()),
        None => (usize::MAX - 1, scaled(v), v.to_string()),
    }
}

/// A status as the work lists say it.
pub fn status_label(status: &str) -> Text {
    match status {
        "draft" => Text::new("草稿", "Draft"),
        "running" => Text::new("审批中", "In progress"),
        "completed" => Text::new("已办结", "Completed"),
        "rejected" => Text::new("已驳回", "Rejected"),
        other => Text::new(other, other),
    }
}
