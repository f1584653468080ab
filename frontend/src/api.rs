//! The typed client of the server's JSON API. Every failure becomes a [`Failure`] that
//! says what happened and what to do; none of them touches what the user typed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};

use gloo::net::http::{Method, RequestBuilder};
use js_sys::{Function, Promise};
use kexie_api::{ActRequest, AttachmentMeta, ErrorBody, ErrorDetail, InstanceView, StartRequest};
use kexie_engine::fields::{FieldError, Form};
use kexie_engine::instance::Action;
use kexie_engine::text::{Lang, Text};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::i18n::t;

/// Why a request did not succeed.
#[derive(Debug, Clone)]
pub enum Failure {
    /// No answer: the network or the server is down.
    Offline,
    /// The token is missing, invalid or expired (401).
    Expired(Text),
    /// Somebody else changed the instance first (409); the instance as it is now.
    Conflict(Box<InstanceView>),
    /// The server refused the request and said why (4xx).
    Refused { status: u16, detail: ErrorDetail },
    /// The server is busy with other rules (503 `busy`): the same request will do later.
    Busy(Text),
    /// The server failed (5xx).
    Server(u16),
    /// An answer the widget cannot read.
    Garbled(String),
}

impl Failure {
    /// A stable code for the host's `kexie:error` event.
    pub fn code(&self) -> String {
        match self {
            Failure::Offline => "offline".into(),
            Failure::Expired(_) => "unauthorized".into(),
            Failure::Conflict(_) => "conflict".into(),
            Failure::Refused { detail, .. } => detail.code.clone(),
            Failure::Busy(_) => "busy".into(),
            Failure::Server(_) => "server".into(),
            Failure::Garbled(_) => "garbled".into(),
        }
    }

    /// What happened and what to do, for people.
    pub fn explain(&self, lang: Lang) -> String {
        let kept = t(lang, "您填写的内容已保留。", "What you entered is kept.");
        match self {
            Failure::Offline => format!(
                "{} {kept}",
                t(
                    lang,
                    "无法连接服务器，请检查网络后重试。",
                    "The server cannot be reached; check the network and try again."
                )
            ),
            Failure::Expired(m) => {
                format!("{} {} {kept}", m.get(lang), t(lang, "请重新登录后再试。", "Sign in again, then retry."))
            }
            Failure::Conflict(_) => format!(
                "{} {kept}",
                t(
                    lang,
                    "他人刚刚处理了这个流程，下面列出了变化；请确认后再操作。",
                    "Somebody else acted on this instance meanwhile; the changes are listed below. Check them and try again."
                )
            ),
            Failure::Refused { detail, .. } => detail.message.get(lang).to_string(),
            Failure::Busy(m) => format!("{} {kept}", m.get(lang)),
            Failure::Server(status) => format!(
                "{} ({status}) {kept}",
                t(
                    lang,
                    "服务器出错，请稍后重试；如仍失败请联系管理员。",
                    "The server failed; retry later, and tell the administrator if it goes on."
                )
            ),
            Failure::Garbled(why) => {
                format!("{} {why}", t(lang, "服务器的回答无法读取：", "The server's answer cannot be read:"))
            }
        }
    }

    /// The field errors the server named, to show at their fields.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Failure::Refused { detail, .. } => {
                let mut errors = detail.field_errors();
                if errors.is_empty()
                    && let Some(field) = &detail.field
                {
                    errors.push(FieldError {
                        path: field.clone(),
                        message: kexie_engine::text::Message::new(&detail.message.zh, &detail.message.en),
                    });
                }
                errors
            }
            _ => Vec::new(),
        }
    }
}

/// Where the token comes from: a fixed string, or a host callback that returns a fresh
/// one (a string or a promise of one) when the old one has expired.
struct Inner {
    base: String,
    token: RefCell<String>,
    refresh: Option<Function>,
    /// GETs sent before anyone awaits them ([`Client::ask_early`]), by path.
    early: RefCell<HashMap<String, Answer>>,
}

/// A text answer that may be awaited by whoever takes it.
type Answer = Shared<LocalBoxFuture<'static, Result<String, Failure>>>;

/// The API client; cheap to clone.
#[derive(Clone)]
pub struct Client(Rc<Inner>);

