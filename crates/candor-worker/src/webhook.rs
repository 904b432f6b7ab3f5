//! Webhook deliveries: when an analysis with a callback URL ends, a
//! `webhook` job is enqueued in the same transaction and [`WebhookRunner`]
//! POSTs the outcome, signed with each live signing secret of the
//! interview's tenant (more than one while a rotation's grace lasts):
//!
//! ```text
//! POST <callback_url>
//! Content-Type: application/json
//! Candor-Timestamp: 1767225600
//! Candor-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>[,v1=<…>]
//!
//! {"event":"interview.completed","interview_id":"…","status":"completed","overall_score":73.5}
//! ```
//!
//! A receiver checks the signature with [`verify`] and rejects old
//! timestamps (replays). Any status outside 2xx fails the attempt, and the
//! queue retries it with backoff.
//!
//! Targets are resolved before connecting and refused when any address is
//! loopback, private, link-local, unique-local or otherwise not public
//! (unless [`WebhookConfig::allow_private_webhooks`], never in production;
//! see `public_ip.rs`); the request then goes
//! to the address that was checked, so a DNS answer that changes in between
//! cannot redirect it. Redirects are not followed and proxies not used.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use candor_db::{EventKind, JobKind, WebhookEvent};
use candor_domain::Environment;
use futures::future::BoxFuture;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::config::ConfigError;
use crate::public_ip::is_public;
use crate::runner::{JobContext, JobOutput, JobRunner, RunError};

/// Settings of webhook deliveries. There is no secret here: each tenant's
/// signing secrets are in the database (`POST /api/v1/webhook-secrets`).
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    /// Allow targets on loopback and private networks
    /// (`ALLOW_PRIVATE_WEBHOOKS`; for development and tests, refused in
    /// production).
    pub allow_private_webhooks: bool,
    /// Allow plain-http targets; false in production.
    pub allow_http: bool,
    pub connect_timeout: Duration,
    /// The whole request, response included.
    pub request_timeout: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private_webhooks: false,
            allow_http: true,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
        }
    }
}

impl WebhookConfig {
    /// `ALLOW_PRIVATE_WEBHOOKS` (`true`/`false`, default false) for
    /// `ENVIRONMENT`. Production delivers to public https targets only: it
    /// refuses to start with `ALLOW_PRIVATE_WEBHOOKS=true` rather than
    /// ignore it.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let environment = Environment::from_lookup(&lookup).map_err(|error| ConfigError {
            variable: "ENVIRONMENT",
            value: error.0,
            expected: "development, staging or production",
        })?;
        let production = environment == Environment::Production;
        let mut config = WebhookConfig {
            allow_http: !production,
            ..WebhookConfig::default()
        };
        if let Some(value) = lookup("ALLOW_PRIVATE_WEBHOOKS") {
            config.allow_private_webhooks = match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" if !production => true,
                "true" | "1" | "yes" => {
                    return Err(ConfigError {
                        variable: "ALLOW_PRIVATE_WEBHOOKS",
                        value,
                        expected: "false in production (private targets are never allowed there)",
                    })
                }
                "false" | "0" | "no" | "" => false,
                _ => {
                    return Err(ConfigError {
                        variable: "ALLOW_PRIVATE_WEBHOOKS",
                        value,
                        expected: "true or false",
                    })
                }
            };
        }
        Ok(config)
    }
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook job carries no readable event: {0}")]
    BadPayload(String),
    #[error("the callback URL is not usable: {0}")]
    BadUrl(String),
    #[error("the callback host {host} resolves to {address}, which is not a public address")]
    TargetForbidden { host: String, address: IpAddr },
    #[error(
        "the tenant has no webhook signing secret; create one with POST /api/v1/webhook-secrets"
    )]
    NoSecret,
    #[error("the callback host could not be resolved: {0}")]
    Dns(String),
    #[error("the callback target could not be reached: {0}")]
    Unreachable(String),
    #[error("the callback target answered with HTTP status {0}")]
    Status(u16),
}

impl WebhookError {
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::BadPayload(_) => "webhook_bad_payload",
            WebhookError::BadUrl(_) => "webhook_bad_url",
            WebhookError::TargetForbidden { .. } => "webhook_target_forbidden",
            WebhookError::NoSecret => "webhook_no_secret",
            WebhookError::Dns(_) => "webhook_dns_failed",
            WebhookError::Unreachable(_) => "webhook_unreachable",
            WebhookError::Status(_) => "webhook_http_status",
        }
    }

    /// Network trouble and error statuses may pass; a bad URL or a
    /// forbidden target will not.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            WebhookError::Dns(_) | WebhookError::Unreachable(_) | WebhookError::Status(_)
        )
    }
}

