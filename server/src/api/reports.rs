//! Reports: the ones a caller may open, a report's table computed in SQL, and the
//! instances behind one of its figures. Each is checked per report (its `readers`) and per
//! row (a reader counts only the instances they may read; administrators all).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kexie_api::{ListPage, ReportFilter, ReportQuery, ReportSummary, ReportTable};
use kexie_engine::Workflow;
use kexie_engine::definition::{Definition, Group, Measure, Report, ReportStatus};
use kexie_engine::reports::{NUM_SCALE, Tallied};
use kexie_engine::text::Text;

use super::{Params, PathArgs};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::export::{self, Kind};
use crate::state::AppState;
use crate::store::Scope;

/// Whether `caller` may open `report`.
fn may_read(report: &Report, caller: &Caller) -> bool {
    caller.admin
        || report.readers.iter().any(|who| match (who.strip_prefix("role:"), who.strip_prefix("user:")) {
            (Some(role), _) => caller.actor.roles.iter().any(|r| r == role),
            (_, Some(user)) => caller.actor.id == user,
            _ => false,
        })
}

#[utoipa::path(get, path = "/api/v1/reports", responses((status = 200, body = [ReportSummary])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<ReportSummary>>, ApiError> {
    let mut out = Vec::new();
    for row in state.store.latest_versions().await? {
        let (wf, _) = state.workflow(&row.key, Some(row.version)).await?;
        let d = &wf.definition;
        for r in d.reports.iter().filter(|r| may_read(r, &caller)) {
            out.push(ReportSummary {
                workflow: d.key.clone(),
                workflow_title: d.title.clone(),
                id: r.id.clone(),
                title: r.title.clone(),
                description: r.description.clone(),
                filters: r
                    .filters
                    .iter()
                    .filter_map(|f| d.field(f))
                    .map(|f| ReportFilter { field: f.id.clone(), label: f.label() })
                    .collect(),
            });
        }
    }
    Ok(Json(out))
}

/// The report a caller asked for, in the workflow's newest version, and the scope of the
/// query (refused if the caller may not open it or the query does not fit it).
pub(crate) async fn opened(
    state: &AppState,
    caller: &Caller,
    workflow: &str,
    report: &str,
    q: &ReportQuery,
) -> Result<(std::sync::Arc<Workflow>, Report, Scope), ApiError> {
    let (wf, _) = state.workflow(workflow, None).await?;
    let r = wf.definition.report(report).cloned().ok_or_else(|| ApiError::not_found("统计报表", "report"))?;
    if !may_read(&r, caller) {
        return Err(ApiError::forbidden("您不能查看这张统计报表。", "you may not see this report."));
    }
    let scope = scope_of(&r, caller, workflow, q)?;
    Ok((wf, r, scope))
}

fn scope_of(r: &Report, caller: &Caller, workflow: &str, q: &ReportQuery) -> Result<Scope, ApiError> {
    let day = |d: &Option<String>, name: &str| -> Result<Option<String>, ApiError> {
        match d {
            Some(s) if kexie_engine::fields::date::parse(s).is_none() => Err(ApiError::bad_request(
                format!("{name} 须为 YYYY-MM-DD 格式的日期。"),
                format!("{name} must be a date, YYYY-MM-DD."),
            )
            .on_field(name)),
            other => Ok(other.clone()),
        }
    };
    let counted: Vec<String> = r.statuses().into_iter().map(|s| ReportStatus::as_str(s).to_string()).collect();
    let statuses = match &q.status {
        None => counted,
        Some(s) if counted.contains(s) => vec![s.clone()],
        Some(s) => {
            return Err(ApiError::bad_request(
                format!("这张报表不统计状态「{s}」：可选 {}。", counted.join("、")),
                format!("this report does not count status '{s}': choose one of {}.", counted.join(", ")),
            )
            .on_field("status"));
        }
    };
    let filter = match (&q.field, &q.equals) {
        (None, None) => None,
        (Some(f), Some(v)) if r.filters.contains(f) => Some((f.clone(), v.clone())),
        (Some(f), Some(_)) => {
            return Err(ApiError::bad_request(
                format!("这张报表不能按「{f}」筛选。"),
                format!("this report cannot be narrowed by '{f}'."),
            )
            .on_field("field"));
        }
        _ => {
            return Err(ApiError::bad_request("field 与 equals 须一起给出。", "give field and equals together.")
                .on_field("field"));
        }
    };
    Ok(Scope {
        workflow: workflow.to_string(),
        statuses,
        from: day(&q.from, "from")?,
        to: day(&q.to, "to")?,
        version: q.version,
        filter,
        conditions: r.conditions.iter().filter_map(|c| Some((c.field.clone(), c.test()?))).collect(),
        reader: (!caller.admin).then(|| caller.actor.id.clone()),
    })
}

