//! Instances: start, read (filtered by the caller's permissions), act, audit log.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kexie_api::events::{Context, integration_events};
use kexie_api::{ActRequest, AuditEntry, InstanceView, Notes, PrintQuery, StartRequest, instance_view};
use kexie_engine::Workflow;
use kexie_engine::definition::Definition;
use kexie_engine::fields::Form;
use kexie_engine::instance::{self, Env, Instance, Referenced, Transition};
use kexie_engine::people::Directory;
use sha2::{Digest, Sha256};

use super::{Body, Params, PathArgs};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Applied, Replay, Request, StoreError, Stored, Write};

/// Who may see an instance: its initiator, everybody ever assigned, people copied, admins.
pub(super) fn may_view(inst: &Instance, caller: &Caller) -> bool {
    let id = &caller.actor.id;
    caller.admin || *id == inst.initiator.id || inst.participants.contains(id) || inst.cc.contains(id)
}

/// What a caller sees of an instance, built on the workers.
async fn view_of(
    state: &AppState,
    wf: &Arc<Workflow>,
    inst: Instance,
    caller: &Caller,
    dir: &Arc<Directory>,
    notes: Notes,
) -> Result<InstanceView, ApiError> {
    let refs = references(state, &wf.definition, Some(&inst), &inst.form, caller).await?;
    let (now, wf, caller, dir) = (state.now(), wf.clone(), caller.clone(), dir.clone());
    state
        .workers
        .run(move || instance_view(&wf, &inst, &caller.actor, &Env { now, directory: &dir, refs: &refs }, notes))
        .await
}

/// The instances `form`'s reference fields name, as the engine is told of them: those the
/// stored instance holds where its step cannot change them, for whoever may see it; any
/// other only if the caller may read it. One that is missing or unreadable is left out,
/// and the engine refuses it.
async fn references(
    state: &AppState,
    def: &Definition,
    held: Option<&Instance>,
    form: &Form,
    caller: &Caller,
) -> Result<BTreeMap<String, Referenced>, ApiError> {
    let held = held.map(|i| instance::held_references(def, i)).unwrap_or_default();
    let dir = state.directory().await?;
    let mut out = BTreeMap::new();
    for id in instance::reference_ids(def, form) {
        let Some(s) = state.store.stored(&id).await? else { continue };
        if !held.contains(&id) && !may_view(&s.instance, caller) {
            continue;
        }
        let (wf, _) = state.workflow(&s.instance.workflow, Some(i64::from(s.instance.version))).await?;
        out.insert(id, referenced(&wf.definition, s.instance, &dir));
    }
    Ok(out)
}

/// An instance as a reference to it shows it.
fn referenced(def: &Definition, inst: Instance, dir: &Directory) -> Referenced {
    Referenced {
        summary: kexie_api::summary::summary(def, &inst, dir),
        id: inst.id,
        workflow: inst.workflow,
        status: inst.status,
        form: inst.form,
    }
}

