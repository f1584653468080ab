//! Looking at what a script built without trusting its shape: a value may nest thousands
//! of levels deep, so nothing here recurses further than the depth it was asked about, and
//! nothing prints more than a preview.

use std::fmt::Write;

use rhai::{Array, Dynamic, Map};

/// Levels a field's value nests: a table is rows (1) of cells (2).
pub(crate) const FIELD_DEPTH: usize = 2;

/// Characters of a value shown in an error.
const PREVIEW_CHARS: usize = 120;

/// Whether `v` holds arrays or maps nested more than `levels` deep.
pub(crate) fn nests_deeper(v: &Dynamic, levels: usize) -> bool {
    let deeper = |c: &Dynamic| is_container(c) && (levels == 0 || nests_deeper(c, levels - 1));
    if let Some(a) = v.read_lock::<Array>() {
        return a.iter().any(deeper);
    }
    if let Some(m) = v.read_lock::<Map>() {
        return m.values().any(deeper);
    }
    false
}

fn is_container(v: &Dynamic) -> bool {
    v.read_lock::<Array>().is_some() || v.read_lock::<Map>().is_some()
}

/// Roughly the bytes `v` takes, for a value that nests no deeper than it was checked to.
pub(crate) fn size_of(v: &Dynamic) -> usize {
    const SLOT: usize = std::mem::size_of::<Dynamic>();
    if let Some(a) = v.read_lock::<Array>() {
        a.iter().map(|c| SLOT + size_of(c)).sum()
    } else if let Some(m) = v.read_lock::<Map>() {
        m.iter().map(|(k, c)| SLOT + k.len() + size_of(c)).sum()
    } else if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        s.len()
    } else {
        0
    }
}

/// A constant the optimizer may copy into every place it is used.
pub(crate) fn is_small_scalar(v: &Dynamic) -> bool {
    match v.read_lock::<rhai::ImmutableString>() {
        Some(s) => s.len() <= 256,
        None => v.is_unit() || v.is_bool() || v.is_int() || v.is_char() || v.is::<rust_decimal::Decimal>(),
    }
}

/// What a rule returned, for an error: the start of it as Rhai writes values, cut at
/// [`PREVIEW_CHARS`] (writing stops there, however large or deep the value is).
pub(crate) fn preview(v: &Dynamic) -> String {
    /// The text so far and how many characters it has.
    struct Capped(String, usize);
    impl Write for Capped {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for c in s.chars() {
                if self.1 == PREVIEW_CHARS {
                    return Err(std::fmt::Error);
                }
                self.0.push(c);
                self.1 += 1;
            }
            Ok(())
        }
    }
    let mut out = Capped(String::new(), 0);
    match write!(out, "{v:?}") {
        Ok(()) => out.0,
        Err(_) => out.0 + "…",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Dynamic {
        let mut v = Dynamic::from(Array::new());
        for _ in 0..levels {
            v = Dynamic::from(vec![v]);
        }
        v
    }

    #[test]
    fn depth_is_measured_only_as_deep_as_asked() {
        assert!(!nests_deeper(&nested(2), 2));
        assert!(nests_deeper(&nested(3), 2));
        assert!(!nests_deeper(&Dynamic::from(3_i64), 0));
        let mut deep = nested(100_000);
        assert!(nests_deeper(&deep, 8));
        // Unnest before dropping: this test's own thread has an ordinary stack.
        loop {
            let inner = deep.write_lock::<Array>().and_then(|mut a| a.pop());
            match inner {
                Some(inner) => deep = inner,
                None => break,
            }
        }
    }

    #[test]
    fn a_preview_is_cut() {
        let long = Dynamic::from("x".repeat(10_000));
        let p = preview(&long);
        assert_eq!(p.chars().count(), PREVIEW_CHARS + 1);
        assert!(p.ends_with('…'));
        assert_eq!(preview(&Dynamic::from(7_i64)), "7");
    }
}
