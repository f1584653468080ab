//! The 「表单」 tab: the form's fields in display order, added from a palette, moved (by
//! keyboard or drag), copied, renamed, deleted and described without writing TOML. Every
//! change rewrites workflow.toml through `definition::edit`, keeping its comments and
//! layout (a rename also the rules and cases naming the field), so the text tabs and the
//! checks see it at once.

use std::rc::Rc;

use kexie_engine::bundle::{Bundle, Use};
use kexie_engine::definition::FieldKind;
use kexie_engine::definition::edit::{DefinitionDoc, List, PALETTE};
use kexie_engine::text::{Lang, Text};
use kexie_widget::app::{Session, use_session};
use kexie_widget::views::{Notice, notice};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

mod props;
mod route;

pub use route::RouteDesigner;

#[derive(Properties, PartialEq)]
pub struct FormDesignerProps {
    pub bundle: Rc<Bundle>,
    /// The texts as the change leaves them.
    pub on_change: Callback<Bundle>,
}

/// The field selected, and the column of it when it is a table.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Pick {
    field: usize,
    column: Option<usize>,
}

impl Pick {
    /// The `i`th entry of `list`.
    fn at(list: List, i: usize) -> Pick {
        match list {
            List::Columns(f) => Pick { field: f, column: Some(i) },
            _ => Pick { field: i, column: None },
        }
    }
}

#[function_component]
pub fn FormDesigner(p: &FormDesignerProps) -> Html {
    let s = use_session();
    let selected = use_state(Pick::default);
    let refusal = use_state(|| None::<Notice>);
    let dragging = use_state(|| None::<(List, usize)>);
    let doc = match DefinitionDoc::parse(&p.bundle.workflow_toml) {
        Ok(doc) => doc,
        Err(e) => {
            let why = format!(
                "{}{e}",
                s.t(
                    "workflow.toml 有语法错误，请先在文本中改正：",
                    "workflow.toml does not parse; fix it in the text first: "
                )
            );
            return notice(&Some(Notice::Error(why)));
        }
    };
    let count = doc.len(List::Fields);
    let field = selected.field.min(count.saturating_sub(1));
    let column = selected.column.filter(|c| *c < doc.len(List::Columns(field)));
    let edit = Editor {
        bundle: p.bundle.clone(),
        on_change: p.on_change.clone(),
        selected: selected.clone(),
        refusal: refusal.clone(),
        dragging,
    };
    let after = if count == 0 { 0 } else { field + 1 };
    html! {
        <div class="kx-dz">
            <div class="kx-dz-fields">
                <Palette list={List::Fields} {after} taken={ids(&doc, List::Fields)} edit={edit.clone()} />
                { notice(&refusal) }
                { rows(&s, &doc, List::Fields, Some(field), &edit, s.t("表单字段（按显示顺序）", "Form fields, in display order")) }
            </div>
            if count > 0 {
                { props::panel(&s, &doc, List::Fields, field, &edit) }
                if doc.value(List::Fields, field, "kind").and_then(|k| k.as_str()) == Some("table") {
                    { columns(&s, &doc, field, column, &edit) }
                }
            }
        </div>
    }
}

/// A table's columns, listed and added like fields, and the selected column's properties.
fn columns(s: &Session, doc: &DefinitionDoc, field: usize, column: Option<usize>, edit: &Editor) -> Html {
    let list = List::Columns(field);
    let after = column.map_or(doc.len(list), |c| c + 1);
    html! {
        <section class="kx-dz-columns" aria-label={s.t("表格的列", "The table's columns")}>
            <h3 class="kx-section-title">{ s.t("表格的列", "Columns") }</h3>
            <Palette {list} {after} taken={ids(doc, list)} edit={edit.clone()} />
            { rows(s, doc, list, column, edit, s.t("表格的列（按显示顺序）", "Columns, in display order")) }
            if let Some(c) = column {
                { props::panel(s, doc, list, c, edit) }
            }
        </section>
    }
}

/// What a designer action needs: the texts to change, where to send the result, what to
/// select afterwards, where to say why an action was refused, and what is being dragged.
#[derive(Clone)]
struct Editor {
    bundle: Rc<Bundle>,
    on_change: Callback<Bundle>,
    selected: UseStateHandle<Pick>,
    refusal: UseStateHandle<Option<Notice>>,
    dragging: UseStateHandle<Option<(List, usize)>>,
}

impl PartialEq for Editor {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.bundle, &other.bundle) && self.selected == other.selected
    }
}

