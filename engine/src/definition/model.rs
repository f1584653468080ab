//! The typed form of `workflow.toml`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::people::Actor;
use crate::text::Text;

/// A list of strings, or one string for a list of one.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// The id a step's `next` uses for "the workflow is complete".
pub const END: &str = "end";

/// The top of `workflow.toml`: everything but the fields and steps, which are read one
/// by one so that each bad entry is reported on its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    pub key: String,
    pub version: u32,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    #[serde(default)]
    pub article: Option<String>,
    #[serde(default)]
    pub starters: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub summary: Vec<String>,
    // Read element by element by the loader.
    #[serde(default, rename = "fields")]
    pub _fields: toml::value::Array,
    #[serde(default, rename = "steps")]
    pub _steps: toml::value::Array,
    #[serde(default, rename = "reports")]
    pub _reports: toml::value::Array,
}

/// A workflow definition: the form and the steps it goes through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// Stable id, e.g. "annual-plan".
    pub key: String,
    /// Version number; running instances stay on the version they started with.
    pub version: u32,
    /// The workflow's name.
    pub title: Text,
    /// A longer description shown on the start page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// The policy article the workflow implements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// Who may start an instance: "role:<r>" or "user:<id>" entries; empty means anybody.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starters: Vec<String>,
    /// The fields whose values tell one instance from another in work lists, to-do items
    /// and mail, joined by " · " (a candidate and the title applied for); by default the
    /// first text field with a value that the current step shows. One field may be
    /// written as a string.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub summary: Vec<String>,
    /// The form's fields in display order.
    pub fields: Vec<Field>,
    /// The steps; the first is where the initiator fills the form.
    pub steps: Vec<Step>,
    /// What the workflow reports to those above it (`[[reports]]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<super::Report>,
}

impl Definition {
    /// The field with this id.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// A field, or with `table.column` a table's column: what a report groups and sums by.
    pub fn field_or_column(&self, path: &str) -> Option<&Field> {
        match path.split_once('.') {
            Some((table, column)) => self.field(table)?.column(column),
            None => self.field(path),
        }
    }

    /// The report with this id.
    pub fn report(&self, id: &str) -> Option<&super::Report> {
        self.reports.iter().find(|r| r.id == id)
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Whether `actor` may start an instance.
    pub fn may_start(&self, actor: &crate::people::Actor) -> bool {
        self.starters.is_empty()
            || self.starters.iter().any(|s| match ActorSpec::parse(s) {
                Some(ActorSpec::Role(r)) => actor.has_role(r),
                Some(ActorSpec::User(u)) => actor.id == u,
                _ => false,
            })
    }

    /// The first step, where every instance starts.
    pub fn first_step(&self) -> &Step {
        &self.steps[0]
    }
}

/// The kinds of field a form can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// A whole number.
    Integer,
    /// An exact decimal (money), stored as a string.
    Decimal,
    /// A calendar date, "YYYY-MM-DD".
    Date,
    /// One option from a drop-down.
    Select,
    /// Several options.
    MultiSelect,
    /// One option from radio buttons.
    Radio,
    /// Yes / no.
    Checkbox,
    /// A user id from the host's directory.
    Person,
    /// A department id from the host.
    Department,
    /// Rows of sub-fields.
    Table,
    /// Uploaded file metadata.
    Attachment,
    /// Read-only text shown in the form (a policy excerpt); holds no value.
    RichText,
    /// Another instance (关联审批): the id of a completed instance of `workflow` that the
    /// person choosing it may read.
    Reference,
}

impl FieldKind {
    /// Every kind, in the order the format lists them.
    pub const ALL: [FieldKind; 15] = [
        FieldKind::Text,
        FieldKind::LongText,
        FieldKind::Integer,
        FieldKind::Decimal,
        FieldKind::Date,
        FieldKind::Select,
        FieldKind::MultiSelect,
        FieldKind::Radio,
        FieldKind::Checkbox,
        FieldKind::Person,
        FieldKind::Department,
        FieldKind::Table,
        FieldKind::Attachment,
        FieldKind::RichText,
        FieldKind::Reference,
    ];

    /// The kind as `workflow.toml` writes it (`long_text`).
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
    }

    /// Whether a field of this kind takes `key`: the keys only some kinds take are named
    /// here, every other key (label, help, required…) every kind takes.
    pub fn takes(self, key: &str) -> bool {
        use FieldKind as K;
        match key {
            "min" | "max" | "unit" => self.is_number(),
            "scale" => self == K::Decimal,
            "min_length" | "max_length" => matches!(self, K::Text | K::LongText),
            "pattern" => self == K::Text,
            "options" => self.has_options(),
            "min_items" | "max_items" => self == K::MultiSelect,
            "multiple" => matches!(self, K::Person | K::Department | K::Attachment),
            "columns" | "min_rows" | "max_rows" => self == K::Table,
            "accept" | "max_size" | "max_files" => self == K::Attachment,
            "content" => self == K::RichText,
            "workflow" | "prefill" => self == K::Reference,
            "role" => self == K::Person,
            _ => true,
        }
    }

    /// Kinds that carry a list of options.
    pub fn has_options(self) -> bool {
        matches!(self, FieldKind::Select | FieldKind::MultiSelect | FieldKind::Radio)
    }

    /// Kinds that are numbers (min/max, totals).
    pub fn is_number(self) -> bool {
        matches!(self, FieldKind::Integer | FieldKind::Decimal)
    }
}

