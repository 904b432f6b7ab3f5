//! Health: `/health/live` (the process answers; no I/O, cheap enough for a
//! tight probe or a benchmark), `/health/health` (plus the version) and
//! `/health/ready` (the database, object storage and the Whisper model are
//! usable).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(live))
        .routes(routes!(ready))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    status: &'static str,
    version: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Live {
    status: &'static str,
}

/// The result of one readiness check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Check {
    Ok,
    Failed,
    /// The model directory has no `model.bin`.
    Missing,
    /// Not required by this process.
    Skipped,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Readiness {
    /// `ready` or `unavailable`.
    status: &'static str,
    database: Check,
    store: Check,
    model: Check,
}

/// The process is up; reports its version.
#[utoipa::path(get, path = "/health/health", tag = "health",
    responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Liveness: answers while the process serves requests.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, body = Live)))]
async fn live() -> Json<Live> {
    Json(Live { status: "ok" })
}

/// Readiness: the database answers, object storage answers, the model is
/// in place. 503 names the failed check; the reason is only logged.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let (database, store) = tokio::join!(state.db.ping(), state.store.check());
    let database = database.map_or_else(
        |error| {
            tracing::warn!(%error, "readiness: database check failed");
            Check::Failed
        },
        |()| Check::Ok,
    );
    let store = store.map_or_else(
        |error| {
            tracing::warn!(%error, "readiness: object storage check failed");
            Check::Failed
        },
        |()| Check::Ok,
    );
    let model = match &state.config.model_dir {
        None => Check::Skipped,
        Some(dir) => match tokio::fs::metadata(dir.join("model.bin")).await {
            Ok(meta) if meta.is_file() => Check::Ok,
            _ => {
                tracing::warn!(dir = %dir.display(), "readiness: no model.bin in the model directory");
                Check::Missing
            }
        },
    };
    let is_ready = [database, store, model]
        .iter()
        .all(|check| matches!(check, Check::Ok | Check::Skipped));
    let status = if is_ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        status: if is_ready { "ready" } else { "unavailable" },
        database,
        store,
        model,
    };
    (status, Json(body))
}
