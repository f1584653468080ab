//! Instances and the pure state machine that moves them through their steps.

mod action;
mod assign;
mod available;
mod delegate;
mod effects;
pub mod invariants;
mod machine;
mod model;
mod moment;
mod vote;

pub use action::{Action, ActionError, ActionKind, Event, EventKind, FieldChange, Position};
pub use available::{available, return_targets};
pub use effects::{Effect, TaskKey, effects, open_tasks};
use machine::Machine;
pub use machine::{REMIND_INTERVAL_HOURS, Transition, apply, start};
pub use model::{Decision, Instance, Status, Task, TaskState};
pub use moment::Moment;
pub use vote::{Tally, tally};

use crate::people::Directory;

/// What the host tells the engine about the moment of an action.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// Now, from the host's clock.
    pub now: Moment,
    /// The people who can be assigned.
    pub directory: &'a Directory,
}
