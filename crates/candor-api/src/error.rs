//! [`ApiError`]: every way a request can fail, and the one place that turns
//! a failure into an HTTP response.
//!
//! Bodies are `{"error": {"code": "...", "message": "..."}}`. A client error
//! explains itself; a server error is logged with its detail (inside the
//! request's span, so with its request id) and answered with a generic
//! message: no SQL, paths, hosts or secrets leave the process.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::multipart::MultipartError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use candor_db::{DbError, InterviewStatus, Scope};
use candor_store::StoreError;
use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// Why a request failed. Each variant documents its status code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request breaks a rule; `code` names which.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: no API key, or one that is unknown or revoked. Answered with
    /// `WWW-Authenticate: Bearer`.
    #[error("a valid API key is required (Authorization: Bearer <key>, or X-API-Key)")]
    Unauthenticated,
    /// 403: the key is valid but lacks the scope the route needs.
    #[error("this API key lacks the {0} scope")]
    MissingScope(Scope),
    /// 403: a practice link (a key bound to one candidate) may not do
    /// this.
    #[error("a practice link cannot {0}")]
    NotForPracticeLink(&'static str),
    /// 403: a signed URL whose signature does not match or has expired.
    #[error("the URL's signature is invalid or has expired; ask the API for a fresh URL")]
    BadSignature,
    /// 404: no such resource for this tenant (another tenant's resource is
    /// indistinguishable from a missing one).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// 409: the interview has no feedback yet; the body carries its status.
    #[error("the interview is {0}; its feedback is not available")]
    NotReady(InterviewStatus),
    /// 409: the resource is not in a state that allows the request.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 413: the body is larger than allowed; nothing was stored.
    #[error("the upload exceeds the limit of {max_bytes} bytes")]
    TooLarge { max_bytes: u64 },
    /// 415: the body is not of a type this route takes (e.g. an upload that
    /// is not a recognized media container); nothing was stored.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 416: the `Range` asks for bytes the object does not have; answered
    /// with `Content-Range: bytes */<size>`.
    #[error("the range is outside the object's {size} bytes")]
    RangeNotSatisfiable { size: u64 },
    /// 429: the key used up its request budget; retry after the delay
    /// (`Retry-After`, whole seconds).
    #[error("too many requests; retry in {} s", retry_after_secs(*.retry_after))]
    RateLimited { retry_after: Duration },
    /// 4xx: a request the framework refused before any handler ran (e.g.
    /// 405, a method the route does not take); `code` follows the status.
    #[error("{message}")]
    Refused { status: StatusCode, message: String },
    /// 503: a dependency (database, object storage) is unreachable or busy;
    /// the request may succeed later. The detail is logged, never sent.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: anything else that is the server's fault. The detail is logged,
    /// never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable, machine-readable.
    pub code: String,
    /// For people; generic for server errors.
    pub message: String,
    /// The interview's status, on `feedback_not_ready`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub status: Option<InterviewStatus>,
}

/// What every route behind an API key may answer besides its own
/// responses, for the OpenAPI document (`responses(…, KeyErrors)`): the
/// key is missing or unknown (401), lacks the route's scope (403), is over
/// its rate limit (429), or the database that holds the keys is
/// unreachable or the server at its connection limit (503).
pub(crate) struct KeyErrors;

impl utoipa::IntoResponses for KeyErrors {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        use utoipa::openapi::{HeaderBuilder, ObjectBuilder, Type};
        let header = |schema_type: Type, description: &str| {
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(schema_type))
                .description(Some(description))
                .build()
        };
        BTreeMap::from([
            (
                "401".to_owned(),
                error_response(
                    "`unauthenticated`: no API key (`Authorization: Bearer <key>` or \
                     `X-API-Key`), or one that is unknown, revoked or expired",
                )
                .header("WWW-Authenticate", header(Type::String, "`Bearer`"))
                .build()
                .into(),
            ),
            (
                "403".to_owned(),
                error_response(
                    "`forbidden`: the key lacks the scope this route needs; \
                     `practice_link_restricted`: a practice link may not do this",
                )
                .build()
                .into(),
            ),
            (
                "429".to_owned(),
                error_response(
                    "`rate_limited`: the key used up its request budget; retry after \
                     `Retry-After` seconds",
                )
                .header(
                    "Retry-After",
                    header(Type::Integer, "Whole seconds to wait"),
                )
                .build()
                .into(),
            ),
            (
                "503".to_owned(),
                error_response(
                    "`unavailable`: the database is unreachable or busy, or the server is \
                     at its connection limit; try again later",
                )
                .build()
                .into(),
            ),
        ])
    }
}

