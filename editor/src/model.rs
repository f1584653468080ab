//! What the editor reads from and sends to the server.

use kexie_engine::bundle::Bundle;
use serde::{Deserialize, Serialize};

/// Who published a version.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Publisher {
    pub id: String,
    pub name: String,
}

/// A row of a workflow's version history.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VersionInfo {
    pub version: i64,
    pub published_at: String,
    pub published_by: Publisher,
    pub note: String,
}

/// A published version's texts, cases included.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VersionBundle {
    pub key: String,
    pub version: i64,
    pub note: String,
    pub bundle: Bundle,
}

/// `POST /workflows/{key}/versions`.
#[derive(Serialize)]
pub struct PublishRequest<'a> {
    pub bundle: &'a Bundle,
    pub note: &'a str,
}

/// Its answer.
#[derive(Deserialize)]
pub struct PublishResult {
    pub version: i64,
    pub created: bool,
}
