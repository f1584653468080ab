//! Editing `workflow.toml` in place, for the designers: a change rewrites only what it
//! touches, so the administrator's comments, order and layout stay, and a text nothing
//! changed comes back byte for byte (toml_edit keeps every byte it was not told to change).

/// A value as a designer writes it.
pub use toml_edit::Value;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table};

use super::model::FieldKind;
use crate::text::Text;

/// The kinds a designer's palette adds, each ready to load as it is added.
pub const PALETTE: [FieldKind; 15] = FieldKind::ALL;

/// A new field's keys: its id, kind and label, and what its kind cannot load without
/// (two options to rename, content to write, a workflow to refer to: this one's own until
/// the designer picks another). A table's first column is added by `add_field`.
fn new_field(id: &str, kind: FieldKind, label: &Text, key: &str) -> Vec<(&'static str, Value)> {
    let mut keys = vec![("id", Value::from(id)), ("kind", kind.name().into()), ("label", text_value(label))];
    if kind.has_options() {
        let options: Array =
            [option("a", &Text::new("选项一", "Option 1")), option("b", &Text::new("选项二", "Option 2"))]
                .into_iter()
                .collect();
        keys.push(("options", Value::Array(options)));
    }
    match kind {
        FieldKind::RichText => keys.push(("content", text_value(&Text::new("说明文字", "Explanatory text")))),
        FieldKind::Reference => keys.push(("workflow", key.into())),
        _ => {}
    }
    keys
}

/// `{ value = "…", label = { zh = "…", en = "…" } }`.
fn option(value: &str, label: &Text) -> Value {
    let mut o = InlineTable::new();
    o.insert("value", value.into());
    o.insert("label", text_value(label));
    Value::InlineTable(o)
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
    /// The columns of the `i`th field, a table (written as `[[fields.columns]]`).
    Columns(usize),
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
        set_in(table, key, value)
    }

    /// Sets a key of the header (`key`, `title`…) as `set` does.
    pub fn set_header(&mut self, key: &str, value: Value) -> bool {
        set_in(self.doc.as_table_mut(), key, Some(value))
    }

    /// Sets a bilingual text of the header.
    pub fn set_header_text(&mut self, key: &str, text: &Text) -> bool {
        self.set_header(key, text_value(text))
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

    /// A new field (or column) of `kind` at `at`, ready to load: a table comes with a
    /// first column.
    pub fn add_field(&mut self, list: List, at: usize, id: &str, kind: FieldKind, label: &Text) {
        let key = self.doc.get("key").and_then(Item::as_str).unwrap_or_default().to_string();
        let at = at.min(self.len(list));
        self.insert(list, at, &new_field(id, kind, label, &key));
        if kind == FieldKind::Table {
            let column = new_field("item", FieldKind::Text, &Text::new("事项", "Item"), &key);
            self.insert(List::Columns(at), 0, &column);
        }
    }

    /// The options of the `i`th field: each one's value and label.
    pub fn options(&self, list: List, i: usize) -> Vec<(String, Text)> {
        let Some(options) = self.value(list, i, "options").and_then(Value::as_array) else { return Vec::new() };
        let read = |o: &Value| {
            let o = o.as_inline_table()?;
            let label = o.get("label").and_then(Value::as_inline_table);
            let get = |lang: &str| label.and_then(|l| l.get(lang)).and_then(Value::as_str).unwrap_or_default();
            Some((o.get("value")?.as_str()?.to_string(), Text::new(get("zh"), get("en"))))
        };
        options.iter().filter_map(read).collect()
    }

    /// Writes the `j`th option's value and label, keeping how it was laid out.
    pub fn set_option(&mut self, list: List, i: usize, j: usize, value: &str, label: &Text) -> bool {
        let Some(o) = self.options_mut(list, i).and_then(|a| a.get_mut(j)).and_then(Value::as_inline_table_mut) else {
            return false;
        };
        let mut changed = false;
        for (key, new) in [("value", Value::from(value)), ("label", text_value(label))] {
            match o.get_mut(key) {
                Some(old) if same(old, &new) => {}
                Some(old) => {
                    let decor = old.decor().clone();
                    *old = new;
                    *old.decor_mut() = decor;
                    changed = true;
                }
                None => changed |= o.insert(key, new).is_none(),
            }
        }
        changed
    }

    /// Adds an option at `at`, removes the `j`th, or moves one: each place keeps the
    /// whitespace it had, so the list stays laid out as it was.
    pub fn add_option(&mut self, list: List, i: usize, at: usize, value: &str, label: &Text) {
        self.rearrange_options(list, i, |o| o.insert(at.min(o.len()), option(value, label)));
    }

    pub fn remove_option(&mut self, list: List, i: usize, j: usize) {
        self.rearrange_options(list, i, |o| {
            if j < o.len() {
                o.remove(j);
            }
        });
    }

    pub fn move_option(&mut self, list: List, i: usize, from: usize, to: usize) {
        self.rearrange_options(list, i, |o| {
            if from < o.len() && to < o.len() {
                let v = o.remove(from);
                o.insert(to, v);
            }
        });
    }

    fn options_mut(&mut self, list: List, i: usize) -> Option<&mut Array> {
        self.table_mut(list, i)?.get_mut("options")?.as_array_mut()
    }

    fn rearrange_options(&mut self, list: List, i: usize, change: impl FnOnce(&mut Vec<Value>)) {
        let Some(array) = self.options_mut(list, i) else { return };
        let mut decors: Vec<toml_edit::Decor> = array.iter().map(|v| v.decor().clone()).collect();
        let mut values: Vec<Value> = array.iter().cloned().collect();
        change(&mut values);
        let last = decors.last().cloned().unwrap_or_default();
        decors.resize(values.len(), last);
        array.clear();
        for (mut v, decor) in values.into_iter().zip(decors) {
            *v.decor_mut() = decor;
            array.push_formatted(v);
        }
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
        let (parent, key) = match list {
            List::Fields => (self.doc.as_table(), "fields"),
            List::Steps => (self.doc.as_table(), "steps"),
            List::Columns(f) => (self.tables(List::Fields)?.get(f)?, "columns"),
        };
        parent.get(key).and_then(Item::as_array_of_tables)
    }

    fn table_mut(&mut self, list: List, i: usize) -> Option<&mut Table> {
        self.parent_mut(list)?.1.get_mut(list_key(list)).and_then(Item::as_array_of_tables_mut)?.get_mut(i)
    }

    /// The table holding `list`, and the list's key in it.
    fn parent_mut(&mut self, list: List) -> Option<(&'static str, &mut Table)> {
        let parent = match list {
            List::Fields | List::Steps => self.doc.as_table_mut(),
            List::Columns(f) => self.table_mut(List::Fields, f)?,
        };
        Some((list_key(list), parent))
    }

    /// Changes the order or number of fields or steps, then numbers every table in the
    /// order it is now visited: toml_edit writes tables by their number, so a moved field
    /// takes its columns with it.
    fn restructure(&mut self, list: List, change: impl FnOnce(&mut Vec<Table>)) {
        let mut tables: Vec<Table> = self.tables(list).map(|a| a.iter().cloned().collect()).unwrap_or_default();
        change(&mut tables);
        let aot: ArrayOfTables = tables.into_iter().collect();
        let Some((key, parent)) = self.parent_mut(list) else { return };
        parent.insert(key, Item::ArrayOfTables(aot));
        let mut next = 1;
        number(self.doc.as_table_mut(), &mut next);
    }
}

