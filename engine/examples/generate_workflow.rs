//! Writes the engine bench's generated 300-field workflow (key `generated-bench`) as a
//! workflow folder, so that a server can publish it: the widget's bench
//! (`benches/widget.mjs`, `scripts/bench.sh widget`) serves it with `kexie serve
//! --workflows`.
//!
//! ```sh
//! cargo run -p kexie-engine --example generate_workflow -- /tmp/flows/generated-bench [form.json]
//! ```
//!
//! Writes `workflow.toml` and `rules.rhai` into the directory (made if missing), after
//! checking that the definition loads and that the bench's filled form passes its rules;
//! with a second argument, also that filled form as JSON (the widget's bench types into it).

#[path = "../benches/generated/mod.rs"]
mod generated;

use std::path::PathBuf;
use std::process::ExitCode;

use kexie_engine::definition::Source;
use kexie_engine::people::Actor;
use kexie_engine::{RuleContext, Workflow};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(dir), form_path, None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: generate_workflow <directory> [<form.json>]");
        return ExitCode::from(2);
    };
    let (toml, rhai, form) = (generated::generated_toml(), generated::generated_rules(), generated::generated_form());

    // The same checks as the bench: it loads, has 300 fields, and the filled form is valid.
    let wf = match Workflow::load(
        &Source { name: "workflow.toml", text: &toml },
        &Source { name: "rules.rhai", text: &rhai },
    ) {
        Ok(wf) => wf,
        Err(d) => {
            eprintln!("the generated workflow does not load:\n{d}");
            return ExitCode::FAILURE;
        }
    };
    let first = wf.definition.first_step().id.clone();
    let actor = Actor { id: "li".into(), name: "李明".into(), roles: vec!["applicant".into()], department: None };
    let ctx = RuleContext {
        step: first.clone(),
        actor: actor.clone(),
        initiator: actor,
        today: "2026-03-02".into(),
        history: vec![first],
        ..Default::default()
    };
    match wf.evaluate(&form, &ctx) {
        Ok(eval) if eval.errors.is_empty() && eval.computed.len() == generated::COMPUTED => {}
        Ok(eval) => {
            eprintln!("the generated form is not valid: {:?}", eval.errors);
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("the generated rules failed: {e}");
            return ExitCode::FAILURE;
        }
    }

    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("workflow.toml"), &toml))
        .and_then(|()| std::fs::write(dir.join("rules.rhai"), &rhai));
    if let Err(e) = written {
        eprintln!("cannot write {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    if let Some(path) = form_path {
        let json = serde_json::to_string_pretty(&form).unwrap_or_default();
        if let Err(e) = std::fs::write(&path, json) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!(
        "{}: {} ({} fields, {} rules)",
        dir.display(),
        wf.definition.key,
        wf.definition.fields.len(),
        generated::RULES
    );
    ExitCode::SUCCESS
}
