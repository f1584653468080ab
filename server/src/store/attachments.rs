//! Attachments: the bytes by sha256, and who uploaded each as which type.

use sqlx::Row;

use super::{Store, StoreError};

/// A stored attachment.
pub struct Blob {
    pub media_type: String,
    pub content: Vec<u8>,
}

impl Store {
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
