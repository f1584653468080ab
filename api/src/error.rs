//! The error body every failure answers with.

use kexie_engine::fields::FieldError;
use kexie_engine::text::Text;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, in both languages, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable code, e.g. `validation`, `not_assignee`, `conflict`, `unauthorized`.
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(value_type = ErrorMessage))]
    pub message: Text,
    /// The request field at fault, if one is.
    pub field: Option<String>,
    /// More about the error, e.g. an `InvalidBundle` for `definition_invalid`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub details: Option<serde_json::Value>,
}

impl ErrorDetail {
    /// The field errors a refused submit names.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match (self.code.as_str(), &self.details) {
            ("validation", Some(d)) => serde_json::from_value(d.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// An error's message in both languages (the schema of `ErrorDetail.message`).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents `Text` as the API sends it
pub struct ErrorMessage {
    zh: String,
    en: String,
}