/// One option of a select, multi-select or radio field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The stored value.
    pub value: String,
    /// What people see.
    #[serde(default)]
    pub label: Option<Text>,
}

/// A field of the form, or a column of a table field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Unique id, used by rules and in stored forms.
    pub id: String,
    /// What kind of value it holds.
    pub kind: FieldKind,
    /// What people see.
    #[serde(default)]
    pub label: Option<Text>,
    /// A hint shown under the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// Must be filled before submit.
    #[serde(default)]
    pub required: bool,
    /// Set only by the rules (`v.set`), never typed by a person.
    #[serde(default)]
    pub computed: bool,
    /// The policy article the field comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// Smallest number allowed (integer, decimal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    /// Largest number allowed (integer, decimal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
    /// Digits after the decimal point (decimal; default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// Unit shown beside a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,
    /// Shortest text, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    /// Longest text, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// A regular expression the whole text must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Placeholder text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<Text>,
    /// Options of select, multi-select and radio fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Fewest options chosen (multi-select).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    /// Most options chosen (multi-select).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    /// Person, department, attachment: a list of values.
    #[serde(default)]
    pub multiple: bool,
    /// Columns of a table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Field>,
    /// Fewest rows of a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<usize>,
    /// Most rows of a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<usize>,
    /// A table column to sum.
    #[serde(default)]
    pub total: bool,
    /// Media types an attachment may have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// Largest attachment, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// Most attachments (multiple).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<usize>,
    /// The content of a rich-text field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Text>,
    /// The workflow a reference field's instances are of (its key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// A reference field's prefill: field of this form → field of the referenced form,
    /// copied when a reference is chosen (a table keeps the columns both tables have).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prefill: BTreeMap<String, String>,
    /// A person field offers, and accepts, only people holding this role (the experts of
    /// an expert pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl Field {
    /// A field of `kind` with nothing else set (no label: the id shows).
    pub fn new(id: &str, kind: FieldKind) -> Field {
        Field {
            id: id.to_string(),
            kind,
            label: None,
            help: None,
            required: false,
            computed: false,
            article: None,
            min: None,
            max: None,
            scale: None,
            unit: None,
            min_length: None,
            max_length: None,
            pattern: None,
            placeholder: None,
            options: Vec::new(),
            min_items: None,
            max_items: None,
            multiple: false,
            columns: Vec::new(),
            min_rows: None,
            max_rows: None,
            total: false,
            accept: Vec::new(),
            max_size: None,
            max_files: None,
            content: None,
            workflow: None,
            prefill: BTreeMap::new(),
            role: None,
        }
    }

    /// The column of a table field with this id.
    pub fn column(&self, id: &str) -> Option<&Field> {
        self.columns.iter().find(|c| c.id == id)
    }

    /// The label, or the id when a (broken) definition has none.
    pub fn label(&self) -> Text {
        self.label.clone().unwrap_or_else(|| Text::new(&self.id, &self.id))
    }

    /// The option with this value.
    pub fn option(&self, value: &str) -> Option<&Choice> {
        self.options.iter().find(|o| o.value == value)
    }
}

/// The kinds of step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Someone enters or completes the form and submits it.
    Fill,
    /// Approve, reject or return.
    Approval,
    /// Each assignee must give an opinion; an opinion is not a veto.
    Opinion,
    /// Publicity (公示): closed only after `notice_days`.
    Notice,
    /// Filing (备案): the filer records it or sends it back for correction; a filing
    /// never vetoes, so there is no reject.
    Filing,
}

impl StepKind {
    /// Every kind of step.
    pub const ALL: [StepKind; 5] =
        [StepKind::Fill, StepKind::Approval, StepKind::Opinion, StepKind::Notice, StepKind::Filing];
}

/// How several assignees of one step decide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalMode {
    /// One after the other, in order.
    Sequence,
    /// Countersign (会签): everyone must approve.
    All,
    /// Any one (或签): the first approval decides.
    #[default]
    Any,
    /// Vote (比例会签): the step passes once the share `pass` of its assignees agree
    /// (approve) and fails once that share can no longer be reached.
    Vote,
}

