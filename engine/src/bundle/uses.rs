//! Where a bundle names a field, read from its texts: what a designer lists before it
//! deletes a field, and rewrites when it renames one. Reading the texts (not the compiled
//! rules) is what lets a rename keep every other byte; comments are left as written.

use std::ops::Range;

use super::Bundle;

/// A line of one of a bundle's files that names a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// `workflow.toml`, `rules.rhai` or `cases/<name>`.
    pub file: String,
    /// From 1.
    pub line: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Definition,
    Rules,
    Case,
}

impl Bundle {
    /// Every line naming the field (or column) `id`, outside its own table in
    /// workflow.toml: steps, summary, reports and other fields there, rules reading it
    /// (`form.id`, `"id"`), and cases setting or expecting it.
    pub fn uses_of(&self, id: &str) -> Vec<Use> {
        let own = own_lines(&self.workflow_toml, id);
        let mut found = Vec::new();
        for (file, text, syntax) in self.texts() {
            let lines = lines_naming(text, id, syntax).map(|(n, _)| n);
            let lines = lines.filter(|n| syntax != Syntax::Definition || !own.contains(n));
            found.extend(lines.map(|line| Use { file: file.clone(), line }));
        }
        found
    }

    /// The bundle with the field (or column) `old` called `new` wherever it is named,
    /// its own id among them; every other byte is kept.
    pub fn rename_field(&self, old: &str, new: &str) -> Bundle {
        let rename = |text: &str, syntax| {
            let mut hits: Vec<(usize, Range<usize>)> = lines_naming(text, old, syntax).collect();
            let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
            hits.reverse();
            for (n, range) in hits {
                lines[n - 1].replace_range(range, new);
            }
            lines.concat()
        };
        Bundle {
            workflow_toml: rename(&self.workflow_toml, Syntax::Definition),
            rules_rhai: rename(&self.rules_rhai, Syntax::Rules),
            cases: self
                .cases
                .iter()
                .map(|(name, text)| {
                    let text = if name.starts_with('_') { text.clone() } else { rename(text, Syntax::Case) };
                    (name.clone(), text)
                })
                .collect(),
        }
    }

    fn texts(&self) -> impl Iterator<Item = (String, &String, Syntax)> {
        let files = [
            ("workflow.toml".to_string(), &self.workflow_toml, Syntax::Definition),
            ("rules.rhai".to_string(), &self.rules_rhai, Syntax::Rules),
        ];
        let cases = self.case_files().map(|(name, text)| (format!("cases/{name}"), text, Syntax::Case));
        files.into_iter().chain(cases)
    }
}

/// Each place (line from 1, byte range in it) where `id` is named, comments aside.
fn lines_naming<'a>(text: &'a str, id: &'a str, syntax: Syntax) -> impl Iterator<Item = (usize, Range<usize>)> + 'a {
    let mut section = String::new();
    text.split_inclusive('\n').enumerate().flat_map(move |(n, line)| {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') && !trimmed.starts_with("[ ") && syntax != Syntax::Rules {
            section = trimmed.trim_end().to_string();
        }
        // A step's or report's own id and a step's next steps name no field.
        let other_ids = syntax == Syntax::Definition
            && (trimmed.starts_with("next") || (trimmed.starts_with("id") && !section.starts_with("[[fields")));
        let comment = trimmed.starts_with('#') || trimmed.starts_with("//");
        let ranges = if comment || other_ids { Vec::new() } else { mentions(line, id, syntax, section == "[form]") };
        ranges.into_iter().map(move |r| (n + 1, r))
    })
}

