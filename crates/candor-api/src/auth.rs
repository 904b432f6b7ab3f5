//! API keys: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
//!
//! A key is `cnd_` and 32 random base-62 characters (~190 bits). Only its
//! SHA-256 (hex) is stored; a presented key is hashed and looked up. A fast
//! hash is right here, unlike for passwords: the secret is long and random,
//! so there is nothing to brute-force, and every request pays for it.

use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use candor_db::{ApiKey, Owner, Scope};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

const KEY_PREFIX: &str = "cnd_";
const KEY_RANDOM_CHARS: usize = 32;
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Longer presented keys are refused unhashed: no key we issue is close.
const MAX_PRESENTED_KEY: usize = 256;

/// A new key: the plaintext to give the client once, and the hash to
/// store (`NewApiKey::key_hash`).
pub fn generate_key() -> (String, String) {
    let key = random_token(KEY_PREFIX);
    let hash = hash_key(&key);
    (key, hash)
}

/// `prefix` and 32 random base-62 characters (~190 bits): API keys and
/// webhook secrets.
pub fn random_token(prefix: &str) -> String {
    // ThreadRng is a CSPRNG (ChaCha, reseeded from the OS).
    let mut rng = rand::rng();
    let random: String = (0..KEY_RANDOM_CHARS)
        .map(|_| char::from(BASE62[rng.random_range(0..BASE62.len())]))
        .collect();
    format!("{prefix}{random}")
}

/// The stored form of a key: SHA-256, lower-case hex.
pub fn hash_key(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The authenticated caller: a live key, within its rate limit. Extracting
/// it answers 401 (no or unknown key) or 429 (over the limit); handlers
/// then check the scope they need with [`Caller::require`].
#[derive(Debug, Clone)]
pub struct Caller {
    pub key: ApiKey,
}

impl Caller {
    pub fn tenant(&self) -> &str {
        &self.key.tenant
    }

    /// Whose interviews the caller reaches: its tenant's, or only its
    /// candidate's for a practice link.
    pub fn owner(&self) -> Owner {
        self.key.owner()
    }

    /// The candidate a practice link is bound to; `None` for a tenant key.
    pub fn candidate(&self) -> Option<&str> {
        self.key.candidate_ref.as_deref()
    }

    /// Whether the key runs the service (every tenant's jobs and stats).
    pub fn is_operator(&self) -> bool {
        self.key.allows(Scope::Operator)
    }

    /// 403 unless the key has `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.key.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::MissingScope(scope))
        }
    }
}

fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, key) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| key.trim());
    }
    headers.get("x-api-key")?.to_str().ok().map(str::trim)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = presented_key(&parts.headers)
            .filter(|key| !key.is_empty() && key.len() <= MAX_PRESENTED_KEY)
            .ok_or(ApiError::Unauthenticated)?;
        let key = state
            .db
            .api_key_by_hash(&hash_key(key))
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        tracing::Span::current().record("api_key_id", key.id);
        if candor_db::check_tenant(&key.tenant).is_err() {
            // A key stored before tenant ids were checked: its tenant could
            // reach into another's objects, so it no longer opens anything.
            tracing::warn!(
                api_key_id = key.id,
                "API key refused: its tenant is not a valid tenant id; revoke it and create a new one"
            );
            return Err(ApiError::Unauthenticated);
        }
        state
            .limiter
            .acquire(key.id, Instant::now())
            .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
        Ok(Caller { key })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn generated_keys_are_prefixed_base62_and_hash_to_what_is_returned() {
        let (key, hash) = generate_key();
        assert_eq!(key.len(), KEY_PREFIX.len() + KEY_RANDOM_CHARS);
        assert!(key.starts_with(KEY_PREFIX));
        assert!(key[KEY_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(hash, hash_key(&key));
        assert_eq!(hash.len(), 64);
        assert_ne!(generate_key().0, key);
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn keys_are_read_from_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_key(&headers), None);
        headers.insert("x-api-key", HeaderValue::from_static("cnd_b"));
        assert_eq!(presented_key(&headers), Some("cnd_b"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer cnd_a"),
        );
        assert_eq!(presented_key(&headers), Some("cnd_a"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic eDp5"),
        );
        assert_eq!(presented_key(&headers), None);
    }
}
