//! The rule editor's place in the widget. The editor is a module of its own (`editor/` in
//! the build folder, crate kexie-editor, with CodeMirror): only an administrator who opens
//! this view downloads it, so the forms everyone else uses stay as small as they are.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;
use yew::prelude::*;

use super::status::{Notice, loading, notice};
use crate::app::{Session, use_session};

#[wasm_bindgen(inline_js = r#"
export async function load_editor(parent, config) {
  const module = await import(new URL("../../editor/kexie_editor.js", import.meta.url).href);
  await module.default();
  return module.mount(parent, config);
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn load_editor(parent: &Element, config: &JsValue) -> Result<Promise, JsValue>;
}

#[derive(Properties, PartialEq)]
pub struct EditorHostProps {
    pub workflow: Option<String>,
}

/// Loads the editor into a container of its own and unmounts it when the view goes.
#[function_component]
pub fn EditorHost(props: &EditorHostProps) -> Html {
    let s = use_session();
    let parent = use_node_ref();
    let failed = use_state(|| None::<String>);
    let ready = use_state(|| false);
    {
        let (parent, failed, ready, s) = (parent.clone(), failed.clone(), ready.clone(), s.clone());
        let workflow = props.workflow.clone();
        // Mounted again when the language changes; the editor keeps its edits locally.
        use_effect_with(s.lang, move |_| {
            let mounted = Rc::new(RefCell::new(Mounted::Loading));
            if let (true, Some(el)) = (s.me.admin, parent.cast::<Element>()) {
                let mounted = mounted.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let loaded = match load_editor(&el, &config(&s, workflow.as_deref())) {
                        Ok(promise) => JsFuture::from(promise).await,
                        Err(e) => Err(e),
                    };
                    let gone = matches!(*mounted.borrow(), Mounted::Gone);
                    match loaded {
                        // The view went while the module loaded: take the editor down again.
                        Ok(h) if gone => unmount(&h),
                        Ok(h) => {
                            *mounted.borrow_mut() = Mounted::Editor(h);
                            ready.set(true);
                        }
                        Err(e) => failed.set(Some(e.as_string().unwrap_or_else(|| format!("{e:?}")))),
                    }
                });
            }
            move || {
                if let Mounted::Editor(h) = mounted.replace(Mounted::Gone) {
                    unmount(&h);
                }
            }
        });
    }
    if !s.me.admin {
        let refused = s.t(
            "只有管理员可以打开规则编辑器。如需调整流程规则，请联系本单位的系统管理员。",
            "Only administrators can open the rule editor. To change a workflow's rules, ask your administrator.",
        );
        return notice(&Some(Notice::Error(refused.into())));
    }
    let status = match &*failed {
        Some(e) => notice(&Some(Notice::Error(format!(
            "{}（{e}）",
            s.t("规则编辑器未能加载，请刷新页面重试", "The rule editor did not load; reload the page to try again")
        )))),
        None if !*ready => loading(s.lang),
        None => Html::default(),
    };
    html! {
        <>
            { status }
            <div class="kx-editor-host" ref={parent}></div>
        </>
    }
}

/// Where the editor module is in its life.
enum Mounted {
    Loading,
    /// Its handle.
    Editor(JsValue),
    /// The view is gone.
    Gone,
}

fn unmount(handle: &JsValue) {
    let unmount = Reflect::get(handle, &"unmount".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let _ = unmount.map(|f| f.call0(handle));
}

/// What the editor module needs: the same server, token, refresher and language.
fn config(s: &Session, workflow: Option<&str>) -> JsValue {
    let (token, refresh) = s.client.credentials();
    let config = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&config, &k.into(), &v);
    };
    set("api", s.client.base().into());
    set("token", token.into());
    set("getToken", refresh.map_or(JsValue::UNDEFINED, JsValue::from));
    set("workflow", workflow.map_or(JsValue::UNDEFINED, JsValue::from));
    set("locale", if s.lang == kexie_engine::text::Lang::Zh { "zh-CN" } else { "en" }.into());
    config.into()
}
