//! One workflow open for editing: the toolbar, the files, the preview and the diff, the
//! problems, and the version history.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use kexie_engine::bundle::Bundle;
use kexie_widget::app::{Session, use_session};
use kexie_widget::views::{Notice, notice};
use yew::prelude::*;

use crate::code::{CodeEditor, Diff};
use crate::designer::{FormDesigner, RouteDesigner};
use crate::local::SaveKey;
use crate::preview::Preview;
use crate::problems::Problems;
use crate::publish::PublishPanel;
use crate::sim::Sim;
use crate::state::{Check, DEFINITION, DeskState, Msg, RULES, Tab, Texts, text_of};
use crate::transfer::{ExportButton, ImportButton};
use crate::versions::History;

/// How long typing pauses before the engine checks the texts again.
const CHECK_AFTER_MS: u32 = 300;

#[derive(Properties, PartialEq)]
pub struct DeskProps {
    pub texts: Texts,
    /// What opening it did (edits restored, a file imported).
    pub opened: Option<Notice>,
    pub on_import: Callback<(String, Bundle)>,
    /// A version was published.
    pub on_published: Callback<()>,
}

#[function_component]
pub fn Desk(p: &DeskProps) -> Html {
    let s = use_session();
    let desk = use_reducer(|| DeskState::new(p.texts.clone()));
    let banner = use_state(|| p.opened.clone());
    let history = use_state(|| 0u32); // Bumped to reload the history after publishing.
    let sim = use_reducer(Sim::default); // Kept while the other tabs are visited.
    let save = SaveKey::new(s.client.base(), &s.me.id, &desk.texts.key);
    use_check_and_keep(&desk, save.clone(), s.lang);
    let d = &*desk;
    let dispatch = desk.dispatcher();
    let on_published = {
        let (dispatch, banner, history, save) = (dispatch.clone(), banner.clone(), history.clone(), save.clone());
        let told = p.on_published.clone();
        Callback::from(move |(base, message): (Rc<kexie_api::VersionBundle>, String)| {
            save.forget();
            dispatch.dispatch(Msg::Published(base));
            banner.set(Some(Notice::Success(message)));
            history.set(*history + 1);
            told.emit(());
        })
    };
    let on_load = {
        let (dispatch, banner) = (dispatch.clone(), banner.clone());
        Callback::from(move |(bundle, message): (Rc<Bundle>, String)| {
            dispatch.dispatch(Msg::Load(bundle));
            banner.set(Some(Notice::Info(message)));
        })
    };
    let on_notice = {
        let banner = banner.clone();
        Callback::from(move |n: Notice| banner.set(Some(n)))
    };
    html! {
        <div class="kx-ed-desk">
            <Toolbar desk={d.clone()} {on_published} on_load={on_load.clone()} on_import={p.on_import.clone()} {on_notice} />
            { notice(&banner) }
            <div class="kx-ed-body">
                <div class="kx-ed-main">
                    { tabs(&s, d, &dispatch) }
                    { shown_tab(&s, d, &dispatch, &sim) }
                    <Problems check={d.check.clone()} stale={d.current_check().is_none()}
                        on_goto={dispatch.to_callback().reform(|(f, l, c)| Msg::Goto(f, l, c))} />
                </div>
                <History key={*history} texts={d.texts.clone()} {on_load} />
            </div>
        </div>
    }
}

/// After each edit: keep the texts in the browser at once, and have the engine check
/// them (and run the cases) once typing pauses.
#[hook]
fn use_check_and_keep(desk: &UseReducerHandle<DeskState>, save: SaveKey, lang: kexie_engine::text::Lang) {
    let texts = desk.texts.clone();
    let dispatch = desk.dispatcher();
    use_effect_with(texts.revision, move |_| {
        if texts.dirty() {
            save.save(texts.base.as_ref().map(|b| b.version), &texts.bundle);
        } else {
            save.forget();
        }
        let wait = if texts.revision == 0 { 0 } else { CHECK_AFTER_MS };
        let timer = Timeout::new(wait, move || {
            let clock = gloo::utils::window().performance();
            let started = clock.as_ref().map_or(0.0, |c| c.now());
            let check = Check::of(&texts.bundle, texts.revision, lang);
            let took_ms = clock.map_or(0.0, |c| c.now() - started);
            dispatch.dispatch(Msg::Checked(Rc::new(Check { took_ms, ..check })));
        });
        move || drop(timer)
    });
}

