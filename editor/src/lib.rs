//! Kexie Flow's rule editor: administrators edit a workflow's definition, rules and
//! golden cases with diagnostics as they type, preview the form, run the cases, see the
//! reports over them, compare with the published version and publish. A module of its
//! own, loaded by the widget's `view: "editor"` only, so nobody else downloads it.

mod app;
mod code;
mod create;
mod deliveries;
mod designer;
mod desk;
mod local;
mod preview;
mod problems;
mod publish;
mod reports;
mod sim;
mod state;
mod transfer;
mod versions;

use kexie_widget::config::MountConfig;
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::AppHandle;

use crate::app::{RuleEditor, Setup};

#[wasm_bindgen(inline_js = r#"
export function stylesheet_url() { return new URL("../../editor.css", import.meta.url).href; }
"#)]
extern "C" {
    fn stylesheet_url() -> String;
}

/// A mounted editor; `unmount()` removes it.
#[wasm_bindgen]
pub struct Handle {
    app: Option<AppHandle<RuleEditor>>,
    parent: Element,
}

#[wasm_bindgen]
impl Handle {
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.parent.set_inner_html("");
    }
}

/// Mounts the editor into `parent` (inside the widget's shadow root). `config`:
/// `{ api, token, getToken, workflow, locale }`, as the widget hands it over.
#[wasm_bindgen]
pub fn mount(parent: Element, config: JsValue) -> Handle {
    let doc = gloo::utils::document();
    let link = doc.create_element("link").expect("a link");
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", &stylesheet_url());
    let container = doc.create_element("div").expect("a div");
    container.set_class_name("kx-editor");
    let _ = parent.append_child(&link);
    let _ = parent.append_child(&container);
    let c = MountConfig::read(&config);
    let setup = Setup {
        api: c.api,
        token: c.token,
        refresh: c.refresh,
        workflow: c.workflow,
        lang: c.lang,
        host: parent.clone(),
    };
    let app = yew::Renderer::<RuleEditor>::with_root_and_props(container, setup).render();
    Handle { app: Some(app), parent }
}
