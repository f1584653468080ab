//! What crosses the wire between the server, the widget and the rule editor: every request
//! and answer of the JSON API under `/api/v1`, declared once, `Serialize + Deserialize`.
//! Engine types (forms, texts, messages, events, definitions, bundles) travel as the engine
//! writes them. With the `openapi` feature the types also describe themselves to utoipa.
//!
//! [`view::instance_view`] is the one place an instance's view for a person is built: the
//! server answers with it and the editor's preview shows it; [`report_table`] is the one place
//! a report's table is, over the server's SQL or the editor's golden cases.

pub mod attachments;
pub mod error;
pub mod events;
pub mod instances;
pub mod lists;
pub mod people;
mod report_table;
pub mod reports;
pub mod summary;
pub mod view;
pub mod workflows;

pub use attachments::{AttachmentMeta, DownloadQuery};
pub use error::{ErrorBody, ErrorDetail};
pub use events::{EventPage, EventQuery, IntegrationEvent};
pub use instances::{ActRequest, AuditEntry, InstanceView, PrintQuery, StartRequest, StepRef};
pub use lists::{ListPage, ListRow, PageQuery, ReferenceOption, ReferenceQuery};
pub use people::{DirectoryEntry, DirectoryPage, DirectoryQuery, DirectoryResult, Me, Person, PersonRef};
pub use report_table::{report_table, status_label};
pub use reports::{
    Chart, ColumnKind, ReportColumn, ReportFilter, ReportKey, ReportQuery, ReportRow, ReportSummary, ReportTable,
};
pub use view::{Notes, instance_view};
pub use workflows::{
    FailedCase, InvalidBundle, PublishRequest, PublishResult, VersionBundle, VersionSummary, WorkflowSummary,
    WorkflowVersion,
};
