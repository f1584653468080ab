//! The actions this user may take now: the main decision with its opinion, and the
//! others (return, transfer, add an approver, CC, comment, remind, withdraw), each in a
//! small panel that asks for what it needs.

use std::rc::Rc;

use kexie_engine::definition::{Field, StepKind};
use kexie_engine::fields::Form;
use kexie_engine::instance::{Action, Position};
use serde_json::{Value, json};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::{Session, use_session};
use crate::form::InputProps;
use crate::form::picker::Picker;
use crate::i18n::pick;
use kexie_api::InstanceView;

#[derive(Properties, PartialEq)]
pub struct BarProps {
    pub view: Rc<InstanceView>,
    pub busy: bool,
    pub on_act: Callback<Action>,
}

/// The panel open below the buttons.
#[derive(Clone, Copy, PartialEq)]
enum Panel {
    Return,
    Transfer,
    AddApprover,
    Cc,
    Comment,
    Withdraw,
}

fn person_field(multiple: bool) -> Rc<Field> {
    Rc::new(
        serde_json::from_value(json!({ "id": "people", "kind": "person", "multiple": multiple }))
            .expect("a person field"),
    )
}

fn ids(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

fn text_of(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

#[function_component]
pub fn ActionBar(p: &BarProps) -> Html {
    let s = use_session();
    let v = &p.view;
    let opinion = use_state(String::new);
    let panel = use_state(|| None::<Panel>);
    let people = use_state(|| Value::Null);
    let note = use_state(String::new);
    let target = use_state(|| v.return_to.first().map(|r| r.id.clone()).unwrap_or_default());
    let position = use_state(|| Position::Before);
    let missing = use_state(|| None::<&'static str>);
    if v.actions.is_empty() {
        return html! {};
    }
    // At an opinion step the comment is the opinion itself, and it is required.
    let opinion_step = v.step_kind == Some(StepKind::Opinion);
    let fire = |a: Action| {
        let on_act = p.on_act.clone();
        Callback::from(move |_| on_act.emit(a.clone()))
    };
    let approve_label = match v.step_kind {
        Some(StepKind::Opinion) => s.t("提交意见", "Give opinion"),
        Some(StepKind::Notice) => s.t("结束公示", "Close the notice"),
        Some(StepKind::Approval | StepKind::Fill) | None => s.t("同意", "Approve"),
    };
    let reject = {
        let (on_act, opinion, missing) = (p.on_act.clone(), opinion.clone(), missing.clone());
        let required = s.t("驳回须填写理由。", "Give a reason to reject.");
        Callback::from(move |_| {
            let c = (*opinion).trim().to_string();
            if c.is_empty() {
                missing.set(Some(required));
            } else {
                missing.set(None);
                on_act.emit(Action::Reject { changes: Form::new(), comment: Some(c) });
            }
        })
    };
    let approve = {
        let (on_act, opinion, missing) = (p.on_act.clone(), opinion.clone(), missing.clone());
        let required = s.t("请填写意见。", "Write your opinion.");
        Callback::from(move |_| {
            let c = Some((*opinion).trim().to_string()).filter(|c| !c.is_empty());
            if opinion_step && c.is_none() {
                missing.set(Some(required));
                return;
            }
            missing.set(None);
            on_act.emit(Action::Approve { changes: Form::new(), comment: c });
        })
    };
    let toggle = |which: Panel| {
        let (panel, people, note, missing) = (panel.clone(), people.clone(), note.clone(), missing.clone());
        Callback::from(move |_| {
            people.set(Value::Null);
            note.set(String::new());
            missing.set(None);
            panel.set(if *panel == Some(which) { None } else { Some(which) });
        })
    };
    let decides = v.can("approve") || v.can("reject");
    let opinion_id = s.dom_id("opinion");
    let more: [(&str, Panel, &str, &str); 6] = [
        ("return", Panel::Return, "退回…", "Return…"),
        ("transfer", Panel::Transfer, "转交…", "Transfer…"),
        ("add_approver", Panel::AddApprover, "加签…", "Add approver…"),
        ("cc", Panel::Cc, "抄送…", "CC…"),
        ("comment", Panel::Comment, "评论…", "Comment…"),
        ("withdraw", Panel::Withdraw, "撤回…", "Withdraw…"),
    ];
    html! {
        <div class="kx-actionbox" aria-label={s.t("办理", "Actions")} role="group">
            if decides && v.step_kind != Some(StepKind::Notice) {
                <div class="kx-field kx-wide">
                    <label class="kx-label" for={opinion_id.clone()}>{
                        match (opinion_step, v.editable.is_empty()) {
                            (true, _) => s.t("意见（必填）", "Opinion (required)"),
                            (false, true) => s.t("审批意见", "Comment"),
                            // The step's own opinion field is in the form above.
                            (false, false) => s.t("备注（驳回时必填）", "Remark (required to reject)"),
                        }
                    }</label>
                    <textarea class="kx-input kx-textarea" id={opinion_id} rows="2" value={(*opinion).clone()}
                        oninput={let o = opinion.clone(); move |e: InputEvent| o.set(text_of(e))}
                        aria-invalid={missing.is_some().to_string()} />
                    if let Some(m) = *missing { <p class="kx-error" role="alert">{ m }</p> }
                </div>
            }
            <div class="kx-actions">
                if v.can("submit") { <button type="button" class="kx-btn kx-btn-primary" disabled={p.busy} onclick={fire(Action::Submit { changes: Form::new() })}>{ s.t("提交", "Submit") }</button> }
                if v.can("approve") { <button type="button" class="kx-btn kx-btn-primary" disabled={p.busy} onclick={approve}>{ approve_label }</button> }
                if v.can("reject") { <button type="button" class="kx-btn kx-btn-danger" disabled={p.busy} onclick={reject}>{ s.t("驳回", "Reject") }</button> }
                if v.can("save_draft") { <button type="button" class="kx-btn" disabled={p.busy} onclick={fire(Action::SaveDraft { changes: Form::new() })}>{ s.t("保存草稿", "Save draft") }</button> }
                { for more.iter().filter(|(name, ..)| v.can(name)).map(|(_, which, zh, en)| html! {
                    <button type="button" class={classes!("kx-btn", (*panel == Some(*which)).then_some("kx-btn-on"))} disabled={p.busy}
                        aria-expanded={(*panel == Some(*which)).to_string()} onclick={toggle(*which)}>{ s.t(zh, en) }</button>
                }) }
                if v.can("remind") { <button type="button" class="kx-btn" disabled={p.busy} onclick={fire(Action::Remind)}>{ s.t("催办", "Remind") }</button> }
            </div>
            if let Some(which) = *panel {
                { panel_for(&s, p, which, &people, &note, &target, &position, &missing) }
            }
        </div>
    }
}

#[allow(clippy::too_many_arguments)]
fn panel_for(
    s: &Session,
    p: &BarProps,
    which: Panel,
    people: &UseStateHandle<Value>,
    note: &UseStateHandle<String>,
    target: &UseStateHandle<String>,
    position: &UseStateHandle<Position>,
    missing: &UseStateHandle<Option<&'static str>>,
) -> Html {
    let note_id = s.dom_id("note");
    let note_box = |label: &'static str| {
        html! {
            <div class="kx-field kx-wide">
                <label class="kx-label" for={note_id.clone()}>{ label }</label>
                <textarea class="kx-input kx-textarea" id={note_id.clone()} rows="2" value={(**note).clone()}
                    oninput={let n = note.clone(); move |e: InputEvent| n.set(text_of(e))} />
            </div>
        }
    };
    let picker = |multiple: bool, label: &'static str| {
        let id = s.dom_id(if multiple { "cc" } else { "person" });
        html! {
            <div class="kx-field kx-wide" data-field="people">
                <label class="kx-label" for={id.clone()}>{ label }</label>
                <Picker ..InputProps {
                    id, field: person_field(multiple), value: Some((**people).clone()).filter(|v| !v.is_null()),
                    on_change: { let pe = people.clone(); Callback::from(move |v| pe.set(v)) },
                    on_blur: Callback::noop(), invalid: false, required: true, described_by: None, aria_label: None,
                } />
            </div>
        }
    };
    let text = (**note).trim().to_string();
    let chosen = ids(people);
    let need = |ok: bool, why: &'static str, action: Action| {
        let (on_act, missing) = (p.on_act.clone(), missing.clone());
        Callback::from(move |_| {
            if ok {
                missing.set(None);
                on_act.emit(action.clone());
            } else {
                missing.set(Some(why));
            }
        })
    };
    let comment = Some(text.clone()).filter(|t| !t.is_empty());
    let (body, confirm, go) = match which {
        Panel::Return => {
            let step_id = s.dom_id("return-to");
            let choose = {
                let t = target.clone();
                move |e: Event| t.set(e.target_unchecked_into::<HtmlSelectElement>().value())
            };
            let body = html! {
                <>
                    <div class="kx-field">
                        <label class="kx-label" for={step_id.clone()}>{ s.t("退回到", "Return to") }</label>
                        <select class="kx-input kx-select" id={step_id} onchange={choose}>
                            { for p.view.return_to.iter().map(|r| html! {
                                <option value={r.id.clone()} selected={**target == r.id}>{ pick(s.lang, &r.label) }</option>
                            }) }
                        </select>
                    </div>
                    { note_box(s.t("退回原因（必填）", "Reason (required)")) }
                </>
            };
            let ok = !text.is_empty() && !target.is_empty();
            (
                body,
                s.t("确认退回", "Return it"),
                need(
                    ok,
                    s.t("请填写退回原因。", "Give the reason."),
                    Action::Return { to: (**target).clone(), reason: comment.clone() },
                ),
            )
        }
        Panel::Transfer => {
            let to = chosen.first().cloned().unwrap_or_default();
            let body = html! { <>{ picker(false, s.t("转交给", "Transfer to")) }{ note_box(s.t("留言（可选）", "Note (optional)")) }</> };
            (
                body,
                s.t("确认转交", "Transfer"),
                need(
                    !to.is_empty(),
                    s.t("请选择转交给谁。", "Choose whom to transfer to."),
                    Action::Transfer { to, comment: comment.clone() },
                ),
            )
        }
        Panel::AddApprover => {
            let user = chosen.first().cloned().unwrap_or_default();
            let radio = |pos: Position, zh: &'static str, en: &'static str| {
                let set = {
                    let ps = position.clone();
                    move |_: Event| ps.set(pos)
                };
                html! { <label class="kx-option"><input type="radio" name={s.dom_id("position")} checked={**position == pos} onchange={set} /><span>{ s.t(zh, en) }</span></label> }
            };
            let body = html! {
                <>
                    { picker(false, s.t("加签人", "Approver to add")) }
                    <fieldset class="kx-field"><legend class="kx-label">{ s.t("加签位置", "Where") }</legend>
                        <div class="kx-options">
                            { radio(Position::Before, "在我之前（其办理后回到我）", "Before me (then back to me)") }
                            { radio(Position::After, "在我之后", "After me") }
                        </div>
                    </fieldset>
                    { note_box(s.t("留言（可选）", "Note (optional)")) }
                </>
            };
            (
                body,
                s.t("确认加签", "Add"),
                need(
                    !user.is_empty(),
                    s.t("请选择加签人。", "Choose the approver to add."),
                    Action::AddApprover { user, position: **position, comment: comment.clone() },
                ),
            )
        }
        Panel::Cc => {
            let body = picker(true, s.t("抄送给", "Copy to"));
            (
                body,
                s.t("确认抄送", "Send copies"),
                need(
                    !chosen.is_empty(),
                    s.t("请选择抄送人。", "Choose whom to copy."),
                    Action::Cc { users: chosen.clone() },
                ),
            )
        }
        Panel::Comment => {
            let body = note_box(s.t("评论", "Comment"));
            (
                body,
                s.t("发表评论", "Post"),
                need(
                    !text.is_empty(),
                    s.t("请填写评论内容。", "Write the comment."),
                    Action::Comment { text: text.clone() },
                ),
            )
        }
        Panel::Withdraw => {
            let body = html! { <p>{ s.t("撤回后流程回到您手中，可修改后重新提交。", "Withdrawing brings the instance back to you to change and submit again.") }</p> };
            (body, s.t("确认撤回", "Withdraw"), need(true, "", Action::Withdraw))
        }
    };
    html! {
        <div class="kx-panel">
            { body }
            if let Some(m) = **missing { <p class="kx-error" role="alert">{ m }</p> }
            <div class="kx-actions"><button type="button" class="kx-btn kx-btn-primary" disabled={p.busy} onclick={go}>{ confirm }</button></div>
        </div>
    }
}
