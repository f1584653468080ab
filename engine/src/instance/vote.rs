//! Countersign by vote (比例会签): a step passes once a share of its assignees agree.

use serde::{Deserialize, Serialize};

use super::{Instance, TaskState};
use crate::definition::{ApprovalMode, Step};
use crate::text::Message;

/// Where a vote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Voters who agreed (approved).
    pub yes: u32,
    /// Voters who disagreed (rejected).
    pub no: u32,
    /// Everybody entitled to vote at this step.
    pub voters: u32,
    /// Agreeing votes needed to pass: the step's share of the voters, rounded up.
    pub needed: u32,
}

impl Tally {
    /// Enough voters agree.
    pub fn passed(&self) -> bool {
        self.yes >= self.needed
    }

    /// Too many disagree for the rest to reach `needed`.
    pub fn lost(&self) -> bool {
        self.voters - self.no < self.needed
    }

    /// Where the vote stands, as the widget, the editor and `kexie simulate` say it.
    pub fn describe(&self) -> Message {
        let Tally { yes, no, voters, needed } = self;
        Message::new(
            format!("表决：赞成 {yes}，反对 {no}，共 {voters} 人，{needed} 票赞成即通过"),
            format!("Vote: {yes} for, {no} against, of {voters}; {needed} for pass it"),
        )
    }
}

/// The vote at `inst`'s current step, if `step` is a vote.
pub fn tally(step: &Step, inst: &Instance) -> Option<Tally> {
    if step.mode != ApprovalMode::Vote || inst.step != step.id {
        return None;
    }
    let (a, b) = step.pass_share()?;
    let count = |s: TaskState| inst.tasks.iter().filter(|t| t.state == s).count() as u32;
    let voters = inst.tasks.len() as u32;
    Some(Tally {
        yes: count(TaskState::Done),
        no: count(TaskState::Rejected),
        voters,
        needed: (a * voters).div_ceil(b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(yes: u32, no: u32, voters: u32, (a, b): (u32, u32)) -> Tally {
        Tally { yes, no, voters, needed: (a * voters).div_ceil(b) }
    }

    #[test]
    fn two_thirds_of_seven_is_five_and_three_noes_sink_it() {
        assert_eq!(t(0, 0, 7, (2, 3)).needed, 5);
        assert!(t(5, 2, 7, (2, 3)).passed());
        assert!(!t(4, 2, 7, (2, 3)).passed() && !t(4, 2, 7, (2, 3)).lost());
        assert!(t(0, 3, 7, (2, 3)).lost());
        assert_eq!(t(0, 0, 3, (2, 3)).needed, 2);
        assert_eq!(t(0, 0, 4, (1, 2)).needed, 2);
    }
}
