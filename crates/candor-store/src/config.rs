//! Where media is stored: a local directory by default, S3 (or any
//! S3-compatible server) when `AWS_S3_BUCKET` is set.

use std::fmt;
use std::path::PathBuf;

pub use candor_domain::Environment;

use crate::error::StoreError;

/// `ENVIRONMENT` through `var`, as every part of the process reads it.
fn environment_from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Environment, StoreError> {
    Environment::from_lookup(var).map_err(|error| StoreError::Config(error.to_string()))
}

/// Where and under which prefix media is stored.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `ENVIRONMENT` | `development`, `staging` or `production`: the key prefix | `development` |
/// | `CANDOR_STORE_DIR` | directory of the local backend | `./data/objects` |
/// | `AWS_S3_BUCKET` | bucket; selects the S3 backend | unset |
/// | `AWS_REGION` | region | `us-east-1` |
/// | `AWS_ENDPOINT_URL` | S3-compatible server (path-style; `http://` allowed) | AWS |
/// | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | static credentials | the AWS chain (web identity, ECS, instance metadata) |
#[derive(Debug, Clone, PartialEq)]
pub struct StoreConfig {
    pub environment: Environment,
    pub backend: Backend,
}

/// The storage behind [`crate::MediaStore`].
#[derive(Debug, Clone, PartialEq)]
pub enum Backend {
    /// A directory on this machine (created when the store is opened).
    Local {
        dir: PathBuf,
    },
    S3(S3Config),
}

/// An S3 bucket, on AWS or on an S3-compatible server.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Config {
    pub bucket: String,
    /// `None`: `AWS_REGION`/`AWS_DEFAULT_REGION` as `object_store` reads
    /// them, else `us-east-1`.
    pub region: Option<String>,
    /// An S3-compatible server, e.g. `http://127.0.0.1:9000`; addressed
    /// path-style (`endpoint/bucket/key`), plain HTTP allowed when the URL
    /// says `http://`.
    pub endpoint: Option<String>,
    /// `None`: `object_store`'s credential chain (environment, web
    /// identity, ECS task role, instance metadata).
    pub credentials: Option<S3Credentials>,
}

/// Static S3 credentials. `Debug` shows the key id only, never the secret
/// or the session token.
#[derive(Clone, PartialEq)]
pub struct S3Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
}

impl S3Credentials {
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The local backend's directory when `CANDOR_STORE_DIR` is not set.
pub const DEFAULT_STORE_DIR: &str = "./data/objects";

impl StoreConfig {
    /// Reads the variables listed on [`StoreConfig`]; an empty variable
    /// counts as unset.
    pub fn from_env() -> Result<Self, StoreError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`StoreConfig::from_env`], with the variables looked up by `var`
    /// (a config file layered over the environment, or a test's map).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, StoreError> {
        let var = |name: &str| non_empty(var(name));
        let environment = environment_from_vars(var)?;
        let Some(bucket) = var("AWS_S3_BUCKET") else {
            let dir = var("CANDOR_STORE_DIR").unwrap_or_else(|| DEFAULT_STORE_DIR.into());
            return Ok(StoreConfig {
                environment,
                backend: Backend::Local { dir: dir.into() },
            });
        };
        let endpoint = var("AWS_ENDPOINT_URL");
        if let Some(url) = &endpoint {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(StoreError::Config(format!(
                    "AWS_ENDPOINT_URL must start with http:// or https://, not {url:?}"
                )));
            }
        }
        let credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => {
                Some(S3Credentials::new(id, secret, var("AWS_SESSION_TOKEN")))
            }
            (None, None) => None,
            _ => {
                return Err(StoreError::Config(
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together".into(),
                ))
            }
        };
        Ok(StoreConfig {
            environment,
            backend: Backend::S3(S3Config {
                bucket,
                region: var("AWS_REGION"),
                endpoint,
                credentials,
            }),
        })
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<StoreConfig, StoreError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StoreConfig::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_means_a_local_directory_in_development() {
        let config = config(&[]).unwrap();
        assert_eq!(config.environment, Environment::Development);
        assert_eq!(
            config.backend,
            Backend::Local {
                dir: DEFAULT_STORE_DIR.into()
            }
        );
        let config =
            self::config(&[("CANDOR_STORE_DIR", "/srv/media"), ("ENVIRONMENT", "")]).unwrap();
        assert_eq!(
            config.backend,
            Backend::Local {
                dir: "/srv/media".into()
            }
        );
        assert_eq!(config.environment, Environment::Development);
    }

    #[test]
    fn environments_parse_in_any_case_and_production_is_live() {
        for (value, env, prefix) in [
            ("development", Environment::Development, "development/"),
            ("Staging", Environment::Staging, "staging/"),
            (" PRODUCTION ", Environment::Production, "live/"),
        ] {
            let config = config(&[("ENVIRONMENT", value)]).unwrap();
            assert_eq!(config.environment, env);
            assert_eq!(env.prefix(), prefix);
        }
        let err = config(&[("ENVIRONMENT", "prod")]).unwrap_err();
        assert_eq!(err.code(), "store_config");
        assert!(err.to_string().contains("\"prod\""), "{err}");
    }

    #[test]
    fn a_bucket_selects_s3_with_its_settings() {
        let config = config(&[
            ("AWS_S3_BUCKET", "media"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG"),
            ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLETOKEN"),
            ("ENVIRONMENT", "production"),
        ])
        .unwrap();
        let Backend::S3(s3) = &config.backend else {
            panic!("not S3: {config:?}");
        };
        assert_eq!(s3.bucket, "media");
        assert_eq!(s3.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        let credentials = s3.credentials.as_ref().unwrap();
        assert_eq!(credentials.secret_access_key, "wJalrXUtnFEMI/K7MDENG");
        assert_eq!(
            credentials.session_token.as_deref(),
            Some("FwoGZXIvYXdzEXAMPLETOKEN")
        );
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let config = config(&[
            ("AWS_S3_BUCKET", "media"),
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG"),
            ("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLETOKEN"),
        ])
        .unwrap();
        for shown in [format!("{config:?}"), format!("{config:#?}")] {
            assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
            assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
            assert!(!shown.contains("FwoGZXIvYXdz"), "{shown}");
        }
    }

    #[test]
    fn without_credentials_the_aws_chain_is_used() {
        let config = config(&[("AWS_S3_BUCKET", "media")]).unwrap();
        let Backend::S3(s3) = config.backend else {
            panic!("not S3");
        };
        assert_eq!(s3.credentials, None);
        assert_eq!(s3.region, None);
        assert_eq!(s3.endpoint, None);
    }

    #[test]
    fn half_credentials_and_bad_endpoints_are_refused() {
        for vars in [
            &[("AWS_S3_BUCKET", "media"), ("AWS_ACCESS_KEY_ID", "AKID")][..],
            &[
                ("AWS_S3_BUCKET", "media"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ][..],
            &[
                ("AWS_S3_BUCKET", "media"),
                ("AWS_ENDPOINT_URL", "127.0.0.1:9000"),
            ][..],
        ] {
            let err = config(vars).unwrap_err();
            assert_eq!(err.code(), "store_config", "{vars:?}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }
}
