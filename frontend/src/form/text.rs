//! One line of text, several lines, and dates.

use kexie_engine::definition::FieldKind;
use serde_json::Value;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{InputProps, as_text, placeholder};
use crate::app::use_session;

fn emitted(text: String) -> Value {
    if text.is_empty() { Value::Null } else { Value::String(text) }
}

#[function_component]
pub fn TextInput(p: &InputProps) -> Html {
    let s = use_session();
    let value = as_text(p.value.as_ref());
    let on_blur = p.on_blur.reform(|_: FocusEvent| ());
    let max = p.field.max_length.map(|m| m.to_string());
    if p.field.kind == FieldKind::LongText {
        let on_change =
            p.on_change.reform(|e: InputEvent| emitted(e.target_unchecked_into::<HtmlInputElement>().value()));
        let count = p.field.max_length.map(|m| format!("{} / {m}", value.chars().count()));
        return html! {
            <>
                <textarea class="kx-input kx-textarea" id={p.id.clone()} rows="4" value={value} oninput={on_change}
                    onblur={on_blur} maxlength={max} placeholder={placeholder(s.lang, &p.field)}
                    aria-invalid={p.invalid.to_string()} aria-required={p.required.to_string()}
                    aria-describedby={p.described_by.clone()} aria-label={p.aria_label.clone()} />
                if let Some(c) = count { <span class="kx-count" aria-hidden="true">{ c }</span> }
            </>
        };
    }
    let kind = if p.field.kind == FieldKind::Date { "date" } else { "text" };
    let on_change = p.on_change.reform(|e: InputEvent| emitted(e.target_unchecked_into::<HtmlInputElement>().value()));
    html! {
        <input class="kx-input" type={kind} id={p.id.clone()} {value} oninput={on_change} onblur={on_blur}
            maxlength={max} placeholder={placeholder(s.lang, &p.field)}
            aria-invalid={p.invalid.to_string()} aria-required={p.required.to_string()}
            aria-describedby={p.described_by.clone()} aria-label={p.aria_label.clone()} />
    }
}
