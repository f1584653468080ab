//! Finding where in `workflow.toml` a value was written, so every diagnostic can name
//! `file:line:col` even though checks run on the typed model.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a path into the TOML document: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A path into the document, e.g. `steps[2].editable[1]`.
pub type Path = Vec<Seg>;

/// Builds a path from keys and indexes: `keys!["steps", 2, "next"]`.
macro_rules! keys {
    ($($seg:expr),* $(,)?) => { vec![$($crate::definition::locate::Seg::from($seg)),*] };
}
pub(crate) use keys;

impl From<&str> for Seg {
    fn from(k: &str) -> Self {
        Seg::Key(k.to_string())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// The span of the deepest value along `path` that exists in the document: a
/// misspelt reference points at itself, a missing key at the table that lacks it.
pub fn span_of(root: &Spanned<DeTable<'_>>, path: &[Seg]) -> Range<usize> {
    let mut span = root.span();
    let mut value: Option<&DeValue<'_>> = None;
    let mut table = Some(root.get_ref());
    for seg in path {
        let next = match (seg, table, value) {
            (Seg::Key(k), Some(t), _) => t.iter().find(|(key, _)| key.get_ref() == k).map(|(_, v)| v),
            (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
            _ => None,
        };
        let Some(next) = next else { break };
        span = next.span();
        value = Some(next.get_ref());
        table = next.get_ref().as_table();
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_the_deepest_existing_value() {
        let text = "key = \"a\"\n[[steps]]\nid = \"s\"\nnext = [\"x\", \"y\"]\n";
        let (root, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty());
        let at = |p: Path| &text[span_of(&root, &p)];
        assert_eq!(at(keys!["steps", 0, "next", 1]), "\"y\"");
        assert_eq!(at(keys!["key"]), "\"a\"");
        // A key that is not there points at the table that lacks it: its [[steps]] header.
        assert_eq!(
            span_of(&root, &[Seg::from("steps"), Seg::from(0), Seg::from("label")]).start,
            text.find("[[steps]]").unwrap()
        );
    }
}
