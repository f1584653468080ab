//! Work lists: my tasks (overdue marked), what I started, what was copied to me.

use axum::Json;
use axum::extract::State;
use kexie_api::summary::summary;
use kexie_api::{ListPage, ListRow, PageQuery, PersonRef, ReferenceOption, ReferenceQuery};
use kexie_engine::instance::{Instance, Moment, Status};

use axum::response::{IntoResponse, Response};
use kexie_engine::text::Text;

use super::{Params, exports};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::export::Kind;
use crate::state::AppState;
use crate::store::{List, ListItem};

async fn page(state: &AppState, which: List, caller: &Caller, q: PageQuery) -> Result<Response, ApiError> {
    if let Some(kind) = Kind::of(q.format.as_deref())? {
        let lang = q.lang.unwrap_or_default();
        let name = match which {
            List::Tasks => Text::new("我的待办", "my-tasks"),
            List::Started => Text::new("我发起的", "started-by-me"),
            List::Copied => Text::new("抄送我的", "copied-to-me"),
        };
        let source = exports::Source::Work(which, caller.actor.id.clone());
        return exports::list(state.clone(), kind, lang, name.get(lang).to_string(), source).await;
    }
    let (page, per_page) = paging(q.page, q.per_page)?;
    let found = state.store.list(which, &caller.actor.id, page, per_page).await?;
    let items = rows(state, found.items).await?;
    Ok(Json(ListPage { items, page, per_page, total: found.total }).into_response())
}

/// A page and its size as asked, checked: bounded, so that the offset, (page - 1) ×
/// per_page, cannot overflow.
pub(super) fn paging(page: Option<i64>, per_page: Option<i64>) -> Result<(i64, i64), ApiError> {
    let (page, per_page) = (page.unwrap_or(1), per_page.unwrap_or(20));
    if !(1..=1_000_000).contains(&page) || !(1..=100).contains(&per_page) {
        return Err(ApiError::bad_request(
            "page 须在 1–1000000 之间，per_page 须在 1–100 之间。",
            "page must be 1 to 1000000 and per_page 1 to 100.",
        ));
    }
    Ok((page, per_page))
}

/// A list's rows as people read them: the workflow's title, the step's name, the summary.
pub(super) async fn rows(state: &AppState, found: Vec<ListItem>) -> Result<Vec<ListRow>, ApiError> {
    let now = state.now();
    let dir = state.directory().await?;
    let mut items = Vec::with_capacity(found.len());
    for row in found {
        let (wf, _) = state.workflow(&row.workflow, Some(row.version)).await?;
        let due = row.due_at.as_deref().and_then(Moment::parse);
        let inst = serde_json::from_str::<Instance>(&row.state).ok();
        items.push(ListRow {
            summary: inst.as_ref().and_then(|i| summary(&wf.definition, i, &dir)),
            returned: inst.is_some_and(|i| i.status == Status::Draft && i.route.len() > 1),
            title: wf.definition.title.clone(),
            step_label: wf.definition.step(&row.step).map(|s| s.label()),
            overdue: due.is_some_and(|d| now > d),
            initiator: PersonRef::named(row.initiator, row.initiator_name.unwrap_or_default()),
            id: row.id,
            workflow: row.workflow,
            step: row.step,
            status: row.status,
            updated_at: row.updated_at,
            due_at: row.due_at,
        });
    }
    Ok(items)
}

/// How many of the newest completed instances a reference field is offered.
const REFERENCE_CHOICES: i64 = 200;

#[utoipa::path(get, path = "/api/v1/references", params(ReferenceQuery),
    responses((status = 200, body = Vec<ReferenceOption>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn references(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ReferenceQuery>,
) -> Result<Json<Vec<ReferenceOption>>, ApiError> {
    let (wf, _) = state.workflow(&q.workflow, None).await?;
    let found = state.store.completed(&q.workflow, REFERENCE_CHOICES).await?;
    let dir = state.directory().await?;
    let options = found
        .into_iter()
        .filter(|(inst, _)| super::instances::may_view(inst, &caller))
        .map(|(inst, updated_at)| ReferenceOption {
            summary: summary(&wf.definition, &inst, &dir),
            title: wf.definition.title.clone(),
            initiator: PersonRef::from(&inst.initiator),
            id: inst.id,
            updated_at,
        })
        .collect();
    Ok(Json(options))
}

#[utoipa::path(get, path = "/api/v1/tasks", params(PageQuery), responses((status = 200, description = "JSON, or with `format` the file", content((ListPage = "application/json"), ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn tasks(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PageQuery>,
) -> Result<Response, ApiError> {
    page(&state, List::Tasks, &caller, q).await
}

#[utoipa::path(get, path = "/api/v1/started", params(PageQuery), responses((status = 200, description = "JSON, or with `format` the file", content((ListPage = "application/json"), ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn started(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PageQuery>,
) -> Result<Response, ApiError> {
    page(&state, List::Started, &caller, q).await
}

#[utoipa::path(get, path = "/api/v1/cc", params(PageQuery), responses((status = 200, description = "JSON, or with `format` the file", content((ListPage = "application/json"), ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn copied(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<PageQuery>,
) -> Result<Response, ApiError> {
    page(&state, List::Copied, &caller, q).await
}
