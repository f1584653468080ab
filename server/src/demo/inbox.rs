//! The demo's stand-in for an OA's to-do centre and message centre. `kexie serve --demo`
//! subscribes it as a webhook receiver (`POST /demo/receiver`): it takes only deliveries
//! whose signature holds, and keeps per person the open to-do items and the latest
//! messages, which the portal's header shows (`GET /demo/inbox`). It knows only what the
//! webhooks told it, as a real OA would; with SQLite it keeps that in a JSON file beside
//! the database, so a restart forgets nothing.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::Extension;
use axum::http::{HeaderMap, StatusCode};
use kexie_api::events::IntegrationEvent;
use kexie_engine::text::Lang;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::store::unix_now;
use crate::webhooks;

/// Messages kept per person, and event ids remembered to drop a redelivery.
const MESSAGES: usize = 50;
const SEEN: usize = 10_000;

/// The receiver and what it was told.
pub struct Inbox {
    secret: String,
    file: Option<PathBuf>,
    boxes: Mutex<Boxes>,
}

#[derive(Default, Serialize, Deserialize)]
struct Boxes {
    /// Event ids taken, oldest first: at-least-once delivery may bring one twice.
    seen: VecDeque<String>,
    todo: BTreeMap<String, Vec<Todo>>,
    messages: BTreeMap<String, VecDeque<Message>>,
}

/// An open to-do item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Todo {
    pub task: String,
    pub instance: String,
    /// The workflow's title and the instance's summary.
    pub title: String,
    pub step: String,
    pub due_at: Option<String>,
    pub overdue: bool,
    pub at: String,
}

/// A line in the message list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub event: String,
    pub at: String,
    /// 新待办, 催办, 已逾期, 已退回, 未通过, 已办结, 抄送.
    pub label: String,
    pub title: String,
    pub instance: String,
}

/// One person's view: what the portal's header shows.
#[derive(Serialize)]
pub struct Mine {
    pub todo: Vec<Todo>,
    pub messages: Vec<Message>,
}

impl Inbox {
    /// A receiver checking signatures with `secret`, keeping its state in `file` if given.
    pub fn open(secret: String, file: Option<PathBuf>) -> Result<Arc<Inbox>, String> {
        let boxes = match &file {
            Some(f) if f.is_file() => {
                let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?
            }
            _ => Boxes::default(),
        };
        Ok(Arc::new(Inbox { secret, file, boxes: Mutex::new(boxes) }))
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// Takes a delivery: refused unless signed with the secret in the last few minutes;
    /// a redelivered event is accepted and changes nothing.
    pub fn receive(&self, signature: &str, body: &[u8]) -> Result<(), ApiError> {
        webhooks::verify(&self.secret, signature, body, unix_now())
            .map_err(|why| ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", format!("签名无效：{why}"), why))?;
        let event: IntegrationEvent = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("事件格式无效：{e}"), format!("not an event: {e}")))?;
        let mut boxes = self.boxes.lock().unwrap_or_else(|e| e.into_inner());
        if boxes.take(event) {
            self.save(&boxes);
        }
        Ok(())
    }

    fn mine(&self, user: &str) -> Mine {
        let boxes = self.boxes.lock().unwrap_or_else(|e| e.into_inner());
        Mine {
            todo: boxes.todo.get(user).cloned().unwrap_or_default(),
            messages: boxes.messages.get(user).map(|m| m.iter().rev().cloned().collect()).unwrap_or_default(),
        }
    }

    /// Written whole to a file beside, then renamed over the old one: never half written.
    fn save(&self, boxes: &Boxes) {
        let Some(file) = &self.file else { return };
        let temp = file.with_extension("json.tmp");
        let written = serde_json::to_vec(boxes)
            .map_err(std::io::Error::other)
            .and_then(|json| std::fs::write(&temp, json))
            .and_then(|()| std::fs::rename(&temp, file));
        if let Err(e) = written {
            tracing::error!("demo inbox {}: {e}", file.display());
        }
    }
}

impl Boxes {
    /// Applies an event as an OA's to-do centre would (docs/integration.md, "The to-do
    /// mapping"); false if it was taken before.
    fn take(&mut self, event: IntegrationEvent) -> bool {
        if self.seen.contains(&event.id) {
            return false;
        }
        if self.seen.len() == SEEN {
            self.seen.pop_front();
        }
        self.seen.push_back(event.id.clone());
        let title = match &event.instance.summary {
            Some(s) => format!("{} · {s}", event.instance.title.get(Lang::Zh)),
            None => event.instance.title.get(Lang::Zh).to_string(),
        };
        let step = event.instance.step_label.as_ref().map_or(event.instance.step.clone(), |l| l.get(Lang::Zh).into());
        let initiator = std::slice::from_ref(&event.instance.initiator.id);
        let copied: Vec<String> = event.copied.iter().map(|p| p.id.clone()).collect();
        let assignee = event.task.as_ref().map(|t| std::slice::from_ref(&t.assignee.id)).unwrap_or_default();
        let (label, told) = match event.kind.as_str() {
            "task.created" => ("新待办", assignee),
            "task.reminded" => ("催办", assignee),
            "task.overdue" => ("已逾期", assignee),
            "instance.returned" => ("已退回", initiator),
            "instance.rejected" => ("未通过", initiator),
            "instance.completed" => ("已办结", initiator),
            "instance.cc" => ("抄送", copied.as_slice()),
            _ => ("", &[][..]),
        };
        for user in told {
            let list = self.messages.entry(user.clone()).or_default();
            if list.len() == MESSAGES {
                list.pop_front();
            }
            let message = Message {
                event: event.id.clone(),
                at: event.at.clone(),
                label: label.into(),
                title: title.clone(),
                instance: event.instance.id.clone(),
            };
            list.push_back(message);
        }
        let Some(task) = &event.task else { return true };
        let list = self.todo.entry(task.assignee.id.clone()).or_default();
        match event.kind.as_str() {
            "task.created" if !list.iter().any(|t| t.task == task.id) => list.push(Todo {
                task: task.id.clone(),
                instance: event.instance.id.clone(),
                title,
                step,
                due_at: task.due_at.clone(),
                overdue: false,
                at: event.at.clone(),
            }),
            "task.completed" | "task.cancelled" => list.retain(|t| t.task != task.id),
            "task.overdue" => list.iter_mut().filter(|t| t.task == task.id).for_each(|t| t.overdue = true),
            _ => {}
        }
        true
    }
}

