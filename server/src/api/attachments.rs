//! Attachments: upload (size limit, media-type allowlist, stored by sha256) and download.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use kexie_api::{AttachmentMeta, DownloadQuery};
use kexie_engine::definition::Definition;
use kexie_engine::fields::{self, Form};
use sha2::{Digest, Sha256};

use super::{Params, PathArgs};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/attachments", request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentMeta), (status = 413, body = crate::error::ErrorBody), (status = 415, body = crate::error::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<AttachmentMeta>), ApiError> {
    let limits = &state.config.limits;
    let media_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if !limits.attachment_types.contains(&media_type) {
        let allowed = limits.attachment_types.join(", ");
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media_type",
            format!("不接受 {media_type} 类型的文件，可用：{allowed}。"),
            format!("{media_type} files are not accepted; allowed: {allowed}."),
        ));
    }
    if body.len() > limits.attachment_bytes {
        let max = limits.attachment_bytes / 1024;
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("文件超过 {max} KB 上限。"),
            format!("the file is over the {max} KB limit."),
        ));
    }
    // Header values are ASCII: the name comes percent-encoded (UTF-8), e.g. %E7%AB%A0%E7%A8%8B.pdf.
    let raw = headers.get("x-file-name").map(|v| v.as_bytes()).unwrap_or_default();
    let name = percent_encoding::percent_decode(raw).decode_utf8().map(|n| n.trim().to_string()).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad_request(
            "请在 X-File-Name 中给出文件名（UTF-8，百分号编码）。",
            "give the file name in X-File-Name (UTF-8, percent-encoded).",
        ));
    }
    if !content_matches(&media_type, &body) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "media_type",
            format!("「{name}」的内容不是 {media_type} 文件。"),
            format!("the content of “{name}” is not a {media_type} file."),
        ));
    }
    let sha256 = hex::encode(Sha256::digest(&body));
    state.store.put_attachment(&sha256, &media_type, &body, &caller.actor.id, &state.now().to_string()).await?;
    Ok((StatusCode::CREATED, Json(AttachmentMeta { name, size: body.len() as u64, media_type, sha256 })))
}

/// Whether `content` starts as files of `media_type` do, for the types whose signature is
/// known: a file declared as a PDF but holding HTML or a program is refused at the door.
fn content_matches(media_type: &str, content: &[u8]) -> bool {
    const ZIP: &[u8] = b"PK\x03\x04"; // .docx and .xlsx are zip archives
    let signature: &[u8] = match media_type {
        // Readers accept the header anywhere in the first 1024 bytes, and some tools write
        // bytes before it.
        "application/pdf" => return content[..content.len().min(1024)].windows(5).any(|w| w == b"%PDF-"),
        "image/png" => b"\x89PNG\r\n\x1a\n",
        "image/jpeg" => b"\xff\xd8\xff",
        "image/gif" => b"GIF8",
        t if t.starts_with("application/vnd.openxmlformats-officedocument.") => ZIP,
        _ => return true,
    };
    content.starts_with(signature)
}

/// Whether instance `id` is the caller's to see and shows them the file in an attachment
/// field (a hash typed into a text field, or in a field hidden from them, does not count).
async fn holds(state: &AppState, id: &str, caller: &Caller, sha256: &str) -> Result<bool, ApiError> {
    let Some(inst) = state.store.stored(id).await?.map(|s| s.instance) else { return Ok(false) };
    if !super::instances::may_view(&inst, caller) {
        return Ok(false);
    }
    let (wf, _) = state.workflow(&inst.workflow, Some(i64::from(inst.version))).await?;
    let form = match wf.definition.step(&inst.step) {
        Some(step) if !caller.admin => step.visible_form(&inst.form),
        _ => inst.form,
    };
    Ok(fields::files(&wf.definition, &form).iter().any(|f| f.sha256 == sha256))
}

/// Refuses changes naming a file that `author` did not upload, or not as the form says
/// (size, type), unless the instance holds it already (`held`: its form before the change).
pub(super) async fn check_named(
    state: &AppState,
    def: &Definition,
    held: Option<&Form>,
    changes: &Form,
    author: &str,
) -> Result<(), ApiError> {
    let held = held.map(|form| fields::files(def, form)).unwrap_or_default();
    for file in fields::files(def, changes) {
        let kept =
            held.iter().any(|h| (&h.sha256, h.size, &h.media_type) == (&file.sha256, file.size, &file.media_type));
        if kept {
            continue;
        }
        let uploaded = state.store.upload(&file.sha256, author).await?;
        if uploaded.is_none_or(|(size, media_type)| (Some(size), media_type) != (file.size, file.media_type.clone())) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "attachment_not_uploaded",
                format!("「{}」不是您上传的文件，或其大小、类型与上传时不同：请重新上传。", file.name),
                format!("“{}” is not a file you uploaded, or not with this size and type: upload it again.", file.name),
            )
            .on_field(&file.field));
        }
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", params(("sha256" = String, Path, description = "the file's SHA-256, 64 hex digits"), DownloadQuery),
    responses((status = 200, content_type = "application/octet-stream"),
        (status = 400, description = "`sha256` is not 64 lowercase hex digits", body = crate::error::ErrorBody),
        (status = 403, description = "not the caller's to read, or no such file: the same answer either way", body = crate::error::ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs(sha256): PathArgs<String>,
    Params(q): Params<DownloadQuery>,
) -> Result<impl IntoResponse, ApiError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(ApiError::bad_request(
            format!("附件编号须为 64 位小写十六进制 SHA-256，而不是「{sha256}」。"),
            format!("an attachment is named by its SHA-256, 64 lowercase hex digits, not “{sha256}”."),
        )
        .on_field("sha256"));
    }
    // One answer for a file the caller may not read and a file that does not exist, so
    // asking tells nobody whether a file exists.
    let refused = || {
        ApiError::forbidden(
            "没有这个附件，或您无权下载：请通过您参与且含有它的流程下载（?instance=流程编号）。",
            "no such attachment, or not yours to download: download it through an instance you take part in that holds it (?instance=<id>).",
        )
    };
    let allowed = match &q.instance {
        Some(id) => holds(&state, id, &caller, &sha256).await?,
        // A file no instance is asked about is its uploaders' (and administrators').
        None => caller.admin || state.store.upload(&sha256, &caller.actor.id).await?.is_some(),
    };
    if !allowed {
        return Err(refused());
    }
    let blob = state.store.attachment(&sha256).await?.ok_or_else(refused)?;
    // Saved, never shown in the API's origin: even a file a browser would render cannot
    // run there (`nosniff` is on every response; see `serve::app`).
    let headers = [
        (header::CONTENT_TYPE, blob.media_type),
        (header::CONTENT_DISPOSITION, "attachment".to_string()),
        (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'".to_string()),
    ];
    Ok((headers, blob.content))
}
