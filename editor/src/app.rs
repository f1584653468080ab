//! The editor's root: who is signed in (administrators only), the workflows, and the one
//! open in the desk with its edits restored from the browser if there are any.

use std::rc::Rc;

use js_sys::Function;
use kexie_api::WorkflowSummary;
use kexie_engine::bundle::Bundle;
use kexie_engine::text::Lang;
use kexie_widget::api::{Client, Failure};
use kexie_widget::app::{Session, use_me};
use kexie_widget::i18n::{moment_ms, pick, t};
use kexie_widget::views::{Notice, loading, notice};
use web_sys::Element;
use yew::prelude::*;

use crate::desk::Desk;
use crate::local::SaveKey;
use crate::state::Texts;
use kexie_api::{VersionBundle, VersionSummary};

/// What the widget handed over.
#[derive(Properties)]
pub struct Setup {
    pub api: String,
    pub token: String,
    pub refresh: Option<Function>,
    pub workflow: Option<String>,
    pub lang: Lang,
    pub host: Element,
}

impl PartialEq for Setup {
    fn eq(&self, _: &Self) -> bool {
        true // Mounted once; the widget mounts again to change it.
    }
}

#[function_component]
pub fn RuleEditor(setup: &Setup) -> Html {
    let client = use_memo((), |_| Client::new(&setup.api, setup.token.clone(), setup.refresh.clone()));
    let me = use_me(&client);
    let l = setup.lang;
    let me = match &*me {
        None => return loading(l),
        Some(Err(f)) => return notice(&Some(Notice::Error(f.explain(l)))),
        Some(Ok(me)) if !me.admin => {
            let refused = t(l, "只有管理员可以打开规则编辑器。", "Only administrators can open the rule editor.");
            return notice(&Some(Notice::Error(refused.into())));
        }
        Some(Ok(me)) => me.clone(),
    };
    let session = Session {
        client: (*client).clone(),
        me,
        lang: l,
        host: setup.host.clone(),
        people: None,
        uid: 9000, // One editor per page; clear of the widgets' own numbers.
        go: Callback::noop(),
    };
    html! {
        <ContextProvider<Session> context={session}>
            <Workflows first={setup.workflow.clone()} />
        </ContextProvider<Session>>
    }
}

#[derive(Properties, PartialEq)]
struct WorkflowsProps {
    first: Option<String>,
}

/// A workflow opened: its edits and what to tell about them.
struct Opened {
    texts: Texts,
    notice: Option<Notice>,
    /// Tells one opening from the next (an import reopens the same workflow).
    turn: u32,
}

/// The workflow list and the open workflow.
#[function_component]
fn Workflows(p: &WorkflowsProps) -> Html {
    let s = kexie_widget::app::use_session();
    let selected = use_state(|| p.first.clone());
    // An imported file waiting for its workflow to open.
    let imported = use_mut_ref(|| None::<(String, Pending)>);
    let opened = use_state(|| None::<Result<Rc<Opened>, Failure>>);
    // Bumped after a publish: a new workflow joins the list, a title may have changed.
    let listed = use_state(|| 0u32);
    let list = use_workflow_list(*listed, &selected);
    let open_now = use_open(&opened);
    {
        let (imported, open_now) = (imported.clone(), open_now.clone());
        use_effect_with((*selected).clone(), move |key| {
            if let Some(key) = key.clone() {
                let pending = imported.borrow_mut().take().filter(|(k, _)| *k == key).map(|(_, b)| b);
                open_now(key, pending);
            }
        });
    }
    let arrive = {
        let (selected, imported) = (selected.clone(), imported.clone());
        move |created: bool| {
            let (selected, imported, open_now) = (selected.clone(), imported.clone(), open_now.clone());
            Callback::from(move |(key, bundle): (String, Bundle)| {
                let pending = Pending { bundle, created };
                if selected.as_deref() == Some(key.as_str()) {
                    // Same workflow: open it again with the file's texts as the edits.
                    open_now(key, Some(pending));
                } else {
                    *imported.borrow_mut() = Some((key.clone(), pending));
                    selected.set(Some(key));
                }
            })
        }
    };
    let (on_import, on_create) = (arrive(false), arrive(true));
    let l = s.lang;
    let choices = match &*list {
        None => loading(l),
        Some(Err(f)) => notice(&Some(Notice::Error(f.explain(l)))),
        Some(Ok(all)) => html! {
            <>{ chooser(&s, all, &selected) }<crate::create::NewWorkflow all={all.clone()} {on_create} /></>
        },
    };
    let desk = match &*opened {
        None if selected.is_none() => Html::default(),
        None => loading(l),
        Some(Err(f)) => notice(&Some(Notice::Error(f.explain(l)))),
        Some(Ok(o)) => {
            let key = format!("{}:{}", o.texts.key, o.turn);
            let on_published = {
                let listed = listed.clone();
                Callback::from(move |_| listed.set(*listed + 1))
            };
            html! {
                <Desk {key} texts={o.texts.clone()} opened={o.notice.clone()} on_import={on_import.clone()} {on_published} />
            }
        }
    };
    html! {
        <div class="kx-ed" lang={if l == Lang::Zh { "zh-CN" } else { "en" }}>
            <div class="kx-ed-head">
                <h2 class="kx-title">{ t(l, "规则编辑器", "Rule editor") }</h2>
                <crate::deliveries::Deliveries />
                { choices }
            </div>
            { desk }
        </div>
    }
}

/// Texts to open a workflow with instead of its published ones: an imported file's, or a
/// template's (`created`).
pub struct Pending {
    pub bundle: Bundle,
    pub created: bool,
}

