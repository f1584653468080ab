//! The caller as the server verified them: the widget shows who is signed in and runs the
//! rules with the same actor.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;

/// The verified caller.
#[derive(Serialize, ToSchema)]
pub struct Me {
    id: String,
    name: String,
    department: Option<String>,
    roles: Vec<String>,
    /// Holds the configured admin role (may publish and sync the directory).
    admin: bool,
}

#[utoipa::path(get, path = "/api/v1/me",
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    let Caller { actor, admin } = caller;
    Json(Me { id: actor.id, name: actor.name, department: actor.department, roles: actor.roles, admin })
}