/// Sets `key` of `table` to `value` (see `DefinitionDoc::set`).
fn set_in(table: &mut Table, key: &str, value: Option<Value>) -> bool {
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

fn list_key(list: List) -> &'static str {
    match list {
        List::Fields => "fields",
        List::Steps => "steps",
        List::Columns(_) => "columns",
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
            doc.add_field(List::Fields, k, &format!("new_{k}"), kind, &label);
        }
        let edited = doc.to_text();
        let def = load(&Source { name: &name, text: &edited }, None).unwrap_or_else(|d| panic!("{d:?}"));
        let kinds: Vec<FieldKind> = def.fields.iter().take(PALETTE.len()).map(|f| f.kind).collect();
        assert_eq!(kinds, PALETTE);
        assert_eq!(def.fields[5].options.len(), 2, "a select comes with two options to rename");
        assert_eq!(def.fields[11].columns.len(), 1, "a table comes with a first column");
    }

    #[test]
    fn columns_and_options_are_edited_in_place() {
        let (name, text) = shipped().into_iter().find(|(n, _)| n.contains("annual-plan")).unwrap();
        let mut doc = DefinitionDoc::parse(&text).unwrap();
        let items = def_index(&doc, "items");
        let columns = List::Columns(items);
        let before = load(&Source { name: &name, text: &text }, None).unwrap();
        let category = &before.field("items").unwrap().columns[0];
        // Options read as written, and written back as they are change nothing.
        let options = doc.options(columns, 0);
        assert_eq!(options.len(), category.options.len());
        for (j, (value, label)) in options.iter().enumerate() {
            assert!(!doc.set_option(columns, 0, j, value, label));
        }
        doc.move_option(columns, 0, 0, 1);
        doc.move_option(columns, 0, 1, 0);
        assert_eq!(first_difference(&doc.to_text(), &text), None, "an option moved there and back");
        // A column added, an option renamed, moved, added and removed.
        doc.add_field(columns, 1, "venue", FieldKind::Text, &Text::new("地点", "Venue"));
        assert!(doc.set_option(columns, 0, 0, "jiangbi", &Text::new("讲比", "Jiangbi")));
        doc.move_option(columns, 0, 0, 2);
        doc.add_option(columns, 0, 99, "other", &Text::new("其他", "Other"));
        doc.remove_option(columns, 0, 1);
        let edited = doc.to_text();
        let def = load(&Source { name: &name, text: &edited }, None).unwrap_or_else(|d| panic!("{d:?}\n{edited}"));
        let items = def.field("items").unwrap();
        let ids: Vec<&str> = items.columns.iter().take(3).map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["category", "venue", "item"]);
        let values: Vec<&str> = items.columns[0].options.iter().map(|o| o.value.as_str()).collect();
        let mut expected: Vec<&str> = category.options.iter().map(|o| o.value.as_str()).collect();
        expected.swap(0, 1);
        expected.swap(1, 2); // jiangbi moved from first to third
        expected.remove(1);
        expected.push("other");
        assert_eq!(values, expected);
        // The options list keeps its layout: one option a line, as written.
        assert!(edited.contains("  { value = \"other\", label = { zh = \"其他\", en = \"Other\" } },\n]"), "{edited}");
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