impl Editor {
    /// A callback applying `change` when the event comes.
    fn on<E: 'static>(&self, change: impl Fn(&mut DefinitionDoc, E) -> Pick + 'static) -> Callback<E> {
        let this = self.clone();
        Callback::from(move |event: E| this.apply(|doc| change(doc, event)))
    }

    /// Applies `change` to workflow.toml as it is now, then selects what it returns.
    fn apply(&self, change: impl FnOnce(&mut DefinitionDoc) -> Pick) {
        let Ok(mut doc) = DefinitionDoc::parse(&self.bundle.workflow_toml) else { return };
        let select = change(&mut doc);
        self.refusal.set(None);
        self.selected.set(select);
        self.on_change.emit(Bundle { workflow_toml: doc.to_text(), ..(*self.bundle).clone() });
    }

    /// Says why an action was not done.
    fn refuse(&self, why: String) {
        self.refusal.set(Some(Notice::Error(why)));
    }
}

fn label_of(doc: &DefinitionDoc, list: List, i: usize, lang: Lang) -> String {
    let id = doc.str(list, i, "id").unwrap_or_default();
    let label = doc.text(list, i, "label").or_else(|| doc.text(list, i, "content"));
    label.map(|t| t.get(lang).to_string()).filter(|l| !l.is_empty()).unwrap_or_else(|| id.to_string())
}

fn ids(doc: &DefinitionDoc, list: List) -> Vec<String> {
    (0..doc.len(list)).filter_map(|i| doc.str(list, i, "id").map(String::from)).collect()
}

/// The fields (or a table's columns), each a row; a row is dropped on another to move it.
fn rows(s: &Session, doc: &DefinitionDoc, list: List, on: Option<usize>, edit: &Editor, name: &str) -> Html {
    let rows = (0..doc.len(list)).map(|i| row(s, doc, list, i, on == Some(i), edit));
    html! { <ol class="kx-dz-list" aria-label={name.to_string()}>{ for rows }</ol> }
}

/// One field or column: select it, move it up or down (or drag it), copy it, delete it.
fn row(s: &Session, doc: &DefinitionDoc, list: List, i: usize, on: bool, edit: &Editor) -> Html {
    let id = doc.str(list, i, "id").unwrap_or_default().to_string();
    let kind = doc.str(list, i, "kind").unwrap_or_default();
    let label = label_of(doc, list, i, s.lang);
    let last = doc.len(list) - 1;
    let select = {
        let selected = edit.selected.clone();
        Callback::from(move |_| selected.set(Pick::at(list, i)))
    };
    let move_to = |to: usize| {
        edit.on(move |d, _: MouseEvent| {
            d.move_to(list, i, to);
            Pick::at(list, to)
        })
    };
    let copy = {
        let copy_id = unused_id(&ids(doc, list), &format!("{id}_copy"));
        edit.on(move |d, _: MouseEvent| {
            d.duplicate(list, i, &copy_id);
            Pick::at(list, i + 1)
        })
    };
    let delete = {
        let (edit, id, label, lang) = (edit.clone(), id.clone(), label.clone(), s.lang);
        Callback::from(move |_: MouseEvent| {
            let uses = edit.bundle.uses_of(&id);
            if uses.is_empty() {
                edit.apply(|d| {
                    d.remove(list, i);
                    Pick::at(list, i.saturating_sub(1))
                });
            } else {
                edit.refuse(still_named(&label, &uses, lang));
            }
        })
    };
    let named = |zh: &str, en: &str| match s.lang {
        Lang::Zh => format!("{zh}「{label}」"),
        Lang::En => format!("{en} '{label}'"),
    };
    let (drag, drop) = drag_and_drop(edit, list, i);
    html! {
        <li key={id.clone()} class={classes!("kx-dz-row", on.then_some("kx-dz-on"))}
            draggable="true" ondragstart={drag} ondragover={Callback::from(|e: DragEvent| e.prevent_default())} ondrop={drop}>
            <span class="kx-dz-grip" aria-hidden="true" title={s.t("拖动以调整顺序", "Drag to reorder")}>{ "⠿" }</span>
            <button type="button" class="kx-dz-pick" aria-pressed={on.to_string()} onclick={select}>
                <span class="kx-dz-label">{ label.clone() }</span>
                <span class="kx-dz-kind">{ kind_label(kind, s.lang) }</span>
                <code class="kx-dz-id">{ id.clone() }</code>
            </button>
            <span class="kx-dz-tools">
                <button type="button" class="kx-btn kx-btn-small" disabled={i == 0} onclick={move_to(i.saturating_sub(1))}
                    aria-label={named("上移", "Move up")} title={named("上移", "Move up")}>{ "↑" }</button>
                <button type="button" class="kx-btn kx-btn-small" disabled={i == last} onclick={move_to(i + 1)}
                    aria-label={named("下移", "Move down")} title={named("下移", "Move down")}>{ "↓" }</button>
                <button type="button" class="kx-btn kx-btn-small" onclick={copy}
                    aria-label={named("复制", "Duplicate")}>{ s.t("复制", "Duplicate") }</button>
                <button type="button" class="kx-btn kx-btn-small" onclick={delete}
                    aria-label={named("删除", "Delete")}>{ s.t("删除", "Delete") }</button>
            </span>
        </li>
    }
}

