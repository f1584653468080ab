//! The 报表 tab: each report the workflow declares, counted over its golden cases as they
//! end, in the table the dashboard shows. The counting is the engine's
//! (`kexie_engine::reports`), the table `kexie_api`'s; a server test keeps both equal to
//! what the server's SQL gives over the same cases.

use kexie_engine::bundle::Bundle;
use kexie_engine::reports::{Reported, tabulate};
use kexie_widget::app::Session;
use kexie_widget::i18n::pick;
use kexie_widget::views::{Notice, notice, report_figures};
use yew::prelude::*;

use crate::state::Check;

/// Every report over the cases of `check`, the people named by the cases' directory.
pub fn reports(s: &Session, check: &Check, bundle: &Bundle) -> Html {
    let Some(compiled) = &check.compiled else {
        return notice(&Some(Notice::Error(
            s.t(
                "规则有问题，无法统计；请先改正下方列出的问题。",
                "The workflow has problems and cannot be counted; fix those listed below.",
            )
            .into(),
        )));
    };
    let def = &compiled.wf.definition;
    if def.reports.is_empty() {
        return html! {
            <p class="kx-ed-empty">{ s.t("这个流程没有声明统计报表（workflow.toml 中的 [[reports]]）。",
                "This workflow declares no reports ([[reports]] in workflow.toml).") }</p>
        };
    }
    let ended: Vec<&Reported> = check.cases.iter().filter_map(|(_, r)| r.ended.as_ref()).collect();
    let people = bundle.people().unwrap_or_default();
    let name = |id: &str| people.people.get(id).map(|p| p.name.clone());
    let hint = match s.lang {
        kexie_engine::text::Lang::Zh => format!(
            "按 {} 个案例结束时的状态统计，算法与「统计分析」相同（那里统计服务器上的流程）。改动规则或案例，这里随之更新。",
            ended.len()
        ),
        kexie_engine::text::Lang::En => format!(
            "Counted over the {} cases as they end, the way the dashboard counts the server's instances. Edit the rules or the cases and this follows.",
            ended.len()
        ),
    };
    let tables = def.reports.iter().map(|r| {
        let (rows, total) = tabulate(r, &ended);
        let table = kexie_api::report_table(def, r, rows, total, &name);
        let title = pick(s.lang, &r.title);
        let body = if table.rows.is_empty() {
            html! { <p class="kx-empty-list">{ s.t("没有案例计入这张报表。", "No case counts in this report.") }</p> }
        } else {
            report_figures(s, &table, &title, None)
        };
        html! {
            <section class="kx-report kx-ed-report">
                <h3 class="kx-section-title">{ title.clone() }<code class="kx-ed-report-id">{ r.id.clone() }</code></h3>
                { body }
            </section>
        }
    });
    html! { <div class="kx-ed-reports"><p class="kx-hint">{ hint }</p>{ for tables }</div> }
}
