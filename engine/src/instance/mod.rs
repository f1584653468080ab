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
mod reference;
mod vote;
mod wording;

pub use action::{Action, ActionError, ActionKind, Event, EventKind, FieldChange, Position};
pub use available::{available, return_targets};
pub use effects::{Effect, TaskKey, effects, open_tasks};
use machine::Machine;
pub use machine::{REMIND_INTERVAL_HOURS, Transition, apply, start};
pub use model::{Decision, Instance, Status, Task, TaskState};
pub use moment::Moment;
pub use reference::{Referenced, check_references, held_references, prefill, reference_ids, referenced};
pub use vote::{Tally, tally};
pub use wording::{action_text, did};

use std::collections::BTreeMap;

use crate::people::Directory;

/// What the host tells the engine about the moment of an action.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// Now, from the host's clock.
    pub now: Moment,
    /// The people who can be assigned.
    pub directory: &'a Directory,
    /// The instances the form's reference fields may name, by instance id: those the
    /// form holds, and those the actor may read.
    pub refs: &'a BTreeMap<String, Referenced>,
}

static NO_REFS: BTreeMap<String, Referenced> = BTreeMap::new();

impl<'a> Env<'a> {
    /// An action at `now` among `directory`, the form referring to nothing.
    pub fn new(now: Moment, directory: &'a Directory) -> Self {
        Env { now, directory, refs: &NO_REFS }
    }
}
