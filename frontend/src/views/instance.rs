//! One instance: the form with the current step's permissions, the actions this user
//! may take now, and the timeline of the audit log.

use std::collections::BTreeSet;
use std::rc::Rc;

use kexie_engine::definition::ApprovalMode;
use kexie_engine::instance::{Action, ActionKind};
use kexie_engine::text::Lang;
use serde_json::json;
use yew::prelude::*;

use super::actions::ActionBar;
use super::status::{Notice, carried, current, loading, notice, status_label};
use super::timeline::Timeline;
use crate::api::Failure;
use crate::app::{Compiled, Session, use_session, workflow};
use crate::draft::DraftKey;
use crate::editing::{Sender, rule_context, use_editing, use_send};
use crate::form::{FormView, Shared, picker};
use crate::i18n::{date, moment_ms, pick};
use kexie_api::{AuditEntry, InstanceView};

#[derive(Properties, PartialEq)]
pub struct InstanceProps {
    pub id: AttrValue,
}

type Loaded = (Rc<InstanceView>, Rc<Compiled>);

fn instance_path(id: &str) -> String {
    format!("/instances/{id}")
}

fn audit_path(id: &str) -> String {
    format!("/instances/{id}/audit")
}

/// What the page asks for first: the instance, and its audit log for the timeline.
pub fn first_paths(id: &str) -> [String; 2] {
    [instance_path(id), audit_path(id)]
}

async fn load(s: &Session, id: &str) -> Result<Loaded, Failure> {
    let view: InstanceView = s.client.get(&instance_path(id)).await?;
    for (id, name) in &view.names {
        picker::remember(id, name);
    }
    let wf = workflow(&s.client, &view.workflow, Some(view.version)).await?;
    Ok((Rc::new(view), wf))
}

#[function_component]
pub fn InstancePage(p: &InstanceProps) -> Html {
    let s = use_session();
    let loaded = use_state(|| None::<Result<Loaded, Failure>>);
    let flash = use_state(carried);
    let audit = use_state(|| Rc::new(Vec::<AuditEntry>::new()));
    let reload_audit = {
        let (s, audit, id) = (s.clone(), audit.clone(), p.id.to_string());
        Callback::from(move |_: ()| {
            let (s, audit, id) = (s.clone(), audit.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(entries) = s.client.get::<Vec<AuditEntry>>(&audit_path(&id)).await {
                    audit.set(Rc::new(entries));
                }
            });
        })
    };
    {
        let (s, loaded, id, reload_audit) = (s.clone(), loaded.clone(), p.id.to_string(), reload_audit.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move { loaded.set(Some(load(&s, &id).await)) });
            reload_audit.emit(());
        });
    }
    let on_updated = {
        let (loaded, reload_audit) = (loaded.clone(), reload_audit.clone());
        let flash = flash.clone();
        Callback::from(move |(view, message): (InstanceView, Option<Notice>)| {
            flash.set(message);
            if let Some(Ok((_, wf))) = &*loaded {
                for (id, name) in &view.names {
                    picker::remember(id, name);
                }
                loaded.set(Some(Ok((Rc::new(view), wf.clone()))));
                reload_audit.emit(());
            }
        })
    };
    match &*loaded {
        None => loading(s.lang),
        Some(Err(f)) => notice(&Some(Notice::Error(f.explain(s.lang)))),
        Some(Ok((view, wf))) => html! {
            <InstanceBody key={view.revision.to_string()} view={view.clone()} wf={Shared(wf.clone())}
                audit={(*audit).clone()} {on_updated} flash={(*flash).clone()} />
        },
    }
}

#[derive(Properties, PartialEq)]
struct BodyProps {
    view: Rc<InstanceView>,
    wf: Shared<Compiled>,
    audit: Rc<Vec<AuditEntry>>,
    on_updated: Callback<(InstanceView, Option<Notice>)>,
    /// What the last action did, shown when the body opens.
    flash: Option<Notice>,
}

