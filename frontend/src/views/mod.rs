//! The widget's views: start a workflow, an instance with its actions and timeline, and
//! the inbox; the rule editor is a module of its own, loaded by [`EditorHost`].

mod actions;
mod changes;
mod chart;
mod export;
mod inbox;
mod instance;
mod print;
mod reports;
mod rule_editor;
mod start;
mod status;
mod timeline;

pub use actions::ActionBar;
pub use inbox::{Inbox, first_path as inbox_first_path};
pub use instance::{InstancePage, first_paths as instance_first_paths};
pub use reports::{FIRST_PATH as REPORTS_FIRST_PATH, Reports, figures as report_figures};
pub use rule_editor::EditorHost;
pub use start::StartPage;
pub use status::{Notice, focus_first, loading, notice, status_label};
pub use timeline::action_label;
