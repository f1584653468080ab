//! A workflow as one value: its definition, rules and case files as texts. The server
//! publishes bundles, the rule editor edits one, and `kexie export` writes one as a
//! single file ([`Export`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Workflow;
use crate::definition::{Diagnostic, Diagnostics, Source};
use crate::golden::{self, CaseReport, People};
use crate::text::{Lang, Text};

mod uses;
pub use uses::Use;

/// The file name of the cases' shared directory.
pub const PEOPLE_FILE: &str = "_people.toml";

/// The texts of one workflow: definition, rules, and the case files by name
/// (`_people.toml` among them when there is one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub workflow_toml: String,
    pub rules_rhai: String,
    #[serde(default)]
    pub cases: BTreeMap<String, String>,
}

/// A bundle checked: the workflow when it loads, every problem found in its files, and
/// the report of each case that could run.
pub struct Checked {
    pub workflow: Option<Workflow>,
    /// At `workflow.toml`, `rules.rhai` or `cases/<name>`, with line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// `(cases/<name>, report)` in name order.
    pub cases: Vec<(String, CaseReport)>,
}

impl Checked {
    /// Every problem and failed case as one line each, in `lang`; empty when publishable.
    pub fn problems(&self, lang: Lang) -> Vec<String> {
        let files = self.diagnostics.iter().map(|d| d.render(lang));
        let cases = self.cases.iter().flat_map(|(file, r)| r.failures.iter().map(move |f| format!("{file}: {f}")));
        files.chain(cases).collect()
    }
}

impl Bundle {
    /// Compiles the definition and its rules.
    pub fn load(&self) -> Result<Workflow, Diagnostics> {
        let def = Source { name: "workflow.toml", text: &self.workflow_toml };
        let rules = Source { name: "rules.rhai", text: &self.rules_rhai };
        Workflow::load(&def, &rules)
    }

    /// The cases' shared directory, empty when there is none.
    pub fn people(&self) -> Result<People, Diagnostic> {
        match self.cases.get(PEOPLE_FILE) {
            Some(text) => golden::parse_people(&Source { name: &format!("cases/{PEOPLE_FILE}"), text }),
            None => Ok(People::default()),
        }
    }

    /// The case files proper (not `_people.toml`), by name.
    pub fn case_files(&self) -> impl Iterator<Item = (&String, &String)> {
        self.cases.iter().filter(|(name, _)| !name.starts_with('_'))
    }

    /// Checks every file and runs every case that parses; failures are written in `lang`.
    pub fn check(&self, lang: Lang) -> Checked {
        let (workflow, mut diagnostics) = match self.load() {
            Ok(wf) => (Some(wf), Vec::new()),
            Err(d) => (None, d.0),
        };
        let people = self.people().map_err(|d| diagnostics.push(d)).ok();
        let mut cases = Vec::new();
        for (name, text) in self.case_files() {
            let file = format!("cases/{name}");
            let src = Source { name: &file, text };
            match golden::parse_case(&src) {
                Err(d) => diagnostics.push(d),
                Ok(case) => {
                    let Some(wf) = &workflow else { continue };
                    let misfits = golden::check_case(&wf.definition, &src, &case);
                    match &people {
                        // A case whose form does not fit would only fail for that reason.
                        Some(people) if misfits.is_empty() => cases.push((file, golden::run(wf, people, &case, lang))),
                        _ => diagnostics.extend(misfits),
                    }
                }
            }
        }
        Checked { workflow, diagnostics, cases }
    }

    /// The files as a workflow folder holds them: `workflow.toml`, `rules.rhai`, `cases/…`.
    pub fn files(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::from([
            ("workflow.toml".to_string(), self.workflow_toml.clone()),
            ("rules.rhai".to_string(), self.rules_rhai.clone()),
        ]);
        files.extend(self.cases.iter().map(|(name, text)| (format!("cases/{name}"), text.clone())));
        files
    }

    /// The bundle of a folder's files; refuses a path that is not one of them (so an
    /// imported file can never write outside its folder). The error names the path at
    /// fault, or none when a file is missing.
    pub fn from_files(files: &BTreeMap<String, String>) -> Result<Bundle, (Option<String>, Text)> {
        let mut bundle = Bundle::default();
        let (mut def, mut rules) = (None, None);
        for (path, text) in files {
            match path.as_str() {
                "workflow.toml" => def = Some(text.clone()),
                "rules.rhai" => rules = Some(text.clone()),
                _ => match path.strip_prefix("cases/").filter(|n| is_case_name(n)) {
                    Some(name) => _ = bundle.cases.insert(name.to_string(), text.clone()),
                    None => {
                        let message = Text::new(
                            format!("文件「{path}」不属于流程：只能是 workflow.toml、rules.rhai 或 cases/名称.toml"),
                            format!(
                                "'{path}' is not a workflow file: only workflow.toml, rules.rhai or cases/<name>.toml"
                            ),
                        );
                        return Err((Some(path.clone()), message));
                    }
                },
            }
        }
        let missing = |f: &str| (None, Text::new(format!("缺少 {f}"), format!("{f} is missing")));
        bundle.workflow_toml = def.ok_or_else(|| missing("workflow.toml"))?;
        bundle.rules_rhai = rules.ok_or_else(|| missing("rules.rhai"))?;
        Ok(bundle)
    }
}