/// `POST /demo/receiver`: a webhook delivery.
pub async fn receive(Extension(inbox): Extension<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> Result<(), ApiError> {
    let signature = headers.get("kexie-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    inbox.receive(signature, &body)
}

/// `GET /demo/inbox`: the caller's to-do items and messages.
pub async fn mine(Extension(inbox): Extension<Arc<Inbox>>, caller: Caller) -> Json<Mine> {
    Json(inbox.mine(&caller.actor.id))
}

#[cfg(test)]
mod tests {
    use kexie_api::PersonRef;
    use kexie_api::events::{EventInstance, EventTask};
    use kexie_engine::text::Text;

    use super::*;
    use crate::webhooks::Hook;

    const SECRET: &str = "the-demo-receiver-s-own-secret";

    fn event(id: &str, kind: &str, assignee: Option<&str>) -> String {
        let person = |id: &str| PersonRef { id: id.into(), name: id.to_uppercase(), department: None, roles: vec![] };
        let task = assignee.map(|a| EventTask {
            id: format!("f1.3.{a}"),
            assignee: person(a),
            step: "party".into(),
            due_at: None,
            url: None,
        });
        let instance = EventInstance {
            id: "f1".into(),
            workflow: "kexie-formation".into(),
            title: Text::new("科协组建", "Formation"),
            version: 1,
            status: "running".into(),
            step: "party".into(),
            step_label: Some(Text::new("党组织审核", "Party review")),
            initiator: person("li"),
            summary: Some("某某研究院".into()),
        };
        let e = IntegrationEvent {
            id: id.into(),
            kind: kind.into(),
            at: "2026-12-02T10:00:00+08:00".into(),
            instance,
            task,
            copied: vec![],
        };
        serde_json::to_string(&e).unwrap()
    }

    fn deliver(inbox: &Inbox, body: &str, t: i64, secret: &str) -> Result<(), ApiError> {
        let signature = Hook::of(&crate::config::WebhookConfig { secret: Some(secret.into()), ..Default::default() })
            .unwrap()
            .signature(t, body);
        inbox.receive(&signature, body.as_bytes())
    }

    #[test]
    fn to_do_items_come_and_go_with_the_task_events_and_a_redelivery_changes_nothing() {
        let inbox = Inbox::open(SECRET.into(), None).unwrap();
        let now = unix_now();
        let created = event("f1.2.1", "task.created", Some("zhou"));
        deliver(&inbox, &created, now, SECRET).unwrap();
        deliver(&inbox, &created, now, SECRET).unwrap();
        let mine = inbox.mine("zhou");
        assert_eq!(mine.todo.len(), 1, "the same event twice is one item");
        assert_eq!((mine.todo[0].title.as_str(), mine.todo[0].step.as_str()), ("科协组建 · 某某研究院", "党组织审核"));
        assert_eq!(mine.messages.len(), 1);
        deliver(&inbox, &event("f1.3.0", "task.overdue", Some("zhou")), now, SECRET).unwrap();
        assert!(inbox.mine("zhou").todo[0].overdue);
        assert_eq!(inbox.mine("zhou").messages[0].label, "已逾期", "newest first");
        deliver(&inbox, &event("f1.4.0", "task.completed", Some("zhou")), now, SECRET).unwrap();
        assert!(inbox.mine("zhou").todo.is_empty());
        deliver(&inbox, &event("f1.5.0", "instance.completed", None), now, SECRET).unwrap();
        assert_eq!(inbox.mine("li").messages[0].label, "已办结", "the initiator hears the outcome");
    }

    #[test]
    fn a_delivery_signed_with_another_secret_or_replayed_later_is_refused_and_changes_nothing() {
        let inbox = Inbox::open(SECRET.into(), None).unwrap();
        let created = event("f1.2.1", "task.created", Some("zhou"));
        let now = unix_now();
        let wrong = deliver(&inbox, &created, now, "a-secret-some-forger-guessed").unwrap_err();
        assert_eq!((wrong.status, wrong.code), (StatusCode::UNAUTHORIZED, "bad_signature"));
        let replayed = deliver(&inbox, &created, now - 3600, SECRET).unwrap_err();
        assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
        assert!(inbox.mine("zhou").todo.is_empty() && inbox.mine("zhou").messages.is_empty());
    }

    #[test]
    fn what_it_was_told_survives_a_restart() {
        let file = std::env::temp_dir().join(format!("kexie-inbox-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&file);
        let inbox = Inbox::open(SECRET.into(), Some(file.clone())).unwrap();
        deliver(&inbox, &event("f1.2.1", "task.created", Some("zhou")), unix_now(), SECRET).unwrap();
        let reopened = Inbox::open("a-new-secret-after-restart".into(), Some(file.clone())).unwrap();
        assert_eq!(reopened.mine("zhou").todo.len(), 1);
        std::fs::remove_file(file).unwrap();
    }
}
