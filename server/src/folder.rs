//! Reading workflow folders from disk: the engine itself does no I/O.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use kexie_engine::Workflow;
use kexie_engine::bundle::Bundle;
use kexie_engine::definition::{Diagnostic, Diagnostics, Source};
use kexie_engine::golden::{Case, People, check_case, parse_case, parse_people};
use kexie_engine::text::Text;

/// The files of one workflow folder.
pub struct Folder {
    pub dir: PathBuf,
    /// The text of `workflow.toml`, empty when it cannot be read.
    pub definition: String,
    pub workflow: Result<Workflow, Diagnostics>,
    pub people: Result<People, Diagnostic>,
    /// Case files in name order, each parsed and fitting the workflow, or with its problems.
    pub cases: Vec<(PathBuf, Result<Case, Vec<Diagnostic>>)>,
}

/// Every folder at or below `root` holding a `workflow.toml`, in path order.
pub fn find(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    if root.join("workflow.toml").is_file() {
        found.push(root.to_path_buf());
    }
    let mut entries: Vec<PathBuf> =
        fs::read_dir(root)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    entries.sort();
    for dir in entries.iter().filter(|d| d.file_name().is_some_and(|n| n != "cases" && n != "target")) {
        found.extend(find(dir)?);
    }
    Ok(found)
}

fn read(path: &Path) -> Result<String, Diagnostic> {
    fs::read_to_string(path).map_err(|e| {
        let message = Text::new(format!("无法读取文件：{e}"), format!("cannot read the file: {e}"));
        Diagnostic::new(path.display().to_string(), 1, 1, message)
    })
}

/// Loads a folder: the definition, its rules and its cases.
pub fn load(dir: &Path) -> Folder {
    let toml_path = dir.join("workflow.toml");
    let rules_path = dir.join("rules.rhai");
    let (def, rules) = (read(&toml_path), read(&rules_path));
    let definition = def.as_ref().map_or_else(|_| String::new(), String::clone);
    let workflow = match (def, rules) {
        (Ok(def), Ok(rules)) => {
            let (d, r) = (toml_path.display().to_string(), rules_path.display().to_string());
            Workflow::load(&Source { name: &d, text: &def }, &Source { name: &r, text: &rules })
        }
        (def, rules) => Err(Diagnostics(def.err().into_iter().chain(rules.err()).collect())),
    };
    let people_path = dir.join("cases").join("_people.toml");
    let people = if people_path.is_file() { parse_file(&people_path, parse_people) } else { Ok(People::default()) };
    let mut case_paths: Vec<PathBuf> = fs::read_dir(dir.join("cases"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    case_paths.retain(|p| {
        p.extension().is_some_and(|e| e == "toml")
            && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('_'))
    });
    case_paths.sort();
    let cases = case_paths.into_iter().map(|p| (p.clone(), fitting_case(&p, &workflow))).collect();
    Folder { dir: dir.to_path_buf(), definition, workflow, people, cases }
}

/// Reads and parses a case, and checks its forms against the workflow when that loaded.
pub fn fitting_case(path: &Path, workflow: &Result<Workflow, Diagnostics>) -> Result<Case, Vec<Diagnostic>> {
    let text = read(path).map_err(|d| vec![d])?;
    let name = path.display().to_string();
    let src = Source { name: &name, text: &text };
    let case = parse_case(&src).map_err(|d| vec![d])?;
    match workflow.as_ref().map(|wf| check_case(&wf.definition, &src, &case)) {
        Ok(misfits) if !misfits.is_empty() => Err(misfits),
        _ => Ok(case),
    }
}

/// Reads and parses one TOML file of a case folder.
pub fn parse_file<T>(path: &Path, parse: fn(&Source<'_>) -> Result<T, Diagnostic>) -> Result<T, Diagnostic> {
    let text = read(path)?;
    let name = path.display().to_string();
    parse(&Source { name: &name, text: &text })
}

/// A folder's texts as one bundle: `workflow.toml`, `rules.rhai` and every `cases/*.toml`
/// (`_people.toml` among them), exactly as they are on disk. An error names its file.
pub fn bundle(dir: &Path) -> std::io::Result<Bundle> {
    let read = |path: &Path| {
        fs::read_to_string(path).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    };
    let mut cases = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(dir.join("cases")) {
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_some_and(|e| e == "toml") {
                let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
                cases.insert(name, read(&path)?);
            }
        }
    }
    Ok(Bundle { workflow_toml: read(&dir.join("workflow.toml"))?, rules_rhai: read(&dir.join("rules.rhai"))?, cases })
}
