//! The draft of a form in local storage: written shortly after typing stops, before every
//! request, and when the form goes away with changes not yet written.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use kexie_engine::fields::Form;
use yew::prelude::*;

use super::Edit;
use crate::draft::DraftKey;

/// The draft of one form in local storage, written shortly after typing stops, before
/// every request, and when the form goes away (unmounted, or the page hidden) with
/// changes not yet written.
#[derive(Clone)]
pub struct Autosave {
    key: DraftKey,
    revision: u64,
    pending: Rc<RefCell<Option<Form>>>,
}

impl Autosave {
    /// Writes `changes` now.
    pub fn save_now(&self, changes: &Form) {
        self.pending.borrow_mut().take();
        self.key.save(changes, self.revision);
    }

    /// Writes what is waiting, if anything.
    fn flush(&self) {
        if let Some(changes) = self.pending.borrow_mut().take() {
            self.key.save(&changes, self.revision);
        }
    }

    /// Drops the draft: it was sent, or the user discarded it.
    pub fn forget(&self) {
        self.pending.borrow_mut().take();
        self.key.clear();
    }
}

/// Keeps `edit`'s changes in local storage under `key`.
#[hook]
pub(super) fn use_autosave(key: DraftKey, revision: u64, edit: &UseReducerHandle<Edit>) -> Autosave {
    let pending = use_mut_ref(|| None::<Form>);
    let autosave = Autosave { key, revision, pending };
    {
        // Shortly after typing stops; each change restarts the wait.
        let autosave = autosave.clone();
        let changes = edit.clone();
        use_effect_with(edit.version, move |_| {
            *autosave.pending.borrow_mut() = Some(changes.changes.clone());
            let timer = Timeout::new(400, move || autosave.flush());
            move || drop(timer)
        });
    }
    {
        // And whatever is still waiting when the form goes away or the page is hidden.
        let autosave = autosave.clone();
        use_effect_with((), move |_| {
            let on_hide = autosave.clone();
            let listener = EventListener::new(&gloo::utils::window(), "pagehide", move |_| on_hide.flush());
            move || {
                drop(listener);
                autosave.flush();
            }
        });
    }
    autosave
}
