//! A table of rows (a sub-form): add and remove rows, a message beside each cell and
//! row, and the column totals the engine computes.

use std::collections::BTreeMap;
use std::rc::Rc;

use kexie_engine::definition::{Field, FieldKind};
use kexie_engine::fields::FieldError;
use kexie_engine::text::{Lang, Text};
use serde_json::{Map, Value};
use yew::prelude::*;

use super::{InputProps, input_for_cell};
use crate::app::{Session, use_session};
use crate::i18n::{message, money, pick};

#[derive(Properties, PartialEq, Clone)]
pub struct TableProps {
    pub input: InputProps,
    /// Errors of the table, its rows and its cells.
    pub errors: Vec<FieldError>,
    pub totals: Option<Rc<BTreeMap<String, String>>>,
    /// Leaving a cell touches that cell only (`items[0].name`): its error shows, and the
    /// other rows do not light up (nor move the table under the pointer) as you go.
    pub on_blur_path: Callback<String>,
}

fn rows_of(v: Option<&Value>) -> Vec<Value> {
    v.and_then(Value::as_array).cloned().unwrap_or_default()
}

#[function_component]
pub fn TableInput(p: &TableProps) -> Html {
    let s = use_session();
    let f = &p.input.field;
    let table = Table {
        s: &s,
        p,
        rows: rows_of(p.input.value.as_ref()),
        columns: f.columns.iter().cloned().map(Rc::new).collect(),
    };
    let add = table.change(|rows| rows.push(Value::Object(Map::new())));
    let full = f.max_rows.is_some_and(|m| table.rows.len() >= m);
    let width = (table.columns.len() + 2).to_string();
    html! {
        <div class="kx-table-wrap" id={p.input.id.clone()}>
            <table class="kx-table">
                <caption class="kx-sr">{ pick(s.lang, &f.label()) }</caption>
                <thead><tr>
                    <th scope="col" class="kx-rownum">{ "#" }</th>
                    { for table.columns.iter().map(|c| html! {
                        <th scope="col">{ pick(s.lang, &c.label()) }
                            if c.required { <span class="kx-req" aria-hidden="true">{" *"}</span> }
                        </th>
                    }) }
                    <th scope="col"><span class="kx-sr">{ s.t("操作", "Actions") }</span></th>
                </tr></thead>
                <tbody>
                    <>{ for table.rows.iter().enumerate().map(|(i, row)| table.row(i, row)) }</>
                    if table.rows.is_empty() {
                        <tr><td class="kx-empty-row" colspan={width}>{ s.t("还没有内容，请添加一行。", "No rows yet; add one.") }</td></tr>
                    }
                </tbody>
                { totals_row(&s, &table.columns, p.totals.as_deref()) }
            </table>
            <button type="button" class="kx-btn kx-btn-add" onclick={add} disabled={full}>{ s.t("＋ 添加一行", "+ Add a row") }</button>
        </div>
    }
}

/// One render of a table: its rows as they stand, and its columns.
struct Table<'a> {
    s: &'a Session,
    p: &'a TableProps,
    rows: Vec<Value>,
    columns: Vec<Rc<Field>>,
}