/// What the user is told after an action, and what someone else changed on a conflict.
#[derive(Clone, PartialEq)]
enum Outcome {
    Notice(Notice),
    Conflict(Rc<InstanceView>),
}

#[function_component]
fn InstanceBody(p: &BodyProps) -> Html {
    let s = use_session();
    let view = p.view.clone();
    let compiled = p.wf.0.clone();
    for r in view.references.values() {
        crate::form::reference::remember(r);
    }
    let ctx = rule_context(&s, &view.step, view.initiator.actor(), view.route.clone(), view.decisions.clone());
    let key = DraftKey::instance(s.client.base(), &s.me.id, &view.id);
    let base = use_memo(view.clone(), |v| v.form.clone());
    let editing = use_editing(compiled.clone(), base, ctx, key, view.revision);
    let editable: Rc<BTreeSet<String>> = use_memo(view.clone(), |v| v.editable.iter().cloned().collect());
    let outcome = use_state(|| {
        if let Some(n) = &p.flash {
            return Some(Outcome::Notice(n.clone()));
        }
        editing.restored.as_ref().filter(|_| !editable.is_empty()).map(|d| {
            Outcome::Notice(Notice::Info(format!(
                "{}{}",
                s.t("已恢复您上次未提交的修改，保存于 ", "Restored your unsent changes, saved "),
                moment_ms(s.lang, d.saved_at)
            )))
        })
    });
    let form_ref = use_node_ref();
    let sender = use_send(&editing, &form_ref, outcome.setter().to_callback().reform(|n| Some(Outcome::Notice(n))));
    let names = use_memo(view.clone(), |v| Rc::new(v.names.clone()));
    let act = {
        let (sender, view, editable, outcome) = (sender.clone(), view.clone(), editable.clone(), outcome.clone());
        let on_updated = p.on_updated.clone();
        Callback::from(move |action: Action| {
            let checked = matches!(action, Action::Submit { .. } | Action::Approve { .. }) && !editable.is_empty();
            if let Some(changes) = sender.begin(checked, &editable) {
                let sent = (sender.clone(), view.clone(), outcome.clone(), on_updated.clone());
                wasm_bindgen_futures::spawn_local(act_on(sent, action.with_changes(changes)));
            }
        })
    };
    let eval = editing.shown_eval.clone();
    let shown = if editable.is_empty() { Rc::new(Vec::new()) } else { editing.shown.clone() };
    let (on_change, on_blur) = (editing.on_change.clone(), editing.on_blur.clone());
    let returned = returned_because(&view, &p.audit, &s);
    let countersign = compiled.wf.definition.step(&view.step).is_some_and(|st| st.mode != ApprovalMode::Any);
    let message = match &*outcome {
        Some(Outcome::Notice(n)) => notice(&current(&Some(n.clone()), s.lang, editing.blocking())),
        Some(Outcome::Conflict(now)) => conflict(&s, &view, now, &compiled, p.on_updated.clone()),
        None => notice(&None),
    };
    html! {
        <section class="kx-page" aria-labelledby={s.dom_id("title")} aria-busy={sender.busy().to_string()}>
            { header(&s, &view) }
            { message }
            if let Some(r) = returned { <div class="kx-alert kx-alert-info" role="note">{ r }</div> }
            <div ref={form_ref}>
                <FormView wf={p.wf.clone()} values={editing.values.clone()} {eval} editable={editable.clone()}
                    errors={shown} {on_change} {on_blur} instance={Some(AttrValue::from(view.id.clone()))} names={(*names).clone()} />
            </div>
            <ActionBar view={view.clone()} busy={sender.busy()} on_act={act} {countersign} />
            <Timeline entries={p.audit.clone()} wf={p.wf.clone()} names={(*names).clone()} instance={AttrValue::from(view.id.clone())} />
        </section>
    }
}

/// What an action needs once it is sent: the form's sending, the instance as it was,
/// where a conflict shows, and whom to hand the instance as it is now.
type Sent = (Sender, Rc<InstanceView>, UseStateHandle<Option<Outcome>>, Callback<(InstanceView, Option<Notice>)>);

