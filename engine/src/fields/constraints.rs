//! Built-in constraints: required, min/max, lengths, pattern, options, rows, attachments.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex_lite::Regex;
use rust_decimal::Decimal;
use serde_json::Value;

use super::{FieldError, date, decimal_of, is_empty};
use crate::definition::{Definition, Field, FieldKind};

/// `pattern`s by field path (`id` or `table.column`), each compiled when a value is first
/// checked against it: an empty form opens without compiling any (and without the
/// browser compiling regex_lite's code before the first input).
#[derive(Debug, Clone, Default)]
pub struct Patterns(BTreeMap<String, (String, OnceLock<Option<Regex>>)>);

impl Patterns {
    /// Every field's and column's pattern, by path, none compiled yet.
    pub fn new(def: &Definition) -> Patterns {
        let mut map = BTreeMap::new();
        for f in &def.fields {
            for (path, field) in
                std::iter::once((f.id.clone(), f)).chain(f.columns.iter().map(|c| (format!("{}.{}", f.id, c.id), c)))
            {
                if let Some(p) = &field.pattern {
                    map.insert(path, (p.clone(), OnceLock::new()));
                }
            }
        }
        Patterns(map)
    }

    /// The compiled pattern of `key`, anchored to the whole value. Patterns were checked
    /// at load time; one that fails here is skipped.
    fn get(&self, key: &str) -> Option<&Regex> {
        let (source, compiled) = self.0.get(key)?;
        compiled.get_or_init(|| anchored(source).ok()).as_ref()
    }
}

/// A pattern as the built-in check applies it: to the whole value.
fn anchored(source: &str) -> Result<Regex, regex_lite::Error> {
    Regex::new(&format!("^(?:{source})$"))
}

/// Whether `sample` has the format `pattern` asks for, as the form will judge it; the
/// regular expression's own error when it is not one (a designer's live tester).
pub fn pattern_matches(pattern: &str, sample: &str) -> Result<bool, String> {
    anchored(pattern).map(|re| re.is_match(sample)).map_err(|e| e.to_string())
}

/// Checks one value against its field. `required` says whether emptiness is an error
/// here (the engine requires a field only where it is editable and shown).
pub fn check_value(
    field: &Field,
    path: &str,
    pattern_key: &str,
    value: Option<&Value>,
    required: bool,
    patterns: &Patterns,
    out: &mut Vec<FieldError>,
) {
    let value = value.filter(|v| !is_empty(v));
    let Some(value) = value else {
        if required && field.kind != FieldKind::RichText {
            out.push(FieldError::new(
                path,
                format!("请填写「{}」。", field.label().zh),
                format!("{} is required.", field.label().en),
            ));
        }
        return;
    };
    match field.kind {
        FieldKind::Text | FieldKind::LongText => text(field, path, pattern_key, value, patterns, out),
        FieldKind::Integer | FieldKind::Decimal => number(field, path, value, out),
        FieldKind::Date => {
            if value.as_str().is_none_or(|s| date::parse(s).is_none()) {
                out.push(FieldError::new(path, "请填写有效日期（年-月-日）。", "Enter a valid date (YYYY-MM-DD)."));
            }
        }
        FieldKind::Select | FieldKind::Radio => choice(field, path, value, out),
        FieldKind::MultiSelect => multi(field, path, value, out),
        FieldKind::Checkbox => {
            if !value.is_boolean() {
                out.push(FieldError::new(path, "应为是或否。", "Must be yes or no."));
            } else if required && value == &Value::Bool(false) {
                out.push(FieldError::new(
                    path,
                    format!("请勾选「{}」。", field.label().zh),
                    format!("{} must be ticked.", field.label().en),
                ));
            }
        }
        FieldKind::Person | FieldKind::Department => ids(field, path, value, out),
        FieldKind::Table => table(field, path, value, patterns, out),
        FieldKind::Attachment => attachments(field, path, value, out),
        FieldKind::RichText => {}
        FieldKind::Reference => {
            if value.as_str().is_none_or(|s| s.trim().is_empty()) {
                out.push(FieldError::new(path, "应为一个流程实例的编号。", "Must be the id of an instance."));
            }
        }
    }
}

