//! Checks of fields and table columns.

use std::collections::{BTreeMap, BTreeSet};

use super::Checker;
use crate::definition::locate::{Path, keys};
use crate::definition::model::{Field, FieldKind};

impl Checker<'_> {
    pub(super) fn field(&mut self, f: &Field, at: Path, in_table: bool) {
        let sub = |k: &str| {
            let mut p = at.clone();
            p.push(k.into());
            p
        };
        if f.kind == FieldKind::RichText {
            self.text(&f.content, sub("content"), true);
        } else {
            self.text(&f.label, sub("label"), true);
        }
        self.text(&f.help, sub("help"), false);
        self.field_keys(f, &sub);
        if in_table
            && matches!(f.kind, FieldKind::Table | FieldKind::Attachment | FieldKind::RichText | FieldKind::Reference)
        {
            self.report(
                sub("kind"),
                "表格的列不能是 table、attachment、rich_text 或 reference。",
                "a table column cannot be a table, attachment, rich_text or reference.",
            );
        }
        if f.kind == FieldKind::Reference {
            self.reference(f, &sub);
        }
        if f.kind == FieldKind::Table {
            self.columns(f, &at);
        }
        if f.total && !(in_table && f.kind.is_number()) {
            self.report(
                sub("total"),
                "total 只适用于表格中的 integer 或 decimal 列。",
                "total applies only to integer or decimal columns of a table.",
            );
        }
    }

    /// A reference names its workflow; its prefill copies into fields that exist and can
    /// hold a value.
    fn reference(&mut self, f: &Field, sub: &dyn Fn(&str) -> Path) {
        match f.workflow.as_deref() {
            Some(key) if !key.is_empty() => {}
            _ => self.report(
                sub("kind"),
                "reference 字段须写 workflow，即所引用流程的 key，如 workflow = \"annual-plan\"。",
                "a reference field needs workflow, the key of the workflow it refers to, e.g. workflow = \"annual-plan\".",
            ),
        }
        for target in f.prefill.keys() {
            let fits = self.def.field(target).is_some_and(|t| !t.computed && t.kind != FieldKind::RichText);
            if !fits && !self.known.broken_fields.contains(target.as_str()) {
                let mut at = sub("prefill");
                at.push(target.as_str().into());
                self.report(
                    at,
                    format!("prefill 的目标「{target}」不是本表单中可填写的字段。"),
                    format!("the prefill target '{target}' is not a field of this form that holds a value."),
                );
            }
        }
    }

    /// Keys that apply to some kinds only, and values that must be consistent.
    fn field_keys(&mut self, f: &Field, sub: &dyn Fn(&str) -> Path) {
        let kind = f.kind;
        let set = [
            ("min", f.min.is_some()),
            ("max", f.max.is_some()),
            ("scale", f.scale.is_some()),
            ("min_length", f.min_length.is_some()),
            ("max_length", f.max_length.is_some()),
            ("pattern", f.pattern.is_some()),
            ("options", !f.options.is_empty()),
            ("min_items", f.min_items.is_some()),
            ("max_items", f.max_items.is_some()),
            ("multiple", f.multiple),
            ("columns", !f.columns.is_empty()),
            ("min_rows", f.min_rows.is_some()),
            ("max_rows", f.max_rows.is_some()),
            ("accept", !f.accept.is_empty()),
            ("max_size", f.max_size.is_some()),
            ("max_files", f.max_files.is_some()),
            ("content", f.content.is_some()),
            ("workflow", f.workflow.is_some()),
            ("prefill", !f.prefill.is_empty()),
            ("role", f.role.is_some()),
        ];
        for (key, _) in set.into_iter().filter(|(key, set)| *set && !kind.takes(key)) {
            let kinds: Vec<String> = FieldKind::ALL.into_iter().filter(|k| k.takes(key)).map(FieldKind::name).collect();
            let kinds = kinds.join(", ");
            self.report(
                sub(key),
                format!("{key} 只适用于 {kinds} 类型的字段：请删除它或改变 kind。"),
                format!("{key} applies only to {kinds} fields: remove it or change the kind."),
            );
        }
        if let (Some(min), Some(max)) = (f.min, f.max)
            && min > max
        {
            self.report(sub("min"), "min 大于 max。", "min is larger than max.");
        }
        if kind == FieldKind::Integer && [f.min, f.max].iter().flatten().any(|v| !v.fract().is_zero()) {
            self.report(
                sub("min"),
                "integer 字段的 min/max 须为整数。",
                "min and max of an integer field must be whole numbers.",
            );
        }
        if let (Some(a), Some(b)) = (f.min_length, f.max_length)
            && a > b
        {
            self.report(sub("min_length"), "min_length 大于 max_length。", "min_length is larger than max_length.");
        }
        if let (Some(a), Some(b)) = (f.min_rows, f.max_rows)
            && a > b
        {
            self.report(sub("min_rows"), "min_rows 大于 max_rows。", "min_rows is larger than max_rows.");
        }
        if let Some(p) = &f.pattern
            && let Err(e) = regex_lite::Regex::new(p)
        {
            self.report(
                sub("pattern"),
                format!("pattern 不是有效的正则表达式：{e}"),
                format!("pattern is not a valid regular expression: {e}"),
            );
        }
        if kind.has_options() {
            self.options(f, sub);
        }
    }

    fn options(&mut self, f: &Field, sub: &dyn Fn(&str) -> Path) {
        if f.options.is_empty() {
            self.report(
                sub("kind"),
                "选项字段须有 options = [{ value, label }, …]。",
                "a choice field needs options = [{ value, label }, …].",
            );
        }
        let mut seen = BTreeSet::new();
        for (i, o) in f.options.iter().enumerate() {
            let mut at = sub("options");
            at.push(i.into());
            if !seen.insert(o.value.as_str()) {
                self.report(
                    at.clone(),
                    format!("选项值「{}」重复。", o.value),
                    format!("the option value '{}' is repeated.", o.value),
                );
            }
            at.push("label".into());
            self.text(&o.label, at, true);
        }
    }

    fn columns(&mut self, f: &Field, at: &Path) {
        if f.columns.is_empty() {
            let mut p = at.clone();
            p.push("kind".into());
            self.report(p, "表格须有 columns = [ … ]。", "a table needs columns = [ … ].");
        }
        let mut ids = BTreeMap::new();
        for (i, col) in f.columns.iter().enumerate() {
            let mut p = at.clone();
            p.extend(keys!["columns", i]);
            let mut id_at = p.clone();
            id_at.push("id".into());
            self.unique(&mut ids, &col.id, id_at, "列", "column");
            self.field(col, p, true);
        }
    }
}
