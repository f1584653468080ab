//! Publishing workflows: a bundle is checked, its golden cases run, the roles it names
//! looked up in the directory, then it is stored as a new immutable version with its
//! change note. The same path serves the admin API and
//! `workflows/` on start, which is published only where the folder changed (see [`load`]).

use kexie_engine::bundle::{Bundle, Checked};
use kexie_engine::definition::{Diagnostic, Source, roles};
use kexie_engine::text::{Lang, Text};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
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
    /// It does not check, its cases fail (their failures written in English), or it names
    /// a role nobody in the directory holds.
    Invalid(Box<Checked>),
    /// The key in the file differs from the one asked for.
    WrongKey(String),
    Store(StoreError),
    /// No worker was free to run the cases.
    Busy(ApiError),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Invalid(checked) => write!(f, "{} problem(s)", checked.problems(Lang::En).len()),
            PublishError::WrongKey(found) => write!(f, "the definition's key is '{found}'"),
            PublishError::Store(e) => e.fmt(f),
            PublishError::Busy(e) => f.write_str(&e.message.en),
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
    state: &AppState,
    bundle: &Bundle,
    expected_key: Option<&str>,
    publisher: &Publisher<'_>,
) -> Result<(String, Published), PublishError> {
    let (key, first, unheld) = checked_key(state, bundle, expected_key).await?;
    if !unheld.is_empty() {
        return Err(PublishError::Invalid(Box::new(Checked {
            workflow: None,
            diagnostics: unheld,
            cases: Vec::new(),
        })));
    }
    let store = &state.store;
    let latest = store.version(&key, None).await?.map(|v| (v.version, v.digest));
    let published = store_unless_newest(store, bundle, &key, first, latest, publisher).await?;
    Ok((key, published))
}

/// Who the startup loader is in the history (`published_by`).
pub const LOADER: &str = "kexie serve";

/// What the startup loader did with a folder.
pub enum Loaded {
    /// A new version from the folder; `superseded` is the newest one before it, `(version,
    /// published_by)`, when someone other than the loader had published that one.
    New { version: i64, superseded: Option<(i64, String)> },
    /// The newest version already has the folder's texts.
    Unchanged(i64),
    /// The folder still holds the texts of version `folder`, which the loader published
    /// (or someone published after the loader's last), so the newer version `version`
    /// that `by` published is kept.
    Kept { version: i64, by: String, folder: i64 },
}

/// Publishes a workflow folder on start, as [`LOADER`], only if the folder changed since
/// the loader last published it: versions published since (from the rule editor) are not
/// undone by a restart. The folder's texts count as seen when they are those of the
/// loader's newest version or of any version after it. A folder edited on disk is published
/// as a new version, whoever published the newest; a key never published is published.
/// The roles the folder names that nobody in the directory holds come back as warnings:
/// the host may sync its people after the server starts.
pub async fn load(
    state: &AppState,
    bundle: &Bundle,
    note: &str,
    now: &str,
) -> Result<(String, Loaded, Vec<Diagnostic>), PublishError> {
    let (key, first, unheld) = checked_key(state, bundle, None).await?;
    let warnings = unheld.into_iter().map(Diagnostic::warning).collect();
    let loaded = load_checked(&state.store, bundle, &key, first, note, now).await?;
    Ok((key, loaded, warnings))
}

