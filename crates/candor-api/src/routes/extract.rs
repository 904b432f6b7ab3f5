//! Extractors whose refusals are [`ApiError`]s, so that a bad path or query
//! value is answered with the one JSON error body (and a documented code)
//! rather than axum's plain-text rejection:
//!
//! - [`Path`]: `invalid_path` (400), e.g. a job id that is not an `i64`;
//! - [`Query`]: `invalid_query` (400), e.g. `?limit=__main__`, a number
//!   out of its type's range, or a parameter given twice;
//! - [`json_object`]: a JSON object of the route's type, never an array
//!   that serde would read as one: `invalid_json` (400);
//! - [`optional_json`]: a body that may be absent or `null`, else such an
//!   object: `invalid_json` (400), `unsupported_media_type` (415),
//!   `payload_too_large` (413).
//!
//! [`json_errors`] is the net under them: whatever axum itself answers
//! without a handler (the 405 of a route that does not take the method) is
//! turned into the same JSON body.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

use crate::error::ApiError;

/// `axum::extract::Path`, refusing with `invalid_path`.
#[derive(Debug)]
pub(crate) struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            // The route and the handler disagree: ours to fix.
            Err(rejection @ PathRejection::MissingPathParams(_)) => {
                Err(ApiError::Internal(rejection.body_text()))
            }
            Err(rejection) => Err(ApiError::bad_request(
                "invalid_path",
                without_prefix(rejection.body_text(), "Invalid URL: "),
            )),
        }
    }
}

/// `axum::extract::Query`, refusing with `invalid_query`.
#[derive(Debug)]
pub(crate) struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|rejection| {
                ApiError::bad_request(
                    "invalid_query",
                    without_prefix(
                        rejection.body_text(),
                        "Failed to deserialize query string: ",
                    ),
                )
            })
    }
}

fn without_prefix(text: String, prefix: &str) -> String {
    match text.strip_prefix(prefix) {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// An optional JSON body of at most `limit` bytes: `None` when the body is
/// empty or `null`. A body that is there must be `application/json` (415)
/// and of type `T` (400 `invalid_json`); a larger one is a 413.
pub(crate) async fn optional_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Option<T>, ApiError> {
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge {
            max_bytes: limit as u64,
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType(
            "the body must be application/json".into(),
        ));
    }
    if first_byte(&bytes) == Some(b'n') {
        return serde_json::from_slice::<Option<T>>(&bytes).map_err(invalid_json);
    }
    json_object(&bytes).map(Some)
}

/// A JSON object of type `T`. serde would also read a struct from an
/// array of its fields in order (`["a.mp4"]`), which no schema of ours
/// allows: anything but an object is `invalid_json`.
pub(crate) fn json_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if first_byte(bytes) != Some(b'{') {
        return Err(ApiError::bad_request(
            "invalid_json",
            "the body must be a JSON object",
        ));
    }
    serde_json::from_slice(bytes).map_err(invalid_json)
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .copied()
}

fn invalid_json(error: serde_json::Error) -> ApiError {
    ApiError::bad_request("invalid_json", error.to_string())
}

/// Whether the request says its body is JSON (`application/json`, with
/// any parameters).
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Middleware: an error response that is not JSON — one axum made itself,
/// such as the 405 of a route that does not take the method — becomes the
/// JSON error body with the same status (its `Allow` header is added after
/// this layer, by the route).
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"application/json"))
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    // axum's own rejections are a sentence; nothing longer is kept.
    let text = axum::body::to_bytes(body, 1024)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .unwrap_or_default();
    let error = rejection(status, &method, text.trim());
    let mut replaced = error.into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replaced.headers_mut().insert(name, value.clone());
        }
    }
    replaced
}

fn rejection(status: StatusCode, method: &Method, text: &str) -> ApiError {
    if status.is_server_error() {
        return ApiError::Internal(format!("{status} without a JSON body: {text}"));
    }
    let message = match (status, text) {
        (StatusCode::METHOD_NOT_ALLOWED, _) => {
            format!("this route does not take {method}; the Allow header lists what it takes")
        }
        (_, "") => status
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_owned(),
        (_, text) => text.to_owned(),
    };
    ApiError::Refused { status, message }
}

/// A whole number of seconds as JSON Schema's `integer` has it: `3600` or
/// `3600.0`, not `3600.5` nor a negative number.
pub(crate) fn whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    number
        .as_u64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|value| value.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(value))
                .map(|value| value as u64)
        })
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("{number} is not a whole number of seconds")))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn json_is_recognized_with_parameters_and_in_any_case() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        for (value, json) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("application/jsonx", false),
            ("text/plain", false),
            ("multipart/form-data; boundary=x", false),
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json(&headers), json, "{value}");
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Form {
        #[allow(dead_code)]
        name: Option<String>,
    }

    #[test]
    fn only_an_object_is_read_as_a_struct() {
        assert!(json_object::<Form>(br#" {"name": "a"}"#).is_ok());
        for body in [&br#"["a"]"#[..], b"[]", b"null", b"1", b"\"a\"", b""] {
            let error = json_object::<Form>(body).unwrap_err();
            assert_eq!(error.code(), "invalid_json", "{body:?}");
        }
    }

    #[test]
    fn framework_refusals_keep_their_status_and_get_a_code() {
        let error = rejection(StatusCode::METHOD_NOT_ALLOWED, &Method::PUT, "");
        assert_eq!(error.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(error.code(), "method_not_allowed");
        assert!(error.to_string().contains("PUT"), "{error}");
        let error = rejection(StatusCode::UNPROCESSABLE_ENTITY, &Method::POST, "bad");
        assert_eq!(
            (error.status(), error.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
        );
        let error = rejection(StatusCode::BAD_GATEWAY, &Method::GET, "upstream");
        assert_eq!(error.code(), "internal");
    }
}
