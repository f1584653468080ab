//! Drafts in the browser's local storage, per user and per form, so a closed tab or a
//! crashed browser loses nothing. The server's copy ("save draft") is an action.

use std::collections::BTreeMap;

use gloo::storage::{LocalStorage, Storage};
use kexie_engine::fields::Form;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::form::picker;

/// What is kept: the user's changes and when they were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Field changes over the form the server holds.
    pub changes: Form,
    /// The instance revision the changes were made on (0 before the instance exists).
    pub revision: u64,
    /// When, as milliseconds since the epoch.
    pub saved_at: f64,
    /// The names the pickers showed for the ids the changes hold: the page that restores
    /// the draft knows them from nowhere else (a person in no instance, the host's directory).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
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

    /// The stored draft, if any (a damaged one is dropped); the pickers learn its names.
    pub fn load(&self) -> Option<Draft> {
        match LocalStorage::get::<Draft>(&self.0) {
            Ok(d) if !d.changes.is_empty() => {
                d.names.iter().for_each(|(id, name)| picker::remember(id, name));
                Some(d)
            }
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
        let mut names = BTreeMap::new();
        changes.values().for_each(|v| names_in(v, &mut names));
        let draft = Draft { changes: changes.clone(), revision, saved_at: js_sys::Date::now(), names };
        let _ = LocalStorage::set(&self.0, draft);
    }

    /// Forgets the draft (after it was submitted or discarded).
    pub fn clear(&self) {
        LocalStorage::delete(&self.0);
    }
}

/// The names the pickers know for the strings in `v` (table rows included).
fn names_in(v: &Value, names: &mut BTreeMap<String, String>) {
    match v {
        Value::String(id) => {
            if let Some(name) = picker::known(id) {
                names.insert(id.clone(), name);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| names_in(v, names)),
        Value::Object(cells) => cells.values().for_each(|v| names_in(v, names)),
        _ => {}
    }
}
