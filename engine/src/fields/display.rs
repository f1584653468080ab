//! A value as a person reads it, in either language: dates as 「2026年11月25日」, money
//! grouped with its unit, options by label, people by name, never an id. The widget's
//! read-only fields and the server's printed record (审批单) both show values through it.

use serde_json::Value;

use crate::definition::{Field, FieldKind};
use crate::text::Lang;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// "2026-11-25" as "2026年11月25日" or "25 Nov 2026"; anything else as it is.
pub fn date(lang: Lang, iso: &str) -> String {
    let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
    let [y, m, d] = parts.as_slice() else { return iso.to_string() };
    let (Ok(month), Ok(day)) = (m.parse::<usize>(), d.parse::<u32>()) else { return iso.to_string() };
    match lang {
        Lang::Zh => format!("{y}年{month}月{day}日"),
        Lang::En => match MONTHS.get(month.wrapping_sub(1)) {
            Some(name) => format!("{day} {name} {y}"),
            None => iso.to_string(),
        },
    }
}

/// An exact decimal with thousands separators and `scale` digits: "1234.5" → "1,234.50".
/// Text that is not a number is returned as typed.
pub fn money(raw: &str, scale: u32) -> String {
    let s = raw.trim();
    let (sign, digits) = s.strip_prefix('-').map_or(("", s), |rest| ("-", rest));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return raw.to_string();
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let scale = scale as usize;
    let mut frac: String = frac.chars().take(scale).collect();
    while frac.len() < scale {
        frac.push('0');
    }
    if scale == 0 { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{frac}") }
}

/// The values of a field: a list's items, or the one value.
pub fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// A value of `f` as plain text in `lang`, several joined by 「、」. `name` names the id a
/// person or reference field holds; one it cannot name reads 「未知人员」 or 「已关联的流程」.
/// A file reads as its name; a table as its rows' count (show its cells one by one).
pub fn value_text(lang: Lang, f: &Field, v: &Value, name: &dyn Fn(FieldKind, &str) -> Option<String>) -> String {
    let one = |v: &Value| -> String {
        let raw = match v {
            Value::String(s) => s.clone(),
            Value::Object(o) if f.kind == FieldKind::Attachment => {
                o.get("name").and_then(Value::as_str).unwrap_or_default().to_string()
            }
            other => other.to_string(),
        };
        let unit = || f.unit.as_ref().map(|u| format!(" {}", u.get(lang))).unwrap_or_default();
        match f.kind {
            FieldKind::Decimal => format!("{}{}", money(&raw, f.scale.unwrap_or(2)), unit()),
            // Whole numbers as written: a year is 2027, not 2,027.
            FieldKind::Integer => format!("{raw}{}", unit()),
            FieldKind::Date => date(lang, &raw),
            FieldKind::Checkbox if v.as_bool() == Some(true) => t(lang, "是", "Yes").into(),
            FieldKind::Checkbox => t(lang, "否", "No").into(),
            FieldKind::Select | FieldKind::Radio | FieldKind::MultiSelect => {
                f.option(&raw).and_then(|c| c.label.as_ref()).map_or(raw, |l| l.get(lang).to_string())
            }
            FieldKind::Person => name(f.kind, &raw).unwrap_or_else(|| t(lang, "未知人员", "Unknown person").into()),
            FieldKind::Reference => {
                name(f.kind, &raw).unwrap_or_else(|| t(lang, "已关联的流程", "A linked instance").into())
            }
            _ => raw,
        }
    };
    if f.kind == FieldKind::Table {
        let rows = v.as_array().map_or(0, Vec::len);
        return match lang {
            Lang::Zh => format!("{rows} 行"),
            Lang::En => format!("{rows} row(s)"),
        };
    }
    items(v).into_iter().map(one).collect::<Vec<_>>().join(t(lang, "、", ", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_per_locale() {
        assert_eq!(date(Lang::Zh, "2026-03-09"), "2026年3月9日");
        assert_eq!(date(Lang::En, "2026-03-09"), "9 Mar 2026");
        assert_eq!(date(Lang::En, "not a date"), "not a date");
    }

    #[test]
    fn money_is_grouped_and_padded() {
        assert_eq!(money("1234567.5", 2), "1,234,567.50");
        assert_eq!(money("-12", 2), "-12.00");
        assert_eq!(money("999", 0), "999");
        assert_eq!(money("12a", 2), "12a");
    }
}
