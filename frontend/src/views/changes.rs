//! How a change to a field reads in the history: a table as the rows added and removed
//! and the cells changed, files by name (linked), people by name, options by label.

use kexie_engine::definition::{Field, FieldKind};
use kexie_engine::text::Lang;
use serde_json::Value;
use yew::prelude::*;

use crate::form::{Names, display};
use crate::i18n::{pick, t};

/// One field's change, as a line of the history's list.
pub fn change(lang: Lang, f: &Field, before: &Value, after: &Value, names: &Names, instance: &AttrValue) -> Html {
    let label = pick(lang, &f.label());
    let show = |v: &Value| display::show_value(lang, f, Some(v), names, Some(instance));
    if f.kind == FieldKind::Table {
        return html! { <li><strong>{ label }</strong><ul>{ for table_lines(lang, f, before, after, names) }</ul></li> };
    }
    html! { <li><strong>{ label }</strong>{ t(lang, "：", ": ") }{ show(before) }{ " → " }{ show(after) }</li> }
}

/// A row of one table matched (or not) with a row of the other.
#[derive(Debug, PartialEq)]
enum RowChange {
    Added(usize),
    Removed(usize),
    /// Row `.0` before is row `.1` after, with cells changed.
    Changed(usize, usize),
}

fn table_lines(lang: Lang, f: &Field, before: &Value, after: &Value, names: &Names) -> Vec<Html> {
    let rows = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let (a, b) = (rows(before), rows(after));
    let cell = |c: &Field, row: &Value| match row.get(&c.id) {
        Some(v) if !v.is_null() => display::text(lang, c, v, names),
        _ => "—".to_string(),
    };
    let whole = |row: &Value| {
        let cells = f.columns.iter().filter(|c| row.get(&c.id).is_some_and(|v| !v.is_null()));
        cells.map(|c| format!("{}{}{}", pick(lang, &c.label()), t(lang, "：", ": "), cell(c, row))).collect::<Vec<_>>()
    };
    let mut lines = Vec::new();
    for change in row_changes(&a, &b) {
        match change {
            RowChange::Added(j) => lines.push(match lang {
                Lang::Zh => format!("新增第 {} 行：{}", j + 1, whole(&b[j]).join("；")),
                Lang::En => format!("Row {} added: {}", j + 1, whole(&b[j]).join("; ")),
            }),
            RowChange::Removed(i) => lines.push(match lang {
                Lang::Zh => format!("删除原第 {} 行：{}", i + 1, whole(&a[i]).join("；")),
                Lang::En => format!("Row {} removed: {}", i + 1, whole(&a[i]).join("; ")),
            }),
            RowChange::Changed(i, j) => {
                for c in f.columns.iter().filter(|c| a[i].get(&c.id) != b[j].get(&c.id)) {
                    let (col, was, now) = (pick(lang, &c.label()), cell(c, &a[i]), cell(c, &b[j]));
                    lines.push(match lang {
                        Lang::Zh => format!("第 {} 行「{col}」：{was} → {now}", j + 1),
                        Lang::En => format!("Row {}, {col}: {was} → {now}", j + 1),
                    });
                }
            }
        }
    }
    lines.into_iter().map(|l| html! { <li>{ l }</li> }).collect()
}

/// The rows kept (a longest common run of equal rows), and between them the rows that
/// changed (paired in order), were added or were removed.
fn row_changes(a: &[Value], b: &[Value]) -> Vec<RowChange> {
    // lcs[i][j]: how many equal rows a[i..] and b[j..] have in common, in order.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut out, mut gap_a, mut gap_b) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            close_gap(&mut out, &mut gap_a, &mut gap_b);
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            gap_b.push(j);
            j += 1;
        } else {
            gap_a.push(i);
            i += 1;
        }
    }
    close_gap(&mut out, &mut gap_a, &mut gap_b);
    out
}

/// Rows between two kept ones: paired in order as changed, the rest added or removed.
fn close_gap(out: &mut Vec<RowChange>, gap_a: &mut Vec<usize>, gap_b: &mut Vec<usize>) {
    let paired = gap_a.len().min(gap_b.len());
    out.extend(gap_a.iter().zip(gap_b.iter()).map(|(&i, &j)| RowChange::Changed(i, j)));
    out.extend(gap_a[paired..].iter().map(|&i| RowChange::Removed(i)));
    out.extend(gap_b[paired..].iter().map(|&j| RowChange::Added(j)));
    gap_a.clear();
    gap_b.clear();
}

#[cfg(test)]
mod tests {
    use super::{RowChange::*, row_changes};
    use serde_json::json;

    #[test]
    fn rows_read_as_added_removed_and_changed() {
        let (x, y, z, w) = (json!({"a": 1}), json!({"a": 2}), json!({"a": 3}), json!({"a": 4}));
        assert_eq!(row_changes(&[x.clone(), y.clone()], &[x.clone(), y.clone(), z.clone()]), vec![Added(2)]);
        assert_eq!(row_changes(&[x.clone(), y.clone(), z.clone()], &[x.clone(), z.clone()]), vec![Removed(1)]);
        assert_eq!(
            row_changes(&[x.clone(), y.clone(), z.clone()], &[x.clone(), w.clone(), z.clone()]),
            vec![Changed(1, 1)]
        );
        assert_eq!(row_changes(&[], std::slice::from_ref(&x)), vec![Added(0)]);
        assert_eq!(row_changes(&[x.clone(), y], &[w, x]), vec![Added(0), Removed(1)]);
    }
}
