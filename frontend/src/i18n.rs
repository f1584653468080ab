//! The widget speaks Simplified Chinese first and English on request. Strings sit where
//! they are used, as `(zh, en)` pairs; this module holds the choice and the formatting of
//! dates, times and money per locale.

pub use kexie_engine::text::{Lang, Message, Text};

/// The locale from a config value: "en…" is English, anything else Chinese.
pub fn lang_of(locale: Option<&str>) -> Lang {
    match locale {
        Some(l) if l.to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// The text in the chosen language.
pub fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A definition's bilingual text in the chosen language.
pub fn pick(lang: Lang, text: &Text) -> String {
    text.get(lang).to_string()
}

/// A message with its cited article.
pub fn message(lang: Lang, m: &Message) -> String {
    m.render(lang)
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

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

/// An RFC 3339 moment in the browser's own time zone: "2026-11-25 13:05".
pub fn moment(lang: Lang, rfc3339: &str) -> String {
    let d = js_sys::Date::new(&rfc3339.into());
    if d.get_time().is_nan() {
        return rfc3339.to_string();
    }
    let day = format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date());
    format!("{} {:02}:{:02}", date(lang, &day), d.get_hours(), d.get_minutes())
}

/// A moment given as milliseconds since the epoch (local storage timestamps).
pub fn moment_ms(lang: Lang, ms: f64) -> String {
    let d = js_sys::Date::new(&ms.into());
    moment(lang, &String::from(d.to_iso_string()))
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
