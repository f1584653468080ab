//! How an action reads in a history and on a printed record (审批单), in both languages:
//! the widget's timeline, the editor's preview and the server's print view say it alike.

use super::{ActionKind, Event, EventKind, Position};
use crate::definition::{ApprovalMode, Definition, StepKind};
use crate::text::Text;

/// What an action did, as a history line says it after the person ("submitted",
/// "returned it to").
pub fn action_text(action: ActionKind, position: Option<Position>) -> Text {
    let (zh, en) = match action {
        ActionKind::Submit => ("提交", "submitted"),
        ActionKind::SaveDraft => ("保存了草稿", "saved a draft"),
        ActionKind::Approve => ("同意", "approved"),
        ActionKind::Reject => ("驳回", "rejected"),
        ActionKind::Return => ("退回到", "returned it to"),
        ActionKind::Withdraw => ("撤回", "withdrew it"),
        ActionKind::Transfer => ("转交给", "transferred it to"),
        ActionKind::AddApprover if position == Some(Position::Before) => {
            ("前加签", "added an approver before themselves")
        }
        ActionKind::AddApprover => ("加签", "added approver"),
        ActionKind::Comment => ("评论", "commented"),
        ActionKind::Cc => ("抄送给", "copied"),
        ActionKind::Remind => ("催办", "sent a reminder"),
    };
    Text::new(zh, en)
}

/// What an entry's action decided, as the kind of its step words it: an approval at an
/// opinion step "gave an opinion", at a vote "voted for", at a filing "filed it". `None`
/// for an entry that records no action (a step entered, say).
pub fn did(def: &Definition, e: &Event) -> Option<Text> {
    let EventKind::Acted { action, position } = e.kind else { return None };
    let step = def.step(&e.step);
    let voted = step.is_some_and(|s| s.mode == ApprovalMode::Vote);
    let (zh, en) = match action {
        ActionKind::Approve => match step.map(|s| s.kind) {
            Some(StepKind::Opinion) => ("提交了意见", "gave an opinion"),
            Some(StepKind::Notice) => ("结束了公示", "closed the public notice"),
            Some(StepKind::Filing) => ("确认备案", "filed it"),
            Some(StepKind::Approval) if voted => ("投了赞成票", "voted for"),
            Some(StepKind::Fill) => ("提交", "submitted"),
            Some(StepKind::Approval) | None => ("同意", "approved"),
        },
        ActionKind::Reject if voted => ("投了反对票", "voted against"),
        _ => return Some(action_text(action, position)),
    };
    Some(Text::new(zh, en))
}
