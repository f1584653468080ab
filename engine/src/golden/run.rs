//! Running a golden case: every action through the real state machine, every
//! expectation compared, and a trace a person can read.

use std::collections::{BTreeMap, BTreeSet};

use super::case::{Case, CaseAction, OtherInstance, People, directory, form_of, table_of};
use crate::Workflow;
use crate::fields::{Form, decimal_of};
use crate::instance::{
    self, Action, ActionError, ActionKind, Effect, Env, Instance, Moment, Position, Referenced, Transition, effects,
};
use crate::people::{Actor, Directory};
use crate::reports::Reported;
use crate::text::Lang;

/// One line of the trace: who did what at which step, and what came of it.
#[derive(Debug, Clone)]
pub struct TraceLine {
    /// When.
    pub at: Moment,
    /// The step the action was taken at.
    pub step: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: ActionKind,
    /// `Ok(route taken)` or the refusal.
    pub outcome: Result<String, String>,
    /// At a vote still under way after the action: where it stands.
    pub vote: Option<instance::Tally>,
    /// The advisory notes the rules give on the form at this action, in `lang` (only in a
    /// [`Trace::WithNotes`] run, or where the case expects notes).
    pub notes: Vec<String>,
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// The case's name.
    pub name: String,
    /// The trace.
    pub trace: Vec<TraceLine>,
    /// Every expectation that did not hold; empty means passed.
    pub failures: Vec<String>,
    /// The instance as the case left it, for the reports to count (none if it never started).
    pub ended: Option<Reported>,
}

impl CaseReport {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// How much of the trace a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trace {
    /// Steps, actors and outcomes: enough to check the case (the rules' notes only where
    /// it expects some).
    Outcomes,
    /// The rules' notes at every action too, for a person reading the trace: one more
    /// evaluation of the rules per action.
    WithNotes,
}

/// Runs `case` against `wf`; refusals in the trace are written in `lang`.
pub fn run(wf: &Workflow, shared: &People, case: &Case, lang: Lang) -> CaseReport {
    run_traced(wf, shared, case, lang, Trace::Outcomes)
}

/// [`run`], writing as much of the trace as `trace` says.
pub fn run_traced(wf: &Workflow, shared: &People, case: &Case, lang: Lang, trace: Trace) -> CaseReport {
    let mut report = CaseReport { name: case.name.clone(), trace: Vec::new(), failures: Vec::new(), ended: None };
    let dir = directory(shared, case);
    let Some(mut now) = Moment::parse(&case.start) else {
        report.failures.push(say(
            lang,
            format!("start = {:?} 不是 RFC 3339 时间，应如 2026-03-02T09:00:00+08:00", case.start),
            format!("start = {:?} is not an RFC 3339 time such as 2026-03-02T09:00:00+08:00", case.start),
        ));
        return report;
    };
    let Some(initiator) = dir.get(&case.initiator).cloned() else {
        let who = &case.initiator;
        report.failures.push(say(
            lang,
            format!("发起人「{who}」不在 [people] 中"),
            format!("the initiator '{who}' is not in [people]"),
        ));
        return report;
    };
    let refs = refs_for(wf, &case.instances, None, &initiator.id);
    let env = Env { now, directory: &dir, refs: &refs };
    let mut ended = match instance::start(wf, "case", &initiator, form_of(&case.form), &env) {
        Ok(t) => Reported::started(t, now),
        Err(e) => {
            let why = refusal(&e, lang);
            report.failures.push(say(lang, format!("无法发起：{why}"), format!("the instance could not start: {why}")));
            return report;
        }
    };
    let set = Setting { wf, dir: &dir, others: &case.instances, lang, trace };
    for (k, a) in case.actions.iter().enumerate() {
        now = match &a.at {
            Some(at) => match Moment::parse(at) {
                Some(m) => m,
                None => {
                    report.failures.push(say(
                        lang,
                        format!("第 {} 步：at = {at:?} 不是 RFC 3339 时间", k + 1),
                        format!("action {}: at = {at:?} is not an RFC 3339 time", k + 1),
                    ));
                    return report;
                }
            },
            None => now.plus_hours(1),
        };
        step_once(&set, &mut ended, (k + 1, a), now, &mut report);
    }
    expect_end(case, &ended.instance, now, lang, &mut report);
    report.ended = Some(ended);
    report
}

