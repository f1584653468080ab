//! The version history: who published each version, when, and why. An earlier version's
//! texts can be loaded into the editor; publishing them is the rollback, as a new version,
//! so the history never loses a step.

use std::rc::Rc;

use kexie_engine::bundle::Bundle;
use kexie_engine::text::Lang;
use kexie_widget::api::Failure;
use kexie_widget::app::use_session;
use kexie_widget::i18n::moment;
use kexie_widget::views::{Notice, loading, notice};
use yew::prelude::*;

use crate::desk::version_label;
use crate::state::Texts;
use kexie_api::{VersionBundle, VersionSummary};

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub texts: Texts,
    /// Texts to load into the editor, with what to tell.
    pub on_load: Callback<(Rc<Bundle>, String)>,
}

#[function_component]
pub fn History(p: &HistoryProps) -> Html {
    let s = use_session();
    let list = use_state(|| None::<Result<Vec<VersionSummary>, Failure>>);
    let failed = use_state(|| None::<String>);
    let key = p.texts.key.clone();
    {
        let (list, client, key) = (list.clone(), s.client.clone(), key.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let got = match client.get::<Vec<VersionSummary>>(&format!("/workflows/{key}/versions")).await {
                    Err(Failure::Refused { status: 404, .. }) => Ok(Vec::new()),
                    other => other,
                };
                list.set(Some(got));
            });
        });
    }
    let body = match &*list {
        None => loading(s.lang),
        Some(Err(f)) => notice(&Some(Notice::Error(f.explain(s.lang)))),
        Some(Ok(v)) if v.is_empty() => html! { <p class="kx-hint">{ s.t("尚未发布过。", "Never published.") }</p> },
        Some(Ok(versions)) => {
            let newest = versions.first().map(|v| v.version);
            let rows = versions.iter().map(|v| {
                let load = (Some(v.version) != newest).then(|| {
                    let (session, on_load, failed, key, version) =
                        (s.clone(), p.on_load.clone(), failed.clone(), key.clone(), v.version);
                    let onclick = Callback::from(move |_| {
                        let (s, on_load, failed, key) = (session.clone(), on_load.clone(), failed.clone(), key.clone());
                        wasm_bindgen_futures::spawn_local(async move {
                            let path = format!("/workflows/{key}/versions/{version}/bundle");
                            match s.client.get::<VersionBundle>(&path).await {
                                Ok(b) => on_load.emit((Rc::new(b.bundle), loaded(&s, version))),
                                Err(f) => failed.set(Some(f.explain(s.lang))),
                            }
                        });
                    });
                    html! { <button type="button" class="kx-link" {onclick}>{ s.t("回滚到此版本…", "Roll back to this…") }</button> }
                });
                html! {
                    <li class="kx-ed-version">
                        <div class="kx-ed-version-head">
                            <strong>{ version_label(&s, v.version) }</strong>
                            if Some(v.version) == newest { <span class="kx-ed-newest">{ s.t("当前", "current") }</span> }
                        </div>
                        <div class="kx-hint">{ format!("{} · {}", v.published_by.name, moment(s.lang, &v.published_at)) }</div>
                        <p class="kx-ed-note">{ if v.note.is_empty() { "—".to_string() } else { v.note.clone() } }</p>
                        { load.unwrap_or_default() }
                    </li>
                }
            });
            html! { <ol class="kx-ed-versions">{ for rows }</ol> }
        }
    };
    html! {
        <aside class="kx-ed-side" aria-label={s.t("版本历史", "Versions")}>
            <h3 class="kx-section-title">{ s.t("版本历史", "Versions") }</h3>
            { notice(&failed.as_ref().map(|f| Notice::Error(f.clone()))) }
            { body }
        </aside>
    }
}

/// What loading an earlier version means.
fn loaded(s: &kexie_widget::app::Session, version: i64) -> String {
    match s.lang {
        Lang::Zh => format!(
            "已载入{}的内容。可在“与已发布版本对比”中查看差别；发布后即回滚为该版本的规则（作为新版本）。",
            version_label(s, version)
        ),
        Lang::En => format!(
            "The texts of {} are loaded. See “Compare with published” for the differences; publishing them rolls back (as a new version).",
            version_label(s, version)
        ),
    }
}
