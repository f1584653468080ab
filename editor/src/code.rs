//! The code editor and the diff view: CodeMirror 6 (`js/codemirror.mjs`, bundled into
//! `codemirror.js` beside this module), driven from Yew through a handle.

use std::rc::Rc;

use kexie_engine::definition::Diagnostic;
use kexie_engine::text::Lang;
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;

#[wasm_bindgen(inline_js = r#"export { createEditor, createDiff } from "../../codemirror.js";"#)]
extern "C" {
    type CodeView;
    #[wasm_bindgen(js_name = createEditor)]
    fn create_editor(
        parent: &Element,
        text: &str,
        language: &str,
        label: &str,
        locale: &str,
        on_change: &JsValue,
    ) -> CodeView;
    #[wasm_bindgen(method)]
    fn replace(this: &CodeView, text: &str);
    #[wasm_bindgen(method)]
    fn problems(this: &CodeView, list: JsValue);
    #[wasm_bindgen(method)]
    fn reveal(this: &CodeView, line: u32, col: u32);
    #[wasm_bindgen(method)]
    fn destroy(this: &CodeView);

    type DiffView;
    #[wasm_bindgen(js_name = createDiff)]
    fn create_diff(parent: &Element, published: &str, edited: &str, language: &str, locale: &str) -> DiffView;
    #[wasm_bindgen(method, js_name = destroy)]
    fn destroy_diff(this: &DiffView);
}

/// The highlighting a file gets.
pub fn language_of(file: &str) -> &'static str {
    if file.ends_with(".rhai") { "rhai" } else { "toml" }
}

fn locale(lang: Lang) -> &'static str {
    if lang == Lang::Zh { "zh-CN" } else { "en" }
}

/// A place to show: line and column in a file; `nonce` makes asking twice move again.
#[derive(Clone, PartialEq, Debug)]
pub struct Reveal {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub nonce: u32,
}

/// A CodeMirror view and the callback it calls on every change (dropped with it).
type Mounted = (CodeView, Closure<dyn Fn(String)>);

#[derive(Properties, PartialEq)]
pub struct CodeProps {
    /// The file shown (the component is keyed by it).
    pub file: AttrValue,
    pub text: AttrValue,
    /// Moves when the text was replaced from outside (a load, a publish); typing flows
    /// the other way and never sets the editor's text, so a render that lags behind fast
    /// typing cannot take a keystroke back.
    pub loads: u32,
    /// Problems of this file.
    pub problems: Rc<Vec<Diagnostic>>,
    pub reveal: Option<Reveal>,
    pub on_change: Callback<String>,
    pub lang: Lang,
}

/// One file in CodeMirror. The text prop seeds it and replaces it when `loads` moves
/// (import, discard, rollback, publish); typing flows out through `on_change`.
#[function_component]
pub fn CodeEditor(p: &CodeProps) -> Html {
    let node = use_node_ref();
    let view = use_mut_ref(|| None::<Mounted>);
    {
        let (node, view, text, file) = (node.clone(), view.clone(), p.text.clone(), p.file.clone());
        let on_change = p.on_change.clone();
        let label = format!("{}{file}", kexie_widget::i18n::t(p.lang, "编辑 ", "Editing "));
        let locale = locale(p.lang);
        use_effect_with((), move |_| {
            if let Some(el) = node.cast::<Element>() {
                let changed = Closure::<dyn Fn(String)>::new(move |t: String| on_change.emit(t));
                let cm = create_editor(&el, &text, language_of(&file), &label, locale, changed.as_ref());
                *view.borrow_mut() = Some((cm, changed));
            }
            move || {
                if let Some((cm, _)) = view.borrow_mut().take() {
                    cm.destroy();
                }
            }
        });
    }
    {
        let (view, text) = (view.clone(), p.text.clone());
        use_effect_with(p.loads, move |_| {
            if let Some((cm, _)) = &*view.borrow() {
                cm.replace(&text);
            }
        });
    }
    use_view(&view, (p.problems.clone(), p.lang), |cm, (problems, lang)| cm.problems(marks(&problems, lang)));
    use_view(&view, p.reveal.clone(), |cm, reveal| {
        if let Some(r) = reveal {
            cm.reveal(r.line, r.col)
        }
    });
    html! { <div class="kx-code" ref={node}></div> }
}

/// Runs `f` on the editor whenever `dep` changes (after the editor exists).
#[hook]
fn use_view<D: PartialEq + Clone + 'static>(
    view: &Rc<std::cell::RefCell<Option<Mounted>>>,
    dep: D,
    f: fn(&CodeView, D),
) {
    let view = view.clone();
    use_effect_with(dep, move |dep| {
        if let Some((cm, _)) = &*view.borrow() {
            f(cm, dep.clone());
        }
    });
}

/// Diagnostics as CodeMirror's lint marks want them.
fn marks(problems: &[Diagnostic], lang: Lang) -> JsValue {
    let list: Vec<serde_json::Value> = problems
        .iter()
        .map(|d| serde_json::json!({ "line": d.line, "col": d.col, "message": d.message.get(lang) }))
        .collect();
    js_sys::JSON::parse(&serde_json::Value::from(list).to_string()).unwrap_or(JsValue::NULL)
}

#[derive(Properties, PartialEq)]
pub struct DiffProps {
    pub file: AttrValue,
    pub published: AttrValue,
    pub edited: AttrValue,
    pub lang: Lang,
}

/// The published text beside the edited one.
#[function_component]
pub fn Diff(p: &DiffProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        let deps = (p.file.clone(), p.published.clone(), p.edited.clone(), p.lang);
        use_effect_with(deps, move |(file, published, edited, lang)| {
            let view =
                node.cast::<Element>().map(|el| create_diff(&el, published, edited, language_of(file), locale(*lang)));
            move || {
                if let Some(v) = view {
                    v.destroy_diff();
                }
            }
        });
    }
    html! { <div class="kx-diffview" ref={node}></div> }
}