fn text(field: &Field, path: &str, key: &str, value: &Value, patterns: &Patterns, out: &mut Vec<FieldError>) {
    let Some(s) = value.as_str() else {
        out.push(FieldError::new(path, "应为文本。", "Must be text."));
        return;
    };
    let n = s.chars().count();
    if let Some(min) = field.min_length.filter(|m| n < *m) {
        out.push(FieldError::new(
            path,
            format!("至少 {min} 个字（现有 {n} 个）。"),
            format!("At least {min} characters ({n} now)."),
        ));
    }
    if let Some(max) = field.max_length.filter(|m| n > *m) {
        out.push(FieldError::new(
            path,
            format!("最多 {max} 个字（现有 {n} 个）。"),
            format!("At most {max} characters ({n} now)."),
        ));
    }
    if let Some(re) = patterns.get(key)
        && !re.is_match(s)
    {
        out.push(FieldError::new(path, "格式不正确。", "The format is not right."));
    }
}

fn number(field: &Field, path: &str, value: &Value, out: &mut Vec<FieldError>) {
    let parsed = match field.kind {
        FieldKind::Integer => value.as_i64().map(Decimal::from),
        _ => decimal_of(value),
    };
    let Some(n) = parsed else {
        let (zh, en) = if field.kind == FieldKind::Integer {
            ("应为整数。", "Must be a whole number.")
        } else {
            ("应为数字，如 1234.50。", "Must be a number such as 1234.50.")
        };
        out.push(FieldError::new(path, zh, en));
        return;
    };
    let scale = field.scale.unwrap_or(2);
    if field.kind == FieldKind::Decimal && n.normalize().scale() > scale {
        out.push(FieldError::new(
            path,
            format!("最多 {scale} 位小数。"),
            format!("At most {scale} digits after the point."),
        ));
    }
    if let Some(min) = field.min.filter(|m| n < *m) {
        out.push(FieldError::new(path, format!("不能小于 {min}。"), format!("Must be at least {min}.")));
    }
    if let Some(max) = field.max.filter(|m| n > *m) {
        out.push(FieldError::new(path, format!("不能大于 {max}。"), format!("Must be at most {max}.")));
    }
}

fn not_an_option(path: &str, v: &str, out: &mut Vec<FieldError>) {
    out.push(FieldError::new(path, format!("「{v}」不是可选的选项。"), format!("'{v}' is not one of the options.")));
}

fn choice(field: &Field, path: &str, value: &Value, out: &mut Vec<FieldError>) {
    match value.as_str() {
        Some(v) if field.option(v).is_some() => {}
        Some(v) => not_an_option(path, v, out),
        None => out.push(FieldError::new(path, "应为一个选项。", "Must be one option.")),
    }
}

fn multi(field: &Field, path: &str, value: &Value, out: &mut Vec<FieldError>) {
    let Some(items) = value.as_array() else {
        out.push(FieldError::new(path, "应为选项列表。", "Must be a list of options."));
        return;
    };
    for item in items {
        match item.as_str() {
            Some(v) if field.option(v).is_some() => {}
            Some(v) => not_an_option(path, v, out),
            None => out.push(FieldError::new(path, "应为选项列表。", "Must be a list of options.")),
        }
    }
    counts(path, items.len(), field.min_items, field.max_items, ("项", "options"), out);
}

fn counts(
    path: &str,
    n: usize,
    min: Option<usize>,
    max: Option<usize>,
    (zh, en): (&str, &str),
    out: &mut Vec<FieldError>,
) {
    if let Some(min) = min.filter(|m| n < *m) {
        out.push(FieldError::new(
            path,
            format!("至少 {min} {zh}（现有 {n}）。"),
            format!("At least {min} {en} ({n} now)."),
        ));
    }
    if let Some(max) = max.filter(|m| n > *m) {
        out.push(FieldError::new(
            path,
            format!("最多 {max} {zh}（现有 {n}）。"),
            format!("At most {max} {en} ({n} now)."),
        ));
    }
}

/// A value that is one item, or a list of items when the field is `multiple`.
fn items<'v>(field: &Field, path: &str, value: &'v Value, out: &mut Vec<FieldError>) -> Vec<&'v Value> {
    match (field.multiple, value) {
        (true, Value::Array(list)) => list.iter().collect(),
        (false, Value::Array(_)) | (true, _) => {
            let (zh, en) = if field.multiple {
                ("应为列表。", "Must be a list.")
            } else {
                ("只能选一个。", "Only one may be chosen.")
            };
            out.push(FieldError::new(path, zh, en));
            Vec::new()
        }
        (false, v) => vec![v],
    }
}

fn ids(field: &Field, path: &str, value: &Value, out: &mut Vec<FieldError>) {
    for item in items(field, path, value, out) {
        if item.as_str().is_none_or(|s| s.trim().is_empty()) {
            out.push(FieldError::new(path, "应为目录中的 id。", "Must be an id from the directory."));
        }
    }
}

