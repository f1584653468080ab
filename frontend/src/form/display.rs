//! Read-only values, as a step that may not change a field shows it, and rich text.

use std::collections::BTreeMap;

use kexie_engine::definition::{Field, FieldKind};
use kexie_engine::fields::is_empty;
use kexie_engine::text::Lang;
use serde_json::Value;
use yew::prelude::*;

use super::attachment::FileLink;
use crate::i18n::{pick, t};
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
    kexie_engine::fields::display::items(v).into_iter()
}

/// A value as plain text in `lang`: people by the names this page knows, a reference by
/// the summary its picker showed.
pub fn text(lang: Lang, f: &Field, v: &Value, names: &BTreeMap<String, String>) -> String {
    kexie_engine::fields::display::value_text(lang, f, v, &|kind, id| match kind {
        FieldKind::Person => Some(names.get(id).cloned().unwrap_or_else(|| super::picker::name_of(lang, id))),
        _ => super::reference::label_of(lang, id),
    })
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
