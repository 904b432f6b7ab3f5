//! One router per resource, merged in [`api`]. Every handler carries a
//! `#[utoipa::path]`, so the OpenAPI document lists exactly the routes that
//! exist; the web pages (`pages.rs`) are not part of the API.

pub(crate) mod docs;
pub(crate) mod health;
pub(crate) mod interviews;
pub(crate) mod metrics;
pub(crate) mod pages;
pub(crate) mod queue;
pub(crate) mod stats;
pub(crate) mod webhook_secrets;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every documented route.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(docs::base())
        .merge(health::router())
        .merge(interviews::router())
        .merge(queue::router())
        .merge(stats::router())
        .merge(metrics::router())
        .merge(webhook_secrets::router())
}
