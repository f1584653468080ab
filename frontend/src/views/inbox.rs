//! The inbox: my tasks with overdue marks, what I started with its current step, what
//! was copied to me, and the workflows I may start.

use yew::prelude::*;

use super::export::ExportButtons;
use super::status::{Notice, loading, notice, status_label};
use crate::api::use_answer;
use crate::app::{Route, Session, use_session};
use crate::i18n::{date, moment, pick};
use kexie_api::{ListPage, WorkflowSummary};

const PER_PAGE: i64 = 10;

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Tasks,
    Started,
    Cc,
    New,
}

impl Tab {
    fn path(self) -> &'static str {
        match self {
            Tab::Tasks => "/tasks",
            Tab::Started => "/started",
            Tab::Cc => "/cc",
            Tab::New => "/workflows",
        }
    }

    fn label(self, s: &Session) -> &'static str {
        match self {
            Tab::Tasks => s.t("我的待办", "My tasks"),
            Tab::Started => s.t("我发起的", "Started by me"),
            Tab::Cc => s.t("抄送我的", "Copied to me"),
            Tab::New => s.t("发起流程", "Start a workflow"),
        }
    }
}

fn list_path(tab: Tab, page: i64) -> String {
    format!("{}?page={page}&per_page={PER_PAGE}", tab.path())
}

/// What the inbox asks for first: the first page of 我的待办.
pub fn first_path() -> String {
    list_path(Tab::Tasks, 1)
}

#[derive(Clone, PartialEq)]
enum Content {
    List(ListPage),
    Workflows(Vec<WorkflowSummary>),
}

#[function_component]
pub fn Inbox() -> Html {
    let s = use_session();
    let tab = use_state(|| Tab::Tasks);
    let page = use_state(|| 1i64);
    let content = use_answer((*tab, *page), {
        let s = s.clone();
        move |&(tab, page)| async move {
            match tab {
                Tab::New => s.client.get::<Vec<WorkflowSummary>>(tab.path()).await.map(Content::Workflows),
                _ => s.client.get::<ListPage>(&list_path(tab, page)).await.map(Content::List),
            }
        }
    });
    let tabs = [Tab::Tasks, Tab::Started, Tab::Cc, Tab::New].map(|t| {
        let on = *tab == t;
        let (tab, page) = (tab.clone(), page.clone());
        let select = Callback::from(move |_| {
            tab.set(t);
            page.set(1);
        });
        html! {
            <button type="button" role="tab" class={classes!("kx-tab", on.then_some("kx-tab-on"))}
                aria-selected={on.to_string()} onclick={select}>{ t.label(&s) }</button>
        }
    });
    let body = match &*content {
        None => loading(s.lang),
        Some(Err(f)) => notice(&Some(Notice::Error(f.explain(s.lang)))),
        Some(Ok(Content::Workflows(list))) => workflows(&s, list),
        Some(Ok(Content::List(list))) => rows(&s, *tab, list, &page),
    };
    html! {
        <section class="kx-page kx-inbox">
            <div class="kx-tabs" role="tablist" aria-label={s.t("工作列表", "Work lists")}>{ for tabs }</div>
            <div class="kx-tabpanel" role="tabpanel">{ body }</div>
        </section>
    }
}

fn rows(s: &Session, tab: Tab, list: &ListPage, page: &UseStateHandle<i64>) -> Html {
    if list.items.is_empty() {
        let empty = match tab {
            Tab::Tasks => s.t("暂无待办事项。", "Nothing to do."),
            Tab::Started => s.t("您还没有发起过流程。", "You have not started anything yet."),
            _ => s.t("暂无抄送给您的流程。", "Nothing was copied to you."),
        };
        return html! { <p class="kx-empty-list">{ empty }</p> };
    }
    let on_page = {
        let page = page.clone();
        Callback::from(move |to| page.set(to))
    };
    let name = tab.label(s);
    html! {
        <>
            <div class="kx-list-tools"><ExportButtons path={format!("{}?", tab.path())} name={name} /></div>
            { list_page(s, list, on_page) }
        </>
    }
}

/// A page of a list: each row opens its instance; the pager asks `on_page` for another.
pub(super) fn list_page(s: &Session, list: &ListPage, on_page: Callback<i64>) -> Html {
    let pages = (list.total + list.per_page - 1) / list.per_page.max(1);
    let go = |to: i64| {
        let on_page = on_page.clone();
        Callback::from(move |_| on_page.emit(to))
    };
    html! {
        <>
            <ul class="kx-list">
                { for list.items.iter().map(|r| {
                    let open = { let (go, id) = (s.go.clone(), r.id.clone()); Callback::from(move |_| go.emit(Route::Instance(id.clone()))) };
                    let step = r.step_label.as_ref().map(|l| pick(s.lang, l)).unwrap_or_else(|| r.step.clone());
                    html! {
                        <li class="kx-row">
                            <button type="button" class="kx-row-open" onclick={open}>
                                <span class="kx-row-title">
                                    { pick(s.lang, &r.title) }
                                    if let Some(sum) = &r.summary { <span class="kx-row-summary">{ pick(s.lang, sum) }</span> }
                                </span>
                                <span class="kx-row-meta">
                                    <span class={classes!("kx-badge", format!("kx-status-{}", r.status))}>{ status_label(s.lang, &r.status, r.returned) }</span>
                                    if r.status == "running" || r.status == "draft" { <span>{ step }</span> }
                                    <span>{ s.t("发起人：", "By ") }{ r.initiator.name.clone() }</span>
                                    <span>{ moment(s.lang, &r.updated_at) }</span>
                                    if let Some(due) = &r.due_at { <span>{ s.t("期限 ", "Due ") }{ date(s.lang, due) }</span> }
                                    if r.overdue { <span class="kx-badge kx-overdue">{ s.t("已逾期", "Overdue") }</span> }
                                </span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
            if pages > 1 {
                <nav class="kx-pager" aria-label={s.t("翻页", "Pages")}>
                    <button type="button" class="kx-btn" disabled={list.page <= 1} onclick={go(list.page - 1)}>{ s.t("上一页", "Previous") }</button>
                    <span>{ format!("{} / {pages}", list.page) }</span>
                    <button type="button" class="kx-btn" disabled={list.page >= pages} onclick={go(list.page + 1)}>{ s.t("下一页", "Next") }</button>
                </nav>
            }
        </>
    }
}

fn workflows(s: &Session, list: &[WorkflowSummary]) -> Html {
    let mine: Vec<&WorkflowSummary> = list.iter().filter(|w| w.can_start).collect();
    if mine.is_empty() {
        return html! { <p class="kx-empty-list">{ s.t("您当前没有可发起的流程。", "There is nothing you may start.") }</p> };
    }
    html! {
        <ul class="kx-list">
            { for mine.into_iter().map(|w| {
                let open = { let (go, key) = (s.go.clone(), w.key.clone()); Callback::from(move |_| go.emit(Route::Start(key.clone()))) };
                html! {
                    <li class="kx-row">
                        <button type="button" class="kx-row-open" onclick={open}>
                            <span class="kx-row-title">{ pick(s.lang, &w.title) }</span>
                            if let Some(d) = &w.description { <span class="kx-row-meta">{ pick(s.lang, d) }</span> }
                        </button>
                    </li>
                }
            }) }
        </ul>
    }
}
