//! The caller as the server verified them: the widget shows who is signed in and runs the
//! rules with the same actor.

use axum::Json;
use kexie_api::Me;

use crate::auth::Caller;

#[utoipa::path(get, path = "/api/v1/me",
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me::of(caller.actor, caller.admin))
}
