//! Reading `workflow.toml` into a [`Definition`], reporting every problem at once.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::check::{self, Problem};
use super::locate::span_of;
use super::model::{Definition, Field, Header, Step};
use super::report::Report;
use super::{Diagnostic, Source};
use crate::rules::Rules;
use crate::text::Text;

/// Parses and checks a definition. `rules` is the compiled script, when it compiled, so
/// that steps needing `route` or `assignees` can be checked against it.
pub fn load(src: &Source<'_>, rules: Option<&Rules>) -> Result<Definition, Vec<Diagnostic>> {
    let (root, syntax) = DeTable::parse_recoverable(src.text);
    let mut diagnostics: Vec<Diagnostic> = syntax.iter().map(|e| toml_error(src, e)).collect();
    if !diagnostics.is_empty() {
        // After a syntax error the rest of the document is guesswork: report the syntax.
        return Err(diagnostics);
    }
    let header = Header::deserialize(root.clone().into_deserializer()).map_err(|e| toml_error(src, &e));
    let (fields, field_pos, broken_fields) = elements::<Field>(src, &root, "fields", &mut diagnostics);
    let (steps, step_pos, broken_steps) = elements::<Step>(src, &root, "steps", &mut diagnostics);
    let (reports, report_pos, _) = elements::<Report>(src, &root, "reports", &mut diagnostics);
    let header = match header {
        Ok(h) => h,
        Err(d) => {
            diagnostics.push(d);
            return Err(diagnostics);
        }
    };
    let definition = Definition {
        key: header.key,
        version: header.version,
        title: header.title,
        description: header.description,
        article: header.article,
        starters: header.starters,
        summary: header.summary,
        fields,
        steps,
        reports,
    };
    let known = check::Known { broken_fields, broken_steps, field_pos, step_pos, report_pos };
    let problems = check::check(&definition, rules, &known);
    diagnostics
        .extend(problems.into_iter().map(|Problem { path, message }| src.at(span_of(&root, &path).start, message)));
    if diagnostics.is_empty() { Ok(definition) } else { Err(diagnostics) }
}

/// Reads each element of the array `key` on its own, so one bad field does not hide the
/// problems of the next. Returns the good elements, their positions in the array, and the
/// ids of the bad ones (so that references to them are not reported again as unknown).
fn elements<T: for<'de> Deserialize<'de>>(
    src: &Source<'_>,
    root: &Spanned<DeTable<'_>>,
    key: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<T>, Vec<usize>, BTreeSet<String>) {
    let (mut good, mut pos, mut broken) = (Vec::new(), Vec::new(), BTreeSet::new());
    let Some((_, value)) = root.get_ref().iter().find(|(k, _)| k.get_ref() == key) else {
        return (good, pos, broken);
    };
    let Some(items) = value.get_ref().as_array() else {
        return (good, pos, broken); // the header's deserialization reports the wrong type
    };
    for (i, item) in items.iter().enumerate() {
        match T::deserialize(item.clone().into_deserializer()) {
            Ok(t) => {
                good.push(t);
                pos.push(i);
            }
            Err(e) => {
                diagnostics.push(toml_error(src, &e));
                if let Some(DeValue::String(id)) = item.get_ref().get("id").map(|v| v.get_ref()) {
                    broken.insert(id.to_string());
                }
            }
        }
    }
    (good, pos, broken)
}

fn toml_error(src: &Source<'_>, e: &toml::de::Error) -> Diagnostic {
    let detail = e.message().trim().to_string();
    let hint = hint_for(&detail);
    src.at(
        e.span().map_or(0, |s| s.start),
        Text::new(format!("无法读取：{detail}。{}", hint.zh), format!("cannot read this: {detail}. {}", hint.en)),
    )
}

/// What to do about the common TOML mistakes.
fn hint_for(detail: &str) -> Text {
    if detail.contains("unknown field") {
        Text::new("请检查拼写，或删除这个键。", "Check the spelling or remove the key.")
    } else if detail.contains("unknown variant") {
        Text::new("请改用所列的取值之一。", "Use one of the values listed.")
    } else if detail.contains("missing field") {
        Text::new("请补上这个键。", "Add the key.")
    } else if detail.contains("invalid type") {
        Text::new("请改成所需的类型。", "Write a value of the type expected.")
    } else {
        Text::new("请按 docs/workflow-format.md 修正。", "Fix it as docs/workflow-format.md describes.")
    }
}
