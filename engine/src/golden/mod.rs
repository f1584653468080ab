//! Golden cases: example runs of a workflow with the outcome expected. The CLI runs them
//! (`kexie test`) and so will the browser's rule editor.

mod case;
mod fit;
mod run;

pub use case::{
    Case, CaseAction, CasePerson, Expect, OtherInstance, People, case_to_toml, directory, form_of, parse_case,
    parse_people, table_of,
};
pub use fit::check_case;
pub use run::{CaseReport, Trace, TraceLine, from_action, run, run_traced, to_action};
