//! The printed 审批单: an instance as the caller may see it, on A4 — the enterprise, the
//! workflow and the instance's number, the form (tables as bordered tables, files as names
//! with their SHA-256), every action with who, when, the decision and the opinion, and the
//! audit chain's head with how to verify it. One self-contained HTML page: the widget opens
//! it for 「打印」, a host archives it from `GET /instances/{id}/print`.

use std::sync::LazyLock;

use kexie_api::{AuditEntry, InstanceView};
use kexie_engine::Workflow;
use kexie_engine::definition::{Field, FieldKind};
use kexie_engine::fields::display::{items, value_text};
use kexie_engine::instance::{ActionKind, EventKind, Moment, did};
use kexie_engine::text::Lang;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The print stylesheet, inline so that an archived page carries it.
pub const CSS: &str = include_str!("../assets/print/print.css");

/// The page's Content-Security-Policy: no script at all, and only its own stylesheet.
pub static CSP: LazyLock<String> = LazyLock::new(|| {
    use base64::Engine;
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
    format!("default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; form-action 'none'")
});

/// What one printed record shows.
pub struct Record<'a> {
    pub wf: &'a Workflow,
    /// The instance as the caller may see it (hidden fields left out, people named).
    pub view: &'a InstanceView,
    /// Its audit log, filtered as the caller may read it.
    pub entries: &'a [AuditEntry],
    /// The audit chain's last entry: its number and hash.
    pub head: &'a (i64, String),
    /// The enterprise's name (`organisation` in kexie.toml).
    pub organisation: Option<&'a str>,
    pub printed_by: &'a str,
    pub printed_at: Moment,
    pub lang: Lang,
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The record as one HTML page.
pub fn render(r: &Record) -> String {
    let lang = r.lang;
    let title = r.view.title.get(lang);
    let heading = match lang {
        Lang::Zh => format!("{title}审批单"),
        Lang::En => format!("{title} — approval record"),
    };
    let page = html! {
        (DOCTYPE)
        html lang=(t(lang, "zh-CN", "en")) {
            head {
                meta charset="utf-8";
                title { (heading) }
                style { (PreEscaped(CSS)) }
            }
            body.kx-print data-instance=(r.view.id) {
                @if let Some(org) = r.organisation { p.kx-print-org { (org) } }
                h1 { (heading) }
                (meta(r))
                h2 { (t(lang, "表单内容", "The form")) }
                (form(r))
                h2 { (t(lang, "审批记录", "Decisions")) }
                (decisions(r))
                (foot(r))
            }
        }
    };
    page.into_string()
}

fn status(lang: Lang, v: &InstanceView) -> &'static str {
    let failed_vote = v.vote.is_some_and(|tally| !tally.passed());
    match v.status.as_str() {
        "draft" => t(lang, "草稿", "Draft"),
        "running" => t(lang, "审批中", "In progress"),
        "completed" => t(lang, "已办结", "Completed"),
        "rejected" if failed_vote => t(lang, "未通过", "Not passed"),
        "rejected" => t(lang, "已驳回", "Rejected"),
        _ => t(lang, "未知", "Unknown"),
    }
}

fn meta(r: &Record) -> Markup {
    let (lang, v) = (r.lang, r.view);
    let started = r.entries.first().map(|e| e.event.at.describe().get(lang).to_string()).unwrap_or_default();
    let finished = r
        .entries
        .iter()
        .rev()
        .find(|e| matches!(e.event.kind, EventKind::Completed))
        .map(|e| e.event.at.describe().get(lang).to_string());
    html! {
        table.kx-print-meta {
            tr { th { (t(lang, "编号", "Number")) } td colspan="3" { code { (v.id) } } }
            tr {
                th { (t(lang, "状态", "Status")) } td { (status(lang, v)) }
                th { (t(lang, "流程版本", "Version")) } td { (v.version) }
            }
            tr {
                th { (t(lang, "发起人", "Initiator")) } td { (v.initiator.name) }
                th { (t(lang, "所在部门", "Department")) }
                td { (v.initiator.department.clone().unwrap_or_default()) }
            }
            tr {
                th { (t(lang, "发起时间", "Started")) } td { (started) }
                th { (t(lang, "办结时间", "Completed")) }
                td { @if let Some(f) = finished { (f) } @else { span.kx-print-empty { "—" } } }
            }
        }
    }
}

