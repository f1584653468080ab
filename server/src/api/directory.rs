//! The host's directory: who holds which role, so steps can be assigned to people who
//! have not yet opened the widget; and a search of it for the widget's pickers.

use std::collections::{BTreeSet, HashSet};

use axum::Json;
use axum::extract::State;
use kexie_api::{DirectoryEntry, DirectoryPage, DirectoryQuery, DirectoryResult, Person};
use kexie_engine::people::{Actor, Directory};

use super::{Body, Params};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/directory", request_body(content = Vec<DirectoryEntry>),
    responses((status = 200, body = DirectoryResult), (status = 403, body = crate::error::ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    caller: Caller,
    Body(people): Body<Vec<DirectoryEntry>>,
) -> Result<Json<DirectoryResult>, ApiError> {
    if !caller.admin {
        return Err(ApiError::forbidden("只有管理员可以同步人员目录。", "only administrators may sync the directory."));
    }
    if let Some(bad) = people.iter().find(|a| a.id.trim().is_empty()) {
        return Err(ApiError::bad_request(
            format!("人员「{}」缺少 id。", bad.name),
            format!("the person '{}' has no id.", bad.name),
        ));
    }
    for (n, entry) in people.iter().enumerate() {
        contact_problem(entry).map_err(|(zh, en)| {
            ApiError::bad_request(
                format!("第 {} 人「{}」：{zh}", n + 1, entry.id),
                format!("person {} ('{}'): {en}", n + 1, entry.id),
            )
        })?;
    }
    for entry in &people {
        state.record(&entry.actor()).await?;
        state.store.set_contact(&entry.id, entry.email.as_deref(), entry.lang.as_deref()).await?;
    }
    Ok(Json(DirectoryResult { updated: people.len() }))
}

#[utoipa::path(get, path = "/api/v1/directory", params(DirectoryQuery),
    responses((status = 200, body = DirectoryPage), (status = 400, body = crate::error::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    Params(q): Params<DirectoryQuery>,
) -> Result<Json<DirectoryPage>, ApiError> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request("limit 须在 1–200 之间。", "limit must be 1 to 200."));
    }
    let dir = state.directory().await?;
    Ok(Json(find(&dir, &q, limit as usize)))
}

/// What is wrong with an entry's mail address or language, if anything.
fn contact_problem(entry: &DirectoryEntry) -> Result<(), (&'static str, &'static str)> {
    if let Some(email) = &entry.email
        && email.parse::<lettre::Address>().is_err()
    {
        return Err(("email 不是有效的邮件地址。", "email is not a mail address."));
    }
    match entry.lang.as_deref() {
        None | Some("zh-CN" | "en") => Ok(()),
        Some(_) => Err(("lang 须为 zh-CN 或 en。", "lang must be zh-CN or en.")),
    }
}

/// The search itself, on the cached directory.
fn find(dir: &Directory, q: &DirectoryQuery, limit: usize) -> DirectoryPage {
    let needle = q.q.as_deref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    let contains = |s: &str| needle.as_ref().is_none_or(|n| s.to_lowercase().contains(n.as_str()));
    // `ids` given (even empty) means just those people.
    let ids: Option<HashSet<&str>> =
        q.ids.as_deref().map(|s| s.split(',').map(str::trim).filter(|s| !s.is_empty()).collect());
    let role = q.role.as_deref().filter(|r| !r.is_empty());
    let chosen: Vec<&Actor> = dir
        .0
        .values()
        .filter(|a| ids.as_ref().is_none_or(|ids| ids.contains(a.id.as_str())))
        .filter(|a| role.is_none_or(|r| a.has_role(r)))
        .collect();
    let mut people: Vec<&Actor> = chosen
        .iter()
        .copied()
        .filter(|a| contains(&a.id) || contains(&a.name) || a.department.as_deref().is_some_and(contains))
        .collect();
    people.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let departments: BTreeSet<&str> =
        chosen.iter().filter_map(|a| a.department.as_deref()).filter(|d| !d.is_empty() && contains(d)).collect();
    DirectoryPage {
        people: people
            .into_iter()
            .take(limit)
            .map(|a| Person { id: a.id.clone(), name: a.name.clone(), department: a.department.clone() })
            .collect(),
        departments: departments.into_iter().take(limit).map(String::from).collect(),
    }
}
