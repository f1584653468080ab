//! What the editor holds for the workflow open in it, and how that changes. Changes go
//! through one reducer, so callbacks handed to CodeMirror once never act on stale state.

use std::rc::Rc;

use kexie_engine::bundle::Bundle;
use kexie_engine::definition::Diagnostic;
use kexie_engine::golden::CaseReport;
use kexie_engine::text::Lang;
use kexie_widget::app::Compiled;
use yew::prelude::*;

use crate::code::Reveal;
use kexie_api::VersionBundle;

/// The two files every workflow has; case files are `cases/<name>`.
pub const DEFINITION: &str = "workflow.toml";
pub const RULES: &str = "rules.rhai";

/// What the main area shows.
#[derive(Clone, PartialEq, Debug)]
pub enum Tab {
    /// `workflow.toml`, `rules.rhai` or `cases/<name>`.
    File(String),
    /// The form designer.
    Form,
    /// The route designer.
    Route,
    Preview,
    /// The reports, counted over the cases.
    Reports,
    Diff,
}

/// The workflow being edited.
#[derive(Clone, PartialEq)]
pub struct Texts {
    pub key: String,
    /// The published version the edits start from; none for a workflow never published.
    pub base: Option<Rc<VersionBundle>>,
    pub bundle: Rc<Bundle>,
    /// Counts edits, so a check knows whether it is still about the current text.
    pub revision: u32,
}

impl Texts {
    /// Whether the texts differ from what is published.
    pub fn dirty(&self) -> bool {
        self.base.as_ref().is_none_or(|b| b.bundle != *self.bundle)
    }
}

/// A file's text in a bundle.
pub fn text_of<'a>(bundle: &'a Bundle, file: &str) -> Option<&'a String> {
    match file {
        DEFINITION => Some(&bundle.workflow_toml),
        RULES => Some(&bundle.rules_rhai),
        _ => file.strip_prefix("cases/").and_then(|name| bundle.cases.get(name)),
    }
}

fn set_text(bundle: &mut Bundle, file: &str, text: String) {
    match file {
        DEFINITION => bundle.workflow_toml = text,
        RULES => bundle.rules_rhai = text,
        // Only a file that exists: an editor still showing a file a load removed must not
        // bring it back empty.
        _ => {
            if let Some(kept) = file.strip_prefix("cases/").and_then(|name| bundle.cases.get_mut(name)) {
                *kept = text;
            }
        }
    }
}

/// The engine's check on one revision: the workflow when it loads, problems at
/// file:line:col, and every case's report.
pub struct Check {
    pub revision: u32,
    /// How long the check took, in milliseconds (shown; read by the benchmark).
    pub took_ms: f64,
    pub compiled: Option<Rc<Compiled>>,
    pub diagnostics: Rc<Vec<Diagnostic>>,
    pub cases: Vec<(String, CaseReport)>,
}

impl Check {
    /// Checks `bundle` (as of `revision`) and runs its cases.
    pub fn of(bundle: &Bundle, revision: u32, lang: Lang) -> Check {
        let checked = bundle.check(lang);
        Check {
            revision,
            took_ms: 0.0,
            compiled: checked.workflow.map(|wf| Rc::new(Compiled::new(wf))),
            diagnostics: Rc::new(checked.diagnostics),
            cases: checked.cases,
        }
    }

    pub fn failed_cases(&self) -> usize {
        self.cases.iter().filter(|(_, r)| !r.passed()).count()
    }

    /// Whether nothing stands in the way of publishing.
    pub fn clean(&self) -> bool {
        self.diagnostics.is_empty() && self.failed_cases() == 0
    }
}

/// The editor's state.
#[derive(Clone)]
pub struct DeskState {
    pub texts: Texts,
    /// Counts the times every text was replaced from outside the code editor (a load, a
    /// publish): only then does the editor take its text from here.
    pub loads: u32,
    pub check: Option<Rc<Check>>,
    pub tab: Tab,
    pub reveal: Option<Reveal>,
}

impl PartialEq for DeskState {
    fn eq(&self, other: &Self) -> bool {
        self.texts == other.texts
            && self.loads == other.loads
            && self.tab == other.tab
            && self.reveal == other.reveal
            && self.check.as_ref().map(Rc::as_ptr) == other.check.as_ref().map(Rc::as_ptr)
    }
}

