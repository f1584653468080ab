//! The directory of people the server has seen, and attachments.

use kexie_engine::people::{Actor, Directory};
use sqlx::Row;

use super::{Store, StoreError, from_json, to_json};

/// A stored attachment.
pub struct Blob {
    pub media_type: String,
    pub content: Vec<u8>,
}

impl Store {
    /// Records (or refreshes) a person from a verified token or the demo directory.
    pub async fn upsert_user(&self, a: &Actor, now: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (id, name, department, roles, seen_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, department = excluded.department, \
             roles = excluded.roles, seen_at = excluded.seen_at",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(a.department.clone())
        .bind(to_json(&a.roles))
        .bind(now)
        .execute(&self.pool)
        .await?;
        sqlx::query("UPDATE directory_stamp SET stamp = stamp + 1 WHERE id = 1").execute(&self.pool).await?;
        Ok(())
    }

    /// How often the directory changed: a cache of it is good while this stays the same.
    pub async fn directory_stamp(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT stamp FROM directory_stamp WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(row.try_get("stamp")?)
    }

    /// Everybody the server knows, for assigning steps by role.
    pub async fn directory(&self) -> Result<Directory, StoreError> {
        let rows = sqlx::query("SELECT id, name, department, roles FROM users").fetch_all(&self.pool).await?;
        let mut dir = Directory::default();
        for r in rows {
            let id: String = r.try_get("id")?;
            let roles = from_json(&r.try_get::<String, _>("roles")?)?;
            let actor = Actor { id: id.clone(), name: r.try_get("name")?, roles, department: r.try_get("department")? };
            dir.0.insert(id, actor);
        }
        Ok(dir)
    }

    /// Stores an attachment by its sha256 (the same bytes are stored once) and records
    /// that `by` uploaded it, as `media_type` (their latest upload of it counts).
    pub async fn put_attachment(
        &self,
        sha256: &str,
        media_type: &str,
        content: &[u8],
        by: &str,
        now: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO attachments (sha256, media_type, size, content, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256)
        .bind(media_type)
        .bind(content.len() as i64)
        .bind(content.to_vec())
        .bind(by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "INSERT INTO uploads (sha256, user_id, media_type, size, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sha256, user_id) DO UPDATE SET media_type = excluded.media_type, created_at = excluded.created_at",
        )
        .bind(sha256)
        .bind(by)
        .bind(media_type)
        .bind(content.len() as i64)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The size and media type `user` uploaded the file `sha256` as, if they did.
    pub async fn upload(&self, sha256: &str, user: &str) -> Result<Option<(u64, String)>, StoreError> {
        let row = sqlx::query("SELECT size, media_type FROM uploads WHERE sha256 = $1 AND user_id = $2")
            .bind(sha256)
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| Ok::<_, sqlx::Error>((r.try_get::<i64, _>("size")? as u64, r.try_get("media_type")?)))
            .transpose()?)
    }

    /// An attachment's bytes.
    pub async fn attachment(&self, sha256: &str) -> Result<Option<Blob>, StoreError> {
        let row = sqlx::query("SELECT media_type, content FROM attachments WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| {
                Ok::<_, sqlx::Error>(Blob { media_type: r.try_get("media_type")?, content: r.try_get("content")? })
            })
            .transpose()?)
    }
}
