//! A workflow as one file, in and out: the same format as `kexie export` / `kexie import`
//! ([`Export`]), so a workflow moves between the editor, the CLI and other servers.

use kexie_engine::bundle::{Bundle, Export};
use kexie_engine::definition::Source;
use kexie_widget::api::save_as;
use kexie_widget::app::use_session;
use kexie_widget::views::Notice;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::Texts;

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    pub texts: Texts,
    pub on_notice: Callback<Notice>,
}

/// Downloads the texts as they stand, as `<key>-v<N>.kexie.toml` when they are the
/// published version's and `<key>-edited.kexie.toml` when they are not.
#[function_component]
pub fn ExportButton(p: &ExportProps) -> Html {
    let s = use_session();
    let onclick = {
        let (texts, on_notice, lang) = (p.texts.clone(), p.on_notice.clone(), s.lang);
        Callback::from(move |_| {
            let published = texts.base.as_ref().filter(|_| !texts.dirty());
            let export = Export {
                version: published.map(|b| b.version),
                note: published.map(|b| b.note.clone()),
                ..Export::new(&texts.key, &texts.bundle)
            };
            let name = match published {
                Some(b) => format!("{}-v{}.kexie.toml", texts.key, b.version),
                None => format!("{}-edited.kexie.toml", texts.key),
            };
            if save_as(export.to_toml().as_bytes(), &name, "application/toml").is_err() {
                on_notice.emit(Notice::Error(kexie_widget::i18n::t(lang, "导出失败。", "The export failed.").into()));
            }
        })
    };
    html! { <button type="button" class="kx-btn" {onclick}>{ s.t("导出", "Export") }</button> }
}

#[derive(Properties, PartialEq)]
pub struct ImportProps {
    /// The workflow key and texts of a file that reads.
    pub on_import: Callback<(String, Bundle)>,
    pub on_notice: Callback<Notice>,
}

/// Reads an exported file; a file that does not read is named with its line and column,
/// and nothing in the editor changes.
#[function_component]
pub fn ImportButton(p: &ImportProps) -> Html {
    let s = use_session();
    let onchange = {
        let (on_import, on_notice, lang) = (p.on_import.clone(), p.on_notice.clone(), s.lang);
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value(""); // The same file may be chosen again.
            let (on_import, on_notice) = (on_import.clone(), on_notice.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let text = JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()).unwrap_or_default();
                let name = file.name();
                match Export::parse(&Source { name: &name, text: &text }) {
                    Ok((export, bundle)) => on_import.emit((export.key, bundle)),
                    Err(d) => on_notice.emit(Notice::Error(d.render(lang))),
                }
            });
        })
    };
    html! {
        <label class="kx-btn kx-file-pick">
            { s.t("导入…", "Import…") }
            <input type="file" accept=".toml" class="kx-file-input" {onchange}
                aria-label={s.t("导入流程文件", "Import a workflow file")} />
        </label>
    }
}
