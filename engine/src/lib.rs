//! Kexie Flow's engine: workflow definitions, sandboxed Rhai rules and the approval state
//! machine. Pure Rust: no HTTP, DOM, database or clock; the same code runs natively on
//! the server and as WebAssembly in the browser.

pub mod bundle;
pub mod definition;
pub mod fields;
pub mod golden;
pub mod instance;
pub mod people;
pub mod reports;
pub mod rules;
pub mod text;
mod workflow;

pub use workflow::{Evaluation, RuleContext, Workflow};
