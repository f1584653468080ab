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
    let rows = rows_of(p.input.value.as_ref());
    let columns: Vec<Rc<Field>> = f.columns.iter().cloned().map(Rc::new).collect();
    let emit = {
        let on_change = p.input.on_change.clone();
        move |rows: Vec<Value>| on_change.emit(if rows.is_empty() { Value::Null } else { Value::Array(rows) })
    };
    let add = {
        let (rows, emit) = (rows.clone(), emit.clone());
        Callback::from(move |_| {
            let mut next = rows.clone();
            next.push(Value::Object(Map::new()));
            emit(next);
        })
    };
    let full = f.max_rows.is_some_and(|m| rows.len() >= m);
    let body = rows.iter().enumerate().map(|(i, row)| {
        let here = format!("{}[{i}]", f.id);
        let row_errors: Vec<&FieldError> = p.errors.iter().filter(|e| e.path == here).collect();
        let remove = {
            let (rows, emit) = (rows.clone(), emit.clone());
            Callback::from(move |_| {
                let mut next = rows.clone();
                next.remove(i);
                emit(next);
            })
        };
        let cells = columns.iter().map(|c| {
            let path = format!("{here}.{}", c.id);
            let cell_errors: Vec<&FieldError> = p.errors.iter().filter(|e| e.path == path).collect();
            let cell_id = format!("{}-r{i}-{}", p.input.id, c.id);
            let err_id = format!("{cell_id}-err");
            let on_change = {
                let (rows, emit, col) = (rows.clone(), emit.clone(), c.id.clone());
                Callback::from(move |v: Value| {
                    let mut next = rows.clone();
                    if let Some(Value::Object(cells)) = next.get_mut(i) {
                        if v.is_null() { cells.remove(&col); } else { cells.insert(col.clone(), v); }
                    }
                    emit(next);
                })
            };
            let cell = InputProps {
                id: cell_id.into(),
                field: c.clone(),
                value: row.get(&c.id).cloned(),
                on_change,
                on_blur: p.on_blur_path.reform({
                    let path = path.clone();
                    move |_| path.clone()
                }),
                invalid: !cell_errors.is_empty(),
                required: c.required,
                described_by: (!cell_errors.is_empty()).then(|| err_id.clone().into()),
                aria_label: Some(row_label(s.lang, &c.label(), i).into()),
            };
            html! {
                <td class={classes!((!cell_errors.is_empty()).then_some("kx-invalid"))}>
                    { input_for_cell(cell) }
                    if !cell_errors.is_empty() {
                        <div class="kx-errors" id={err_id}>{ for cell_errors.iter().map(|e| html! { <p class="kx-error">{ message(s.lang, &e.message) }</p> }) }</div>
                    }
                </td>
            }
        });
        html! {
            <key={i}>
                <tr>
                    <th scope="row" class="kx-rownum">{ i + 1 }</th>
                    { for cells }
                    <td class="kx-rowtools">
                        <button type="button" class="kx-btn kx-btn-quiet" onclick={remove}
                            aria-label={format!("{}{}", s.t("删除第 ", "Remove row "), i + 1) + s.t(" 行", "")}>{ s.t("删除", "Remove") }</button>
                    </td>
                </tr>
                if !row_errors.is_empty() {
                    <tr class="kx-row-errors"><td colspan={(columns.len() + 2).to_string()}>
                        { for row_errors.iter().map(|e| html! { <p class="kx-error">{ message(s.lang, &e.message) }</p> }) }
                    </td></tr>
                }
            </>
        }
    });
    html! {
        <div class="kx-table-wrap" id={p.input.id.clone()}>
            <table class="kx-table">
                <caption class="kx-sr">{ pick(s.lang, &f.label()) }</caption>
                <thead><tr>
                    <th scope="col" class="kx-rownum">{ "#" }</th>
                    { for columns.iter().map(|c| html! {
                        <th scope="col">{ pick(s.lang, &c.label()) }
                            if c.required { <span class="kx-req" aria-hidden="true">{" *"}</span> }
                        </th>
                    }) }
                    <th scope="col"><span class="kx-sr">{ s.t("操作", "Actions") }</span></th>
                </tr></thead>
                <tbody>
                    <>{ for body }</>
                    if rows.is_empty() {
                        <tr><td class="kx-empty-row" colspan={(columns.len() + 2).to_string()}>{ s.t("还没有内容，请添加一行。", "No rows yet; add one.") }</td></tr>
                    }
                </tbody>
                { totals_row(&s, &columns, p.totals.as_deref()) }
            </table>
            <button type="button" class="kx-btn kx-btn-add" onclick={add} disabled={full}>{ s.t("＋ 添加一行", "+ Add a row") }</button>
        </div>
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
            { for columns.iter().map(|c| html! {
                <td class="kx-total">{ totals.get(&c.id).map(|v| money(v, if c.kind == FieldKind::Integer { 0 } else { c.scale.unwrap_or(2) })).unwrap_or_default() }</td>
            }) }
            <td></td>
        </tr></tfoot>
    }
}
