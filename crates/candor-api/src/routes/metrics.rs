//! `/metrics` in the Prometheus text format: HTTP requests by route
//! template and status, request durations, the queue (read from the
//! database at scrape time, so every API process reports the same shared
//! queue) and, when this process runs workers, their status.
//!
//! It asks for `Authorization: Bearer <CANDOR_METRICS_TOKEN>` (Prometheus:
//! `authorization: {credentials: <token>}` in the scrape config) and is off
//! while no token is set: the queue's numbers span every tenant, and an
//! open endpoint would let anyone watch the service's load. A static token
//! rather than an API key, so that metrics keep coming while the database,
//! which holds the keys, is down.
//!
//! Every label value comes from a closed set, so no client can mint
//! series (each one is kept for the life of the process): the method is
//! one of [`METHODS`] or `other`, the route is a template of this router's
//! own routes (requests that match none reach the fallback, which is not
//! tracked), the status is a number this server chose.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderMap;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candor_db::QueueStats;
use sha2::{Digest, Sha256};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Histogram bounds in seconds: from a cached read to a long upload.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The methods labelled by name; any other method is labelled `other`.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

/// The `route` label of a request no route matched. Only reachable if the
/// tracking layer ever runs without a matched route; never the path itself.
const UNMATCHED: &str = "unmatched";

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
}

/// The `method` label: the method's name if it is one of [`METHODS`],
/// else `other` (a client may send any token as a method).
fn method_label(method: &Method) -> &'static str {
    METHODS
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("other")
}

/// Requests seen by this process, per method label and route template.
#[derive(Debug, Default)]
pub(crate) struct HttpMetrics {
    routes: Mutex<BTreeMap<(&'static str, String), RouteSeries>>,
}

#[derive(Debug, Default)]
struct RouteSeries {
    by_status: BTreeMap<u16, u64>,
    /// Not cumulative; summed when rendered.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_secs: f64,
}

impl HttpMetrics {
    fn observe(&self, method: &Method, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let series = routes
            .entry((method_label(method), route.to_owned()))
            .or_default();
        *series.by_status.entry(status).or_default() += 1;
        if let Some(bucket) = BUCKETS.iter().position(|&bound| secs <= bound) {
            series.buckets[bucket] += 1;
        }
        series.count += 1;
        series.sum_secs += secs;
    }