impl PartialEq for Client {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Client {
    /// A client of the API at `base` (e.g. "/api/v1").
    pub fn new(base: &str, token: String, refresh: Option<Function>) -> Client {
        Client(Rc::new(Inner {
            base: base.trim_end_matches('/').to_string(),
            token: RefCell::new(token),
            refresh,
            early: RefCell::default(),
        }))
    }

    /// The API base, to key drafts by server.
    pub fn base(&self) -> &str {
        &self.0.base
    }

    /// The current token and the host's refresher, to hand to a module loaded later.
    pub fn credentials(&self) -> (String, Option<Function>) {
        (self.0.token.borrow().clone(), self.0.refresh.clone())
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Failure> {
        let early = self.0.early.borrow_mut().remove(path);
        let text = match early {
            Some(answer) => answer.await?,
            None => self.send(Method::GET, path, None).await?,
        };
        parse(&text).map_err(Failure::Garbled)
    }

    /// Sends a GET now, so that it overlaps what comes before it (`/me`, as the widget
    /// mounts); the next [`Client::get`] of `path` takes its answer instead of asking again.
    pub fn ask_early(&self, path: &str) {
        let (client, owned) = (self.clone(), path.to_string());
        let answer = async move { client.send(Method::GET, &owned, None).await }.boxed_local().shared();
        // Driven from now on, whether or not anyone awaits it yet.
        wasm_bindgen_futures::spawn_local(answer.clone().map(drop));
        self.0.early.borrow_mut().insert(path.to_string(), answer);
    }

    /// A text answer as it is (the printed record's HTML).
    pub async fn text(&self, path: &str) -> Result<String, Failure> {
        self.send(Method::GET, path, None).await
    }

    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T, Failure> {
        let body = serde_json::to_string(body).map_err(|e| Failure::Garbled(e.to_string()))?;
        self.json(Method::POST, path, Some(body)).await
    }

    /// Starts an instance of `workflow`: a draft holding `form`.
    pub async fn start(&self, workflow: &str, form: Form) -> Result<InstanceView, Failure> {
        self.post("/instances", &StartRequest { workflow: workflow.to_string(), form }).await
    }

    /// Takes `action` on the instance as `view` shows it, under a new request id.
    pub async fn act(&self, view: &InstanceView, action: Action) -> Result<InstanceView, Failure> {
        let body = ActRequest { request_id: request_id(), revision: view.revision, action };
        self.post(&format!("/instances/{}/actions", view.id), &body).await
    }

    async fn json<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<String>) -> Result<T, Failure> {
        parse(&self.send(method, path, body).await?).map_err(Failure::Garbled)
    }

    /// Sends a request; on 401 asks the host for a fresh token once and retries.
    async fn send(&self, method: Method, path: &str, body: Option<String>) -> Result<String, Failure> {
        let first = self.once(method.clone(), path, body.clone()).await;
        match first {
            Err(Failure::Expired(_)) if self.refresh_token().await => self.once(method, path, body).await,
            other => other,
        }
    }

    async fn once(&self, method: Method, path: &str, body: Option<String>) -> Result<String, Failure> {
        let url = format!("{}{path}", self.0.base);
        let auth = self.authorization();
        let req = RequestBuilder::new(&url).method(method).header("Authorization", &auth);
        let sent = match body {
            Some(b) => {
                req.header("Content-Type", "application/json").body(b).map_err(|_| Failure::Offline)?.send().await
            }
            None => req.send().await,
        };
        let resp = sent.map_err(|_| Failure::Offline)?;
        let status = resp.status();
        let text = resp.text().await.map_err(|_| Failure::Offline)?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        Err(failure(status, &text))
    }

    /// The `Authorization` header of the current token.
    fn authorization(&self) -> String {
        format!("Bearer {}", self.0.token.borrow())
    }

    /// Asks the host's callback for a new token; false when there is none or it failed.
    async fn refresh_token(&self) -> bool {
        let Some(f) = &self.0.refresh else { return false };
        let Ok(out) = f.call0(&JsValue::NULL) else { return false };
        let out = match out.dyn_into::<Promise>() {
            Ok(p) => JsFuture::from(p).await.ok(),
            Err(v) => Some(v),
        };
        match out.and_then(|v| v.as_string()).filter(|s| !s.is_empty()) {
            Some(token) => {
                *self.0.token.borrow_mut() = token;
                true
            }
            None => false,
        }
    }

