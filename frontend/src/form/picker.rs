//! Person and department pickers: a combobox that searches the host's directory (the
//! host's `people` callback when it gave one, else the server's directory).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use kexie_engine::definition::FieldKind;
use kexie_engine::text::Lang;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use super::InputProps;
use crate::app::{Session, use_session};
use kexie_api::{DirectoryPage, Person};

thread_local! {
    static NAMES: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    /// Ids already asked of the directory, named or not: asked once a page.
    static ASKED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Remembers a person's name for display.
pub fn remember(id: &str, name: &str) {
    if !name.is_empty() {
        NAMES.with(|n| n.borrow_mut().insert(id.to_string(), name.to_string()));
    }
}

/// A person's name as far as it is known; never their id (a login id means nothing to
/// the people reading the form).
pub fn name_of(lang: Lang, id: &str) -> String {
    known(id).unwrap_or_else(|| crate::i18n::t(lang, "未知人员", "Unknown person").to_string())
}

/// `names` and every name remembered so far: what a form or a history shows people by.
pub fn with_remembered(names: &super::Names) -> super::Names {
    let mut all = names.clone();
    NAMES.with(|n| all.extend(n.borrow().iter().map(|(k, v)| (k.clone(), v.clone()))));
    all
}

/// Asks the directory for the names of `ids` not known yet (one request for all of
/// them), and renders again once they are: a restored draft, a table's people, a
/// history's old values all show names. Departments are their own names.
/// Returns how many times names arrived, to recompute what shows them.
#[hook]
pub fn use_names(ids: Vec<String>) -> u32 {
    let s = use_session();
    let arrived = use_state(|| 0u32);
    let count = *arrived;
    use_effect_with(ids, move |ids| {
        let missing: Vec<String> = ASKED.with(|asked| {
            let mut asked = asked.borrow_mut();
            ids.iter().filter(|id| known(id).is_none() && asked.insert((*id).clone())).cloned().collect()
        });
        if !missing.is_empty() {
            wasm_bindgen_futures::spawn_local(async move {
                let q: String = js_sys::encode_uri_component(&missing.join(",")).into();
                let found = s.client.get::<DirectoryPage>(&format!("/directory?ids={q}&limit=200")).await;
                for p in found.map(|page| page.people).unwrap_or_default() {
                    remember(&p.id, &p.name);
                }
                arrived.set(*arrived + 1);
            });
        }
    });
    count
}

/// The name remembered for `id`, if any.
pub fn known(id: &str) -> Option<String> {
    NAMES.with(|n| n.borrow().get(id).cloned())
}

/// People (or departments) matching `query`; only people holding `role` if given.
pub async fn search(s: &Session, kind: FieldKind, role: Option<&str>, query: &str) -> Vec<Person> {
    let kind_name = if kind == FieldKind::Department { "department" } else { "person" };
    let found = match &s.people {
        Some(f) => from_host(f, query, kind_name, role).await,
        None => from_server(s, kind, role, query).await,
    };
    for p in &found {
        remember(&p.id, &p.name);
    }
    found
}

async fn from_host(f: &js_sys::Function, query: &str, kind: &str, role: Option<&str>) -> Vec<Person> {
    let role = role.map_or(wasm_bindgen::JsValue::UNDEFINED, Into::into);
    let Ok(out) = f.call3(&wasm_bindgen::JsValue::NULL, &query.into(), &kind.into(), &role) else { return Vec::new() };
    let out = match out.dyn_into::<js_sys::Promise>() {
        Ok(p) => JsFuture::from(p).await.unwrap_or_default(),
        Err(v) => v,
    };
    let json = js_sys::JSON::stringify(&out).ok().and_then(|s| s.as_string()).unwrap_or_default();
    serde_json::from_str(&json).unwrap_or_default()
}

async fn from_server(s: &Session, kind: FieldKind, role: Option<&str>, query: &str) -> Vec<Person> {
    let q: String = js_sys::encode_uri_component(query).into();
    let role = role.map(|r| format!("&role={}", String::from(js_sys::encode_uri_component(r)))).unwrap_or_default();
    let page: DirectoryPage = s.client.get(&format!("/directory?q={q}&limit=20{role}")).await.unwrap_or_default();
    if kind == FieldKind::Department {
        page.departments.into_iter().map(|d| Person { id: d.clone(), name: d, department: None }).collect()
    } else {
        page.people
    }
}

/// The ids a person or department value holds: one, or a list.
pub fn chosen(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

fn value_of(ids: Vec<String>, multiple: bool) -> Value {
    match (ids.len(), multiple) {
        (0, _) => Value::Null,
        (_, true) => Value::Array(ids.into_iter().map(Value::String).collect()),
        (_, false) => Value::String(ids[0].clone()),
    }
}

/// The search under way: what was typed, what was found, which option is active and
/// whether the list is open.
#[derive(Clone)]
struct Search {
    query: UseStateHandle<String>,
    found: UseStateHandle<Vec<Person>>,
    active: UseStateHandle<usize>,
    open: UseStateHandle<bool>,
}

impl Search {
    /// Searches once typing pauses, not on every keystroke.
    fn on_input(
        &self,
        s: &Session,
        (kind, role): (FieldKind, Option<String>),
        timer: Rc<RefCell<Option<Timeout>>>,
    ) -> Callback<InputEvent> {
        let (s, search) = (s.clone(), self.clone());
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            search.query.set(text.clone());
            let (s, search, role) = (s.clone(), search.clone(), role.clone());
            *timer.borrow_mut() = Some(Timeout::new(200, move || {
                wasm_bindgen_futures::spawn_local(async move {
                    search.found.set(super::picker::search(&s, kind, role.as_deref(), text.trim()).await);
                    search.active.set(0);
                    search.open.set(true);
                });
            }));
        })
    }

    /// Arrows move through the list, Enter chooses, Escape closes it.
    fn on_key(&self, choose: Callback<Person>) -> Callback<KeyboardEvent> {
        let Search { found, active, open, .. } = self.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowDown" if *open => {
                e.prevent_default();
                active.set((*active + 1).min(found.len().saturating_sub(1)));
            }
            "ArrowUp" if *open => {
                e.prevent_default();
                active.set(active.saturating_sub(1));
            }
            "Enter" if *open => {
                e.prevent_default();
                if let Some(person) = found.get(*active) {
                    choose.emit(person.clone());
                }
            }
            "Escape" => open.set(false),
            _ => {}
        })
    }

    /// The options found (ids `{input}-opt{i}`), the active one marked; pressing one chooses it.
    fn options(&self, input: &str, choose: &Callback<Person>) -> Html {
        let options = self.found.iter().enumerate().map(|(i, person)| {
            let pick = {
                let (choose, person) = (choose.clone(), person.clone());
                Callback::from(move |e: MouseEvent| {
                    e.prevent_default();
                    choose.emit(person.clone());
                })
            };
            let active = i == *self.active;
            let detail = person.department.clone().filter(|d| *d != person.name);
            html! {
                <li role="option" id={format!("{input}-opt{i}")} class={classes!("kx-opt", active.then_some("kx-opt-active"))}
                    aria-selected={active.to_string()} onmousedown={pick}>
                    <span>{ person.name.clone() }</span>
                    if let Some(d) = detail { <span class="kx-opt-detail">{ d }</span> }
                </li>
            }
        });
        html! { <>{ for options }</> }
    }
}