#[utoipa::path(post, path = "/api/v1/instances", request_body = StartRequest,
    responses((status = 201, body = InstanceView), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<StartRequest>,
) -> Result<(StatusCode, Json<InstanceView>), ApiError> {
    let (wf, _) = state.workflow(&req.workflow, None).await?;
    super::attachments::check_named(&state, &wf.definition, None, &req.form, &caller.actor.id).await?;
    let refs = references(&state, &wf.definition, None, &req.form, &caller).await?;
    let dir = state.directory().await?;
    let now = state.now();
    let id = uuid::Uuid::new_v4().to_string();
    // A draft may be anything, and `submit` checks it: starting asks the rules nothing but
    // whom the first step is for, where they decide it.
    let started = {
        let (caller, dir, task_url) = (caller.clone(), dir.clone(), state.config.events.task_url.clone());
        state
            .workers
            .run(move || {
                let env = Env { now, directory: &dir, refs: &refs };
                let t = instance::start(&wf, &id, &caller.actor, req.form, &env)?;
                let view = instance_view(&wf, &t.instance, &caller.actor, &env, Notes::Skip);
                let c = Context { definition: &wf.definition, directory: &dir, now, task_url: task_url.as_deref() };
                let outbox = integration_events(&c, None, &t.instance, &t.events);
                Ok::<_, instance::ActionError>((t, view, outbox))
            })
            .await?
    };
    let (t, view, outbox) = started?;
    let stamp = now.to_string();
    let write =
        Write { instance: &t.instance, before: None, events: &t.events, outbox: &outbox, request: None, now: &stamp };
    state.store.write(write).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn readable(state: &AppState, id: &str, caller: &Caller) -> Result<(Stored, Arc<Workflow>), ApiError> {
    let stored = state.store.stored(id).await?.ok_or_else(|| ApiError::not_found("流程实例", "instance"))?;
    if !may_view(&stored.instance, caller) {
        return Err(ApiError::forbidden(
            "您没有参与这个流程，不能查看。",
            "you take no part in this instance and may not see it.",
        ));
    }
    let (wf, _) = state.workflow(&stored.instance.workflow, Some(i64::from(stored.instance.version))).await?;
    Ok((stored, wf))
}

#[utoipa::path(get, path = "/api/v1/instances/{id}", params(("id" = String, Path, description = "the instance id")), responses((status = 200, body = InstanceView), (status = 403, body = crate::error::ErrorBody),
    (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<Json<InstanceView>, ApiError> {
    let (stored, wf) = readable(&state, &id, &caller).await?;
    let dir = state.directory_at(stored.directory_stamp).await?;
    Ok(Json(view_of(&state, &wf, stored.instance, &caller, &dir, Notes::Ask).await?))
}

/// 409 with the instance as it is now.
async fn conflict(
    state: &AppState,
    wf: &Arc<Workflow>,
    inst: Instance,
    caller: &Caller,
    dir: &Arc<Directory>,
) -> ApiError {
    let current = match view_of(state, wf, inst, caller, dir, Notes::Ask).await {
        Ok(view) => view,
        Err(busy) => return busy,
    };
    ApiError::new(
        StatusCode::CONFLICT,
        "conflict",
        "流程已被他人更新，请刷新后再试。",
        "the instance changed meanwhile; reload and try again.",
    )
    .with_details(serde_json::to_value(current).unwrap_or_default())
}

#[utoipa::path(post, path = "/api/v1/instances/{id}/actions", params(("id" = String, Path, description = "the instance id")), request_body = ActRequest,
    responses((status = 200, body = InstanceView), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs(id): PathArgs<String>,
    Body(req): Body<ActRequest>,
) -> Result<Response, ApiError> {
    if req.request_id.trim().is_empty() || req.request_id.len() > 100 {
        return Err(ApiError::bad_request("request_id 须为 1–100 个字符。", "request_id must be 1 to 100 characters."));
    }
    // Request ids are per person and instance: neither somebody else's id nor the same id
    // reused on another instance ever returns that other response.
    let request_key = format!("{}/{id}/{}", caller.actor.id, req.request_id);
    let digest = digest_of(&req);
    let (before, wf) = readable(&state, &id, &caller).await?;
    let dir = state.directory_at(before.directory_stamp).await?;
    if req.revision != before.instance.revision {
        // A replay carries the revision it was first applied on: answer it as then.
        if let Some(replay) = state.store.replayed(&request_key).await? {
            return answered(replay, &digest);
        }
        return Err(conflict(&state, &wf, before.instance, &caller, &dir).await);
    }
    let held = &before.instance.form;
    let mut form = held.clone();
    if let Some(changes) = req.action.changes() {
        super::attachments::check_named(&state, &wf.definition, Some(held), changes, &caller.actor.id).await?;
        form.extend(changes.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let refs = references(&state, &wf.definition, Some(&before.instance), &form, &caller).await?;
    let now = state.now();
    let applied = {
        let (wf, inst, caller, dir) = (wf.clone(), before.instance.clone(), caller.clone(), dir.clone());
        let task_url = state.config.events.task_url.clone();
        state
            .workers
            .run(move || {
                let env = Env { now, directory: &dir, refs: &refs };
                let t = instance::apply(&wf, &inst, &req.action, &caller.actor, &env)?;
                let body = serde_json::to_string(&instance_view(&wf, &t.instance, &caller.actor, &env, Notes::Ask));
                let c = Context { definition: &wf.definition, directory: &dir, now, task_url: task_url.as_deref() };
                let outbox = integration_events(&c, Some(&inst), &t.instance, &t.events);
                Ok::<_, instance::ActionError>((t, body.unwrap_or_default(), outbox))
            })
            .await?
    };
    let (Transition { instance: after, events }, body, outbox) = match applied {
        Ok(done) => done,
        Err(refused) => {
            // The same request, sent twice (say through two replicas), may have been
            // applied since this one read the instance, on the revision it carries: the
            // instance refuses it now (the person has acted), but the answer is the first.
            if let Some(replay) = state.store.replayed(&request_key).await? {
                return answered(replay, &digest);
            }
            return Err(refused.into());
        }
    };
    let now = now.to_string();
    let request = Some(Request {
        id: &request_key,
        user: &caller.actor.id,
        digest: &digest,
        status: 200,
        response: body.clone(),
    });
    let write = Write { instance: &after, before: Some(&before), events: &events, outbox: &outbox, request, now: &now };
    match state.store.write(write).await {
        Ok(Applied::Done) => {
            state.forget_old_requests();
            Ok(stored(200, body))
        }
        Ok(Applied::Replayed(replay)) => answered(replay, &digest),
        Err(StoreError::Conflict(_)) => {
            let current = state.store.stored(&id).await?.map_or_else(|| before.instance.clone(), |s| s.instance);
            // Read after the instance: if the change that beat this one was this same request
            // (sent twice), its answer is committed with it and is the answer. Otherwise the
            // 409 would name a revision on which the retry is refused as already done.
            if let Some(replay) = state.store.replayed(&request_key).await? {
                return answered(replay, &digest);
            }
            Err(conflict(&state, &wf, current, &caller, &dir).await)
        }
        Err(e) => Err(e.into()),
    }
}

/// What a request asks, as sha256 (hex) of its action. Not of its revision: a client
/// that got 409 retries the same request on the revision it was shown.
fn digest_of(req: &ActRequest) -> String {
    let asked = serde_json::to_string(&req.action).unwrap_or_default();
    hex::encode(Sha256::digest(asked.as_bytes()))
}

/// The answer a request id got, if this is the same request again: the same id with
/// another body is a mistake of the client's, refused rather than answered as the first.
fn answered(replay: Replay, digest: &str) -> Result<Response, ApiError> {
    if !replay.digest.is_empty() && replay.digest != digest {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "request_id_reused",
            "这个 request_id 已用于另一个请求：每次新的操作请换一个 request_id。",
            "this request_id was used for another request: send each new action with a new request_id.",
        )
        .on_field("request_id"));
    }
    Ok(stored(replay.status, replay.response))
}

/// A response stored as JSON text, sent as it is.
fn stored(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[utoipa::path(get, path = "/api/v1/instances/{id}/audit", params(("id" = String, Path, description = "the instance id")), responses((status = 200, body = [AuditEntry]),
    (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs(id): PathArgs<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let (stored, wf) = readable(&state, &id, &caller).await?;
    Ok(Json(audit_for(&state, &wf, &stored.instance, &caller).await?))
}

/// The audit log as `caller` may read it: never what the form hides from them now.
async fn audit_for(
    state: &AppState,
    wf: &Workflow,
    inst: &Instance,
    caller: &Caller,
) -> Result<Vec<AuditEntry>, ApiError> {
    let mut entries = state.store.audit(&inst.id).await?;
    let hidden = match wf.definition.step(&inst.step) {
        Some(step) if !caller.admin => step.hidden.clone(),
        _ => Vec::new(),
    };
    for e in &mut entries {
        e.event.diff.retain(|change| !hidden.contains(&change.field));
    }
    Ok(entries)
}

#[utoipa::path(get, path = "/api/v1/instances/{id}/print", params(("id" = String, Path, description = "the instance id"), PrintQuery),
    responses((status = 200, description = "the printed record (审批单), one self-contained A4 HTML page", content_type = "text/html"),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn print(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs(id): PathArgs<String>,
    Params(query): Params<PrintQuery>,
) -> Result<Response, ApiError> {
    let (stored, wf) = readable(&state, &id, &caller).await?;
    let dir = state.directory_at(stored.directory_stamp).await?;
    let entries = audit_for(&state, &wf, &stored.instance, &caller).await?;
    let head = stored.audit_head.clone();
    let view = view_of(&state, &wf, stored.instance, &caller, &dir, Notes::Skip).await?;
    let record = crate::print::Record {
        wf: &wf,
        view: &view,
        entries: &entries,
        head: &head,
        organisation: state.config.organisation.as_deref(),
        printed_by: &caller.actor.name,
        printed_at: state.now(),
        lang: query.lang.unwrap_or_default(),
    };
    let page = crate::print::render(&record);
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CONTENT_SECURITY_POLICY, crate::print::CSP.as_str()),
    ];
    Ok((headers, page).into_response())
}
