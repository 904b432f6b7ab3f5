//! `GET /api/v1/interviews/{id}/media?expires=…&sig=…`: the recording, for
//! a `<video>` element, which cannot send an API key. The URL is signed
//! instead: `sig` is the hex HMAC-SHA256 of `{id}.{expires}` under
//! `CANDOR_URL_SECRET`, and only the tenant-checked endpoints mint it (the
//! interview's `media_url`, the report page). Range requests are answered
//! from ranged GETs on the store, so a player seeks without the whole
//! recording passing through.

use std::ops::Range;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use candor_db::InterviewId;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::Deserialize;
use sha2::Sha256;
use utoipa::IntoParams;

use crate::auth::hex;
use crate::config::Secret;
use crate::error::{ApiError, ErrorBody};
use crate::routes::extract::{Path, Query};
use crate::state::AppState;

/// A URL stays valid at least this long after it is minted.
const VALIDITY_SECS: u64 = 3600;
/// Expiry times are rounded up to a multiple of this, so that a page that
/// asks every second gets the same URL for ten minutes and the browser's
/// cache of the media keeps working.
const EXPIRY_STEP_SECS: u64 = 600;

/// Mints and checks signed media URLs.
pub(crate) struct MediaUrls {
    key: Vec<u8>,
}

impl MediaUrls {
    /// Signs with `secret`; without one (development), with a random secret
    /// of this process.
    pub(crate) fn new(secret: Option<&Secret>) -> Self {
        let key = match secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => {
                tracing::warn!(
                    "CANDOR_URL_SECRET is not set: media URLs are signed with a random \
                     secret and stop working when this process restarts"
                );
                rand::rng().random::<[u8; 32]>().to_vec()
            }
        };
        MediaUrls { key }
    }

    /// The path and query of the interview's media, valid from `now` (Unix
    /// seconds) for one hour to one hour and ten minutes.
    pub(crate) fn sign(&self, id: &InterviewId, now: u64) -> String {
        let expires = (now + VALIDITY_SECS).div_ceil(EXPIRY_STEP_SECS) * EXPIRY_STEP_SECS;
        let sig = hex(&self.mac(id, expires).finalize().into_bytes());
        format!("/api/v1/interviews/{id}/media?expires={expires}&sig={sig}")
    }

    fn mac(&self, id: &InterviewId, expires: u64) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(format!("{id}.{expires}").as_bytes());
        mac
    }

    /// Whether `sig` signs `id` and `expires`, and `expires` has not passed.
    /// The comparison takes the same time whatever bytes differ.
    fn verify(&self, id: &InterviewId, expires: &str, sig: &str, now: u64) -> bool {
        let (Ok(expires), Some(sig)) = (expires.parse::<u64>(), unhex(sig)) else {
            return false;
        };
        let signed = self.mac(id, expires).verify_slice(&sig).is_ok();
        signed && now <= expires
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

/// The signature of a media URL. Both are optional here so that a missing
/// one is a 403 like a wrong one, not a 400.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Signature {
    /// Unix time (seconds) after which the URL is refused.
    expires: Option<String>,
    /// Hex HMAC-SHA256 of `{id}.{expires}` under the server's secret.
    sig: Option<String>,
}

/// The recording, streamed with HTTP range support (for `<video src>`).
/// Authorised by the URL's signature, not an API key: get the URL from the
/// interview's `media_url` (valid about an hour).
#[utoipa::path(get, path = "/api/v1/interviews/{id}/media", tag = "interviews",
    params(
        super::IdPath,
        Signature,
        ("Range" = Option<String>, Header,
            description = "One byte range: `bytes=0-1023`, `bytes=1024-` or `bytes=-500`"),
    ),
    responses(
        (status = 200, description = "The whole recording, with its stored content type"),
        (status = 206, description = "The requested bytes, with `Content-Range`"),
        (status = 400, body = ErrorBody, description = "`invalid_path`: the id is not text; \
            `invalid_query`: `expires` or `sig` is given twice"),
        (status = 403, body = ErrorBody,
            description = "`invalid_signature`: missing, wrong or expired signature"),
        (status = 404, body = ErrorBody,
            description = "`not_found`: the interview or its media was deleted"),
        (status = 416, body = ErrorBody,
            description = "`range_not_satisfiable`: no byte of the range is in the recording",
            headers(("Content-Range" = String, description = "`bytes */SIZE`"))),
        (status = 503, body = ErrorBody, description = "`unavailable`: the database or \
            object storage is unreachable or busy, or the server is at its connection limit; \
            try again later"),
    ))]
