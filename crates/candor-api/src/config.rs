//! The API's settings, read from environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use candor_db::JobSpec;
use candor_store::Environment;

use crate::questions::QuestionBank;

/// How the API runs.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `CANDOR_BIND` | address and port to listen on | `127.0.0.1:8080` |
/// | `MAX_UPLOAD_BYTES` | largest media upload | 524288000 (500 MiB) |
/// | `CANDOR_RATE_LIMIT_PER_MINUTE` | sustained requests per API key | 60 |
/// | `CANDOR_RATE_LIMIT_BURST` | requests a key may make at once | 20 |
/// | `CANDOR_ALLOW_HTTP_CALLBACKS` | accept `http://` callback URLs (`true`/`false`); refused in production | `false` |
/// | `CANDOR_WHISPER_MODEL` | model directory that readiness checks for `model.bin`; empty skips the check (`candor serve` sets it to the model it runs) | none: no check |
/// | `JOB_MAX_ATTEMPTS` | attempts of a new analyze job | 3 |
/// | `JOB_TIMEOUT` | seconds one attempt may run | 1800 |
/// | `CANDOR_URL_SECRET` | key that signs media URLs (≥ 16 characters); required in staging and production | development: random per process |
/// | `CANDOR_METRICS_TOKEN` | bearer token `/metrics` asks for (≥ 16 characters) | unset: `/metrics` is off |
/// | `CANDOR_HEADER_TIMEOUT` | seconds a connection has to send a request's head (from the accept, or from the first byte of a later request's head) | 10 |
/// | `CANDOR_IDLE_TIMEOUT` | seconds a kept-alive connection may wait for its next request | 75 |
/// | `CANDOR_BODY_TIMEOUT` | seconds a request body may send nothing (or a client take nothing of a response) while the server waits for it | 30 |
/// | `CANDOR_QUESTIONS_FILE` | a TOML file of practice questions added to the built-in bank (format: `crates/candor-api/data/questions.toml`) | none: the built-in bank |
/// | `CANDOR_MAX_CONNECTIONS` | client connections at once; at the cap the longest-idle one makes room, and a few more serve only `/health/*` | from the open-file limit: (RLIMIT_NOFILE − 72) / 2, at most 4096 |
#[derive(Debug, Clone, PartialEq)]
pub struct ApiConfig {
    pub bind: SocketAddr,
    pub max_upload_bytes: u64,
    pub rate_limit: RateLimitConfig,
    /// Plain-HTTP callbacks are for development; production wants https.
    pub allow_http_callbacks: bool,
    /// `None`: this process runs no analysis, readiness needs no model.
    pub model_dir: Option<PathBuf>,
    /// How the analyze job of a new interview runs.
    pub job: JobSpec,
    /// Signs media URLs. `None` (development only): a random secret per
    /// process, so URLs stop working at a restart.
    pub url_secret: Option<Secret>,
    /// The bearer token of `/metrics`; `None` turns the endpoint off. A
    /// static token rather than an API key, so that metrics keep coming
    /// while the database (which holds the keys) is down.
    pub metrics_token: Option<Secret>,
    /// From the accept (or from the first byte of a later request on a
    /// kept-alive connection) to the end of the request head.
    pub header_timeout: Duration,
    /// How long a kept-alive connection waits for its next request.
    pub idle_timeout: Duration,
    /// The longest stall of a request body the handler is waiting for (or
    /// of a response the client is not taking): a bound on silence, not on
    /// speed, so slow uploads that keep moving are never cut.
    pub body_timeout: Duration,
    /// Client connections at once; `None`: derived from the open-file limit
    /// when the server starts.
    pub max_connections: Option<usize>,
    /// The practice page's questions.
    pub questions: QuestionBank,
}

