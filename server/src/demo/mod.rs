//! The demo OA portal (`kexie serve --demo` only): an imitation intranet page, its demo
//! users, an endpoint that signs a token for the chosen user, and the to-do centre its
//! header shows, fed by webhooks (`inbox`).

mod inbox;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use kexie_engine::people::Actor;
use serde::{Deserialize, Serialize};

use crate::api::Body;
use crate::auth::{Audience, Claims};
use crate::error::ApiError;
use crate::state::AppState;

/// The enterprise the demo portal belongs to, as its header names it.
pub const ORGANISATION: &str = "中国某某集团有限公司";

const USERS: &str = include_str!("../../assets/portal/users.toml");
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";

/// A demo user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoUser {
    pub id: String,
    pub name: String,
    pub department: String,
    pub roles: Vec<String>,
    pub title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFile {
    users: Vec<DemoUser>,
}

/// The demo directory (compiled in, checked by a test).
pub fn users() -> Vec<DemoUser> {
    toml::from_str::<UserFile>(USERS).map(|f| f.users).unwrap_or_default()
}

impl DemoUser {
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.id.clone(),
            name: self.name.clone(),
            roles: self.roles.clone(),
            department: Some(self.department.clone()),
        }
    }
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CONTENT_SECURITY_POLICY, CSP)], body)
}

pub use inbox::Inbox;

/// The portal's routes, `inbox` taking the webhooks at `/demo/receiver`.
pub fn router(inbox: Arc<Inbox>) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { asset("text/html; charset=utf-8", include_str!("../../assets/portal/index.html")) }))
        .route(
            "/portal.css",
            get(|| async { asset("text/css; charset=utf-8", include_str!("../../assets/portal/portal.css")) }),
        )
        .route(
            "/portal.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("../../assets/portal/portal.js")) }),
        )
        .route("/demo/users", get(|| async { Json(users()) }))
        .route("/demo/token", post(token))
        .route("/demo/clock", post(clock))
        .route("/demo/receiver", post(inbox::receive))
        .route("/demo/inbox", get(inbox::mine))
        .layer(Extension(inbox))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    days: i64,
}

/// Runs the demo's clock ahead, so an overdue task or the end of a 公示 period can be shown.
async fn clock(
    State(state): State<AppState>,
    Body(req): Body<ClockRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if !(1..=60).contains(&req.days) {
        return Err(ApiError::bad_request("days 须在 1–60 之间。", "days must be 1 to 60."));
    }
    state.shift_clock(req.days);
    // Deadlines the jump passed are told now, not at the next half-minute sweep.
    crate::overdue::sweep(&state).await;
    Ok(Json(serde_json::json!({ "today": state.now().today() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    user: String,
}

async fn token(
    State(state): State<AppState>,
    Body(req): Body<TokenRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let user =
        users().into_iter().find(|u| u.id == req.user).ok_or_else(|| ApiError::not_found("演示用户", "demo user"))?;
    let exp = state.now().0.unix_timestamp() as u64 + 8 * 3600;
    let claims = Claims {
        sub: user.id,
        name: Some(user.name),
        dept: Some(user.department),
        roles: Some(user.roles),
        exp,
        aud: Audience::One(state.keys.audience().into()),
    };
    let token = state.keys.sign(&claims).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "no_signing_key",
            "演示令牌需要 HS256 密钥。",
            "demo tokens need an HS256 secret.",
        )
    })?;
    Ok(Json(serde_json::json!({ "token": token })))
}
