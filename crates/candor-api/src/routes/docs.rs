//! The OpenAPI 3.1 document, generated from the handlers' annotations, at
//! `/openapi.json`, and a reference page at `/docs` (Scalar: one HTML page
//! with the document inlined; the browser loads Scalar's script from its
//! CDN, so nothing is downloaded at build time).

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::{Modify, OpenApi as _};
use utoipa_scalar::{Scalar, Servable};

use crate::error::ErrorBody;
use crate::state::AppState;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Candor",
        description = "Interview feedback: submit a recorded answer, get scored, explained coaching feedback."
    ),
    modifiers(&Security),
    tags(
        (name = "interviews", description = "Submit interviews and read their feedback (scopes submit, read)"),
        (name = "webhooks", description = "The tenant's webhook signing secrets (scope admin)"),
        (name = "practice", description = "Practice links: keys bound to one candidate, \
            for candidates without API keys (scope practice)"),
        (name = "queue", description = "The job queue: status for operators (scope operator); retry and cancel for a tenant's admin on its own jobs (scope admin) or an operator on any"),
        (name = "stats", description = "Throughput, run times, failures, memory (scope operator)"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "metrics", description = "Prometheus metrics, for the bearer of CANDOR_METRICS_TOKEN (a static token, not an API key)"),
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// Declares the two ways to present an API key, and the metrics token.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
        // Not an API key: /metrics keeps answering while the database that
        // holds the keys is down.
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The static token of CANDOR_METRICS_TOKEN (`Authorization: Bearer \
                         <token>`), for Prometheus; not an API key",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document's fixed parts; the routers add their paths and schemas.
pub(crate) fn base() -> OpenApi {
    ApiDoc::openapi()
}

/// The whole OpenAPI document (e.g. for `candor openapi > openapi.json`).
pub fn openapi() -> OpenApi {
    super::api().split_for_parts().1
}

/// `/openapi.json` and `/docs` for `document`.
pub(crate) fn router(document: OpenApi) -> Router<AppState> {
    let json = Arc::new(document.clone());
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move { Json(json) }
            }),
        )
        .merge(Scalar::with_url("/docs", document))
}