pub enum Msg {
    /// Typing in a file.
    Edit(String, String),
    /// Replace every text (an import, a rollback, discarding edits).
    Load(Rc<Bundle>),
    /// The edits were published as this version.
    Published(Rc<VersionBundle>),
    /// A new case file.
    AddCase(String, String),
    Checked(Rc<Check>),
    Show(Tab),
    /// Go to a place in a file.
    Goto(String, u32, u32),
}

impl DeskState {
    pub fn new(texts: Texts) -> DeskState {
        DeskState { texts, loads: 0, check: None, tab: Tab::File(RULES.into()), reveal: None }
    }

    /// Back to the rules when the file shown is gone (a load without it).
    fn keep_tab(&mut self) {
        if let Tab::File(f) = &self.tab
            && text_of(&self.texts.bundle, f).is_none()
        {
            self.tab = Tab::File(RULES.into());
        }
    }

    /// Whether the check is about the text as it stands.
    pub fn current_check(&self) -> Option<&Check> {
        self.check.as_deref().filter(|v| v.revision == self.texts.revision)
    }
}

impl Reducible for DeskState {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut d = (*self).clone();
        match msg {
            Msg::Edit(file, text) => {
                if text_of(&d.texts.bundle, &file) == Some(&text) {
                    return self;
                }
                set_text(Rc::make_mut(&mut d.texts.bundle), &file, text);
                d.texts.revision += 1;
            }
            Msg::Load(bundle) => {
                d.texts.bundle = bundle;
                d.texts.revision += 1;
                d.loads += 1;
                d.keep_tab();
            }
            Msg::Published(base) => {
                d.texts.bundle = Rc::new(base.bundle.clone());
                d.texts.base = Some(base);
                d.texts.revision += 1;
                d.loads += 1;
                d.keep_tab();
            }
            Msg::AddCase(name, text) => {
                Rc::make_mut(&mut d.texts.bundle).cases.insert(name.clone(), text);
                d.texts.revision += 1;
                d.tab = Tab::File(format!("cases/{name}"));
            }
            Msg::Checked(v) => d.check = Some(v),
            Msg::Show(tab) => d.tab = tab,
            Msg::Goto(file, line, col) => {
                let nonce = d.reveal.as_ref().map_or(0, |r| r.nonce + 1);
                d.tab = Tab::File(file.clone());
                d.reveal = Some(Reveal { file, line, col, nonce });
            }
        }
        Rc::new(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desk() -> Rc<DeskState> {
        let bundle = Bundle {
            workflow_toml: "key = 'x'".into(),
            rules_rhai: "const N = 100;".into(),
            cases: [("01.toml".to_string(), "name = 'a'".to_string())].into(),
        };
        let base = VersionBundle {
            key: "x".into(),
            version: 1,
            note: String::new(),
            published_at: String::new(),
            published_by: Default::default(),
            bundle: bundle.clone(),
        };
        Rc::new(DeskState::new(Texts {
            key: "x".into(),
            base: Some(Rc::new(base)),
            bundle: Rc::new(bundle),
            revision: 0,
        }))
    }

    #[test]
    fn edits_count_and_make_the_work_differ_from_what_is_published() {
        let d = desk().reduce(Msg::Edit(RULES.into(), "const N = 80;".into()));
        assert!(d.texts.dirty());
        assert_eq!(d.loads, 0, "typing never sets the code editor's text");
        assert_eq!(d.texts.revision, 1);
        let same = d.clone().reduce(Msg::Edit(RULES.into(), "const N = 80;".into()));
        assert_eq!(same.texts.revision, 1, "the same text again is no edit");
        let back = same.reduce(Msg::Edit(RULES.into(), "const N = 100;".into()));
        assert!(!back.texts.dirty());
    }

    #[test]
    fn a_file_a_load_removed_is_not_brought_back_by_its_editor() {
        let d = desk().reduce(Msg::AddCase("02.toml".into(), "name = 'b'".into()));
        assert_eq!(d.tab, Tab::File("cases/02.toml".into()));
        let base = Rc::new(d.texts.base.as_ref().unwrap().bundle.clone());
        let d = d.reduce(Msg::Load(base));
        assert_eq!(d.loads, 1, "the code editor takes its text from the load");
        assert_eq!(d.tab, Tab::File(RULES.into()), "the removed case's tab closes");
        // The editor still showing it empties itself as the text goes away.
        let d = d.reduce(Msg::Edit("cases/02.toml".into(), String::new()));
        assert!(!d.texts.bundle.cases.contains_key("02.toml"));
        assert!(!d.texts.dirty());
    }
}
