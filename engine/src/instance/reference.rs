//! References to other instances (关联审批): what the host says about the instances a
//! form refers to, and the check that each reference is one its field accepts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Instance, Status};
use crate::definition::{Definition, FieldKind};
use crate::fields::{FieldError, Form};

/// Another instance as a reference field sees it. The host gives only instances that
/// exist and that the person choosing them may read (or that the form already held).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referenced {
    pub id: String,
    /// Its workflow's key.
    pub workflow: String,
    pub status: Status,
    /// The line that tells it from others (its workflow's summary fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<crate::text::Text>,
    /// Its form as stored: decimals as strings, dates as "YYYY-MM-DD".
    pub form: Form,
}

/// The instance ids `form`'s reference fields name.
pub fn reference_ids(def: &Definition, form: &Form) -> Vec<String> {
    def.fields
        .iter()
        .filter(|f| f.kind == FieldKind::Reference)
        .filter_map(|f| form.get(&f.id)?.as_str().map(String::from))
        .collect()
}

/// The references `inst` holds that nobody may change at its current step: the host gives
/// them to whoever may see `inst`, read rights or not, as they were checked when chosen.
/// A reference the current step can change is given only to someone who may read it.
pub fn held_references(def: &Definition, inst: &Instance) -> Vec<String> {
    let step = def.step(&inst.step);
    def.fields
        .iter()
        .filter(|f| f.kind == FieldKind::Reference && !step.is_some_and(|s| s.can_edit(&f.id)))
        .filter_map(|f| inst.form.get(&f.id)?.as_str().map(String::from))
        .collect()
}

/// The instances `form`'s reference fields name, by field id, as far as `known` (by
/// instance id) has them and they fit their field: what the rules see as `ctx.refs`.
pub fn referenced(def: &Definition, form: &Form, known: &BTreeMap<String, Referenced>) -> BTreeMap<String, Referenced> {
    def.fields
        .iter()
        .filter(|f| f.kind == FieldKind::Reference)
        .filter_map(|f| {
            let r = known.get(form.get(&f.id)?.as_str()?).filter(|r| fits(f, r))?;
            Some((f.id.clone(), r.clone()))
        })
        .collect()
}

/// Whether `r` is what reference field `f` accepts: a completed instance of its workflow.
fn fits(f: &crate::definition::Field, r: &Referenced) -> bool {
    Some(r.workflow.as_str()) == f.workflow.as_deref() && r.status == Status::Completed
}

/// An error for each reference that is not a completed instance of its field's workflow
/// in `known`: one the person may not read is not there either, so both read alike.
pub fn check_references(def: &Definition, form: &Form, known: &BTreeMap<String, Referenced>) -> Vec<FieldError> {
    let mut out = Vec::new();
    for f in def.fields.iter().filter(|f| f.kind == FieldKind::Reference) {
        let Some(id) = form.get(&f.id).and_then(|v| v.as_str()) else { continue };
        if !known.get(id).is_some_and(|r| fits(f, r)) {
            let label = f.label();
            out.push(FieldError::new(
                &f.id,
                format!("「{}」须选择您可以查看的、已办结的流程：所选的不存在、尚未办结、类型不符或您无权查看。", label.zh),
                format!(
                    "{} must be a completed instance you may read: the one chosen is missing, unfinished, of another workflow or not yours to read.",
                    label.en
                ),
            ));
        }
    }
    out
}

/// The changes a chosen reference brings: each prefill target set from its source in the
/// referenced form; a table keeps only the columns the target table has.
pub fn prefill(def: &Definition, field: &str, chosen: &Referenced) -> Form {
    let Some(f) = def.field(field) else { return Form::new() };
    let mut out = Form::new();
    for (target, source) in &f.prefill {
        let (Some(t), Some(value)) = (def.field(target), chosen.form.get(source)) else { continue };
        let value = match (t.kind, value) {
            (FieldKind::Table, serde_json::Value::Array(rows)) => {
                let keep = |row: &serde_json::Value| -> serde_json::Value {
                    let cells = t.columns.iter().filter_map(|c| Some((c.id.clone(), row.get(&c.id)?.clone())));
                    serde_json::Value::Object(cells.collect())
                };
                serde_json::Value::Array(rows.iter().map(keep).collect())
            }
            _ => value.clone(),
        };
        out.insert(target.clone(), value);
    }
    out
}