/// What stays the same for every action of a case.
struct Setting<'a> {
    wf: &'a Workflow,
    dir: &'a Directory,
    others: &'a [OtherInstance],
    lang: Lang,
    trace: Trace,
}

/// The other instances an action by `actor` may refer to, as the server gives them: those
/// the instance holds where they cannot be changed, and those the actor may read.
fn refs_for(
    wf: &Workflow,
    others: &[OtherInstance],
    held: Option<&Instance>,
    actor: &str,
) -> BTreeMap<String, Referenced> {
    let held = held.map(|i| instance::held_references(&wf.definition, i)).unwrap_or_default();
    others
        .iter()
        .filter(|o| held.contains(&o.id) || o.readers.iter().any(|r| r == actor))
        .map(|o| (o.id.clone(), o.referenced()))
        .collect()
}

fn step_once(
    set: &Setting<'_>,
    reported: &mut Reported,
    (k, a): (usize, &CaseAction),
    now: Moment,
    report: &mut CaseReport,
) {
    let Setting { wf, dir, others, lang, trace } = *set;
    let label = say(
        lang,
        format!("第 {k} 步（{} {}）", a.actor, a.action),
        format!("action {k} ({} by {})", a.action, a.actor),
    );
    let step = reported.instance.step.clone();
    let actor = dir.get(&a.actor).cloned().unwrap_or_else(|| Actor { id: a.actor.clone(), ..Actor::default() });
    let action = match to_action(a) {
        Ok(action) => action,
        Err(e) => {
            report.failures.push(format!("{label}: {e}"));
            return;
        }
    };
    let refs = refs_for(wf, others, Some(&reported.instance), &actor.id);
    let result = instance::apply(wf, &reported.instance, &action, &actor, &Env { now, directory: dir, refs: &refs });
    let expects_refusal = a.refused.is_some() || a.errors.is_some();
    let outcome = match &result {
        Ok(t) => Ok(outcome_of(&step, &t.instance)),
        Err(e) => Err(refusal(e, lang)),
    };
    let vote = result.as_ref().ok().and_then(|t| instance::tally(wf.definition.step(&step)?, &t.instance));
    let notes =
        (a.notes.is_some() || trace == Trace::WithNotes).then(|| notes_at(wf, reported, (&step, a), &actor, now));
    report.trace.push(TraceLine {
        at: now,
        step: step.clone(),
        actor: a.actor.clone(),
        action: a.action,
        outcome,
        vote,
        notes: notes.iter().flatten().flatten().map(|m| m.render(lang)).collect(),
    });
    match result {
        Ok(t) if expects_refusal => report.failures.push(say(
            lang,
            format!("{label}：应被拒绝，却被接受了（现在在步骤「{}」）", t.instance.step),
            format!("{label}: expected to be refused, but it was accepted (now at step '{}')", t.instance.step),
        )),
        Ok(t) => {
            check_events(&label, a, &reported.instance, &t, lang, report);
            reported.record(t);
        }
        Err(e) if !expects_refusal => report.failures.push(format!("{label}: {}", refusal(&e, lang))),
        Err(e) => check_refusal(&label, a, &e, lang, report),
    }
    if let (Some(n), Some(notes)) = (a.notes, notes) {
        match notes {
            Ok(notes) if notes.len() == n => {}
            Ok(notes) => {
                let got = notes.len();
                let notes: Vec<String> = notes.iter().map(|m| m.render(lang)).collect();
                report.failures.push(say(
                    lang,
                    format!("{label}：应有 {n} 条提示，规则给出 {got} 条：{notes:?}"),
                    format!("{label}: expected {n} note(s), the rules gave {got}: {notes:?}"),
                ));
            }
            Err(e) => report.failures.push(say(
                lang,
                format!("{label}：规则出错：{e}"),
                format!("{label}: the rules failed: {e}"),
            )),
        }
    }
    expect_now(&label, (a.step.as_deref(), a.status.as_deref()), &reported.instance, lang, report);
}

/// The rules' notes on the form as action `a` left it (or would have), at the step it
/// was taken at.
fn notes_at(
    wf: &Workflow,
    reported: &Reported,
    (step, a): (&str, &CaseAction),
    actor: &Actor,
    now: Moment,
) -> Result<Vec<crate::text::Message>, crate::rules::RuleError> {
    let mut form = reported.instance.form.clone();
    form.extend(changes_of(a));
    let ctx = crate::RuleContext {
        step: step.to_string(),
        ..crate::RuleContext::for_instance(&reported.instance, actor, now)
    };
    wf.evaluate(&form, &ctx).map(|e| e.notes)
}

