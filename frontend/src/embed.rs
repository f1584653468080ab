//! How host pages embed the widget: the `mount` function and the `<kexie-workflow>` custom
//! element. Behind the `element` feature, so the rule editor's module, which links this
//! crate for its form components, does not carry (or run) a second copy.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Node, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

use crate::app::{App, AppProps, Route, Setup};
use crate::config::MountConfig;

#[wasm_bindgen(inline_js = r#"
export function define_element(mount) {
  if (customElements.get("kexie-workflow")) return;
  customElements.define("kexie-workflow", class extends HTMLElement {
    static get observedAttributes() { return ["api", "token", "workflow", "instance", "view", "locale"]; }
    connectedCallback() {
      // Properties a host set before the element was defined shadow the accessors below.
      for (const p of ["getToken", "people"]) {
        if (Object.prototype.hasOwnProperty.call(this, p)) { const v = this[p]; delete this[p]; this[p] = v; }
      }
      this._schedule();
    }
    disconnectedCallback() { if (this._handle) { this._handle.unmount(); this._handle = null; } }
    // Setting an attribute, even to the value it has, mounts afresh (a host reloads it so).
    attributeChangedCallback() { this._schedule(); }
    // Called when the token is refused: whatever getToken is then, set before or after mounting.
    get getToken() { return this._getToken; }
    set getToken(f) { this._getToken = f; if (!this._handle) this._schedule(); }
    get people() { return this._people; }
    set people(f) { this._people = f; this._schedule(); }
    // One mount for all the attributes set in one go (an upgraded element gets one call each).
    _schedule() {
      if (this._pending) return;
      this._pending = true;
      queueMicrotask(() => { this._pending = false; if (this.isConnected) this._remount(); });
    }
    _remount() {
      if (this._handle) this._handle.unmount();
      this._handle = null;
      const a = (n) => this.getAttribute(n) || undefined;
      if (!a("token") && !this._getToken) return; // The host sets the token when it has one.
      this._handle = mount(this, { api: a("api"), token: a("token"), getToken: (...args) => this._getToken?.(...args),
        workflow: a("workflow"), instance: a("instance"), view: a("view"), locale: a("locale"), people: this._people });
    }
  });
}
export function stylesheet_url() { return new URL("../../kexie.css", import.meta.url).href; }
"#)]
extern "C" {
    fn define_element(mount: &Closure<dyn Fn(Element, JsValue) -> JsValue>);
    fn stylesheet_url() -> String;
}

/// Runs when the module is initialised: defines `<kexie-workflow>`.
#[wasm_bindgen(start)]
pub fn start() {
    let mount = Closure::<dyn Fn(Element, JsValue) -> JsValue>::new(|el: Element, config: JsValue| {
        JsValue::from(mount(el, config))
    });
    define_element(&mount);
    mount.forget(); // The element class keeps calling it for the page's lifetime.
}

/// A mounted widget; `unmount()` removes it and everything it rendered.
#[wasm_bindgen]
pub struct Handle {
    app: Option<AppHandle<App>>,
    root: Node,
}

#[wasm_bindgen]
impl Handle {
    /// Removes the widget from its element.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        clear(&self.root);
    }
}

/// Mounts a widget into `element`. `config`: `{ api, token, getToken, workflow, instance,
/// view, locale, people }`. `getToken` (or a function given as `token`) returns a fresh
/// token, or a promise of one, when the current one is refused; `people` is a function
/// `(query, kind) → [{id, name, department}]` (or a promise of that) that feeds the person
/// and department pickers instead of the server's directory.
#[wasm_bindgen]
pub fn mount(element: Element, config: JsValue) -> Handle {
    let root = shadow_root(&element);
    let container = gloo::utils::document().create_element("div").expect("a div");
    container.set_class_name("kx-root");
    let _ = container.set_attribute("hidden", "");
    let link = stylesheet(&container);
    let _ = root.append_child(&link);
    let _ = root.append_child(&container);
    let setup = setup(element, &config);
    let app = yew::Renderer::<App>::with_root_and_props(container, AppProps { setup }).render();
    Handle { app: Some(app), root }
}

/// The element's shadow root (so host styles cannot reach in, nor ours out), or the
/// element itself where shadow roots are not allowed.
fn shadow_root(element: &Element) -> Node {
    let root: Node = match element.shadow_root() {
        Some(r) => r.into(),
        None => match element.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) {
            Ok(r) => r.into(),
            Err(_) => element.clone().into(),
        },
    };
    clear(&root);
    root
}

fn clear(node: &Node) {
    while let Some(child) = node.first_child() {
        let _ = node.remove_child(&child);
    }
}

/// The widget's stylesheet; the content shows once it has loaded, never unstyled.
fn stylesheet(container: &Element) -> Element {
    let link = gloo::utils::document().create_element("link").expect("a link");
    let _ = link.set_attribute("rel", "stylesheet");
    let _ = link.set_attribute("href", &stylesheet_url());
    let shown = container.clone();
    let show = Closure::<dyn Fn()>::new(move || {
        let _ = shown.remove_attribute("hidden");
    });
    let _ = link.add_event_listener_with_callback("load", show.as_ref().unchecked_ref());
    let _ = link.add_event_listener_with_callback("error", show.as_ref().unchecked_ref());
    show.forget(); // One small closure per mount; it lives as long as the link.
    link
}

/// Reads the host's config; what is missing takes its default.
fn setup(host: Element, config: &JsValue) -> Setup {
    let c = MountConfig::read(config);
    let route = match (c.view.as_deref(), c.instance, c.workflow) {
        (Some("inbox"), ..) => Route::Inbox,
        (Some("editor"), _, key) => Route::Editor(key),
        (Some("reports"), ..) => Route::Reports,
        (_, Some(id), _) => Route::Instance(id),
        (_, None, Some(key)) => Route::Start(key),
        _ => Route::Inbox,
    };
    Setup { api: c.api, token: c.token, refresh: c.refresh, route, lang: c.lang, people: c.people, host }
}
