//! Workflow definitions: the model of `workflow.toml`, loading it, and checking it.

mod check;
mod diagnostic;
pub mod edit;
mod load;
pub(crate) mod locate;
mod model;
mod report;
pub mod roles;

pub use diagnostic::{Diagnostic, Diagnostics, Severity, Source};
pub use load::load;
pub use model::*;
pub use report::{Condition, Group, Measure, Report, ReportStatus, Test};
