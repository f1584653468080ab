//! Workflows: list, get a version, and for administrators publish a new one, see the
//! history of versions and the texts of each.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kexie_api::{
    InvalidBundle, PersonRef, PublishRequest, PublishResult, VersionBundle, VersionSummary, WorkflowSummary,
    WorkflowVersion,
};
use kexie_engine::bundle::Bundle;
use kexie_engine::people::Directory;

use super::{Body, PathArgs};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::publish::{self, PublishError, Published, Publisher};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/workflows", responses((status = 200, body = [WorkflowSummary])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<WorkflowSummary>>, ApiError> {
    let mut out = Vec::new();
    for row in state.store.latest_versions().await? {
        let (wf, row) = state.workflow(&row.key, Some(row.version)).await?;
        let d = &wf.definition;
        out.push(WorkflowSummary {
            key: row.key.clone(),
            version: row.version,
            title: d.title.clone(),
            description: d.description.clone(),
            article: d.article.clone(),
            can_start: d.may_start(&caller.actor),
        });
    }
    Ok(Json(out))
}

async fn one(state: &AppState, key: &str, version: Option<i64>) -> Result<Json<WorkflowVersion>, ApiError> {
    let (wf, row) = state.workflow(key, version).await?;
    Ok(Json(WorkflowVersion {
        key: row.key.clone(),
        version: row.version,
        definition: wf.definition.clone(),
        workflow_toml: row.workflow_toml.clone(),
        rules_rhai: row.rules_rhai.clone(),
        published_at: row.published_at.clone(),
        published_by: row.published_by.clone(),
        note: row.note.clone(),
    }))
}

#[utoipa::path(get, path = "/api/v1/workflows/{key}", params(("key" = String, Path, description = "the workflow key, e.g. `kexie-formation`")), responses((status = 200, body = WorkflowVersion), (status = 404, body = crate::error::ErrorBody)))]
pub async fn latest(
    State(state): State<AppState>,
    _caller: Caller,
    PathArgs(key): PathArgs<String>,
) -> Result<Json<WorkflowVersion>, ApiError> {
    one(&state, &key, None).await
}

#[utoipa::path(get, path = "/api/v1/workflows/{key}/versions/{version}", params(("key" = String, Path, description = "the workflow key, e.g. `kexie-formation`"), ("version" = i64, Path, description = "the version number, from 1")), responses((status = 200, body = WorkflowVersion),
    (status = 404, body = crate::error::ErrorBody)))]
pub async fn version(
    State(state): State<AppState>,
    _caller: Caller,
    PathArgs((key, version)): PathArgs<(String, i64)>,
) -> Result<Json<WorkflowVersion>, ApiError> {
    one(&state, &key, Some(version)).await
}

/// The longest change note, in characters.
const NOTE_MAX: usize = 500;

fn admin_only(caller: &Caller, zh: &str, en: &str) -> Result<(), ApiError> {
    if caller.admin { Ok(()) } else { Err(ApiError::forbidden(zh, en)) }
}

