//! The 「流程」 tab: the steps as a vertical flow (a step with several next steps, which
//! the rules' `route` picks among, branches side by side), each step's panel (kind,
//! actors, mode, deadline, notice days, next steps), and the field permission matrix
//! (fields × steps: editable, read-only, hidden). Every change rewrites workflow.toml
//! through `definition::edit`, as the form designer does.

use std::rc::Rc;

use kexie_engine::bundle::Bundle;
use kexie_engine::definition::edit::{Access, DefinitionDoc, List, Value};
use kexie_engine::text::Lang;
use kexie_widget::app::{Session, use_session};
use kexie_widget::views::{Notice, notice};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{ids, label_of, unused_id};

#[derive(Properties, PartialEq)]
pub struct RouteDesignerProps {
    pub bundle: Rc<Bundle>,
    pub on_change: Callback<Bundle>,
}

const KINDS: [(&str, &str, &str); 5] = [
    ("fill", "填写", "Fill"),
    ("approval", "审批", "Approval"),
    ("opinion", "征求意见", "Opinion"),
    ("notice", "公示", "Notice"),
    ("filing", "备案", "Filing"),
];

const MODES: [(&str, &str, &str); 4] = [
    ("any", "或签（一人同意即可）", "Any one"),
    ("all", "会签（须全部同意）", "Everyone"),
    ("sequence", "依次审批", "One after another"),
    ("vote", "表决（按比例通过）", "Vote (a share must agree)"),
];

#[function_component]
pub fn RouteDesigner(p: &RouteDesignerProps) -> Html {
    let s = use_session();
    let selected = use_state(|| 0usize);
    let refusal = use_state(|| None::<Notice>);
    let Ok(doc) = DefinitionDoc::parse(&p.bundle.workflow_toml) else {
        let why = s.t(
            "workflow.toml 有语法错误，请先在文本中改正。",
            "workflow.toml does not parse; fix it in the text first.",
        );
        return notice(&Some(Notice::Error(why.into())));
    };
    let count = doc.len(List::Steps);
    let at = (*selected).min(count.saturating_sub(1));
    let edit = Route { bundle: p.bundle.clone(), on_change: p.on_change.clone(), selected, refusal: refusal.clone() };
    html! {
        <div class="kx-rt">
            <div class="kx-rt-top">
                <ol class="kx-rt-flow" aria-label={s.t("流程（自上而下）", "The route, top to bottom")}>
                    <li class="kx-rt-end">{ s.t("发起", "Start") }</li>
                    { for (0..count).map(|i| node(&s, &doc, i, i == at, &edit)) }
                    <li class="kx-rt-end">{ s.t("结束", "End") }</li>
                </ol>
                <div class="kx-rt-side">
                    { add_step(&s, &doc, at, &edit) }
                    { notice(&refusal) }
                    if count > 0 { { panel(&s, &doc, at, &edit) } }
                </div>
            </div>
            { matrix(&s, &doc, &edit) }
        </div>
    }
}

/// Like the form designer's `Editor`, for steps.
#[derive(Clone)]
struct Route {
    bundle: Rc<Bundle>,
    on_change: Callback<Bundle>,
    selected: UseStateHandle<usize>,
    refusal: UseStateHandle<Option<Notice>>,
}

impl Route {
    fn on<E: 'static>(&self, change: impl Fn(&mut DefinitionDoc, E) -> usize + 'static) -> Callback<E> {
        let this = self.clone();
        Callback::from(move |event: E| this.apply(|doc| change(doc, event)))
    }

    fn apply(&self, change: impl FnOnce(&mut DefinitionDoc) -> usize) {
        let Ok(mut doc) = DefinitionDoc::parse(&self.bundle.workflow_toml) else { return };
        let select = change(&mut doc);
        self.refusal.set(None);
        self.selected.set(select);
        self.on_change.emit(Bundle { workflow_toml: doc.to_text(), ..(*self.bundle).clone() });
    }
}

