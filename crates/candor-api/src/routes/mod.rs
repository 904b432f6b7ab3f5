//! One router per resource, merged in [`api`]. Every handler carries a
//! `#[utoipa::path]`, so the OpenAPI document lists exactly the routes that
//! exist; the web pages (`pages.rs`) are not part of the API. Handlers
//! take their path and query through `extract.rs`, so that a bad value is
//! the JSON error body with a documented code, never a plain-text 400.

pub(crate) mod docs;
pub(crate) mod extract;
pub(crate) mod health;
pub(crate) mod interviews;
pub(crate) mod metrics;
pub(crate) mod pages;
pub(crate) mod practice_links;
pub(crate) mod queue;
pub(crate) mod stats;
pub(crate) mod webhook_secrets;

use axum::middleware;
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
        .merge(practice_links::router())
        // Every error of these routes is the JSON error body, even one
        // that axum answers itself (a 405).
        .layer(middleware::from_fn(extract::json_errors))
}
