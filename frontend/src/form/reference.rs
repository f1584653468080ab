//! A reference to another instance (关联审批): a choice among the completed instances of
//! the field's workflow the person may read; choosing one loads its form for the rules
//! (`ctx.refs`) and copies the field's `prefill` into this form.

use std::cell::RefCell;
use std::collections::BTreeMap;

use kexie_api::{InstanceView, ReferenceOption};
use kexie_engine::instance::{Referenced, Status, prefill};
use kexie_engine::text::Lang;
use serde_json::Value;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{InputProps, Shared};
use crate::app::{Compiled, Session, use_session};
use crate::i18n::{date, pick};

thread_local! {
    /// Every referenced instance seen on this page, by id: the server's views bring those
    /// a form holds, a choice brings the one chosen.
    static KNOWN: RefCell<BTreeMap<String, Referenced>> = const { RefCell::new(BTreeMap::new()) };
}

/// Keeps `r` for the rules and the display.
pub fn remember(r: &Referenced) {
    KNOWN.with(|k| k.borrow_mut().insert(r.id.clone(), r.clone()));
}

/// The referenced instances seen so far, by id.
pub fn known() -> BTreeMap<String, Referenced> {
    KNOWN.with(|k| k.borrow().clone())
}

/// What a reference shows: the instance's summary, as far as it is known.
pub fn label_of(lang: Lang, id: &str) -> Option<String> {
    KNOWN.with(|k| k.borrow().get(id).and_then(|r| r.summary.as_ref().map(|t| pick(lang, t))))
}

/// The chosen instance's form, as the rules will see it: a completed instance the server
/// let the person read.
async fn load(s: &Session, option: &ReferenceOption) -> Option<Referenced> {
    let view: InstanceView = s.client.get(&format!("/instances/{}", option.id)).await.ok()?;
    let status = Status::Completed;
    (view.status == status.as_str()).then(|| Referenced {
        id: view.id,
        workflow: view.workflow,
        status,
        summary: option.summary.clone(),
        form: view.form,
    })
}

#[derive(Properties, PartialEq)]
pub struct ReferenceProps {
    pub input: InputProps,
    pub wf: Shared<Compiled>,
    /// Sets other fields of the form: the prefill a choice brings.
    pub on_form_change: Callback<(String, Value)>,
}

#[function_component]
pub fn ReferenceInput(p: &ReferenceProps) -> Html {
    let s = use_session();
    let f = p.input.field.clone();
    let options = use_state(|| None::<Vec<ReferenceOption>>);
    {
        let (s, options, workflow) = (s.clone(), options.clone(), f.workflow.clone().unwrap_or_default());
        use_effect_with(workflow.clone(), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let path = format!("/references?workflow={}", js_sys::encode_uri_component(&workflow));
                options.set(Some(s.client.get(&path).await.unwrap_or_default()));
            });
        });
    }
    let chosen = p.input.value.as_ref().and_then(Value::as_str).unwrap_or_default().to_string();
    let onchange = {
        let (s, on_change, on_form_change) = (s.clone(), p.input.on_change.clone(), p.on_form_change.clone());
        let (wf, field, options) = (p.wf.clone(), f.id.clone(), options.clone());
        Callback::from(move |e: Event| {
            let id = e.target_unchecked_into::<HtmlSelectElement>().value();
            let Some(option) = options.iter().flatten().find(|o| o.id == id).cloned() else {
                return on_change.emit(Value::Null);
            };
            let (s, on_change, on_form_change) = (s.clone(), on_change.clone(), on_form_change.clone());
            let (wf, field) = (wf.clone(), field.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(r) = load(&s, &option).await {
                    remember(&r);
                    for (target, value) in prefill(&wf.0.wf.definition, &field, &r) {
                        on_form_change.emit((target, value));
                    }
                }
                on_change.emit(Value::String(id));
            });
        })
    };
    let list = (*options).clone().unwrap_or_default();
    let held_unlisted = !chosen.is_empty() && !list.iter().any(|o| o.id == chosen);
    html! {
        <select class="kx-input" id={p.input.id.clone()} {onchange} onblur={p.input.on_blur.reform(|_| ())}
            aria-invalid={p.input.invalid.to_string()} aria-required={p.input.required.to_string()}
            aria-describedby={p.input.described_by.clone()} disabled={options.is_none()}>
            <option value="" selected={chosen.is_empty()}>{ s.t("请选择…", "Choose…") }</option>
            if held_unlisted {
                <option value={chosen.clone()} selected=true>{ label_of(s.lang, &chosen).unwrap_or_else(|| s.t("已选择的流程（不在可选范围内）", "The instance chosen (not among the choices)").into()) }</option>
            }
            { for list.iter().map(|o| {
                let text = format!("{} · {} · {}", o.summary.as_ref().map_or_else(|| pick(s.lang, &o.title), |t| pick(s.lang, t)),
                    o.initiator.name, date(s.lang, &o.updated_at));
                html! { <option value={o.id.clone()} selected={o.id == chosen}>{ text }</option> }
            }) }
        </select>
    }
}