/// Whether `name` may be a case file's name: `<letters, digits, - _ .>.toml`, no folders.
pub fn is_case_name(name: &str) -> bool {
    let stem = name.strip_suffix(".toml").unwrap_or_default();
    !stem.is_empty()
        && !stem.starts_with('.')
        && stem.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The format name every export file carries.
pub const EXPORT_FORMAT: &str = "kexie-workflow/1";

/// A workflow as one TOML file: which version it was, and each file of its folder as a
/// multi-line string, so the export stays readable and diffs well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    pub key: String,
    /// The published version it was taken from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// That version's change note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Path in the folder → text.
    pub files: BTreeMap<String, String>,
}

impl Export {
    /// An export of `bundle` under `key`.
    pub fn new(key: &str, bundle: &Bundle) -> Export {
        Export { format: EXPORT_FORMAT.into(), key: key.into(), version: None, note: None, files: bundle.files() }
    }

    /// The file's text.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("an export is plain strings and numbers")
    }

    /// Reads an export file: a syntax error, an unknown format or a stray path is a
    /// diagnostic at its line and column.
    pub fn parse(src: &Source<'_>) -> Result<(Export, Bundle), Diagnostic> {
        let export: Export = toml::from_str(src.text).map_err(|e| {
            let detail = e.message().trim().to_string();
            src.at(
                e.span().map_or(0, |s| s.start),
                Text::new(format!("无法读取导出文件：{detail}"), format!("cannot read the export: {detail}")),
            )
        })?;
        if export.format != EXPORT_FORMAT {
            return Err(src.at(
                src.text.find("format").unwrap_or(0),
                Text::new(
                    format!("format 应为「{EXPORT_FORMAT}」，这里是「{}」", export.format),
                    format!("format must be '{EXPORT_FORMAT}', not '{}'", export.format),
                ),
            ));
        }
        let bundle = Bundle::from_files(&export.files).map_err(|(path, message)| {
            let at = path.and_then(|p| src.text.find(&format!("\"{p}\""))).or_else(|| src.text.find("[files]"));
            src.at(at.unwrap_or(0), message)
        })?;
        Ok((export, bundle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        Bundle {
            workflow_toml: "key = \"x\"\n\"\"\"quoted\"\"\" '''too'''\n".into(),
            rules_rhai: "fn check(form, ctx) {\n    \"tab\there\"\n}\r\n".into(),
            cases: BTreeMap::from([("01-a.toml".into(), "name = \"a\"\n".into()), (PEOPLE_FILE.into(), String::new())]),
        }
    }

    #[test]
    fn an_export_reads_back_as_the_same_bundle() {
        let export = Export { version: Some(3), note: Some("门槛改为80人".into()), ..Export::new("x", &sample()) };
        let text = export.to_toml();
        assert!(text.contains("[files]"), "{text}");
        let (back, bundle) = Export::parse(&Source { name: "x.kexie.toml", text: &text }).unwrap();
        assert_eq!(back, export);
        assert_eq!(bundle, sample());
    }

    #[test]
    fn a_path_outside_the_folder_is_refused_at_its_line() {
        let text = "format = \"kexie-workflow/1\"\nkey = \"x\"\n\n[files]\n\"workflow.toml\" = \"\"\n\"rules.rhai\" = \"\"\n\"cases/../../etc/passwd.toml\" = \"\"\n";
        let err = Export::parse(&Source { name: "x.toml", text }).unwrap_err();
        assert_eq!((err.line, err.col), (7, 1));
        assert!(err.message.en.contains("cases/../../etc/passwd.toml"), "{}", err.message.en);
    }

    #[test]
    fn a_wrong_format_or_broken_toml_is_named() {
        let err =
            Export::parse(&Source { name: "x.toml", text: "format = \"zip\"\nkey = \"x\"\n[files]\n" }).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.en.contains("kexie-workflow/1"));
        let err =
            Export::parse(&Source { name: "x.toml", text: "format = \"kexie-workflow/1\"\nkey = \n" }).unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn case_names_are_plain_file_names() {
        assert!(is_case_name("01-main_case.v2.toml"));
        assert!(is_case_name("组建.toml"));
        for bad in ["../x.toml", "a/b.toml", ".toml", ".hidden.toml", "x.rhai", ""] {
            assert!(!is_case_name(bad), "{bad}");
        }
    }
}