    fn render(&self, out: &mut String) {
        let routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        header(
            out,
            "candor_http_requests_total",
            "counter",
            "HTTP requests by method, route template and status.",
        );
        for ((method, route), series) in routes.iter() {
            for (status, count) in &series.by_status {
                let labels = labels(&[
                    ("method", method),
                    ("route", route),
                    ("status", &status.to_string()),
                ]);
                sample(out, "candor_http_requests_total", &labels, *count as f64);
            }
        }
        header(
            out,
            "candor_http_request_duration_seconds",
            "histogram",
            "Time from request to response head, by method and route template.",
        );
        for ((method, route), series) in routes.iter() {
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(series.buckets) {
                cumulative += count;
                let labels = labels(&[
                    ("method", method),
                    ("route", route),
                    ("le", &bound.to_string()),
                ]);
                sample(
                    out,
                    "candor_http_request_duration_seconds_bucket",
                    &labels,
                    cumulative as f64,
                );
            }
            let route_labels = labels(&[("method", method), ("route", route)]);
            let inf = labels(&[("method", method), ("route", route), ("le", "+Inf")]);
            sample(
                out,
                "candor_http_request_duration_seconds_bucket",
                &inf,
                series.count as f64,
            );
            sample(
                out,
                "candor_http_request_duration_seconds_sum",
                &route_labels,
                series.sum_secs,
            );
            sample(
                out,
                "candor_http_request_duration_seconds_count",
                &route_labels,
                series.count as f64,
            );
        }
    }
}

/// Middleware (a route layer, so the matched template is known): counts
/// and times every routed request.
pub(crate) async fn track(
    State(metrics): State<Arc<HttpMetrics>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    // The template the router matched (`/api/v1/interviews/{id}`), never
    // the request's own path.
    let route = matched.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    metrics.observe(
        &method,
        route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Prometheus metrics (text format 0.0.4), for the bearer of
/// `CANDOR_METRICS_TOKEN`; 404 while no token is configured.
#[utoipa::path(get, path = "/metrics", tag = "metrics",
    responses((status = 200, content_type = "text/plain", body = String),
        (status = 401, body = ErrorBody,
            description = "`unauthenticated`: not the metrics token (an API key is not it)",
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 404, body = ErrorBody,
            description = "`not_found`: /metrics is off (no CANDOR_METRICS_TOKEN)"),
        (status = 503, body = ErrorBody,
            description = "`unavailable`: the server is at its connection limit")),
    security(("metrics_token" = [])))]
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let token = state
        .config
        .metrics_token
        .as_ref()
        .ok_or(ApiError::NotFound(
            "route (/metrics is off: set CANDOR_METRICS_TOKEN)",
        ))?;
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compared as digests: equal-length values, so the comparison's time
    // tells nothing about the token.
    if Sha256::digest(presented.as_bytes()) != Sha256::digest(token.as_bytes()) {
        return Err(ApiError::Unauthenticated);
    }
    let mut out = String::with_capacity(8 * 1024);
    state.http_metrics.render(&mut out);
    match state.db.queue_stats().await {
        Ok(stats) => {
            render_queue(&mut out, &stats);
            gauge(
                &mut out,
                "candor_queue_scrape_success",
                "1 if the queue could be read from the database.",
                1.0,
            );
        }
        Err(error) => {
            tracing::warn!(%error, "metrics: the queue could not be read");
            gauge(
                &mut out,
                "candor_queue_scrape_success",
                "1 if the queue could be read from the database.",
                0.0,
            );
        }
    }
    if let Some(status) = state.worker_snapshot() {
        header(
            &mut out,
            "candor_worker_status",
            "gauge",
            "This process's workers: each numeric field of their status.",
        );
        let mut fields = Vec::new();
        numeric_fields(&status, String::new(), &mut fields);
        for (field, value) in fields {
            sample(
                &mut out,
                "candor_worker_status",
                &labels(&[("field", &field)]),
                value,
            );
        }
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response())
}

fn render_queue(out: &mut String, stats: &QueueStats) {
    header(out, "candor_queue_jobs", "gauge", "Jobs by kind and state.");
    for count in &stats.counts {
        let labels = labels(&[
            ("kind", count.kind.as_str()),
            ("state", count.state.as_str()),
        ]);
        sample(out, "candor_queue_jobs", &labels, count.count as f64);
    }
    let oldest = stats.oldest_pending_age_ms.unwrap_or(0) as f64 / 1000.0;
    gauge(
        out,
        "candor_queue_oldest_pending_age_seconds",
        "How long the oldest due pending job has waited (0 if none).",
        oldest,
    );
    gauge(
        out,
        "candor_queue_scheduled_jobs",
        "Pending jobs not yet due (backoff or delay).",
        stats.scheduled as f64,
    );
    gauge(
        out,
        "candor_queue_expired_leases",
        "Running jobs whose lease expired, awaiting the rescuer.",
        stats.expired_leases as f64,
    );
    header(
        out,
        "candor_queue_running_jobs",
        "gauge",
        "Running jobs by worker.",
    );
    for load in &stats.running_by_worker {
        sample(
            out,
            "candor_queue_running_jobs",
            &labels(&[("worker", load.worker.as_str())]),
            load.running as f64,
        );
    }
    header(
        out,
        "candor_queue_rescues_total",
        "counter",
        "Expired leases rescued since the database was created.",
    );
    sample(
        out,
        "candor_queue_rescues_total",
        "",
        stats.rescues_total as f64,
    );
}

