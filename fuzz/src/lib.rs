//! What the fuzz targets share: the shipped workflows, loaded once, and form values built
//! from fuzz input over a workflow's real field ids.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use arbitrary::{Result, Unstructured};
use kexie_engine::Workflow;
use kexie_engine::definition::{Field, FieldKind, Source};
use kexie_engine::fields::Form;
use kexie_engine::golden::{form_of, parse_case, parse_people};
use kexie_engine::people::Directory;
use serde_json::{Map, Number, Value};

/// A shipped workflow (`workflows/*/`), loaded, with what its golden cases hold: the
/// directory (`_people.toml` and each case's own people), the starting forms with their
/// initiators, and the changes the cases' actions make.
pub struct Shipped {
    pub key: String,
    pub workflow: Workflow,
    pub directory: Directory,
    pub starts: Vec<(String, Form)>,
    pub changes: Vec<Form>,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shipped(dir: &Path) -> Shipped {
    let key = dir.file_name().expect("a folder name").to_string_lossy().into_owned();
    let (def, rules) = (read(&dir.join("workflow.toml")), read(&dir.join("rules.rhai")));
    let workflow =
        Workflow::load(&Source { name: "workflow.toml", text: &def }, &Source { name: "rules.rhai", text: &rules })
            .unwrap_or_else(|d| panic!("{key} does not load: {d}"));
    let cases = dir.join("cases");
    let people = read(&cases.join("_people.toml"));
    let people = parse_people(&Source { name: "_people.toml", text: &people }).expect("the case directory reads");
    let mut more = BTreeMap::new();
    let (mut starts, mut changes) = (Vec::new(), Vec::new());
    let mut files: Vec<_> = std::fs::read_dir(&cases).expect("cases/").map(|e| e.expect("an entry").path()).collect();
    files.sort();
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "toml")) {
        if file.file_name().is_some_and(|n| n == "_people.toml") {
            continue;
        }
        let text = read(file);
        let case = parse_case(&Source { name: "case.toml", text: &text }).expect("a shipped case reads");
        more.extend(case.people.clone());
        starts.push((case.initiator.clone(), form_of(&case.form)));
        changes.extend(case.actions.iter().filter_map(|a| a.set.as_ref()).map(form_of));
    }
    Shipped { key, workflow, directory: people.directory(&more), starts, changes }
}

/// The shipped workflows, read from `workflows/` once per process.
pub static WORKFLOWS: LazyLock<Vec<Shipped>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("workflows/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.join("workflow.toml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| shipped(d)).collect()
});

/// One of the shipped workflows, chosen by the input.
pub fn pick(u: &mut Unstructured<'_>) -> Result<&'static Shipped> {
    u.choose(&WORKFLOWS[..])
}

/// A starting form: mostly a golden case's (with its initiator), with some fields fuzzed.
pub fn start_form(u: &mut Unstructured<'_>, shipped: &Shipped) -> Result<(Option<String>, Form)> {
    if shipped.starts.is_empty() || u.ratio(1, 8)? {
        return Ok((None, form(u, &shipped.workflow)?));
    }
    let (initiator, mut start) = u.choose(&shipped.starts)?.clone();
    if u.ratio(1, 3)? {
        start.extend(form(u, &shipped.workflow)?);
    }
    Ok((Some(initiator), start))
}

/// Changes for an action: none, a golden case's, or fuzzed.
pub fn changes(u: &mut Unstructured<'_>, shipped: &Shipped) -> Result<Form> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Form::new(),
        1 if !shipped.changes.is_empty() => u.choose(&shipped.changes)?.clone(),
        _ => form(u, &shipped.workflow)?,
    })
}

const WORDS: [&str; 12] = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "99999999999999999999.99",
    "2026-02-29",
    "2026-13-01",
    "abc",
    "科协",
    "\u{0}",
    "<b>x</b>",
];

/// Text the rules and constraints find interesting: a field's options, numbers and dates
/// as strings, odd text, or anything.
fn text(u: &mut Unstructured<'_>, field: Option<&Field>) -> Result<String> {
    Ok(match u.int_in_range(0..=3)? {
        0 if field.is_some_and(|f| !f.options.is_empty()) => u.choose(&field.unwrap().options)?.value.clone(),
        0 | 1 => (*u.choose(&WORDS)?).to_string(),
        2 => format!("{}-{:02}-{:02}", u.int_in_range(1900..=2100)?, u.int_in_range(0..=13)?, u.int_in_range(0..=32)?),
        _ => u.arbitrary::<String>()?,
    })
}

/// A JSON value for `field` (or any field): mostly of the field's kind, sometimes not.
pub fn value(u: &mut Unstructured<'_>, field: Option<&Field>, depth: u32) -> Result<Value> {
    let kind = field.map(|f| f.kind);
    let wrong = u.ratio(1, 8)?;
    Ok(match (kind, wrong) {
        (Some(FieldKind::Table), false) if depth < 3 => {
            let columns = &field.unwrap().columns;
            let mut rows = Vec::new();
            for _ in 0..u.int_in_range(0..=4)? {
                rows.push(Value::Object(object(u, columns, depth + 1)?));
            }
            Value::Array(rows)
        }
        (Some(FieldKind::Integer), false) => Value::Number(Number::from(u.arbitrary::<i64>()?)),
        (Some(FieldKind::Checkbox), false) => Value::Bool(u.arbitrary()?),
        (Some(FieldKind::MultiSelect), false) => {
            let mut all = Vec::new();
            for _ in 0..u.int_in_range(0..=3)? {
                all.push(Value::String(text(u, field)?));
            }
            Value::Array(all)
        }
        (Some(_), false) => Value::String(text(u, field)?),
        _ => match u.int_in_range(0..=6)? {
            0 => Value::Null,
            1 => Value::Bool(u.arbitrary()?),
            2 => Value::Number(Number::from(u.arbitrary::<i64>()?)),
            3 => Value::String(text(u, field)?),
            4 if depth < 3 => {
                Value::Array((0..u.int_in_range(0..=3)?).map(|_| value(u, None, depth + 1)).collect::<Result<_>>()?)
            }
            5 if depth < 3 => Value::Object(object(u, &[], depth + 1)?),
            _ => Value::String(u.arbitrary()?),
        },
    })
}

/// A map over `fields`' ids (and now and then a stray key).
pub fn object(u: &mut Unstructured<'_>, fields: &[Field], depth: u32) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for _ in 0..u.int_in_range(0..=8)? {
        if fields.is_empty() || u.ratio(1, 10)? {
            out.insert(u.arbitrary()?, value(u, None, depth)?);
        } else {
            let f = u.choose(fields)?;
            out.insert(f.id.clone(), value(u, Some(f), depth)?);
        }
    }
    Ok(out)
}

/// A form (or a set of changes) over `wf`'s fields.
pub fn form(u: &mut Unstructured<'_>, wf: &Workflow) -> Result<Form> {
    Ok(object(u, &wf.definition.fields, 0)?.into_iter().collect())
}
