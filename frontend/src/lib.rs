//! Kexie Flow's widget: the form renderer, inbox and approvals, embedded in a host page
//! through [`embed::mount`] or the `<kexie-workflow>` custom element. The rules run here
//! through kexie-engine compiled to WebAssembly; the server re-checks every action.

pub mod api;
pub mod app;
pub mod config;
pub mod draft;
pub mod editing;
#[cfg(feature = "element")]
pub mod embed;
pub mod events;
pub mod form;
pub mod i18n;
pub mod views;

#[cfg(feature = "element")]
pub use embed::{Handle, mount};