/// Takes `action` and shows what came of it.
async fn act_on((sender, view, outcome, on_updated): Sent, action: Action) {
    let s = sender.session().clone();
    let kind = action.kind();
    match s.client.act(&view, action).await {
        Ok(after) => {
            sender.sent(event_of(kind), &after);
            let done = Notice::Success(done(s.lang, kind, &after));
            on_updated.emit((after, Some(done)));
        }
        Err(Failure::Conflict(now)) => {
            sender.ended();
            sender.report(&Failure::Conflict(now.clone()), json!({ "instance": view.id, "step": view.step }));
            outcome.set(Some(Outcome::Conflict(Rc::new(*now))));
        }
        Err(f) => sender.failed(&f, json!({ "instance": view.id, "step": view.step })),
    }
}

/// Why the instance came back, for the person it came back to: the last return's reason.
fn returned_because(v: &InstanceView, audit: &[AuditEntry], s: &Session) -> Option<String> {
    let (action, last) = audit.iter().rev().find_map(|e| Some((e.event.action()?, &e.event)))?;
    if action != ActionKind::Return || v.editable.is_empty() {
        return None;
    }
    let who = v.name_of(&last.actor);
    let why = last.comment.clone().unwrap_or_default();
    Some(match s.lang {
        Lang::Zh => format!("{who} 退回了此流程：{why}"),
        Lang::En => format!("{who} returned this: {why}"),
    })
}

/// The host event an action sends when it succeeds.
fn event_of(action: ActionKind) -> Option<&'static str> {
    match action {
        ActionKind::Submit => Some("submitted"),
        ActionKind::Approve => Some("approved"),
        ActionKind::Reject => Some("rejected"),
        ActionKind::Return => Some("returned"),
        ActionKind::SaveDraft
        | ActionKind::Withdraw
        | ActionKind::Transfer
        | ActionKind::AddApprover
        | ActionKind::Comment
        | ActionKind::Cc
        | ActionKind::Remind => None,
    }
}

/// What an action did, for the notice after it: "已同意。流程现在处于「…」。"
pub(super) fn done(lang: Lang, action: ActionKind, after: &InstanceView) -> String {
    let (zh, en) = match action {
        ActionKind::Submit => ("已提交", "Submitted"),
        ActionKind::SaveDraft => ("已保存", "Saved"),
        ActionKind::Approve => ("已办理", "Done"),
        ActionKind::Reject => ("已驳回", "Rejected"),
        ActionKind::Return => ("已退回", "Returned"),
        ActionKind::Transfer => ("已转交", "Transferred"),
        ActionKind::AddApprover => ("已加签", "Approver added"),
        ActionKind::Cc => ("已抄送", "Copies sent"),
        ActionKind::Comment => ("评论已发表", "Comment posted"),
        ActionKind::Remind => ("已催办", "Reminder sent"),
        ActionKind::Withdraw => ("已撤回", "Withdrawn"),
    };
    let (zh, en) = if action == ActionKind::Reject && after.vote.is_some() {
        ("已投反对票", "Voted against")
    } else {
        (zh, en)
    };
    let step = after.step_label.as_ref().map(|l| pick(lang, l)).unwrap_or_else(|| after.step.clone());
    match (lang, after.status.as_str()) {
        (Lang::Zh, "rejected") if after.vote.is_some() => format!("{zh}。表决未通过，流程已结束。"),
        (Lang::En, "rejected") if after.vote.is_some() => format!("{en}. The vote did not pass; the workflow ended."),
        (Lang::Zh, "completed") => format!("{zh}。流程已办结。"),
        (Lang::En, "completed") => format!("{en}. The workflow is complete."),
        (Lang::Zh, "rejected") => format!("{zh}。流程已结束（驳回）。"),
        (Lang::En, "rejected") => format!("{en}. The workflow ended (rejected)."),
        (Lang::Zh, _) => format!("{zh}。当前环节：{step}。"),
        (Lang::En, _) => format!("{en}. Now at: {step}."),
    }
}

