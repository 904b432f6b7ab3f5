//! `/api/v1/stats`: throughput, run times, failures by code, and memory.
//! Operators' numbers across tenants: the operator scope.

use std::time::Duration;

use axum::extract::State;
use axum::Json;
use candor_db::{JobKind, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, KeyErrors};
use crate::routes::extract::Query;
use crate::state::AppState;

const DEFAULT_WINDOW_SECS: u64 = 3600;
const MAX_WINDOW_SECS: u64 = 90 * 24 * 3600;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(throughput))
        .routes(routes!(durations))
        .routes(routes!(failures))
        .routes(routes!(memory))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Window {
    /// The window, in seconds back from now (default 3600, at most 90
    /// days).
    #[param(minimum = 1, maximum = 7776000)]
    window_secs: Option<u64>,
    /// The kind of job (default `analyze`).
    #[param(inline, value_type = Option<KindParam>)]
    kind: Option<String>,
}

/// The window of `/failures`, and optionally one kind of job.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FailureWindow {
    /// The window, in seconds back from now (default 3600, at most 90
    /// days).
    #[param(minimum = 1, maximum = 7776000)]
    window_secs: Option<u64>,
    /// Only failures of this kind of job (default: every kind).
    #[param(inline, value_type = Option<KindParam>)]
    kind: Option<String>,
}

// The values of `kind`, for the document (the handler reads the text, so
// that another value is `invalid_kind`).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
enum KindParam {
    Analyze,
    Webhook,
}

impl Window {
    fn duration(&self) -> Result<Duration, ApiError> {
        window_duration(self.window_secs)
    }

    fn kind(&self) -> Result<JobKind, ApiError> {
        Ok(parse_kind(self.kind.as_deref())?.unwrap_or(JobKind::Analyze))
    }
}

fn window_duration(window_secs: Option<u64>) -> Result<Duration, ApiError> {
    match window_secs.unwrap_or(DEFAULT_WINDOW_SECS) {
        secs @ 1..=MAX_WINDOW_SECS => Ok(Duration::from_secs(secs)),
        _ => Err(ApiError::bad_request(
            "invalid_window",
            format!("window_secs must be between 1 and {MAX_WINDOW_SECS}"),
        )),
    }
}