    /// Uploads a file, reporting progress (0.0–1.0) as it goes.
    pub async fn upload(&self, file: &web_sys::File, progress: Rc<dyn Fn(f64)>) -> Result<AttachmentMeta, Failure> {
        let first = self.upload_once(file, &progress).await;
        let text = match first {
            Err(Failure::Expired(_)) if self.refresh_token().await => self.upload_once(file, &progress).await?,
            other => other?,
        };
        parse(&text).map_err(Failure::Garbled)
    }

    async fn upload_once(&self, file: &web_sys::File, progress: &Rc<dyn Fn(f64)>) -> Result<String, Failure> {
        let xhr = web_sys::XmlHttpRequest::new().map_err(|_| Failure::Offline)?;
        xhr.open("POST", &format!("{}/attachments", self.0.base)).map_err(|_| Failure::Offline)?;
        let auth = self.authorization();
        let name: String = js_sys::encode_uri_component(&file.name()).into();
        let media = if file.type_().is_empty() { "application/octet-stream".to_string() } else { file.type_() };
        for (k, v) in [("Authorization", auth.as_str()), ("X-File-Name", &name), ("Content-Type", &media)] {
            xhr.set_request_header(k, v).map_err(|_| Failure::Offline)?;
        }
        let done = Promise::new(&mut |resolve, _reject| {
            let on_end = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            xhr.set_onloadend(Some(on_end.unchecked_ref()));
        });
        let progress = progress.clone();
        let progress = Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress(e.loaded() / e.total());
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        xhr.send_with_opt_blob(Some(file)).map_err(|_| Failure::Offline)?;
        let _ = JsFuture::from(done).await;
        drop(progress);
        let status = xhr.status().unwrap_or(0);
        let text = xhr.response_text().ok().flatten().unwrap_or_default();
        match status {
            0 => Err(Failure::Offline),
            200..=299 => Ok(text),
            _ => Err(failure(status, &text)),
        }
    }

    /// Fetches an attachment with the token and hands it to the browser as a download.
    /// A file the server makes (an export), saved by the browser as `name`.
    pub async fn save(&self, path: &str, name: &str) -> Result<(), Failure> {
        let url = format!("{}{path}", self.0.base);
        let auth = self.authorization();
        let resp =
            RequestBuilder::new(&url).header("Authorization", &auth).send().await.map_err(|_| Failure::Offline)?;
        if !resp.ok() {
            let status = resp.status();
            return Err(failure(status, &resp.text().await.unwrap_or_default()));
        }
        let media = resp.headers().get("content-type").unwrap_or_default();
        let bytes = resp.binary().await.map_err(|_| Failure::Offline)?;
        save_as(&bytes, name, &media).map_err(|_| Failure::Garbled("download".into()))
    }

    pub async fn download(&self, meta: &AttachmentMeta, instance: &str) -> Result<(), Failure> {
        let url = format!("{}/attachments/{}?instance={}", self.0.base, meta.sha256, instance);
        let auth = self.authorization();
        let resp =
            RequestBuilder::new(&url).header("Authorization", &auth).send().await.map_err(|_| Failure::Offline)?;
        if !resp.ok() {
            let status = resp.status();
            return Err(failure(status, &resp.text().await.unwrap_or_default()));
        }
        let bytes = resp.binary().await.map_err(|_| Failure::Offline)?;
        save_as(&bytes, &meta.name, &meta.media_type).map_err(|_| Failure::Garbled("download".into()))
    }
}

/// Hands `bytes` to the browser as a download named `name`.
pub fn save_as(bytes: &[u8], name: &str, media: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(media);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let doc = gloo::utils::document();
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}

/// A 409 `conflict` as `kexie_api::ErrorBody` sends it, its details read as the instance
/// as it is now (from the text, as every other instance view is read).
#[derive(serde::Deserialize)]
struct Conflict {
    error: ConflictDetail,
}

#[derive(serde::Deserialize)]
struct ConflictDetail {
    details: InstanceView,
}

/// An answer read as `T`: parsed by the browser's `JSON.parse`, so the widget carries no
/// JSON parser of its own for each type it reads; an answer that is not `T` is garbled.
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_string())?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// The failure an error status and body describe.
fn failure(status: u16, body: &str) -> Failure {
    let detail = parse::<ErrorBody>(body).map(|b| b.error);
    match (status, detail) {
        (401, Ok(d)) => Failure::Expired(d.message),
        (401, Err(_)) => Failure::Expired(Text::new("登录已失效。", "You are signed out.")),
        (409, Ok(d)) if d.code == "conflict" => match parse::<Conflict>(body) {
            Ok(c) => Failure::Conflict(Box::new(c.error.details)),
            Err(_) => Failure::Refused { status, detail: d },
        },
        (503, Ok(d)) if d.code == "busy" => Failure::Busy(d.message),
        (500.., _) => Failure::Server(status),
        (_, Ok(detail)) => Failure::Refused { status, detail },
        (_, Err(e)) => Failure::Garbled(format!("{status}: {e}")),
    }
}