#[derive(Properties, PartialEq)]
struct ToolbarProps {
    desk: DeskState,
    on_published: Callback<(Rc<kexie_api::VersionBundle>, String)>,
    on_load: Callback<(Rc<Bundle>, String)>,
    on_import: Callback<(String, Bundle)>,
    on_notice: Callback<Notice>,
}

/// The workflow's name and state, and what can be done with it.
#[function_component]
fn Toolbar(p: &ToolbarProps) -> Html {
    let s = use_session();
    let publishing = use_state(|| false);
    let discarding = use_state(|| false);
    let d = &p.desk;
    let texts = &d.texts;
    let check = d.current_check();
    let ready = texts.dirty() && check.is_some_and(Check::clean);
    let state = match (&texts.base, texts.dirty()) {
        (None, _) => s.t("尚未发布", "Never published").to_string(),
        (Some(b), false) => format!("{}{}", version_label(&s, b.version), s.t("，与已发布内容相同", ", as published")),
        (Some(b), true) => {
            format!("{}{}", version_label(&s, b.version), s.t("，有未发布的修改", ", with unpublished edits"))
        }
    };
    let why_not = match check {
        _ if !texts.dirty() => s.t("没有修改，无需发布", "Nothing changed"),
        None => s.t("正在检查…", "Checking…"),
        Some(v) if !v.diagnostics.is_empty() => s.t("请先改正下方列出的问题", "Fix the problems listed below first"),
        Some(v) if !v.clean() => s.t("有案例未通过，请先改正", "Some cases fail; fix them first"),
        Some(_) => "",
    };
    let toggle = |h: &UseStateHandle<bool>| {
        let h = h.clone();
        Callback::from(move |_| h.set(!*h))
    };
    let on_close = {
        let publishing = publishing.clone();
        Callback::from(move |_: ()| publishing.set(false))
    };
    let discard = {
        let (on_load, discarding) = (p.on_load.clone(), discarding.clone());
        let base = texts.base.as_ref().map(|b| Rc::new(b.bundle.clone())).unwrap_or_default();
        let message = s.t("已放弃修改，恢复为已发布的内容。", "Edits discarded; the published texts are back.");
        Callback::from(move |_| {
            discarding.set(false);
            on_load.emit((base.clone(), message.into()));
        })
    };
    html! {
        <>
            <div class="kx-ed-bar">
                <div class="kx-ed-state">
                    <strong>{ texts.key.clone() }</strong>
                    <span class="kx-muted">{ state }</span>
                </div>
                <span class="kx-spacer"></span>
                <ImportButton on_import={p.on_import.clone()} on_notice={p.on_notice.clone()} />
                <ExportButton texts={texts.clone()} on_notice={p.on_notice.clone()} />
                if texts.dirty() && texts.base.is_some() {
                    <button type="button" class="kx-btn" onclick={toggle(&discarding)}>{ s.t("放弃修改", "Discard edits") }</button>
                }
                <button type="button" class="kx-btn kx-btn-primary" disabled={!ready} title={why_not}
                    onclick={toggle(&publishing)}>{ s.t("发布…", "Publish…") }</button>
            </div>
            if *discarding {
                <div class="kx-panel kx-ed-confirm" role="alertdialog" aria-label={s.t("放弃修改", "Discard edits")}>
                    <p>{ s.t("放弃全部未发布的修改？此操作无法撤销。", "Discard every unpublished edit? This cannot be undone.") }</p>
                    <div class="kx-actions">
                        <button type="button" class="kx-btn kx-btn-danger" onclick={discard}>{ s.t("放弃修改", "Discard edits") }</button>
                        <button type="button" class="kx-btn" onclick={toggle(&discarding)}>{ s.t("取消", "Cancel") }</button>
                    </div>
                </div>
            }
            if *publishing && ready {
                <PublishPanel texts={texts.clone()} on_published={p.on_published.clone()} {on_close} />
            }
        </>
    }
}

/// "Version 3".
pub fn version_label(s: &Session, version: i64) -> String {
    match s.lang {
        kexie_engine::text::Lang::Zh => format!("第 {version} 版"),
        kexie_engine::text::Lang::En => format!("version {version}"),
    }
}

