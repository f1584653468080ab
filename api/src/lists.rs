//! Work lists: my tasks, what I started, what was copied to me.

use kexie_engine::text::Text;
use serde::{Deserialize, Serialize};

use crate::PersonRef;

/// Which page.
#[derive(Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// 1 to 1 000 000; default 1.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<i64>,
    /// 1 to 100; default 20.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub per_page: Option<i64>,
    /// `csv` or `xlsx`: the whole list as a file (the page is ignored).
    pub format: Option<String>,
    /// The file's language: `zh` (the default) or `en`.
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub lang: Option<kexie_engine::text::Lang>,
}

/// A row of a work list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListRow {
    pub id: String,
    pub workflow: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: Text,
    pub step: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub step_label: Option<Text>,
    pub status: String,
    /// What tells this instance from others of its workflow (`kexie_api::summary`): a
    /// candidate and the title applied for, an enterprise, a plan.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub summary: Option<Text>,
    /// A draft that was submitted before and came back (returned, withdrawn): 待修改, not
    /// a fresh 草稿.
    #[serde(default)]
    pub returned: bool,
    pub initiator: PersonRef,
    pub updated_at: String,
    pub due_at: Option<String>,
    pub overdue: bool,
}

/// Which workflow's instances a reference field may choose from.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReferenceQuery {
    /// The workflow's key, e.g. `annual-plan`.
    pub workflow: String,
}

/// A completed instance a reference field may choose (关联审批), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferenceOption {
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub title: Text,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub summary: Option<Text>,
    pub initiator: PersonRef,
    /// When it was completed (its last change).
    pub updated_at: String,
}

/// A page of a work list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListPage {
    pub items: Vec<ListRow>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}
