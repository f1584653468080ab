//! Edits kept in the browser (localStorage) until they are published or discarded, so a
//! closed tab, a crash or a lost connection loses nothing.

use gloo::storage::{LocalStorage, Storage};
use kexie_engine::bundle::Bundle;
use serde::{Deserialize, Serialize};

/// Unpublished edits of one workflow by one administrator on one server.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    /// The published version they started from.
    pub base: Option<i64>,
    pub bundle: Bundle,
    /// Milliseconds since the epoch.
    pub saved_at: f64,
}

/// Where one workflow's edits are kept.
#[derive(Clone, PartialEq)]
pub struct SaveKey(String);

impl SaveKey {
    pub fn new(api: &str, user: &str, workflow: &str) -> SaveKey {
        SaveKey(format!("kexie-editor:{api}:{user}:{workflow}"))
    }

    pub fn load(&self) -> Option<Saved> {
        LocalStorage::get(&self.0).ok()
    }

    pub fn save(&self, base: Option<i64>, bundle: &Bundle) {
        let saved = Saved { base, bundle: bundle.clone(), saved_at: js_sys::Date::now() };
        // A full store only loses the local copy; the editor still holds the text.
        let _ = LocalStorage::set(&self.0, &saved);
    }

    pub fn forget(&self) {
        LocalStorage::delete(&self.0);
    }
}
