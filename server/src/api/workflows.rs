//! Workflows: list, get a version, and for administrators publish a new one, see the
//! history of versions and the texts of each.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kexie_engine::bundle::{Bundle, Checked};
use kexie_engine::definition::{Definition, Diagnostic};
use kexie_engine::people::Directory;
use kexie_engine::text::{Lang, Text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::instances::PersonRef;
use super::{Body, PathArgs};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::publish::{self, PublishError, Published, Publisher};
use crate::state::AppState;

/// A workflow in the list.
#[derive(Serialize, ToSchema)]
pub struct WorkflowSummary {
    key: String,
    version: i64,
    #[schema(value_type = Object)]
    title: Text,
    #[schema(value_type = Object)]
    description: Option<Text>,
    article: Option<String>,
    /// Whether the caller may start it.
    can_start: bool,
}

/// A version: the definition and the sources the widget compiles its rules from.
#[derive(Serialize, ToSchema)]
pub struct WorkflowVersion {
    key: String,
    version: i64,
    #[schema(value_type = Object)]
    definition: Definition,
    workflow_toml: String,
    rules_rhai: String,
    published_at: String,
    published_by: String,
    /// Why it was published.
    note: String,
}

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

/// A workflow's texts: its definition, its rules and its golden cases.
// `kexie_engine::bundle::Bundle` as it reads and writes itself, for the OpenAPI document
// only: the engine does not depend on utoipa.
#[derive(ToSchema)]
#[schema(as = Bundle)]
#[allow(dead_code)] // never built
pub struct BundleSchema {
    workflow_toml: String,
    rules_rhai: String,
    /// Case files by name (`01-main.toml`, and `_people.toml` for the people they share) →
    /// text. Always in responses; may be left out of a request (no cases).
    #[schema(required = false)]
    cases: BTreeMap<String, String>,
}

/// Publishing: the texts and why they changed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    #[schema(value_type = BundleSchema)]
    bundle: Bundle,
    /// What changed and why: 1 to 500 characters, kept with the version.
    // A missing note is refused like an empty one, naming the field.
    #[serde(default)]
    #[schema(required = true)]
    note: String,
}

/// The longest change note, in characters.
const NOTE_MAX: usize = 500;

/// The result of publishing.
#[derive(Serialize, ToSchema)]
pub struct PublishResult {
    key: String,
    version: i64,
    /// False when the bundle equals the newest version (nothing stored).
    created: bool,
}

/// The `details` of a 422 `definition_invalid`: why a bundle was not published.
#[derive(Serialize, ToSchema)]
pub struct InvalidBundle {
    /// Every problem as one line: `file:line:col: message` or `cases/<name>: failure` (English).
    problems: Vec<String>,
    /// Each problem in a file: `{file, line, col, message: {zh, en}}`, the file being
    /// `workflow.toml`, `rules.rhai` or `cases/<name>`.
    #[schema(value_type = Vec<Object>)]
    diagnostics: Vec<Diagnostic>,
    /// Only the cases that failed.
    cases: Vec<FailedCase>,
}

/// A golden case that did not hold.
#[derive(Serialize, ToSchema)]
pub struct FailedCase {
    /// `cases/<name>`.
    file: String,
    /// The case's `name`.
    name: String,
    /// Each expectation that did not hold (English).
    failures: Vec<String>,
}

impl InvalidBundle {
    fn of(checked: &Checked) -> Self {
        let cases = checked.cases.iter().filter(|(_, report)| !report.passed());
        InvalidBundle {
            problems: checked.problems(Lang::En),
            diagnostics: checked.diagnostics.clone(),
            cases: cases
                .map(|(file, r)| FailedCase { file: file.clone(), name: r.name.clone(), failures: r.failures.clone() })
                .collect(),
        }
    }
}

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
    match publish::publish(&state.workers, &state.store, &req.bundle, Some(&key), &publisher).await {
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

/// A version in a workflow's history.
#[derive(Serialize, ToSchema)]
pub struct VersionSummary {
    version: i64,
    published_at: String,
    /// `{id, name}`.
    published_by: PersonRef,
    note: String,
    /// sha256 of the texts: equal digests, equal texts.
    digest: String,
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

/// A version's texts exactly as published, with who published it and why.
#[derive(Serialize, ToSchema)]
pub struct VersionBundle {
    key: String,
    version: i64,
    note: String,
    published_at: String,
    /// `{id, name}`.
    published_by: PersonRef,
    #[schema(value_type = BundleSchema)]
    bundle: Bundle,
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