/// [`load`] once the bundle checks.
async fn load_checked(
    store: &Store,
    bundle: &Bundle,
    key: &str,
    first: u32,
    note: &str,
    now: &str,
) -> Result<Loaded, PublishError> {
    let digest = digest(bundle);
    let history = store.versions(key).await?;
    // Newest first: the versions after the loader's newest, then the loader's newest.
    let since = history.iter().position(|v| v.published_by == LOADER).map_or(history.len(), |i| i + 1);
    let newest = history.first();
    if let Some(newest) = newest {
        if newest.digest == digest {
            return Ok(Loaded::Unchanged(newest.version));
        }
        if let Some(seen) = history[..since].iter().find(|v| v.digest == digest) {
            return Ok(Loaded::Kept { version: newest.version, by: newest.published_by.clone(), folder: seen.version });
        }
    }
    let latest = newest.map(|v| (v.version, v.digest.clone()));
    let publisher = Publisher { by: LOADER, note, now };
    Ok(match store_unless_newest(store, bundle, key, first, latest, &publisher).await? {
        Published::New(version) => {
            let superseded = newest.filter(|v| v.published_by != LOADER).map(|v| (v.version, v.published_by.clone()));
            Loaded::New { version, superseded }
        }
        Published::Unchanged(version) => Loaded::Unchanged(version),
    })
}

/// The bundle's key and first version number, once it checks and its cases pass (run on
/// the workers, under the budgets of every rule call), with the roles it names that nobody
/// in the directory holds.
async fn checked_key(
    state: &AppState,
    bundle: &Bundle,
    expected_key: Option<&str>,
) -> Result<(String, u32, Vec<Diagnostic>), PublishError> {
    let owned = bundle.clone();
    let checked = state.workers.run(move || owned.check(Lang::En)).await.map_err(PublishError::Busy)?;
    let wf = match &checked.workflow {
        Some(wf) if checked.problems(Lang::En).is_empty() => wf,
        _ => return Err(PublishError::Invalid(Box::new(checked))),
    };
    let (key, first) = (wf.definition.key.clone(), wf.definition.version);
    if expected_key.is_some_and(|k| k != key) {
        return Err(PublishError::WrongKey(key));
    }
    let held = state.store.directory().await?.roles();
    // A directory holding no role but administration has not been synced by the host yet
    // (an administrator signing in puts them there): there is nothing to check against.
    if held.iter().all(|r| *r == state.config.auth.admin_role) {
        return Ok((key, first, Vec::new()));
    }
    let src = Source { name: "workflow.toml", text: &bundle.workflow_toml };
    let whose = Text::new("服务器的人员目录", "the server's directory");
    Ok((key, first, roles::unheld(&src, &wf.definition, &held, &whose)))
}

/// Stores the bundle as the version after `latest` (its number and digest), unless it has
/// the same texts. Publishing is "this is the newest now": if another publish (through this
/// replica or another) took the number meanwhile, this one takes the next.
async fn store_unless_newest(
    store: &Store,
    bundle: &Bundle,
    key: &str,
    first: u32,
    mut latest: Option<(i64, String)>,
    publisher: &Publisher<'_>,
) -> Result<Published, PublishError> {
    let digest = digest(bundle);
    let mut attempts = 0;
    loop {
        if let Some((version, _)) = latest.as_ref().filter(|(_, d)| *d == digest) {
            return Ok(Published::Unchanged(*version));
        }
        let version = latest.as_ref().map_or(i64::from(first.max(1)), |(v, _)| v + 1);
        let row = VersionRow {
            key: key.to_string(),
            version,
            workflow_toml: bundle.workflow_toml.clone(),
            rules_rhai: bundle.rules_rhai.clone(),
            cases: serde_json::to_string(&bundle.cases).unwrap_or_default(),
            digest: digest.clone(),
            published_at: publisher.now.to_string(),
            published_by: publisher.by.to_string(),
            note: publisher.note.to_string(),
        };
        let Err(e) = store.insert_version(&row).await else { return Ok(Published::New(version)) };
        // Another publish took this number a moment ago: the same bundle is then this one,
        // another is older than this one. The insert failing for any other reason (the
        // newest is still the one this started from) is an error.
        let now = store.version(key, None).await?.map(|v| (v.version, v.digest));
        attempts += 1;
        if attempts > 16 || now.as_ref().map(|n| n.0) < Some(version) {
            return Err(e.into());
        }
        latest = now;
    }
}
