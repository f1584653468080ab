//! 「新建流程」: a new workflow from a template — a blank one (two fields, a fill step and
//! an approval, a rule file and a passing case), or a copy of a published workflow — under
//! a key and title of its own. It opens as unpublished edits; publishing creates it on
//! the server, with no file written anywhere.

use kexie_api::WorkflowSummary;
use kexie_engine::bundle::Bundle;
use kexie_engine::definition::edit::DefinitionDoc;
use kexie_engine::text::{Lang, Text};
use kexie_widget::app::{Session, use_session};
use kexie_widget::i18n::pick;
use kexie_widget::views::{Notice, notice};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::newest;

/// The blank template, as the editor ships it.
fn blank() -> Bundle {
    let cases = [
        ("01-approved.toml", include_str!("../assets/blank/cases/01-approved.toml")),
        ("_people.toml", include_str!("../assets/blank/cases/_people.toml")),
    ];
    Bundle {
        workflow_toml: include_str!("../assets/blank/workflow.toml").into(),
        rules_rhai: include_str!("../assets/blank/rules.rhai").into(),
        cases: cases.into_iter().map(|(n, t)| (n.to_string(), t.to_string())).collect(),
    }
}

/// `bundle` under its new key and title, every other byte kept.
fn renamed(mut bundle: Bundle, key: &str, title: &Text) -> Bundle {
    if let Ok(mut doc) = DefinitionDoc::parse(&bundle.workflow_toml) {
        doc.set_header("key", key.into());
        doc.set_header_text("title", title);
        bundle.workflow_toml = doc.to_text();
    }
    bundle
}

/// Why `key` cannot name a new workflow, or `None`.
fn bad_key(key: &str, all: &[WorkflowSummary], lang: Lang) -> Option<String> {
    let valid = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let (zh, en) = if !valid {
        (
            "流程标识须以小写字母开头，只含小写字母、数字和 -，如 popsci-open-day。",
            "A key starts with a lower-case letter and holds only lower-case letters, digits and -, e.g. popsci-open-day.",
        )
    } else if all.iter().any(|w| w.key == key) {
        ("已有流程使用此标识。", "A workflow already has this key.")
    } else {
        return None;
    };
    Some((if lang == Lang::Zh { zh } else { en }).to_string())
}

#[derive(Properties, PartialEq)]
pub struct NewWorkflowProps {
    pub all: std::rc::Rc<Vec<WorkflowSummary>>,
    /// The new workflow's key and texts.
    pub on_create: Callback<(String, Bundle)>,
}

#[function_component]
pub fn NewWorkflow(p: &NewWorkflowProps) -> Html {
    let s = use_session();
    let open = use_state(|| false);
    let problem = use_state(|| None::<Notice>);
    let (key, zh, en, from) =
        (use_state(String::new), use_state(String::new), use_state(String::new), use_state(String::new));
    if !*open {
        let show = Callback::from(move |_| open.set(true));
        return html! { <button type="button" class="kx-btn" onclick={show}>{ s.t("新建流程", "New workflow") }</button> };
    }
    let typed = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: Event| state.set(e.target_unchecked_into::<HtmlInputElement>().value().trim().into()))
    };
    let choose = {
        let from = from.clone();
        Callback::from(move |e: Event| from.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let create = {
        let (s, all, on_create, problem, open) =
            (s.clone(), p.all.clone(), p.on_create.clone(), problem.clone(), open.clone());
        let (key, from) = ((*key).clone(), (*from).clone());
        let title = Text::new(&*zh, if en.is_empty() { &*zh } else { &*en });
        Callback::from(move |_: MouseEvent| {
            if let Some(why) = bad_key(&key, &all, s.lang) {
                return problem.set(Some(Notice::Error(why)));
            }
            if title.zh.is_empty() {
                return problem.set(Some(Notice::Error(s.t("请填写流程名称。", "Give the workflow a name.").into())));
            }
            let (s, on_create, problem, open, key, from, title) =
                (s.clone(), on_create.clone(), problem.clone(), open.clone(), key.clone(), from.clone(), title.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let template = if from.is_empty() {
                    Ok(blank())
                } else {
                    newest(&s, &from).await.map(|v| v.map_or_else(blank, |v| v.bundle))
                };
                match template {
                    Ok(b) => {
                        open.set(false);
                        on_create.emit((key.clone(), renamed(b, &key, &title)));
                    }
                    Err(f) => problem.set(Some(Notice::Error(f.explain(s.lang)))),
                }
            });
        })
    };
    let cancel = Callback::from(move |_| open.set(false));
    let field = |label: &'static str, en_label: &'static str, state: &UseStateHandle<String>, hint: &'static str| {
        html! {
            <label class="kx-field">
                <span class="kx-label">{ s.t(label, en_label) }</span>
                <input class="kx-input" value={(**state).clone()} placeholder={hint} onchange={typed(state)} />
            </label>
        }
    };
    html! {
        <section class="kx-ed-new" aria-label={s.t("新建流程", "New workflow")}>
            <h3 class="kx-section-title">{ s.t("新建流程", "New workflow") }</h3>
            <div class="kx-dz-pair">
                { field("流程标识（key）", "Key", &key, "popsci-open-day") }
                <label class="kx-field">
                    <span class="kx-label">{ s.t("从模板开始", "Start from") }</span>
                    <select class="kx-input" onchange={choose}>
                        <option value="" selected={from.is_empty()}>{ s.t("空白流程（申请 → 审批）", "A blank workflow (apply → approve)") }</option>
                        { for p.all.iter().map(|w| html! {
                            <option value={w.key.clone()} selected={*from == w.key}>{ copy_of(&s, w) }</option>
                        }) }
                    </select>
                </label>
                { field("名称（中文）", "Name (Chinese)", &zh, "科普开放日") }
                { field("名称（英文）", "Name (English)", &en, "Science open day") }
            </div>
            { notice(&problem) }
            <div class="kx-dz-palette">
                <button type="button" class="kx-btn kx-btn-primary" onclick={create}>{ s.t("建立", "Create") }</button>
                <button type="button" class="kx-btn" onclick={cancel}>{ s.t("取消", "Cancel") }</button>
                <span class="kx-hint">{ s.t("建立后在「表单」「流程」中设计，检查和案例通过后发布。", "Then design it in Form and Route, and publish once the checks and cases pass.") }</span>
            </div>
        </section>
    }
}

fn copy_of(s: &Session, w: &WorkflowSummary) -> String {
    match s.lang {
        Lang::Zh => format!("复制「{}」", pick(s.lang, &w.title)),
        Lang::En => format!("A copy of '{}'", pick(s.lang, &w.title)),
    }
}
