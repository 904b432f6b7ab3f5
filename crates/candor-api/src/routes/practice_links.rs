//! `/api/v1/practice-links`: links a coach (or an integration) gives a
//! candidate to practise with, no API key of their own needed.
//!
//! A link is an API key bound to one candidate reference of the tenant,
//! with the `submit` and `read` scopes and an expiry. Bound keys reach only
//! their candidate's interviews: every interview query filters on the
//! candidate in SQL ([`candor_db::Owner`]), a submission is recorded for
//! that candidate, and a link cannot set a callback or name a stored
//! object. The token travels in the link's fragment (`/practice#link=…`),
//! which browsers never send to a server, so it stays out of access logs;
//! the page moves it into the tab's storage and out of the address bar.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::Json;
use candor_db::{limits, now_ms, NewApiKey, Scope};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{generate_key, Caller};
use crate::error::{ApiError, ErrorBody, KeyErrors};
use crate::routes::extract::{optional_json, whole_number, Path};
use crate::state::AppState;

/// How long a link works, by default: a week of practice.
const DEFAULT_VALID_SECS: u64 = 7 * 24 * 3600;
/// The longest a link may work.
const MAX_VALID_SECS: u64 = 90 * 24 * 3600;
/// The shortest: a link that dies before it is opened helps no one.
const MIN_VALID_SECS: u64 = 60;
/// Largest body: the longest valid one is under 400 bytes.
const BODY_LIMIT: usize = 16 * 1024;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(revoke))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewLink {
    /// The candidate the link practises as: their takes are compared with
    /// each other, and the link sees no one else's. Not blank.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    candidate_ref: String,
    /// How long the link works, in seconds (default 604800, a week).
    #[schema(minimum = 60, maximum = 7776000)]
    #[serde(default, deserialize_with = "whole_number")]
    valid_for_secs: Option<u64>,
}

/// A new link: its token is shown in this answer only.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedLink {
    /// Revokes the link: `DELETE /api/v1/practice-links/{id}`.
    id: i64,
    candidate_ref: String,
    /// The candidate's key, bound to them.
    token: String,
    /// The practice page with the token in its fragment, relative to this
    /// service's address.
    path: String,
    /// When the link stops working (milliseconds since the Unix epoch).
    expires_at: i64,
}

/// Create a practice link for a candidate. Needs the `practice` scope.
#[utoipa::path(post, path = "/api/v1/practice-links", tag = "practice",
    request_body(content = NewLink, content_type = "application/json"),
    responses((status = 201, body = CreatedLink),
        (status = 400, body = ErrorBody, description = "`invalid_json`: not JSON of this \
            shape, or no body; `invalid_field`: candidate_ref is empty or over 255 \
            characters, or valid_for_secs is not 60 to 7776000"),
        (status = 413, body = ErrorBody, description = "`payload_too_large`"),
        (status = 415, body = ErrorBody,
            description = "`unsupported_media_type`: a body that is not application/json"),
        KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<(StatusCode, Json<CreatedLink>), ApiError> {
    caller.require(Scope::Practice)?;
    let (parts, body) = request.into_parts();
    let link: NewLink = optional_json(&parts.headers, body, BODY_LIMIT)
        .await?
        .ok_or_else(|| ApiError::bad_request("invalid_json", "a JSON body is required"))?;
    let candidate = link.candidate_ref.trim();
    if candidate.is_empty() || candidate.chars().count() > limits::CANDIDATE_REF {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!(
                "candidate_ref must be 1 to {} characters",
                limits::CANDIDATE_REF
            ),
        ));
    }
    let valid_secs = link.valid_for_secs.unwrap_or(DEFAULT_VALID_SECS);
    if !(MIN_VALID_SECS..=MAX_VALID_SECS).contains(&valid_secs) {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("valid_for_secs must be {MIN_VALID_SECS} to {MAX_VALID_SECS}"),
        ));
    }
    let expires_at = now_ms().saturating_add(valid_secs as i64 * 1000);
    let (token, key_hash) = generate_key();
    let key = state
        .db
        .insert_api_key(&NewApiKey {
            tenant: caller.tenant().to_owned(),
            name: format!("practice link (made by key {})", caller.key.id),
            key_hash,
            scopes: vec![Scope::Submit, Scope::Read],
            candidate_ref: Some(candidate.to_owned()),
            expires_at: Some(expires_at),
        })
        .await?;
    // The candidate reference is the tenant's data, not a secret; the
    // token is never logged.
    tracing::info!(
        practice_link_id = key.id,
        valid_secs,
        "practice link created"
    );
    Ok((
        StatusCode::CREATED,
        Json(CreatedLink {
            id: key.id,
            candidate_ref: candidate.to_owned(),
            path: format!("/practice#link={token}"),
            token,
            expires_at,
        }),
    ))
}

/// Revoke a practice link of the tenant at once. Needs the `practice`
/// scope.
#[utoipa::path(delete, path = "/api/v1/practice-links/{id}", tag = "practice",
    params(("id" = i64, Path, description = "The link's id")),
    responses((status = 204, description = "Revoked"),
        (status = 400, body = ErrorBody,
            description = "`invalid_path`: the id is not a 64-bit integer"),
        (status = 404, body = ErrorBody, description = "`not_found`: no live link with \
            this id in the tenant"),
        KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Practice)?;
    if !state.db.revoke_practice_link(caller.tenant(), id).await? {
        return Err(ApiError::NotFound("practice link"));
    }
    tracing::info!(practice_link_id = id, "practice link revoked");
    Ok(StatusCode::NO_CONTENT)
}
