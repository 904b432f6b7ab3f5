//! `/api/v1/interviews`: submit (`submit.rs`: a key already in the store,
//! or a streamed upload), list, status, feedback, delete. Every read and
//! write goes through the caller's tenant: another tenant's interview is a
//! 404. `report.rs` renders the report as a page; `media.rs` streams the
//! recording to holders of a signed URL.

pub(crate) mod media;
mod report;
mod submit;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use candor_db::{
    limits, now_ms, Feedback, Interview, InterviewId, InterviewStatus, Scope, MAX_LIST_LIMIT,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, KeyErrors};
use crate::routes::extract::{Path, Query};
use crate::state::AppState;
use media::{unix_now, MediaUrls};

const DEFAULT_LIST_LIMIT: u32 = 50;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(submit::submit, list))
        .routes(routes!(status, delete))
        .routes(routes!(feedback))
        .routes(routes!(report::report))
        .routes(routes!(media::media))
        // The submit handler limits its body itself: the upload limit is
        // configuration, and JSON gets a far smaller one.
        .layer(DefaultBodyLimit::disable())
}

/// Where to follow an interview.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Links {
    #[serde(rename = "self")]
    this: String,
    feedback: String,
}

impl Links {
    fn of(id: &InterviewId) -> Self {
        let this = format!("/api/v1/interviews/{id}");
        Links {
            feedback: format!("{this}/feedback"),
            this,
        }
    }
}
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InterviewError {
    code: String,
    message: Option<String>,
}

/// An interview and where its analysis stands. Times are milliseconds
/// since the Unix epoch.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InterviewView {
    #[schema(value_type = String)]
    id: InterviewId,
    /// pending, processing, completed, failed or cancelled.
    #[schema(value_type = String)]
    status: candor_db::InterviewStatus,
    /// 0 to 1 while processing.
    progress: f64,
    /// Why the analysis failed, when it did.
    error: Option<InterviewError>,
    media_key: String,
    media_size: i64,
    content_type: String,
    question: Option<String>,
    candidate_ref: Option<String>,
    language: Option<String>,
    callback_url: Option<String>,
    /// The uploaded file's name as it was sent (none for a stored key).
    file_name: Option<String>,
    created_at: i64,
    updated_at: i64,
    /// The report's overall score (0–100) once the analysis has completed
    /// and could score the answer.
    overall_score: Option<f64>,
    /// While processing, how long the running attempt has taken so far, in
    /// milliseconds (on the single-interview read only): with `progress`, the
    /// time left at the pace measured.
    processing_ms: Option<i64>,
    links: Links,
    /// The recording, for a `<video src>` or a download: a signed URL
    /// (path and query) that needs no API key and expires in about an hour.
    media_url: String,
}

