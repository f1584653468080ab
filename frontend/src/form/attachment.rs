//! Attachments: files checked for type and size before they leave the browser, uploaded
//! with a progress bar, listed with download links.

use std::rc::Rc;

use kexie_engine::definition::Field;
use kexie_engine::text::Lang;
use serde_json::{Value, json};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::InputProps;
use crate::app::{Session, use_session};
use crate::events::emit;
use kexie_api::AttachmentMeta;

/// A file being uploaded or refused.
#[derive(Clone, PartialEq)]
struct Pending {
    name: String,
    progress: f64,
    error: Option<String>,
}

/// The files in flight; uploads report in any order, so each report updates the latest list.
#[derive(Default, PartialEq)]
struct Uploads(Vec<Pending>);

enum Upload {
    /// A new pick replaces the list.
    Picked(Vec<Pending>),
    Progress(String, f64),
    Failed(String, String),
    Done(String),
}

impl Reducible for Uploads {
    type Action = Upload;

    fn reduce(self: Rc<Self>, action: Upload) -> Rc<Self> {
        let mut list = self.0.clone();
        match action {
            Upload::Picked(now) => list = now,
            Upload::Progress(name, f) => list.iter_mut().filter(|u| u.name == name).for_each(|u| u.progress = f),
            Upload::Failed(name, why) => {
                list.iter_mut().filter(|u| u.name == name).for_each(|u| u.error = Some(why.clone()))
            }
            Upload::Done(name) => list.retain(|u| u.name != name),
        }
        Rc::new(Uploads(list))
    }
}

fn files_of(v: Option<&Value>) -> Vec<AttachmentMeta> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(|m| serde_json::from_value(m.clone()).ok()).collect(),
        Some(m @ Value::Object(_)) => serde_json::from_value(m.clone()).ok().into_iter().collect(),
        _ => Vec::new(),
    }
}

fn value_of(files: &[AttachmentMeta], multiple: bool) -> Value {
    let json: Vec<Value> = files.iter().filter_map(|m| serde_json::to_value(m).ok()).collect();
    match (json.len(), multiple) {
        (0, _) => Value::Null,
        (_, true) => Value::Array(json),
        (_, false) => json[0].clone(),
    }
}

/// Sizes people read: "820 KB", "3.4 MB", "20 MB".
pub fn size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < MB => format!("{} KB", b.div_ceil(1024)),
        b if b % MB == 0 => format!("{} MB", b / MB),
        b => format!("{:.1} MB", b as f64 / MB as f64),
    }
}

