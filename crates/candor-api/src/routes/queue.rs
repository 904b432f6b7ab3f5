//! `/api/v1/queue`: the queue's state, which spans every tenant and so needs
//! the operator scope, and the actions retry and cancel: an operator's on
//! any job, a tenant admin's on the jobs of its own tenant's interviews
//! (another tenant's job is a 404, as a missing one).

use axum::extract::State;
use axum::Json;
use candor_db::{CancelOutcome, Job, JobId, JobState, QueueStats, Scope};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, KeyErrors};
use crate::routes::extract::Path;
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(stats))
        .routes(routes!(retry))
        .routes(routes!(cancel))
}

/// Jobs of one kind in one state.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StateCount {
    kind: String,
    state: String,
    count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct QueueStatus {
    /// Every kind and state, zeros included.
    counts: Vec<StateCount>,
    /// Jobs by state, all kinds together.
    pending: i64,
    running: i64,
    completed: i64,
    failed: i64,
    cancelled: i64,
    /// How long the oldest due pending job has waited; null when none is due.
    oldest_pending_age_ms: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WorkerLoad {
    worker: String,
    running: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct QueueDetails {
    #[serde(flatten)]
    status: QueueStatus,
    /// Pending jobs waiting out a backoff or delay.
    scheduled: i64,
    running_by_worker: Vec<WorkerLoad>,
    /// Running jobs whose lease expired, awaiting the rescuer.
    expired_leases: i64,
    /// Expired leases rescued since the database was created.
    rescues_total: i64,
    /// This process's workers, when it runs any.
    #[schema(value_type = Option<Object>)]
    workers: Option<serde_json::Value>,
}

impl From<&QueueStats> for QueueStatus {
    fn from(stats: &QueueStats) -> Self {
        let total = |state| stats.count(None, state);
        QueueStatus {
            counts: stats
                .counts
                .iter()
                .map(|count| StateCount {
                    kind: count.kind.to_string(),
                    state: count.state.to_string(),
                    count: count.count,
                })
                .collect(),
            pending: total(JobState::Pending),
            running: total(JobState::Running),
            completed: total(JobState::Completed),
            failed: total(JobState::Failed),
            cancelled: total(JobState::Cancelled),
            oldest_pending_age_ms: stats.oldest_pending_age_ms,
        }
    }
}

/// A job as the admin endpoints show it. Times are milliseconds since the
/// Unix epoch.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct JobView {
    id: i64,
    kind: String,
    interview_id: String,
    state: String,
    attempt: i64,
    max_attempts: i64,
    run_at: i64,
    cancel_requested: bool,
    error_code: Option<String>,
    created_at: i64,
    finished_at: Option<i64>,
}

impl From<Job> for JobView {
    fn from(job: Job) -> Self {
        JobView {
            id: job.id.0,
            kind: job.kind.to_string(),
            interview_id: job.interview_id.to_string(),
            state: job.state.to_string(),
            attempt: job.attempt,
            max_attempts: job.max_attempts,
            run_at: job.run_at,
            cancel_requested: job.cancel_requested,
            error_code: job.error_code,
            created_at: job.created_at,
            finished_at: job.finished_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Cancelled {
    /// `cancelled` (it was pending), `requested` (its worker will stop) or
    /// `already_finished`.
    outcome: &'static str,
    job: JobView,
}

/// Jobs by state and the age of the oldest due pending job.
#[utoipa::path(get, path = "/api/v1/queue/status", tag = "queue",
    responses((status = 200, body = QueueStatus), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<QueueStatus>, ApiError> {
    caller.require(Scope::Operator)?;
    Ok(Json(QueueStatus::from(&state.db.queue_stats().await?)))
}

/// The status plus running jobs by worker, leases, rescues and this
/// process's workers.
#[utoipa::path(get, path = "/api/v1/queue/stats", tag = "queue",
    responses((status = 200, body = QueueDetails), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn stats(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<QueueDetails>, ApiError> {
    caller.require(Scope::Operator)?;
    let stats = state.db.queue_stats().await?;
    Ok(Json(QueueDetails {
        status: QueueStatus::from(&stats),
        scheduled: stats.scheduled,
        running_by_worker: stats
            .running_by_worker
            .iter()
            .map(|load| WorkerLoad {
                worker: load.worker.to_string(),
                running: load.running,
            })
            .collect(),
        expired_leases: stats.expired_leases,
        rescues_total: stats.rescues_total,
        workers: state.worker_snapshot(),
    }))
}

/// Run a failed or cancelled job again, with fresh attempts, now.
#[utoipa::path(post, path = "/api/v1/queue/jobs/{id}/retry", tag = "queue",
    params(("id" = i64, Path, description = "The job id")),
    responses((status = 200, body = JobView), (status = 400, body = ErrorBody,
            description = "`invalid_path`: the id is not a 64-bit integer"),
        (status = 404, body = ErrorBody, description = "`not_found`: no such job, or \
            another tenant's"),
        (status = 409, body = ErrorBody,
            description = "`invalid_transition`: the job is pending, running or completed"),
        KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<JobView>, ApiError> {
    let id = JobId(id);
    authorized_job(&state, &caller, id).await?;
    state.db.retry(id).await.map_err(not_found_as_job)?;
    state.wake_workers();
    tracing::info!(job_id = %id, operator = caller.is_operator(), "job retried");
    Ok(Json(existing_job(&state, id).await?.into()))
}

/// Cancel a job: a pending one at once, a running one by asking its worker.
#[utoipa::path(post, path = "/api/v1/queue/jobs/{id}/cancel", tag = "queue",
    params(("id" = i64, Path, description = "The job id")),
    responses((status = 200, body = Cancelled), (status = 400, body = ErrorBody,
            description = "`invalid_path`: the id is not a 64-bit integer"),
        (status = 404, body = ErrorBody, description = "`not_found`: no such job, or \
            another tenant's"),
        KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Cancelled>, ApiError> {
    let id = JobId(id);
    authorized_job(&state, &caller, id).await?;
    let outcome = match state.db.cancel(id).await.map_err(not_found_as_job)? {
        CancelOutcome::Cancelled => "cancelled",
        CancelOutcome::Requested => "requested",
        CancelOutcome::AlreadyFinished(_) => "already_finished",
    };
    tracing::info!(job_id = %id, outcome, operator = caller.is_operator(), "job cancel");
    Ok(Json(Cancelled {
        outcome,
        job: existing_job(&state, id).await?.into(),
    }))
}

fn not_found_as_job(error: candor_db::DbError) -> ApiError {
    match error {
        candor_db::DbError::NotFound(_) => ApiError::NotFound("job"),
        other => other.into(),
    }
}

/// Job `id` when the caller may act on it: any job for an operator, the
/// jobs of its own tenant's interviews for an admin. Another tenant's job
/// is a 404, as a missing one.
async fn authorized_job(state: &AppState, caller: &Caller, id: JobId) -> Result<Job, ApiError> {
    if caller.is_operator() {
        return existing_job(state, id).await;
    }
    caller.require(Scope::Admin)?;
    let job = existing_job(state, id).await?;
    state
        .db
        .interview(caller.owner(), &job.interview_id)
        .await?
        .ok_or(ApiError::NotFound("job"))?;
    Ok(job)
}

async fn existing_job(state: &AppState, id: JobId) -> Result<Job, ApiError> {
    state.db.job(id).await?.ok_or(ApiError::NotFound("job"))
}