/// The numbers and booleans of a JSON value, named by their dotted path.
fn numeric_fields(value: &serde_json::Value, path: String, out: &mut Vec<(String, f64)>) {
    use serde_json::Value;
    match value {
        Value::Number(number) => out.extend(number.as_f64().map(|n| (path, n))),
        Value::Bool(flag) => out.push((path, f64::from(u8::from(*flag)))),
        Value::Object(map) => {
            for (key, value) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                numeric_fields(value, path, out);
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                numeric_fields(value, format!("{path}.{index}"), out);
            }
        }
        Value::Null | Value::String(_) => {}
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    header(out, name, "gauge", help);
    sample(out, name, "", value);
}

fn sample(out: &mut String, name: &str, labels: &str, value: f64) {
    let _ = writeln!(out, "{name}{labels} {value}");
}

/// `{a="x",b="y"}` with values escaped as the text format requires.
fn labels(pairs: &[(&str, &str)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(name, value)| {
            let escaped = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{name}=\"{escaped}\"")
        })
        .collect();
    format!("{{{}}}", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(labels(&[("a", "x\"y\\z\nw")]), r#"{a="x\"y\\z\nw"}"#);
    }

    #[test]
    fn histograms_are_cumulative_and_end_in_inf() {
        let metrics = HttpMetrics::default();
        for ms in [1, 20, 20, 70_000] {
            metrics.observe(&Method::GET, "/x", 200, Duration::from_millis(ms));
        }
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(
            out.contains(r#"candor_http_requests_total{method="GET",route="/x",status="200"} 4"#),
            "{out}"
        );
        assert!(out.contains(r#"candor_http_request_duration_seconds_bucket{method="GET",route="/x",le="0.005"} 1"#), "{out}");
        assert!(out.contains(r#"candor_http_request_duration_seconds_bucket{method="GET",route="/x",le="0.025"} 3"#), "{out}");
        assert!(
            out.contains(
                r#"candor_http_request_duration_seconds_bucket{method="GET",route="/x",le="30"} 3"#
            ),
            "{out}"
        );
        assert!(out.contains(r#"candor_http_request_duration_seconds_bucket{method="GET",route="/x",le="+Inf"} 4"#), "{out}");
        assert!(
            out.contains(
                r#"candor_http_request_duration_seconds_count{method="GET",route="/x"} 4"#
            ),
            "{out}"
        );
    }

    #[test]
    fn made_up_methods_share_one_series() {
        let metrics = HttpMetrics::default();
        for token in ["FOO123", "get", "BREW", "PROPFIND", "TRACE", "CONNECT"] {
            let method = Method::from_bytes(token.as_bytes()).unwrap();
            metrics.observe(&method, "/x", 405, Duration::from_millis(1));
        }
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            metrics.observe(&method, "/x", 200, Duration::from_millis(1));
        }
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(
            out.contains(r#"candor_http_requests_total{method="other",route="/x",status="405"} 6"#),
            "{out}"
        );
        for known in ["GET", "HEAD", "OPTIONS"] {
            let line = format!(
                r#"candor_http_requests_total{{method="{known}",route="/x",status="200"}} 1"#
            );
            assert!(out.contains(&line), "{out}");
        }
        for made_up in ["FOO123", "get", "BREW", "PROPFIND", "TRACE", "CONNECT"] {
            assert!(!out.contains(made_up), "{made_up} in {out}");
        }
    }

    #[test]
    fn worker_status_numbers_and_flags_become_fields() {
        let status =
            serde_json::json!({"busy": 2, "throttled": false, "name": "w1", "slots": {"max": 3}});
        let mut fields = Vec::new();
        numeric_fields(&status, String::new(), &mut fields);
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            fields,
            vec![
                ("busy".into(), 2.0),
                ("slots.max".into(), 3.0),
                ("throttled".into(), 0.0)
            ]
        );
    }
}
