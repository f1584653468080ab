//! `kexie export` and `kexie import`: a workflow folder as one TOML file and back, to carry
//! a workflow between servers or attach it to a change request.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use kexie_engine::bundle::{Bundle, Export};
use kexie_engine::definition::{Diagnostic, Source};
use kexie_engine::text::Lang;

use crate::folder;

/// `kexie export DIR -o FILE`; `-o -` writes to standard output. A folder that does not load
/// is not exported: an export should always import and check.
pub fn export(dir: &Path, output: &Path, lang: Lang) -> bool {
    let bundle = match folder::bundle(dir) {
        Ok(bundle) => bundle,
        Err(e) => {
            eprintln!("{e}");
            return false;
        }
    };
    // Failing cases do not stop an export (it carries work in progress); files that do not
    // parse do.
    let checked = bundle.check(lang);
    let key = match &checked.workflow {
        Some(wf) if checked.diagnostics.is_empty() => wf.definition.key.clone(),
        _ => {
            for d in &checked.diagnostics {
                // The bundle names files within the folder; say which folder.
                let file = dir.join(&d.file).display().to_string();
                eprintln!("{}", Diagnostic { file, ..d.clone() }.render(lang));
            }
            eprintln!("error {}: {} problem(s); nothing exported", dir.display(), checked.diagnostics.len());
            return false;
        }
    };
    if let Err((path, message)) = Bundle::from_files(&bundle.files()) {
        let at = path.map_or_else(|| dir.display().to_string(), |p| dir.join(p).display().to_string());
        eprintln!("{at}: {}", message.get(lang));
        return false;
    }
    let text = Export::new(&key, &bundle).to_toml();
    let written = if output == Path::new("-") {
        std::io::stdout().lock().write_all(text.as_bytes())
    } else {
        fs::write(output, &text)
    };
    match written {
        Ok(()) if output != Path::new("-") => {
            let files = bundle.files().len();
            out!("exported {key} ({files} files) from {} to {}", dir.display(), output.display());
            true
        }
        Ok(()) => true,
        Err(e) => {
            eprintln!("{}: {e}", output.display());
            false
        }
    }
}

/// `kexie import FILE -o DIR [--force]`: nothing is written unless the whole file reads
/// back as a workflow, and never into a folder that holds something unless forced.
pub fn import(file: &Path, dir: &Path, force: bool, lang: Lang) -> bool {
    let text = match fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return false;
        }
    };
    let name = file.display().to_string();
    let (export, bundle) = match Export::parse(&Source { name: &name, text: &text }) {
        Ok(parsed) => parsed,
        Err(d) => {
            eprintln!("{}", d.render(lang));
            eprintln!("nothing written");
            return false;
        }
    };
    let occupied = fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if occupied && !force {
        eprintln!("{}: the folder is not empty; nothing written (--force writes into it)", dir.display());
        return false;
    }
    for (path, text) in bundle.files() {
        let target = dir.join(&path);
        let written = target.parent().map_or(Ok(()), fs::create_dir_all).and_then(|()| fs::write(&target, text));
        if let Err(e) = written {
            eprintln!("{}: {e}", target.display());
            return false;
        }
        out!("wrote {}", target.display());
    }
    // Forced into an old folder, case files the export lacks would still run: say so.
    for stale in case_files(dir).into_iter().filter(|n| !bundle.cases.contains_key(n)) {
        out!("note: {} is not in the export and was left as it was", dir.join("cases").join(stale).display());
    }
    let version = export.version.map(|v| format!(" version {v}")).unwrap_or_default();
    out!("imported {}{version} into {}; check it with: kexie check {}", export.key, dir.display(), dir.display());
    true
}

fn case_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir.join("cases")) else {
        return Vec::new();
    };
    let names = entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned());
    names.filter(|n| n.ends_with(".toml")).collect()
}
