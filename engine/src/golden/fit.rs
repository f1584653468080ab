//! A case's forms against its workflow: every key a field (a column, in a table's rows),
//! every choice one of the field's options. Each problem is reported at the case file's
//! line and column before the case runs, where running it would only say the field
//! "cannot be changed", or let a misspelt option pass as no option at all.

use toml::de::DeTable;

use super::Case;
use crate::definition::locate::{Path, Seg, keys, span_of};
use crate::definition::{Definition, Diagnostic, Field, FieldKind, Source};
use crate::text::Text;

/// Every key and choice of the case's forms (`[form]`, each action's `set`, `[expect.form]`)
/// that the workflow `def` does not have.
pub fn check_case(def: &Definition, src: &Source<'_>, case: &Case) -> Vec<Diagnostic> {
    let mut tables: Vec<(Path, &toml::Table)> = vec![(keys!["form"], &case.form)];
    for (i, action) in case.actions.iter().enumerate() {
        tables.extend(action.set.as_ref().map(|set| (keys!["actions", i, "set"], set)));
    }
    tables.extend(case.expect.form.as_ref().map(|form| (keys!["expect", "form"], form)));
    let mut misfits = Vec::new();
    for (path, table) in tables {
        fit_table(&def.fields, path, table, &mut misfits);
    }
    if misfits.is_empty() {
        return Vec::new();
    }
    let (root, _) = DeTable::parse_recoverable(src.text);
    misfits.into_iter().map(|(path, message)| src.at(span_of(&root, &path).start, message)).collect()
}

/// The misfits of one table of values against `fields` (a form's, or a table's columns).
fn fit_table(fields: &[Field], path: Path, table: &toml::Table, out: &mut Vec<(Path, Text)>) {
    for (key, value) in table {
        let at = [path.clone(), vec![Seg::from(key.as_str())]].concat();
        let Some(field) = fields.iter().find(|f| &f.id == key) else {
            out.push((at, not_a_field(key, fields)));
            continue;
        };
        match (field.kind, value) {
            (kind, _) if kind.has_options() => {
                let chosen: Vec<&str> = match value {
                    toml::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
                    v => v.as_str().into_iter().collect(),
                };
                out.extend(
                    chosen
                        .into_iter()
                        .filter(|c| field.option(c).is_none())
                        .map(|c| (at.clone(), not_an_option(c, field))),
                );
            }
            (FieldKind::Table, toml::Value::Array(rows)) => {
                for (i, row) in rows.iter().enumerate() {
                    if let Some(row) = row.as_table() {
                        fit_table(&field.columns, [at.clone(), vec![Seg::from(i)]].concat(), row, out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn not_a_field(key: &str, fields: &[Field]) -> Text {
    let ids = fields.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ");
    Text::new(
        format!("「{key}」不是本流程的字段：请检查拼写，或先在 workflow.toml 中添加它（字段：{ids}）。"),
        format!(
            "'{key}' is not a field of this workflow: check its spelling, or add it to workflow.toml first (fields: {ids})."
        ),
    )
}

fn not_an_option(chosen: &str, field: &Field) -> Text {
    let values = field.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(", ");
    Text::new(
        format!("「{chosen}」不是字段「{}」的选项（可选：{values}）。", field.id),
        format!("'{chosen}' is not an option of field '{}' (options: {values}).", field.id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golden::parse_case;

    const CASE: &str = r#"name = "misfits"
initiator = "li"
start = "2026-03-02T09:00:00+08:00"

[form]
enterprise_name = "某集团"
venue = "一号厅"
organising_mode = "standlone"
planned_platforms = ["expert_workstation", "haizhi"]
committee_candidates = [{ name = "张三", nickname = "三哥" }]

[[actions]]
actor = "li"
action = "submit"
set = { organising_mode = "regional" }

[expect]
form = { orgnising_mode = "regional" }
"#;

    fn formation() -> Definition {
        let text = include_str!("../../../workflows/kexie-formation/workflow.toml");
        crate::definition::load(&Source { name: "workflow.toml", text }, None).unwrap()
    }

    #[test]
    fn unknown_fields_columns_and_options_are_named_where_written() {
        let src = Source { name: "cases/09-misfits.toml", text: CASE };
        let found = check_case(&formation(), &src, &parse_case(&src).unwrap());
        let got: Vec<String> = found.iter().map(|d| d.to_string()).collect();
        let starts = [
            "cases/09-misfits.toml:10:51: 'nickname' is not a field of this workflow",
            "cases/09-misfits.toml:8:19: 'standlone' is not an option of field 'organising_mode' (options: standalone, regional,",
            "cases/09-misfits.toml:9:21: 'haizhi' is not an option of field 'planned_platforms'",
            "cases/09-misfits.toml:7:9: 'venue' is not a field of this workflow",
            "cases/09-misfits.toml:18:27: 'orgnising_mode' is not a field of this workflow",
        ];
        assert_eq!(got.len(), starts.len(), "{got:#?}");
        for want in starts {
            assert!(got.iter().any(|g| g.starts_with(want)), "no {want} in {got:#?}");
        }
        let venue = found.iter().find(|d| d.line == 7).unwrap();
        assert!(venue.message.zh.starts_with("「venue」不是本流程的字段"), "{}", venue.message.zh);
    }
}
