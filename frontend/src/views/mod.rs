//! The widget's views: start a workflow, an instance with its actions and timeline, and
//! the inbox.

mod actions;
mod editing;
mod inbox;
mod instance;
mod start;
mod status;
mod timeline;

pub use inbox::Inbox;
pub use instance::InstancePage;
pub use start::StartPage;
pub use status::{Notice, loading, notice};
