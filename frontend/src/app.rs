//! The widget's root: who is signed in, which view shows, the language, and the
//! [`Session`] every view reads from context.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Function;
use kexie_engine::Workflow;
use kexie_engine::definition::{Field, Source};
use kexie_engine::text::Lang;
use web_sys::Element;
use yew::prelude::*;

use crate::api::{Client, Failure};
use crate::events::emit;
use crate::i18n::t;
use crate::views::{
    EditorHost, Inbox, InstancePage, Notice, REPORTS_FIRST_PATH, Reports, StartPage, inbox_first_path,
    instance_first_paths, loading, notice,
};
use kexie_api::{Me, WorkflowVersion};

/// Where the widget is.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// The form for starting a workflow.
    Start(String),
    /// One instance.
    Instance(String),
    /// My tasks, what I started, what was copied to me, what I may start.
    Inbox,
    /// The rule editor (administrators), opened at a workflow if one is named.
    Editor(Option<String>),
    /// 统计分析: the reports the caller may open.
    Reports,
}

impl Route {
    /// What the route's page asks for first: sent beside `/me` as the widget mounts, instead
    /// of after it (each round trip in sequence is 15–35 ms of a cold load).
    fn first_paths(&self) -> Vec<String> {
        match self {
            Route::Start(key) => vec![workflow_path(key, None)],
            Route::Instance(id) => instance_first_paths(id).into(),
            Route::Inbox => vec![inbox_first_path()],
            Route::Reports => vec![REPORTS_FIRST_PATH.into()],
            Route::Editor(_) => Vec::new(),
        }
    }
}

/// What the host configured.
pub struct Setup {
    pub api: String,
    pub token: String,
    pub refresh: Option<Function>,
    pub route: Route,
    pub lang: Lang,
    pub people: Option<Function>,
    /// The element the host mounted into: events are sent from it.
    pub host: Element,
}

/// What every view needs: the client, who is signed in, the language, where to go.
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    pub me: Rc<Me>,
    pub lang: Lang,
    pub host: Element,
    pub people: Option<Function>,
    /// Unique per mounted widget, so DOM ids of two widgets on one page never clash.
    pub uid: u32,
    pub go: Callback<Route>,
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.client == other.client && self.me == other.me && self.lang == other.lang && self.uid == other.uid
    }
}

impl Session {
    /// Chooses between the two languages.
    pub fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        t(self.lang, zh, en)
    }

    /// A DOM id unique on the page.
    pub fn dom_id(&self, local: &str) -> AttrValue {
        format!("kx{}-{local}", self.uid).into()
    }
}

#[derive(Properties)]
pub struct AppProps {
    pub setup: Setup,
}

impl PartialEq for AppProps {
    fn eq(&self, _: &Self) -> bool {
        true // Mounted once; the host remounts to change the config.
    }
}

/// A workflow compiled for this page, with its fields ready to hand to components.
pub struct Compiled {
    pub wf: Workflow,
    pub fields: Vec<Rc<Field>>,
}

impl Compiled {
    pub fn new(wf: Workflow) -> Compiled {
        let fields = wf.definition.fields.iter().cloned().map(Rc::new).collect();
        Compiled { wf, fields }
    }
}