/// `f`'s value as text, people and references by name.
fn text(r: &Record, f: &Field, v: &Value) -> String {
    value_text(r.lang, f, v, &|kind, id| match kind {
        FieldKind::Reference => {
            r.view.references.values().find(|x| x.id == id)?.summary.as_ref().map(|s| s.get(r.lang).to_string())
        }
        _ => r.view.names.get(id).cloned(),
    })
}

fn form(r: &Record) -> Markup {
    let def = &r.wf.definition;
    let shown = def.fields.iter().filter(|f| f.kind != FieldKind::RichText && !r.view.hidden.contains(&f.id));
    html! {
        table.kx-print-form {
            tbody {
                @for f in shown {
                    // A table takes the page's width, under its label.
                    @if f.kind == FieldKind::Table {
                        tr data-field=(f.id) { th colspan="2" { (f.label().get(r.lang)) } }
                        tr { td.kx-print-wide colspan="2" { (value(r, f, r.view.form.get(&f.id))) } }
                    } @else {
                        tr data-field=(f.id) {
                            th scope="row" { (f.label().get(r.lang)) } td { (value(r, f, r.view.form.get(&f.id))) }
                        }
                    }
                }
            }
        }
    }
}

fn value(r: &Record, f: &Field, v: Option<&Value>) -> Markup {
    // A box nobody ticked is a "no", not a blank.
    let unticked = Value::Bool(false);
    let v = v.or((f.kind == FieldKind::Checkbox).then_some(&unticked));
    let Some(v) = v.filter(|v| !kexie_engine::fields::is_empty(v)) else {
        return html! { span.kx-print-empty { "—" } };
    };
    match f.kind {
        FieldKind::Table => rows(r, f, v),
        FieldKind::Attachment => files(v),
        FieldKind::LongText => html! { span.kx-print-pre { (text(r, f, v)) } },
        _ => html! { (text(r, f, v)) },
    }
}

fn numeric(f: &Field) -> bool {
    matches!(f.kind, FieldKind::Integer | FieldKind::Decimal)
}

fn rows(r: &Record, table: &Field, v: &Value) -> Markup {
    let rows = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let totals = r.wf.totals(&r.view.form).remove(&table.id).unwrap_or_default();
    html! {
        table.kx-print-rows {
            thead { tr {
                th { (t(r.lang, "序号", "No.")) }
                @for c in &table.columns { th { (c.label().get(r.lang)) } }
            } }
            tbody {
                @for (i, row) in rows.iter().enumerate() {
                    tr {
                        td.kx-print-num { (i + 1) }
                        @for c in &table.columns {
                            td.kx-print-num[numeric(c)] { (value(r, c, row.get(&c.id))) }
                        }
                    }
                }
            }
            @if !totals.is_empty() {
                tfoot { tr {
                    td { (t(r.lang, "合计", "Total")) }
                    @for c in &table.columns {
                        td.kx-print-num {
                            @if let Some(sum) = totals.get(&c.id) { (text(r, c, &Value::String(sum.to_string()))) }
                        }
                    }
                } }
            }
        }
    }
}

