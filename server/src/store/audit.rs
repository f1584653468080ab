//! The audit log: append-only, a hash chain per instance, and its verification.

use kexie_api::AuditEntry;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Store, StoreError, from_json};

/// The first entry that does not verify.
#[derive(Debug, Clone)]
pub struct BadEntry {
    pub instance_id: String,
    pub seq: i64,
    pub reason: String,
}

/// The hash of an entry: sha256 over the previous hash and the entry's JSON.
pub fn chain_hash(prev: &str, entry: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(entry.as_bytes());
    hex::encode(h.finalize())
}

impl Store {
    /// An instance's audit log, oldest first.
    pub async fn audit(&self, instance_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query("SELECT seq, entry, hash FROM audit WHERE instance_id = $1 ORDER BY seq")
            .bind(instance_id)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.try_get("seq")?,
                    event: from_json(&r.try_get::<String, _>("entry")?)?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }

    /// Walks every chain, or only `instance`'s; returns how many entries verified and the
    /// last chain's head hash (what a printed record shows), or the first bad entry.
    pub async fn verify_audit(&self, instance: Option<&str>) -> Result<Result<(u64, String), BadEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT instance_id, seq, entry, prev_hash, hash FROM audit \
             WHERE $1 IS NULL OR instance_id = $1 ORDER BY instance_id, seq",
        )
        .bind(instance)
        .fetch_all(&self.pool)
        .await?;
        let (mut current, mut prev, mut expected_seq, mut count) = (String::new(), String::new(), 1_i64, 0_u64);
        for r in rows {
            let id: String = r.try_get("instance_id")?;
            let seq: i64 = r.try_get("seq")?;
            if id != current {
                (current, prev, expected_seq) = (id.clone(), String::new(), 1);
            }
            let bad = |reason: &str| Ok(Err(BadEntry { instance_id: id.clone(), seq, reason: reason.to_string() }));
            if seq != expected_seq {
                return bad("an entry is missing before this one");
            }
            if r.try_get::<String, _>("prev_hash")? != prev {
                return bad("it does not point at the previous entry");
            }
            let hash: String = r.try_get("hash")?;
            if chain_hash(&prev, &r.try_get::<String, _>("entry")?) != hash {
                return bad("its content does not match its hash (altered)");
            }
            (prev, expected_seq, count) = (hash, seq + 1, count + 1);
        }
        Ok(Ok((count, prev)))
    }
}