thread_local! {
    static NEXT_UID: Cell<u32> = const { Cell::new(1) };
    static WORKFLOWS: RefCell<HashMap<(String, i64), Rc<Compiled>>> = RefCell::new(HashMap::new());
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    let setup = &props.setup;
    let client = use_memo((), |_| {
        let client = Client::new(&setup.api, setup.token.clone(), setup.refresh.clone());
        for path in setup.route.first_paths() {
            client.ask_early(&path);
        }
        client
    });
    let uid = use_memo((), |_| NEXT_UID.with(|n| n.replace(n.get() + 1)));
    let me = use_me(&client);
    let route = use_state(|| setup.route.clone());
    let lang = use_state(|| setup.lang);
    let l = *lang;
    {
        // A token refused as the widget loads: the host hears it, as it hears any failure.
        let refused = me.as_ref().and_then(|r| r.as_ref().err()).map(|f| (f.code(), f.explain(l)));
        let host = setup.host.clone();
        use_effect_with(refused, move |refused| {
            if let Some((code, message)) = refused {
                emit(&host, "error", &serde_json::json!({ "code": code, "message": message }));
            }
        });
    }
    let me = match &*me {
        None => return loading(l),
        Some(Err(f)) => return notice(&Some(Notice::Error(f.explain(l)))),
        Some(Ok(me)) => me.clone(),
    };
    let session = Session {
        client: (*client).clone(),
        me,
        lang: l,
        host: setup.host.clone(),
        people: setup.people.clone(),
        uid: *uid,
        go: {
            let route = route.clone();
            Callback::from(move |r| route.set(r))
        },
    };
    let at_home = *route == setup.route;
    let back = (!at_home && matches!(setup.route, Route::Inbox | Route::Reports)).then(|| {
        let (go, home) = (session.go.clone(), setup.route.clone());
        let label = if home == Route::Reports {
            t(l, "← 返回统计分析", "← Back to the reports")
        } else {
            t(l, "← 返回列表", "← Back to the list")
        };
        html! { <button type="button" class="kx-link" onclick={move |_| go.emit(home.clone())}>{ label }</button> }
    });
    let switch = {
        let lang = lang.clone();
        let other = if l == Lang::Zh { Lang::En } else { Lang::Zh };
        Callback::from(move |_| lang.set(other))
    };
    let view = match &*route {
        Route::Start(key) => html! { <StartPage key={key.clone()} workflow={key.clone()} /> },
        Route::Instance(id) => html! { <InstancePage key={id.clone()} id={id.clone()} /> },
        Route::Inbox => html! { <Inbox /> },
        Route::Editor(key) => html! { <EditorHost workflow={key.clone()} /> },
        Route::Reports => Html::default(),
    };
    // The dashboard stays mounted while an instance opened from it is shown, so that 返回
    // finds the tab, the narrowing and the list behind a figure as they were left.
    let reports = (setup.route == Route::Reports || *route == Route::Reports)
        .then(|| html! { <div class="kx-keep" hidden={*route != Route::Reports}><Reports /></div> });
    html! {
        <ContextProvider<Session> context={session}>
            <div class="kx-app" lang={if l == Lang::Zh { "zh-CN" } else { "en" }}>
                <div class="kx-topbar">
                    { back.unwrap_or_default() }
                    <span class="kx-spacer"></span>
                    <button type="button" class="kx-link kx-lang" onclick={switch}
                        aria-label={t(l, "Switch to English", "切换到中文")}>{ t(l, "English", "中文") }</button>
                </div>
                { reports.unwrap_or_default() }
                { view }
            </div>
        </ContextProvider<Session>>
    }
}

/// Who is signed in (`GET /me`), once the server has said.
#[hook]
pub fn use_me(client: &Client) -> UseStateHandle<Option<Result<Rc<Me>, Failure>>> {
    let me = use_state(|| None::<Result<Rc<Me>, Failure>>);
    {
        let (me, client) = (me.clone(), client.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { me.set(Some(client.get::<Me>("/me").await.map(Rc::new))) });
        });
    }
    me
}

/// The session from context (every view sits under [`App`]).
#[hook]
pub fn use_session() -> Session {
    use_context::<Session>().expect("views render inside App")
}

fn workflow_path(key: &str, version: Option<u32>) -> String {
    match version {
        Some(v) => format!("/workflows/{key}/versions/{v}"),
        None => format!("/workflows/{key}"),
    }
}

/// A published version of a workflow, compiled once per page and shared.
pub async fn workflow(client: &Client, key: &str, version: Option<u32>) -> Result<Rc<Compiled>, Failure> {
    let path = workflow_path(key, version);
    if let Some(v) = version
        && let Some(wf) = WORKFLOWS.with(|w| w.borrow().get(&(key.to_string(), i64::from(v))).cloned())
    {
        return Ok(wf);
    }
    let src: WorkflowVersion = client.get(&path).await?;
    let rules = Source { name: "rules.rhai", text: &src.rules_rhai };
    let wf = Workflow::from_definition(src.definition, &rules).map_err(|d| Failure::Garbled(d.to_string()))?;
    let wf = Rc::new(Compiled::new(wf));
    WORKFLOWS.with(|w| w.borrow_mut().insert((src.key, src.version), wf.clone()));
    Ok(wf)
}
