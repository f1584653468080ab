//! Shared pieces of the views: loading and failure panels, the live region that
//! announces results to screen readers, and moving focus to the first error.

use kexie_engine::fields::FieldError;
use kexie_engine::text::Lang;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::app::Session;
use crate::form::root_of;

/// A message for the user: what happened, in the tone it deserves.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Info(String),
    Success(String),
    Error(String),
    /// A submit the browser refused: says how many problems are left, and goes once
    /// they are fixed.
    Problems,
}

/// The notice as it reads now (`Problems` counts the errors left).
pub fn current(n: &Option<Notice>, lang: Lang, blocking: &[FieldError]) -> Option<Notice> {
    match n {
        Some(Notice::Problems) if blocking.is_empty() => None,
        Some(Notice::Problems) => Some(Notice::Error(problems(lang, blocking))),
        other => other.clone(),
    }
}

thread_local! {
    static CARRIED: std::cell::RefCell<Option<Notice>> = const { std::cell::RefCell::new(None) };
}

/// Hands a notice to the page the user is sent to next (a first submit goes on to its
/// instance, which says it was submitted).
pub fn carry(n: Notice) {
    CARRIED.with(|c| *c.borrow_mut() = Some(n));
}

/// The notice carried to this page, once.
pub fn carried() -> Option<Notice> {
    CARRIED.with(|c| c.borrow_mut().take())
}

/// The notice area; `role=alert` / `status` make screen readers announce it.
pub fn notice(n: &Option<Notice>) -> Html {
    match n {
        None | Some(Notice::Problems) => html! { <div class="kx-live" role="status" aria-live="polite"></div> },
        Some(Notice::Info(m)) => {
            html! { <div class="kx-alert kx-alert-info" role="status" aria-live="polite">{ m.clone() }</div> }
        }
        Some(Notice::Success(m)) => {
            html! { <div class="kx-alert kx-alert-ok" role="status" aria-live="polite">{ m.clone() }</div> }
        }
        Some(Notice::Error(m)) => {
            html! { <div class="kx-alert kx-alert-error" role="alert" aria-live="assertive">{ m.clone() }</div> }
        }
    }
}

/// An instance's status as people say it; `returned` is a first step reached again after
/// a submit (returned or withdrawn for changes), which is no longer a fresh draft.
pub fn status_label(lang: Lang, status: &str, returned: bool) -> &'static str {
    let t = |zh, en| crate::i18n::t(lang, zh, en);
    match status {
        "draft" if returned => t("待修改", "To revise"),
        "draft" => t("草稿", "Draft"),
        "running" => t("审批中", "In progress"),
        "completed" => t("已办结", "Completed"),
        "rejected" => t("已驳回", "Rejected"),
        _ => "",
    }
}

pub fn loading(lang: Lang) -> Html {
    html! { <p class="kx-loading" role="status">{ crate::i18n::t(lang, "正在加载…", "Loading…") }</p> }
}

/// "The form has 3 problems", to announce after a refused submit.
fn problems(lang: Lang, errors: &[FieldError]) -> String {
    match lang {
        Lang::Zh => format!("表单有 {} 处需要修改，请查看标红的字段。", errors.len()),
        Lang::En => format!("The form has {} problem(s); see the fields marked in red.", errors.len()),
    }
}

/// Moves focus to the field of the first error, once it has rendered.
pub fn focus_first(s: &Session, within: &NodeRef, errors: &[FieldError]) {
    let Some(first) = errors.first() else { return };
    let id = s.dom_id(root_of(&first.path));
    let within = within.clone();
    gloo::timers::callback::Timeout::new(0, move || {
        let Some(root) = within.cast::<web_sys::Element>() else { return };
        let target = root
            .query_selector(&format!("#{id}"))
            .ok()
            .flatten()
            .or_else(|| root.query_selector("[aria-invalid=true]").ok().flatten());
        if let Some(el) = target.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
        }
    })
    .forget();
}
