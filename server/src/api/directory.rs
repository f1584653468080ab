//! The host's directory: who holds which role, so steps can be assigned to people who
//! have not yet opened the widget.

use axum::Json;
use axum::extract::State;
use kexie_engine::people::Actor;
use serde::Serialize;
use utoipa::ToSchema;

use super::Body;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// How many people were written.
#[derive(Serialize, ToSchema)]
pub struct DirectoryResult {
    updated: usize,
}

#[utoipa::path(post, path = "/api/v1/directory", request_body(content = Vec<Object>),
    responses((status = 200, body = DirectoryResult), (status = 403, body = crate::error::ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    caller: Caller,
    Body(people): Body<Vec<Actor>>,
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
    for actor in &people {
        state.remember(actor).await?;
    }
    Ok(Json(DirectoryResult { updated: people.len() }))
}
