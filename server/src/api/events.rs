//! The event feed: what actions told the systems around Kexie, in order, for an OA that
//! reads rather than receives them (behind a firewall, say); and for administrators, the
//! webhook deliveries and sending dead ones again.

use axum::Json;
use axum::extract::State;
use kexie_api::events::{Delivery, DeliveryQuery, ReceiverHealth, Redeliver, Redelivered};
use kexie_api::{EventPage, EventQuery};

use super::{Body, Params};
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

fn admin_only(caller: &Caller) -> Result<(), ApiError> {
    if caller.admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "只有管理员可以查看和重发事件投递。",
            "only administrators may see and resend deliveries.",
        ))
    }
}

#[utoipa::path(get, path = "/api/v1/deliveries", params(DeliveryQuery),
    responses((status = 200, description = "newest first", body = [Delivery]),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<DeliveryQuery>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    admin_only(&caller)?;
    let limit = q.limit.unwrap_or(100);
    let status_ok = q.status.as_deref().is_none_or(|s| ["pending", "done", "dead"].contains(&s));
    if !(1..=500).contains(&limit) || !status_ok {
        return Err(ApiError::bad_request(
            "status 须为 pending、done 或 dead，limit 须在 1–500 之间。",
            "status must be pending, done or dead, and limit 1 to 500.",
        ));
    }
    Ok(Json(state.store.deliveries(q.status.as_deref(), limit).await?))
}

#[utoipa::path(get, path = "/api/v1/deliveries/health",
    responses((status = 200, description = "each configured receiver", body = [ReceiverHealth]),
        (status = 403, body = crate::error::ErrorBody)))]
pub async fn health(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ReceiverHealth>>, ApiError> {
    admin_only(&caller)?;
    Ok(Json(state.store.delivery_health().await?))
}

#[utoipa::path(post, path = "/api/v1/deliveries/redeliver", request_body = Redeliver,
    responses((status = 200, body = Redelivered), (status = 403, body = crate::error::ErrorBody)))]
pub async fn redeliver(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<Redeliver>,
) -> Result<Json<Redelivered>, ApiError> {
    admin_only(&caller)?;
    Ok(Json(Redelivered { requeued: state.store.redeliver(req.hook.as_deref()).await? }))
}
