//! Events for the systems around Kexie (the OA's to-do centre and message centre, mail):
//! what an action did, as the outbox stores it and the feed (`GET /events`) serves it.
//! Built from the engine's `effects` of a transition; no form values but the summary —
//! whoever needs more reads the instance with its user's token.

use kexie_engine::definition::{Definition, FieldKind};
use kexie_engine::instance::{Effect, Event, Instance, Moment, TaskKey, effects, open_tasks};
use kexie_engine::people::Directory;
use kexie_engine::text::Text;
use serde::{Deserialize, Serialize};

use crate::PersonRef;

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationEvent {
    /// Unique; the same event delivered twice has the same id.
    pub id: String,
    /// `task.created`, `task.completed`, `task.cancelled`, `task.reminded`, `task.overdue`,
    /// `instance.submitted`, `instance.returned`, `instance.withdrawn`,
    /// `instance.completed`, `instance.rejected`, `instance.cc`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it happened (RFC 3339, the enterprise's offset).
    pub at: String,
    pub instance: EventInstance,
    /// The to-do item, for a `task.*` event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<EventTask>,
    /// The people copied, for `instance.cc`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copied: Vec<PersonRef>,
}

/// The instance an event is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventInstance {
    pub id: String,
    pub workflow: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: Text,
    pub version: u32,
    /// draft, running, completed, rejected.
    pub status: String,
    pub step: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub step_label: Option<Text>,
    /// `{id, name}`.
    pub initiator: PersonRef,
    /// What tells it from others of its workflow (its first text field shown at its step).
    pub summary: Option<String>,
}

/// A to-do item: one person's task at one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventTask {
    /// The same in every event about this item.
    pub id: String,
    /// `{id, name}`.
    pub assignee: PersonRef,
    pub step: String,
    /// When the step is due, if it has a deadline.
    pub due_at: Option<String>,
    /// Where the assignee acts on it: the configured `events.task_url` with `{instance}`
    /// and `{task}` filled in.
    pub url: Option<String>,
}

/// A page of the feed: events after a cursor, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub items: Vec<FeedItem>,
    /// Ask again with `after` = this for what comes next (the last item's cursor, or the
    /// `after` asked when there was nothing new).
    pub next: i64,
}

/// An event with its place in the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedItem {
    pub cursor: i64,
    pub event: IntegrationEvent,
}

/// Which events to read.
#[derive(Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// The cursor of the last event read; 0 (the default) for the first.
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub after: Option<i64>,
    /// 1 to 500; default 100.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<i64>,
}

/// What the events are built with besides the transition.
pub struct Context<'a> {
    pub definition: &'a Definition,
    pub directory: &'a Directory,
    pub now: Moment,
    /// `events.task_url`, e.g. `https://oa.example.com/kexie?instance={instance}`.
    pub task_url: Option<&'a str>,
}

