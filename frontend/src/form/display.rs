//! Read-only values, as a step that may not change a field shows it, and rich text.

use std::collections::BTreeMap;

use kexie_engine::definition::{Field, FieldKind};
use kexie_engine::fields::is_empty;
use kexie_engine::text::Lang;
use serde_json::Value;
use yew::prelude::*;

use super::attachment::FileLink;
use crate::i18n::{date, money, pick, t};
use kexie_api::AttachmentMeta;

/// A value as text and links; "—" when empty.
pub fn show_value(
    lang: Lang,
    f: &Field,
    value: Option<&Value>,
    names: &BTreeMap<String, String>,
    instance: Option<&AttrValue>,
) -> Html {
    if f.kind == FieldKind::Checkbox {
        let yes = value.and_then(Value::as_bool) == Some(true);
        return html! { <span>{ if yes { t(lang, "是", "Yes") } else { t(lang, "否", "No") } }</span> };
    }
    let Some(v) = value.filter(|v| !is_empty(v)) else { return html! { <span class="kx-empty">{ "—" }</span> } };
    match f.kind {
        FieldKind::Table => table(lang, f, v, names, instance),
        FieldKind::Attachment => {
            let files: Vec<AttachmentMeta> = list(v).filter_map(|m| serde_json::from_value(m.clone()).ok()).collect();
            html! { <ul class="kx-files">{ for files.into_iter().map(|m| html! { <li><FileLink meta={m} instance={instance.cloned()} /></li> }) }</ul> }
        }
        FieldKind::LongText => html! { <span class="kx-pre">{ text(lang, f, v, names) }</span> },
        _ => html! { <span>{ text(lang, f, v, names) }</span> },
    }
}

fn list(v: &Value) -> impl Iterator<Item = &Value> {
    match v {
        Value::Array(a) => a.iter().collect::<Vec<_>>().into_iter(),
        other => vec![other].into_iter(),
    }
}

/// A value as plain text in `lang`.
pub fn text(lang: Lang, f: &Field, v: &Value, names: &BTreeMap<String, String>) -> String {
    let one = |v: &Value| -> String {
        let raw = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match f.kind {
            FieldKind::Decimal => {
                let unit = f.unit.as_ref().map(|u| format!(" {}", pick(lang, u))).unwrap_or_default();
                format!("{}{unit}", money(&raw, f.scale.unwrap_or(2)))
            }
            // Whole numbers as written: a year is 2027, not 2,027.
            FieldKind::Integer => {
                let unit = f.unit.as_ref().map(|u| format!(" {}", pick(lang, u))).unwrap_or_default();
                format!("{raw}{unit}")
            }
            FieldKind::Date => date(lang, &raw),
            FieldKind::Checkbox => t(
                lang,
                if v.as_bool() == Some(true) { "是" } else { "否" },
                if v.as_bool() == Some(true) { "Yes" } else { "No" },
            )
            .into(),
            FieldKind::Select | FieldKind::Radio | FieldKind::MultiSelect => {
                f.option(&raw).and_then(|c| c.label.as_ref()).map_or(raw, |l| pick(lang, l))
            }
            FieldKind::Person => names.get(&raw).cloned().unwrap_or_else(|| super::picker::name_of(lang, &raw)),
            // Never an id: a reference this page was not told of is just "linked".
            FieldKind::Reference => super::reference::label_of(lang, &raw)
                .unwrap_or_else(|| t(lang, "已关联的流程", "A linked instance").into()),
            _ => raw,
        }
    };
    list(v).map(one).collect::<Vec<_>>().join(t(lang, "、", ", "))
}

fn table(lang: Lang, f: &Field, v: &Value, names: &BTreeMap<String, String>, instance: Option<&AttrValue>) -> Html {
    let rows = v.as_array().cloned().unwrap_or_default();
    html! {
        <div class="kx-table-wrap">
            <table class="kx-table">
                <thead><tr>{ for f.columns.iter().map(|c| html! { <th scope="col">{ pick(lang, &c.label()) }</th> }) }</tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr>{ for f.columns.iter().map(|c| html! {
                            <td>{ super::table::cell_label(lang, c, false) }{ show_value(lang, c, r.get(&c.id), names, instance) }</td>
                        }) }</tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// A read-only text block: paragraphs split at blank lines, never parsed as HTML.
pub fn rich_text(lang: Lang, f: &Field) -> Html {
    let content = f.content.as_ref().map(|c| pick(lang, c)).unwrap_or_default();
    let cite = f.article.as_deref().map(|a| kexie_engine::text::cite(a, lang));
    html! {
        <div class="kx-excerpt" role="note">
            if let Some(l) = f.label.as_ref() { <h3 class="kx-excerpt-title">{ pick(lang, l) }</h3> }
            { for content.split("\n\n").map(|para| html! { <p>{ para.to_string() }</p> }) }
            if let Some(c) = cite { <p class="kx-cite">{ c }</p> }
        </div>
    }
}
