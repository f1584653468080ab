//! The widget speaks Simplified Chinese first and English on request. Strings sit where
//! they are used, as `(zh, en)` pairs; this module holds the choice and the formatting of
//! dates, times and money per locale.

pub use kexie_engine::fields::display::{date, money};
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