/// The events of the transition from `before` (none: a new instance) to `after`, which
/// recorded `audit`. Their ids are the instance's, its revision and their place: the same
/// transition always gives the same ids.
pub fn integration_events(
    c: &Context<'_>,
    before: Option<&Instance>,
    after: &Instance,
    audit: &[Event],
) -> Vec<IntegrationEvent> {
    let instance = event_instance(c, after);
    effects(before, after, audit)
        .iter()
        .enumerate()
        .map(|(k, effect)| IntegrationEvent {
            id: format!("{}.{}.{k}", after.id, after.revision),
            kind: effect.name().to_string(),
            at: c.now.to_string(),
            instance: instance.clone(),
            task: effect.task().map(|t| event_task(c, after, t)),
            copied: if let Effect::Copied(people) = effect {
                people.iter().map(|p| person(c, p)).collect()
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// `task.overdue` for each item still open at `inst`'s step, once its deadline passed.
/// Their ids are the instance's and the step entry's: one set per entry.
pub fn overdue_events(c: &Context<'_>, inst: &Instance) -> Vec<IntegrationEvent> {
    let instance = event_instance(c, inst);
    let open = open_tasks(inst).into_iter().enumerate();
    open.map(|(k, t)| IntegrationEvent {
        id: format!("{}.overdue.{}.{k}", inst.id, t.entry),
        kind: "task.overdue".into(),
        at: c.now.to_string(),
        instance: instance.clone(),
        task: Some(event_task(c, inst, &t)),
        copied: Vec::new(),
    })
    .collect()
}

/// `events.task_url` with `{instance}` and `{task}` filled in (`task` empty for a link to
/// the instance itself).
pub fn link(template: &str, instance: &str, task: &str) -> String {
    template.replace("{instance}", instance).replace("{task}", task)
}

/// The to-do item `t` of `inst`, with its link.
fn event_task(c: &Context<'_>, inst: &Instance, t: &TaskKey) -> EventTask {
    let id = t.id(&inst.id);
    let url = c.task_url.map(|u| link(u, &inst.id, &id));
    // An item of the step the instance is at is due when the step is.
    let due_at = (t.step == inst.step).then_some(inst.due_at).flatten().map(|d| d.to_string());
    EventTask { id, assignee: person(c, &t.assignee), step: t.step.clone(), due_at, url }
}

/// Somebody by id, named as the directory knows them.
fn person(c: &Context<'_>, id: &str) -> PersonRef {
    PersonRef::named(id.to_string(), c.directory.get(id).map(|a| a.name.clone()).unwrap_or_default())
}

fn event_instance(c: &Context<'_>, inst: &Instance) -> EventInstance {
    let def = c.definition;
    let initiator = &inst.initiator;
    EventInstance {
        id: inst.id.clone(),
        workflow: inst.workflow.clone(),
        title: def.title.clone(),
        version: inst.version,
        status: inst.status.as_str().to_string(),
        step: inst.step.clone(),
        step_label: def.step(&inst.step).map(|s| s.label()),
        initiator: PersonRef::named(initiator.id.clone(), initiator.name.clone()),
        summary: summary(def, inst),
    }
}

/// What tells an instance from others of its workflow: the value of the definition's
/// `summary` field, else of its first text field with one; never a field the current
/// step hides.
pub fn summary(def: &Definition, inst: &Instance) -> Option<String> {
    let hidden = def.step(&inst.step).map(|s| s.hidden.as_slice()).unwrap_or_default();
    let value = |id: &String| inst.form.get(id)?.as_str().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let shown = |id: &&String| !hidden.contains(*id);
    match &def.summary {
        Some(id) => Some(id).filter(shown).and_then(value),
        None => def.fields.iter().filter(|f| f.kind == FieldKind::Text).map(|f| &f.id).filter(shown).find_map(value),
    }
}

/// A webhook delivery, as administrators see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// The receiver's url.
    pub hook: String,
    pub event_id: String,
    pub event_type: String,
    pub instance: String,
    /// pending, done, or dead (given up after a day of failures).
    pub status: String,
    pub attempts: i64,
    /// Why the last try failed; empty if none did.
    pub last_error: String,
    /// When a pending delivery is tried next (unix seconds).
    pub next_try: i64,
}

/// Which deliveries to list.
#[derive(Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// pending, done or dead; all when left out.
    pub status: Option<String>,
    /// 1 to 500; default 100.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<i64>,
}

/// Sending dead deliveries again (`POST /deliveries/redeliver`).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Redeliver {
    /// Only this receiver's; all receivers' when left out.
    #[serde(default)]
    pub hook: Option<String>,
}

/// How many dead deliveries are pending again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redelivered {
    pub requeued: u64,
}

/// How one receiver is doing (`GET /deliveries/health`): what waits, what died, and why the
/// last try failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiverHealth {
    /// A webhook's url, or `email`.
    pub hook: String,
    pub pending: i64,
    /// Given up after a day of failures: sent again only by `POST /deliveries/redeliver`.
    pub dead: i64,
    pub done: i64,
    /// Why the newest delivery not yet done last failed; empty if none did.
    pub last_error: String,
}

#[cfg(test)]
mod tests {
    use kexie_engine::Workflow;
    use kexie_engine::definition::Source;
    use kexie_engine::instance::{Env, Moment, start};
    use kexie_engine::people::{Actor, Directory};

    use super::summary;

    const WORKFLOW: &str = r#"
key = "s"
version = 1
title = { zh = "摘要", en = "Summary" }
summary = "name"

[[fields]]
id = "code"
kind = "text"
label = { zh = "编号", en = "Code" }

[[fields]]
id = "name"
kind = "text"
label = { zh = "名称", en = "Name" }

[[steps]]
id = "apply"
kind = "fill"
label = { zh = "申请", en = "Apply" }
actors = ["initiator"]
editable = ["code", "name"]
next = ["end"]
"#;

    /// The summary of a new instance of `workflow` with `form`.
    fn summary_of(workflow: &str, form: serde_json::Value) -> Option<String> {
        let rules = Source { name: "rules.rhai", text: "fn check(form, ctx) { verdict() }" };
        let wf = Workflow::load(&Source { name: "workflow.toml", text: workflow }, &rules).unwrap();
        let li = Actor { id: "li".into(), name: "李明".into(), ..Actor::default() };
        let dir = Directory::default();
        let env = Env::new(Moment::parse("2026-12-02T10:00:00+08:00").unwrap(), &dir);
        let inst = start(&wf, "i1", &li, serde_json::from_value(form).unwrap(), &env).unwrap().instance;
        summary(&wf.definition, &inst)
    }

    #[test]
    fn the_summary_is_the_field_the_workflow_names_or_its_first_text_with_a_value() {
        let both = serde_json::json!({ "code": "X-1", "name": "某某研究院" });
        assert_eq!(summary_of(WORKFLOW, both.clone()).as_deref(), Some("某某研究院"));
        let unnamed = WORKFLOW.replace("summary = \"name\"\n", "");
        assert_eq!(summary_of(&unnamed, both).as_deref(), Some("X-1"));
        assert_eq!(summary_of(WORKFLOW, serde_json::json!({ "code": "X-1" })), None, "the named field is empty");
    }
}
