//! Attachments: what an attachment field holds, and how a download names its instance.

use serde::{Deserialize, Serialize};

/// A stored file, as an attachment field holds it (the upload's answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentMeta {
    pub name: String,
    pub size: u64,
    pub media_type: String,
    pub sha256: String,
}

/// Through which instance the caller reaches the file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    /// An instance the caller may see whose form holds the file.
    pub instance: Option<String>,
}
