//! 统计分析 (`view: "reports"`): the reports of every workflow the caller may open, a tab per
//! workflow, narrowed by year and by a field the reports name (region, industry). Each report
//! is a chart (Apache ECharts, a module of its own loaded only for this view) with its table
//! under it, for screen readers and for copying; each figure of the table opens the
//! instances behind it, and each of those opens the instance. Tables and lists export to
//! Excel and CSV.

use std::rc::Rc;

use kexie_api::{ColumnKind, ListPage, ReportSummary, ReportTable};
use yew::prelude::*;

use super::chart::ChartView;
use super::export::ExportButtons;
use super::inbox::list_page;
use super::status::{Notice, loading, notice};
use crate::api::{Failure, use_answer};
use crate::app::{Session, use_session};
use crate::i18n::pick;

/// What the dashboard asks for first: the reports the caller may open.
pub const FIRST_PATH: &str = "/reports";

/// What narrows every report of a tab.
#[derive(Clone, PartialEq, Default)]
struct Narrow {
    year: Option<i32>,
    /// A filter field and the value typed for it.
    filter: Option<(String, String)>,
}

impl Narrow {
    /// The query a report that can be narrowed by `filters` takes.
    fn query(&self, filters: &[String]) -> String {
        let mut q = Vec::new();
        if let Some(y) = self.year {
            q.push(format!("from={y}-01-01&to={y}-12-31"));
        }
        if let Some((f, v)) = self.filter.as_ref().filter(|(f, v)| !v.trim().is_empty() && filters.contains(f)) {
            q.push(format!("field={f}&equals={}", js_sys::encode_uri_component(v.trim())));
        }
        q.join("&")
    }
}

#[function_component]
pub fn Reports() -> Html {
    let s = use_session();
    let list = use_state(|| None::<Result<Vec<ReportSummary>, Failure>>);
    let tab = use_state(|| None::<String>);
    let narrow = use_state(Narrow::default);
    {
        let (s, list) = (s.clone(), list.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { list.set(Some(s.client.get(FIRST_PATH).await)) });
        });
    }
    let reports = match &*list {
        None => return loading(s.lang),
        Some(Err(f)) => return notice(&Some(Notice::Error(f.explain(s.lang)))),
        Some(Ok(r)) if r.is_empty() => {
            return html! { <p class="kx-empty-list">{ s.t("您没有可以查看的统计报表。", "There is no report you may see.") }</p> };
        }
        Some(Ok(r)) => r,
    };
    let mut workflows: Vec<(&str, String)> = Vec::new();
    for r in reports {
        if !workflows.iter().any(|(k, _)| *k == r.workflow) {
            workflows.push((&r.workflow, pick(s.lang, &r.workflow_title)));
        }
    }
    let current = tab.as_deref().unwrap_or(workflows[0].0).to_string();
    let mine: Vec<ReportSummary> = reports.iter().filter(|r| r.workflow == current).cloned().collect();
    let tabs = workflows.iter().map(|(key, title)| {
        let on = *key == current;
        let (tab, narrow, key) = (tab.clone(), narrow.clone(), key.to_string());
        let select = Callback::from(move |_| {
            tab.set(Some(key.clone()));
            narrow.set(Narrow::default());
        });
        html! {
            <button type="button" role="tab" class={classes!("kx-tab", on.then_some("kx-tab-on"))}
                aria-selected={on.to_string()} onclick={select}>{ title.clone() }</button>
        }
    });
    html! {
        <section class="kx-page kx-reports">
            <h2 class="kx-title">{ s.t("统计分析", "Reports") }</h2>
            <div class="kx-tabs" role="tablist" aria-label={s.t("流程", "Workflows")}>{ for tabs }</div>
            <div class="kx-tabpanel" role="tabpanel">
                { narrow_bar(&s, &mine, &narrow) }
                <div class="kx-report-grid">
                    { for mine.iter().map(|r| html! {
                        <ReportCard key={format!("{}/{}", r.workflow, r.id)} report={r.clone()} query={narrow.query(&r.filters.iter().map(|f| f.field.clone()).collect::<Vec<_>>())} />
                    }) }
                </div>
            </div>
        </section>
    }
}