/// A secret that `Debug` does not print.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Shorter secrets are refused: an HMAC or a token is only as strong as
    /// its key.
    pub const MIN_LEN: usize = 16;

    pub fn new(secret: impl Into<String>) -> Option<Self> {
        let secret = secret.into();
        (secret.len() >= Self::MIN_LEN).then_some(Secret(secret))
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A token bucket per API key: `burst` requests at once, refilled at
/// `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    pub per_minute: u32,
    pub burst: u32,
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 500 * 1024 * 1024;

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            bind: DEFAULT_BIND
                .parse()
                .expect("the default bind address parses"),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            rate_limit: RateLimitConfig {
                per_minute: 60,
                burst: 20,
            },
            allow_http_callbacks: false,
            model_dir: None,
            job: JobSpec::new(3, Duration::from_secs(30 * 60)),
            url_secret: None,
            metrics_token: None,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(75),
            body_timeout: Duration::from_secs(30),
            max_connections: None,
            questions: QuestionBank::default(),
        }
    }
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}={value:?} is not {expected}")]
    Invalid {
        var: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{var}={path:?} cannot be used: {reason}")]
    File {
        var: &'static str,
        path: String,
        reason: String,
    },
}

impl ConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::Invalid { .. } | ConfigError::File { .. } => "config_invalid",
        }
    }

    /// Always the operator's to fix; never worth retrying as is.
    pub fn is_transient(&self) -> bool {
        false
    }
}

impl ApiConfig {
    /// Reads the variables in the table on [`ApiConfig`]; an empty variable
    /// counts as unset (except `CANDOR_WHISPER_MODEL`, where empty turns the
    /// readiness check off).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`ApiConfig::from_env`], with variables looked up by `var` (a
    /// config file layered over the environment, or a test's map).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = ApiConfig::default();
        let set = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let model_dir = match var("CANDOR_WHISPER_MODEL") {
            Some(dir) if dir.trim().is_empty() => None,
            Some(dir) => Some(PathBuf::from(dir)),
            None => defaults.model_dir,
        };
        let max_attempts: u32 = parse(
            &set,
            "JOB_MAX_ATTEMPTS",
            "a whole number ≥ 1",
            defaults.job.max_attempts,
        )?;
        if max_attempts == 0 {
            return Err(ConfigError::Invalid {
                var: "JOB_MAX_ATTEMPTS",
                value: "0".into(),
                expected: "a whole number ≥ 1",
            });
        }
        let timeout_secs = parse(
            &set,
            "JOB_TIMEOUT",
            "a number of seconds",
            defaults.job.timeout.as_secs(),
        )?;
        let environment = Environment::from_lookup(set).map_err(|error| ConfigError::Invalid {
            var: "ENVIRONMENT",
            value: error.0,
            expected: "development, staging or production",
        })?;
        let url_secret = url_secret(&set, environment)?;
        let allow_http_callbacks = parse(
            &set,
            "CANDOR_ALLOW_HTTP_CALLBACKS",
            "true or false",
            defaults.allow_http_callbacks,
        )?;
        if allow_http_callbacks && environment == Environment::Production {
            return Err(ConfigError::Invalid {
                var: "CANDOR_ALLOW_HTTP_CALLBACKS",
                value: "true".into(),
                expected: "false in production (callbacks there must be https)",
            });
        }
        Ok(ApiConfig {
            bind: parse(&set, "CANDOR_BIND", "an address:port", defaults.bind)?,
            max_upload_bytes: parse(
                &set,
                "MAX_UPLOAD_BYTES",
                "a number of bytes",
                defaults.max_upload_bytes,
            )?,
            rate_limit: RateLimitConfig {
                per_minute: parse(
                    &set,
                    "CANDOR_RATE_LIMIT_PER_MINUTE",
                    "a whole number",
                    defaults.rate_limit.per_minute,
                )?,
                burst: parse(
                    &set,
                    "CANDOR_RATE_LIMIT_BURST",
                    "a whole number",
                    defaults.rate_limit.burst,
                )?,
            },
            allow_http_callbacks,
            model_dir,
            job: JobSpec::new(max_attempts, Duration::from_secs(timeout_secs)),
            url_secret,
            metrics_token: set("CANDOR_METRICS_TOKEN")
                .map(|token| {
                    Secret::new(token).ok_or(ConfigError::Invalid {
                        var: "CANDOR_METRICS_TOKEN",
                        value: "<redacted>".into(),
                        expected: "a token of at least 16 characters",
                    })
                })
                .transpose()?,
            header_timeout: seconds(&set, "CANDOR_HEADER_TIMEOUT", defaults.header_timeout)?,
            idle_timeout: seconds(&set, "CANDOR_IDLE_TIMEOUT", defaults.idle_timeout)?,
            body_timeout: seconds(&set, "CANDOR_BODY_TIMEOUT", defaults.body_timeout)?,
            max_connections: max_connections(&set)?,
            questions: match set("CANDOR_QUESTIONS_FILE") {
                Some(path) => QuestionBank::with_file(Path::new(&path)).map_err(|reason| {
                    ConfigError::File {
                        var: "CANDOR_QUESTIONS_FILE",
                        path,
                        reason,
                    }
                })?,
                None => defaults.questions,
            },
        })
    }
}

