//! `/api/v1/webhook-secrets`: the tenant's webhook signing secrets. A
//! tenant has none until its admin creates one; submissions with a
//! `callback_url` need one. Creating another rotates: the earlier secrets
//! keep signing (every delivery carries one signature per live secret) for
//! the grace period the request gives, so a receiver switches without
//! rejecting events in between.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::Json;
use candor_db::{Scope, WebhookSecret};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::{random_token, Caller};
use crate::error::{ApiError, ErrorBody, KeyErrors};
use crate::routes::extract::{optional_json, whole_number};
use crate::state::AppState;

/// How long earlier secrets keep signing after a rotation, by default.
const DEFAULT_GRACE_SECS: u64 = 24 * 3600;
/// The longest grace a rotation may give.
const MAX_GRACE_SECS: u64 = 7 * 24 * 3600;
const SECRET_PREFIX: &str = "whsec_";
/// Largest body: the longest valid one is a few dozen bytes.
const BODY_LIMIT: usize = 16 * 1024;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(rotate, list))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rotation {
    /// How long the secrets live until now keep signing deliveries, in
    /// seconds (default 86400; 0 retires them at once).
    #[schema(maximum = 604800, minimum = 0)]
    #[serde(default, deserialize_with = "whole_number")]
    previous_valid_for_secs: Option<u64>,
}

/// A new secret: shown in this answer only.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedSecret {
    id: i64,
    /// The HMAC-SHA256 key: store it with your webhook receiver.
    secret: String,
    created_at: i64,
    /// When the secrets live until now stop signing (milliseconds since the
    /// Unix epoch).
    previous_expire_at: i64,
}

/// A live secret, without its value.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SecretView {
    id: i64,
    created_at: i64,
    /// Null for the current secret.
    expires_at: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SecretList {
    /// Newest first.
    secrets: Vec<SecretView>,
}

/// Create the tenant's webhook signing secret, or rotate it. The body is
/// optional: none, or `null`, takes the defaults.
#[utoipa::path(post, path = "/api/v1/webhook-secrets", tag = "webhooks",
    request_body(content = Option<Rotation>, content_type = "application/json"),
    responses((status = 201, body = CreatedSecret),
        (status = 400, body = ErrorBody, description = "`invalid_json`: not JSON of this \
            shape; `invalid_field`: previous_valid_for_secs is over 604800"),
        (status = 413, body = ErrorBody, description = "`payload_too_large`"),
        (status = 415, body = ErrorBody,
            description = "`unsupported_media_type`: a body that is not application/json"),
        KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Result<(StatusCode, Json<CreatedSecret>), ApiError> {
    caller.require(Scope::Admin)?;
    let (parts, body) = request.into_parts();
    let rotation: Rotation = optional_json(&parts.headers, body, BODY_LIMIT)
        .await?
        .unwrap_or_default();
    let grace_secs = rotation
        .previous_valid_for_secs
        .unwrap_or(DEFAULT_GRACE_SECS);
    if grace_secs > MAX_GRACE_SECS {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("previous_valid_for_secs is at most {MAX_GRACE_SECS}"),
        ));
    }
    let grace = Duration::from_secs(grace_secs);
    let created = state
        .db
        .rotate_webhook_secret(caller.tenant(), &random_token(SECRET_PREFIX), grace)
        .await?;
    tracing::info!(secret_id = created.id, grace_secs, "webhook secret rotated");
    let previous_expire_at = created
        .created_at
        .saturating_add(i64::try_from(grace_secs * 1000).unwrap_or(i64::MAX));
    Ok((
        StatusCode::CREATED,
        Json(CreatedSecret {
            id: created.id,
            secret: created.secret,
            created_at: created.created_at,
            previous_expire_at,
        }),
    ))
}

/// The tenant's live secrets (values are shown only when created).
#[utoipa::path(get, path = "/api/v1/webhook-secrets", tag = "webhooks",
    responses((status = 200, body = SecretList), KeyErrors),
    security(("bearer" = []), ("api_key" = [])))]
async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<SecretList>, ApiError> {
    caller.require(Scope::Admin)?;
    let secrets = state.db.webhook_secrets(caller.tenant()).await?;
    Ok(Json(SecretList {
        secrets: secrets.into_iter().map(SecretView::from).collect(),
    }))
}

impl From<WebhookSecret> for SecretView {
    fn from(secret: WebhookSecret) -> Self {
        SecretView {
            id: secret.id,
            created_at: secret.created_at,
            expires_at: secret.expires_at,
        }
    }
}