fn parse_kind(kind: Option<&str>) -> Result<Option<JobKind>, ApiError> {
    kind.map(|kind| {
        JobKind::parse(kind)
            .ok_or_else(|| ApiError::bad_request("invalid_kind", "kind must be analyze or webhook"))
    })
    .transpose()
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Throughput {
    kind: String,
    window_secs: u64,
    completed: i64,
    per_minute: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Durations {
    kind: String,
    window_secs: u64,
    /// Completed jobs measured.
    count: usize,
    /// Run time of the final attempt; null without completed jobs.
    p50_ms: Option<i64>,
    p95_ms: Option<i64>,
    max_ms: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FailureCount {
    kind: String,
    /// The job's error code (null if it failed without one).
    code: Option<String>,
    count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Failures {
    window_secs: u64,
    /// Most frequent first.
    failures: Vec<FailureCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SystemMemory {
    total_bytes: u64,
    available_bytes: u64,
    used_percent: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProcessMemory {
    /// Resident set size now.
    rss_bytes: u64,
    /// The highest resident set size so far.
    peak_rss_bytes: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Memory {
    system: SystemMemory,
    process: ProcessMemory,
}

/// Jobs completed within the window, and the rate per minute.
#[utoipa::path(get, path = "/api/v1/stats/throughput", tag = "stats", params(Window),
    responses((status = 200, body = Throughput), (status = 400, body = ErrorBody,
        description = "`invalid_query`: a parameter is not of its type or given twice; \
            `invalid_window`: window_secs is not 1 to 7776000; `invalid_kind`"), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn throughput(
    State(state): State<AppState>,
    caller: Caller,
    Query(window): Query<Window>,
) -> Result<Json<Throughput>, ApiError> {
    caller.require(Scope::Operator)?;
    let (duration, kind) = (window.duration()?, window.kind()?);
    let throughput = state.db.throughput(kind, duration).await?;
    Ok(Json(Throughput {
        kind: kind.to_string(),
        window_secs: duration.as_secs(),
        completed: throughput.completed,
        per_minute: throughput.per_minute,
    }))
}

/// Run-time percentiles of jobs completed within the window.
#[utoipa::path(get, path = "/api/v1/stats/durations", tag = "stats", params(Window),
    responses((status = 200, body = Durations), (status = 400, body = ErrorBody,
        description = "`invalid_query`: a parameter is not of its type or given twice; \
            `invalid_window`: window_secs is not 1 to 7776000; `invalid_kind`"), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn durations(
    State(state): State<AppState>,
    caller: Caller,
    Query(window): Query<Window>,
) -> Result<Json<Durations>, ApiError> {
    caller.require(Scope::Operator)?;
    let (duration, kind) = (window.duration()?, window.kind()?);
    let stats = state.db.durations(kind, duration).await?;
    Ok(Json(Durations {
        kind: kind.to_string(),
        window_secs: duration.as_secs(),
        count: stats.count,
        p50_ms: stats.p50_ms,
        p95_ms: stats.p95_ms,
        max_ms: stats.max_ms,
    }))
}

/// Jobs that failed for good within the window, by kind and error code.
#[utoipa::path(get, path = "/api/v1/stats/failures", tag = "stats", params(FailureWindow),
    responses((status = 200, body = Failures), (status = 400, body = ErrorBody,
        description = "`invalid_query`: a parameter is not of its type or given twice; \
            `invalid_window`: window_secs is not 1 to 7776000; `invalid_kind`"), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn failures(
    State(state): State<AppState>,
    caller: Caller,
    Query(window): Query<FailureWindow>,
) -> Result<Json<Failures>, ApiError> {
    caller.require(Scope::Operator)?;
    let duration = window_duration(window.window_secs)?;
    let kind = parse_kind(window.kind.as_deref())?;
    let failures = state.db.failures_by_code(duration).await?;
    Ok(Json(Failures {
        window_secs: duration.as_secs(),
        failures: failures
            .into_iter()
            .filter(|failure| kind.is_none_or(|kind| failure.kind == kind))
            .map(|failure| FailureCount {
                kind: failure.kind.to_string(),
                code: failure.code,
                count: failure.count,
            })
            .collect(),
    }))
}

/// The machine's memory and this process's, from `/proc`.
#[utoipa::path(get, path = "/api/v1/stats/memory", tag = "stats",
    responses((status = 200, body = Memory), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn memory(caller: Caller) -> Result<Json<Memory>, ApiError> {
    caller.require(Scope::Operator)?;
    let (meminfo, status) = tokio::join!(
        tokio::fs::read_to_string("/proc/meminfo"),
        tokio::fs::read_to_string("/proc/self/status"),
    );
    let unreadable = |error: std::io::Error| ApiError::Internal(format!("reading /proc: {error}"));
    let (meminfo, status) = (meminfo.map_err(unreadable)?, status.map_err(unreadable)?);
    let field = |text: &str, name: &str| {
        kib_field(text, name).ok_or_else(|| ApiError::Internal(format!("/proc lacks {name}")))
    };
    let total_bytes = field(&meminfo, "MemTotal")?;
    let available_bytes = field(&meminfo, "MemAvailable")?;
    Ok(Json(Memory {
        system: SystemMemory {
            total_bytes,
            available_bytes,
            used_percent: used_percent(total_bytes, available_bytes),
        },
        process: ProcessMemory {
            rss_bytes: field(&status, "VmRSS")?,
            peak_rss_bytes: field(&status, "VmHWM")?,
        },
    }))
}

fn used_percent(total: u64, available: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    100.0 * total.saturating_sub(available) as f64 / total as f64
}

/// A `Name:   1234 kB` line of a `/proc` file, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        let kib: u64 = value.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kib * 1024)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_fields_are_read_in_bytes() {
        let text = "MemTotal:       24576000 kB\nMemFree:  100 kB\nMemAvailable:   12288000 kB\n";
        assert_eq!(kib_field(text, "MemTotal"), Some(24_576_000 * 1024));
        assert_eq!(kib_field(text, "MemAvailable"), Some(12_288_000 * 1024));
        assert_eq!(kib_field(text, "Mem"), None);
        assert_eq!(kib_field(text, "SwapTotal"), None);
        assert_eq!(used_percent(200, 50), 75.0);
    }
}