/// Where `line` names `id`: in quotes (`"id"`, `"field:id"`, a path such as
/// `"table.column"` or `` `items[${i}].budget` ``),
/// read by the rules (`.id`), or as a key (a case's `[form]`, an inline table's, a step's
/// `writers` and a reference's `prefill`, whose values name the other form's fields).
fn mentions(line: &str, id: &str, syntax: Syntax, in_form: bool) -> Vec<Range<usize>> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let prefill = line.trim_start().starts_with("prefill");
    let named = |at: usize| {
        let (before, after) = (&line[..at], &line[at + id.len()..]);
        if before.chars().next_back().is_some_and(word) || after.chars().next().is_some_and(word) {
            return false;
        }
        let opens = before.ends_with(['"', '`']) || before.ends_with("\"field:");
        let closes = after.starts_with(['"', '`', '[', '.']);
        // The column of a path: "items.budget", `items[${i}].budget`.
        let column = after.starts_with(['"', '`'])
            && before.strip_suffix('.').is_some_and(|b| {
                let b = if b.ends_with(']') { b.rsplit_once('[').map_or(b, |(t, _)| t) } else { b };
                b.trim_end_matches(word).ends_with(['"', '`'])
            });
        let quoted = opens && closes;
        let assigned = after.trim_start().starts_with('=') && !after.trim_start().starts_with("==");
        let inline = before.trim_end().ends_with(['{', ',']);
        let key = assigned
            && match syntax {
                Syntax::Definition => inline && (prefill || line.trim_start().starts_with("writers")),
                Syntax::Case => inline || (in_form && before.trim().is_empty()),
                Syntax::Rules => false,
            };
        let read = syntax == Syntax::Rules && before.ends_with('.') && !before.ends_with("..");
        key || read || ((quoted || column) && !prefill)
    };
    line.match_indices(id).map(|(at, _)| at).filter(|at| named(*at)).map(|at| at..at + id.len()).collect()
}

/// The lines (from 1) of the field's own table in workflow.toml, its columns among them.
fn own_lines(text: &str, id: &str) -> Range<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| l.trim_start().starts_with('[');
    let own_id = format!("id = \"{id}\"");
    let Some(at) = lines.iter().position(|l| l.trim() == own_id) else { return 0..0 };
    let start = lines[..at].iter().rposition(|l| header(l)).unwrap_or(0);
    let end = lines[at..]
        .iter()
        .position(|l| header(l) && !l.trim_start().starts_with("[[fields."))
        .map_or(lines.len(), |n| at + n);
    (start + 1)..(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;

    fn shipped(name: &str) -> Bundle {
        let root = format!("{}/../workflows/{name}", env!("CARGO_MANIFEST_DIR"));
        let read = |f: &str| std::fs::read_to_string(format!("{root}/{f}")).unwrap();
        let cases = std::fs::read_dir(format!("{root}/cases"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .map(|f| (f.clone(), read(&format!("cases/{f}"))))
            .collect();
        Bundle { workflow_toml: read("workflow.toml"), rules_rhai: read("rules.rhai"), cases }
    }

    #[test]
    fn the_uses_of_a_field_are_its_steps_rules_reports_and_cases() {
        let b = shipped("annual-plan");
        let uses = b.uses_of("committee_opinion");
        let files: Vec<&str> = uses.iter().map(|u| u.file.as_str()).collect();
        assert!(files.contains(&"workflow.toml"), "{uses:?}");
        // The step's writers name it as a key.
        let writers = b.workflow_toml.lines().position(|l| l.starts_with("writers")).unwrap() + 1;
        assert!(uses.contains(&Use { file: "workflow.toml".into(), line: writers }), "{uses:?}");
        // Its own table is not a use.
        let own = b.workflow_toml.lines().position(|l| l == "id = \"committee_opinion\"").unwrap() + 1;
        assert!(!uses.iter().any(|u| u.file == "workflow.toml" && u.line == own));
        // A step's id and its next steps are not uses of a field of the same name.
        assert!(!b.uses_of("committee").iter().any(|u| u.file == "workflow.toml"), "committee is a step");
    }

    #[test]
    fn a_renamed_field_still_loads_and_every_case_still_passes() {
        for (workflow, old) in
            [("annual-plan", "items"), ("work-report", "kexie_name"), ("major-project", "expert_panel")]
        {
            let b = shipped(workflow);
            let checked = b.check(Lang::En);
            assert_eq!(checked.problems(Lang::En), Vec::<String>::new(), "{workflow} before");
            let renamed = b.rename_field(old, "renamed_field");
            let checked = renamed.check(Lang::En);
            assert_eq!(checked.problems(Lang::En), Vec::<String>::new(), "{workflow}: {old} renamed");
            assert!(renamed.uses_of(old).is_empty(), "{workflow}: {old} is named nowhere now");
            assert_eq!(renamed.uses_of("renamed_field").len(), b.uses_of(old).len(), "{workflow}");
            // And back: every byte as it was.
            assert_eq!(renamed.rename_field("renamed_field", old), b, "{workflow}: renamed back");
        }
    }

    #[test]
    fn a_prefill_renames_its_own_side_only() {
        let b = shipped("work-report");
        let renamed = b.rename_field("kexie_name", "org_name");
        let line = renamed.workflow_toml.lines().find(|l| l.starts_with("prefill")).unwrap();
        assert_eq!(line, "prefill = { items = \"items\", org_name = \"kexie_name\" }");
    }
}