fn table(field: &Field, path: &str, value: &Value, patterns: &Patterns, out: &mut Vec<FieldError>) {
    let Some(rows) = value.as_array() else {
        out.push(FieldError::new(path, "应为表格行的列表。", "Must be a list of rows."));
        return;
    };
    counts(path, rows.len(), field.min_rows, field.max_rows, ("行", "rows"), out);
    for (i, row) in rows.iter().enumerate() {
        let Some(cells) = row.as_object() else {
            out.push(FieldError::new(
                format!("{path}[{i}]"),
                "每行应为一组列值。",
                "Each row must map columns to values.",
            ));
            continue;
        };
        for key in cells.keys().filter(|k| field.column(k).is_none()) {
            out.push(FieldError::new(
                format!("{path}[{i}].{key}"),
                format!("表格没有「{key}」列。"),
                format!("The table has no column '{key}'."),
            ));
        }
        for col in &field.columns {
            let cell_path = format!("{path}[{i}].{}", col.id);
            let key = format!("{}.{}", field.id, col.id);
            check_value(col, &cell_path, &key, cells.get(&col.id), col.required, patterns, out);
        }
    }
}

fn attachments(field: &Field, path: &str, value: &Value, out: &mut Vec<FieldError>) {
    let list = items(field, path, value, out);
    counts(path, list.len(), None, field.max_files, ("个文件", "files"), out);
    for item in list {
        let get = |k: &str| item.get(k);
        let name = get("name").and_then(Value::as_str).unwrap_or("");
        let size = get("size").and_then(Value::as_u64);
        let media = get("media_type").and_then(Value::as_str).unwrap_or("");
        let sha = get("sha256").and_then(Value::as_str).unwrap_or("");
        let lacking = [
            ("name", name.is_empty()),
            ("size", size.is_none()),
            ("media_type", media.is_empty()),
            ("sha256", sha.is_empty()),
        ];
        let lacking: Vec<&str> = lacking.iter().filter(|(_, lacks)| *lacks).map(|(key, _)| *key).collect();
        if !lacking.is_empty() {
            out.push(FieldError::new(
                path,
                format!("附件信息不完整，缺少 {}（需 name、size、media_type、sha256）。", lacking.join("、")),
                format!("Attachment metadata lacks {} (it needs name, size, media_type, sha256).", lacking.join(", ")),
            ));
            continue;
        }
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push(FieldError::new(
                path,
                format!("附件「{name}」的 sha256 应为 64 位十六进制数字（现为 {} 个字符）。", sha.chars().count()),
                format!(
                    "The sha256 of '{name}' must be 64 hexadecimal digits (it has {} characters).",
                    sha.chars().count()
                ),
            ));
            continue;
        }
        if !field.accept.is_empty() && !field.accept.iter().any(|a| a == media) {
            out.push(FieldError::new(
                path,
                format!("「{name}」的类型 {media} 不允许，可用：{}。", field.accept.join("、")),
                format!("'{name}' is {media}; allowed: {}.", field.accept.join(", ")),
            ));
        }
        if let (Some(max), Some(size)) = (field.max_size, size)
            && size > max
        {
            out.push(FieldError::new(
                path,
                format!("「{name}」超过 {} KB 上限。", max / 1024),
                format!("'{name}' is over the {} KB limit.", max / 1024),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn field(toml: &str) -> Field {
        toml::from_str(toml).expect("a field")
    }

    fn errors(f: &Field, value: Value) -> Vec<String> {
        let def = Definition {
            key: "t".into(),
            version: 1,
            title: Default::default(),
            description: None,
            summary: Vec::new(),
            article: None,
            starters: Vec::new(),
            fields: vec![f.clone()],
            steps: Vec::new(),
            reports: Vec::new(),
        };
        let mut out = Vec::new();
        let value = (!value.is_null()).then_some(value);
        check_value(f, &f.id, &f.id, value.as_ref(), true, &Patterns::new(&def), &mut out);
        out.into_iter().map(|e| format!("{}: {}", e.path, e.message.en)).collect()
    }

    #[test]
    fn required_fields_must_be_filled() {
        let f = field("id = 'name'\nkind = 'text'\nlabel = { zh = '名称', en = 'Name' }");
        assert_eq!(errors(&f, Value::Null), ["name: Name is required."]);
        assert_eq!(errors(&f, json!("  ")), ["name: Name is required."]);
        assert!(errors(&f, json!("科协")).is_empty());
    }

    #[test]
    fn text_length_and_pattern() {
        let f = field("id = 'code'\nkind = 'text'\nmin_length = 2\nmax_length = 4\npattern = '[A-Z]+'");
        assert_eq!(errors(&f, json!("A")), ["code: At least 2 characters (1 now)."]);
        assert_eq!(errors(&f, json!("ABCDE")), ["code: At most 4 characters (5 now)."]);
        assert_eq!(errors(&f, json!("ab")), ["code: The format is not right."], "the pattern covers the whole value");
        assert!(errors(&f, json!("ABC")).is_empty());
    }

    #[test]
    fn numbers_bounds_and_decimal_places() {
        let int = field("id = 'n'\nkind = 'integer'\nmin = 1\nmax = 10");
        assert_eq!(errors(&int, json!(0)), ["n: Must be at least 1."]);
        assert_eq!(errors(&int, json!(11)), ["n: Must be at most 10."]);
        assert_eq!(errors(&int, json!("5")), ["n: Must be a whole number."]);
        let money = field("id = 'm'\nkind = 'decimal'\nmin = '0.01'");
        assert!(errors(&money, json!("12.50")).is_empty());
        assert_eq!(errors(&money, json!("12.505")), ["m: At most 2 digits after the point."]);
        assert_eq!(errors(&money, json!("0")), ["m: Must be at least 0.01."]);
        assert_eq!(errors(&money, json!("abc")), ["m: Must be a number such as 1234.50."]);
    }

    #[test]
    fn dates_options_and_checkboxes() {
        let d = field("id = 'd'\nkind = 'date'");
        assert_eq!(errors(&d, json!("2026-02-30")), ["d: Enter a valid date (YYYY-MM-DD)."]);
        let s = field("id = 's'\nkind = 'select'\noptions = [{ value = 'a' }, { value = 'b' }]");
        assert_eq!(errors(&s, json!("c")), ["s: 'c' is not one of the options."]);
        let m = field("id = 'm'\nkind = 'multi_select'\nmax_items = 1\noptions = [{ value = 'a' }, { value = 'b' }]");
        assert_eq!(errors(&m, json!(["a", "b"])), ["m: At most 1 options (2 now)."]);
        let c = field("id = 'ok'\nkind = 'checkbox'\nlabel = { zh = '确认', en = 'Confirmed' }");
        assert_eq!(errors(&c, json!(false)), ["ok: Confirmed must be ticked."], "a required checkbox must be ticked");
    }

    #[test]
    fn table_rows_and_cells() {
        let t = field(
            "id = 'items'\nkind = 'table'\nmin_rows = 1\nmax_rows = 2\ncolumns = [\
             { id = 'name', kind = 'text', required = true, label = { zh = '名', en = 'Name' } },\
             { id = 'budget', kind = 'decimal', min = 0 }]",
        );
        assert_eq!(errors(&t, json!([])), ["items: items is required."], "without a label the id names it");
        let bad = json!([{ "name": "a", "budget": "-1" }, { "budget": "1", "x": 1 }, {}]);
        assert_eq!(
            errors(&t, bad),
            [
                "items: At most 2 rows (3 now).",
                "items[0].budget: Must be at least 0.",
                "items[1].x: The table has no column 'x'.",
                "items[1].name: Name is required.",
                "items[2].name: Name is required.",
            ]
        );
    }

    #[test]
    fn attachments_type_size_and_metadata() {
        let a = field("id = 'doc'\nkind = 'attachment'\naccept = ['application/pdf']\nmax_size = 1024");
        let file = |media: &str, size: u64| json!({ "name": "章程.pdf", "size": size, "media_type": media, "sha256": "ab".repeat(32) });
        assert!(errors(&a, file("application/pdf", 10)).is_empty());
        assert_eq!(errors(&a, file("image/png", 10)), ["doc: '章程.pdf' is image/png; allowed: application/pdf."]);
        assert_eq!(errors(&a, file("application/pdf", 4096)), ["doc: '章程.pdf' is over the 1 KB limit."]);
        let lacks =
            "doc: Attachment metadata lacks size, media_type, sha256 (it needs name, size, media_type, sha256).";
        assert_eq!(errors(&a, json!({ "name": "x" })), [lacks]);
        let short = json!({ "name": "x.pdf", "size": 1, "media_type": "application/pdf", "sha256": "abc" });
        assert_eq!(
            errors(&a, short),
            ["doc: The sha256 of 'x.pdf' must be 64 hexadecimal digits (it has 3 characters)."]
        );
        assert_eq!(errors(&a, json!([file("application/pdf", 1)])), ["doc: Only one may be chosen."]);
    }
}