/// The year and the field (of those the tab's reports may be narrowed by) with its value.
fn narrow_bar(s: &Session, reports: &[ReportSummary], narrow: &UseStateHandle<Narrow>) -> Html {
    let this_year = js_sys::Date::new_0().get_full_year() as i32;
    let mut fields: Vec<(String, String)> = Vec::new();
    for f in reports.iter().flat_map(|r| &r.filters) {
        if !fields.iter().any(|(id, _)| *id == f.field) {
            fields.push((f.field.clone(), pick(s.lang, &f.label)));
        }
    }
    let on_year = {
        let narrow = narrow.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            narrow.set(Narrow { year: v.parse().ok(), ..(*narrow).clone() });
        })
    };
    let chosen = narrow
        .filter
        .clone()
        .unwrap_or_else(|| (fields.first().map(|f| f.0.clone()).unwrap_or_default(), String::new()));
    let on_field = {
        let (narrow, value) = (narrow.clone(), chosen.1.clone());
        Callback::from(move |e: Event| {
            let f = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            narrow.set(Narrow { filter: Some((f, value.clone())), ..(*narrow).clone() });
        })
    };
    let on_value = {
        let (narrow, field) = (narrow.clone(), chosen.0.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            narrow.set(Narrow { filter: Some((field.clone(), v)), ..(*narrow).clone() });
        })
    };
    html! {
        <div class="kx-report-bar">
            <label class="kx-report-filter">{ s.t("年度", "Year") }
                <select class="kx-input" onchange={on_year}>
                    <option value="" selected={narrow.year.is_none()}>{ s.t("全部年度", "All years") }</option>
                    { for (0..5).map(|k| this_year - k).map(|y| html! {
                        <option value={y.to_string()} selected={narrow.year == Some(y)}>{ y }</option>
                    }) }
                </select>
            </label>
            if !fields.is_empty() {
                <label class="kx-report-filter">{ s.t("筛选", "Narrow by") }
                    <select class="kx-input" onchange={on_field}>
                        { for fields.iter().map(|(id, label)| html! { <option value={id.clone()} selected={*id == chosen.0}>{ label.clone() }</option> }) }
                    </select>
                </label>
                <label class="kx-report-filter">{ s.t("等于", "equals") }
                    <input class="kx-input" type="search" value={chosen.1.clone()} onchange={on_value}
                        placeholder={s.t("如：江苏省南京市", "e.g. 江苏省南京市")} />
                </label>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CardProps {
    report: ReportSummary,
    /// The narrowing, as a query string.
    query: String,
}

/// The figure a person opened: its keys (as the API takes them) and what it reads as.
#[derive(Clone, PartialEq)]
struct Opened {
    keys: Vec<Option<String>>,
    label: String,
    page: i64,
}

/// One report: its chart, its table, its exports, and the instances behind a figure.
#[function_component]
fn ReportCard(p: &CardProps) -> Html {
    let s = use_session();
    let opened = use_state(|| None::<Opened>);
    let path = format!("/reports/{}/{}", p.report.workflow, p.report.id);
    let table = use_answer(p.query.clone(), {
        let (s, opened, path) = (s.clone(), opened.clone(), path.clone());
        move |query| {
            opened.set(None);
            let url = format!("{path}?{query}");
            async move { s.client.get::<ReportTable>(&url).await.map(Rc::new) }
        }
    });
    let title = pick(s.lang, &p.report.title);
    let open = {
        let opened = opened.clone();
        Callback::from(move |(keys, label)| opened.set(Some(Opened { keys, label, page: 1 })))
    };
    let body = match &*table {
        None => loading(s.lang),
        Some(Err(f)) => notice(&Some(Notice::Error(f.explain(s.lang)))),
        Some(Ok(t)) if t.rows.is_empty() => {
            html! { <p class="kx-empty-list">{ s.t("没有符合条件的流程。", "Nothing matches.") }</p> }
        }
        Some(Ok(t)) => html! {
            <>
                <ChartView table={t.clone()} label={title.clone()} />
                { figures(&s, t, &title, Some(&open)) }
            </>
        },
    };
    let sep = if p.query.is_empty() { "" } else { "&" };
    let wide = matches!(&*table, Some(Ok(t)) if t.columns.len() > 3);
    html! {
        <article class={classes!("kx-report", wide.then_some("kx-report-wide"))} aria-labelledby={s.dom_id(&format!("report-{}", p.report.id))}>
            <header class="kx-report-head">
                <h3 class="kx-section-title" id={s.dom_id(&format!("report-{}", p.report.id))}>{ title.clone() }</h3>
                <ExportButtons path={format!("{path}?{}{sep}", p.query)} name={title.clone()} />
            </header>
            if let Some(d) = &p.report.description { <p class="kx-report-desc">{ pick(s.lang, d) }</p> }
            { body }
            if let Some(o) = &*opened {
                <Behind path={path.clone()} query={p.query.clone()} opened={o.clone()} on_page={{
                    let opened = opened.clone();
                    Callback::from(move |page| opened.set(opened.as_ref().map(|o| Opened { page, ..o.clone() })))
                }} />
            }
        </article>
    }
}

/// A figure opened: its groups' values and its label.
type Figure = (Vec<Option<String>>, String);

/// The table under a chart; with `open`, each count opens the instances behind it.
pub fn figures(s: &Session, t: &ReportTable, title: &str, open: Option<&Callback<Figure>>) -> Html {
    let groups = t.columns.iter().filter(|c| c.kind == ColumnKind::Group).count();
    let durations = t.columns.iter().any(|c| c.kind == ColumnKind::Hours);
    html! {
        <div class="kx-table-wrap">
            <table class="kx-table kx-report-table">
                <caption class="kx-sr">{ title.to_string() }</caption>
                <thead><tr>{ for t.columns.iter().map(|c| {
                    let unit = c.unit.as_ref().map(|u| format!("（{}）", pick(s.lang, u))).unwrap_or_default();
                    html! { <th scope="col">{ format!("{}{unit}", pick(s.lang, &c.label)) }</th> }
                }) }</tr></thead>
                <tbody>{ for t.rows.iter().map(|r| {
                    let keys: Vec<Option<String>> = r.keys.iter().map(|k| k.value.clone()).collect();
                    let label = r.keys.iter().map(|k| pick(s.lang, &k.label)).collect::<Vec<_>>().join(" · ");
                    html! {
                        <tr>
                            { for r.keys.iter().map(|k| html! { <th scope="row">{ pick(s.lang, &k.label) }</th> }) }
                            { for r.values.iter().zip(&t.columns[groups..]).enumerate().map(|(i, (v, c))| {
                                let text = figure(*v, c.kind, c.scale);
                                // The count opens its instances (for a step: those at it now).
                                if let Some(open) = open.filter(|_| i == 0 && v.is_some() && !durations) {
                                    let open = { let (open, keys, label) = (open.clone(), keys.clone(), label.clone());
                                        Callback::from(move |_| open.emit((keys.clone(), label.clone()))) };
                                    html! { <td class="kx-num"><button type="button" class="kx-link kx-figure" onclick={open}
                                        aria-label={format!("{label}：{text}")}>{ text }</button></td> }
                                } else {
                                    html! { <td class="kx-num">{ text }</td> }
                                }
                            }) }
                        </tr>
                    }
                }) }</tbody>
            </table>
        </div>
    }
}

/// A figure as the table shows it: counts whole, money with its decimals, a rate in percent.
pub fn figure(v: Option<f64>, kind: ColumnKind, scale: u32) -> String {
    match (v, kind) {
        (None, _) => "—".into(),
        (Some(x), ColumnKind::Rate) => format!("{:.1}%", x * 100.0),
        (Some(x), _) => crate::i18n::money(&format!("{x:.*}", scale as usize), scale),
    }
}

#[derive(Properties, PartialEq)]
struct BehindProps {
    path: String,
    query: String,
    opened: Opened,
    on_page: Callback<i64>,
}

/// The instances behind a figure, a page at a time, each opening its instance.
#[function_component]
fn Behind(p: &BehindProps) -> Html {
    let s = use_session();
    let query = {
        let mut q: Vec<String> = p.query.split('&').filter(|x| !x.is_empty()).map(String::from).collect();
        for (name, key) in ["key", "key2"].iter().zip(&p.opened.keys) {
            q.push(format!("{name}={}", js_sys::encode_uri_component(key.as_deref().unwrap_or(""))));
        }
        q.join("&")
    };
    let list = use_answer((query.clone(), p.opened.page), {
        let (s, path) = (s.clone(), p.path.clone());
        move |(query, page)| {
            let url = format!("{path}/instances?{query}&page={page}&per_page=10");
            async move { s.client.get::<ListPage>(&url).await }
        }
    });
    let heading = match s.lang {
        kexie_engine::text::Lang::Zh => format!("「{}」的流程", p.opened.label),
        kexie_engine::text::Lang::En => format!("Instances of '{}'", p.opened.label),
    };
    html! {
        <section class="kx-behind" aria-label={heading.clone()}>
            <header class="kx-report-head">
                <h4 class="kx-behind-title">{ heading.clone() }
                    if let Some(Ok(l)) = &*list { <span class="kx-muted">{ format!(" · {}", l.total) }</span> }
                </h4>
                <ExportButtons path={format!("{}/instances?{query}&", p.path)} name={heading.clone()} />
            </header>
            { match &*list {
                None => loading(s.lang),
                Some(Err(f)) => notice(&Some(Notice::Error(f.explain(s.lang)))),
                Some(Ok(l)) => list_page(&s, l, p.on_page.clone()),
            } }
        </section>
    }
}
