//! The form renderer. [`FormView`] lays out the fields of a definition with the step's
//! permissions and the engine's verdict; the field components are dumb: value in,
//! callback out. The engine decides; these only display its verdicts.

mod attachment;
pub use attachment::MEDIA_TYPES;
mod choice;
pub mod display;
mod number;
pub mod picker;
pub mod reference;
mod table;
mod text;

use std::collections::BTreeSet;
use std::rc::Rc;

use kexie_engine::Evaluation;
use kexie_engine::definition::{Field, FieldKind};
use kexie_engine::fields::{FieldError, Form};
use kexie_engine::text::Lang;
use serde_json::Value;
use yew::prelude::*;

use crate::app::{Compiled, use_session};
use crate::i18n::{message, pick, t};

pub use display::show_value;

/// A shared value compared by identity: cheap props for big things that never change
/// in place (a compiled workflow).
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The field a path (`items[2].budget`) belongs to.
pub fn root_of(path: &str) -> &str {
    path.split(['[', '.']).next().unwrap_or(path)
}

#[derive(Properties, PartialEq, Clone)]
pub struct FormProps {
    pub wf: Shared<Compiled>,
    /// The form as it stands, the user's changes included.
    pub values: Rc<Form>,
    pub eval: Rc<Evaluation>,
    /// Fields the user may change at this step.
    pub editable: Rc<BTreeSet<String>>,
    /// Errors to show now (touched fields, after a submit attempt, the server's).
    pub errors: Rc<Vec<FieldError>>,
    pub on_change: Callback<(String, Value)>,
    pub on_blur: Callback<String>,
    /// The instance, for attachment downloads.
    #[prop_or_default]
    pub instance: Option<AttrValue>,
    /// Names of people the form mentions.
    #[prop_or_default]
    pub names: Rc<Names>,
}

/// Names of people by id.
pub type Names = std::collections::BTreeMap<String, String>;

/// The names of the people `values` mention: `known` (the server's) with those the
/// directory is asked for. A new map only when names arrive, so that typing does not
/// render every field again.
#[hook]
fn use_form_names(fields: &[Field], values: &Rc<Form>, known: &Rc<Names>) -> Rc<Names> {
    let ids: Vec<String> = {
        let mut out = Vec::new();
        kexie_engine::fields::people_in(fields, &|id| values.get(id), &mut out);
        out.into_iter().filter(|id| !known.contains_key(*id)).map(String::from).collect()
    };
    let arrived = picker::use_names(ids);
    let names = use_memo((known.clone(), arrived), |(known, _)| Rc::new(picker::with_remembered(known)));
    (*names).clone()
}