/// What `fetch(deps)` answers, asked again whenever `deps` change (`None` while it is on its
/// way). An answer to what was asked before is dropped: a slow answer to the tab or filter
/// left behind never shows under the one chosen since.
#[hook]
pub fn use_answer<D, T, F, Fut>(deps: D, fetch: F) -> UseStateHandle<Option<Result<T, Failure>>>
where
    D: PartialEq + 'static,
    T: 'static,
    F: FnOnce(&D) -> Fut + 'static,
    Fut: Future<Output = Result<T, Failure>> + 'static,
{
    let answer = use_state(|| None);
    let asked = use_mut_ref(|| 0u64);
    {
        let answer = answer.clone();
        use_effect_with(deps, move |deps| {
            let n = {
                let mut asked = asked.borrow_mut();
                *asked += 1;
                *asked
            };
            answer.set(None);
            let got = fetch(deps);
            wasm_bindgen_futures::spawn_local(async move {
                let got = got.await;
                if *asked.borrow() == n {
                    answer.set(Some(got));
                }
            });
        });
    }
    answer
}

/// A fresh request id, so a retried action applies once.
fn request_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("{}-{}", js_sys::Date::now(), js_sys::Math::random()))
}

// In the browser: answers are read by its `JSON.parse`.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use kexie_engine::definition::{Definition, Source, load};
    use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn a_busy_server_says_so_and_that_the_form_is_kept() {
        let body = r#"{"error":{"code":"busy","message":{"zh":"服务器正忙于处理其他规则，请稍后再试。","en":"the server is busy"},"field":null,"details":null}}"#;
        let f = failure(503, body);
        assert_eq!(f.code(), "busy");
        assert_eq!(f.explain(Lang::Zh), "服务器正忙于处理其他规则，请稍后再试。 您填写的内容已保留。");
        assert_eq!(failure(503, "").code(), "server");
    }

    /// Read by the browser's parser, an answer is what serde_json makes of the same text.
    fn read_alike<T: DeserializeOwned + Serialize>(text: &str) {
        let ours: T = parse(text).unwrap();
        let theirs: T = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_value(ours).unwrap(), serde_json::to_value(theirs).unwrap(), "{text}");
    }

    #[test]
    fn shipped_definitions_and_form_values_read_as_sent() {
        for toml in [
            include_str!("../../workflows/kexie-formation/workflow.toml"),
            include_str!("../../workflows/major-project/workflow.toml"),
            include_str!("../../workflows/title-evaluation/workflow.toml"),
        ] {
            let def = load(&Source { name: "workflow.toml", text: toml }, None).unwrap();
            read_alike::<Definition>(&serde_json::to_string(&def).unwrap());
        }
        read_alike::<Form>(
            r#"{"n":42,"neg":-7,"frac":2.5,"money":"1234.50","big":9007199254740991,"none":null,"yes":true,
                "name":"张三 \"总工\"\n","rows":[{"cost":"10.00","qty":3},{}],"ids":["u1","u2"]}"#,
        );
    }

    #[test]
    fn an_answer_that_is_not_what_was_asked_says_why() {
        assert_eq!(parse::<Form>("<html>502 Bad Gateway</html>").unwrap_err(), "not JSON");
        let wrong = parse::<kexie_api::Me>(r#"{"id":"u1"}"#).unwrap_err();
        assert!(wrong.contains("missing field"), "{wrong}");
        let f = failure(400, "<html>");
        assert_eq!(f.code(), "garbled");
    }
}