fn files(v: &Value) -> Markup {
    let meta = |m: &Value, key: &str| m.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    html! {
        ul.kx-print-files {
            @for m in items(v) {
                li {
                    (meta(m, "name"))
                    @if let Some(size) = m.get("size").and_then(Value::as_u64) { " (" (size_text(size)) ")" }
                    br;
                    "SHA-256: " span.kx-print-hash { (meta(m, "sha256")) }
                }
            }
        }
    }
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// Every action but a saved draft, in order: the step, who, what, when, the opinion.
fn decisions(r: &Record) -> Markup {
    let (lang, def) = (r.lang, &r.wf.definition);
    let acted = r.entries.iter().map(|e| &e.event).filter(|e| e.action().is_some_and(|a| a != ActionKind::SaveDraft));
    let name = |id: &str| r.view.names.get(id).cloned().unwrap_or_else(|| t(lang, "未知人员", "Unknown person").into());
    let step = |id: &str| def.step(id).map_or_else(|| id.to_string(), |s| s.label().get(lang).to_string());
    html! {
        table.kx-print-steps {
            thead { tr {
                th { (t(lang, "环节", "Step")) } th { (t(lang, "办理人", "By")) }
                th { (t(lang, "处理", "Decision")) } th { (t(lang, "时间", "When")) } th { (t(lang, "意见", "Opinion")) }
            } }
            tbody {
                @for e in acted {
                    @let targets: Vec<String> = if e.action() == Some(ActionKind::Return) {
                        e.targets.iter().map(|s| step(s)).collect()
                    } else {
                        e.targets.iter().map(|p| name(p)).collect()
                    };
                    tr {
                        td { (step(&e.step)) }
                        td { (name(&e.actor)) }
                        td { (did(def, e).map(|d| d.get(lang).to_string()).unwrap_or_default()) " " (targets.join(t(lang, "、", ", "))) }
                        td.kx-print-when { (when(e.at)) }
                        td { (opinion(r, e)) }
                    }
                }
            }
        }
    }
}

/// A moment as a record's table writes it, short: "2026-12-05 09:05" (at its own offset).
fn when(m: Moment) -> String {
    format!("{} {:02}:{:02}", m.today(), m.0.hour(), m.0.minute())
}

/// The comment, and what the action wrote into the step's own fields (the opinions):
/// not for a submit, whose changes are the form printed above.
fn opinion(r: &Record, e: &kexie_engine::instance::Event) -> Markup {
    let def = &r.wf.definition;
    let written: Vec<(&Field, &Value)> = if e.action() == Some(ActionKind::Submit) {
        Vec::new()
    } else {
        e.diff
            .iter()
            .filter_map(|c| def.field(&c.field).map(|f| (f, &c.after)))
            .filter(|(f, v)| !matches!(f.kind, FieldKind::Table | FieldKind::Attachment) && !v.is_null())
            .filter(|(f, _)| !r.view.hidden.contains(&f.id))
            .collect()
    };
    html! {
        @if let Some(c) = &e.comment { p.kx-print-pre { (c) } }
        @for (f, v) in written { p.kx-print-pre { (f.label().get(r.lang)) (t(r.lang, "：", ": ")) (text(r, f, v)) } }
    }
}

fn foot(r: &Record) -> Markup {
    let lang = r.lang;
    let (seq, hash) = r.head;
    html! {
        div.kx-print-foot {
            p { (t(lang, "审计链末端（第 ", "Audit chain head (entry ")) (seq) (t(lang, " 条）哈希：", "), hash:")) }
            p.kx-print-hash { (hash) }
            p {
                (t(lang, "核验：在服务器上运行 ", "To verify, run "))
                code { "kexie audit verify --db <" (t(lang, "数据库", "database")) "> --instance " (r.view.id) }
                (t(lang,
                    "，它逐条复算本流程的哈希链并给出末端哈希，应与上面一致。",
                    " on the server: it recomputes this instance's hash chain entry by entry and prints its head, which must equal the one above."))
            }
            p { (t(lang, "打印人：", "Printed by: ")) (r.printed_by) (t(lang, "　打印时间：", " · at ")) (r.printed_at.describe().get(lang)) }
        }
    }
}
