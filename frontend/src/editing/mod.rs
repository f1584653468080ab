//! A form being edited, for the start form and an instance alike: the user's changes over
//! the server's form, which fields were touched, the engine's verdict on every change, the
//! server's errors, the draft autosaved to local storage (`autosave.rs`), and sending it
//! (`send.rs`).

mod autosave;
mod send;

pub use autosave::Autosave;
pub use send::{Sender, use_send};

use std::collections::BTreeSet;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use kexie_engine::fields::{FieldError, Form};
use kexie_engine::instance::Decision;
use kexie_engine::people::Actor;
use kexie_engine::rules::RuleError;
use kexie_engine::text::Message;
use kexie_engine::{Evaluation, RuleContext};
use serde_json::Value;
use yew::prelude::*;

use crate::app::Compiled;
use crate::app::Session;
use crate::draft::{Draft, DraftKey};
use crate::form::{reference, root_of};
use autosave::use_autosave;

/// What the user has done to the form. `Eq`, so that comparing two handles of the same
/// state stops at the pointer; `version` first, so that two states mostly differ there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    /// Counts changes to `changes`: what depends on them is recomputed when it moves, not
    /// by comparing the whole form on every render.
    pub version: u64,
    /// Field id → new value (`null` clears it).
    pub changes: Form,
    /// Fields (and table cells, `items[0].name`) the user has left at least once: their
    /// errors show.
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
                next.version += 1;
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
            EditAction::Discard => next = Edit { version: self.version + 1, ..Edit::default() },
        }
        Rc::new(next)
    }
}

/// A form being edited, with everything the view needs to show and send it. Cheap to
/// clone: callbacks take a copy and read the state when they run.
#[derive(Clone)]
pub struct Editing {
    pub edit: UseReducerHandle<Edit>,
    /// The form as it stands with the user's changes.
    pub values: Rc<Form>,
    /// The engine's verdict on `values`.
    pub eval: Rc<Result<Evaluation, RuleError>>,
    /// The verdict to display: the engine's, or when the rules failed, the step's hidden
    /// fields and a note saying so (the form still shows; the server will refuse).
    pub shown_eval: Rc<Evaluation>,
    /// The errors to show now.
    pub shown: Rc<Vec<FieldError>>,
    /// The draft found in local storage when the form opened.
    pub restored: Option<Draft>,
    pub autosave: Autosave,
    /// The form's change callback; the same one at every render, so that the fields whose
    /// value did not change are not rendered again.
    pub on_change: Callback<(String, Value)>,
    /// The form's blur callback, as stable. A field's messages show a moment after it is
    /// left, so that a click that left it (on 提交, on 添加一行) lands before the layout moves.
    pub on_blur: Callback<String>,
}

