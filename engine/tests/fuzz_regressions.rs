//! Inputs the fuzz targets (`fuzz/`, `scripts/fuzz.sh`) once crashed on, each kept as a
//! plain test beside the fix.

use kexie_engine::Workflow;
use kexie_engine::definition::{Diagnostic, Source};

/// Every diagnostic's line and column lie inside its file (as the `load` target checks).
fn assert_inside(d: &Diagnostic, sources: &[&Source<'_>]) {
    let src = sources.iter().find(|s| s.name == d.file).expect("a diagnostic in a known file");
    let lines: Vec<&str> = src.text.split('\n').collect();
    assert!(d.line >= 1 && d.line as usize <= lines.len(), "line outside {}: {d}", src.name);
    let width = lines[d.line as usize - 1].chars().count() as u32 + 1;
    assert!(d.col >= 1 && d.col <= width, "column outside line {} of {}: {d}", d.line, src.name);
}

/// `load` found: Rhai ends a `//` comment, and counts a line, at a lone `\r`, so a syntax
/// error after it was reported a line further down than the file has, at a column past
/// that line's end.
#[test]
fn a_rule_syntax_error_after_a_lone_carriage_return_is_reported_inside_the_file() {
    let def = Source { name: "workflow.toml", text: "" };
    let rules = Source {
        name: "rules.rhai",
        text: "fn check(form, ctx) { verdict() }\n// a half-filled\rform never breaks a rule.\n",
    };
    let problems = Workflow::load(&def, &rules).expect_err("neither file is a workflow").0;
    let syntax = problems.iter().find(|d| d.file == "rules.rhai").expect("the syntax error");
    // Just after 'form' (which follows the \r), where the missing ';' belongs.
    assert_eq!((syntax.line, syntax.col), (2, 22), "after 'form': {syntax}");
    for d in &problems {
        assert_inside(d, &[&def, &rules]);
    }
}
