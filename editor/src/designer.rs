//! The 「表单」 tab: the form's fields in display order, added from a palette, moved,
//! copied, deleted and described without writing TOML. Every change rewrites workflow.toml
//! through `definition::edit`, keeping its comments and layout, so the text tab and the
//! checks see it at once.

use std::rc::Rc;

use kexie_engine::bundle::Bundle;
use kexie_engine::definition::FieldKind;
use kexie_engine::definition::edit::{DefinitionDoc, List, PALETTE, kind_name, new_field};
use kexie_engine::text::{Lang, Text};
use kexie_widget::app::{Session, use_session};
use kexie_widget::views::{Notice, notice};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FormDesignerProps {
    pub bundle: Rc<Bundle>,
    /// workflow.toml as the change leaves it.
    pub on_change: Callback<String>,
}

#[function_component]
pub fn FormDesigner(p: &FormDesignerProps) -> Html {
    let s = use_session();
    let selected = use_state(|| 0usize);
    let refusal = use_state(|| None::<Notice>);
    let kind = use_state(|| FieldKind::Text);
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
    let at = (*selected).min(count.saturating_sub(1));
    let edit = Editor {
        bundle: p.bundle.clone(),
        on_change: p.on_change.clone(),
        selected: selected.clone(),
        refusal: refusal.clone(),
    };
    let rows = (0..count).map(|i| row(&s, &doc, i, i == at, &edit));
    html! {
        <div class="kx-dz">
            <div class="kx-dz-fields">
                { palette(&s, &doc, at, &edit, &kind) }
                { notice(&refusal) }
                <ol class="kx-dz-list" aria-label={s.t("表单字段（按显示顺序）", "Form fields, in display order")}>
                    { for rows }
                </ol>
            </div>
            if count > 0 {
                { properties(&s, &doc, at, &edit) }
            }
        </div>
    }
}

/// What a designer action needs: the texts to change, where to send the result, which
/// field to select afterwards, and where to say why an action was refused.
#[derive(Clone)]
struct Editor {
    bundle: Rc<Bundle>,
    on_change: Callback<String>,
    selected: UseStateHandle<usize>,
    refusal: UseStateHandle<Option<Notice>>,
}

impl Editor {
    /// A callback applying `change` when the event comes.
    fn on<E: 'static>(&self, change: impl Fn(&mut DefinitionDoc, E) -> usize + 'static) -> Callback<E> {
        let this = self.clone();
        Callback::from(move |event: E| this.apply(|doc| change(doc, event)))
    }

    /// Applies `change` to workflow.toml as it is now, then selects the field it returns.
    fn apply(&self, change: impl FnOnce(&mut DefinitionDoc) -> usize) {
        let Ok(mut doc) = DefinitionDoc::parse(&self.bundle.workflow_toml) else { return };
        let select = change(&mut doc);
        self.refusal.set(None);
        self.selected.set(select);
        self.on_change.emit(doc.to_text());
    }
}

fn label_of(doc: &DefinitionDoc, i: usize, lang: Lang) -> String {
    let id = doc.str(List::Fields, i, "id").unwrap_or_default();
    let label = doc.text(List::Fields, i, "label").map(|t| t.get(lang).to_string());
    label.filter(|l| !l.is_empty()).unwrap_or_else(|| id.to_string())
}

