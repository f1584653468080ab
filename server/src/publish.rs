//! Publishing workflows: a bundle is checked, its golden cases run, then it is stored as a
//! new immutable version with its change note. The same path serves `workflows/` on start
//! and the admin API.

use kexie_engine::bundle::{Bundle, Checked};
use kexie_engine::text::Lang;
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError, VersionRow};

/// sha256 over every text, to tell a changed workflow from an unchanged one. Stored
/// versions carry it, so it must not change with the code.
pub fn digest(bundle: &Bundle) -> String {
    let mut h = Sha256::new();
    for text in [&bundle.workflow_toml, &bundle.rules_rhai].into_iter().chain(bundle.cases.values()) {
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    bundle.cases.keys().for_each(|k| h.update(k.as_bytes()));
    hex::encode(h.finalize())
}

/// What publishing did.
pub enum Published {
    /// A new version was stored.
    New(i64),
    /// Identical to the newest version: nothing stored.
    Unchanged(i64),
}

/// Why a bundle was not published.
pub enum PublishError {
    /// It does not check, or its cases fail (their failures written in English).
    Invalid(Box<Checked>),
    /// The key in the file differs from the one asked for.
    WrongKey(String),
    Store(StoreError),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Invalid(checked) => write!(f, "{} problem(s)", checked.problems(Lang::En).len()),
            PublishError::WrongKey(found) => write!(f, "the definition's key is '{found}'"),
            PublishError::Store(e) => e.fmt(f),
        }
    }
}

impl From<StoreError> for PublishError {
    fn from(e: StoreError) -> Self {
        PublishError::Store(e)
    }
}

/// Who publishes, why, and when.
pub struct Publisher<'a> {
    pub by: &'a str,
    pub note: &'a str,
    pub now: &'a str,
}

/// Publishes a bundle under its key if it differs from the newest version. Publishing an
/// older version's texts again is how a workflow is rolled back: it becomes the newest.
pub async fn publish(
    store: &Store,
    bundle: &Bundle,
    expected_key: Option<&str>,
    publisher: &Publisher<'_>,
) -> Result<(String, Published), PublishError> {
    let checked = bundle.check(Lang::En);
    let (key, first) = match &checked.workflow {
        Some(wf) if checked.problems(Lang::En).is_empty() => (wf.definition.key.clone(), wf.definition.version),
        _ => return Err(PublishError::Invalid(Box::new(checked))),
    };
    if expected_key.is_some_and(|k| k != key) {
        return Err(PublishError::WrongKey(key));
    }
    let digest = digest(bundle);
    let latest = store.version(&key, None).await?;
    if let Some(v) = latest.as_ref().filter(|v| v.digest == digest) {
        return Ok((key, Published::Unchanged(v.version)));
    }
    let version = latest.map_or(i64::from(first.max(1)), |v| v.version + 1);
    let row = VersionRow {
        key: key.clone(),
        version,
        workflow_toml: bundle.workflow_toml.clone(),
        rules_rhai: bundle.rules_rhai.clone(),
        cases: serde_json::to_string(&bundle.cases).unwrap_or_default(),
        digest,
        published_at: publisher.now.to_string(),
        published_by: publisher.by.to_string(),
        note: publisher.note.to_string(),
    };
    if let Err(e) = store.insert_version(&row).await {
        // Another replica may have published the same bundle a moment ago.
        return match store.version(&key, None).await? {
            Some(v) if v.digest == row.digest => Ok((key, Published::Unchanged(v.version))),
            _ => Err(e.into()),
        };
    }
    Ok((key, Published::New(version)))
}
