//! The directory of people the server has seen (from tokens, syncs and the demo), with a
//! stamp that moves whenever it changes.

use kexie_engine::people::{Actor, Directory};
use kexie_engine::text::Lang;
use sqlx::Row;

use super::{Store, StoreError, from_json, to_json};

/// Where a person is mailed.
pub struct Contact {
    pub name: String,
    pub email: String,
    pub lang: Lang,
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

    /// Sets where and in which language `id` is mailed; what is `None` stays as it was.
    pub async fn set_contact(&self, id: &str, email: Option<&str>, lang: Option<&str>) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET email = COALESCE($1, email), lang = COALESCE($2, lang) WHERE id = $3")
            .bind(email)
            .bind(lang)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `id`'s name, mail address and language, if they have an address.
    pub async fn contact(&self, id: &str) -> Result<Option<Contact>, StoreError> {
        let row = sqlx::query("SELECT name, email, lang FROM users WHERE id = $1 AND email IS NOT NULL")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let lang = if r.try_get::<Option<String>, _>("lang")?.as_deref() == Some("en") { Lang::En } else { Lang::Zh };
        Ok(Some(Contact { name: r.try_get("name")?, email: r.try_get("email")?, lang }))
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
}
