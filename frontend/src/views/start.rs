//! Starting a workflow: the form of its first step. Submitting creates the instance and
//! submits it; "save draft" creates it and keeps it at the first step.

use std::collections::BTreeSet;
use std::rc::Rc;

use kexie_engine::RuleContext;
use kexie_engine::fields::Form;
use kexie_engine::instance::Action;
use serde_json::json;
use yew::prelude::*;

use super::editing::{EditAction, use_editing};
use super::status::{Notice, current, focus_first, loading, notice};
use crate::api::Failure;
use crate::app::{Compiled, Route, Session, use_session, workflow};
use crate::draft::DraftKey;
use crate::events::emit;
use crate::form::{FormView, Shared};
use crate::i18n::{moment_ms, pick};
use kexie_api::InstanceView;

#[derive(Properties, PartialEq)]
pub struct StartProps {
    pub workflow: AttrValue,
}

#[function_component]
pub fn StartPage(p: &StartProps) -> Html {
    let s = use_session();
    let loaded = use_state(|| None::<Result<Rc<Compiled>, Failure>>);
    {
        let (loaded, client, key) = (loaded.clone(), s.client.clone(), p.workflow.to_string());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { loaded.set(Some(workflow(&client, &key, None).await)) });
        });
    }
    match &*loaded {
        None => loading(s.lang),
        Some(Err(f)) => notice(&Some(Notice::Error(f.explain(s.lang)))),
        Some(Ok(wf)) => html! { <StartForm wf={Shared(wf.clone())} /> },
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    wf: Shared<Compiled>,
}

#[function_component]
fn StartForm(p: &FormProps) -> Html {
    let s = use_session();
    let compiled = p.wf.0.clone();
    let def = &compiled.wf.definition;
    let first = def.first_step();
    let ctx = RuleContext {
        step: first.id.clone(),
        actor: s.me.actor(),
        initiator: s.me.actor(),
        today: today(),
        history: vec![first.id.clone()],
        ..RuleContext::default()
    };
    let key = DraftKey::start(s.client.base(), &s.me.id, &def.key);
    let base = use_memo((), |_| Form::new());
    let editing = use_editing(compiled.clone(), base, ctx, key, 0);
    let editable: Rc<BTreeSet<String>> = use_memo((), |_| first.editable.iter().cloned().collect());
    let busy = use_state(|| false);
    let status = use_state(|| {
        editing.restored.as_ref().map(|d| {
            Notice::Info(format!(
                "{}{}",
                s.t("已恢复您上次未提交的内容，保存于 ", "Restored what you entered earlier, saved "),
                moment_ms(s.lang, d.saved_at)
            ))
        })
    });
    let offer_discard = use_state(|| editing.restored.is_some());
    let form_ref = use_node_ref();
    let send = {
        let (s, editing_edit, busy, status, form_ref) =
            (s.clone(), editing.edit.clone(), busy.clone(), status.clone(), form_ref.clone());
        let (editing, editable, wf_key) = (editing.clone(), editable.clone(), def.key.clone());
        Callback::from(move |submit: bool| {
            // Read when pressed, not at every render: the form may be large.
            let (blocking, changes, autosave) =
                (editing.blocking().to_vec(), editing.changes_for(&editable), editing.autosave.clone());
            if submit && !blocking.is_empty() {
                editing_edit.dispatch(EditAction::ShowAll);
                status.set(Some(Notice::Problems));
                focus_first(&s, &form_ref, &blocking);
                return;
            }
            autosave.save_now(&editing_edit.changes); // Whatever happens next, nothing typed is lost.
            busy.set(true);
            let (s, edit, busy, status, autosave, wf_key, changes, form_ref) = (
                s.clone(),
                editing_edit.clone(),
                busy.clone(),
                status.clone(),
                autosave.clone(),
                wf_key.clone(),
                changes.clone(),
                form_ref.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let result = create(&s, &wf_key, changes, submit).await;
                busy.set(false);
                match result {
                    Ok(view) => {
                        autosave.forget();
                        let name = if submit { "submitted" } else { "saved" };
                        emit(
                            &s.host,
                            name,
                            &json!({ "instance": view.id, "workflow": view.workflow, "step": view.step, "status": view.status }),
                        );
                        s.go.emit(Route::Instance(view.id));
                    }
                    Err((created, f)) => {
                        let errors = f.field_errors();
                        emit(
                            &s.host,
                            "error",
                            &json!({ "code": f.code(), "message": f.explain(s.lang), "instance": created }),
                        );
                        if let Some(id) = created {
                            // The instance exists as a draft: carry on there, where the server's errors show.
                            autosave.forget();
                            s.go.emit(Route::Instance(id));
                            return;
                        }
                        focus_first(&s, &form_ref, &errors);
                        edit.dispatch(EditAction::Server(errors));
                        status.set(Some(Notice::Error(f.explain(s.lang))));
                    }
                }
            });
        })
    };
    let discard = {
        let (edit, status, autosave, offer) =
            (editing.edit.clone(), status.clone(), editing.autosave.clone(), offer_discard.clone());
        Callback::from(move |_| {
            offer.set(false);
            autosave.forget();
            edit.dispatch(EditAction::Discard);
            status.set(None);
        })
    };
    let eval = editing.shown_eval.clone();
    let (on_change, on_blur) = (editing.on_change.clone(), editing.on_blur.clone());
    html! {
        <section class="kx-page" aria-labelledby={s.dom_id("title")} aria-busy={busy.to_string()}>
            <header class="kx-head">
                <h2 class="kx-title" id={s.dom_id("title")}>{ pick(s.lang, &def.title) }</h2>
                <p class="kx-sub">{ pick(s.lang, &first.label()) }</p>
                if let Some(d) = &def.description { <p class="kx-desc">{ pick(s.lang, d) }</p> }
            </header>
            { notice(&current(&status, s.lang, editing.blocking())) }
            if *offer_discard && !editing.edit.changes.is_empty() {
                <p class="kx-draft-note"><button type="button" class="kx-link" onclick={discard}>{ s.t("放弃草稿，重新填写", "Discard the draft and start over") }</button></p>
            }
            <div ref={form_ref}>
                <FormView wf={p.wf.clone()} values={editing.values.clone()} eval={eval} editable={editable.clone()}
                    errors={editing.shown.clone()} {on_change} {on_blur} />
            </div>
            <div class="kx-actions">
                <button type="button" class="kx-btn kx-btn-primary" disabled={*busy} onclick={send.reform(|_| true)}>{ s.t("提交", "Submit") }</button>
                <button type="button" class="kx-btn" disabled={*busy} onclick={send.reform(|_| false)}>{ s.t("保存草稿", "Save draft") }</button>
                <span class="kx-hint">{ s.t("填写内容会自动保存在本机。", "What you type is saved on this device as you go.") }</span>
            </div>
        </section>
    }
}

/// Creates the instance; with `submit`, submits it too. On failure, says whether the
/// instance was created (as a draft) before the failure.
async fn create(
    s: &Session,
    workflow: &str,
    form: Form,
    submit: bool,
) -> Result<InstanceView, (Option<String>, Failure)> {
    let view = s.client.start(workflow, form).await.map_err(|f| (None, f))?;
    if !submit {
        return Ok(view);
    }
    let submit = Action::Submit { changes: Form::new() };
    s.client.act(&view, submit).await.map_err(|f| (Some(view.id.clone()), f))
}

/// Today in the browser's time zone, "YYYY-MM-DD".
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}