fn strings(doc: &DefinitionDoc, i: usize, key: &str) -> Vec<String> {
    let list = doc.value(List::Steps, i, key).and_then(Value::as_array);
    list.map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

fn array(items: &[String]) -> Option<Value> {
    Some(Value::Array(items.iter().map(String::as_str).collect()))
}

fn pick<'a>(table: &'a [(&'a str, &'a str, &'a str)], value: &'a str, lang: Lang) -> &'a str {
    let found = table.iter().find(|(v, ..)| *v == value);
    found.map_or(value, |(_, zh, en)| if lang == Lang::Zh { zh } else { en })
}

/// An actor as people read it: 「角色 kexie_chair」.
fn actor_label(actor: &str, doc: &DefinitionDoc, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match actor.split_once(':') {
        None if actor == "initiator" => (if zh { "发起人" } else { "The initiator" }).into(),
        None if actor == "rules" => (if zh { "由规则决定" } else { "As the rules say" }).into(),
        Some(("role", r)) => format!("{}{r}", if zh { "角色 " } else { "role " }),
        Some(("user", u)) => format!("{}{u}", if zh { "人员 " } else { "user " }),
        Some(("field", f)) => {
            let i = ids(doc, List::Fields).iter().position(|id| id == f);
            let name = i.map_or(f.to_string(), |i| label_of(doc, List::Fields, i, lang));
            format!("{}「{name}」", if zh { "表单中所选的" } else { "chosen in " })
        }
        _ => actor.to_string(),
    }
}

fn step_name(doc: &DefinitionDoc, id: &str, lang: Lang) -> String {
    if id == "end" {
        return (if lang == Lang::Zh { "结束" } else { "End" }).into();
    }
    let i = ids(doc, List::Steps).iter().position(|s| s == id);
    i.map_or(id.to_string(), |i| label_of(doc, List::Steps, i, lang))
}

/// One step of the flow: kind, label, actors, mode; its next steps side by side when
/// the rules choose among several.
fn node(s: &Session, doc: &DefinitionDoc, i: usize, on: bool, edit: &Route) -> Html {
    let kind = doc.str(List::Steps, i, "kind").unwrap_or_default();
    let mode = doc.str(List::Steps, i, "mode").unwrap_or("any");
    let actors: Vec<String> = strings(doc, i, "actors").iter().map(|a| actor_label(a, doc, s.lang)).collect();
    let next = strings(doc, i, "next");
    let label = label_of(doc, List::Steps, i, s.lang);
    let selected = edit.selected.clone();
    let select = Callback::from(move |_| selected.set(i));
    let shows_mode = matches!(kind, "approval" | "opinion");
    let branches = (next.len() > 1).then(|| {
        html! {
            <div class="kx-rt-branches" aria-label={s.t("分支（由规则选择）", "Branches (the rules choose)")}>
                <span class="kx-hint">{ s.t("由规则选择其一：", "The rules choose one:") }</span>
                { for next.iter().map(|n| html! { <span class="kx-rt-branch">{ step_name(doc, n, s.lang) }</span> }) }
            </div>
        }
    });
    html! {
        <li class={classes!("kx-rt-node", on.then_some("kx-rt-on"))}>
            <button type="button" class="kx-rt-pick" aria-pressed={on.to_string()} onclick={select}>
                <span class={classes!("kx-rt-kind", format!("kx-rt-kind-{kind}"))}>{ pick(&KINDS, kind, s.lang) }</span>
                <span class="kx-rt-label">{ label }</span>
                <span class="kx-rt-who">{ actors.join(s.t("、", ", ")) }</span>
                if shows_mode { <span class="kx-rt-mode">{ pick(&MODES, mode, s.lang) }</span> }
            </button>
            { for branches }
        </li>
    }
}

/// Adds a step after the selected one, which now leads to it; it leads where that one led.
fn add_step(s: &Session, doc: &DefinitionDoc, at: usize, edit: &Route) -> Html {
    let id = unused_id(&ids(doc, List::Steps), "new_step");
    let empty = doc.len(List::Steps) == 0;
    let add = edit.on(move |d, _: MouseEvent| {
        let after = if empty { 0 } else { at + 1 };
        let next = if empty { vec!["end".to_string()] } else { strings(d, at, "next") };
        let label =
            Value::InlineTable([("zh", Value::from("新步骤")), ("en", Value::from("New step"))].into_iter().collect());
        let keys = [
            ("id", Value::from(id.as_str())),
            ("kind", "approval".into()),
            ("label", label),
            ("actors", Value::Array(["initiator"].into_iter().collect())),
            ("next", Value::Array(next.iter().map(String::as_str).collect())),
        ];
        d.insert(List::Steps, after, &keys);
        if !empty {
            d.set(List::Steps, at, "next", array(std::slice::from_ref(&id)));
        }
        after
    });
    html! {
        <div class="kx-dz-palette">
            <button type="button" class="kx-btn kx-btn-primary" onclick={add}>{ s.t("在所选步骤后添加步骤", "Add a step after the selected one") }</button>
        </div>
    }
}

/// The selected step's panel.
fn panel(s: &Session, doc: &DefinitionDoc, i: usize, edit: &Route) -> Html {
    let id = doc.str(List::Steps, i, "id").unwrap_or_default().to_string();
    let kind = doc.str(List::Steps, i, "kind").unwrap_or_default().to_string();
    let mode = doc.str(List::Steps, i, "mode").unwrap_or("any").to_string();
    let count = doc.len(List::Steps);
    let text = |lang: Lang, name: (&'static str, &'static str)| {
        let value = doc.text(List::Steps, i, "label").unwrap_or_default();
        let onchange = edit.on(move |d, e: Event| {
            let typed = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut t = d.text(List::Steps, i, "label").unwrap_or_default();
            *(if lang == Lang::Zh { &mut t.zh } else { &mut t.en }) = typed.trim().to_string();
            d.set_text(List::Steps, i, "label", &t);
            i
        });
        html! {
            <label class="kx-field"><span class="kx-label">{ s.t(name.0, name.1) }</span>
                <input class="kx-input" value={value.get(lang).to_string()} {onchange} /></label>
        }
    };
    let choose = |key: &'static str, table: &'static [(&'static str, &'static str, &'static str)], now: &str| {
        let onchange = edit.on(move |d, e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            // A vote needs its share; no other mode takes one.
            if key == "mode" {
                let pass = d.value(List::Steps, i, "pass").cloned();
                d.set(List::Steps, i, "pass", (v == "vote").then(|| pass.unwrap_or_else(|| "2/3".into())));
            }
            d.set(List::Steps, i, key, Some(v.into()));
            i
        });
        let options = table.iter().map(|(v, zh, en)| {
            html! { <option value={*v} selected={*v == now}>{ if s.lang == Lang::Zh { *zh } else { *en } }</option> }
        });
        html! { <select class="kx-input" {onchange}>{ for options }</select> }
    };
    let days = |key: &'static str, name: (&'static str, &'static str)| {
        let now = doc.value(List::Steps, i, key).and_then(Value::as_integer).map(|n| n.to_string()).unwrap_or_default();
        let onchange = edit.on(move |d, e: Event| {
            let typed = e.target_unchecked_into::<HtmlInputElement>().value();
            match typed.trim() {
                "" => _ = d.set(List::Steps, i, key, None),
                t => {
                    if let Ok(n) = t.parse::<u32>() {
                        d.set(List::Steps, i, key, Some(i64::from(n).into()));
                    }
                }
            }
            i
        });
        html! {
            <label class="kx-field"><span class="kx-label">{ s.t(name.0, name.1) }</span>
                <input class="kx-input" type="number" min="0" step="1" value={now} {onchange} /></label>
        }
    };
    let pass = {
        let now = doc.str(List::Steps, i, "pass").unwrap_or("2/3").to_string();
        let onchange = edit.on(move |d, e: Event| {
            let typed = e.target_unchecked_into::<HtmlInputElement>().value();
            d.set(List::Steps, i, "pass", Some(typed.trim().into()));
            i
        });
        html! {
            <label class="kx-field"><span class="kx-label">{ s.t("通过比例（如 2/3）", "Share that must agree (e.g. 2/3)") }</span>
                <input class="kx-input" value={now} placeholder="2/3" {onchange} /></label>
        }
    };
    let move_to = |to: usize| {
        edit.on(move |d, _: MouseEvent| {
            d.move_to(List::Steps, i, to);
            to
        })
    };
    html! {
        <section key={id.clone()} class="kx-dz-props" aria-label={s.t("步骤属性", "Step properties")}>
            <h3 class="kx-section-title">{ label_of(doc, List::Steps, i, s.lang) }<code class="kx-dz-id">{ id.clone() }</code></h3>
            <div class="kx-dz-tools">
                <button type="button" class="kx-btn kx-btn-small" disabled={i == 0} onclick={move_to(i.saturating_sub(1))}>{ s.t("上移", "Move up") }</button>
                <button type="button" class="kx-btn kx-btn-small" disabled={i + 1 >= count} onclick={move_to(i + 1)}>{ s.t("下移", "Move down") }</button>
                { delete_step(s, doc, i, edit) }
            </div>
            <div class="kx-dz-pair">
                { text(Lang::Zh, ("名称（中文）", "Label (Chinese)")) }
                { text(Lang::En, ("名称（英文）", "Label (English)")) }
            </div>
            <div class="kx-dz-pair">
                <label class="kx-field"><span class="kx-label">{ s.t("步骤类型", "Kind") }</span>{ choose("kind", &KINDS, &kind) }</label>
                if matches!(kind.as_str(), "approval" | "opinion") {
                    <label class="kx-field"><span class="kx-label">{ s.t("多人时如何决定", "With several assignees") }</span>{ choose("mode", &MODES, &mode) }</label>
                }
            </div>
            <div class="kx-dz-grid">
                if mode == "vote" && kind == "approval" { { pass } }
                { days("deadline_days", ("办理期限（天）", "Deadline (days)")) }
                if kind == "notice" { { days("notice_days", ("公示天数", "Notice days")) } }
            </div>
            { actors(s, doc, i, edit) }
            { next_steps(s, doc, i, edit) }
        </section>
    }
}

