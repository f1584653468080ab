//! Form values across the rule boundary: JSON in the form, Rhai values in the rules.

use rhai::{Dynamic, Map};
use rust_decimal::Decimal;
use serde_json::Value;

use super::Form;
use crate::definition::{Definition, Field, FieldKind};

/// Empty means not filled: null, blank text, an empty list.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A decimal from a JSON string ("1234.50") or number.
pub fn decimal_of(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64().map(Decimal::from).or_else(|| n.to_string().parse().ok()),
        _ => None,
    }
}

/// The form as the rules see it: every field of the definition present, empty or
/// invalid values as `()`, integers as numbers, decimals as exact decimals.
pub fn to_rhai(def: &Definition, form: &Form) -> Dynamic {
    let mut map = Map::new();
    for f in def.fields.iter().filter(|f| f.kind != FieldKind::RichText) {
        map.insert(f.id.as_str().into(), value_to_rhai(f, form.get(&f.id)));
    }
    map.into()
}

fn value_to_rhai(field: &Field, value: Option<&Value>) -> Dynamic {
    let Some(v) = value.filter(|v| !is_empty(v)) else {
        return Dynamic::UNIT;
    };
    match field.kind {
        FieldKind::Integer => v.as_i64().map_or(Dynamic::UNIT, Dynamic::from_int),
        FieldKind::Decimal => decimal_of(v).map_or(Dynamic::UNIT, Dynamic::from_decimal),
        FieldKind::Table => {
            let rows = v.as_array().map(|rows| rows.iter().map(|row| row_to_rhai(field, row)).collect::<rhai::Array>());
            rows.map_or(Dynamic::UNIT, Dynamic::from_array)
        }
        _ => rhai::serde::to_dynamic(v).unwrap_or(Dynamic::UNIT),
    }
}

fn row_to_rhai(table: &Field, row: &Value) -> Dynamic {
    let mut map = Map::new();
    for col in &table.columns {
        map.insert(col.id.as_str().into(), value_to_rhai(col, row.get(&col.id)));
    }
    map.into()
}

/// A value the rules computed, as JSON for the form: decimals as strings rounded to the
/// field's scale, `()` as null. `None` if it does not fit the field's kind.
pub fn from_rhai(field: &Field, v: &Dynamic) -> Option<Value> {
    if v.is_unit() {
        return Some(Value::Null);
    }
    match field.kind {
        FieldKind::Decimal => {
            let d = v.as_decimal().ok().or_else(|| v.as_int().ok().map(Decimal::from))?;
            Some(Value::String(d.round_dp(field.scale.unwrap_or(2)).to_string()))
        }
        FieldKind::Integer => v.as_int().ok().map(Value::from),
        FieldKind::Checkbox => v.as_bool().ok().map(Value::from),
        _ => rhai::serde::from_dynamic::<Value>(v).ok(),
    }
}