#[utoipa::path(get, path = "/api/v1/reports/{workflow}/{report}",
    params(("workflow" = String, Path, description = "the workflow key"), ("report" = String, Path, description = "the report id"), ReportQuery),
    responses((status = 200, description = "JSON, or with `format` the file", content((ReportTable = "application/json"), ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn table(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs((workflow, report)): PathArgs<(String, String)>,
    Params(q): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let kind = Kind::of(q.format.as_deref())?;
    let (wf, r, scope) = opened(&state, &caller, &workflow, &report, &q).await?;
    let table = computed(&state, &wf.definition, &r, &scope).await?;
    match kind {
        Some(kind) => export::table(kind, &table, q.lang.unwrap_or_default()),
        None => Ok(Json(table).into_response()),
    }
}

/// A report's table over `scope`.
pub(crate) async fn computed(
    state: &AppState,
    def: &Definition,
    r: &Report,
    scope: &Scope,
) -> Result<ReportTable, ApiError> {
    let dir = state.directory().await?;
    let hours = |s: Option<i64>| s.map(|s| s as f64 / 3600.0);
    let (rows, total): (Vec<Tallied>, i64) = if r.is_durations() {
        let times = state.store.step_times(scope).await?;
        let total = times.iter().map(|t| t.passes).sum();
        let rows = times
            .into_iter()
            .map(|t| {
                let values = r
                    .measures
                    .iter()
                    .map(|m| match m {
                        Measure::Count => Some(t.passes as f64),
                        Measure::MedianHours => hours(t.median_secs),
                        Measure::P90Hours => hours(t.p90_secs),
                        Measure::OverdueRate => (t.passes > 0).then(|| t.late as f64 / t.passes as f64),
                        Measure::Sum(_) | Measure::Avg(_) => None, // `kexie check` keeps them apart
                    })
                    .collect();
                Tallied { keys: vec![Some(t.step)], values }
            })
            .collect();
        (rows, total)
    } else {
        let fields: Vec<String> = r.measures.iter().filter_map(|m| m.field().map(String::from)).collect();
        let groups = state.store.grouped(scope, &r.group_by, &fields).await?;
        let scale = |s: i64| s as f64 / NUM_SCALE as f64;
        let total = groups.iter().map(|g| g.count).sum();
        let rows = groups
            .into_iter()
            .map(|g| {
                let mut sums = g.sums.into_iter();
                let values = r
                    .measures
                    .iter()
                    .map(|m| match m {
                        Measure::Count => Some(g.count as f64),
                        Measure::Sum(_) => sums.next().and_then(|(s, _)| s).map(scale),
                        Measure::Avg(_) => {
                            sums.next().and_then(|(s, n)| s.filter(|_| n > 0).map(|s| scale(s) / n as f64))
                        }
                        _ => None,
                    })
                    .collect();
                Tallied { keys: g.keys, values }
            })
            .collect();
        (rows, total)
    };
    let name = |id: &str| dir.get(id).map(|a| a.name.clone());
    Ok(kexie_api::report_table(def, r, rows, total, &name))
}

#[utoipa::path(get, path = "/api/v1/reports/{workflow}/{report}/instances",
    params(("workflow" = String, Path, description = "the workflow key"), ("report" = String, Path, description = "the report id"), ReportQuery),
    responses((status = 200, description = "JSON, or with `format` the file", content((ListPage = "application/json"), ("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn behind(
    State(state): State<AppState>,
    caller: Caller,
    PathArgs((workflow, report)): PathArgs<(String, String)>,
    Params(q): Params<ReportQuery>,
) -> Result<Response, ApiError> {
    let kind = Kind::of(q.format.as_deref())?;
    let (_, r, scope) = opened(&state, &caller, &workflow, &report, &q).await?;
    let (groups, keys) = drilled(&r, &q)?;
    if let Some(kind) = kind {
        let lang = q.lang.unwrap_or_default();
        let name = format!("{}-{}", r.title.get(lang), Text::new("明细", "instances").get(lang));
        return super::exports::list(
            state.clone(),
            kind,
            lang,
            name,
            super::exports::Source::Behind(Box::new(scope), groups, keys),
        )
        .await;
    }
    let (page, per_page) = super::lists::paging(q.page, q.per_page)?;
    let found = state.store.behind(&scope, &groups, &keys, page, per_page).await?;
    let items = super::lists::rows(&state, found.items).await?;
    Ok(Json(ListPage { items, page, per_page, total: found.total }).into_response())
}

/// The groups a figure's `key` and `key2` name (an empty key: those without a value).
fn drilled(r: &Report, q: &ReportQuery) -> Result<(Vec<Group>, Vec<Option<String>>), ApiError> {
    let asked = [&q.key, &q.key2];
    let mut groups = Vec::new();
    let mut keys = Vec::new();
    for (g, k) in r.group_by.iter().zip(asked) {
        if let Some(k) = k {
            groups.push(g.clone());
            keys.push(Some(k.clone()).filter(|k| !k.is_empty()));
        }
    }
    if r.is_durations() && !groups.is_empty() {
        // A step's passes are not instances: the instances behind them are those at it now.
        return Ok((groups, keys));
    }
    if asked.iter().filter(|k| k.is_some()).count() > r.group_by.len() {
        return Err(ApiError::bad_request(
            "这张报表只有一个分组：key2 无意义。",
            "this report has one grouping: key2 means nothing.",
        )
        .on_field("key2"));
    }
    Ok((groups, keys))
}
