//! Published workflow versions: immutable once written.

use sqlx::Row;

use super::{Store, StoreError};

/// One published version, as stored.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub key: String,
    pub version: i64,
    pub workflow_toml: String,
    pub rules_rhai: String,
    /// The golden cases, as a JSON object file name → text.
    pub cases: String,
    /// sha256 of the sources, to notice a changed folder.
    pub digest: String,
    pub published_at: String,
    pub published_by: String,
    /// Why it was published.
    pub note: String,
}

/// A version in the history: who published it, when and why, without its texts.
#[derive(Debug, Clone)]
pub struct VersionEntry {
    pub version: i64,
    pub digest: String,
    pub published_at: String,
    pub published_by: String,
    pub note: String,
}

fn row(r: sqlx::any::AnyRow) -> Result<VersionRow, sqlx::Error> {
    Ok(VersionRow {
        key: r.try_get("key")?,
        version: r.try_get("version")?,
        workflow_toml: r.try_get("workflow_toml")?,
        rules_rhai: r.try_get("rules_rhai")?,
        cases: r.try_get("cases")?,
        digest: r.try_get("digest")?,
        published_at: r.try_get("published_at")?,
        published_by: r.try_get("published_by")?,
        note: r.try_get("note")?,
    })
}

const COLUMNS: &str = "key, version, workflow_toml, rules_rhai, cases, digest, published_at, published_by, note";

impl Store {
    /// The newest version of every workflow.
    pub async fn latest_versions(&self) -> Result<Vec<VersionRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM workflow_versions w WHERE version = \
             (SELECT MAX(version) FROM workflow_versions v WHERE v.key = w.key) ORDER BY key"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(row).collect::<Result<_, _>>()?)
    }

    /// One version, or the newest when `version` is `None`.
    pub async fn version(&self, key: &str, version: Option<i64>) -> Result<Option<VersionRow>, StoreError> {
        let found = match version {
            Some(v) => {
                let sql = format!("SELECT {COLUMNS} FROM workflow_versions WHERE key = $1 AND version = $2");
                sqlx::query(&sql).bind(key).bind(v).fetch_optional(&self.pool).await?
            }
            None => {
                let sql =
                    format!("SELECT {COLUMNS} FROM workflow_versions WHERE key = $1 ORDER BY version DESC LIMIT 1");
                sqlx::query(&sql).bind(key).fetch_optional(&self.pool).await?
            }
        };
        Ok(found.map(row).transpose()?)
    }

    /// Every version of a workflow, newest first; empty for an unknown key.
    pub async fn versions(&self, key: &str) -> Result<Vec<VersionEntry>, StoreError> {
        let sql = "SELECT version, digest, published_at, published_by, note FROM workflow_versions \
                   WHERE key = $1 ORDER BY version DESC";
        let rows = sqlx::query(sql).bind(key).fetch_all(&self.pool).await?;
        let entry = |r: sqlx::any::AnyRow| -> Result<VersionEntry, sqlx::Error> {
            Ok(VersionEntry {
                version: r.try_get("version")?,
                digest: r.try_get("digest")?,
                published_at: r.try_get("published_at")?,
                published_by: r.try_get("published_by")?,
                note: r.try_get("note")?,
            })
        };
        Ok(rows.into_iter().map(entry).collect::<Result<_, _>>()?)
    }

    /// Writes a new version; fails if that version exists (versions are immutable).
    pub async fn insert_version(&self, v: &VersionRow) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO workflow_versions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        sqlx::query(&sql)
            .bind(&v.key)
            .bind(v.version)
            .bind(&v.workflow_toml)
            .bind(&v.rules_rhai)
            .bind(&v.cases)
            .bind(&v.digest)
            .bind(&v.published_at)
            .bind(&v.published_by)
            .bind(&v.note)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