/// The tabs: the two files, the cases, the preview, the reports, the diff.
fn tabs(s: &Session, d: &DeskState, dispatch: &UseReducerDispatcher<DeskState>) -> Html {
    let first_case = d.texts.bundle.case_files().next().map(|(n, _)| format!("cases/{n}"));
    let on_cases = matches!(&d.tab, Tab::File(f) if f.starts_with("cases/"));
    let problems_in = |prefix: &str| {
        d.check.as_ref().map_or(0, |v| v.diagnostics.iter().filter(|x| x.file.starts_with(prefix)).count())
    };
    let tab = |label: String, to: Option<Tab>, on: bool, bad: usize| {
        let dispatch = dispatch.clone();
        let onclick = Callback::from(move |_| {
            if let Some(t) = to.clone() {
                dispatch.dispatch(Msg::Show(t))
            }
        });
        let mark = (bad > 0).then(|| html! { <span class="kx-ed-bad">{ bad }</span> });
        html! {
            <button type="button" role="tab" class={classes!("kx-ed-tab", on.then_some("kx-ed-tab-on"))}
                aria-selected={on.to_string()} {onclick}>{ label }{ mark.unwrap_or_default() }</button>
        }
    };
    let cases_label = format!("{}（{}）", s.t("案例", "Cases"), d.texts.bundle.case_files().count());
    html! {
        <div class="kx-ed-tabs" role="tablist">
            { tab(s.t("表单", "Form").into(), Some(Tab::Form), d.tab == Tab::Form, 0) }
            { tab(s.t("流程", "Route").into(), Some(Tab::Route), d.tab == Tab::Route, 0) }
            { tab(DEFINITION.into(), Some(Tab::File(DEFINITION.into())), d.tab == Tab::File(DEFINITION.into()), problems_in(DEFINITION)) }
            { tab(RULES.into(), Some(Tab::File(RULES.into())), d.tab == Tab::File(RULES.into()), problems_in(RULES)) }
            { tab(cases_label, first_case.map(Tab::File), on_cases, problems_in("cases/")) }
            { tab(s.t("预览", "Preview").into(), Some(Tab::Preview), d.tab == Tab::Preview, 0) }
            { tab(s.t("报表", "Reports").into(), Some(Tab::Reports), d.tab == Tab::Reports, 0) }
            { tab(s.t("与已发布版本对比", "Compare with published").into(), Some(Tab::Diff), d.tab == Tab::Diff, 0) }
        </div>
    }
}

/// What the selected tab shows.
fn shown_tab(
    s: &Session,
    d: &DeskState,
    dispatch: &UseReducerDispatcher<DeskState>,
    sim: &UseReducerHandle<Sim>,
) -> Html {
    match &d.tab {
        Tab::File(file) => {
            let text = text_of(&d.texts.bundle, file).cloned().unwrap_or_default();
            let problems =
                d.check.as_ref().map(|v| v.diagnostics.iter().filter(|x| &x.file == file).cloned().collect());
            let reveal = d.reveal.clone().filter(|r| &r.file == file);
            let on_change = {
                let (dispatch, file) = (dispatch.clone(), file.clone());
                Callback::from(move |t: String| dispatch.dispatch(Msg::Edit(file.clone(), t)))
            };
            let editor = html! {
                <CodeEditor key={file.clone()} file={file.clone()} {text} loads={d.loads} problems={Rc::new(problems.unwrap_or_default())}
                    {reveal} {on_change} lang={s.lang} />
            };
            if file.starts_with("cases/") {
                html! { <div class="kx-ed-cases">{ case_list(d, dispatch, file) }{ editor }</div> }
            } else {
                editor
            }
        }
        Tab::Route => html! { <RouteDesigner bundle={d.texts.bundle.clone()} on_change={designed(d, dispatch)} /> },
        Tab::Form => {
            let on_change = designed(d, dispatch);
            let live = d.check.as_ref().and_then(|v| v.compiled.clone()).map(|wf| {
                html! {
                    <Preview wf={kexie_widget::form::Shared(wf)} bundle={d.texts.bundle.clone()} sim={sim.clone()}
                        on_record={dispatch.to_callback().reform(|(name, text)| Msg::AddCase(name, text))} />
                }
            });
            html! {
                <div class="kx-dz-desk">
                    <FormDesigner bundle={d.texts.bundle.clone()} {on_change} />
                    <div class="kx-dz-live">
                        <h3 class="kx-section-title">{ s.t("员工看到的表单", "The form as employees see it") }</h3>
                        { live.unwrap_or_else(|| notice(&Some(Notice::Error(
                            s.t("流程有问题，暂时无法显示表单；请先改正下方列出的问题。", "The workflow has problems; fix those listed below to see the form.").into(),
                        )))) }
                    </div>
                </div>
            }
        }
        Tab::Preview => match d.check.as_ref().and_then(|v| v.compiled.clone()) {
            Some(wf) => html! {
                <Preview wf={kexie_widget::form::Shared(wf)} bundle={d.texts.bundle.clone()} sim={sim.clone()}
                    on_record={dispatch.to_callback().reform(|(name, text)| Msg::AddCase(name, text))} />
            },
            None => notice(&Some(Notice::Error(
                s.t(
                    "规则有问题，无法预览；请先改正下方列出的问题。",
                    "The workflow has problems and cannot be previewed; fix those listed below.",
                )
                .into(),
            ))),
        },
        Tab::Reports => match &d.check {
            Some(check) => crate::reports::reports(s, check, &d.texts.bundle),
            None => kexie_widget::views::loading(s.lang),
        },
        Tab::Diff => diff(s, &d.texts),
    }
}

