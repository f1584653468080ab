//! The state of a form being edited: the user's changes over the server's form, which
//! fields were touched, the engine's verdict on every change, the server's errors, and
//! the draft autosaved to local storage.

use std::collections::BTreeSet;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use kexie_engine::fields::{FieldError, Form};
use kexie_engine::rules::RuleError;
use kexie_engine::{Evaluation, RuleContext};
use serde_json::Value;
use yew::prelude::*;

use crate::app::Compiled;
use crate::draft::{Draft, DraftKey};
use crate::form::root_of;

/// What the user has done to the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edit {
    /// Field id → new value (`null` clears it).
    pub changes: Form,
    /// Fields the user has left at least once: their errors show.
    pub touched: BTreeSet<String>,
    /// After a submit attempt every error shows.
    pub show_all: bool,
    /// What the server said about fields; it wins over the browser's verdict.
    pub server: Vec<FieldError>,
}

pub enum EditAction {
    Set(String, Value),
    Touch(String),
    ShowAll,
    Server(Vec<FieldError>),
    /// Forget the changes (discard the draft).
    Discard,
}

impl Reducible for Edit {
    type Action = EditAction;

    fn reduce(self: Rc<Self>, action: EditAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            EditAction::Set(id, v) => {
                next.server.retain(|e| root_of(&e.path) != id);
                next.changes.insert(id, v);
            }
            EditAction::Touch(id) => {
                if next.touched.contains(&id) {
                    return self;
                }
                next.touched.insert(id);
            }
            EditAction::ShowAll => next.show_all = true,
            EditAction::Server(errors) => {
                next.show_all = true;
                next.server = errors;
            }
            EditAction::Discard => next = Edit::default(),
        }
        Rc::new(next)
    }
}

/// A form being edited, with everything the view needs to show and send it.
pub struct Editing {
    pub edit: UseReducerHandle<Edit>,
    /// The form as it stands with the user's changes.
    pub values: Rc<Form>,
    /// The engine's verdict on `values`.
    pub eval: Rc<Result<Evaluation, RuleError>>,
    /// The errors to show now.
    pub shown: Rc<Vec<FieldError>>,
    /// The draft found in local storage when the form opened.
    pub restored: Option<Draft>,
}

impl Editing {
    /// The changes to send: only fields this step lets the user change.
    pub fn changes_for(&self, editable: &BTreeSet<String>) -> Form {
        self.edit.changes.iter().filter(|(k, _)| editable.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Errors that block sending, from the browser's run of the rules.
    pub fn blocking(&self) -> Vec<FieldError> {
        match &*self.eval {
            Ok(e) => e.errors.clone(),
            Err(_) => Vec::new(),
        }
    }
}

/// The form `base` edited at `ctx.step`, autosaved under `key`.
#[hook]
pub fn use_editing(wf: Rc<Compiled>, base: Rc<Form>, ctx: RuleContext, key: DraftKey, revision: u64) -> Editing {
    let restored = use_memo(key.clone(), |k| k.load());
    let edit = use_reducer({
        let restored = restored.clone();
        move || Edit { changes: restored.as_ref().clone().map(|d| d.changes).unwrap_or_default(), ..Edit::default() }
    });
    let values = use_memo((base.clone(), edit.changes.clone()), |(base, changes)| {
        let mut form = (**base).clone();
        for (k, v) in changes {
            if v.is_null() {
                form.remove(k);
            } else {
                form.insert(k.clone(), v.clone());
            }
        }
        form
    });
    let eval = use_memo((values.clone(), ctx.step.clone(), ctx.actor.id.clone()), {
        let wf = wf.clone();
        move |(values, _, _)| wf.wf.evaluate(values, &ctx)
    });
    let shown = use_memo((eval.clone(), edit.clone()), |(eval, edit)| shown_errors(eval, edit));
    {
        // Autosave shortly after typing stops; each change restarts the wait.
        let key = key.clone();
        use_effect_with(edit.changes.clone(), move |changes| {
            let changes = changes.clone();
            let timer = Timeout::new(400, move || key.save(&changes, revision));
            move || drop(timer)
        });
    }
    Editing { edit, values, eval, shown, restored: (*restored).clone() }
}

fn shown_errors(eval: &Result<Evaluation, RuleError>, edit: &Edit) -> Vec<FieldError> {
    let server_paths: BTreeSet<&str> = edit.server.iter().map(|e| e.path.as_str()).collect();
    let mut out: Vec<FieldError> = match eval {
        Ok(e) => e
            .errors
            .iter()
            .filter(|e| edit.show_all || edit.touched.contains(root_of(&e.path)))
            .filter(|e| !server_paths.contains(e.path.as_str()))
            .cloned()
            .collect(),
        Err(_) => Vec::new(),
    };
    out.extend(edit.server.iter().cloned());
    out
}