/// The body POSTed to the callback URL.
#[derive(Debug, Serialize)]
struct Body<'a> {
    event: EventKind,
    interview_id: &'a str,
    status: &'static str,
    overall_score: Option<f64>,
}

/// Delivers `webhook` jobs.
#[derive(Debug, Clone)]
pub struct WebhookRunner {
    config: WebhookConfig,
}

impl WebhookRunner {
    pub fn new(config: WebhookConfig) -> Self {
        WebhookRunner { config }
    }
}

impl JobRunner for WebhookRunner {
    fn kind(&self) -> JobKind {
        JobKind::Webhook
    }

    fn run(&self, job: JobContext) -> BoxFuture<'static, Result<JobOutput, RunError>> {
        let config = self.config.clone();
        Box::pin(async move {
            let stop = job.stop().clone();
            tokio::select! {
                () = stop.cancelled() => Err(RunError::Stopped),
                delivered = deliver(&config, &job) => delivered,
            }
        })
    }
}

async fn deliver(config: &WebhookConfig, job: &JobContext) -> Result<JobOutput, RunError> {
    let interview = job.interview().await?;
    let Some(url) = interview.callback_url else {
        tracing::info!(interview_id = %interview.id, "the interview has no callback URL any more");
        return Ok(JobOutput::Done);
    };
    let event: WebhookEvent = serde_json::from_str(job.job.payload.as_deref().unwrap_or(""))
        .map_err(|error| WebhookError::BadPayload(error.to_string()))?;
    let body = serde_json::to_vec(&Body {
        event: event.event,
        interview_id: interview.id.as_str(),
        status: match event.event {
            EventKind::Completed => "completed",
            EventKind::Failed => "failed",
        },
        overall_score: event.overall_score,
    })
    .map_err(|error| WebhookError::BadPayload(error.to_string()))?;
    let target = resolve(&url, config).await?;
    let secrets = job.db.webhook_secrets(&interview.tenant).await?;
    if secrets.is_empty() {
        return Err(WebhookError::NoSecret.into());
    }

    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout);
    if let Some((host, address)) = &target.pinned {
        client = client.resolve(host, *address);
    }
    let client = client
        .build()
        .map_err(|error| WebhookError::Unreachable(error.to_string()))?;
    let timestamp = unix_now();
    // One signature per live secret, newest first: during a rotation the
    // receiver may hold either.
    let signature = secrets
        .iter()
        .map(|secret| sign(&secret.secret, timestamp, &body))
        .collect::<Vec<_>>()
        .join(",");
    let response = client
        .post(target.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Candor-Timestamp", timestamp.to_string())
        .header("Candor-Signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|error| WebhookError::Unreachable(error.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(WebhookError::Status(status.as_u16()).into());
    }
    tracing::info!(interview_id = %interview.id, status = status.as_u16(), "webhook delivered");
    Ok(JobOutput::Done)
}

/// Where a delivery goes: the URL, and for a host name the checked address
/// the connection must use.
#[derive(Debug)]
struct Target {
    url: reqwest::Url,
    pinned: Option<(String, SocketAddr)>,
}