pub(super) async fn media(
    State(state): State<AppState>,
    Path(super::IdPath { id }): Path<super::IdPath>,
    Query(signature): Query<Signature>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = super::interview_id(&id).map_err(|_| ApiError::BadSignature)?;
    let signed = match (&signature.expires, &signature.sig) {
        (Some(expires), Some(sig)) => state.media_urls.verify(&id, expires, sig, unix_now()),
        _ => false,
    };
    if !signed {
        return Err(ApiError::BadSignature);
    }
    let interview = state
        .db
        .interview_unscoped(&id)
        .await?
        .ok_or(ApiError::NotFound("interview"))?;
    let key = state.store.key(&interview.media_key)?;
    let size = state
        .store
        .head(&key)
        .await?
        .ok_or(ApiError::NotFound("media"))?;
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .map_or(Ok(None), |value| requested_range(value, size))?;

    let mut response = Response::builder()
        .header(header::CONTENT_TYPE, interview.content_type)
        .header(header::ACCEPT_RANGES, "bytes")
        // An interview's media never changes; the URL itself expires.
        .header(header::CACHE_CONTROL, "private, max-age=3600")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    let bytes = match range {
        Some(range) => {
            response = response.status(StatusCode::PARTIAL_CONTENT).header(
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", range.start, range.end - 1),
            );
            range
        }
        None => 0..size,
    };
    response = response.header(header::CONTENT_LENGTH, bytes.end - bytes.start);
    let body = if bytes.is_empty() {
        Body::empty()
    } else {
        let stream = state
            .store
            .get_range(&key, bytes)
            .await?
            .ok_or(ApiError::NotFound("media"))?;
        Body::from_stream(stream)
    };
    response
        .body(body)
        .map_err(|error| ApiError::Internal(format!("media response: {error}")))
}