/// A row's drag start (it is what moves) and drop (what moved comes to stand here); a
/// row of another list is not dropped.
fn drag_and_drop(edit: &Editor, list: List, i: usize) -> (Callback<DragEvent>, Callback<DragEvent>) {
    let dragging = edit.dragging.clone();
    let start = Callback::from(move |e: DragEvent| {
        if let Some(data) = e.data_transfer() {
            data.set_effect_allowed("move");
            _ = data.set_data("text/plain", &i.to_string()); // Firefox drags only with data
        }
        dragging.set(Some((list, i)));
    });
    let edit = edit.clone();
    let drop = Callback::from(move |e: DragEvent| {
        e.prevent_default();
        if let Some((from_list, from)) = *edit.dragging
            && from_list == list
            && from != i
        {
            edit.dragging.set(None);
            edit.apply(|d| {
                d.move_to(list, from, i);
                Pick::at(list, i)
            });
        }
    });
    (start, drop)
}

#[derive(Properties, PartialEq)]
struct PaletteProps {
    list: List,
    /// Where the new field goes.
    after: usize,
    /// The ids already used in the list.
    taken: Vec<String>,
    edit: Editor,
}

/// Adds a field (or column) of the chosen kind after the selected one.
#[function_component]
fn Palette(p: &PaletteProps) -> Html {
    let s = use_session();
    let kind = use_state(|| FieldKind::Text);
    let in_table = matches!(p.list, List::Columns(_));
    let kinds = PALETTE.into_iter().filter(move |k| !in_table || column_kind(*k));
    let choose = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(k) = PALETTE.into_iter().find(|k| k.name() == value) {
                kind.set(k);
            }
        })
    };
    let (list, after, k) = (p.list, p.after, *kind);
    let id = unused_id(&p.taken, if in_table { "new_column" } else { "new_field" });
    let add = p.edit.on(move |d, _: MouseEvent| {
        let label = if in_table { Text::new("新列", "New column") } else { Text::new("新字段", "New field") };
        d.add_field(list, after, &id, k, &label);
        Pick::at(list, after)
    });
    let option = |k: FieldKind| {
        html! { <option value={k.name()} selected={k == *kind}>{ kind_label(&k.name(), s.lang) }</option> }
    };
    let (kind_name, add_name) = if in_table {
        (("列类型", "Column kind"), ("添加列", "Add column"))
    } else {
        (("字段类型", "Kind"), ("添加字段", "Add field"))
    };
    html! {
        <div class="kx-dz-palette">
            <label class="kx-dz-inline">{ s.t(kind_name.0, kind_name.1) }
                <select class="kx-input" onchange={choose}>{ for kinds.map(option) }</select>
            </label>
            <button type="button" class="kx-btn kx-btn-primary" onclick={add}>{ s.t(add_name.0, add_name.1) }</button>
            if !in_table {
                <span class="kx-hint">{ s.t("新字段加在所选字段之后；拖动或用 ↑ ↓ 调整顺序。", "A new field goes after the selected one; drag or use ↑ ↓ to reorder.") }</span>
            }
        </div>
    }
}

/// Whether a table's column may be of this kind.
fn column_kind(k: FieldKind) -> bool {
    !matches!(k, FieldKind::Table | FieldKind::Attachment | FieldKind::RichText | FieldKind::Reference)
}

fn still_named(label: &str, uses: &[Use], lang: Lang) -> String {
    let places: Vec<String> = uses
        .iter()
        .map(|u| match lang {
            Lang::Zh => format!("{} 第 {} 行", u.file, u.line),
            Lang::En => format!("{} line {}", u.file, u.line),
        })
        .collect();
    match lang {
        Lang::Zh => format!("不能删除「{label}」：仍有地方用到它（{}）。请先改掉这些地方。", places.join("；")),
        Lang::En => {
            format!("'{label}' cannot be deleted while these still name it: {}. Change them first.", places.join("; "))
        }
    }
}

/// `base`, or `base_2`, `base_3`… whichever is not taken yet.
fn unused_id(taken: &[String], base: &str) -> String {
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}_{n}")))
        .find(|id| !taken.contains(id))
        .unwrap_or_default()
}

fn kind_label(kind: &str, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        "text" => ("单行文本", "Text"),
        "long_text" => ("多行文本", "Long text"),
        "integer" => ("整数", "Whole number"),
        "decimal" => ("金额/小数", "Decimal"),
        "date" => ("日期", "Date"),
        "select" => ("下拉选择", "Drop-down"),
        "radio" => ("单选", "Radio buttons"),
        "multi_select" => ("多选", "Multiple choice"),
        "checkbox" => ("是/否", "Yes / no"),
        "person" => ("人员", "Person"),
        "department" => ("部门", "Department"),
        "attachment" => ("附件", "Attachment"),
        "table" => ("明细表", "Table"),
        "rich_text" => ("说明文字", "Rich text"),
        "reference" => ("关联流程", "Reference"),
        _ => ("其他", "Other"),
    };
    if lang == Lang::Zh { zh } else { en }
}
