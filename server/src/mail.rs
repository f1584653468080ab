//! Mail for enterprises without a to-do centre (`[email]`): a new task, an overdue task,
//! a reminder and a returned application are mailed to the person concerned, if the
//! host's directory gave them an address, in their language, with the link to act on it.
//! Mail is one more receiver of the outbox (`outbox.rs`): retried, in order, never sent
//! while an action waits.

use std::time::Duration;

use kexie_api::IntegrationEvent;
use kexie_engine::text::Lang;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailConfig, Tls};
use crate::store::{Contact, Due, Store};

/// Mail's name in the deliveries table.
pub const RECEIVER: &str = "email";
/// The events that may be mailed.
pub const EVENTS: [&str; 4] = ["task.created", "task.overdue", "task.reminded", "instance.returned"];
/// How long the SMTP server may take.
const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    store: Store,
    /// `events.task_url`, for a returned application's link.
    task_url: Option<String>,
}

impl Mailer {
    pub fn of(config: &EmailConfig, store: Store, task_url: Option<String>) -> Result<Mailer, String> {
        let from = config.from.parse().map_err(|e| format!("email.from: {e}"))?;
        let relay = |e| format!("email.host: {e}");
        let builder = match config.tls {
            Tls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host).map_err(relay)?,
            Tls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(relay)?,
            Tls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
        };
        let mut builder = builder.port(config.port).timeout(Some(TIMEOUT));
        if let (Some(user), Some(password)) = (&config.username, config.password()) {
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer { transport: builder.build(), from, store, task_url })
    }

    /// Mails what delivery `d` tells to whom it concerns; done at once when it concerns
    /// nobody with an address.
    pub async fn send(&self, d: &Due) -> Result<(), String> {
        let event: IntegrationEvent = serde_json::from_str(&d.body).map_err(|e| format!("event {}: {e}", d.id))?;
        let Some(to) = recipient(&event) else { return Ok(()) };
        let Some(contact) = self.store.contact(to).await.map_err(|e| e.to_string())? else { return Ok(()) };
        let message = self.compose(&event, &contact)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
    }

    fn compose(&self, event: &IntegrationEvent, to: &Contact) -> Result<Message, String> {
        let address = to.email.parse().map_err(|e| format!("{}: {e}", to.email))?;
        let (subject, body) = letter(event, to, self.link(event).as_deref());
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(to.name.clone()), address))
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())
    }

    /// Where to act: the task's link, or for a returned application the instance's.
    fn link(&self, event: &IntegrationEvent) -> Option<String> {
        match &event.task {
            Some(task) => task.url.clone(),
            None => self.task_url.as_deref().map(|u| kexie_api::events::link(u, &event.instance.id, "")),
        }
    }
}

/// Whom an event concerns by mail: the assignee of a new, overdue or reminded task, the
/// initiator of an application returned to its draft. A draft's own new task is not
/// mailed: it came back by a return (mailed as that) or its initiator withdrew it.
fn recipient(event: &IntegrationEvent) -> Option<&str> {
    let draft = event.instance.status == "draft";
    match (event.kind.as_str(), &event.task) {
        ("task.created", Some(t)) if !draft => Some(&t.assignee.id),
        ("task.overdue" | "task.reminded", Some(t)) => Some(&t.assignee.id),
        ("instance.returned", _) if draft => Some(&event.instance.initiator.id),
        _ => None,
    }
}

