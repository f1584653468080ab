//! The roles a definition names, so that a checker holding a directory can say which of
//! them nobody holds: `role:kexie_secretary` for `kexie_secretariat` assigns nobody.

use std::collections::BTreeSet;

use toml::de::DeTable;

use super::locate::{Path, Seg, keys, span_of};
use super::model::{ActorSpec, Definition, Field};
use super::{Diagnostic, Source};
use crate::text::Text;

/// Every role named in starters, actors, delegates, writers, person fields (and columns)
/// and report readers, with the path it is written at.
fn named(def: &Definition) -> Vec<(&str, Path)> {
    let mut found = Vec::new();
    entries(&mut found, &def.starters, keys!["starters"]);
    for (i, s) in def.steps.iter().enumerate() {
        entries(&mut found, &s.actors, keys!["steps", i, "actors"]);
        entries(&mut found, &s.delegates, keys!["steps", i, "delegates"]);
        for (field, writers) in &s.writers {
            entries(&mut found, writers, keys!["steps", i, "writers", field.as_str()]);
        }
    }
    for (i, r) in def.reports.iter().enumerate() {
        entries(&mut found, &r.readers, keys!["reports", i, "readers"]);
    }
    for (i, f) in def.fields.iter().enumerate() {
        found.extend(limited(f, keys!["fields", i, "role"]));
        for (k, c) in f.columns.iter().enumerate() {
            found.extend(limited(c, keys!["fields", i, "columns", k, "role"]));
        }
    }
    found
}

/// The `role:` entries of an actor list written at `at`.
fn entries<'a>(found: &mut Vec<(&'a str, Path)>, list: &'a [String], at: Path) {
    for (j, entry) in list.iter().enumerate() {
        if let Some(ActorSpec::Role(role)) = ActorSpec::parse(entry) {
            let mut path = at.clone();
            path.push(Seg::Index(j));
            found.push((role, path));
        }
    }
}

/// The role a person field (or column) written at `at` is limited to.
fn limited(f: &Field, at: Path) -> Option<(&str, Path)> {
    f.role.as_deref().map(|r| (r, at))
}

/// An error for each role the definition (loaded from `src`) names that nobody in
/// `held`, the roles of the directory `whose` names, holds; the nearest held role is
/// suggested. A caller that only guesses the directory makes these warnings.
pub fn unheld(src: &Source<'_>, def: &Definition, held: &BTreeSet<String>, whose: &Text) -> Vec<Diagnostic> {
    let (root, _) = DeTable::parse_recoverable(src.text);
    let unknown = named(def).into_iter().filter(|(role, _)| !held.contains(*role));
    let mut found: Vec<Diagnostic> =
        unknown.map(|(role, path)| src.at(span_of(&root, &path).start, message(role, held, whose))).collect();
    found.sort_by_key(|d| (d.line, d.col));
    found
}

fn message(role: &str, held: &BTreeSet<String>, whose: &Text) -> Text {
    let (zh, en) = (&whose.zh, &whose.en);
    let hint = match nearest(role, held) {
        Some(near) => Text::new(format!("是否指「{near}」？"), format!("Did you mean '{near}'?")),
        None => Text::new(
            "请检查拼写，或先在目录中为相关人员设置这一角色。",
            "Check the spelling, or give the people concerned this role in the directory first.",
        ),
    };
    Text::new(
        format!("{zh}中没有人担任角色「{role}」，按它找不到任何人。{}", hint.zh),
        format!("nobody in {en} holds the role '{role}', so it names nobody. {}", hint.en),
    )
}

/// The held role closest in spelling, if it is close enough to be a slip.
fn nearest<'a>(role: &str, held: &'a BTreeSet<String>) -> Option<&'a str> {
    let limit = (role.chars().count() / 3).max(2);
    let by_distance = held.iter().map(|h| (strsim::levenshtein(role, h), h.as_str()));
    by_distance.filter(|(d, _)| *d <= limit).min().map(|(_, h)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEF: &str = r#"key = "w"
version = 1
title = { zh = "流程", en = "Flow" }
starters = ["role:applicant"]

[[fields]]
id = "expert"
kind = "person"
label = { zh = "专家", en = "Expert" }
role = "kexie_expert"

[[steps]]
id = "apply"
kind = "fill"
label = { zh = "申请", en = "Apply" }
actors = ["initiator"]
editable = ["expert"]
next = ["review"]

[[steps]]
id = "review"
kind = "approval"
label = { zh = "审核", en = "Review" }
actors = ["role:kexie_secretary", "user:liming"]
next = ["end"]
"#;

    #[test]
    fn a_role_nobody_holds_is_named_where_it_is_written_with_the_nearest_held_one() {
        let src = Source { name: "workflow.toml", text: DEF };
        let def = crate::definition::load(&src, None).expect("the definition loads");
        let held: BTreeSet<String> = ["applicant", "kexie_secretariat", "party_org"].map(String::from).into();
        let whose = Text::new("演示目录", "the demo directory");
        let found = unheld(&src, &def, &held, &whose);
        let at: Vec<(u32, u32)> = found.iter().map(|d| (d.line, d.col)).collect();
        // The expert field's role, then the review step's first actor.
        assert_eq!(at, [(10, 8), (24, 11)], "{found:?}");
        assert!(found[0].message.zh.contains("请检查拼写"), "{}", found[0].message.zh);
        assert_eq!(
            found[1].message.en,
            "nobody in the demo directory holds the role 'kexie_secretary', so it names nobody. \
             Did you mean 'kexie_secretariat'?"
        );
    }
}
