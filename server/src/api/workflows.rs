//! Workflows: list, get a version, publish a new one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kexie_engine::definition::Definition;
use kexie_engine::text::Text;
use serde::Serialize;
use utoipa::ToSchema;

use super::Body;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::publish::{self, Bundle, PublishError, Published};
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
    }))
}

#[utoipa::path(get, path = "/api/v1/workflows/{key}", responses((status = 200, body = WorkflowVersion), (status = 404, body = crate::error::ErrorBody)))]
pub async fn latest(
    State(state): State<AppState>,
    _caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<WorkflowVersion>, ApiError> {
    one(&state, &key, None).await
}

#[utoipa::path(get, path = "/api/v1/workflows/{key}/versions/{version}", responses((status = 200, body = WorkflowVersion)))]
pub async fn version(
    State(state): State<AppState>,
    _caller: Caller,
    Path((key, version)): Path<(String, i64)>,
) -> Result<Json<WorkflowVersion>, ApiError> {
    one(&state, &key, Some(version)).await
}

/// The result of publishing.
#[derive(Serialize, ToSchema)]
pub struct PublishResult {
    key: String,
    version: i64,
    /// False when the bundle equals the newest version (nothing stored).
    created: bool,
}

#[utoipa::path(post, path = "/api/v1/workflows/{key}/versions", request_body = Bundle,
    responses((status = 201, body = PublishResult), (status = 422, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Body(bundle): Body<Bundle>,
) -> Result<(StatusCode, Json<PublishResult>), ApiError> {
    if !caller.admin {
        return Err(ApiError::forbidden("只有管理员可以发布流程。", "only administrators may publish workflows."));
    }
    let now = state.now().to_string();
    match publish::publish(&state.store, &bundle, Some(&key), &caller.actor.id, &now).await {
        Ok((key, Published::New(version))) => {
            Ok((StatusCode::CREATED, Json(PublishResult { key, version, created: true })))
        }
        Ok((key, Published::Unchanged(version))) => {
            Ok((StatusCode::OK, Json(PublishResult { key, version, created: false })))
        }
        Err(PublishError::Invalid(problems)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "definition_invalid",
            "流程定义有误或案例未通过，未发布。",
            "the definition has problems or its cases fail; nothing was published.",
        )
        .with_details(serde_json::json!(problems))),
        Err(PublishError::WrongKey(found)) => Err(ApiError::bad_request(
            format!("定义中的 key 是「{found}」，与地址中的「{key}」不符。"),
            format!("the definition's key is '{found}', not '{key}' as in the path."),
        )),
        Err(PublishError::Store(e)) => Err(e.into()),
    }
}
