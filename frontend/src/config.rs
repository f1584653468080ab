//! What a host page passes to `mount`, read the same way for the widget and for the rule
//! editor's module (which the widget mounts with the config it was given).

use js_sys::{Function, Reflect};
use kexie_engine::text::Lang;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::lang_of;

/// `{ api, token, getToken, workflow, instance, view, locale, people }`; what is missing
/// takes its default.
pub struct MountConfig {
    /// The API base, `/api/v1` by default.
    pub api: String,
    pub token: String,
    /// `getToken` (or a function given as `token`): a fresh token, or a promise of one.
    pub refresh: Option<Function>,
    pub workflow: Option<String>,
    pub instance: Option<String>,
    pub view: Option<String>,
    pub lang: Lang,
    /// `(query, kind) → [{id, name, department}]` (or a promise of that), for the pickers.
    pub people: Option<Function>,
}

impl MountConfig {
    pub fn read(config: &JsValue) -> MountConfig {
        let text = |key: &str| Reflect::get(config, &key.into()).ok()?.as_string().filter(|s| !s.is_empty());
        let function = |key: &str| Reflect::get(config, &key.into()).ok()?.dyn_into::<Function>().ok();
        MountConfig {
            api: text("api").unwrap_or_else(|| "/api/v1".into()),
            token: text("token").unwrap_or_default(),
            refresh: function("getToken").or_else(|| function("token")),
            workflow: text("workflow"),
            instance: text("instance"),
            view: text("view"),
            lang: lang_of(text("locale").as_deref()),
            people: function("people"),
        }
    }
}