/// The media types people attach, each as they know it: "PDF", "Word (.docx)".
pub const MEDIA_TYPES: [(&str, &str); 10] = [
    ("application/pdf", "PDF"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (.docx)"),
    ("application/msword", "Word (.doc)"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"),
    ("application/vnd.ms-excel", "Excel (.xls)"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint (.pptx)"),
    ("image/jpeg", "JPEG"),
    ("image/png", "PNG"),
    ("application/zip", "ZIP"),
    ("text/plain", "TXT"),
];

/// A media type as people know it (see `MEDIA_TYPES`), or as written.
fn kind_name(media: &str) -> &str {
    MEDIA_TYPES.iter().find(|(m, _)| *m == media).map_or(media, |(_, name)| name)
}

fn kinds(accept: &[String], lang: Lang) -> String {
    accept.iter().map(|a| kind_name(a)).collect::<Vec<_>>().join(if lang == Lang::Zh { "、" } else { ", " })
}

/// Why the widget will not send `file`, if it will not.
fn refusal(s: &Session, field: &Field, name: &str, media: &str, bytes: u64) -> Option<String> {
    if !field.accept.is_empty() && !field.accept.iter().any(|a| a == media) {
        let (kinds, media) = (kinds(&field.accept, s.lang), kind_name(media));
        return Some(match s.lang {
            Lang::Zh => format!("「{name}」的类型（{media}）不在允许范围内，可上传：{kinds}。"),
            Lang::En => format!("'{name}' is of type {media}, which is not accepted; allowed: {kinds}."),
        });
    }
    match field.max_size {
        Some(max) if bytes > max => Some(match s.lang {
            Lang::Zh => format!("「{name}」大小为 {}，超过 {} 的上限。", size(bytes), size(max)),
            Lang::En => format!("'{name}' is {}, over the {} limit.", size(bytes), size(max)),
        }),
        _ => None,
    }
}

/// What the field accepts, as its help says it.
fn limits(s: &Session, field: &Field) -> String {
    let kinds = (!field.accept.is_empty())
        .then(|| format!("{}{}", s.t("可上传：", "Accepted: "), kinds(&field.accept, s.lang)));
    let size = field.max_size.map(|m| format!("{}{}", s.t("单个文件不超过 ", "up to "), size(m)));
    [kinds, size].into_iter().flatten().collect::<Vec<_>>().join(s.t("；", "; "))
}

/// A file on its way: its progress, or why it was refused.
fn uploading(s: &Session, u: &Pending) -> Html {
    html! {
        <li class={classes!("kx-upload", u.error.is_some().then_some("kx-invalid"))}>
            <span class="kx-file-name">{ u.name.clone() }</span>
            if let Some(e) = &u.error { <span class="kx-error" role="alert">{ e.clone() }</span> }
            else if u.progress < 1.0 {
                <progress max="1" value={u.progress.to_string()} aria-label={format!("{}{}", s.t("正在上传 ", "Uploading "), u.name)}></progress>
                <span class="kx-progress-text">{ format!("{:.0}%", u.progress * 100.0) }</span>
            }
        </li>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct AttachmentProps {
    pub input: InputProps,
    pub instance: Option<AttrValue>,
}

#[function_component]
pub fn AttachmentInput(p: &AttachmentProps) -> Html {
    let s = use_session();
    let pending = use_reducer(Uploads::default);
    let field = p.input.field.clone();
    let files = files_of(p.input.value.as_ref());
    // The value as it is after each finished upload (uploads end in any order).
    let latest = use_mut_ref(|| files.clone());
    *latest.borrow_mut() = files.clone();
    let full = field.max_files.is_some_and(|m| files.len() >= m) || (!field.multiple && !files.is_empty());
    let on_pick = {
        let (s, pending, on_change, field, latest) =
            (s.clone(), pending.dispatcher(), p.input.on_change.clone(), field.clone(), latest.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(list) = input.files() else { return };
            let chosen: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            input.set_value(""); // The same file may be picked again after a refusal.
            let mut now: Vec<Pending> = Vec::new();
            for file in chosen {
                let (name, bytes) = (file.name(), file.size() as u64);
                if let Some(why) = refusal(&s, &field, &name, &file.type_(), bytes) {
                    now.push(Pending { name, progress: 0.0, error: Some(why) });
                    continue;
                }
                now.push(Pending { name: name.clone(), progress: 0.0, error: None });
                upload(s.clone(), file, pending.clone(), on_change.clone(), latest.clone(), field.clone());
            }
            pending.dispatch(Upload::Picked(now));
        })
    };
    let remove = |i: usize| {
        let (files, on_change, multiple) = (files.clone(), p.input.on_change.clone(), field.multiple);
        Callback::from(move |_| {
            let mut next = files.clone();
            next.remove(i);
            on_change.emit(value_of(&next, multiple));
        })
    };
    let accept = (!field.accept.is_empty()).then(|| field.accept.join(","));
    let limits = limits(&s, &field);
    html! {
        <div class="kx-attach">
            <ul class="kx-files">
                { for files.iter().enumerate().map(|(i, m)| html! {
                    <li>
                        <FileLink meta={m.clone()} instance={p.instance.clone()} />
                        <button type="button" class="kx-btn kx-btn-quiet" onclick={remove(i)}
                            aria-label={format!("{}{}", s.t("移除 ", "Remove "), m.name)}>{ s.t("移除", "Remove") }</button>
                    </li>
                }) }
                { for pending.0.iter().map(|u| uploading(&s, u)) }
            </ul>
            if !full {
                <label class="kx-btn kx-file-pick">
                    { s.t("选择文件…", "Choose files…") }
                    <input type="file" class="kx-file-input" id={p.input.id.clone()} multiple={field.multiple} {accept}
                        onchange={on_pick} aria-label={p.input.aria_label.clone()}
                        aria-labelledby={p.input.aria_label.is_none().then(|| format!("{}-label", p.input.id))}
                        aria-describedby={p.input.described_by.clone()} />
                </label>
            }
            if !limits.is_empty() { <p class="kx-help">{ limits }</p> }
        </div>
    }
}

fn upload(
    s: Session,
    file: web_sys::File,
    pending: UseReducerDispatcher<Uploads>,
    on_change: Callback<Value>,
    latest: Rc<std::cell::RefCell<Vec<AttachmentMeta>>>,
    field: Rc<Field>,
) {
    let (name, multiple) = (file.name(), field.multiple);
    let report: Rc<dyn Fn(f64)> = Rc::new({
        let (pending, name) = (pending.clone(), name.clone());
        move |f| pending.dispatch(Upload::Progress(name.clone(), f.min(0.99)))
    });
    wasm_bindgen_futures::spawn_local(async move {
        match s.client.upload(&file, report).await {
            Ok(meta) => {
                let mut files = latest.borrow().clone();
                if !multiple {
                    files.clear();
                }
                files.push(meta);
                *latest.borrow_mut() = files.clone();
                on_change.emit(value_of(&files, multiple));
                pending.dispatch(Upload::Done(name)); // Listed with the other files now.
            }
            Err(f) => {
                let detail = json!({ "code": f.code(), "message": f.explain(s.lang), "field": field.id });
                emit(&s.host, "error", &detail);
                pending.dispatch(Upload::Failed(name, f.explain(s.lang)));
            }
        }
    });
}

#[derive(Properties, PartialEq, Clone)]
pub struct LinkProps {
    pub meta: AttachmentMeta,
    pub instance: Option<AttrValue>,
}

/// A stored file: its name and size; a download button once it belongs to an instance.
#[function_component]
pub fn FileLink(p: &LinkProps) -> Html {
    let s = use_session();
    let failed = use_state(|| None::<String>);
    let label = format!("{} ({})", p.meta.name, size(p.meta.size));
    let Some(instance) = p.instance.clone() else { return html! { <span class="kx-file-name">{ label }</span> } };
    let download = {
        let (s, meta, failed) = (s.clone(), p.meta.clone(), failed.clone());
        Callback::from(move |_| {
            let (s, meta, failed, instance) = (s.clone(), meta.clone(), failed.clone(), instance.clone());
            wasm_bindgen_futures::spawn_local(async move {
                failed.set(s.client.download(&meta, &instance).await.err().map(|f| f.explain(s.lang)));
            });
        })
    };
    html! {
        <>
            <button type="button" class="kx-link kx-file-name" onclick={download}
                title={s.t("下载", "Download")}>{ label }</button>
            if let Some(e) = &*failed { <span class="kx-error" role="alert">{ e.clone() }</span> }
        </>
    }
}
