//! The DOM events the widget sends back to the host page.

use wasm_bindgen::JsValue;
use web_sys::Element;

/// Sends `kexie:<name>` to the host page, with `detail` as its detail.
pub fn emit(host: &Element, name: &str, detail: &serde_json::Value) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(&format!("kexie:{name}"), &init) {
        let _ = host.dispatch_event(&event);
    }
}