/// A step of the workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique id.
    pub id: String,
    /// What happens at the step.
    pub kind: StepKind,
    /// What people see.
    #[serde(default)]
    pub label: Option<Text>,
    /// How several assignees decide.
    #[serde(default)]
    pub mode: ApprovalMode,
    /// Who is assigned: "initiator", "role:<r>", "user:<id>", "field:<f>", "rules".
    #[serde(default)]
    pub actors: Vec<String>,
    /// Who else a task here may be transferred to or added (the actors always may):
    /// "role:<r>", "user:<id>", "field:<f>".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegates: Vec<String>,
    /// For `mode = "vote"`: the share of the assignees that must agree, "a/b" (e.g. "2/3").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// Fields the assignees may change here.
    #[serde(default)]
    pub editable: Vec<String>,
    /// Who alone may change an editable field here, by field: "role:<r>", "user:<id>",
    /// "field:<f>" or "initiator". At a countersign every assignee's opinion is their
    /// own comment, and the one consolidated opinion is written by whom this names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub writers: BTreeMap<String, Vec<String>>,
    /// Fields not shown here.
    #[serde(default)]
    pub hidden: Vec<String>,
    /// Days after which the step is overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<u32>,
    /// Days a notice step lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_days: Option<u32>,
    /// Possible next steps (or "end"); several means the rules' `route` picks.
    #[serde(default)]
    pub next: Vec<String>,
    /// The policy article the step comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

impl Step {
    /// The label, or the id when a (broken) definition has none.
    pub fn label(&self) -> Text {
        self.label.clone().unwrap_or_else(|| Text::new(&self.id, &self.id))
    }

    /// Whether assignees may change this field here.
    pub fn can_edit(&self, field: &str) -> bool {
        self.editable.iter().any(|f| f == field)
    }

    /// Whether `actor` may change `field` here: it is editable, and where the step names
    /// the field's writers, `actor` is one of them (by role, by id, chosen in a person
    /// field of `form`, or as the instance's `initiator`).
    pub fn editable_by(&self, field: &str, actor: &Actor, initiator: &str, form: &crate::fields::Form) -> bool {
        let Some(writers) = self.writers.get(field) else { return self.can_edit(field) };
        let chosen = |f: &str| match form.get(f) {
            Some(serde_json::Value::String(id)) => id == &actor.id,
            Some(serde_json::Value::Array(ids)) => ids.iter().any(|id| id.as_str() == Some(&actor.id)),
            _ => false,
        };
        self.can_edit(field)
            && writers.iter().any(|w| match ActorSpec::parse(w) {
                Some(ActorSpec::Role(r)) => actor.has_role(r),
                Some(ActorSpec::User(u)) => actor.id == u,
                Some(ActorSpec::Field(f)) => chosen(f),
                Some(ActorSpec::Initiator) => actor.id == initiator,
                Some(ActorSpec::Rules) | None => false,
            })
    }

    /// The fields `actor` may change here (see `editable_by`).
    pub fn editable_for(&self, actor: &Actor, initiator: &str, form: &crate::fields::Form) -> Vec<String> {
        self.editable.iter().filter(|f| self.editable_by(f, actor, initiator, form)).cloned().collect()
    }

    /// The share of a vote step's assignees that must agree, from `pass` ("2/3" → (2, 3)).
    pub fn pass_share(&self) -> Option<(u32, u32)> {
        let (a, b) = self.pass.as_deref()?.split_once('/')?;
        let (a, b) = (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?);
        (a > 0 && a <= b).then_some((a, b))
    }

    /// Whether this field is hidden here.
    pub fn hides(&self, field: &str) -> bool {
        self.hidden.iter().any(|f| f == field)
    }

    /// The form as the people of this step may see it: hidden fields left out. The server
    /// sends only this, so a hidden value never reaches the browser.
    pub fn visible_form(&self, form: &crate::fields::Form) -> crate::fields::Form {
        form.iter().filter(|(k, _)| !self.hides(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

/// Who may be assigned to a step, parsed from an `actors` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorSpec<'a> {
    /// The person who started the instance.
    Initiator,
    /// Everybody holding this role.
    Role(&'a str),
    /// This user.
    User(&'a str),
    /// The people chosen in this person field.
    Field(&'a str),
    /// The rules' `assignees` function decides.
    Rules,
}

impl<'a> ActorSpec<'a> {
    /// Parses an `actors` entry; `None` if it is none of the known forms.
    pub fn parse(s: &'a str) -> Option<Self> {
        match s.split_once(':') {
            None if s == "initiator" => Some(ActorSpec::Initiator),
            None if s == "rules" => Some(ActorSpec::Rules),
            Some(("role", r)) if !r.is_empty() => Some(ActorSpec::Role(r)),
            Some(("user", u)) if !u.is_empty() => Some(ActorSpec::User(u)),
            Some(("field", f)) if !f.is_empty() => Some(ActorSpec::Field(f)),
            _ => None,
        }
    }
}