impl InterviewView {
    fn new(interview: Interview, overall_score: Option<f64>, media_urls: &MediaUrls) -> Self {
        let error = interview.error_code.map(|code| InterviewError {
            code,
            message: interview.error_message,
        });
        InterviewView {
            links: Links::of(&interview.id),
            media_url: media_urls.sign(&interview.id, unix_now()),
            id: interview.id,
            status: interview.status,
            progress: interview.progress,
            error,
            media_key: interview.media_key,
            media_size: interview.media_size,
            content_type: interview.content_type,
            question: interview.question,
            candidate_ref: interview.candidate_ref,
            language: interview.language,
            callback_url: interview.callback_url,
            file_name: interview.file_name,
            created_at: interview.created_at,
            updated_at: interview.updated_at,
            overall_score,
            processing_ms: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InterviewList {
    /// Newest first.
    interviews: Vec<InterviewView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Only this candidate's interviews.
    #[param(max_length = 255)]
    candidate_ref: Option<String>,
    /// At most this many (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

impl ListQuery {
    /// The limit, within 1 to [`MAX_LIST_LIMIT`]; the candidate reference
    /// no longer than a stored one can be.
    fn check(&self) -> Result<u32, ApiError> {
        if self
            .candidate_ref
            .as_ref()
            .is_some_and(|candidate| candidate.chars().count() > limits::CANDIDATE_REF)
        {
            return Err(ApiError::bad_request(
                "invalid_field",
                format!(
                    "candidate_ref is longer than {} characters",
                    limits::CANDIDATE_REF
                ),
            ));
        }
        match self.limit.unwrap_or(DEFAULT_LIST_LIMIT) {
            limit @ 1..=MAX_LIST_LIMIT => Ok(limit),
            _ => Err(ApiError::bad_request(
                "invalid_limit",
                format!("limit must be between 1 and {MAX_LIST_LIMIT}"),
            )),
        }
    }
}

/// The `{id}` of the interview routes, as documented.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct IdPath {
    /// The interview id (a UUID); an id that is not one is a 404, as an
    /// interview of another tenant is.
    id: String,
}

/// The tenant's interview `id`, recorded on the request's span.
fn interview_id(id: &str) -> Result<InterviewId, ApiError> {
    let id = InterviewId::parse(id).map_err(|_| ApiError::NotFound("interview"))?;
    tracing::Span::current().record("interview_id", id.as_str());
    Ok(id)
}

/// List the tenant's interviews, newest first.
#[utoipa::path(get, path = "/api/v1/interviews", tag = "interviews", params(ListQuery),
    responses((status = 200, body = InterviewList),
        (status = 400, body = ErrorBody, description = "`invalid_query`: a parameter is not \
            of its type or given twice; `invalid_limit`: limit is not 1 to 500; \
            `invalid_field`: candidate_ref is longer than 255 characters"),
        KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Result<Json<InterviewList>, ApiError> {
    caller.require(Scope::Read)?;
    let limit = query.check()?;
    let interviews = state
        .db
        .list_interviews(caller.owner(), query.candidate_ref.as_deref(), limit)
        .await?;
    let ids: Vec<InterviewId> = interviews.iter().map(|i| i.id.clone()).collect();
    let mut scores = state.db.overall_scores(caller.owner(), &ids).await?;
    Ok(Json(InterviewList {
        interviews: interviews
            .into_iter()
            .map(|interview| {
                let score = scores.remove(&interview.id);
                InterviewView::new(interview, score, &state.media_urls)
            })
            .collect(),
    }))
}

/// An interview's status, progress and error.
#[utoipa::path(get, path = "/api/v1/interviews/{id}", tag = "interviews", params(IdPath),
    responses((status = 200, body = InterviewView), (status = 400, body = ErrorBody,
            description = "`invalid_path`: the id is not text (e.g. bad percent-encoding)"),
        (status = 404, body = ErrorBody, description = "`not_found`"), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Json<InterviewView>, ApiError> {
    caller.require(Scope::Read)?;
    let id = interview_id(&id)?;
    let interview = caller_interview(&state, &caller, &id).await?;
    let score = state
        .db
        .overall_scores(caller.owner(), std::slice::from_ref(&id))
        .await?
        .remove(&id);
    let started_at = match interview.status {
        InterviewStatus::Processing => state.db.analysis_started_at(&id).await?,
        _ => None,
    };
    let mut view = InterviewView::new(interview, score, &state.media_urls);
    view.processing_ms = started_at.map(|at| (now_ms() - at).max(0));
    Ok(Json(view))
}

/// The feedback report, as the analysis stored it. 409 (with the status)
/// until the interview has completed.
#[utoipa::path(get, path = "/api/v1/interviews/{id}/feedback", tag = "interviews",
    params(IdPath),
    responses((status = 200, body = Object, description = "The report (see the report schema)"),
        (status = 400, body = ErrorBody,
            description = "`invalid_path`: the id is not text (e.g. bad percent-encoding)"),
        (status = 404, body = ErrorBody, description = "`not_found`"),
        (status = 409, body = ErrorBody,
            description = "`feedback_not_ready`, with the interview's `status`"),
        KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<Response, ApiError> {
    caller.require(Scope::Read)?;
    let id = interview_id(&id)?;
    let feedback = stored_feedback(&state, &caller, &id).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        feedback.report,
    )
        .into_response())
}

/// The interview's stored feedback; 409 with its status until it has
/// completed, 404 when it is not the caller's.
async fn stored_feedback(
    state: &AppState,
    caller: &Caller,
    id: &InterviewId,
) -> Result<Feedback, ApiError> {
    if let Some(feedback) = state.db.feedback(caller.owner(), id).await? {
        return Ok(feedback);
    }
    let interview = caller_interview(state, caller, id).await?;
    Err(ApiError::NotReady(interview.status))
}

/// The caller's interview; 404 when it is gone or another tenant's.
async fn caller_interview(
    state: &AppState,
    caller: &Caller,
    id: &InterviewId,
) -> Result<Interview, ApiError> {
    state
        .db
        .interview(caller.owner(), id)
        .await?
        .ok_or(ApiError::NotFound("interview"))
}

/// Delete an interview: its feedback, jobs and row, and its media unless
/// another interview of the tenant still names the same object. A worker
/// analyzing it stops at its next heartbeat.
#[utoipa::path(delete, path = "/api/v1/interviews/{id}", tag = "interviews", params(IdPath),
    responses((status = 204, description = "Deleted"), (status = 400, body = ErrorBody,
            description = "`invalid_path`: the id is not text (e.g. bad percent-encoding)"),
        (status = 404, body = ErrorBody, description = "`not_found`"), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(IdPath { id }): Path<IdPath>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Submit)?;
    let id = interview_id(&id)?;
    let deleted = state
        .db
        .delete_interview(caller.owner(), &id)
        .await?
        .ok_or(ApiError::NotFound("interview"))?;
    // The rows go first, in one transaction that also decides whether the
    // object is still named: deleting the object first could take it from
    // under an interview created meanwhile. If this deletion fails, the
    // object is owned by no one and reachable by no one; the log names it.
    if let Some(media_key) = deleted.media_to_delete {
        let removed = match state.store.key(&media_key) {
            Ok(key) => state.store.delete(&key).await.map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = removed {
            tracing::error!(%error, media_key, "an interview's media could not be deleted; it is orphaned");
        }
    }
    tracing::info!(interview_id = %id, "interview deleted");
    Ok(StatusCode::NO_CONTENT)
}
