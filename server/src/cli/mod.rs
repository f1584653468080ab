//! The `check`, `test`, `simulate`, `export` and `import` commands.

use std::collections::BTreeSet;
use std::path::Path;

use kexie_engine::definition::{Diagnostic, Source, roles};
use kexie_engine::golden::{self, CaseReport};
use kexie_engine::text::{Lang, Text};
use serde::Deserialize;

use crate::folder::{self, Folder};

/// `println!` that stops quietly when the reader goes away (`kexie simulate … | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod transfer;

pub use transfer::{export, import};

fn folders(dir: &Path) -> Option<Vec<Folder>> {
    match folder::find(dir) {
        Ok(dirs) if !dirs.is_empty() => Some(dirs.iter().map(|d| folder::load(d)).collect()),
        Ok(_) => {
            eprintln!("{}: no workflow.toml found here or below", dir.display());
            None
        }
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            None
        }
    }
}

/// Every problem of a folder: definition, rules, shared people, case files.
fn problems(f: &Folder) -> Vec<&Diagnostic> {
    let mut all: Vec<&Diagnostic> = f.workflow.as_ref().err().map(|d| d.0.iter().collect()).unwrap_or_default();
    all.extend(f.people.as_ref().err());
    all.extend(f.cases.iter().filter_map(|(_, c)| c.as_ref().err()).flatten());
    all
}

/// `kexie check DIR [--directory FILE]`: problems fail it, roles nobody in the directory
/// holds are warnings (the host's directory is not here to ask).
pub fn check(dir: &Path, directory: Option<&Path>, lang: Lang) -> bool {
    let Some(folders) = folders(dir) else {
        return false;
    };
    let (held, whose) = match held_roles(directory) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("{e}");
            return false;
        }
    };
    let (mut bad, mut warned) = (0, 0);
    for f in &folders {
        let problems = problems(f);
        let warnings = unheld_roles(f, &held, &whose);
        warned += warnings.len();
        for p in problems.iter().copied().chain(&warnings) {
            out!("{}", p.render(lang));
        }
        match &f.workflow {
            Ok(wf) if problems.is_empty() => {
                let d = &wf.definition;
                out!(
                    "ok    {} ({} v{}: {} fields, {} steps, {} reports, {} cases)",
                    f.dir.display(),
                    d.key,
                    d.version,
                    d.fields.len(),
                    d.steps.len(),
                    d.reports.len(),
                    f.cases.len()
                );
            }
            _ => {
                bad += 1;
                out!("error {}: {} problem(s)", f.dir.display(), problems.len());
            }
        }
    }
    let warnings = if warned > 0 { format!(", {warned} warning(s)") } else { String::new() };
    out!("{} workflow(s) checked, {bad} with problems{warnings}", folders.len());
    bad == 0
}

/// Warnings for the roles a loaded workflow names that nobody in `held` holds.
fn unheld_roles(f: &Folder, held: &BTreeSet<String>, whose: &Text) -> Vec<Diagnostic> {
    let Ok(wf) = &f.workflow else { return Vec::new() };
    let name = f.dir.join("workflow.toml").display().to_string();
    let src = Source { name: &name, text: &f.definition };
    roles::unheld(&src, &wf.definition, held, whose).into_iter().map(Diagnostic::warning).collect()
}

/// Someone in a directory file: only their roles matter here.
#[derive(Deserialize)]
struct Holder {
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct DirectoryFile {
    users: Vec<Holder>,
}

/// The roles people hold in `file` (TOML `[[users]]` as the demo's users.toml, or the JSON
/// list `POST /api/v1/directory` takes), or in the demo directory, and how to name it.
fn held_roles(file: Option<&Path>) -> Result<(BTreeSet<String>, Text), String> {
    let Some(path) = file else {
        let held = crate::demo::users().into_iter().flat_map(|u| u.roles).collect();
        let at = "server/assets/portal/users.toml";
        return Ok((held, Text::new(format!("演示目录（{at}）"), format!("the demo directory ({at})"))));
    };
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read the directory: {e}"))?;
    let users = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str::<Vec<Holder>>(&text).map_err(|e| format!("{shown}: not a directory list: {e}"))?
    } else {
        toml::from_str::<DirectoryFile>(&text).map_err(|e| format!("{shown}: not a directory file: {e}"))?.users
    };
    let held = users.into_iter().flat_map(|u| u.roles).collect();
    Ok((held, Text::new(format!("目录文件 {shown} "), format!("the directory file {shown}"))))
}