async fn resolve(url: &str, config: &WebhookConfig) -> Result<Target, WebhookError> {
    let url = reqwest::Url::parse(url).map_err(|error| WebhookError::BadUrl(error.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if config.allow_http => {}
        "http" => {
            return Err(WebhookError::BadUrl(
                "plain http is refused in production".into(),
            ))
        }
        scheme => {
            return Err(WebhookError::BadUrl(format!(
                "scheme {scheme:?} is not http or https"
            )))
        }
    }
    let host = url
        .host_str()
        .ok_or_else(|| WebhookError::BadUrl("no host".into()))?
        .to_owned();
    let port = url
        .port_or_known_default()
        .ok_or_else(|| WebhookError::BadUrl("no port".into()))?;
    // An IPv6 literal comes bracketed.
    let literal = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>();
    let (addresses, pinned_host) = match literal {
        Ok(ip) => (vec![SocketAddr::new(ip, port)], None),
        Err(_) => {
            let found = tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|error| WebhookError::Dns(format!("{host}: {error}")))?
                .collect::<Vec<_>>();
            (found, Some(host.clone()))
        }
    };
    let Some(first) = addresses.first().copied() else {
        return Err(WebhookError::Dns(format!("{host}: no addresses")));
    };
    if !config.allow_private_webhooks {
        // Every address must be public: the connection could go to any.
        if let Some(bad) = addresses.iter().find(|address| !is_public(address.ip())) {
            return Err(WebhookError::TargetForbidden {
                host,
                address: bad.ip(),
            });
        }
    }
    Ok(Target {
        url,
        pinned: pinned_host.map(|host| (host, first)),
    })
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (long ones are hashed); this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of every length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Candor-Signature` header value for `body` sent at `timestamp` (Unix
/// seconds): `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "v1={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// For receivers: whether `header_sig` (one or more comma-separated `v1=`
/// values, for secret rotation) signs `body` at `header_ts`, and `header_ts`
/// is within `tolerance` of `now` (Unix seconds). Compares in constant time.
pub fn verify(
    secret: &str,
    header_ts: &str,
    header_sig: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> bool {
    let Ok(timestamp) = header_ts.trim().parse::<i64>() else {
        return false;
    };
    if now.abs_diff(timestamp) > tolerance.as_secs() {
        return false;
    }
    header_sig
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("v1="))
        .filter_map(|hex_sig| hex::decode(hex_sig).ok())
        .any(|sig| mac(secret, timestamp, body).verify_slice(&sig).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_signature_verifies_only_for_its_secret_body_and_time() {
        let body = br#"{"event":"interview.completed"}"#;
        let signature = sign("s3cret", 1_700_000_000, body);
        assert!(signature.starts_with("v1=") && signature.len() == 3 + 64);
        assert!(verify(
            "s3cret",
            "1700000000",
            &signature,
            body,
            1_700_000_030,
            MINUTE
        ));
        let rotated = format!("v1=00ff, {signature}");
        assert!(verify(
            "s3cret",
            "1700000000",
            &rotated,
            body,
            1_700_000_000,
            MINUTE
        ));

        assert!(!verify(
            "other",
            "1700000000",
            &signature,
            body,
            1_700_000_000,
            MINUTE
        ));
        assert!(!verify(
            "s3cret",
            "1700000000",
            &signature,
            b"{}",
            1_700_000_000,
            MINUTE
        ));
        assert!(!verify(
            "s3cret",
            "1700000001",
            &signature,
            body,
            1_700_000_000,
            MINUTE
        ));
        assert!(!verify(
            "s3cret",
            "1700000000",
            &signature,
            body,
            1_700_000_061,
            MINUTE
        ));
        assert!(!verify(
            "s3cret",
            "soon",
            &signature,
            body,
            1_700_000_000,
            MINUTE
        ));
        assert!(!verify(
            "s3cret",
            "1700000000",
            "v1=zz",
            body,
            1_700_000_000,
            MINUTE
        ));
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: printf '%s' '42.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            sign("key", 42, b"{}"),
            "v1=479f5fabf373d659ed01b17cee79df2e457070f7b1795243f56bb889e667bdf7"
        );
    }

    #[tokio::test]
    async fn targets_resolve_to_checked_addresses() {
        let allow = |private| WebhookConfig {
            allow_private_webhooks: private,
            ..WebhookConfig::default()
        };
        let (strict, lax) = (allow(false), allow(true));
        let error = resolve("http://localhost:9/hook", &strict)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "webhook_target_forbidden");
        assert!(!error.is_retryable());
        let error = resolve("http://[::1]:9/hook", &strict).await.unwrap_err();
        assert_eq!(error.code(), "webhook_target_forbidden");
        let target = resolve("http://localhost:9/hook", &lax).await.unwrap();
        let (host, address) = target.pinned.unwrap();
        assert_eq!(host, "localhost");
        assert!(address.ip().is_loopback());
        assert_eq!(address.port(), 9);
        assert!(resolve("http://127.0.0.1/", &lax)
            .await
            .unwrap()
            .pinned
            .is_none());
        let error = resolve("ftp://example.com/", &lax).await.unwrap_err();
        assert_eq!(error.code(), "webhook_bad_url");
    }

    #[test]
    fn production_refuses_private_and_plain_http_targets_whatever_the_flags() {
        let config = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            WebhookConfig::from_lookup(move |name| {
                pairs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
        };
        let development = config(&[("ALLOW_PRIVATE_WEBHOOKS", "true")]).unwrap();
        assert!(development.allow_private_webhooks && development.allow_http);
        let production = config(&[("ENVIRONMENT", "production")]).unwrap();
        assert!(!production.allow_private_webhooks && !production.allow_http);
        let error = config(&[
            ("ENVIRONMENT", "production"),
            ("ALLOW_PRIVATE_WEBHOOKS", "true"),
        ])
        .unwrap_err();
        assert_eq!(error.variable, "ALLOW_PRIVATE_WEBHOOKS");
        let error = config(&[("ENVIRONMENT", "prod")]).unwrap_err();
        assert_eq!(error.variable, "ENVIRONMENT");
    }

    #[tokio::test]
    async fn production_never_sends_plain_http() {
        let production = WebhookConfig {
            allow_http: false,
            allow_private_webhooks: false,
            ..WebhookConfig::default()
        };
        let error = resolve("http://93.184.216.34/hook", &production)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "webhook_bad_url");
    }
}