/// `CANDOR_URL_SECRET`: optional in development (a random one per process
/// is used), required everywhere else, where URLs must outlive a restart and
/// be valid on every API process.
fn url_secret(
    set: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> Result<Option<Secret>, ConfigError> {
    let development = environment == Environment::Development;
    match set("CANDOR_URL_SECRET") {
        Some(secret) => Secret::new(secret).map(Some).ok_or(ConfigError::Invalid {
            var: "CANDOR_URL_SECRET",
            // Never echo a secret.
            value: "<redacted>".into(),
            expected: "a secret of at least 16 characters",
        }),
        None if development => Ok(None),
        None => Err(ConfigError::Invalid {
            var: "CANDOR_URL_SECRET",
            value: String::new(),
            expected: "a secret of at least 16 characters (required in staging and production)",
        }),
    }
}

/// The variable's value parsed, or `default` when it is unset.
fn parse<T: std::str::FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    expected: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid {
            var: name,
            value,
            expected,
        }),
    }
}

/// A duration in seconds (fractions allowed), more than 0.
fn seconds(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let invalid = |value: String| ConfigError::Invalid {
        var: name,
        value,
        expected: "a number of seconds > 0",
    };
    match var(name) {
        None => Ok(default),
        Some(value) => match value.trim().parse::<f64>() {
            Ok(secs) if secs > 0.0 => Duration::try_from_secs_f64(secs).map_err(|_| invalid(value)),
            _ => Err(invalid(value)),
        },
    }
}

