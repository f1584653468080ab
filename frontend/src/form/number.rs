//! Whole numbers and exact decimals (money). What the user types is kept as typed when
//! it is not a number, so the engine can say why instead of the input eating it.

use kexie_engine::definition::FieldKind;
use serde_json::Value;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{InputProps, as_text, placeholder};
use crate::app::use_session;
use crate::i18n::pick;

/// The JSON value of what was typed into a number field.
pub fn parse(kind: FieldKind, raw: &str) -> Value {
    let text = raw.trim().replace([',', '，'], "");
    if text.is_empty() {
        return Value::Null;
    }
    match kind {
        FieldKind::Integer => text.parse::<i64>().map(Value::from).unwrap_or(Value::String(raw.to_string())),
        _ => Value::String(text),
    }
}

#[function_component]
pub fn NumberInput(p: &InputProps) -> Html {
    let s = use_session();
    let kind = p.field.kind;
    let on_change =
        p.on_change.reform(move |e: InputEvent| parse(kind, &e.target_unchecked_into::<HtmlInputElement>().value()));
    let on_blur = p.on_blur.reform(|_: FocusEvent| ());
    let mode = if kind == FieldKind::Integer { "numeric" } else { "decimal" };
    let unit = p.field.unit.as_ref().map(|u| pick(s.lang, u));
    html! {
        <div class="kx-number">
            <input class="kx-input" type="text" inputmode={mode} id={p.id.clone()} value={as_text(p.value.as_ref())}
                oninput={on_change} onblur={on_blur} placeholder={placeholder(s.lang, &p.field)}
                aria-invalid={p.invalid.to_string()} aria-required={p.required.to_string()}
                aria-describedby={p.described_by.clone()} aria-label={p.aria_label.clone()} />
            if let Some(u) = unit { <span class="kx-unit">{ u }</span> }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_become_values() {
        assert_eq!(parse(FieldKind::Integer, " 1,200 "), Value::from(1200));
        assert_eq!(parse(FieldKind::Integer, "12a"), Value::String("12a".into()));
        assert_eq!(parse(FieldKind::Decimal, "3，000.50"), Value::String("3000.50".into()));
        assert_eq!(parse(FieldKind::Decimal, "  "), Value::Null);
    }
}
