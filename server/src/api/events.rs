//! The event feed: what actions told the systems around Kexie, in order, for an OA that
//! reads rather than receives them (behind a firewall, say).

use axum::Json;
use axum::extract::State;
use kexie_api::{EventPage, EventQuery};

use super::Params;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/events", params(EventQuery),
    responses((status = 200, description = "oldest first", body = EventPage),
        (status = 403, description = "neither an administrator nor of the configured `events.feed_role`", body = crate::error::ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<EventQuery>,
) -> Result<Json<EventPage>, ApiError> {
    if !caller.admin && !caller.actor.has_role(&state.config.events.feed_role) {
        return Err(ApiError::forbidden(
            "只有管理员和集成账号可以读取事件。",
            "only administrators and the integration account may read events.",
        ));
    }
    let (after, limit) = (q.after.unwrap_or(0), q.limit.unwrap_or(100));
    if after < 0 || !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request(
            "after 须 ≥ 0，limit 须在 1–500 之间。",
            "after must be ≥ 0 and limit 1 to 500.",
        ));
    }
    let items = state.store.events_after(after, limit).await?;
    let next = items.last().map_or(after, |item| item.cursor);
    Ok(Json(EventPage { items, next }))
}