/// The case files, each marked passed or failed.
/// Where a designer's change goes: an edit of workflow.toml, or, when a rename changed
/// the rules and cases too, a load of every text into its editor.
fn designed(d: &DeskState, dispatch: &UseReducerDispatcher<DeskState>) -> Callback<Bundle> {
    let (dispatch, now) = (dispatch.clone(), d.texts.bundle.clone());
    Callback::from(move |b: Bundle| {
        dispatch.dispatch(if b.rules_rhai == now.rules_rhai && b.cases == now.cases {
            Msg::Edit(DEFINITION.into(), b.workflow_toml)
        } else {
            Msg::Load(Rc::new(b))
        })
    })
}

fn case_list(d: &DeskState, dispatch: &UseReducerDispatcher<DeskState>, open: &str) -> Html {
    let check = d.check.as_deref();
    let item = |name: &String| {
        let file = format!("cases/{name}");
        let failed = check.and_then(|v| v.cases.iter().find(|(f, _)| *f == file)).map(|(_, r)| !r.passed());
        let mark = match failed {
            Some(true) => html! { <span class="kx-ed-fail" aria-label="failed">{ "✗" }</span> },
            Some(false) => html! { <span class="kx-ed-pass" aria-label="passed">{ "✓" }</span> },
            None => Html::default(),
        };
        let on = file == open;
        let dispatch = dispatch.clone();
        let onclick = Callback::from(move |_| dispatch.dispatch(Msg::Show(Tab::File(file.clone()))));
        html! {
            <li><button type="button" class={classes!("kx-ed-case", on.then_some("kx-ed-case-on"))}
                aria-current={on.then_some("true")} {onclick}>{ mark }{ name.clone() }</button></li>
        }
    };
    html! { <ul class="kx-ed-caselist">{ for d.texts.bundle.cases.keys().map(item) }</ul> }
}

/// The published texts beside the edited ones, for each file that changed.
fn diff(s: &Session, texts: &Texts) -> Html {
    let empty = Bundle::default();
    let published = texts.base.as_ref().map_or(&empty, |b| &b.bundle);
    let (before, after) = (published.files(), texts.bundle.files());
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    let changed: Vec<Html> = names
        .into_iter()
        .filter(|n| before.get(*n) != after.get(*n))
        .map(|n| {
            let (a, b) = (before.get(n).cloned().unwrap_or_default(), after.get(n).cloned().unwrap_or_default());
            html! {
                <section class="kx-ed-diff">
                    <h3 class="kx-section-title">{ n.clone() }</h3>
                    <Diff file={n.clone()} published={a} edited={b} lang={s.lang} />
                </section>
            }
        })
        .collect();
    if changed.is_empty() {
        return html! { <p class="kx-ed-empty">{ s.t("与已发布的版本没有差别。", "No difference from the published version.") }</p> };
    }
    let legend = s.t("左侧为已发布的内容，右侧为您的修改。", "Left: as published. Right: your edits.");
    html! { <div><p class="kx-hint">{ legend }</p>{ for changed }</div> }
}
