//! Bilingual text: labels, messages and the policy articles they cite.

use serde::{Deserialize, Serialize};

/// A label in Simplified Chinese and English. Both are required in definitions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Simplified Chinese, shown by default.
    #[serde(default)]
    pub zh: String,
    /// English, shown on request.
    #[serde(default)]
    pub en: String,
}

impl Text {
    /// A text in both languages.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text { zh: zh.into(), en: en.into() }
    }

    /// The text in `lang` ("en" gives English, anything else Chinese).
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The two languages the product speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

/// A message shown to a person: both languages and, for rule messages, the policy
/// article it comes from (a Chinese numeral such as "十六").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
    /// The article of the policy the message cites, e.g. "十".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

impl Message {
    /// A message without a policy citation (used for the engine's own messages).
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Message { zh: zh.into(), en: en.into(), article: None }
    }

    /// The message in `lang`, followed by its citation, e.g.
    /// "须单独组建（依据《意见》第（十）条）".
    pub fn render(&self, lang: Lang) -> String {
        let text = match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        };
        match (&self.article, lang) {
            (Some(a), Lang::Zh) => format!("{text}（{}）", cite(a, lang)),
            (Some(a), Lang::En) => format!("{text} ({})", cite(a, lang)),
            (None, _) => text.clone(),
        }
    }
}

/// The citation of a policy article: 「依据《意见》第（十）条」 or "Opinions, art. 10".
pub fn cite(article: &str, lang: Lang) -> String {
    match (lang, article_number(article)) {
        (Lang::Zh, _) => format!("依据《意见》第（{article}）条"),
        (Lang::En, Some(n)) => format!("Opinions, art. {n}"),
        (Lang::En, None) => format!("Opinions, art. {article}"),
    }
}

/// The number of an article written as a Chinese numeral from 一 to 十七 (or a range's
/// first article, "十四–十五" → 14).
pub fn article_number(article: &str) -> Option<u32> {
    const DIGITS: [char; 9] = ['一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let digit = |c: char| DIGITS.iter().position(|d| *d == c).map(|i| i as u32 + 1);
    let first: String = article.chars().take_while(|c| *c == '十' || digit(*c).is_some()).collect();
    let chars: Vec<char> = first.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', c] => digit(*c).map(|d| 10 + d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_numbers_read_chinese_numerals() {
        assert_eq!(article_number("五"), Some(5));
        assert_eq!(article_number("十"), Some(10));
        assert_eq!(article_number("十六"), Some(16));
        assert_eq!(article_number("十四–十五"), Some(14));
        assert_eq!(article_number("abc"), None);
    }

    #[test]
    fn messages_render_with_their_citation() {
        let m = Message { zh: "须单独组建".into(), en: "Must stand alone".into(), article: Some("十".into()) };
        assert_eq!(m.render(Lang::Zh), "须单独组建（依据《意见》第（十）条）");
        assert_eq!(m.render(Lang::En), "Must stand alone (Opinions, art. 10)");
    }
}