fn header(s: &Session, v: &InstanceView) -> Html {
    let step = v.step_label.as_ref().map(|l| pick(s.lang, l)).unwrap_or_else(|| v.step.clone());
    let waiting: Vec<&str> = v.waiting_for.iter().map(|id| v.name_of(id)).collect();
    html! {
        <header class="kx-head">
            <div class="kx-head-row">
                <h2 class="kx-title" id={s.dom_id("title")}>{ pick(s.lang, &v.title) }</h2>
                <super::print::PrintButton instance={v.id.clone()} />
            </div>
            <p class="kx-meta">
                <span class={classes!("kx-badge", format!("kx-status-{}", v.status))}>{
                    if v.status == "rejected" && v.vote.is_some() { s.t("未通过", "Not passed") } else { status_label(s.lang, &v.status, v.route.len() > 1) }
                }</span>
                if v.status == "running" || v.status == "draft" {
                    <span>{ s.t("当前环节：", "Current step: ") }<strong>{ step }</strong></span>
                }
                if !waiting.is_empty() { <span>{ s.t("待办人：", "Waiting for: ") }{ waiting.join(s.t("、", ", ")) }</span> }
                <span>{ s.t("发起人：", "Started by: ") }{ v.initiator.name.clone() }</span>
                if let Some(t) = &v.vote { <span>{ t.describe().render(s.lang) }</span> }
                if let Some(until) = &v.notice_until {
                    <span>{ s.t("公示期满：", "Notice ends: ") }{ crate::i18n::moment(s.lang, until) }
                        if !v.can(ActionKind::Approve) && v.waiting_for.contains(&s.me.id) { { s.t("（期满后可结束公示）", " (it can be closed then)") } }
                    </span>
                }
                if let Some(due) = &v.due_at {
                    <span class={classes!(v.overdue.then_some("kx-overdue"))}>
                        { s.t("办理期限：", "Due: ") }{ date(s.lang, due) }
                        if v.overdue { { s.t("（已逾期）", " (overdue)") } }
                    </span>
                }
            </p>
        </header>
    }
}

/// What someone else changed, and a way to carry on from there with my changes kept.
fn conflict(
    s: &Session,
    before: &InstanceView,
    now: &Rc<InstanceView>,
    wf: &Compiled,
    on_updated: Callback<(InstanceView, Option<Notice>)>,
) -> Html {
    let mut changes: Vec<String> = Vec::new();
    if before.step != now.step {
        let label = |v: &InstanceView| v.step_label.as_ref().map(|l| pick(s.lang, l)).unwrap_or_else(|| v.step.clone());
        changes.push(format!("{}{} → {}", s.t("环节：", "Step: "), label(before), label(now)));
    }
    for f in &wf.wf.definition.fields {
        let (a, b) = (before.form.get(&f.id), now.form.get(&f.id));
        if a != b {
            let show = |v: Option<&serde_json::Value>| {
                v.map(|v| crate::form::display::text(s.lang, f, v, &now.names)).unwrap_or_else(|| "—".into())
            };
            changes.push(format!("{}{}{} → {}", pick(s.lang, &f.label()), s.t("：", ": "), show(a), show(b)));
        }
    }
    let reload = {
        let now = now.clone();
        Callback::from(move |_| on_updated.emit(((*now).clone(), None)))
    };
    html! {
        <div class="kx-alert kx-alert-error kx-conflict" role="alert">
            <p>{ Failure::Conflict(Box::new((**now).clone())).explain(s.lang) }</p>
            if !changes.is_empty() { <ul>{ for changes.into_iter().map(|c| html! { <li>{ c }</li> }) }</ul> }
            <button type="button" class="kx-btn" onclick={reload}>{ s.t("载入最新内容（保留我的修改）", "Load the latest (keeping my changes)") }</button>
        </div>
    }
}