type Listed = Option<Result<Rc<Vec<WorkflowSummary>>, Failure>>;

/// The workflows, fetched again whenever `listed` moves; the first is selected when none is.
#[hook]
fn use_workflow_list(listed: u32, selected: &UseStateHandle<Option<String>>) -> UseStateHandle<Listed> {
    let s = kexie_widget::app::use_session();
    let list = use_state(|| None);
    let (out, client, selected) = (list.clone(), s.client.clone(), selected.clone());
    use_effect_with(listed, move |_| {
        wasm_bindgen_futures::spawn_local(async move {
            let got = client.get::<Vec<WorkflowSummary>>("/workflows").await.map(Rc::new);
            if let (Ok(all), None) = (&got, &*selected) {
                selected.set(all.first().map(|w| w.key.clone()));
            }
            list.set(Some(got));
        });
    });
    out
}

/// Opening a workflow (with an imported file's texts, if given) into `opened`; only the
/// latest opening lands (a quick second choice must not be overwritten by the first
/// one's slower answer).
#[hook]
fn use_open(opened: &UseStateHandle<Option<Result<Rc<Opened>, Failure>>>) -> Rc<dyn Fn(String, Option<Pending>)> {
    let s = kexie_widget::app::use_session();
    let opening = use_mut_ref(|| 0u32);
    let opened = opened.clone();
    Rc::new(move |key: String, pending: Option<Pending>| {
        let turn = {
            let mut n = opening.borrow_mut();
            *n += 1;
            *n
        };
        opened.set(None);
        let (opened, s, opening) = (opened.clone(), s.clone(), opening.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let got = open(&s, &key, pending).await.map(|(texts, notice)| Rc::new(Opened { texts, notice, turn }));
            if *opening.borrow() == turn {
                opened.set(Some(got));
            }
        });
    })
}

/// The workflow picker.
fn chooser(s: &Session, all: &[WorkflowSummary], selected: &UseStateHandle<Option<String>>) -> Html {
    let id = s.dom_id("ed-workflow");
    let onchange = {
        let selected = selected.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
            selected.set(Some(el.value()));
        })
    };
    html! {
        <div class="kx-ed-pick">
            <label for={id.clone()}>{ s.t("流程", "Workflow") }</label>
            <select {id} class="kx-input" {onchange}>
                { for all.iter().map(|w| html! {
                    <option value={w.key.clone()} selected={selected.as_deref() == Some(w.key.as_str())}>
                        { format!("{}（{}）", pick(s.lang, &w.title), w.key) }
                    </option>
                }) }
                // A workflow imported from a file, not on the server yet.
                if let Some(new) = selected.as_ref().filter(|k| !all.iter().any(|w| &w.key == *k)) {
                    <option value={new.clone()} selected=true>{ format!("{new}（{}）", s.t("新流程，尚未发布", "new, not yet published")) }</option>
                }
            </select>
        </div>
    }
}

/// The newest published version of `key`, with its texts; none before the first.
pub async fn newest(s: &Session, key: &str) -> Result<Option<VersionBundle>, Failure> {
    let versions = s.client.get::<Vec<VersionSummary>>(&format!("/workflows/{key}/versions")).await?;
    match versions.first() {
        Some(v) => Ok(Some(s.client.get(&format!("/workflows/{key}/versions/{}/bundle", v.version)).await?)),
        None => Ok(None),
    }
}

/// Opens `key`: its newest published texts, with the edits kept in this browser (or an
/// imported file's texts) on top.
async fn open(s: &Session, key: &str, imported: Option<Pending>) -> Result<(Texts, Option<Notice>), Failure> {
    let base = match newest(s, key).await {
        Ok(v) => v.map(Rc::new),
        // A workflow the server has never seen, from an imported file or a template.
        Err(Failure::Refused { status: 404, .. }) if imported.is_some() => None,
        Err(e) => return Err(e),
    };
    let save = SaveKey::new(s.client.base(), &s.me.id, key);
    let l = s.lang;
    let base_version = base.as_ref().map(|b| b.version);
    let (bundle, notice) = match (imported, save.load()) {
        (Some(Pending { bundle, created }), _) => {
            let note = match created {
                false => t(
                    l,
                    "已导入文件中的流程。检查、预览无误后即可发布。",
                    "The file was imported. Check and preview it, then publish.",
                ),
                true => t(
                    l,
                    "已新建流程，尚未发布：在「表单」「流程」中设计，检查和案例通过后即可发布。",
                    "The new workflow is not published yet: design it in Form and Route, then publish once the checks and cases pass.",
                ),
            };
            (bundle, Some(Notice::Info(note.into())))
        }
        (None, Some(saved)) if base.as_ref().is_none_or(|b| b.bundle != saved.bundle) => {
            let mut note = format!(
                "{}{}",
                t(l, "已恢复您尚未发布的修改，保存于 ", "Restored your unpublished edits, saved "),
                moment_ms(l, saved.saved_at)
            );
            if saved.base != base_version {
                note += &match l {
                    Lang::Zh => {
                        format!("。注意：这些修改基于第 {} 版，此后已发布了新版本，请先对比。", saved.base.unwrap_or(0))
                    }
                    Lang::En => format!(
                        ". Note: they were made on version {}, and a newer one has been published since; compare first.",
                        saved.base.unwrap_or(0)
                    ),
                };
            }
            (saved.bundle, Some(Notice::Info(note)))
        }
        _ => (base.as_ref().map(|b| b.bundle.clone()).unwrap_or_default(), None),
    };
    let texts = Texts { key: key.to_string(), base, bundle: Rc::new(bundle), revision: 0 };
    Ok((texts, notice))
}
