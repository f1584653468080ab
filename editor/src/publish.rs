//! Publishing: a change note, then the server checks the texts and runs the cases
//! again; it refuses with every problem, or stores a new immutable version.

use std::rc::Rc;

use kexie_engine::text::Lang;
use kexie_widget::api::Failure;
use kexie_widget::app::{Session, use_session};
use kexie_widget::views::{Notice, notice};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::desk::version_label;
use crate::state::Texts;
use kexie_api::{InvalidBundle, PersonRef, PublishRequest, PublishResult, VersionBundle};

/// Longest change note the server takes.
const NOTE_MAX: usize = 500;

#[derive(Properties, PartialEq)]
pub struct PublishProps {
    pub texts: Texts,
    /// The new version and what to say about it.
    pub on_published: Callback<(Rc<VersionBundle>, String)>,
    pub on_close: Callback<()>,
}

#[function_component]
pub fn PublishPanel(p: &PublishProps) -> Html {
    let s = use_session();
    let note = use_state(String::new);
    let busy = use_state(|| false);
    let refused = use_state(|| None::<(String, Vec<String>)>);
    let id = s.dom_id("ed-note");
    let oninput = {
        let note = note.clone();
        Callback::from(move |e: InputEvent| note.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let publish = {
        let (s, note, busy, refused) = (s.clone(), note.clone(), busy.clone(), refused.clone());
        let (texts, on_published) = (p.texts.clone(), p.on_published.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (s, note, busy, refused, texts, on_published) =
                (s.clone(), note.clone(), busy.clone(), refused.clone(), texts.clone(), on_published.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match publish(&s, &texts, note.trim()).await {
                    Ok(published) => on_published.emit(published),
                    Err(f) => {
                        refused.set(Some((f.explain(s.lang), problems_of(&f))));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let close = p.on_close.reform(|_| ());
    let ready = !note.trim().is_empty() && note.chars().count() <= NOTE_MAX && !*busy;
    let failure = refused.as_ref().map(|(said, list)| {
        html! {
            <div class="kx-alert kx-alert-error" role="alert">
                { said.clone() }
                <ul>{ for list.iter().map(|l| html! { <li>{ l.clone() }</li> }) }</ul>
            </div>
        }
    });
    html! {
        <form class="kx-panel kx-ed-publish" onsubmit={publish} aria-label={s.t("发布", "Publish")}>
            <label class="kx-label" for={id.clone()}>{ s.t("变更说明（必填）", "Change note (required)") }</label>
            <textarea {id} class="kx-input kx-textarea" value={(*note).clone()} {oninput} maxlength={NOTE_MAX.to_string()}
                placeholder={s.t("例如：依据第（十）条，单独组建门槛由100人调整为80人", "e.g. art. 10: the standalone threshold goes from 100 to 80 staff")} />
            <p class="kx-hint">{ s.t(
                "发布后，新发起的流程使用新版本；已发起的流程仍按其原版本办理。服务器会再次检查并运行全部案例。",
                "Once published, new instances use the new version; those already started keep theirs. The server checks again and runs every case.",
            ) }</p>
            { failure.unwrap_or_default() }
            { notice(&busy.then(|| Notice::Info(s.t("正在发布…", "Publishing…").into()))) }
            <div class="kx-actions">
                <button type="submit" class="kx-btn kx-btn-primary" disabled={!ready}>{ s.t("确认发布", "Publish") }</button>
                <button type="button" class="kx-btn" onclick={close}>{ s.t("取消", "Cancel") }</button>
            </div>
        </form>
    }
}

/// Publishes `texts` with `note`: the version they now are, and what to say about it.
async fn publish(s: &Session, texts: &Texts, note: &str) -> Result<(Rc<VersionBundle>, String), Failure> {
    let body = PublishRequest { bundle: (*texts.bundle).clone(), note: note.to_string() };
    let r: PublishResult = s.client.post(&format!("/workflows/{}/versions", texts.key), &body).await?;
    let said = match (r.created, s.lang) {
        (true, Lang::Zh) => {
            format!("已发布为{}。新发起的流程按新规则办理，进行中的流程仍按原版本办理。", version_label(s, r.version))
        }
        (true, Lang::En) => {
            format!(
                "Published as {}. New instances follow it; running ones keep their version.",
                version_label(s, r.version)
            )
        }
        (false, _) => s
            .t("内容与最新版本相同，未产生新版本。", "Identical to the newest version; nothing new was published.")
            .into(),
    };
    let base = VersionBundle {
        key: texts.key.clone(),
        version: r.version,
        note: body.note,
        // As the browser saw it; the history reads the server's.
        published_at: crate::sim::wall_clock().to_string(),
        published_by: PersonRef::from(&s.me.actor()),
        bundle: body.bundle,
    };
    Ok((Rc::new(base), said))
}

/// The lines of a refusal: the server's problems, each at file:line:col.
fn problems_of(f: &Failure) -> Vec<String> {
    let Failure::Refused { detail, .. } = f else { return Vec::new() };
    let invalid = detail.details.clone().and_then(|d| serde_json::from_value::<InvalidBundle>(d).ok());
    invalid.map(|b| b.problems).unwrap_or_default()
}
