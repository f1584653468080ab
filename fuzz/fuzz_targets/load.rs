//! The definition loader: any `workflow.toml` and `rules.rhai` text (split at the first
//! NUL byte of the input), and the whole input as a `kexie export` file. Never panics, and
//! every diagnostic's line and column lie inside its file.
#![no_main]

use kexie_engine::Workflow;
use kexie_engine::bundle::Export;
use kexie_engine::definition::{Diagnostic, Source};
use libfuzzer_sys::fuzz_target;

fn inside(d: &Diagnostic, sources: &[&Source<'_>]) {
    let src = sources.iter().find(|s| s.name == d.file).unwrap_or_else(|| panic!("diagnostic in an unknown file: {d}"));
    let lines: Vec<&str> = src.text.split('\n').collect();
    assert!(d.line >= 1 && d.line as usize <= lines.len(), "line outside {}: {d}", src.name);
    let width = lines[d.line as usize - 1].chars().count() as u32 + 1;
    assert!(d.col >= 1 && d.col <= width, "column outside line {} ({} wide) of {}: {d}", d.line, width, src.name);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (def, rules) = text.split_once('\0').unwrap_or((text, ""));
    let def = Source { name: "workflow.toml", text: def };
    let rules = Source { name: "rules.rhai", text: rules };
    if let Err(problems) = Workflow::load(&def, &rules) {
        assert!(!problems.0.is_empty(), "a refusal without a diagnostic");
        for d in &problems.0 {
            inside(d, &[&def, &rules]);
        }
    }
    let export = Source { name: "annual-plan.kexie.toml", text };
    if let Err(d) = Export::parse(&export) {
        inside(&d, &[&export]);
    }
});
