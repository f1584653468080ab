//! The JSON API under `/api/v1`: one router, one file per resource.

mod attachments;
mod directory;
mod events;
mod exports;
mod instances;
mod lists;
mod me;
mod reports;
mod workflows;

use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::state::AppState;

pub(crate) use kexie_api::status_label;

/// The API's routes. Attachments may be larger than other bodies.
pub fn router(attachment_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/workflows", get(workflows::list))
        .route("/workflows/{key}", get(workflows::latest))
        .route("/workflows/{key}/versions", get(workflows::versions).post(workflows::publish))
        .route("/workflows/{key}/versions/{version}", get(workflows::version))
        .route("/workflows/{key}/versions/{version}/bundle", get(workflows::bundle))
        .route("/instances", post(instances::start))
        .route("/instances/{id}", get(instances::get))
        .route("/instances/{id}/actions", post(instances::act))
        .route("/instances/{id}/audit", get(instances::audit))
        .route("/instances/{id}/print", get(instances::print))
        .route("/tasks", get(lists::tasks))
        .route("/started", get(lists::started))
        .route("/cc", get(lists::copied))
        .route("/references", get(lists::references))
        .route("/me", get(me::me))
        .route("/reports", get(reports::list))
        .route("/reports/{workflow}/{report}", get(reports::table))
        .route("/reports/{workflow}/{report}/instances", get(reports::behind))
        .route("/events", get(events::feed))
        .route("/deliveries", get(events::deliveries))
        .route("/deliveries/health", get(events::health))
        .route("/deliveries/redeliver", post(events::redeliver))
        .route("/directory", get(directory::search).post(directory::sync))
        .route("/attachments", post(attachments::upload).layer(DefaultBodyLimit::max(attachment_bytes)))
        .route("/attachments/{sha256}", get(attachments::download))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Kexie Flow API", description = "科协流程: workflows, instances, approvals, work lists, attachments"),
    paths(
        workflows::list,
        workflows::latest,
        workflows::version,
        workflows::publish,
        workflows::versions,
        workflows::bundle,
        instances::start,
        instances::get,
        instances::act,
        instances::audit,
        instances::print,
        lists::tasks,
        lists::started,
        lists::copied,
        lists::references,
        me::me,
        reports::list,
        reports::table,
        reports::behind,
        events::feed,
        events::deliveries,
        events::health,
        events::redeliver,
        directory::search,
        directory::sync,
        attachments::upload,
        attachments::download,
    ),
    components(schemas(kexie_api::ErrorBody, kexie_api::error::ErrorMessage, kexie_api::InvalidBundle)),
    modifiers(&CommonErrors)
)]
pub struct ApiDoc;

/// Every operation may answer 400 (a path, query or body that does not parse) and 401 (no
/// valid token) in the error shape; the document says so once here rather than on each path.
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                for (status, description) in [
                    ("400", "`bad_request`: a path, query or body that does not parse"),
                    ("401", "`unauthorized`: a missing, expired or forged token"),
                ] {
                    responses.entry(status.to_string()).or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

/// A JSON body parsed strictly (unknown fields refused) with errors in our shape.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(t)) => Ok(Body(t)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(e.status(), "too_large", "请求内容过大。", "the request body is too large."))
            }
            Err(e) => {
                let detail = e.body_text();
                Err(ApiError::bad_request(format!("请求内容无效：{detail}"), format!("invalid request body: {detail}")))
            }
        }
    }
}

/// Path parameters with errors in our shape (e.g. a version that is not a number is a 400
/// `bad_request`, not axum's plain-text rejection).
pub struct PathArgs<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathArgs<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(t)) => Ok(PathArgs(t)),
            Err(e) => {
                let detail = e.body_text();
                Err(ApiError::bad_request(
                    format!("路径参数无效：{detail}"),
                    format!("invalid path parameters: {detail}"),
                ))
            }
        }
    }
}

/// Query parameters parsed strictly (unknown ones refused) with errors in our shape.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(t)) => Ok(Params(t)),
            Err(e) => {
                let detail = e.body_text();
                Err(ApiError::bad_request(
                    format!("查询参数无效：{detail}"),
                    format!("invalid query parameters: {detail}"),
                ))
            }
        }
    }
}