impl Editing {
    /// The changes to send: only fields this step lets the user change.
    pub fn changes_for(&self, editable: &BTreeSet<String>) -> Form {
        self.edit.changes.iter().filter(|(k, _)| editable.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Errors that block sending, from the browser's run of the rules.
    pub fn blocking(&self) -> &[FieldError] {
        match &*self.eval {
            Ok(e) => &e.errors,
            Err(_) => &[],
        }
    }
}

/// What the rules see when the signed-in user edits a form at `step`: today is the
/// browser's; the server decides with its own clock.
pub fn rule_context(
    s: &Session,
    step: &str,
    initiator: Actor,
    history: Vec<String>,
    decisions: Vec<Decision>,
) -> RuleContext {
    let d = js_sys::Date::new_0();
    let today = format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date());
    RuleContext {
        step: step.to_string(),
        actor: s.me.actor(),
        initiator,
        today,
        history,
        decisions,
        ..RuleContext::default()
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
    let values = use_memo((Rc::as_ptr(&base) as usize, edit.version), {
        let (base, edit) = (base.clone(), edit.clone());
        move |_| {
            let mut form = (*base).clone();
            for (k, v) in &edit.changes {
                if v.is_null() {
                    form.remove(k);
                } else {
                    form.insert(k.clone(), v.clone());
                }
            }
            form
        }
    });
    let step_hidden: BTreeSet<String> =
        wf.wf.definition.step(&ctx.step).map(|st| st.hidden.iter().cloned().collect()).unwrap_or_default();
    let eval = use_memo((Rc::as_ptr(&values) as usize, ctx.step.clone()), {
        let (wf, values) = (wf.clone(), values.clone());
        move |_| {
            // A reference is chosen (and its instance remembered) before its value is set.
            let mut ctx = ctx;
            ctx.refs = kexie_engine::instance::referenced(&wf.wf.definition, &values, &reference::known());
            wf.wf.evaluate(&values, &ctx)
        }
    });
    let shown_eval = use_memo(Rc::as_ptr(&eval) as usize, {
        let eval = eval.clone();
        move |_| match &*eval {
            Ok(e) => e.clone(),
            Err(e) => Evaluation {
                notes: vec![Message::new(
                    format!("规则出错，请联系管理员：{e}"),
                    format!("The rules failed; tell the administrator: {e}"),
                )],
                hidden: step_hidden,
                ..Evaluation::default()
            },
        }
    });
    let shown = use_memo((Rc::as_ptr(&eval) as usize, edit.clone()), {
        let eval = eval.clone();
        move |(_, edit)| shown_errors(&eval, edit)
    });
    let autosave = use_autosave(key, revision, &edit);
    let on_change = use_memo((), {
        let d = edit.dispatcher();
        move |_| Callback::from(move |(id, v)| d.dispatch(EditAction::Set(id, v)))
    });
    let on_blur = use_memo((), {
        let d = edit.dispatcher();
        move |_| {
            Callback::from(move |path| {
                let d = d.clone();
                after_press(move || d.dispatch(EditAction::Touch(path)));
            })
        }
    });
    Editing {
        edit,
        values,
        eval,
        shown_eval,
        shown,
        restored: (*restored).clone(),
        autosave,
        on_change: (*on_change).clone(),
        on_blur: (*on_blur).clone(),
    }
}

thread_local! {
    /// Whether a mouse button or finger is down on the page.
    static PRESSED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static TRACKING: std::cell::OnceCell<[EventListener; 3]> = const { std::cell::OnceCell::new() };
}

/// Runs `f` now, or if a press is under way (the press that moved the focus away), once it
/// is over and its click has landed: messages appearing mid-click would move the button
/// being clicked from under the pointer.
fn after_press(f: impl FnOnce() + 'static) {
    TRACKING.with(|t| {
        t.get_or_init(|| {
            let window = gloo::utils::window();
            let set = |on: bool| move |_: &web_sys::Event| PRESSED.with(|p| p.set(on));
            let capture = gloo::events::EventListenerOptions::run_in_capture_phase();
            [
                EventListener::new_with_options(&window, "pointerdown", capture, set(true)),
                EventListener::new_with_options(&window, "pointerup", capture, set(false)),
                EventListener::new_with_options(&window, "pointercancel", capture, set(false)),
            ]
        });
    });
    if PRESSED.with(|p| p.get()) {
        // After pointerup come mouseup and click, in the same task: run after them.
        EventListener::once(&gloo::utils::window(), "pointerup", move |_| {
            Timeout::new(0, f).forget();
        })
        .forget();
    } else {
        f();
    }
}

fn shown_errors(eval: &Result<Evaluation, RuleError>, edit: &Edit) -> Vec<FieldError> {
    let server_paths: BTreeSet<&str> = edit.server.iter().map(|e| e.path.as_str()).collect();
    let mut out: Vec<FieldError> = match eval {
        Ok(e) => e
            .errors
            .iter()
            .filter(|e| edit.show_all || edit.touched.iter().any(|t| reaches(t, &e.path)))
            .filter(|e| !server_paths.contains(e.path.as_str()))
            .cloned()
            .collect(),
        Err(_) => Vec::new(),
    };
    out.extend(edit.server.iter().cloned());
    out
}

/// Whether having left `touched` shows an error at `path`: the field itself; a table's
/// own error once any of its cells was left; a row's once one of its cells was.
fn reaches(touched: &str, path: &str) -> bool {
    touched == path
        || (root_of(path) == path && root_of(touched) == path)
        || touched.strip_prefix(path).is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::reaches;

    #[test]
    fn leaving_a_cell_shows_its_own_errors_its_rows_and_its_tables() {
        assert!(reaches("name", "name"));
        assert!(reaches("items[0].what", "items[0].what"));
        assert!(reaches("items[0].what", "items[0]"));
        assert!(reaches("items[0].what", "items"));
        assert!(!reaches("items[0].what", "items[1].what"));
        assert!(!reaches("items[0].what", "items[0].cost"));
        assert!(!reaches("items[1].what", "items[10]"));
        assert!(!reaches("name", "items"));
    }
}