/// One field: select it, move it up or down, copy it, delete it.
fn row(s: &Session, doc: &DefinitionDoc, i: usize, on: bool, edit: &Editor) -> Html {
    let id = doc.str(List::Fields, i, "id").unwrap_or_default().to_string();
    let kind = doc.str(List::Fields, i, "kind").unwrap_or_default();
    let label = label_of(doc, i, s.lang);
    let last = doc.len(List::Fields) - 1;
    let select = {
        let selected = edit.selected.clone();
        Callback::from(move |_| selected.set(i))
    };
    let up = edit.on(move |d, _: MouseEvent| {
        d.move_to(List::Fields, i, i - 1);
        i - 1
    });
    let down = edit.on(move |d, _: MouseEvent| {
        d.move_to(List::Fields, i, i + 1);
        i + 1
    });
    let copy = {
        let copy_id = unused_id(doc, &format!("{id}_copy"));
        edit.on(move |d, _: MouseEvent| {
            d.duplicate(List::Fields, i, &copy_id);
            i + 1
        })
    };
    let delete = {
        let (edit, id, label, lang) = (edit.clone(), id.clone(), label.clone(), s.lang);
        Callback::from(move |_: MouseEvent| {
            let uses = uses_of(&edit.bundle, &id, lang);
            if uses.is_empty() {
                edit.apply(|d| {
                    d.remove(List::Fields, i);
                    i.saturating_sub(1)
                });
            } else {
                edit.refusal.set(Some(Notice::Error(still_named(&label, &uses, lang))));
            }
        })
    };
    let named = |zh: &str, en: &str| match s.lang {
        Lang::Zh => format!("{zh}「{label}」"),
        Lang::En => format!("{en} '{label}'"),
    };
    html! {
        <li key={id.clone()} class={classes!("kx-dz-row", on.then_some("kx-dz-on"))}>
            <button type="button" class="kx-dz-pick" aria-pressed={on.to_string()} onclick={select}>
                <span class="kx-dz-label">{ label.clone() }</span>
                <span class="kx-dz-kind">{ kind_label(kind, s.lang) }</span>
                <code class="kx-dz-id">{ id.clone() }</code>
            </button>
            <span class="kx-dz-tools">
                <button type="button" class="kx-btn kx-btn-small" disabled={i == 0} onclick={up}
                    aria-label={named("上移", "Move up")} title={named("上移", "Move up")}>{ "↑" }</button>
                <button type="button" class="kx-btn kx-btn-small" disabled={i == last} onclick={down}
                    aria-label={named("下移", "Move down")} title={named("下移", "Move down")}>{ "↓" }</button>
                <button type="button" class="kx-btn kx-btn-small" onclick={copy}
                    aria-label={named("复制", "Duplicate")}>{ s.t("复制", "Duplicate") }</button>
                <button type="button" class="kx-btn kx-btn-small" onclick={delete}
                    aria-label={named("删除", "Delete")}>{ s.t("删除", "Delete") }</button>
            </span>
        </li>
    }
}

/// Adds a field of the chosen kind after the selected one.
fn palette(s: &Session, doc: &DefinitionDoc, at: usize, edit: &Editor, kind: &UseStateHandle<FieldKind>) -> Html {
    let choose = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(k) = PALETTE.into_iter().find(|k| kind_name(*k) == value) {
                kind.set(k);
            }
        })
    };
    let (id, k) = (unused_id(doc, "new_field"), **kind);
    let after = if doc.len(List::Fields) == 0 { 0 } else { at + 1 };
    let label = Text::new("新字段", "New field");
    let add = edit.on(move |d, _: MouseEvent| {
        d.insert(List::Fields, after, &new_field(&id, k, &label));
        after
    });
    let option = |k: FieldKind| {
        html! { <option value={kind_name(k)} selected={k == **kind}>{ kind_label(&kind_name(k), s.lang) }</option> }
    };
    html! {
        <div class="kx-dz-palette">
            <label class="kx-dz-inline">{ s.t("字段类型", "Kind") }
                <select class="kx-input" onchange={choose}>{ for PALETTE.into_iter().map(option) }</select>
            </label>
            <button type="button" class="kx-btn kx-btn-primary" onclick={add}>{ s.t("添加字段", "Add field") }</button>
            <span class="kx-hint">{ s.t("新字段加在所选字段之后。", "A new field goes after the selected one.") }</span>
        </div>
    }
}

/// The selected field's label, help and whether it is required.
fn properties(s: &Session, doc: &DefinitionDoc, i: usize, edit: &Editor) -> Html {
    let id = doc.str(List::Fields, i, "id").unwrap_or_default().to_string();
    let text = |key: &'static str, lang: Lang, zh: &'static str, en: &'static str| {
        let value = doc.text(List::Fields, i, key).unwrap_or_default();
        let onchange = edit.on(move |d, e: Event| {
            let typed = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut t = d.text(List::Fields, i, key).unwrap_or_default();
            *(if lang == Lang::Zh { &mut t.zh } else { &mut t.en }) = typed.trim().to_string();
            d.set_text(List::Fields, i, key, &t);
            i
        });
        html! {
            <label class="kx-field">
                <span class="kx-label">{ s.t(zh, en) }</span>
                <input class="kx-input" value={value.get(lang).to_string()} {onchange} />
            </label>
        }
    };
    let required = doc.value(List::Fields, i, "required").and_then(|v| v.as_bool()).unwrap_or(false);
    let toggle = edit.on(move |d, e: Event| {
        let on = e.target_unchecked_into::<HtmlInputElement>().checked();
        d.set(List::Fields, i, "required", on.then(|| true.into()));
        i
    });
    html! {
        <section key={id.clone()} class="kx-dz-props" aria-label={s.t("字段属性", "Field properties")}>
            <h3 class="kx-section-title">{ label_of(doc, i, s.lang) }<code class="kx-dz-id">{ id }</code></h3>
            { text("label", Lang::Zh, "名称（中文）", "Label (Chinese)") }
            { text("label", Lang::En, "名称（英文）", "Label (English)") }
            { text("help", Lang::Zh, "填写说明（中文）", "Help (Chinese)") }
            { text("help", Lang::En, "填写说明（英文）", "Help (English)") }
            <label class="kx-dz-inline">
                <input type="checkbox" checked={required} onchange={toggle} />{ s.t("必填", "Required") }
            </label>
        </section>
    }
}