/// The whole form.
#[function_component]
pub fn FormView(p: &FormProps) -> Html {
    let s = use_session();
    let names = use_form_names(&p.wf.0.wf.definition.fields, &p.values, &p.names);
    let mut by_field: std::collections::HashMap<&str, Vec<FieldError>> = std::collections::HashMap::new();
    for e in p.errors.iter() {
        by_field.entry(root_of(&e.path)).or_default().push(e.clone());
    }
    let fields = p.wf.0.fields.iter().filter(|f| !p.eval.hidden.contains(&f.id)).map(|f| {
        let errors = by_field.remove(f.id.as_str()).unwrap_or_default();
        let value = p.eval.computed.get(&f.id).or_else(|| p.values.get(&f.id)).cloned();
        let editable = p.editable.contains(&f.id) && !f.computed;
        html! {
            <FieldRow key={f.id.clone()} wf={p.wf.clone()} field={f.clone()} {value} {errors} {editable}
                required={p.eval.required.contains(&f.id)}
                totals={p.eval.totals.get(&f.id).cloned().map(Rc::new)}
                on_change={p.on_change.clone()} on_blur={p.on_blur.clone()}
                instance={p.instance.clone()} names={names.clone()} />
        }
    });
    let notes = (!p.eval.notes.is_empty()).then(|| {
        html! {
            <div class="kx-notes" role="note">
                <h3 class="kx-notes-title">{ s.t("提示", "Notes") }</h3>
                <ul>{ for p.eval.notes.iter().map(|n| html! { <li>{ message(s.lang, n) }</li> }) }</ul>
            </div>
        }
    });
    html! {
        <div class="kx-form">
            <div class="kx-fields">{ for fields }</div>
            { notes.unwrap_or_default() }
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct RowProps {
    pub wf: Shared<Compiled>,
    pub field: Rc<Field>,
    pub value: Option<Value>,
    pub errors: Vec<FieldError>,
    pub editable: bool,
    pub required: bool,
    pub totals: Option<Rc<std::collections::BTreeMap<String, String>>>,
    pub on_change: Callback<(String, Value)>,
    pub on_blur: Callback<String>,
    pub instance: Option<AttrValue>,
    pub names: Rc<Names>,
}

/// One field: its label, input (or read-only value), help, article and errors.
#[function_component]
fn FieldRow(p: &RowProps) -> Html {
    let s = use_session();
    let f = &p.field;
    let id = s.dom_id(&f.id);
    let lang = s.lang;
    if f.kind == FieldKind::RichText {
        return html! { <div class="kx-field kx-wide kx-richtext">{ display::rich_text(lang, f) }</div> };
    }
    let own: Vec<&FieldError> = p.errors.iter().filter(|e| e.path == f.id).collect();
    let help_id = format!("{id}-help");
    let err_id = format!("{id}-err");
    let described = [
        (f.help.is_some() || f.article.is_some()).then_some(help_id.as_str()),
        (!own.is_empty()).then_some(err_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let described_by = (!described.is_empty()).then(|| AttrValue::from(described));
    let input = if p.editable {
        let on_change = {
            let (cb, fid) = (p.on_change.clone(), f.id.clone());
            Callback::from(move |v| cb.emit((fid.clone(), v)))
        };
        let on_blur = {
            let (cb, fid) = (p.on_blur.clone(), f.id.clone());
            Callback::from(move |_| cb.emit(fid.clone()))
        };
        let props = InputProps {
            id: id.clone(),
            field: f.clone(),
            value: p.value.clone(),
            on_change,
            on_blur,
            invalid: !own.is_empty(),
            required: p.required,
            described_by: described_by.clone(),
            aria_label: None,
        };
        input_for(props, Some(p))
    } else {
        html! { <div class="kx-value" id={id.clone()}>{ show_value(lang, f, p.value.as_ref(), &p.names, p.instance.as_ref()) }</div> }
    };
    let grouped = p.editable && matches!(f.kind, FieldKind::Radio | FieldKind::MultiSelect);
    let label = label_of(lang, p, &id, grouped);
    let help = help_of(lang, f, &help_id);
    let errors = (!own.is_empty()).then(|| {
        html! { <div class="kx-errors" id={err_id.clone()}>{ for own.iter().map(|e| html! { <p class="kx-error">{ message(lang, &e.message) }</p> }) }</div> }
    });
    let class = classes!(
        "kx-field",
        wide(f.kind).then_some("kx-wide"),
        (!own.is_empty()).then_some("kx-invalid"),
        (!p.editable).then_some("kx-readonly")
    );
    // Empty placeholders keep every child in its slot: Yew matches unkeyed children from
    // the end, so a message appearing must not shift (and rebuild) the input before it.
    let body = html! { <>{ label }{ input }{ help }{ errors.unwrap_or_default() }</> };
    if grouped {
        html! { <fieldset class={class} aria-describedby={described_by} data-field={f.id.clone()}>{ body }</fieldset> }
    } else {
        html! { <div class={class} data-field={f.id.clone()}>{ body }</div> }
    }
}

/// A field's label: a legend for a group of options, a label for an input, else a
/// caption the value's reader can point at.
fn label_of(lang: Lang, p: &RowProps, id: &str, grouped: bool) -> Html {
    let f = &p.field;
    let label = html! {
        <>
            { pick(lang, &f.label()) }
            if p.required && p.editable { <span class="kx-req" aria-hidden="true">{" *"}</span><span class="kx-sr">{ t(lang, "（必填）", " (required)") }</span> }
        </>
    };
    if grouped {
        html! { <legend class="kx-label">{ label }</legend> }
    } else if p.editable && !matches!(f.kind, FieldKind::Table | FieldKind::Attachment) {
        html! { <label class="kx-label" for={id.to_string()}>{ label }</label> }
    } else {
        html! { <span class="kx-label" id={format!("{id}-label")}>{ label }</span> }
    }
}

/// A field's help and the policy article it cites; an empty placeholder without either.
fn help_of(lang: Lang, f: &Field, help_id: &str) -> Html {
    if f.help.is_none() && f.article.is_none() {
        return html! {};
    }
    let cite = f.article.as_deref().map(|a| kexie_engine::text::cite(a, lang));
    html! {
        <p class="kx-help" id={help_id.to_string()}>
            { f.help.as_ref().map(|h| pick(lang, h)).unwrap_or_default() }
            if let Some(c) = cite { <span class={classes!("kx-cite", f.help.is_none().then_some("kx-cite-alone"))}>{ c }</span> }
        </p>
    }
}

/// The input of a table cell (a column of any simple kind).
fn input_for_cell(props: InputProps) -> Html {
    match props.field.kind {
        FieldKind::Table | FieldKind::Attachment | FieldKind::RichText | FieldKind::Reference => html! {},
        _ => input_for(props, None),
    }
}

fn input_for(props: InputProps, row: Option<&RowProps>) -> Html {
    match props.field.kind {
        FieldKind::Text | FieldKind::LongText | FieldKind::Date => html! { <text::TextInput ..props /> },
        FieldKind::Integer | FieldKind::Decimal => html! { <number::NumberInput ..props /> },
        FieldKind::Select | FieldKind::Radio | FieldKind::MultiSelect | FieldKind::Checkbox => {
            html! { <choice::ChoiceInput ..props /> }
        }
        FieldKind::Person | FieldKind::Department => html! { <picker::Picker ..props /> },
        FieldKind::Table => {
            html! { <table::TableInput input={props} errors={row.map(|r| r.errors.clone()).unwrap_or_default()}
            totals={row.and_then(|r| r.totals.clone())} on_blur_path={row.map(|r| r.on_blur.clone()).unwrap_or_default()} /> }
        }
        FieldKind::Attachment => {
            html! { <attachment::AttachmentInput input={props} instance={row.and_then(|r| r.instance.clone())} /> }
        }
        FieldKind::Reference => match row {
            Some(r) => {
                html! { <reference::ReferenceInput input={props} wf={r.wf.clone()} on_form_change={r.on_change.clone()} /> }
            }
            None => html! {},
        },
        FieldKind::RichText => html! {},
    }
}

/// Kinds that take the whole width of the form.
fn wide(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::LongText
            | FieldKind::Table
            | FieldKind::Attachment
            | FieldKind::RichText
            | FieldKind::MultiSelect
            | FieldKind::Radio
    )
}

/// What every input component takes.
#[derive(Properties, PartialEq, Clone)]
pub struct InputProps {
    /// The DOM id (unique on the page).
    pub id: AttrValue,
    pub field: Rc<Field>,
    pub value: Option<Value>,
    /// The new value; `Value::Null` clears the field.
    pub on_change: Callback<Value>,
    pub on_blur: Callback<()>,
    pub invalid: bool,
    pub required: bool,
    pub described_by: Option<AttrValue>,
    /// A label for inputs that have no visible `<label>` (table cells, action panels).
    pub aria_label: Option<AttrValue>,
}

/// The text of a JSON value as an input shows it.
pub fn as_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A language-aware placeholder.
pub fn placeholder(lang: Lang, f: &Field) -> Option<AttrValue> {
    f.placeholder.as_ref().map(|p| pick(lang, p).into())
}
