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
                Group::Field(f) => self.report_field(
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
                self.report_field(
                    f,
                    sub("measures", Some(i)),
                    &COUNTABLE,
                    "integer、decimal、table 或 multi_select",
                    "an integer, decimal, table or multi_select field",
                );
            }
        }
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

    /// `id` is a top-level field of one of `kinds`.
    fn report_field(&mut self, id: &str, at: Path, kinds: &[FieldKind], zh: &str, en: &str) {
        if self.known.broken_fields.contains(id) {
            return;
        }
        match self.def.field(id) {
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
columns = [{ id = "name", kind = "text", label = { zh = "名称", en = "Name" } }]

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
