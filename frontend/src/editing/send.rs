//! Sending a form being edited, as the start form and an instance's actions both do: a
//! submit the browser already knows to be wrong is not sent, what was typed is kept
//! whatever happens, the host hears how it went, and a refusal shows at its fields.

use std::collections::BTreeSet;

use kexie_api::InstanceView;
use kexie_engine::fields::{FieldError, Form};
use serde_json::{Value, json};
use yew::prelude::*;

use super::{EditAction, Editing};
use crate::api::Failure;
use crate::app::{Session, use_session};
use crate::events::emit;
use crate::views::{Notice, focus_first};

/// A form's sending, cheap to clone into callbacks.
#[derive(Clone)]
pub struct Sender {
    s: Session,
    editing: Editing,
    busy: UseStateHandle<bool>,
    form_ref: NodeRef,
    tell: Callback<Notice>,
}

/// Sends what `editing` holds; `form_ref` holds the form's fields, to focus the first
/// error; `tell` shows a notice above the form.
#[hook]
pub fn use_send(editing: &Editing, form_ref: &NodeRef, tell: Callback<Notice>) -> Sender {
    let s = use_session();
    let busy = use_state(|| false);
    Sender { s, editing: editing.clone(), busy, form_ref: form_ref.clone(), tell }
}

impl Sender {
    pub fn session(&self) -> &Session {
        &self.s
    }

    /// Whether a request is under way.
    pub fn busy(&self) -> bool {
        *self.busy
    }

    /// Before a request: the changes to send, of the fields in `editable`. With `checked`,
    /// errors the browser already knows stop it (they show, and the first takes the
    /// focus). What was typed is saved first, whatever happens next.
    pub fn begin(&self, checked: bool, editable: &BTreeSet<String>) -> Option<Form> {
        // Read when pressed, not at every render: the form may be large.
        let blocking = self.editing.blocking();
        if checked && !blocking.is_empty() {
            self.editing.edit.dispatch(EditAction::ShowAll);
            self.tell.emit(Notice::Problems);
            focus_first(&self.s, &self.form_ref, blocking);
            return None;
        }
        self.editing.autosave.save_now(&self.editing.edit.changes);
        self.busy.set(true);
        Some(self.editing.changes_for(editable))
    }

    /// The request ended, however.
    pub fn ended(&self) {
        self.busy.set(false);
    }

    /// It went through: the draft is sent, and the host hears `event` about `view`.
    pub fn sent(&self, event: Option<&str>, view: &InstanceView) {
        self.ended();
        self.editing.autosave.forget();
        if let Some(event) = event {
            let detail =
                json!({ "instance": view.id, "workflow": view.workflow, "step": view.step, "status": view.status });
            emit(&self.s.host, event, &detail);
        }
    }

    /// The host hears of a failure at `at` (`{instance, step}`).
    pub fn report(&self, f: &Failure, mut at: Value) {
        at["code"] = f.code().into();
        at["message"] = f.explain(self.s.lang).into();
        emit(&self.s.host, "error", &at);
    }

    /// It was refused: the host hears it, its field errors show at their fields (the first
    /// takes the focus) and its message above the form.
    pub fn failed(&self, f: &Failure, at: Value) {
        self.ended();
        self.report(f, at);
        let errors: Vec<FieldError> = f.field_errors();
        if !errors.is_empty() {
            focus_first(&self.s, &self.form_ref, &errors);
            self.editing.edit.dispatch(EditAction::Server(errors));
        }
        self.tell.emit(Notice::Error(f.explain(self.s.lang)));
    }

    /// Forgets the draft (it lives on in the instance it went to).
    pub fn forget(&self) {
        self.editing.autosave.forget();
    }
}
