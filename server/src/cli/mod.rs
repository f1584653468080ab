//! The `check`, `test`, `simulate`, `export` and `import` commands.

use std::path::Path;

use kexie_engine::definition::Diagnostic;
use kexie_engine::golden::{self, CaseReport};
use kexie_engine::text::Lang;

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

/// `kexie check DIR`.
pub fn check(dir: &Path, lang: Lang) -> bool {
    let Some(folders) = folders(dir) else {
        return false;
    };
    let mut bad = 0;
    for f in &folders {
        let problems = problems(f);
        if problems.is_empty()
            && let Ok(wf) = &f.workflow
        {
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
        } else {
            bad += 1;
            for p in &problems {
                out!("{}", p.render(lang));
            }
            out!("error {}: {} problem(s)", f.dir.display(), problems.len());
        }
    }
    out!("{} workflow(s) checked, {bad} with problems", folders.len());
    bad == 0
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
    let report = golden::run(wf, people, case, lang);
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