/// `CANDOR_MAX_CONNECTIONS`: a whole number ≥ 1, or unset (derived).
fn max_connections(var: &impl Fn(&str) -> Option<String>) -> Result<Option<usize>, ConfigError> {
    const NAME: &str = "CANDOR_MAX_CONNECTIONS";
    match var(NAME) {
        None => Ok(None),
        Some(value) => match value.trim().parse::<usize>() {
            Ok(max) if max >= 1 => Ok(Some(max)),
            _ => Err(ConfigError::Invalid {
                var: NAME,
                value,
                expected: "a whole number ≥ 1",
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<ApiConfig, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ApiConfig::from_vars(|name| map.get(name).cloned())
    }

    #[test]
    fn unset_variables_give_the_defaults() {
        assert_eq!(from(&[]).unwrap(), ApiConfig::default());
        assert_eq!(ApiConfig::default().max_upload_bytes, 524_288_000);
    }

    #[test]
    fn variables_override_the_defaults() {
        let config = from(&[
            ("CANDOR_BIND", "0.0.0.0:9000"),
            ("MAX_UPLOAD_BYTES", "1024"),
            ("CANDOR_RATE_LIMIT_PER_MINUTE", "120"),
            ("CANDOR_RATE_LIMIT_BURST", "5"),
            ("CANDOR_ALLOW_HTTP_CALLBACKS", "true"),
            ("CANDOR_WHISPER_MODEL", "/models/base.en"),
            ("JOB_MAX_ATTEMPTS", "5"),
            ("JOB_TIMEOUT", "60"),
        ])
        .unwrap();
        assert_eq!(config.bind.port(), 9000);
        assert_eq!(config.max_upload_bytes, 1024);
        assert_eq!(
            config.rate_limit,
            RateLimitConfig {
                per_minute: 120,
                burst: 5
            }
        );
        assert!(config.allow_http_callbacks);
        assert_eq!(config.model_dir, Some(PathBuf::from("/models/base.en")));
        assert_eq!(config.job, JobSpec::new(5, Duration::from_secs(60)));
    }

    #[test]
    fn an_empty_model_dir_turns_the_readiness_check_off() {
        assert_eq!(
            from(&[("CANDOR_WHISPER_MODEL", "")]).unwrap().model_dir,
            None
        );
    }

    #[test]
    fn the_url_secret_is_optional_in_development_only_and_never_printed() {
        assert_eq!(from(&[]).unwrap().url_secret, None);
        assert_eq!(
            from(&[("ENVIRONMENT", "development")]).unwrap().url_secret,
            None
        );
        for environment in ["staging", "production"] {
            let error = from(&[("ENVIRONMENT", environment)]).unwrap_err();
            assert!(
                error.to_string().starts_with("CANDOR_URL_SECRET"),
                "{error}"
            );
        }
        let config = from(&[
            ("ENVIRONMENT", "production"),
            ("CANDOR_URL_SECRET", "0123456789abcdef-long-enough"),
        ])
        .unwrap();
        assert_eq!(
            config.url_secret.as_ref().map(Secret::as_bytes),
            Some(&b"0123456789abcdef-long-enough"[..])
        );
        assert!(!format!("{config:?}").contains("long-enough"));
        let error = from(&[("CANDOR_URL_SECRET", "short-secret")]).unwrap_err();
        assert!(!error.to_string().contains("short-secret"), "{error}");
    }

    #[test]
    fn production_refuses_plain_http_callbacks_and_unknown_environments() {
        let error = from(&[
            ("ENVIRONMENT", "production"),
            ("CANDOR_URL_SECRET", "0123456789abcdef-long-enough"),
            ("CANDOR_ALLOW_HTTP_CALLBACKS", "true"),
        ])
        .unwrap_err();
        assert!(
            error.to_string().starts_with("CANDOR_ALLOW_HTTP_CALLBACKS"),
            "{error}"
        );
        assert!(from(&[
            ("ENVIRONMENT", "staging"),
            ("CANDOR_URL_SECRET", "0123456789abcdef-long-enough"),
            ("CANDOR_ALLOW_HTTP_CALLBACKS", "true")
        ])
        .is_ok());
        let error = from(&[("ENVIRONMENT", "prod")]).unwrap_err();
        assert!(error.to_string().starts_with("ENVIRONMENT"), "{error}");
        // Blank is unset: development, as everywhere else in the process.
        assert_eq!(from(&[("ENVIRONMENT", " ")]).unwrap(), ApiConfig::default());
    }

    #[test]
    fn connection_limits_have_defaults_and_are_validated() {
        let defaults = from(&[]).unwrap();
        assert_eq!(defaults.header_timeout, Duration::from_secs(10));
        assert_eq!(defaults.idle_timeout, Duration::from_secs(75));
        assert_eq!(defaults.body_timeout, Duration::from_secs(30));
        assert_eq!(defaults.max_connections, None);
        let config = from(&[
            ("CANDOR_HEADER_TIMEOUT", "2.5"),
            ("CANDOR_IDLE_TIMEOUT", "5"),
            ("CANDOR_BODY_TIMEOUT", "120"),
            ("CANDOR_MAX_CONNECTIONS", "500"),
        ])
        .unwrap();
        assert_eq!(config.header_timeout, Duration::from_millis(2500));
        assert_eq!(config.idle_timeout, Duration::from_secs(5));
        assert_eq!(config.body_timeout, Duration::from_secs(120));
        assert_eq!(config.max_connections, Some(500));
        for (var, value) in [
            ("CANDOR_HEADER_TIMEOUT", "0"),
            ("CANDOR_HEADER_TIMEOUT", "-1"),
            ("CANDOR_IDLE_TIMEOUT", "soon"),
            ("CANDOR_IDLE_TIMEOUT", "inf"),
            ("CANDOR_BODY_TIMEOUT", "NaN"),
            ("CANDOR_BODY_TIMEOUT", "1e30"),
            ("CANDOR_MAX_CONNECTIONS", "0"),
            ("CANDOR_MAX_CONNECTIONS", "1.5"),
        ] {
            let error = from(&[(var, value)]).unwrap_err();
            assert!(error.to_string().starts_with(var), "{error}");
        }
    }

    #[test]
    fn unusable_values_name_the_variable() {
        for (var, value) in [
            ("CANDOR_BIND", "localhost"),
            ("MAX_UPLOAD_BYTES", "-1"),
            ("CANDOR_ALLOW_HTTP_CALLBACKS", "yes please"),
            ("JOB_MAX_ATTEMPTS", "0"),
        ] {
            let error = from(&[(var, value)]).unwrap_err();
            assert!(error.to_string().starts_with(var), "{error}");
            assert_eq!(error.code(), "config_invalid");
        }
    }
}