/// `kexie test DIR`.
pub fn test(dir: &Path, lang: Lang) -> bool {
    let Some(folders) = folders(dir) else {
        return false;
    };
    let (mut passed, mut failed) = (0, 0);
    for f in &folders {
        let problems = problems(f);
        for p in &problems {
            out!("{}", p.render(lang));
        }
        for (path, case) in &f.cases {
            let report = match (&f.workflow, &f.people, case) {
                (Ok(wf), Ok(people), Ok(case)) => golden::run(wf, people, case, lang),
                _ => CaseReport {
                    name: String::new(),
                    trace: Vec::new(),
                    failures: vec!["the definition or the case has problems (above)".into()],
                    ended: None,
                },
            };
            if report.passed() {
                passed += 1;
                out!("ok    {} — {}", path.display(), report.name);
            } else {
                failed += 1;
                out!("FAIL  {} — {}", path.display(), report.name);
                for failure in &report.failures {
                    out!("      {failure}");
                }
            }
        }
    }
    out!("{passed} passed, {failed} failed");
    failed == 0 && passed > 0
}

/// `kexie simulate DIR --case FILE`.
pub fn simulate(workflow: &Path, case: &Path, lang: Lang) -> bool {
    let f = folder::load(workflow);
    let case = folder::fitting_case(case, &f.workflow);
    let (wf, people, case) = match (&f.workflow, &f.people, &case) {
        (Ok(wf), Ok(people), Ok(case)) => (wf, people, case),
        _ => {
            for p in problems(&f).into_iter().chain(case.as_ref().err().into_iter().flatten()) {
                out!("{}", p.render(lang));
            }
            return false;
        }
    };
    let report = golden::run_traced(wf, people, case, lang, golden::Trace::WithNotes);
    out!("case: {}", report.name);
    for o in &case.instances {
        let about = o.summary.as_deref().map(|s| format!(" \"{s}\"")).unwrap_or_default();
        let readers = o.readers.join(", ");
        out!("refers to {} ({} {}){about}, readable by {readers}", o.id, o.workflow, o.status.as_str());
    }
    for (k, line) in report.trace.iter().enumerate() {
        let outcome = match &line.outcome {
            Ok(route) => route.clone(),
            Err(refusal) => refusal.clone(),
        };
        out!("[{}] {}  step {:<16} {:<10} {:<12} {}", k + 1, line.at, line.step, line.actor, line.action, outcome);
        if let Some(t) = line.vote {
            out!("      {}", t.describe().render(lang));
        }
        let note = if lang == Lang::Zh { "提示：" } else { "note: " };
        for n in &line.notes {
            out!("      {note}{n}");
        }
    }
    for failure in &report.failures {
        out!("FAIL  {failure}");
    }
    out!("{}", if report.passed() { "result: every expectation held" } else { "result: FAILED" });
    report.passed()
}

/// `kexie audit verify`, of every chain or of one instance's (printing its head hash, which
/// its printed record shows).
pub async fn verify_audit(db: Option<std::path::PathBuf>, instance: Option<String>) -> bool {
    let url = match db {
        Some(path) => format!("sqlite://{}", path.display()),
        None => std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://data/kexie.db".into()),
    };
    let store = match crate::store::Store::connect(&url).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{url}: {e}");
            return false;
        }
    };
    match store.verify_audit(instance.as_deref()).await {
        Ok(Ok((0, _))) if instance.is_some() => {
            out!("no audit entries for instance {}", instance.unwrap_or_default());
            false
        }
        Ok(Ok((n, head))) => {
            match instance {
                Some(id) => out!("audit log of instance {id} verifies: {n} entries, head {head}"),
                None => out!("audit log verifies: {n} entries"),
            }
            true
        }
        Ok(Err(bad)) => {
            out!("audit log broken at instance {} entry {}: {}", bad.instance_id, bad.seq, bad.reason);
            false
        }
        Err(e) => {
            eprintln!("{url}: {e}");
            false
        }
    }
}