/// The bytes a `Range` header asks of an object of `size` bytes. `None`:
/// send the whole object, for a header this server ignores as RFC 9110
/// allows (malformed, several ranges, another unit). An error when no byte
/// of the range is in the object.
fn requested_range(header: &str, size: u64) -> Result<Option<Range<u64>>, ApiError> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    let Some((first, last)) = spec.split_once('-').filter(|_| !spec.contains(',')) else {
        return Ok(None);
    };
    let number = |text: &str| {
        let text = text.trim();
        // `u64::from_str` takes a leading `+`, which HTTP does not.
        text.bytes()
            .all(|byte| byte.is_ascii_digit())
            .then(|| text.parse::<u64>().ok())
            .flatten()
    };
    let unsatisfiable = ApiError::RangeNotSatisfiable { size };
    if first.trim().is_empty() {
        // A suffix: the last `last` bytes.
        let Some(len) = number(last) else {
            return Ok(None);
        };
        if len == 0 || size == 0 {
            return Err(unsatisfiable);
        }
        return Ok(Some(size.saturating_sub(len)..size));
    }
    let Some(start) = number(first) else {
        return Ok(None);
    };
    let end = if last.trim().is_empty() {
        size
    } else {
        match number(last) {
            Some(last) if last >= start => last.saturating_add(1).min(size),
            _ => return Ok(None),
        }
    };
    if start >= size {
        return Err(unsatisfiable);
    }
    Ok(Some(start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(secret: &str) -> MediaUrls {
        MediaUrls::new(Secret::new(secret).as_ref())
    }

    fn query(url: &str) -> (String, String) {
        let query = url.split_once('?').unwrap().1;
        let (expires, sig) = query.split_once('&').unwrap();
        (
            expires.strip_prefix("expires=").unwrap().to_owned(),
            sig.strip_prefix("sig=").unwrap().to_owned(),
        )
    }

    #[test]
    fn a_minted_url_verifies_for_an_hour_and_not_after() {
        let urls = urls("a-secret-of-some-length");
        let id = InterviewId::parse("0196f0c2-6a3f-7b52-9d1e-2f4c5a6b7c8d").unwrap();
        let now = 1_767_225_601;
        let url = urls.sign(&id, now);
        assert!(url.starts_with(&format!("/api/v1/interviews/{id}/media?expires=")));
        let (expires, sig) = query(&url);
        let expires_at: u64 = expires.parse().unwrap();
        let valid_for = expires_at - now;
        assert!((3600..=4200).contains(&valid_for), "{valid_for} s");
        assert_eq!(sig.len(), 64);
        assert!(urls.verify(&id, &expires, &sig, now));
        assert!(urls.verify(&id, &expires, &sig, expires_at));
        assert!(!urls.verify(&id, &expires, &sig, expires_at + 1));
        // The same URL for ten minutes of polling.
        assert_eq!(urls.sign(&id, now + 599), url);
    }

    #[test]
    fn another_secret_id_expiry_or_signature_does_not_verify() {
        let urls = urls("a-secret-of-some-length");
        let id = InterviewId::parse("0196f0c2-6a3f-7b52-9d1e-2f4c5a6b7c8d").unwrap();
        let other = InterviewId::parse("0196f0c2-6a3f-7b52-9d1e-2f4c5a6b7c8e").unwrap();
        let now = 1_767_225_600;
        let (expires, sig) = query(&urls.sign(&id, now));
        assert!(!self::urls("another-secret-entirely").verify(&id, &expires, &sig, now));
        assert!(!urls.verify(&other, &expires, &sig, now));
        let later = (expires.parse::<u64>().unwrap() + 3600).to_string();
        assert!(!urls.verify(&id, &later, &sig, now));
        let mut tampered = sig.clone().into_bytes();
        tampered[10] = if tampered[10] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(!urls.verify(&id, &expires, &tampered, now));
        for junk in ["", "zz", &sig[..62], "é", &format!("{sig}00")] {
            assert!(!urls.verify(&id, &expires, junk, now), "{junk:?}");
        }
        assert!(!urls.verify(&id, "soon", &sig, now));
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        let range = |header: &str| match requested_range(header, 1000) {
            Ok(range) => Ok(range),
            Err(ApiError::RangeNotSatisfiable { size }) => Err(size),
            Err(other) => panic!("{other}"),
        };
        assert_eq!(range("bytes=0-99"), Ok(Some(0..100)));
        assert_eq!(range("bytes=900-"), Ok(Some(900..1000)));
        assert_eq!(range("bytes=-100"), Ok(Some(900..1000)));
        assert_eq!(range("bytes=-5000"), Ok(Some(0..1000)));
        assert_eq!(range("bytes=990-5000"), Ok(Some(990..1000)));
        assert_eq!(range("bytes=999-999"), Ok(Some(999..1000)));
        assert_eq!(range("bytes=1000-"), Err(1000));
        assert_eq!(range("bytes=5000-6000"), Err(1000));
        assert_eq!(range("bytes=-0"), Err(1000));
        // Ignored: the whole object is sent.
        for ignored in [
            "bytes=0-1,5-9",
            "bytes=9-5",
            "bytes=a-b",
            "bytes=+1-2",
            "items=0-1",
            "bytes=",
            "bytes=-",
        ] {
            assert_eq!(range(ignored), Ok(None), "{ignored}");
        }
        assert!(matches!(
            requested_range("bytes=0-", 0),
            Err(ApiError::RangeNotSatisfiable { size: 0 })
        ));
    }
}