/// The action's events, as `events` writes them, against what the case expects.
fn check_events(label: &str, a: &CaseAction, before: &Instance, t: &Transition, lang: Lang, report: &mut CaseReport) {
    let Some(want) = &a.events else { return };
    let got = said(&effects(Some(before), &t.instance, &t.events));
    if &got != want {
        report.failures.push(say(
            lang,
            format!("{label}：事件应为 {want:?}，实际为 {got:?}"),
            format!("{label}: expected the events {want:?}, got {got:?}"),
        ));
    }
}

/// Events as a case writes them: `"task.created zhou"`, `"instance.submitted"`.
pub fn said(effects: &[Effect]) -> Vec<String> {
    let line = |e: &Effect| match e.task() {
        Some(t) => format!("{} {}", e.name(), t.assignee),
        None => e.name().to_string(),
    };
    effects.iter().map(line).collect()
}

fn check_refusal(label: &str, a: &CaseAction, e: &ActionError, lang: Lang, report: &mut CaseReport) {
    let want_code = a.refused.as_deref().unwrap_or("validation");
    if e.code() != want_code {
        let got = refusal(e, lang);
        report.failures.push(say(
            lang,
            format!("{label}：应以「{want_code}」被拒绝，实际{got}"),
            format!("{label}: expected refusal '{want_code}', got {got}"),
        ));
    }
    if let (Some(want), ActionError::Validation { errors }) = (&a.errors, e) {
        let got: BTreeSet<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        let want: BTreeSet<&str> = want.iter().map(String::as_str).collect();
        if got != want {
            report.failures.push(say(
                lang,
                format!("{label}：应在 {want:?} 报错，实际在 {got:?}"),
                format!("{label}: expected errors on {want:?}, got {got:?}"),
            ));
        }
    }
}

/// `(step, status)`: where the instance must be now.
fn expect_now(label: &str, at: (Option<&str>, Option<&str>), inst: &Instance, lang: Lang, report: &mut CaseReport) {
    let (step, status) = at;
    if let Some(step) = step.filter(|s| *s != inst.step) {
        report.failures.push(say(
            lang,
            format!("{label}：应在步骤「{step}」，实际在「{}」", inst.step),
            format!("{label}: expected step '{step}', it is at '{}'", inst.step),
        ));
    }
    if let Some(status) = status.filter(|s| *s != inst.status.as_str()) {
        let is = inst.status.as_str();
        report.failures.push(say(
            lang,
            format!("{label}：状态应为「{status}」，实际为「{is}」"),
            format!("{label}: expected status '{status}', it is '{is}'"),
        ));
    }
}

/// A failure line in the reader's language.
fn say(lang: Lang, zh: String, en: String) -> String {
    if lang == Lang::Zh { zh } else { en }
}

fn expect_end(case: &Case, inst: &Instance, now: Moment, lang: Lang, report: &mut CaseReport) {
    let e = &case.expect;
    let end = say(lang, "结束时".into(), "at the end".into());
    expect_now(&end, (e.step.as_deref(), e.status.as_deref()), inst, lang, report);
    if let Some(route) = e.route.as_ref().filter(|r| **r != inst.route) {
        let went = &inst.route;
        report.failures.push(say(
            lang,
            format!("{end}：路线应为 {route:?}，实际为 {went:?}"),
            format!("{end}: expected route {route:?}, it went {went:?}"),
        ));
    }
    for (field, want) in form_of(e.form.as_ref().unwrap_or(&toml::Table::new())) {
        let got = inst.form.get(&field).cloned().unwrap_or(serde_json::Value::Null);
        let same_number = decimal_of(&got).zip(decimal_of(&want)).is_some_and(|(a, b)| a == b);
        if got != want && !same_number {
            report.failures.push(say(
                lang,
                format!("{end}：{field} 应为 {want}，实际为 {got}"),
                format!("{end}: expected {field} = {want}, it is {got}"),
            ));
        }
    }
    if let Some(overdue) = e.overdue {
        let at = e.at.as_deref().and_then(Moment::parse).unwrap_or(now);
        if inst.is_overdue(at) != overdue {
            report.failures.push(say(
                lang,
                format!("{end}：在 {at} 是否逾期应为 {overdue}"),
                format!("{end}: expected overdue = {overdue} at {at}"),
            ));
        }
    }
}

