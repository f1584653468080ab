//! Work lists: my tasks, what I started, what was copied to me.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError};

/// One row of a work list, before the API adds titles and labels.
#[derive(Debug, Clone)]
pub struct ListItem {
    pub id: String,
    pub workflow: String,
    pub version: i64,
    pub status: String,
    pub step: String,
    pub initiator: String,
    pub initiator_name: Option<String>,
    pub updated_at: String,
    pub due_at: Option<String>,
    /// The instance as stored (JSON), for the summary the list shows.
    pub state: String,
}

/// A page of a list and the total count.
pub struct Page {
    pub items: Vec<ListItem>,
    pub total: i64,
}

/// Which list.
#[derive(Debug, Clone, Copy)]
pub enum List {
    Tasks,
    Started,
    Copied,
}

impl List {
    fn sql_from(self) -> &'static str {
        match self {
            List::Tasks => "FROM open_tasks t JOIN instances i ON i.id = t.instance_id WHERE t.assignee = $1",
            List::Started => "FROM instances i WHERE i.initiator = $1",
            List::Copied => "FROM copies c JOIN instances i ON i.id = c.instance_id WHERE c.user_id = $1",
        }
    }
}

impl Store {
    /// A page (from 1) of one of `user`'s lists, newest first.
    pub async fn list(&self, which: List, user: &str, page: i64, per_page: i64) -> Result<Page, StoreError> {
        let from = which.sql_from();
        let due = if matches!(which, List::Tasks) { "t.due_at" } else { "NULL" };
        let sql = format!(
            "SELECT i.id, i.workflow, i.version, i.status, i.step, i.initiator, i.updated_at, {due} AS due_at, i.state, \
             (SELECT u.name FROM users u WHERE u.id = i.initiator) AS initiator_name \
             {from} ORDER BY i.updated_at DESC, i.id LIMIT $2 OFFSET $3"
        );
        let rows =
            sqlx::query(&sql).bind(user).bind(per_page).bind((page - 1) * per_page).fetch_all(&self.pool).await?;
        let items = rows.iter().map(item).collect::<Result<_, sqlx::Error>>()?;
        let total = sqlx::query(&format!("SELECT COUNT(*) AS n {from}")).bind(user).fetch_one(&self.pool).await?;
        Ok(Page { items, total: total.try_get("n")? })
    }
}

/// A list's row as selected (id, workflow, version, status, step, initiator, updated_at,
/// due_at, state, initiator_name).
pub(super) fn item(r: &AnyRow) -> Result<ListItem, sqlx::Error> {
    Ok(ListItem {
        id: r.try_get("id")?,
        workflow: r.try_get("workflow")?,
        version: r.try_get("version")?,
        status: r.try_get("status")?,
        step: r.try_get("step")?,
        initiator: r.try_get("initiator")?,
        initiator_name: r.try_get("initiator_name")?,
        updated_at: r.try_get("updated_at")?,
        due_at: r.try_get("due_at")?,
        state: r.try_get("state")?,
    })
}
