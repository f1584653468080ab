//! Starting a workflow: the form of its first step. Submitting creates the instance and
//! submits it; "save draft" creates it and keeps it at the first step.

use std::collections::BTreeSet;
use std::rc::Rc;

use kexie_engine::fields::Form;
use kexie_engine::instance::{Action, ActionKind};
use serde_json::json;
use yew::prelude::*;

use super::status::{Notice, carry, current, loading, notice};
use crate::api::Failure;
use crate::app::{Compiled, Route, Session, use_session, workflow};
use crate::draft::DraftKey;
use crate::editing::{EditAction, Sender, rule_context, use_editing, use_send};
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
    let ctx = rule_context(&s, &first.id, s.me.actor(), vec![first.id.clone()], Vec::new());
    let key = DraftKey::start(s.client.base(), &s.me.id, &def.key);
    let base = use_memo((), |_| Form::new());
    let editing = use_editing(compiled.clone(), base, ctx, key, 0);
    let editable: Rc<BTreeSet<String>> = use_memo((), |_| first.editable.iter().cloned().collect());
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
    let sender = use_send(&editing, &form_ref, status.setter().to_callback().reform(Some));
    let send = {
        let (sender, editable) = (sender.clone(), editable.clone());
        let at = (def.key.clone(), first.id.clone());
        Callback::from(move |submit: bool| {
            if let Some(changes) = sender.begin(submit, &editable) {
                wasm_bindgen_futures::spawn_local(create_and_go(sender.clone(), at.clone(), changes, submit));
            }
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
    let busy = sender.busy();
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
            <div class="kx-actions kx-sticky">
                <button type="button" class="kx-btn kx-btn-primary" disabled={busy} onclick={send.reform(|_| true)}>{ s.t("提交", "Submit") }</button>
                <button type="button" class="kx-btn" disabled={busy} onclick={send.reform(|_| false)}>{ s.t("保存草稿", "Save draft") }</button>
                <span class="kx-hint">{ s.t("填写内容会自动保存在本机。", "What you type is saved on this device as you go.") }</span>
            </div>
        </section>
    }
}

/// Creates an instance of `workflow` (and with `submit` submits it from `step`, its
/// first) and goes to it. If it was created before a failure, it goes there too: the
/// draft is in it, where the server's errors show.
async fn create_and_go(sender: Sender, (workflow, step): (String, String), changes: Form, submit: bool) {
    let s = sender.session().clone();
    match create(&s, &workflow, changes, submit).await {
        Ok(view) => {
            sender.sent(Some(if submit { "submitted" } else { "saved" }), &view);
            let kind = if submit { ActionKind::Submit } else { ActionKind::SaveDraft };
            carry(Notice::Success(super::instance::done(s.lang, kind, &view)));
            s.go.emit(Route::Instance(view.id));
        }
        Err((Some(id), f)) => {
            sender.ended();
            sender.report(&f, json!({ "instance": id, "step": step }));
            sender.forget();
            s.go.emit(Route::Instance(id));
        }
        Err((None, f)) => sender.failed(&f, json!({ "instance": null, "step": step })),
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
