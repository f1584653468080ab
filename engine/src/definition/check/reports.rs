//! Checks of `[[reports]]`: every field a report groups, sums or filters by exists and
//! can be grouped or summed; the step durations are grouped by step alone.

use super::Checker;
use crate::definition::locate::Path;
use crate::definition::model::FieldKind;
use crate::definition::{Condition, Group, Report, Test};

/// Kinds whose value can name a group (one value per instance).
const GROUPABLE: [FieldKind; 7] = [
    FieldKind::Select,
    FieldKind::Radio,
    FieldKind::Checkbox,
    FieldKind::Text,
    FieldKind::Integer,
    FieldKind::Person,
    FieldKind::Department,
];

/// Kinds a report can sum: numbers, and a table's rows or a multi-select's options.
const COUNTABLE: [FieldKind; 4] = [FieldKind::Integer, FieldKind::Decimal, FieldKind::Table, FieldKind::MultiSelect];

impl Checker<'_> {
    /// A condition tests one field once: a number against a bound, a value against a
    /// choice the field offers.
    fn condition(&mut self, c: &Condition, at: Path) {
        let Some(test) = c.test() else {
            return self.report(
                at,
                "条件须写且只写 equals、not、at_least、below 中的一项。",
                "a condition needs exactly one of equals, not, at_least and below.",
            );
        };
        let bound = matches!(test, Test::AtLeast(_) | Test::Below(_));
        let kinds: &[FieldKind] = if bound { &[FieldKind::Integer, FieldKind::Decimal] } else { &GROUPABLE };
        let (zh, en) = if bound {
            ("integer 或 decimal", "an integer or decimal field")
        } else {
            (
                "select、radio、checkbox、text、integer、person 或 department",
                "a select, radio, checkbox, text, integer, person or department field",
            )
        };
        self.report_field(&c.field, at.clone(), kinds, zh, en);
        let Some(f) = self.def.field(&c.field) else { return };
        if let (Test::Equals(v) | Test::Not(v), FieldKind::Select | FieldKind::Radio) = (&test, f.kind)
            && f.option(v).is_none()
        {
            let values: Vec<&str> = f.options.iter().map(|o| o.value.as_str()).collect();
            self.report(
                at,
                format!("字段「{}」没有选项「{v}」：可选 {}。", c.field, values.join("、")),
                format!("the field '{}' has no option '{v}': choose one of {}.", c.field, values.join(", ")),
            );
        }
    }

    pub(super) fn report_of(&mut self, r: &Report, at: Path) {
        let sub = |k: &str, i: Option<usize>| {
            let mut p = at.clone();
            p.push(k.into());
            if let Some(i) = i {
                p.push(i.into());
            }
            p
        };
        self.text(&Some(r.title.clone()), sub("title", None), true);
        if !(1..=2).contains(&r.group_by.len()) {
            self.report(sub("group_by", None), "group_by 须有一到两项。", "group_by needs one or two entries.");
        }
        for (i, g) in r.group_by.iter().enumerate() {
            match g {
                Group::Field(f) => self.report_path(
                    f,
                    sub("group_by", Some(i)),
                    &GROUPABLE,
                    "select、radio、checkbox、text、integer、person 或 department",
                    "a select, radio, checkbox, text, integer, person or department field",
                ),
                Group::Year(f) => {
                    self.report_field(f, sub("group_by", Some(i)), &[FieldKind::Date], "date", "a date field")
                }
                Group::StartedYear | Group::Department | Group::Step | Group::Status => {}
            }
        }
        if r.measures.is_empty() {
            self.report(
                sub("measures", None),
                "measures 不能为空（例如 [\"count\"]）。",
                "measures cannot be empty (e.g. [\"count\"]).",
            );
        }
        for (i, m) in r.measures.iter().enumerate() {
            if let Some(f) = m.field() {
                let (kinds, zh, en) = if f.contains('.') {
                    (&COUNTABLE[..2], "integer 或 decimal", "an integer or decimal")
                } else {
                    (
                        &COUNTABLE[..],
                        "integer、decimal、table 或 multi_select",
                        "an integer, decimal, table or multi_select field",
                    )
                };
                self.report_path(f, sub("measures", Some(i)), kinds, zh, en);
            }
        }
        self.rows_counted(r, &sub);
        for (i, c) in r.conditions.iter().enumerate() {
            self.condition(c, sub("where", Some(i)));
        }
        if r.is_durations() && (r.group_by != [Group::Step] || r.measures.iter().any(|m| m.field().is_some())) {
            self.report(
                sub("measures", None),
                "办理时长（median_hours、p90_hours、overdue_rate）须单独按 group_by = [\"step\"] 统计，不能与 sum、avg 同用。",
                "the step durations (median_hours, p90_hours, overdue_rate) need group_by = [\"step\"] alone, without sum or avg.",
            );
        }
        for (i, f) in r.filters.iter().enumerate() {
            self.report_field(
                f,
                sub("filters", Some(i)),
                &GROUPABLE,
                "select、radio、checkbox、text、integer、person 或 department",
                "a select, radio, checkbox, text, integer, person or department field",
            );
        }
        if r.readers.is_empty() {
            self.report(
                sub("readers", None),
                "readers 须列出可以查看的角色，如 [\"role:upper_kexie\"]。",
                "readers must list who may see it, e.g. [\"role:upper_kexie\"].",
            );
        }
        for (i, who) in r.readers.iter().enumerate() {
            let ok =
                who.strip_prefix("role:").or_else(|| who.strip_prefix("user:")).is_some_and(|rest| !rest.is_empty());
            if !ok {
                self.report(
                    sub("readers", Some(i)),
                    format!("「{who}」应写成 \"role:<角色>\" 或 \"user:<用户>\"。"),
                    format!("'{who}' must read \"role:<role>\" or \"user:<id>\"."),
                );
            }
        }
    }

    /// A report counting a table's rows reads that table's columns (its fields would count
    /// once per row), and sums a column only when it counts that column's rows.
    fn rows_counted(&mut self, r: &Report, sub: &dyn Fn(&str, Option<usize>) -> Path) {
        // A path through something not a table is reported as such, not here.
        let table = r.rows_of().filter(|t| self.def.field(t).is_some_and(|f| f.kind == FieldKind::Table));
        let paths = r.group_by.iter().map(|g| match g {
            Group::Field(f) => Some(f.as_str()),
            _ => None,
        });
        let groups = paths.map(|p| ("group_by", p));
        let measures = r.measures.iter().map(|m| ("measures", m.field()));
        for (i, (key, path)) in groups.enumerate().chain(measures.enumerate()) {
            let Some(path) = path else { continue };
            let (zh, en) = match (table, path.split_once('.')) {
                (Some(t), Some((other, _))) if other != t => (
                    format!("一张报表只能统计一个表格的行：已按「{t}」的列分组。"),
                    format!("a report counts the rows of one table: it is grouped by a column of '{t}'."),
                ),
                (Some(t), None) if key == "measures" => (
                    format!("按「{t}」的列分组时，统计的是表格的行，不能再合计字段「{path}」（每行会重复计入）。"),
                    format!(
                        "grouped by a column of '{t}', the report counts rows: it cannot also sum the field '{path}' (once per row)."
                    ),
                ),
                (None, Some((t, _))) if key == "measures" => (
                    format!(
                        "合计表格的列「{path}」时，须同时按「{t}」的某一列分组（例如 {{ field = \"{t}.category\" }}）。"
                    ),
                    format!(
                        "to sum the column '{path}', also group by a column of '{t}' (e.g. {{ field = \"{t}.category\" }})."
                    ),
                ),
                _ => continue,
            };
            self.report(sub(key, Some(i)), zh, en);
        }
    }

    /// `path` is a field, or a table's column (`table.column`), of one of `kinds`.
    fn report_path(&mut self, path: &str, at: Path, kinds: &[FieldKind], zh: &str, en: &str) {
        let Some((table, column)) = path.split_once('.') else { return self.report_field(path, at, kinds, zh, en) };
        if self.known.broken_fields.contains(table) {
            return;
        }
        match (self.def.field(table).map(|t| t.kind), self.def.field_or_column(path)) {
            (Some(FieldKind::Table), None) => self.report(
                at,
                format!("表格「{table}」没有 id 为「{column}」的列。"),
                format!("the table '{table}' has no column '{column}'."),
            ),
            (Some(FieldKind::Table), Some(c)) if !kinds.contains(&c.kind) => self.report(
                at,
                format!("列「{path}」不能用在这里：须是 {zh} 列。"),
                format!("the column '{path}' cannot be used here: it must be {en}."),
            ),
            (Some(FieldKind::Table), Some(_)) => {}
            (Some(_), _) => self.report(
                at,
                format!("「{path}」：字段「{table}」不是表格，没有列。"),
                format!("'{path}': the field '{table}' is not a table and has no columns."),
            ),
            (None, _) => {
                self.report(at, format!("没有 id 为「{table}」的字段。"), format!("there is no field '{table}'."))
            }
        }
    }

    /// `id` is a top-level field of one of `kinds`.
    fn report_field(&mut self, id: &str, at: Path, kinds: &[FieldKind], zh: &str, en: &str) {
        if self.known.broken_fields.contains(id) {
            return;
        }
        match self.def.field(id) {
            None if id.contains('.') => self.report(
                at,
                format!("「{id}」是表格的列：列只能用来分组（group_by）或合计（measures），不能在此使用。"),
                format!("'{id}' is a table's column: columns can be grouped by or summed, not used here."),
            ),
            None => self.report(at, format!("没有 id 为「{id}」的字段。"), format!("there is no field '{id}'.")),
            Some(f) if !kinds.contains(&f.kind) => self.report(
                at,
                format!("字段「{id}」不能用在这里：须是 {zh} 字段。"),
                format!("the field '{id}' cannot be used here: it must be {en}."),
            ),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::definition::{Source, load};

    const WORKFLOW: &str = r#"
key = "r"
version = 1
title = { zh = "报表", en = "Reports" }

[[fields]]
id = "mode"
kind = "select"
label = { zh = "方式", en = "Mode" }
options = [{ value = "a", label = { zh = "甲", en = "A" } }]

[[fields]]
id = "staff"
kind = "integer"
label = { zh = "人数", en = "Staff" }

[[fields]]
id = "items"
kind = "table"
label = { zh = "事项", en = "Items" }
columns = [
  { id = "name", kind = "text", label = { zh = "名称", en = "Name" } },
  { id = "cost", kind = "decimal", label = { zh = "费用", en = "Cost" } },
]

[[steps]]
id = "apply"
kind = "fill"
label = { zh = "申请", en = "Apply" }
actors = ["initiator"]
editable = ["mode", "staff", "items"]
next = ["end"]
"#;

    fn problems(reports: &str) -> Vec<String> {
        let text = format!("{WORKFLOW}\n{reports}");
        match load(&Source { name: "workflow.toml", text: &text }, None) {
            Ok(_) => Vec::new(),
            Err(d) => d.iter().map(|d| format!("{}:{} {}", d.line, d.col, d.message.en)).collect(),
        }
    }

    #[test]
    fn a_good_report_loads() {
        let good = r#"
[[reports]]
id = "by_mode"
title = { zh = "按方式", en = "By mode" }
group_by = [{ field = "mode" }, "started_year"]
measures = ["count", { sum = "staff" }]
filters = ["mode"]
readers = ["role:upper"]

[[reports]]
id = "speed"
title = { zh = "时长", en = "Speed" }
group_by = ["step"]
measures = ["count", "median_hours", "p90_hours", "overdue_rate"]
readers = ["role:upper"]
"#;
        assert_eq!(problems(good), Vec::<String>::new());
    }

    #[test]
    fn each_bad_report_entry_is_named_at_its_line() {
        let bad = r#"
[[reports]]
id = "bad"
title = { zh = "坏", en = "Bad" }
group_by = [{ field = "items" }, { year = "staff" }]
measures = [{ sum = "mode" }, { avg = "nothing" }]
filters = ["nowhere"]
readers = ["upper"]

[[reports]]
id = "mixed"
title = { zh = "混", en = "Mixed" }
group_by = [{ field = "mode" }]
measures = ["median_hours"]
readers = ["role:upper"]
"#;
        let got = problems(bad);
        let base = WORKFLOW.lines().count() as u32 + 3; // the joining newline, a blank line, `[[reports]]`
        let want = [
            (base + 3, "the field 'items' cannot be used here"),
            (base + 3, "the field 'staff' cannot be used here: it must be a date field"),
            (
                base + 4,
                "the field 'mode' cannot be used here: it must be an integer, decimal, table or multi_select field",
            ),
            (base + 4, "there is no field 'nothing'"),
            (base + 5, "there is no field 'nowhere'"),
            (base + 6, "'upper' must read"),
            (base + 12, "the step durations"),
        ];
        for (line, text) in want {
            assert!(
                got.iter().any(|g| g.starts_with(&format!("{line}:")) && g.contains(text)),
                "{line} {text} in {got:#?}"
            );
        }
        assert_eq!(got.len(), want.len(), "{got:#?}");
    }

    #[test]
    fn a_condition_tests_one_field_once_against_what_it_can_hold() {
        let bad = r#"
[[reports]]
id = "c"
title = { zh = "条件", en = "Conditions" }
group_by = [{ field = "mode" }]
where = [{ field = "staff", at_least = 100, below = 500 }, { field = "mode", not = "b" }, { field = "mode", at_least = 1 }]
readers = ["role:upper"]
"#;
        let got = problems(bad);
        assert_eq!(got.len(), 3, "{got:#?}");
        assert!(got[0].contains("exactly one of equals, not, at_least and below"), "{got:#?}");
        assert!(got[1].contains("has no option 'b': choose one of a"), "{got:#?}");
        assert!(got[2].contains("it must be an integer or decimal field"), "{got:#?}");
        let good = bad
            .replace(", below = 500", "")
            .replace("not = \"b\"", "not = \"a\"")
            .replace(", { field = \"mode\", at_least = 1 }", "");
        assert_eq!(problems(&good), Vec::<String>::new());
    }

    #[test]
    fn a_report_counts_a_tables_rows_by_its_columns() {
        let good = r#"
[[reports]]
id = "by_name"
title = { zh = "按名称", en = "By name" }
group_by = [{ field = "mode" }, { field = "items.name" }]
measures = ["count", { sum = "items.cost" }, { avg = "items.cost" }]
readers = ["role:upper"]
"#;
        assert_eq!(problems(good), Vec::<String>::new());
        let bad = r#"
[[reports]]
id = "rows"
title = { zh = "行", en = "Rows" }
group_by = [{ field = "items.name" }, { field = "items.nothing" }]
measures = [{ sum = "staff" }, { sum = "items.name" }]
filters = ["items.name"]
readers = ["role:upper"]

[[reports]]
id = "no_rows"
title = { zh = "无行", en = "No rows" }
group_by = [{ field = "mode.name" }]
measures = [{ sum = "items.cost" }]
readers = ["role:upper"]
"#;
        let got = problems(bad);
        let want = [
            "the table 'items' has no column 'nothing'",
            "it cannot also sum the field 'staff' (once per row)",
            "the column 'items.name' cannot be used here: it must be an integer or decimal",
            "'items.name' is a table's column: columns can be grouped by or summed, not used here",
            "'mode.name': the field 'mode' is not a table",
            "to sum the column 'items.cost', also group by a column of 'items'",
        ];
        for text in want {
            assert!(got.iter().any(|g| g.contains(text)), "{text} in {got:#?}");
        }
        assert_eq!(got.len(), want.len(), "{got:#?}");
    }

    #[test]
    fn an_unknown_grouping_is_refused_by_name() {
        let bad = r#"
[[reports]]
id = "x"
title = { zh = "x", en = "x" }
group_by = ["region"]
readers = ["role:upper"]
"#;
        let got = problems(bad);
        assert!(got.iter().any(|g| g.contains("unknown variant") && g.contains("region")), "{got:#?}");
    }
}
