//! The one mapping from every failure to an HTTP status and a JSON body.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use kexie_api::ErrorBody;
use kexie_api::ErrorDetail;
use kexie_engine::instance::ActionError;
use kexie_engine::text::Text;

use crate::store::StoreError;

/// An API error: a stable code, a message in both languages, the field or rule concerned.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Text,
    pub field: Option<String>,
    pub details: Option<Box<serde_json::Value>>,
    /// Seconds until asking again makes sense (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError { status, code, message: Text::new(zh, en), field: None, details: None, retry_after: None }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// Names the request field at fault.
    pub fn on_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    pub fn not_found(zh: &str, en: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("找不到{zh}。"), format!("{en} not found."))
    }

    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", zh, en)
    }

    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", zh, en)
    }
}

impl From<ActionError> for ApiError {
    fn from(e: ActionError) -> Self {
        let status = match &e {
            ActionError::NotAssignee { .. } | ActionError::FieldNotEditable { .. } | ActionError::NotAllowed { .. } => {
                StatusCode::FORBIDDEN
            }
            ActionError::Finished { .. }
            | ActionError::WithdrawTooLate
            | ActionError::TooEarly { .. }
            | ActionError::NoAssignees { .. } => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let message = e.message();
        let field = match &e {
            ActionError::FieldNotEditable { field, .. } => Some(field.clone()),
            ActionError::Validation { errors } => errors.first().map(|f| f.path.clone()),
            _ => None,
        };
        let details = match &e {
            ActionError::Validation { errors } => serde_json::to_value(errors).ok().map(Box::new),
            ActionError::Rule(rule) => serde_json::to_value(rule).ok().map(Box::new),
            _ => None,
        };
        ApiError {
            status,
            code: e.code(),
            message: Text::new(message.zh, message.en),
            field,
            details,
            retry_after: None,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(format!("store: {e}"))
    }
}

impl ApiError {
    /// 500, with `detail` in the server's log only: no internals in responses.
    pub fn internal(detail: String) -> Self {
        tracing::error!("{detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后再试。",
            "Internal error; please try again later.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
                details: self.details.map(|d| *d),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
