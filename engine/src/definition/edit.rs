//! Editing `workflow.toml` in place, for the designers: a change rewrites only what it
//! touches, so the administrator's comments, order and layout stay, and a text nothing
//! changed comes back byte for byte (toml_edit keeps every byte it was not told to change).

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::model::FieldKind;
use crate::text::Text;

/// The kinds a designer's palette adds, each ready to load as it is added.
pub const PALETTE: [FieldKind; 13] = [
    FieldKind::Text,
    FieldKind::LongText,
    FieldKind::Integer,
    FieldKind::Decimal,
    FieldKind::Date,
    FieldKind::Select,
    FieldKind::Radio,
    FieldKind::MultiSelect,
    FieldKind::Checkbox,
    FieldKind::Person,
    FieldKind::Department,
    FieldKind::Attachment,
    FieldKind::Table,
];

/// A new field's keys: its id, kind and label, and what its kind cannot load without
/// (two options to rename, a first column).
pub fn new_field(id: &str, kind: FieldKind, label: &Text) -> Vec<(&'static str, Value)> {
    let mut keys = vec![("id", Value::from(id)), ("kind", kind_name(kind).into()), ("label", text_value(label))];
    if kind.has_options() {
        let option = |value: &str, zh: &str, en: &str| {
            let mut o = InlineTable::new();
            o.insert("value", value.into());
            o.insert("label", text_value(&Text::new(zh, en)));
            Value::InlineTable(o)
        };
        let options: Array =
            [option("a", "选项一", "Option 1"), option("b", "选项二", "Option 2")].into_iter().collect();
        keys.push(("options", Value::Array(options)));
    }
    if kind == FieldKind::Table {
        let mut column = InlineTable::new();
        column.insert("id", "item".into());
        column.insert("kind", "text".into());
        column.insert("label", text_value(&Text::new("事项", "Item")));
        keys.push(("columns", Value::Array([Value::InlineTable(column)].into_iter().collect())));
    }
    keys
}

/// A kind as `workflow.toml` writes it (`long_text`).
pub fn kind_name(kind: FieldKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// `{ zh = "…", en = "…" }`.
fn text_value(text: &Text) -> Value {
    let mut t = InlineTable::new();
    t.insert("zh", text.zh.as_str().into());
    t.insert("en", text.en.as_str().into());
    Value::InlineTable(t)
}

/// The text of a `workflow.toml` being edited.
#[derive(Debug, Clone)]
pub struct DefinitionDoc {
    doc: DocumentMut,
}

/// The arrays of tables a designer edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Fields,
    Steps,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Fields => "fields",
            List::Steps => "steps",
        }
    }
}

/// What the assignees of a step may do with a field: one cell of the permission matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Listed in the step's `editable`.
    Editable,
    /// In neither list: shown, not changed.
    ReadOnly,
    /// Listed in the step's `hidden`.
    Hidden,
}