/// A documented error response: the [`ErrorBody`] as JSON.
pub(crate) fn error_response(description: &str) -> utoipa::openapi::ResponseBuilder {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    )
}

fn retry_after_secs(delay: Duration) -> u64 {
    delay.as_secs_f64().ceil().max(1.0) as u64
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::MissingScope(_)
            | ApiError::NotForPracticeLink(_)
            | ApiError::BadSignature => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::NotReady(_) | ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Refused { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable code for clients, logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::MissingScope(_) => "forbidden",
            ApiError::NotForPracticeLink(_) => "practice_link_restricted",
            ApiError::BadSignature => "invalid_signature",
            ApiError::NotFound(_) => "not_found",
            ApiError::NotReady(_) => "feedback_not_ready",
            ApiError::TooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::RangeNotSatisfiable { .. } => "range_not_satisfiable",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Refused { status, .. } => match *status {
                StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
                StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
                StatusCode::NOT_FOUND => "not_found",
                _ => "invalid_request",
            },
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// True when the request was at fault (4xx); false for the server's
    /// own failures.
    pub fn is_client_error(&self) -> bool {
        self.status().is_client_error()
    }

    /// True when the same request may succeed later unchanged.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Unavailable(_) | ApiError::RateLimited { .. }
        )
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// What the client is told: the error itself for client errors, a
    /// generic sentence for server errors.
    fn public_message(&self) -> String {
        match self {
            ApiError::Unavailable(_) => {
                "the service is temporarily unavailable; try again later".into()
            }
            ApiError::Internal(_) => "the server failed to handle the request".into(),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), detail = %self, "request failed");
        } else {
            tracing::debug!(code = self.code(), detail = %self, "request refused");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.public_message(),
                status: match self {
                    ApiError::NotReady(status) => Some(status),
                    _ => None,
                },
            },
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited { retry_after } => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs(retry_after)),
                );
            }
            ApiError::RangeNotSatisfiable { size } => {
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::NotFound(_) => ApiError::NotFound("resource"),
            DbError::InvalidInput(message) => ApiError::bad_request("invalid_input", message),
            DbError::InvalidTransition { .. } => ApiError::Conflict {
                code: "invalid_transition",
                message: error.to_string(),
            },
            // The database's own message names tables and indexes.
            DbError::Conflict(_) => ApiError::Conflict {
                code: "conflict",
                message: "the request conflicts with the resource's current state".into(),
            },
            error if error.is_transient() => ApiError::Unavailable(error.to_string()),
            error => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::InvalidKey { .. } => {
                ApiError::bad_request("invalid_media_key", error.to_string())
            }
            StoreError::TooLarge { max_bytes, .. } => ApiError::TooLarge { max_bytes },
            StoreError::Body { .. } => {
                ApiError::bad_request("upload_failed", "the upload body could not be read")
            }
            error if error.is_transient() => ApiError::Unavailable(error.to_string()),
            error => ApiError::Internal(error.to_string()),
        }
    }
}

impl ApiError {
    /// A multipart error; `max_bytes` is the upload limit, reported when the
    /// body as a whole outgrew its limit.
    pub(crate) fn from_multipart(error: MultipartError, max_bytes: u64) -> Self {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::TooLarge { max_bytes };
        }
        ApiError::bad_request("invalid_multipart", error.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn server_errors_keep_their_detail_out_of_the_body() {
        let (status, body) = body_of(ApiError::Internal(
            "SELECT * FROM interviews: /var/lib/candor.db is locked".into(),
        ))
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal");
        assert_eq!(
            body["error"]["message"],
            "the server failed to handle the request"
        );
        let unavailable = ApiError::Unavailable("pool closed".into());
        assert!(unavailable.is_transient() && !unavailable.is_client_error());
        let (status, body) = body_of(unavailable).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!body.to_string().contains("closed"), "{body}");
    }

    #[tokio::test]
    async fn database_conflicts_do_not_echo_the_databases_message() {
        let error = ApiError::from(DbError::Conflict(
            "UNIQUE constraint failed: jobs.interview_id, jobs.kind".into(),
        ));
        assert!(error.is_client_error());
        let (status, body) = body_of(error).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(!body.to_string().contains("UNIQUE"), "{body}");
    }

    #[tokio::test]
    async fn rate_limits_round_the_wait_up_to_whole_seconds() {
        let response = ApiError::RateLimited {
            retry_after: Duration::from_millis(1200),
        }
        .into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let response = ApiError::RateLimited {
            retry_after: Duration::from_millis(10),
        }
        .into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
