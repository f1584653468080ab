//! Drafts in the browser's local storage, per user and per form, so a closed tab or a
//! crashed browser loses nothing. The server's copy ("save draft") is an action.

use gloo::storage::{LocalStorage, Storage};
use kexie_engine::fields::Form;
use serde::{Deserialize, Serialize};

/// What is kept: the user's changes and when they were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Field changes over the form the server holds.
    pub changes: Form,
    /// The instance revision the changes were made on (0 before the instance exists).
    pub revision: u64,
    /// When, as milliseconds since the epoch.
    pub saved_at: f64,
}

/// Where one user's draft of one form lives.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftKey(String);

impl DraftKey {
    /// The draft of a new instance of `workflow`.
    pub fn start(api: &str, user: &str, workflow: &str) -> DraftKey {
        DraftKey(format!("kexie-draft|{api}|{user}|start|{workflow}"))
    }

    /// The draft of changes to instance `id`.
    pub fn instance(api: &str, user: &str, id: &str) -> DraftKey {
        DraftKey(format!("kexie-draft|{api}|{user}|instance|{id}"))
    }

    /// The stored draft, if any (a damaged one is dropped).
    pub fn load(&self) -> Option<Draft> {
        match LocalStorage::get::<Draft>(&self.0) {
            Ok(d) if !d.changes.is_empty() => Some(d),
            Ok(_) => None,
            Err(_) => {
                LocalStorage::delete(&self.0);
                None
            }
        }
    }

    /// Stores `changes` (an empty set removes the draft). Storage may be full or
    /// disabled: then the draft lives only in the page, which is all we can do.
    pub fn save(&self, changes: &Form, revision: u64) {
        if changes.is_empty() {
            return self.clear();
        }
        let draft = Draft { changes: changes.clone(), revision, saved_at: js_sys::Date::now() };
        let _ = LocalStorage::set(&self.0, draft);
    }

    /// Forgets the draft (after it was submitted or discarded).
    pub fn clear(&self) {
        LocalStorage::delete(&self.0);
    }
}