impl DefinitionDoc {
    /// Reads the text; only its TOML syntax matters here (the loader reports the rest).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.parse::<DocumentMut>().map(|doc| DefinitionDoc { doc }).map_err(|e| e.to_string())
    }

    /// The text as edited.
    pub fn to_text(&self) -> String {
        self.doc.to_string()
    }

    /// How many fields or steps there are.
    pub fn len(&self, list: List) -> usize {
        self.tables(list).map_or(0, ArrayOfTables::len)
    }

    /// Sets `key` of the `i`th field or step to `value` (`None` removes the key). A value
    /// equal to the one written is left as written; says whether the text changed.
    pub fn set(&mut self, list: List, i: usize, key: &str, value: Option<Value>) -> bool {
        let Some(table) = self.table_mut(list, i) else { return false };
        match value {
            None => table.remove(key).is_some(),
            Some(v) if table.get(key).and_then(Item::as_value).is_some_and(|old| same(old, &v)) => false,
            Some(v) => {
                match table.get_mut(key).and_then(Item::as_value_mut) {
                    // Keep the whitespace and comment around the old value.
                    Some(old) => {
                        let decor = old.decor().clone();
                        *old = v;
                        *old.decor_mut() = decor;
                    }
                    None => _ = table.insert(key, Item::Value(v)),
                }
                true
            }
        }
    }

    /// Sets a bilingual text: `{ zh = "…", en = "…" }`; an empty one removes the key.
    pub fn set_text(&mut self, list: List, i: usize, key: &str, text: &Text) -> bool {
        let empty = text.zh.trim().is_empty() && text.en.trim().is_empty();
        self.set(list, i, key, (!empty).then(|| text_value(text)))
    }

    /// The value of `key` in the `i`th field or step.
    pub fn value(&self, list: List, i: usize, key: &str) -> Option<&Value> {
        self.tables(list)?.get(i)?.get(key)?.as_value()
    }

    /// A text `key` of the `i`th field or step.
    pub fn str(&self, list: List, i: usize, key: &str) -> Option<&str> {
        self.value(list, i, key)?.as_str()
    }

    /// A bilingual text `key` of the `i`th field or step (a missing language is empty).
    pub fn text(&self, list: List, i: usize, key: &str) -> Option<Text> {
        let t = self.value(list, i, key)?.as_inline_table()?;
        let get = |lang: &str| t.get(lang).and_then(Value::as_str).unwrap_or_default().to_string();
        Some(Text::new(get("zh"), get("en")))
    }

    /// A new field or step at `at` (at most the length), with these keys in this order.
    pub fn insert(&mut self, list: List, at: usize, keys: &[(&str, Value)]) {
        let mut table = Table::new();
        for (k, v) in keys {
            table.insert(k, Item::Value(v.clone()));
        }
        table.decor_mut().set_prefix("\n");
        self.restructure(list, |tables| tables.insert(at.min(tables.len()), table));
    }

    /// A copy of the `i`th field or step right after it, under `id`.
    pub fn duplicate(&mut self, list: List, i: usize, id: &str) {
        let Some(mut copy) = self.tables(list).and_then(|a| a.get(i)).cloned() else { return };
        copy.insert("id", Item::Value(id.into()));
        copy.decor_mut().set_prefix("\n");
        copy.set_position(None);
        self.restructure(list, |tables| tables.insert(i + 1, copy));
    }

    /// Removes the `i`th field or step, with the comments written above it.
    pub fn remove(&mut self, list: List, i: usize) {
        self.restructure(list, |tables| {
            if i < tables.len() {
                tables.remove(i);
            }
        });
    }

    /// Moves the `from`th field or step to stand at `to`.
    pub fn move_to(&mut self, list: List, from: usize, to: usize) {
        if from == to {
            return;
        }
        self.restructure(list, |tables| {
            if from < tables.len() {
                let t = tables.remove(from);
                tables.insert(to.min(tables.len()), t);
            }
        });
    }

    /// What step `step` lets its assignees do with `field`.
    pub fn access(&self, step: usize, field: &str) -> Access {
        let listed = |key: &str| {
            let table = self.tables(List::Steps).and_then(|a| a.get(step));
            let list = table.and_then(|t| t.get(key)).and_then(Item::as_array);
            list.is_some_and(|a| a.iter().any(|v| v.as_str() == Some(field)))
        };
        if listed("editable") {
            Access::Editable
        } else if listed("hidden") {
            Access::Hidden
        } else {
            Access::ReadOnly
        }
    }

    /// Sets one cell of the permission matrix: `field` leaves the step's other list and
    /// joins this one's end (a list is written when the step had none).
    pub fn set_access(&mut self, step: usize, field: &str, access: Access) -> bool {
        if self.access(step, field) == access {
            return false;
        }
        let Some(table) = self.table_mut(List::Steps, step) else { return false };
        for key in ["editable", "hidden"] {
            if let Some(list) = table.get_mut(key).and_then(Item::as_array_mut) {
                list.retain(|v| v.as_str() != Some(field));
            }
        }
        let key = match access {
            Access::Editable => "editable",
            Access::Hidden => "hidden",
            Access::ReadOnly => return true,
        };
        match table.get_mut(key).and_then(Item::as_array_mut) {
            Some(list) => list.push(field),
            None => _ = table.insert(key, Item::Value(Value::Array([field].into_iter().collect()))),
        }
        true
    }

    fn tables(&self, list: List) -> Option<&ArrayOfTables> {
        self.doc.get(list.key()).and_then(Item::as_array_of_tables)
    }

    fn table_mut(&mut self, list: List, i: usize) -> Option<&mut Table> {
        self.doc.get_mut(list.key()).and_then(Item::as_array_of_tables_mut).and_then(|a| a.get_mut(i))
    }

    /// Changes the order or number of fields or steps, then numbers every table in the
    /// order it is now visited: toml_edit writes tables by their number, so a moved field
    /// takes its columns with it.
    fn restructure(&mut self, list: List, change: impl FnOnce(&mut Vec<Table>)) {
        let mut tables: Vec<Table> = self.tables(list).map(|a| a.iter().cloned().collect()).unwrap_or_default();
        change(&mut tables);
        let aot: ArrayOfTables = tables.into_iter().collect();
        self.doc.insert(list.key(), Item::ArrayOfTables(aot));
        let mut next = 1;
        number(self.doc.as_table_mut(), &mut next);
    }
}

