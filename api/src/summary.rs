//! The one line that tells an instance from others of its workflow in work lists, to-do
//! items, mail and reference pickers: "张伟 · 高级工程师".

use kexie_engine::definition::{Definition, Field, FieldKind};
use kexie_engine::instance::Instance;
use kexie_engine::people::Directory;
use kexie_engine::text::Text;
use serde_json::Value;

/// The values of the definition's `summary` fields joined by " · " (people by name,
/// options by label), else its first text field with a value; never a field the current
/// step hides, nor an id the directory cannot name.
pub fn summary(def: &Definition, inst: &Instance, dir: &Directory) -> Option<Text> {
    let hidden = def.step(&inst.step).map(|s| s.hidden.as_slice()).unwrap_or_default();
    let shown = |f: &&Field| !hidden.contains(&f.id);
    let part = |f: &Field| inst.form.get(&f.id).and_then(|v| value_text(f, v, dir));
    let parts: Vec<Text> = if def.summary.is_empty() {
        def.fields.iter().filter(|f| f.kind == FieldKind::Text).filter(shown).find_map(part).into_iter().collect()
    } else {
        def.summary.iter().filter_map(|id| def.field(id)).filter(shown).filter_map(part).collect()
    };
    let join = |lang: fn(&Text) -> &str| parts.iter().map(lang).collect::<Vec<_>>().join(" · ");
    (!parts.is_empty()).then(|| Text::new(join(|t| &t.zh), join(|t| &t.en)))
}

/// A field's value in both languages; `None` when empty or nameless.
fn value_text(f: &Field, v: &Value, dir: &Directory) -> Option<Text> {
    let one = |v: &Value| -> Option<Text> {
        let raw = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        match f.kind {
            _ if raw.is_empty() => None,
            FieldKind::Person => {
                dir.get(&raw).map(|a| a.name.clone()).filter(|n| !n.is_empty()).map(|n| Text::new(n.clone(), n))
            }
            FieldKind::Select | FieldKind::Radio | FieldKind::MultiSelect => {
                Some(f.option(&raw).and_then(|c| c.label.clone()).unwrap_or_else(|| Text::new(&raw, &raw)))
            }
            _ => Some(Text::new(raw.clone(), raw)),
        }
    };
    let parts: Vec<Text> = match v {
        Value::Array(list) => list.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    };
    let join = |lang: fn(&Text) -> &str, sep: &str| parts.iter().map(lang).collect::<Vec<_>>().join(sep);
    (!parts.is_empty()).then(|| Text::new(join(|t| &t.zh, "、"), join(|t| &t.en, ", ")))
}

#[cfg(test)]
mod tests {
    use kexie_engine::Workflow;
    use kexie_engine::definition::Source;
    use kexie_engine::instance::{Env, Moment, start};
    use kexie_engine::people::{Actor, Directory};

    use super::summary;

    const WORKFLOW: &str = r#"
key = "s"
version = 1
title = { zh = "摘要", en = "Summary" }
summary = ["candidate", "level"]

[[fields]]
id = "code"
kind = "text"
label = { zh = "编号", en = "Code" }

[[fields]]
id = "candidate"
kind = "person"
label = { zh = "申报人", en = "Candidate" }

[[fields]]
id = "level"
kind = "select"
label = { zh = "职称", en = "Title" }
options = [{ value = "senior", label = { zh = "高级工程师", en = "Senior engineer" } }]

[[steps]]
id = "apply"
kind = "fill"
label = { zh = "申请", en = "Apply" }
actors = ["initiator"]
editable = ["code", "candidate", "level"]
next = ["end"]
"#;

    /// The summary of a new instance of `workflow` with `form`, in both languages.
    fn summary_of(workflow: &str, form: serde_json::Value) -> Option<(String, String)> {
        let rules = Source { name: "rules.rhai", text: "fn check(form, ctx) { verdict() }" };
        let wf = Workflow::load(&Source { name: "workflow.toml", text: workflow }, &rules).unwrap();
        let li = Actor { id: "li".into(), name: "李明".into(), ..Actor::default() };
        let zhang = Actor { id: "zhangwei".into(), name: "张伟".into(), ..Actor::default() };
        let dir = Directory([li.clone(), zhang].into_iter().map(|a| (a.id.clone(), a)).collect());
        let env = Env::new(Moment::parse("2026-12-02T10:00:00+08:00").unwrap(), &dir);
        let inst = start(&wf, "i1", &li, serde_json::from_value(form).unwrap(), &env).unwrap().instance;
        summary(&wf.definition, &inst, &dir).map(|t| (t.zh, t.en))
    }

    #[test]
    fn the_summary_names_people_and_options_and_never_shows_an_id() {
        let full = serde_json::json!({ "code": "X-1", "candidate": "zhangwei", "level": "senior" });
        let (zh, en) = summary_of(WORKFLOW, full.clone()).unwrap();
        assert_eq!((zh.as_str(), en.as_str()), ("张伟 · 高级工程师", "张伟 · Senior engineer"));
        let stranger = serde_json::json!({ "candidate": "nobody", "level": "senior" });
        assert_eq!(summary_of(WORKFLOW, stranger).unwrap().0, "高级工程师", "an unknown id is left out");
        assert_eq!(summary_of(WORKFLOW, serde_json::json!({ "code": "X-1" })), None, "the named fields are empty");
        let unnamed = WORKFLOW.replace("summary = [\"candidate\", \"level\"]\n", "");
        assert_eq!(summary_of(&unnamed, full).unwrap().0, "X-1", "by default the first text field with a value");
    }
}
