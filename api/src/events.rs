//! Events for the systems around Kexie (the OA's to-do centre and message centre, mail):
//! what an action did, as the outbox stores it and the feed (`GET /events`) serves it.
//! Built from the engine's `effects` of a transition; no form values but the summary —
//! whoever needs more reads the instance with its user's token.

use kexie_engine::definition::Definition;
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
    /// What tells it from others of its workflow (the definition's `summary` fields, or
    /// its first text field shown at its step), in Chinese.
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
        summary: crate::summary::summary(def, inst, c.directory).map(|t| t.zh),
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