/// The people (or departments) chosen, each with a button that removes it.
fn chips(s: &Session, p: &InputProps, ids: &[String]) -> Html {
    let multiple = p.field.multiple;
    let chips = ids.iter().map(|id| {
        // A department is named by the host's search, else by its id.
        let name = match known(id) {
            Some(name) => name,
            None if p.field.kind == FieldKind::Department => id.clone(),
            None => name_of(s.lang, id),
        };
        let remove = {
            let (ids, id, on_change) = (ids.to_vec(), id.clone(), p.on_change.clone());
            Callback::from(move |_| {
                on_change.emit(value_of(ids.iter().filter(|i| **i != id).cloned().collect(), multiple))
            })
        };
        html! {
            <li class="kx-chip">
                <span>{ name.clone() }</span>
                <button type="button" class="kx-chip-x" onclick={remove}
                    aria-label={format!("{}{name}", s.t("移除 ", "Remove "))}>{ "×" }</button>
            </li>
        }
    });
    html! { <ul class="kx-chips">{ for chips }</ul> }
}

#[function_component]
pub fn Picker(p: &InputProps) -> Html {
    let s = use_session();
    let search = Search {
        query: use_state(String::new),
        found: use_state(Vec::<Person>::new),
        active: use_state(|| 0usize),
        open: use_state(|| false),
    };
    let timer = use_mut_ref(|| None::<Timeout>);
    let multiple = p.field.multiple;
    let ids = chosen(p.value.as_ref());
    let person = p.field.kind == FieldKind::Person;
    use_names(if person { ids.clone() } else { Vec::new() });
    let list_id = format!("{}-list", p.id);
    let choose = {
        let (ids, on_change, search) = (ids.clone(), p.on_change.clone(), search.clone());
        Callback::from(move |person: Person| {
            let mut next = if multiple { ids.clone() } else { Vec::new() };
            if !next.contains(&person.id) {
                next.push(person.id);
            }
            on_change.emit(value_of(next, multiple));
            search.query.set(String::new());
            search.open.set(false);
        })
    };
    let on_blur = {
        let (open, blur) = (search.open.clone(), p.on_blur.clone());
        Callback::from(move |_: FocusEvent| {
            let open = open.clone();
            // Let a click on an option land before the list closes.
            Timeout::new(150, move || open.set(false)).forget();
            blur.emit(());
        })
    };
    let placeholder = if p.field.kind == FieldKind::Department {
        s.t("输入部门名称搜索", "Type to search departments")
    } else {
        s.t("输入姓名、工号或部门搜索", "Type a name, id or department")
    };
    let open = *search.open;
    html! {
        <div class="kx-picker">
            if !ids.is_empty() { { chips(&s, p, &ids) } }
            if multiple || ids.is_empty() {
                <input class="kx-input" type="text" id={p.id.clone()} role="combobox" autocomplete="off"
                    aria-autocomplete="list" aria-expanded={open.to_string()} aria-controls={list_id.clone()}
                    aria-activedescendant={(open && !search.found.is_empty()).then(|| format!("{}-opt{}", p.id, *search.active))}
                    aria-invalid={p.invalid.to_string()} aria-required={p.required.to_string()}
                    aria-describedby={p.described_by.clone()} aria-label={p.aria_label.clone()} value={(*search.query).clone()} {placeholder}
                    oninput={search.on_input(&s, (p.field.kind, p.field.role.clone()), timer)} onkeydown={search.on_key(choose.clone())} onblur={on_blur} />
            }
            if open {
                <ul class="kx-listbox" role="listbox" id={list_id}>
                    { search.options(&p.id, &choose) }
                    if search.found.is_empty() { <li class="kx-opt kx-opt-none">{ s.t("没有找到", "Nobody found") }</li> }
                </ul>
            }
        </div>
    }
}