fn changes_of(a: &CaseAction) -> Form {
    a.set.as_ref().map(form_of).unwrap_or_default()
}

/// The case's action as the engine's (also used to replay cases through the API).
pub fn to_action(a: &CaseAction) -> Result<Action, String> {
    let changes = changes_of(a);
    if a.set.is_some() && !a.action.carries_changes() {
        return Err(format!(
            "`set` has no effect on {}: only save_draft, submit, approve and reject change fields",
            a.action
        ));
    }
    let need = |what: &Option<String>, key: &str| what.clone().ok_or_else(|| format!("{} needs `{key}`", a.action));
    Ok(match a.action {
        ActionKind::SaveDraft => Action::SaveDraft { changes },
        ActionKind::Submit => Action::Submit { changes },
        ActionKind::Approve => Action::Approve { changes, comment: a.comment.clone() },
        ActionKind::Reject => Action::Reject { changes, comment: a.comment.clone() },
        ActionKind::Return => Action::Return { to: need(&a.to, "to")?, reason: a.comment.clone() },
        ActionKind::Withdraw => Action::Withdraw,
        ActionKind::Transfer => Action::Transfer { to: need(&a.to, "to")?, comment: a.comment.clone() },
        ActionKind::AddApprover => Action::AddApprover {
            user: need(&a.to, "to")?,
            position: a.position.unwrap_or(Position::After),
            comment: a.comment.clone(),
        },
        ActionKind::Comment => Action::Comment { text: need(&a.comment, "comment")? },
        ActionKind::Cc => Action::Cc { users: a.users.clone() },
        ActionKind::Remind => Action::Remind,
    })
}

/// The engine's action as a case writes it, taken by `actor`: the inverse of
/// [`to_action`]. The rule editor records cases from its preview this way.
pub fn from_action(actor: &str, action: &Action) -> CaseAction {
    let mut a = CaseAction {
        actor: actor.into(),
        action: action.kind(),
        set: None,
        comment: None,
        to: None,
        position: None,
        users: Vec::new(),
        at: None,
        refused: None,
        errors: None,
        step: None,
        status: None,
        notes: None,
        events: None,
    };
    let set = |changes: &Form| (!changes.is_empty()).then(|| table_of(changes));
    match action {
        Action::SaveDraft { changes } | Action::Submit { changes } => a.set = set(changes),
        Action::Approve { changes, comment } | Action::Reject { changes, comment } => {
            a.set = set(changes);
            a.comment = comment.clone();
        }
        Action::Return { to, reason: comment } | Action::Transfer { to, comment } => {
            a.to = Some(to.clone());
            a.comment = comment.clone();
        }
        Action::AddApprover { user, position, comment } => {
            a.to = Some(user.clone());
            a.position = Some(*position);
            a.comment = comment.clone();
        }
        Action::Comment { text } => a.comment = Some(text.clone()),
        Action::Cc { users } => a.users = users.clone(),
        Action::Withdraw | Action::Remind => {}
    }
    a
}

fn outcome_of(before: &str, inst: &Instance) -> String {
    if inst.status.is_finished() && inst.step == before {
        format!("ends at {before} [{}]", inst.status.as_str())
    } else if inst.status.is_finished() {
        format!("{before} → {} [{}]", inst.step, inst.status.as_str())
    } else if inst.step == before {
        format!("stays at {before} (waiting for {})", inst.waiting_for().join(", "))
    } else {
        format!("{before} → {} [{}]", inst.step, inst.status.as_str())
    }
}

fn refusal(e: &ActionError, lang: Lang) -> String {
    match e {
        ActionError::Validation { errors } => {
            let list: Vec<String> = errors.iter().map(|f| format!("{}: {}", f.path, f.message.render(lang))).collect();
            say(
                lang,
                format!("被拒绝（validation）：{}", list.join("；")),
                format!("refused (validation): {}", list.join("; ")),
            )
        }
        e => {
            let (code, message) = (e.code(), e.message().render(lang));
            say(lang, format!("被拒绝（{code}）：{message}"), format!("refused ({code}): {message}"))
        }
    }
}