/// Removes the step, its predecessors leading where it led; refused while the rules or a
/// case name it.
fn delete_step(s: &Session, doc: &DefinitionDoc, i: usize, edit: &Route) -> Html {
    let id = doc.str(List::Steps, i, "id").unwrap_or_default().to_string();
    let label = label_of(doc, List::Steps, i, s.lang);
    let (edit, lang) = (edit.clone(), s.lang);
    let onclick = Callback::from(move |_: MouseEvent| {
        let quoted = format!("\"{id}\"");
        let mut places: Vec<String> = Vec::new();
        let files = std::iter::once(("rules.rhai".to_string(), &edit.bundle.rules_rhai))
            .chain(edit.bundle.case_files().map(|(n, t)| (format!("cases/{n}"), t)));
        for (file, text) in files {
            let lines =
                text.lines().enumerate().filter(|(_, l)| l.contains(&quoted) && !l.trim_start().starts_with("//"));
            places.extend(lines.map(|(n, _)| match lang {
                Lang::Zh => format!("{file} 第 {} 行", n + 1),
                Lang::En => format!("{file} line {}", n + 1),
            }));
        }
        if !places.is_empty() {
            let why = match lang {
                Lang::Zh => format!("不能删除「{label}」：规则或案例仍用到它（{}）。", places.join("；")),
                Lang::En => {
                    format!("'{label}' cannot be deleted while the rules or cases name it: {}.", places.join("; "))
                }
            };
            edit.refusal.set(Some(Notice::Error(why)));
            return;
        }
        edit.apply(|d| {
            let onward = strings(d, i, "next");
            for j in 0..d.len(List::Steps) {
                let next = strings(d, j, "next");
                if next.contains(&id) {
                    let mut joined: Vec<String> = next.iter().filter(|n| **n != id).cloned().collect();
                    for n in &onward {
                        if !joined.contains(n) {
                            joined.push(n.clone());
                        }
                    }
                    d.set(List::Steps, j, "next", array(&joined));
                }
            }
            d.remove(List::Steps, i);
            i.saturating_sub(1)
        });
    });
    html! { <button type="button" class="kx-btn kx-btn-small" {onclick}>{ s.t("删除步骤", "Delete step") }</button> }
}

