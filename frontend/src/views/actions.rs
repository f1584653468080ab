//! The actions this user may take now: the main decision with its opinion, and the
//! others (return, transfer, add an approver, CC, comment, remind, withdraw), each in a
//! small panel that asks for what it needs.

use std::rc::Rc;

use kexie_engine::definition::{Field, FieldKind, StepKind};
use kexie_engine::fields::Form;
use kexie_engine::instance::{Action, ActionKind, Position};
use serde_json::Value;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{Session, use_session};
use crate::form::InputProps;
use crate::form::picker::{Picker, chosen};
use crate::i18n::pick;
use kexie_api::InstanceView;

#[derive(Properties, PartialEq)]
pub struct BarProps {
    pub view: Rc<InstanceView>,
    pub busy: bool,
    pub on_act: Callback<Action>,
    /// The step is a countersign (every assignee decides): the opinion is each one's own.
    #[prop_or_default]
    pub countersign: bool,
}

/// How the bar offers an action.
enum Offer {
    /// The step's decision, taken with the opinion above the buttons.
    Decision,
    /// A button that takes this action at once.
    Now(Action, [&'static str; 2]),
    /// A button that opens a panel asking for what the action needs.
    Panel([&'static str; 2]),
}

/// The first place of the actions after the step's decision (which the sticky bar holds).
const MORE: u8 = 4;

/// Each action's place in the bar (left to right) and how it is offered.
fn offer(kind: ActionKind) -> (u8, Offer) {
    let unchanged = Form::new;
    match kind {
        ActionKind::Submit => (0, Offer::Now(Action::Submit { changes: unchanged() }, ["提交", "Submit"])),
        ActionKind::Approve => (1, Offer::Decision),
        ActionKind::Reject => (2, Offer::Decision),
        ActionKind::SaveDraft => {
            (3, Offer::Now(Action::SaveDraft { changes: unchanged() }, ["保存草稿", "Save draft"]))
        }
        ActionKind::Return => (4, Offer::Panel(["退回…", "Return…"])),
        ActionKind::Transfer => (5, Offer::Panel(["转交…", "Transfer…"])),
        ActionKind::AddApprover => (6, Offer::Panel(["加签…", "Add approver…"])),
        ActionKind::Cc => (7, Offer::Panel(["抄送…", "CC…"])),
        ActionKind::Comment => (8, Offer::Panel(["评论…", "Comment…"])),
        ActionKind::Withdraw => (9, Offer::Panel(["撤回…", "Withdraw…"])),
        ActionKind::Remind => (10, Offer::Now(Action::Remind, ["催办", "Remind"])),
    }
}

fn person_field(multiple: bool) -> Rc<Field> {
    Rc::new(Field { multiple, ..Field::new("people", FieldKind::Person) })
}

fn text_of(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

#[function_component]
pub fn ActionBar(p: &BarProps) -> Html {
    let s = use_session();
    let opinion = use_state(String::new);
    let panel = use_state(|| None::<ActionKind>);
    // What the decision lacks (its opinion) and what an open panel lacks, each shown
    // under its own box.
    let missing = use_state(|| None::<&'static str>);
    let panel_missing = use_state(|| None::<&'static str>);
    let inputs = Inputs {
        people: use_state(|| Value::Null),
        note: use_state(String::new),
        target: use_state(|| p.view.return_to.first().map(|r| r.id.clone()).unwrap_or_default()),
        position: use_state(|| Position::Before),
    };
    let opinion_ref = use_node_ref();
    if p.view.actions.is_empty() {
        return html! {};
    }
    let decision = Decision { s: &s, p, opinion: &opinion, missing: &missing, opinion_ref: &opinion_ref };
    // A slot per place in the bar, filled with the buttons offered now.
    let mut buttons: [Html; ActionKind::ALL.len()] = Default::default();
    for &kind in &p.view.actions {
        let (place, how) = offer(kind);
        buttons[usize::from(place)] = match how {
            Offer::Decision => decision.button(kind),
            Offer::Now(action, [zh, en]) => {
                let class = classes!("kx-btn", (kind == ActionKind::Submit).then_some("kx-btn-primary"));
                let onclick = p.on_act.reform(move |_| action.clone());
                html! { <button type="button" {class} disabled={p.busy} {onclick}>{ s.t(zh, en) }</button> }
            }
            Offer::Panel([zh, en]) => {
                let open = *panel == Some(kind);
                let toggle = {
                    let (panel, inputs, missing) = (panel.clone(), inputs.clone(), panel_missing.clone());
                    Callback::from(move |_| {
                        inputs.people.set(Value::Null);
                        inputs.note.set(String::new());
                        missing.set(None);
                        panel.set((!open).then_some(kind));
                    })
                };
                html! {
                    <button type="button" class={classes!("kx-btn", open.then_some("kx-btn-on"))} disabled={p.busy}
                        aria-expanded={open.to_string()} onclick={toggle}>{ s.t(zh, en) }</button>
                }
            }
        };
    }
    // The step's decision (or submit) stays in reach at the bottom of the screen while a
    // long form scrolls, so it is the page's child, not the opinion box's; the other
    // actions follow it in the page.
    let [submit, approve, reject, save, more @ ..] = buttons;
    let decides = p.view.actions.iter().any(|&k| offer(k).0 < MORE);
    html! {
        <>
            { decision.opinion_box() }
            if decides {
                <div class="kx-actions kx-sticky" aria-label={s.t("办理", "Actions")} role="group">{ submit }{ approve }{ reject }{ save }</div>
            }
            <div class="kx-actions kx-more" aria-label={s.t("更多操作", "More actions")} role="group">{ for more }</div>
            { panel.map(|kind| action_panel(&s, p, kind, &inputs, &panel_missing)).unwrap_or_default() }
        </>
    }
}

/// Approving or rejecting, with the opinion they carry.
struct Decision<'a> {
    s: &'a Session,
    p: &'a BarProps,
    opinion: &'a UseStateHandle<String>,
    missing: &'a UseStateHandle<Option<&'static str>>,
    /// The opinion box, focused (and so scrolled to) when its opinion is missing.
    opinion_ref: &'a NodeRef,
}

impl Decision<'_> {
    /// At an opinion step whose form asks nothing, the comment is the opinion itself, and
    /// it is required; where the form holds the opinion, it is asked for there, once.
    fn opinion_required(&self) -> bool {
        self.p.view.step_kind == Some(StepKind::Opinion) && self.p.view.editable.is_empty()
    }

    /// The opinion box, where the step asks for a decision (a notice is only closed).
    fn opinion_box(&self) -> Html {
        let (s, v) = (self.s, &self.p.view);
        let decides = v.can(ActionKind::Approve) || v.can(ActionKind::Reject);
        if !decides || v.step_kind == Some(StepKind::Notice) {
            return html! {};
        }
        let id = s.dom_id("opinion");
        let label = match (self.opinion_required(), v.editable.is_empty()) {
            _ if v.vote.is_some() => s.t("表决意见（反对时必填）", "Remark (required to vote against)"),
            (true, _) => s.t("意见（必填）", "Opinion (required)"),
            _ if self.p.countersign && v.can(ActionKind::Reject) => {
                s.t("我的意见（驳回时必填）", "My opinion (required to reject)")
            }
            _ if self.p.countersign => s.t("我的意见", "My opinion"),
            (false, true) => s.t("审批意见", "Comment"),
            // The step's own opinion field is in the form above.
            (false, false) if v.can(ActionKind::Reject) => s.t("备注（驳回时必填）", "Remark (required to reject)"),
            (false, false) => s.t("备注", "Remark"),
        };
        let oninput = {
            let o = self.opinion.clone();
            move |e: InputEvent| o.set(text_of(e))
        };
        html! {
            <div class="kx-actionbox">
                <div class="kx-field kx-wide">
                    <label class="kx-label" for={id.clone()}>{ label }</label>
                    <textarea ref={self.opinion_ref.clone()} class="kx-input kx-textarea" {id} rows="2" value={(**self.opinion).clone()} {oninput}
                        aria-invalid={self.missing.is_some().to_string()} />
                    if let Some(m) = **self.missing { <p class="kx-error" role="alert">{ m }</p> }
                </div>
            </div>
        }
    }

    /// The approve or reject button: each checks the opinion it needs before acting.
    fn button(&self, kind: ActionKind) -> Html {
        let s = self.s;
        let reject = kind == ActionKind::Reject;
        let (on_act, opinion, missing) = (self.p.on_act.clone(), self.opinion.clone(), self.missing.clone());
        let opinion_box = self.opinion_ref.clone();
        let required = self.opinion_required() || reject;
        let vote = self.p.view.vote.is_some();
        let why = if reject && vote {
            s.t("投反对票须填写理由。", "Give a reason to vote against.")
        } else if reject {
            s.t("驳回须填写理由。", "Give a reason to reject.")
        } else {
            s.t("请填写意见。", "Write your opinion.")
        };
        let onclick = Callback::from(move |_| {
            let comment = Some(opinion.trim().to_string()).filter(|c| !c.is_empty());
            if required && comment.is_none() {
                if let Some(b) = opinion_box.cast::<web_sys::HtmlElement>() {
                    _ = b.focus();
                }
                return missing.set(Some(why));
            }
            missing.set(None);
            let changes = Form::new();
            on_act.emit(if reject {
                Action::Reject { changes, comment }
            } else {
                Action::Approve { changes, comment }
            });
        });
        let (class, label) = match (reject, self.p.view.step_kind) {
            (true, _) if vote => ("kx-btn-danger", s.t("反对", "Vote against")),
            (false, _) if vote => ("kx-btn-primary", s.t("赞成", "Vote for")),
            (true, _) => ("kx-btn-danger", s.t("驳回", "Reject")),
            (false, Some(StepKind::Opinion)) => ("kx-btn-primary", s.t("提交意见", "Give opinion")),
            (false, Some(StepKind::Notice)) => ("kx-btn-primary", s.t("结束公示", "Close the notice")),
            (false, Some(StepKind::Filing)) => ("kx-btn-primary", s.t("确认备案", "File it")),
            (false, Some(StepKind::Approval | StepKind::Fill) | None) => ("kx-btn-primary", s.t("同意", "Approve")),
        };
        html! { <button type="button" class={classes!("kx-btn", class)} disabled={self.p.busy} {onclick}>{ label }</button> }
    }
}

/// What a panel asks for.
#[derive(Clone)]
struct Inputs {
    people: UseStateHandle<Value>,
    note: UseStateHandle<String>,
    target: UseStateHandle<String>,
    position: UseStateHandle<Position>,
}

impl Inputs {
    /// The note, trimmed; `None` when empty.
    fn comment(&self) -> Option<String> {
        Some(self.note.trim().to_string()).filter(|t| !t.is_empty())
    }
}

/// What a panel shows, the words on its button, and the action it takes once what it
/// asks for is given (else why not).
type PanelParts = (Html, &'static str, Result<Action, &'static str>);

/// The panel of an action that needs more than a click.
fn action_panel(
    s: &Session,
    p: &BarProps,
    kind: ActionKind,
    inputs: &Inputs,
    missing: &UseStateHandle<Option<&'static str>>,
) -> Html {
    let (body, confirm, action): PanelParts = match kind {
        ActionKind::Return => return_panel(s, &p.view, inputs),
        ActionKind::Transfer => transfer_panel(s, inputs),
        ActionKind::AddApprover => add_approver_panel(s, inputs),
        ActionKind::Cc => cc_panel(s, inputs),
        ActionKind::Comment => comment_panel(s, inputs),
        ActionKind::Withdraw => withdraw_panel(s),
        // Offered as buttons that act at once, never as panels.
        ActionKind::Submit | ActionKind::Approve | ActionKind::Reject | ActionKind::SaveDraft | ActionKind::Remind => {
            return html! {};
        }
    };
    let go = {
        let (on_act, missing) = (p.on_act.clone(), missing.clone());
        Callback::from(move |_| match &action {
            Ok(action) => {
                missing.set(None);
                on_act.emit(action.clone());
            }
            Err(why) => missing.set(Some(why)),
        })
    };
    html! {
        <div class="kx-panel">
            { body }
            if let Some(m) = **missing { <p class="kx-error" role="alert">{ m }</p> }
            <div class="kx-actions"><button type="button" class="kx-btn kx-btn-primary" disabled={p.busy} onclick={go}>{ confirm }</button></div>
        </div>
    }
}

fn note_box(s: &Session, inputs: &Inputs, label: &'static str) -> Html {
    let id = s.dom_id("note");
    let oninput = {
        let n = inputs.note.clone();
        move |e: InputEvent| n.set(text_of(e))
    };
    html! {
        <div class="kx-field kx-wide">
            <label class="kx-label" for={id.clone()}>{ label }</label>
            <textarea class="kx-input kx-textarea" {id} rows="2" value={(*inputs.note).clone()} {oninput} />
        </div>
    }
}

fn person_picker(s: &Session, inputs: &Inputs, multiple: bool, label: &'static str) -> Html {
    let id = s.dom_id(if multiple { "cc" } else { "person" });
    let people = inputs.people.clone();
    html! {
        <div class="kx-field kx-wide" data-field="people">
            <label class="kx-label" for={id.clone()}>{ label }</label>
            <Picker ..InputProps {
                id, field: person_field(multiple), value: Some((*people).clone()).filter(|v| !v.is_null()),
                on_change: Callback::from(move |v| people.set(v)),
                on_blur: Callback::noop(), invalid: false, required: true, described_by: None, aria_label: None,
            } />
        </div>
    }
}

/// The one person chosen, if any.
fn chosen_one(inputs: &Inputs) -> Option<String> {
    chosen(Some(&inputs.people)).into_iter().next()
}

fn return_panel(s: &Session, view: &InstanceView, inputs: &Inputs) -> PanelParts {
    let id = s.dom_id("return-to");
    let choose = {
        let t = inputs.target.clone();
        move |e: Event| t.set(e.target_unchecked_into::<HtmlSelectElement>().value())
    };
    let target = (*inputs.target).clone();
    let body = html! {
        <>
            <div class="kx-field">
                <label class="kx-label" for={id.clone()}>{ s.t("退回到", "Return to") }</label>
                <select class="kx-input kx-select" {id} onchange={choose}>
                    { for view.return_to.iter().map(|r| html! {
                        <option value={r.id.clone()} selected={target == r.id}>{ pick(s.lang, &r.label) }</option>
                    }) }
                </select>
            </div>
            { note_box(s, inputs, s.t("退回原因（必填）", "Reason (required)")) }
        </>
    };
    let action = match inputs.comment() {
        Some(reason) if !target.is_empty() => Ok(Action::Return { to: target, reason: Some(reason) }),
        _ => Err(s.t("请填写退回原因。", "Give the reason.")),
    };
    (body, s.t("确认退回", "Return it"), action)
}

fn transfer_panel(s: &Session, inputs: &Inputs) -> PanelParts {
    let body = html! { <>{ person_picker(s, inputs, false, s.t("转交给", "Transfer to")) }{ note_box(s, inputs, s.t("留言（可选）", "Note (optional)")) }</> };
    let action = chosen_one(inputs)
        .map(|to| Action::Transfer { to, comment: inputs.comment() })
        .ok_or(s.t("请选择转交给谁。", "Choose whom to transfer to."));
    (body, s.t("确认转交", "Transfer"), action)
}

fn add_approver_panel(s: &Session, inputs: &Inputs) -> PanelParts {
    let radio = |pos: Position, zh: &'static str, en: &'static str| {
        let set = {
            let ps = inputs.position.clone();
            move |_: Event| ps.set(pos)
        };
        html! { <label class="kx-option"><input type="radio" name={s.dom_id("position")} checked={*inputs.position == pos} onchange={set} /><span>{ s.t(zh, en) }</span></label> }
    };
    let body = html! {
        <>
            { person_picker(s, inputs, false, s.t("加签人", "Approver to add")) }
            <fieldset class="kx-field"><legend class="kx-label">{ s.t("加签位置", "Where") }</legend>
                <div class="kx-options">
                    { radio(Position::Before, "在我之前（其办理后回到我）", "Before me (then back to me)") }
                    { radio(Position::After, "在我之后", "After me") }
                </div>
            </fieldset>
            { note_box(s, inputs, s.t("留言（可选）", "Note (optional)")) }
        </>
    };
    let action = chosen_one(inputs)
        .map(|user| Action::AddApprover { user, position: *inputs.position, comment: inputs.comment() })
        .ok_or(s.t("请选择加签人。", "Choose the approver to add."));
    (body, s.t("确认加签", "Add"), action)
}

fn cc_panel(s: &Session, inputs: &Inputs) -> PanelParts {
    let users = chosen(Some(&inputs.people));
    let action = if users.is_empty() {
        Err(s.t("请选择抄送人。", "Choose whom to copy."))
    } else {
        Ok(Action::Cc { users })
    };
    (person_picker(s, inputs, true, s.t("抄送给", "Copy to")), s.t("确认抄送", "Send copies"), action)
}

fn comment_panel(s: &Session, inputs: &Inputs) -> PanelParts {
    let action =
        inputs.comment().map(|text| Action::Comment { text }).ok_or(s.t("请填写评论内容。", "Write the comment."));
    (note_box(s, inputs, s.t("评论", "Comment")), s.t("发表评论", "Post"), action)
}

fn withdraw_panel(s: &Session) -> PanelParts {
    let body = html! { <p>{ s.t("撤回后流程回到您手中，可修改后重新提交。", "Withdrawing brings the instance back to you to change and submit again.") }</p> };
    (body, s.t("确认撤回", "Withdraw"), Ok(Action::Withdraw))
}
