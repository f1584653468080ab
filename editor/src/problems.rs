//! The problems panel: every diagnostic at file:line:col (a click goes there) and every
//! case that fails, with what did not hold.

use std::rc::Rc;

use kexie_engine::text::Lang;
use kexie_widget::app::use_session;
use yew::prelude::*;

use crate::state::Check;

#[derive(Properties)]
pub struct ProblemsProps {
    /// The latest check; none before the first.
    pub check: Option<Rc<Check>>,
    /// The text changed since (the next check is due once typing pauses).
    pub stale: bool,
    pub on_goto: Callback<(String, u32, u32)>,
}

impl PartialEq for ProblemsProps {
    fn eq(&self, other: &Self) -> bool {
        self.check.as_ref().map(Rc::as_ptr) == other.check.as_ref().map(Rc::as_ptr)
            && self.stale == other.stale
            && self.on_goto == other.on_goto
    }
}

#[function_component]
pub fn Problems(p: &ProblemsProps) -> Html {
    let s = use_session();
    let Some(v) = &p.check else {
        return html! { <section class="kx-ed-problems" aria-busy="true"><p class="kx-hint">{ s.t("正在检查…", "Checking…") }</p></section> };
    };
    let goto = |file: String, line: u32, col: u32| {
        let on_goto = p.on_goto.clone();
        Callback::from(move |_| on_goto.emit((file.clone(), line, col)))
    };
    let diagnostics = v.diagnostics.iter().map(|d| {
        html! {
            <li class="kx-ed-problem">
                <button type="button" class="kx-link kx-ed-at" onclick={goto(d.file.clone(), d.line, d.col)}>
                    { format!("{}:{}:{}", d.file, d.line, d.col) }
                </button>
                <span class="kx-ed-message">{ d.message.get(s.lang).to_string() }</span>
            </li>
        }
    });
    let failed = v.cases.iter().filter(|(_, r)| !r.passed()).map(|(file, r)| {
        html! {
            <li class="kx-ed-problem">
                <button type="button" class="kx-link kx-ed-at" onclick={goto(file.clone(), 1, 1)}>{ file.clone() }</button>
                <span class="kx-ed-message">{ r.name.clone() }</span>
                <ul class="kx-ed-failures">{ for r.failures.iter().map(|f| html! { <li>{ f.clone() }</li> }) }</ul>
            </li>
        }
    });
    let (total, bad) = (v.cases.len(), v.failed_cases());
    let cases = match s.lang {
        _ if v.compiled.is_none() => {
            s.t("案例未运行：请先改正上述问题", "Cases not run: fix the problems first").to_string()
        }
        Lang::Zh if bad == 0 => format!("{total} 个案例全部通过"),
        Lang::Zh => format!("{total} 个案例中 {bad} 个未通过"),
        Lang::En if bad == 0 => format!("all {total} cases pass"),
        Lang::En => format!("{bad} of {total} cases fail"),
    };
    let head = match (v.diagnostics.len(), s.lang) {
        (0, Lang::Zh) => "没有发现问题".to_string(),
        (0, Lang::En) => "No problems".to_string(),
        (n, Lang::Zh) => format!("{n} 个问题"),
        (n, Lang::En) => format!("{n} problem(s)"),
    };
    // Between a keystroke and the next check the last list stays, dimmed: it does not blink.
    let class = classes!(
        "kx-ed-problems",
        if v.clean() { "kx-ed-clean" } else { "kx-ed-dirty" },
        p.stale.then_some("kx-ed-stale")
    );
    html! {
        <section {class} aria-label={s.t("问题", "Problems")} aria-busy={p.stale.to_string()}>
            <h3 class="kx-ed-summary" role="status">
                <span class="kx-ed-count">{ head }</span>
                <span class="kx-ed-cases-state">{ cases }</span>
                <span class="kx-ed-took" data-ms={format!("{:.1}", v.took_ms)}>
                    { format!("{}{:.0} ms", s.t("检查用时 ", "checked in "), v.took_ms) }
                </span>
            </h3>
            <ul class="kx-ed-list">{ for diagnostics }{ for failed }</ul>
        </section>
    }
}