/// Who is assigned: each actor removable, one added by kind.
fn actors(s: &Session, doc: &DefinitionDoc, i: usize, edit: &Route) -> Html {
    let now = strings(doc, i, "actors");
    let chips = now.iter().enumerate().map(|(j, a)| {
        let remove = edit.on(move |d, _: MouseEvent| {
            let mut list = strings(d, i, "actors");
            list.remove(j);
            d.set(List::Steps, i, "actors", array(&list));
            i
        });
        let name = actor_label(a, doc, s.lang);
        html! {
            <li class="kx-rt-chip">{ name.clone() }
                <button type="button" class="kx-btn kx-btn-small" onclick={remove}
                    aria-label={format!("{} {name}", s.t("移除", "Remove"))}>{ "✕" }</button></li>
        }
    });
    let persons: Vec<(String, String)> = (0..doc.len(List::Fields))
        .filter(|f| doc.str(List::Fields, *f, "kind") == Some("person"))
        .filter_map(|f| Some((doc.str(List::Fields, f, "id")?.to_string(), label_of(doc, List::Fields, f, s.lang))))
        .collect();
    html! {
        <fieldset class="kx-dz-options">
            <legend class="kx-label">{ s.t("办理人", "Assignees") }</legend>
            <ul class="kx-rt-chips">{ for chips }</ul>
            <AddActor {i} {persons} on_add={edit.on(move |d, actor: String| {
                let mut list = strings(d, i, "actors");
                if !list.contains(&actor) {
                    list.push(actor);
                }
                d.set(List::Steps, i, "actors", array(&list));
                i
            })} />
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
struct AddActorProps {
    i: usize,
    /// The person fields: id and label.
    persons: Vec<(String, String)>,
    on_add: Callback<String>,
}

/// Picks the kind of actor, then names the role, the user or the person field.
#[function_component]
fn AddActor(p: &AddActorProps) -> Html {
    let s = use_session();
    let kind = use_state(|| "role".to_string());
    let value = use_state(String::new);
    let set_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| kind.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let set_value = {
        let value = value.clone();
        Callback::from(move |e: Event| value.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let add = {
        let (kind, value, on_add) = (kind.clone(), value.clone(), p.on_add.clone());
        Callback::from(move |_: MouseEvent| {
            let v = value.trim();
            match kind.as_str() {
                k @ ("initiator" | "rules") => on_add.emit(k.to_string()),
                k if !v.is_empty() => on_add.emit(format!("{k}:{v}")),
                _ => {}
            }
            value.set(String::new());
        })
    };
    let kinds = [
        ("role", s.t("角色", "A role")),
        ("user", s.t("指定人员", "A person")),
        ("field", s.t("表单中的人员字段", "A person field of the form")),
        ("initiator", s.t("发起人", "The initiator")),
        ("rules", s.t("由规则决定", "As the rules say")),
    ];
    let input = match kind.as_str() {
        "field" => html! {
            <select class="kx-input" aria-label={s.t("人员字段", "Person field")} onchange={set_value.clone()}>
                <option value="" selected={value.is_empty()}>{ s.t("（请选择）", "(choose)") }</option>
                { for p.persons.iter().map(|(id, label)| html! { <option value={id.clone()} selected={**value == *id}>{ label.clone() }</option> }) }
            </select>
        },
        "role" | "user" => html! {
            <input class="kx-input" aria-label={if *kind == "role" { s.t("角色标识", "Role id") } else { s.t("人员标识", "User id") }}
                placeholder={if *kind == "role" { "kexie_chair" } else { "zhangsan" }} value={(*value).clone()} onchange={set_value} />
        },
        _ => html! {},
    };
    html! {
        <div class="kx-dz-palette" key={p.i}>
            <select class="kx-input" aria-label={s.t("办理人类型", "Kind of assignee")} onchange={set_kind}>
                { for kinds.iter().map(|(k, name)| html! { <option value={*k} selected={*kind == *k}>{ *name }</option> }) }
            </select>
            { input }
            <button type="button" class="kx-btn kx-btn-small" onclick={add}>{ s.t("添加办理人", "Add assignee") }</button>
        </div>
    }
}

/// Where the step goes next: any other step, or the end; several, and the rules choose.
fn next_steps(s: &Session, doc: &DefinitionDoc, i: usize, edit: &Route) -> Html {
    let now = strings(doc, i, "next");
    let own = doc.str(List::Steps, i, "id").unwrap_or_default().to_string();
    let targets: Vec<String> =
        ids(doc, List::Steps).into_iter().filter(|t| *t != own).chain(["end".to_string()]).collect();
    let boxes = targets.into_iter().map(|t| {
        let on = now.contains(&t);
        let name = step_name(doc, &t, s.lang);
        let onchange = edit.on(move |d, _: Event| {
            let mut next = strings(d, i, "next");
            if on {
                next.retain(|n| *n != t);
            } else {
                next.push(t.clone());
            }
            d.set(List::Steps, i, "next", array(&next));
            i
        });
        html! { <label class="kx-dz-inline"><input type="checkbox" checked={on} {onchange} />{ name }</label> }
    });
    html! {
        <fieldset class="kx-dz-accept">
            <legend class="kx-label">{ s.t("下一步（选多个时由规则 route 选择）", "Next (with several, the rules' route chooses)") }</legend>
            { for boxes }
        </fieldset>
    }
}

/// Fields × steps: what each step's assignees may do with each field (字段权限).
fn matrix(s: &Session, doc: &DefinitionDoc, edit: &Route) -> Html {
    let steps = doc.len(List::Steps);
    let fields: Vec<(usize, String)> = (0..doc.len(List::Fields))
        .filter(|f| doc.str(List::Fields, *f, "kind") != Some("rich_text"))
        .filter_map(|f| Some((f, doc.str(List::Fields, f, "id")?.to_string())))
        .collect();
    let names = [
        (Access::Editable, s.t("可编辑", "Editable")),
        (Access::ReadOnly, s.t("只读", "Read-only")),
        (Access::Hidden, s.t("隐藏", "Hidden")),
    ];
    let cell = |step: usize, f: usize, id: &str| {
        let now = doc.access(step, id);
        let field = id.to_string();
        let onchange = edit.on(move |d, e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            let access = match v.as_str() {
                "editable" => Access::Editable,
                "hidden" => Access::Hidden,
                _ => Access::ReadOnly,
            };
            d.set_access(step, &field, access);
            step
        });
        let label = format!(
            "{}{}",
            label_of(doc, List::Fields, f, s.lang),
            match s.lang {
                Lang::Zh => format!("在「{}」", label_of(doc, List::Steps, step, s.lang)),
                Lang::En => format!(" at '{}'", label_of(doc, List::Steps, step, s.lang)),
            }
        );
        let class = match now {
            Access::Editable => "kx-rt-edit",
            Access::ReadOnly => "kx-rt-read",
            Access::Hidden => "kx-rt-hide",
        };
        let options = names.iter().map(|(a, name)| {
            let value = match a {
                Access::Editable => "editable",
                Access::ReadOnly => "read",
                Access::Hidden => "hidden",
            };
            html! { <option {value} selected={*a == now}>{ *name }</option> }
        });
        html! { <td class={class}><select class="kx-input" aria-label={label} {onchange}>{ for options }</select></td> }
    };
    let rows = fields.iter().map(|(f, id)| {
        html! {
            <tr><th scope="row">{ label_of(doc, List::Fields, *f, s.lang) }</th>{ for (0..steps).map(|st| cell(st, *f, id)) }</tr>
        }
    });
    html! {
        <section class="kx-rt-matrix" aria-label={s.t("字段权限", "Field permissions")}>
            <h3 class="kx-section-title">{ s.t("字段权限（各步骤的办理人对每个字段能做什么）", "Field permissions (what each step's assignees may do with each field)") }</h3>
            <div class="kx-rt-scroll">
                <table class="kx-table kx-report-table">
                    <thead><tr><th scope="col">{ s.t("字段", "Field") }</th>
                        { for (0..steps).map(|st| html! { <th scope="col">{ label_of(doc, List::Steps, st, s.lang) }</th> }) }</tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
        </section>
    }
}