impl Table<'_> {
    /// A callback that hands on the rows as `edit` changes them (none left: no value).
    fn change<E>(&self, edit: impl Fn(&mut Vec<Value>) + 'static) -> Callback<E> {
        let (rows, on_change) = (self.rows.clone(), self.p.input.on_change.clone());
        Callback::from(move |_| {
            let mut next = rows.clone();
            edit(&mut next);
            on_change.emit(if next.is_empty() { Value::Null } else { Value::Array(next) })
        })
    }

    fn errors_at(&self, path: &str) -> Vec<&FieldError> {
        self.p.errors.iter().filter(|e| e.path == path).collect()
    }

    fn row(&self, i: usize, row: &Value) -> Html {
        let s = self.s;
        let row_errors = self.errors_at(&format!("{}[{i}]", self.p.input.field.id));
        let last = self.rows.len() - 1;
        html! {
            <key={i}>
                <tr>
                    <th scope="row" class="kx-rownum">
                        <span class="kx-card-only">{ s.t("第 ", "Row ") }</span>{ i + 1 }<span class="kx-card-only">{ s.t(" 项", "") }</span>
                    </th>
                    { for self.columns.iter().map(|c| self.cell(i, row, c)) }
                    <td class="kx-rowtools">
                        if i > 0 { { self.tool(i, "↑", ["上移第 ", "Move up row "], move |rows| rows.swap(i - 1, i)) } }
                        if i < last { { self.tool(i, "↓", ["下移第 ", "Move down row "], move |rows| rows.swap(i, i + 1)) } }
                        { self.tool(i, s.t("删除", "Remove"), ["删除第 ", "Remove row "], move |rows| _ = rows.remove(i)) }
                    </td>
                </tr>
                if !row_errors.is_empty() {
                    <tr class="kx-row-errors"><td colspan={(self.columns.len() + 2).to_string()}>
                        { for row_errors.iter().map(|e| html! { <p class="kx-error">{ message(s.lang, &e.message) }</p> }) }
                    </td></tr>
                }
            </>
        }
    }

    /// A button of row `i` that changes the rows (move, remove), named for screen readers
    /// as "<what> <n> 行".
    fn tool(
        &self,
        i: usize,
        text: &str,
        [zh, en]: [&'static str; 2],
        edit: impl Fn(&mut Vec<Value>) + 'static,
    ) -> Html {
        let label = format!("{}{}", self.s.t(zh, en), i + 1) + self.s.t(" 行", "");
        html! {
            <button type="button" class="kx-btn kx-btn-quiet" onclick={self.change(edit)} aria-label={label}>{ text.to_string() }</button>
        }
    }

    fn cell(&self, i: usize, row: &Value, c: &Rc<Field>) -> Html {
        let (s, p) = (self.s, self.p);
        let path = format!("{}[{i}].{}", p.input.field.id, c.id);
        let errors = self.errors_at(&path);
        let cell_id = format!("{}-r{i}-{}", p.input.id, c.id);
        let err_id = format!("{cell_id}-err");
        let col = c.id.clone();
        let on_change = {
            let (rows, on_change) = (self.rows.clone(), p.input.on_change.clone());
            Callback::from(move |v: Value| {
                let mut next = rows.clone();
                if let Some(Value::Object(cells)) = next.get_mut(i) {
                    if v.is_null() {
                        cells.remove(&col);
                    } else {
                        cells.insert(col.clone(), v);
                    }
                }
                on_change.emit(Value::Array(next));
            })
        };
        let cell = InputProps {
            id: cell_id.into(),
            field: c.clone(),
            value: row.get(&c.id).cloned(),
            on_change,
            on_blur: p.on_blur_path.reform(move |_| path.clone()),
            invalid: !errors.is_empty(),
            required: c.required,
            described_by: (!errors.is_empty()).then(|| err_id.clone().into()),
            aria_label: Some(row_label(s.lang, &c.label(), i).into()),
        };
        html! {
            <td class={classes!((!errors.is_empty()).then_some("kx-invalid"))}>
                { cell_label(s.lang, c, true) }
                { input_for_cell(cell) }
                if !errors.is_empty() {
                    <div class="kx-errors" id={err_id}>{ for errors.iter().map(|e| html! { <p class="kx-error">{ message(s.lang, &e.message) }</p> }) }</div>
                }
            </td>
        }
    }
}

/// The column's label inside each cell, shown only where rows are cards (a narrow
/// screen); the header row says it otherwise, and the input's own label tells screen
/// readers.
pub fn cell_label(lang: Lang, c: &Field, star: bool) -> Html {
    html! {
        <span class="kx-cell-label" aria-hidden="true">{ pick(lang, &c.label()) }
            if star && c.required { <span class="kx-req">{ " *" }</span> }
        </span>
    }
}

fn row_label(lang: Lang, label: &Text, i: usize) -> String {
    match lang {
        Lang::Zh => format!("{}（第 {} 行）", label.zh, i + 1),
        Lang::En => format!("{} (row {})", label.en, i + 1),
    }
}

fn totals_row(s: &Session, columns: &[Rc<Field>], totals: Option<&BTreeMap<String, String>>) -> Html {
    let Some(totals) = totals else { return html! {} };
    html! {
        <tfoot><tr>
            <th scope="row" class="kx-rownum">{ s.t("合计", "Total") }</th>
            { for columns.iter().map(|c| match totals.get(&c.id) {
                Some(v) => html! {
                    <td class="kx-total">
                        { cell_label(s.lang, c, false) }
                        <span class="kx-sum">{ money(v, if c.kind == FieldKind::Integer { 0 } else { c.scale.unwrap_or(2) }) }</span>
                    </td>
                },
                None => html! { <td></td> },
            }) }
            <td></td>
        </tr></tfoot>
    }
}
