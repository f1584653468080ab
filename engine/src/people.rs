//! People as the host directory describes them. The engine never looks anyone up
//! itself: the host passes who is acting and who holds which role.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A user of the host OA, as its signed token or directory describes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The host's user id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Roles such as "kexie_committee".
    #[serde(default)]
    pub roles: Vec<String>,
    /// The host's department id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

impl Actor {
    /// Whether the actor holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// The people the engine may assign: user id → actor. Supplied by the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Directory(pub BTreeMap<String, Actor>);

impl Directory {
    /// The person with this id.
    pub fn get(&self, id: &str) -> Option<&Actor> {
        self.0.get(id)
    }

    /// Every role somebody holds.
    pub fn roles(&self) -> std::collections::BTreeSet<String> {
        self.0.values().flat_map(|a| a.roles.iter().cloned()).collect()
    }

    /// Everybody holding `role`, in id order (stable, so a sequence is reproducible).
    pub fn with_role<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a Actor> + 'a {
        self.0.values().filter(move |a| a.has_role(role))
    }
}
