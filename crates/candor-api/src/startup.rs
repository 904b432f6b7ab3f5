//! Builds the application: the routers, the layers every request passes
//! through, and the listener; `server.rs` serves it with bounded connections.

use std::future::Future;
use std::net::SocketAddr;

use axum::http::{header, Extensions, HeaderMap, HeaderName, Request, StatusCode, Version};
use axum::middleware;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::routes;
use crate::server::{self, ServerLimits};
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The API, bound and ready to serve.
pub struct Application {
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
}

impl Application {
    /// Binds `state.config.bind` (port 0 picks a free port, for tests).
    pub async fn build(state: AppState) -> std::io::Result<Application> {
        let listener = TcpListener::bind(state.config.bind).await?;
        let limits = ServerLimits::from_config(&state.config);
        Ok(Application {
            listener,
            router: router(state),
            limits,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.local_addr().map_or(0, |addr| addr.port())
    }

    /// Serves until `shutdown` completes, then stops accepting, closes idle
    /// connections and lets the requests in flight finish. Header, idle and
    /// body timeouts and the connection cap apply throughout (`server.rs`).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let limits = self.limits;
        tracing::info!(
            address = %self.local_addr()?,
            max_connections = limits.max_connections,
            health_only_connections = limits.health_connections,
            open_files = server::open_file_limit(),
            header_timeout_s = limits.header_timeout.as_secs_f64(),
            idle_timeout_s = limits.idle_timeout.as_secs_f64(),
            body_timeout_s = limits.body_timeout.as_secs_f64(),
            "API listening"
        );
        server::serve(self.listener, self.router, limits, shutdown).await
    }
}

/// The complete router: every route with its layers, `/openapi.json`,
/// `/docs`, the web pages and a JSON 404 for everything else.
pub fn router(state: AppState) -> Router {
    let (api, document) = routes::api().split_for_parts();
    let http_metrics = state.http_metrics.clone();
    api.merge(routes::docs::router(document))
        .merge(routes::pages::router(&state.config.questions))
        // A route layer runs after routing, so it sees the route template.
        .route_layer(middleware::from_fn_with_state(
            http_metrics,
            routes::metrics::track,
        ))
        .fallback(|| async { ApiError::NotFound("route") })
        .with_state(state)
        .layer(CompressionLayer::new().compress_when(compressible()))
        // Outermost last: the request id is set before the span is made
        // and copied onto the response after everything else.
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = request.uri().path(),
                    request_id,
                    interview_id = tracing::field::Empty,
                    api_key_id = tracing::field::Empty,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Responses worth compressing (brotli or gzip, as the client accepts):
/// pages, scripts, styles and JSON over 1 KB; a long report page shrinks
/// several times over. Media is left alone: it is compressed already, and a
/// player asks for byte ranges of the stored file.
fn compressible() -> impl Predicate {
    SizeAbove::new(1024).and(
        |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .is_some_and(|kind| {
                    kind.starts_with("text/")
                        || kind.starts_with("application/json")
                        || kind.starts_with("image/svg+xml")
                })
        },
    )
}