#[utoipa::path(post, path = "/api/v1/workflows/{key}/versions", params(("key" = String, Path, description = "the workflow key, e.g. `kexie-formation`")), request_body = PublishRequest,
    responses(
        (status = 201, description = "a new version", body = PublishResult),
        (status = 200, description = "the same texts as the newest version: nothing stored", body = PublishResult),
        (status = 400, description = "`bad_request`: a bad body, a missing or too long `note` (`field` names it), or another key", body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 422, description = "`definition_invalid`: `details` is an `InvalidBundle`", body = crate::error::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs(key): PathArgs<String>,
    Body(req): Body<PublishRequest>,
) -> Result<(StatusCode, Json<PublishResult>), ApiError> {
    admin_only(&caller, "只有管理员可以发布流程。", "only administrators may publish workflows.")?;
    let note = req.note.trim();
    if note.is_empty() {
        return Err(ApiError::bad_request(
            "请填写变更说明（note）：这次改了什么、为什么。",
            "note is required: say what changed and why.",
        )
        .on_field("note"));
    }
    let length = note.chars().count();
    if length > NOTE_MAX {
        return Err(ApiError::bad_request(
            format!("变更说明（note）最多 {NOTE_MAX} 个字符，现在有 {length} 个。"),
            format!("note may be at most {NOTE_MAX} characters; it has {length}."),
        )
        .on_field("note"));
    }
    let now = state.now().to_string();
    let publisher = Publisher { by: &caller.actor.id, note, now: &now };
    match publish::publish(&state, &req.bundle, Some(&key), &publisher).await {
        Ok((key, Published::New(version))) => {
            Ok((StatusCode::CREATED, Json(PublishResult { key, version, created: true })))
        }
        Ok((key, Published::Unchanged(version))) => {
            Ok((StatusCode::OK, Json(PublishResult { key, version, created: false })))
        }
        Err(PublishError::Invalid(checked)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "definition_invalid",
            "流程定义有误或案例未通过，未发布。",
            "the definition has problems or its cases fail; nothing was published.",
        )
        .with_details(serde_json::to_value(InvalidBundle::of(&checked)).expect("plain data serializes"))),
        Err(PublishError::WrongKey(found)) => Err(ApiError::bad_request(
            format!("定义中的 key 是「{found}」，与地址中的「{key}」不符。"),
            format!("the definition's key is '{found}', not '{key}' as in the path."),
        )),
        Err(PublishError::Store(e)) => Err(e.into()),
        Err(PublishError::Busy(e)) => Err(e),
    }
}

/// Who published a version, named as the directory knows them (else by their id).
fn publisher(dir: &Directory, id: &str) -> PersonRef {
    let name = dir.get(id).map(|a| a.name.as_str()).filter(|n| !n.is_empty()).unwrap_or(id);
    PersonRef::named(id.to_string(), name.to_string())
}

#[utoipa::path(get, path = "/api/v1/workflows/{key}/versions", params(("key" = String, Path, description = "the workflow key, e.g. `kexie-formation`")),
    responses((status = 200, description = "newest first", body = [VersionSummary]),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs(key): PathArgs<String>,
) -> Result<Json<Vec<VersionSummary>>, ApiError> {
    admin_only(&caller, "只有管理员可以查看流程的版本。", "only administrators may see a workflow's versions.")?;
    let entries = state.store.versions(&key).await?;
    if entries.is_empty() {
        return Err(ApiError::not_found(&format!("流程「{key}」"), &format!("workflow '{key}'")));
    }
    let dir = state.directory().await?;
    let out = entries.into_iter().map(|v| VersionSummary {
        version: v.version,
        published_by: publisher(&dir, &v.published_by),
        published_at: v.published_at,
        note: v.note,
        digest: v.digest,
    });
    Ok(Json(out.collect()))
}

#[utoipa::path(get, path = "/api/v1/workflows/{key}/versions/{version}/bundle", params(("key" = String, Path, description = "the workflow key, e.g. `kexie-formation`"), ("version" = i64, Path, description = "the version number, from 1")),
    responses((status = 200, body = VersionBundle),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn bundle(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs((key, version)): PathArgs<(String, i64)>,
) -> Result<Json<VersionBundle>, ApiError> {
    admin_only(&caller, "只有管理员可以查看流程的原文。", "only administrators may read a workflow's texts.")?;
    let row = state.store.version(&key, Some(version)).await?.ok_or_else(|| {
        ApiError::not_found(
            &format!("流程「{key}」的第 {version} 版"),
            &format!("version {version} of workflow '{key}'"),
        )
    })?;
    let cases = serde_json::from_str(&row.cases).map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
    let dir = state.directory().await?;
    Ok(Json(VersionBundle {
        published_by: publisher(&dir, &row.published_by),
        bundle: Bundle { workflow_toml: row.workflow_toml, rules_rhai: row.rules_rhai, cases },
        key: row.key,
        version: row.version,
        note: row.note,
        published_at: row.published_at,
    }))
}
