//! The timeline of an instance: every audit-log entry with who, when, what, the
//! comment or opinion, and the fields it changed.

use std::rc::Rc;

use kexie_engine::definition::Definition;
use kexie_engine::fields::people_in;
use kexie_engine::instance::{ActionKind, Event, EventKind, Position};
use kexie_engine::text::Lang;
use yew::prelude::*;

use super::changes;
use crate::app::{Compiled, use_session};
use crate::form::{Names, Shared, picker};
use crate::i18n::{moment, pick};
use kexie_api::AuditEntry;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub entries: Rc<Vec<AuditEntry>>,
    pub wf: Shared<Compiled>,
    pub names: Rc<Names>,
    /// The instance, for the files its changes name.
    pub instance: AttrValue,
}

/// Everybody the entries name: who acted, whom they named, the people in changed values.
fn people(def: &Definition, entries: &[AuditEntry]) -> Vec<String> {
    let mut out: Vec<&str> = Vec::new();
    for e in entries.iter().map(|e| &e.event) {
        out.push(&e.actor);
        out.extend(e.targets.iter().map(String::as_str));
        if let EventKind::StepEntered { assignees } = &e.kind {
            out.extend(assignees.iter().map(String::as_str));
        }
        for c in &e.diff {
            let Some(f) = def.field(&c.field) else { continue };
            for v in [&c.before, &c.after] {
                people_in(std::slice::from_ref(f), &|_| Some(v), &mut out);
            }
        }
    }
    let mut ids: Vec<String> = out.into_iter().map(String::from).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// What an action did, as a history line says it ("submitted", "returned it to").
pub fn action_label(lang: Lang, action: ActionKind, position: Option<Position>) -> String {
    kexie_engine::instance::action_text(action, position).get(lang).to_string()
}

#[function_component]
pub fn Timeline(p: &TimelineProps) -> Html {
    let s = use_session();
    let def = &p.wf.0.wf.definition;
    let arrived = picker::use_names(people(def, &p.entries));
    let names = use_memo((p.names.clone(), arrived), |(known, _)| picker::with_remembered(known));
    if p.entries.is_empty() {
        return html! {};
    }
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| picker::name_of(s.lang, id));
    let step = |id: &str| def.step(id).map(|st| pick(s.lang, &st.label())).unwrap_or_else(|| id.to_string());
    let line = |e: &Event| -> String {
        let who = name(&e.actor);
        let sep = s.t("、", ", ");
        match &e.kind {
            EventKind::Started => format!("{who} {}", s.t("发起了流程", "started the workflow")),
            EventKind::Completed => s.t("流程办结", "The workflow is complete").to_string(),
            EventKind::StepEntered { assignees } => {
                let people = assignees.iter().map(|a| name(a)).collect::<Vec<_>>().join(sep);
                match s.lang {
                    Lang::Zh => format!("进入「{}」，待 {people} 办理", step(&e.step)),
                    Lang::En => format!("Now at '{}', waiting for {people}", step(&e.step)),
                }
            }
            EventKind::Acted { action, .. } => {
                let did = kexie_engine::instance::did(def, e).map(|d| d.get(s.lang).to_string()).unwrap_or_default();
                let targets = if *action == ActionKind::Return {
                    e.targets.iter().map(|t| step(t)).collect::<Vec<_>>().join(sep)
                } else {
                    e.targets.iter().map(|t| name(t)).collect::<Vec<_>>().join(sep)
                };
                format!("{who} {did} {targets}").trim_end().to_string()
            }
        }
    };
    html! {
        <section class="kx-timeline-box" aria-labelledby={s.dom_id("timeline")}>
            <h3 class="kx-section-title" id={s.dom_id("timeline")}>{ s.t("办理记录", "History") }</h3>
            <ol class="kx-timeline">
                { for p.entries.iter().map(|entry| {
                    let e = &entry.event;
                    let kind = match &e.kind { EventKind::Acted { action, .. } => action.as_str(), EventKind::Started => "started", EventKind::Completed => "completed", EventKind::StepEntered { .. } => "step" };
                    html! {
                        <li class={classes!("kx-event", format!("kx-event-{kind}"))}>
                            <div class="kx-event-head">
                                <span class="kx-event-what">{ line(e) }</span>
                                <time class="kx-event-when" datetime={e.at.to_string()}>{ moment(s.lang, &e.at.to_string()) }</time>
                            </div>
                            if let Some(c) = &e.comment { <blockquote class="kx-comment">{ c.clone() }</blockquote> }
                            if !e.diff.is_empty() {
                                <details class="kx-diff">
                                    <summary>{ match s.lang { Lang::Zh => format!("修改了 {} 个字段", e.diff.len()), Lang::En => format!("changed {} field(s)", e.diff.len()) } }</summary>
                                    <ul>{ for e.diff.iter().filter_map(|c| {
                                        // A field a later version dropped has no label left to show.
                                        let f = def.field(&c.field)?;
                                        Some(changes::change(s.lang, f, &c.before, &c.after, &names, &p.instance))
                                    }) }</ul>
                                </details>
                            }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
