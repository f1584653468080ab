//! Publishing definitions: checked, their golden cases run, then stored as a new
//! immutable version. The same path serves `workflows/` on start and the admin API.

use std::collections::BTreeMap;
use std::path::Path;

use kexie_engine::Workflow;
use kexie_engine::definition::Source;
use kexie_engine::golden::{self, People};
use kexie_engine::text::Lang;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError, VersionRow};

/// The texts of one workflow: definition, rules, and the case files by name
/// (`_people.toml` among them when there is one).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub workflow_toml: String,
    pub rules_rhai: String,
    #[serde(default)]
    pub cases: BTreeMap<String, String>,
}

impl Bundle {
    /// Reads a workflow folder.
    pub fn read(dir: &Path) -> std::io::Result<Bundle> {
        let mut cases = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(dir.join("cases")) {
            for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
                if path.extension().is_some_and(|e| e == "toml") {
                    let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
                    cases.insert(name, std::fs::read_to_string(&path)?);
                }
            }
        }
        Ok(Bundle {
            workflow_toml: std::fs::read_to_string(dir.join("workflow.toml"))?,
            rules_rhai: std::fs::read_to_string(dir.join("rules.rhai"))?,
            cases,
        })
    }

    /// sha256 over every text, to tell a changed workflow from an unchanged one.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for text in [&self.workflow_toml, &self.rules_rhai].into_iter().chain(self.cases.values()) {
            h.update((text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        self.cases.keys().for_each(|k| h.update(k.as_bytes()));
        hex::encode(h.finalize())
    }

    /// Checks the definition and runs every case. Returns the workflow, or every problem
    /// (`file:line:col: …` and failed cases), in `lang`.
    pub fn check(&self, lang: Lang) -> Result<Workflow, Vec<String>> {
        let def = Source { name: "workflow.toml", text: &self.workflow_toml };
        let rules = Source { name: "rules.rhai", text: &self.rules_rhai };
        let wf = Workflow::load(&def, &rules).map_err(|d| d.0.iter().map(|d| d.render(lang)).collect::<Vec<_>>())?;
        let people = match self.cases.get("_people.toml") {
            Some(text) => {
                golden::parse_people(&Source { name: "cases/_people.toml", text }).map_err(|d| vec![d.render(lang)])?
            }
            None => People::default(),
        };
        let mut problems = Vec::new();
        for (name, text) in self.cases.iter().filter(|(n, _)| !n.starts_with('_')) {
            let file = format!("cases/{name}");
            match golden::parse_case(&Source { name: &file, text }) {
                Err(d) => problems.push(d.render(lang)),
                Ok(case) => {
                    let report = golden::run(&wf, &people, &case, lang);
                    problems.extend(report.failures.iter().map(|f| format!("{file}: {f}")));
                }
            }
        }
        if problems.is_empty() { Ok(wf) } else { Err(problems) }
    }
}

/// What publishing did.
pub enum Published {
    /// A new version was stored.
    New(i64),
    /// Identical to the newest version: nothing stored.
    Unchanged(i64),
}

/// Why a bundle was not published.
#[derive(Debug)]
pub enum PublishError {
    /// It does not check, or its cases fail.
    Invalid(Vec<String>),
    /// The key in the file differs from the one asked for.
    WrongKey(String),
    Store(StoreError),
}

impl From<StoreError> for PublishError {
    fn from(e: StoreError) -> Self {
        PublishError::Store(e)
    }
}

/// Publishes a bundle under its key if it differs from the newest version.
pub async fn publish(
    store: &Store,
    bundle: &Bundle,
    expected_key: Option<&str>,
    by: &str,
    now: &str,
) -> Result<(String, Published), PublishError> {
    let wf = bundle.check(Lang::En).map_err(PublishError::Invalid)?;
    let key = wf.definition.key.clone();
    if expected_key.is_some_and(|k| k != key) {
        return Err(PublishError::WrongKey(key));
    }
    let digest = bundle.digest();
    let latest = store.version(&key, None).await?;
    if let Some(v) = latest.as_ref().filter(|v| v.digest == digest) {
        return Ok((key, Published::Unchanged(v.version)));
    }
    let version = latest.map_or(i64::from(wf.definition.version.max(1)), |v| v.version + 1);
    let row = VersionRow {
        key: key.clone(),
        version,
        workflow_toml: bundle.workflow_toml.clone(),
        rules_rhai: bundle.rules_rhai.clone(),
        cases: serde_json::to_string(&bundle.cases).unwrap_or_default(),
        digest,
        published_at: now.to_string(),
        published_by: by.to_string(),
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