fn still_named(label: &str, uses: &[String], lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("不能删除「{label}」：仍有地方用到它（{}）。请先改掉这些地方。", uses.join("；")),
        Lang::En => {
            format!("'{label}' cannot be deleted while these still name it: {}. Change them first.", uses.join("; "))
        }
    }
}

/// `base`, or `base_2`, `base_3`… whichever no field has yet.
fn unused_id(doc: &DefinitionDoc, base: &str) -> String {
    let taken = |id: &str| (0..doc.len(List::Fields)).any(|i| doc.str(List::Fields, i, "id") == Some(id));
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}_{n}")))
        .find(|id| !taken(id))
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

/// Where a field is still named outside its own table: lines of workflow.toml (steps,
/// summary, reports, other fields) naming it in quotes, of rules.rhai reading it
/// (`form.id`, `"id"`), and of each case setting it (`id = …`).
fn uses_of(bundle: &Bundle, id: &str, lang: Lang) -> Vec<String> {
    let quoted = format!("\"{id}\"");
    let own = own_lines(&bundle.workflow_toml, id);
    let mut found: Vec<String> = lines_naming(&bundle.workflow_toml, |l| l.contains(&quoted))
        .filter(|n| !own.contains(n))
        .map(|n| place("workflow.toml", n, lang))
        .collect();
    let read = |l: &str| {
        l.contains(&quoted) || l.match_indices(id).any(|(at, _)| l[..at].ends_with('.') && is_word_at(l, at, id.len()))
    };
    found.extend(lines_naming(&bundle.rules_rhai, read).map(|n| place("rules.rhai", n, lang)));
    let set = |l: &str| {
        let l = l.trim_start();
        l.contains(&quoted) || l.strip_prefix(id).is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    for (name, text) in bundle.case_files() {
        found.extend(lines_naming(text, set).map(|n| place(&format!("cases/{name}"), n, lang)));
    }
    found
}

/// The lines (from 1) where `hit` holds, comments aside.
fn lines_naming<'a>(text: &'a str, hit: impl Fn(&str) -> bool + 'a) -> impl Iterator<Item = usize> + 'a {
    let comment = |l: &str| l.trim_start().starts_with('#') || l.trim_start().starts_with("//");
    text.lines().enumerate().filter(move |(_, l)| !comment(l) && hit(l)).map(|(n, _)| n + 1)
}

/// Whether `id` stands at `at` as a whole name, not inside a longer one.
fn is_word_at(line: &str, at: usize, len: usize) -> bool {
    let name = |c: char| c.is_alphanumeric() || c == '_';
    !line[..at].chars().next_back().is_some_and(name) && !line[at + len..].chars().next().is_some_and(name)
}

fn place(file: &str, line: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{file} 第 {line} 行"),
        Lang::En => format!("{file} line {line}"),
    }
}

/// The lines of the field's own `[[fields]]` table (its columns among them).
fn own_lines(text: &str, id: &str) -> std::ops::Range<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let header = |l: &str| l.trim_start().starts_with('[');
    let own_id = format!("id = \"{id}\"");
    let Some(at) = lines.iter().position(|l| l.trim() == own_id) else { return 0..0 };
    let start = lines[..at].iter().rposition(|l| header(l)).map_or(0, |n| n);
    let end = lines[at..]
        .iter()
        .position(|l| header(l) && !l.trim_start().starts_with("[[fields."))
        .map_or(lines.len(), |n| at + n);
    (start + 1)..(end + 1)
}