/// The subject and plain-text body, in the reader's language.
fn letter(event: &IntegrationEvent, to: &Contact, link: Option<&str>) -> (String, String) {
    let lang = to.lang;
    let zh = lang == Lang::Zh;
    let i = &event.instance;
    let (tag, line) = match (event.kind.as_str(), zh) {
        ("task.created", true) => ("待办", "您有一项新的待办事项，请及时办理。"),
        ("task.created", false) => ("To do", "You have a new task."),
        ("task.overdue", true) => ("已逾期", "您的待办事项已超过办理期限，请尽快办理。"),
        ("task.overdue", false) => ("Overdue", "Your task is past its deadline."),
        ("task.reminded", true) => ("催办", "此事项被催办，请尽快办理。"),
        ("task.reminded", false) => ("Reminder", "You were reminded of this task."),
        (_, true) => ("已退回", "您的申请已被退回，请修改后重新提交。"),
        (_, false) => ("Returned", "Your application was returned: please revise and submit it again."),
    };
    let title = i.title.get(lang);
    let what = i.summary.as_deref().map_or(title.to_string(), |s| format!("{title}：{s}"));
    let step = i.step_label.as_ref().map_or(i.step.as_str(), |l| l.get(lang));
    let subject = if zh { format!("【{tag}】{what}（{step}）") } else { format!("[{tag}] {what} ({step})") };
    let due = event.task.as_ref().and_then(|t| t.due_at.as_deref()).map(|d| &d[..d.len().min(10)]);
    let mut body =
        if zh { format!("{}，您好：\n\n{line}\n\n", to.name) } else { format!("Dear {},\n\n{line}\n\n", to.name) };
    let rows: [(&str, &str, Option<&str>); 4] = [
        ("流程", "Workflow", Some(title)),
        ("事项", "Item", i.summary.as_deref()),
        ("环节", "Step", Some(step)),
        ("办理期限", "Due", due),
    ];
    for (label_zh, label_en, value) in rows {
        if let Some(v) = value {
            body += &if zh { format!("{label_zh}：{v}\n") } else { format!("{label_en}: {v}\n") };
        }
    }
    body += &match (link, zh) {
        (Some(url), true) => format!("\n办理：{url}\n"),
        (Some(url), false) => format!("\nOpen it: {url}\n"),
        (None, true) => "\n请登录协同办公平台办理。\n".into(),
        (None, false) => "\nPlease open it in the OA portal.\n".into(),
    };
    body += if zh {
        "\n——此邮件由科协流程自动发送，请勿回复。\n"
    } else {
        "\n— Sent by Kexie Flow; please do not reply.\n"
    };
    (subject, body)
}

#[cfg(test)]
mod tests {
    use kexie_api::PersonRef;
    use kexie_api::events::{EventInstance, EventTask};
    use kexie_engine::text::Text;

    use super::*;

    fn event(kind: &str, status: &str, task: bool) -> IntegrationEvent {
        let person = |id: &str, name: &str| PersonRef::named(id.into(), name.into());
        IntegrationEvent {
            id: "f1.2.1".into(),
            kind: kind.into(),
            at: "2026-12-02T10:00:00+08:00".into(),
            instance: EventInstance {
                id: "f1".into(),
                workflow: "kexie-formation".into(),
                title: Text::new("科协组建", "Forming an enterprise S&T association"),
                version: 3,
                status: status.into(),
                step: "party".into(),
                step_label: Some(Text::new("企业党组织审批", "Party organisation")),
                initiator: person("li", "李明"),
                summary: Some("中化新材料研究院有限公司".into()),
            },
            task: task.then(|| EventTask {
                id: "f1.2.zhou".into(),
                assignee: person("zhou", "周建国"),
                step: "party".into(),
                due_at: Some("2026-12-09T10:00:00+08:00".into()),
                url: Some("https://oa.example.com/kexie?instance=f1".into()),
            }),
            copied: vec![],
        }
    }

    #[test]
    fn a_new_task_reads_as_a_chinese_reader_expects() {
        let to = Contact { name: "周建国".into(), email: "zhou@example.com".into(), lang: Lang::Zh };
        let e = event("task.created", "running", true);
        let (subject, body) = letter(&e, &to, Some("https://oa.example.com/kexie?instance=f1"));
        assert_eq!(subject, "【待办】科协组建：中化新材料研究院有限公司（企业党组织审批）");
        assert_eq!(
            body,
            "周建国，您好：\n\n您有一项新的待办事项，请及时办理。\n\n流程：科协组建\n事项：中化新材料研究院有限公司\n\
             环节：企业党组织审批\n办理期限：2026-12-09\n\n办理：https://oa.example.com/kexie?instance=f1\n\n\
             ——此邮件由科协流程自动发送，请勿回复。\n"
        );
    }

    #[test]
    fn only_the_person_who_must_act_is_mailed_and_a_drafts_own_task_is_not() {
        assert_eq!(recipient(&event("task.created", "running", true)), Some("zhou"));
        assert_eq!(recipient(&event("task.created", "draft", true)), None, "returned or withdrawn: no second mail");
        assert_eq!(recipient(&event("task.reminded", "running", true)), Some("zhou"));
        assert_eq!(recipient(&event("instance.returned", "draft", false)), Some("li"));
        assert_eq!(recipient(&event("instance.returned", "running", false)), None, "back to an earlier approver");
        assert_eq!(recipient(&event("task.completed", "running", true)), None);
    }
}