/// Numbers `table` and every table under it in the order they are visited.
fn number(table: &mut Table, next: &mut isize) {
    for (_, item) in table.iter_mut() {
        match item {
            Item::Table(t) => {
                t.set_position(Some(*next));
                *next += 1;
                number(t, next);
            }
            Item::ArrayOfTables(a) => {
                for t in a.iter_mut() {
                    t.set_position(Some(*next));
                    *next += 1;
                    number(t, next);
                }
            }
            _ => {}
        }
    }
}

/// Whether two values mean the same, however each is written.
fn same(a: &Value, b: &Value) -> bool {
    let read = |v: &Value| format!("v = {}", v.clone().decorated("", "")).parse::<toml::Table>().ok();
    read(a).is_some_and(|a| Some(a) == read(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::{Source, load};

    fn shipped() -> Vec<(String, String)> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../workflows");
        let mut found: Vec<(String, String)> = std::fs::read_dir(root)
            .unwrap()
            .filter_map(|e| {
                let path = e.ok()?.path().join("workflow.toml");
                Some((path.display().to_string(), std::fs::read_to_string(path).ok()?))
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_shipped_workflow_comes_back_byte_for_byte_when_nothing_changed() {
        let all = shipped();
        assert_eq!(all.len(), 6, "the six shipped workflows");
        for (name, text) in all {
            let mut doc = DefinitionDoc::parse(&text).unwrap();
            assert_eq!(first_difference(&doc.to_text(), &text), None, "{name}: parsed and written again");
            // Every property written again as it is, however it was written, changes nothing.
            let def = load(&Source { name: &name, text: &text }, None).unwrap();
            for (i, f) in def.fields.iter().enumerate() {
                assert!(!doc.set(List::Fields, i, "id", Some(f.id.as_str().into())), "{name}: {}", f.id);
                if let Some(label) = &f.label {
                    assert!(!doc.set_text(List::Fields, i, "label", label), "{name}: {}", f.id);
                }
                if f.required {
                    assert!(!doc.set(List::Fields, i, "required", Some(true.into())), "{name}: {}", f.id);
                }
                for (s, step) in def.steps.iter().enumerate() {
                    let access = doc.access(s, &f.id);
                    assert!(!doc.set_access(s, &f.id, access));
                    let expected = if step.editable.contains(&f.id) {
                        Access::Editable
                    } else if step.hidden.contains(&f.id) {
                        Access::Hidden
                    } else {
                        Access::ReadOnly
                    };
                    assert_eq!(access, expected, "{name}: {} at {}", f.id, step.id);
                }
            }
            assert_eq!(first_difference(&doc.to_text(), &text), None, "{name}: nothing changed");
            // A move and its inverse leave it as it was, comments, columns and all.
            let n = doc.len(List::Fields);
            doc.move_to(List::Fields, 0, n - 1);
            assert_ne!(doc.to_text(), text);
            doc.move_to(List::Fields, n - 1, 0);
            assert_eq!(first_difference(&doc.to_text(), &text), None, "{name}: moved there and back");
        }
    }

    #[test]
    fn edits_keep_the_comments_and_load_as_the_designer_meant() {
        let (name, text) = shipped().into_iter().find(|(n, _)| n.contains("annual-plan")).unwrap();
        let mut doc = DefinitionDoc::parse(&text).unwrap();
        let label = Text::new("联系电话", "Phone");
        doc.insert(List::Fields, 1, &[("id", "phone".into()), ("kind", "text".into())]);
        assert!(doc.set_text(List::Fields, 1, "label", &label));
        doc.duplicate(List::Fields, 1, "phone_2");
        let table = def_index(&doc, "items");
        doc.move_to(List::Fields, table, 0);
        assert!(doc.set_access(0, "phone", Access::Editable));
        assert!(doc.set_access(1, "phone_2", Access::Hidden));
        let edited = doc.to_text();
        // Every comment of the original is still there.
        for comment in text.lines().filter(|l| l.trim_start().starts_with('#')) {
            assert!(edited.contains(comment), "{name}: lost {comment:?}");
        }
        let def = load(&Source { name: &name, text: &edited }, None).unwrap_or_else(|d| panic!("{d:?}\n{edited}"));
        let ids: Vec<&str> = def.fields.iter().take(4).map(|f| f.id.as_str()).collect();
        let before = load(&Source { name: &name, text: &text }, None).unwrap();
        assert_eq!(ids, ["items", before.fields[0].id.as_str(), "phone", "phone_2"]);
        assert_eq!(
            def.fields[0].columns.len(),
            before.field("items").unwrap().columns.len(),
            "its columns moved along"
        );
        assert_eq!(def.field("phone").unwrap().label.as_ref(), Some(&label));
        assert!(def.steps[0].editable.contains(&"phone".to_string()));
        assert!(def.steps[1].hidden.contains(&"phone_2".to_string()));
        doc.remove(List::Fields, 3);
        assert!(!doc.to_text().contains("id = \"phone_2\""), "removed");
    }

    #[test]
    fn every_kind_of_the_palette_loads_as_added() {
        let (name, text) = shipped().into_iter().find(|(n, _)| n.contains("annual-plan")).unwrap();
        let mut doc = DefinitionDoc::parse(&text).unwrap();
        for (k, kind) in PALETTE.into_iter().enumerate() {
            let label = Text::new(format!("新字段{k}"), format!("New field {k}"));
            doc.insert(List::Fields, k, &new_field(&format!("new_{k}"), kind, &label));
        }
        let edited = doc.to_text();
        let def = load(&Source { name: &name, text: &edited }, None).unwrap_or_else(|d| panic!("{d:?}"));
        let kinds: Vec<FieldKind> = def.fields.iter().take(PALETTE.len()).map(|f| f.kind).collect();
        assert_eq!(kinds, PALETTE);
        assert_eq!(def.fields[5].options.len(), 2, "a select comes with two options to rename");
    }

    /// The first line where two texts differ, with both versions of it.
    fn first_difference(a: &str, b: &str) -> Option<(usize, String, String)> {
        if a == b {
            return None;
        }
        let (mut x, mut y) = (a.split_inclusive('\n'), b.split_inclusive('\n'));
        (1..).find_map(|n| match (x.next(), y.next()) {
            (l, r) if l != r => Some((n, l.unwrap_or("<end>").to_string(), r.unwrap_or("<end>").to_string())),
            _ => None,
        })
    }

    fn def_index(doc: &DefinitionDoc, id: &str) -> usize {
        let fields = doc.tables(List::Fields).unwrap();
        fields.iter().position(|t| t.get("id").and_then(Item::as_str) == Some(id)).unwrap()
    }
}
