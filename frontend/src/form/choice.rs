//! Options: a drop-down, radio buttons, several check boxes, and a single yes/no box.

use kexie_engine::definition::{Choice, FieldKind};
use kexie_engine::text::Lang;
use serde_json::Value;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::InputProps;
use crate::app::use_session;
use crate::i18n::{pick, t};

/// A choice made is a choice finished: its messages show at once, not when the field is
/// left (as typing's do).
fn choose<E: 'static>(p: &InputProps, value: impl Fn(E) -> Value + 'static) -> Callback<E> {
    let (on_change, on_blur) = (p.on_change.clone(), p.on_blur.clone());
    Callback::from(move |e| {
        on_change.emit(value(e));
        on_blur.emit(());
    })
}

fn label(lang: Lang, c: &Choice) -> String {
    c.label.as_ref().map_or_else(|| c.value.clone(), |l| pick(lang, l))
}

#[function_component]
pub fn ChoiceInput(p: &InputProps) -> Html {
    let s = use_session();
    match p.field.kind {
        FieldKind::Select => select(s.lang, p),
        FieldKind::Radio => radios(s.lang, p),
        FieldKind::MultiSelect => checks(s.lang, p),
        _ => yes_no(s.lang, p),
    }
}

fn select(lang: Lang, p: &InputProps) -> Html {
    let current = p.value.as_ref().and_then(Value::as_str).unwrap_or("").to_string();
    let on_change = choose(p, |e: Event| {
        let v = e.target_unchecked_into::<HtmlSelectElement>().value();
        if v.is_empty() { Value::Null } else { Value::String(v) }
    });
    html! {
        <select class="kx-input kx-select" id={p.id.clone()} onchange={on_change} onblur={p.on_blur.reform(|_: FocusEvent| ())} aria-label={p.aria_label.clone()}
            aria-invalid={p.invalid.to_string()} aria-required={p.required.to_string()} aria-describedby={p.described_by.clone()}>
            <option value="" selected={current.is_empty()}>{ t(lang, "请选择", "Choose…") }</option>
            { for p.field.options.iter().map(|c| html! {
                <option value={c.value.clone()} selected={c.value == current}>{ label(lang, c) }</option>
            }) }
        </select>
    }
}

fn radios(lang: Lang, p: &InputProps) -> Html {
    let current = p.value.as_ref().and_then(Value::as_str).unwrap_or("");
    html! {
        <div class="kx-options" role="presentation">
            { for p.field.options.iter().enumerate().map(|(i, c)| {
                let value = c.value.clone();
                let on_change = choose(p, move |_: Event| Value::String(value.clone()));
                html! {
                    <label class="kx-option">
                        <input type="radio" name={p.id.clone()} id={format!("{}-{i}", p.id)} value={c.value.clone()}
                            checked={c.value == current} onchange={on_change} onblur={p.on_blur.reform(|_: FocusEvent| ())}
                            aria-invalid={p.invalid.to_string()} />
                        <span>{ label(lang, c) }</span>
                    </label>
                }
            }) }
        </div>
    }
}

fn checks(lang: Lang, p: &InputProps) -> Html {
    let chosen: Vec<String> = p
        .value
        .as_ref()
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default();
    html! {
        <div class="kx-options">
            { for p.field.options.iter().enumerate().map(|(i, c)| {
                let on = chosen.contains(&c.value);
                let (value, chosen, order) = (c.value.clone(), chosen.clone(), p.field.options.clone());
                let on_change = choose(p, move |e: Event| {
                    let checked = e.target_unchecked_into::<HtmlInputElement>().checked();
                    // Keep the definition's order whatever order the boxes were ticked in.
                    let next: Vec<Value> = order.iter()
                        .filter(|o| if o.value == value { checked } else { chosen.contains(&o.value) })
                        .map(|o| Value::String(o.value.clone()))
                        .collect();
                    if next.is_empty() { Value::Null } else { Value::Array(next) }
                });
                html! {
                    <label class="kx-option">
                        <input type="checkbox" id={format!("{}-{i}", p.id)} checked={on} onchange={on_change}
                            onblur={p.on_blur.reform(|_: FocusEvent| ())} aria-invalid={p.invalid.to_string()} />
                        <span>{ label(lang, c) }</span>
                    </label>
                }
            }) }
        </div>
    }
}

fn yes_no(lang: Lang, p: &InputProps) -> Html {
    let on = p.value.as_ref().and_then(Value::as_bool).unwrap_or(false);
    let on_change = choose(p, |e: Event| Value::Bool(e.target_unchecked_into::<HtmlInputElement>().checked()));
    html! {
        <label class="kx-option kx-check">
            <input type="checkbox" id={p.id.clone()} checked={on} onchange={on_change}
                onblur={p.on_blur.reform(|_: FocusEvent| ())} aria-invalid={p.invalid.to_string()}
                aria-describedby={p.described_by.clone()} aria-label={p.aria_label.clone()} />
            <span>{ t(lang, "是", "Yes") }</span>
        </label>
    }
}
