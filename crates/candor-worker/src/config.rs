//! How a worker pool runs, with defaults and the environment variables that
//! override them.

use std::time::Duration;

pub use candor_domain::Environment;

use candor_db::RetryPolicy;

/// Settings of one [`WorkerPool`](crate::WorkerPool).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    /// Prefix of the pool's worker id (e.g. the host name); a random part
    /// follows, fresh on every start.
    pub worker_name: String,
    /// Jobs run at once (`MAX_CONCURRENT_JOBS`, default 3).
    pub max_concurrent_jobs: u32,
    /// The safety poll (`QUEUE_CHECK_INTERVAL`, seconds, default 30): new work
    /// in this process wakes the pool at once, so this only matters for jobs
    /// submitted through another process.
    pub queue_check_interval: Duration,
    /// How often a pool with free slots asks the database whether a job of
    /// its kind is due (`QUEUE_PROBE_INTERVAL`, seconds, default 0.5; `0`
    /// turns the probe off). A submit wakes the pools of its own process at
    /// once; this is how pools in other processes (`candor worker` on other
    /// machines) learn of it within the interval instead of the safety
    /// poll. The probe is one indexed, read-only `SELECT … LIMIT 1`, and it
    /// runs only while the pool has a free slot and nothing to claim.
    pub queue_probe_interval: Option<Duration>,
    /// How long a claim holds a job without a heartbeat.
    pub lease: Duration,
    /// How often a running job renews its lease (default a third of it, so
    /// two heartbeats may fail before the lease runs out).
    pub heartbeat_interval: Duration,
    /// Timeout of a job whose row carries none (`JOB_TIMEOUT`, seconds,
    /// default 1800). The API stores the same variable's value in each job
    /// it creates, and the row's value wins.
    pub job_timeout: Duration,
    pub retry_policy: RetryPolicy,
    /// How long [`WorkerHandle::shutdown`](crate::WorkerHandle::shutdown)
    /// callers usually wait for running jobs (default 30 s).
    pub shutdown_grace: Duration,
    /// How often expired leases are taken back.
    pub rescue_interval: Duration,
    /// How often finished jobs older than [`Self::prune_retention`] are
    /// deleted.
    pub prune_interval: Duration,
    pub prune_retention: Duration,
    /// No new claims while the machine's memory use (a fraction of its
    /// total) is above this (`MEMORY_THRESHOLD`; default 0.75 in
    /// development, 0.85 in staging and production).
    pub memory_threshold: f64,
    /// How often memory is sampled while the pool is throttled.
    pub memory_recheck_interval: Duration,
    /// Attempts and timeout of the webhook job enqueued when an analysis
    /// with a callback URL ends.
    pub webhook_max_attempts: u32,
    pub webhook_timeout: Duration,
}

/// A development machine also runs an editor, a browser and a build:
/// throttle earlier there.
pub fn default_memory_threshold(environment: Environment) -> f64 {
    match environment {
        Environment::Development => 0.75,
        Environment::Staging | Environment::Production => 0.85,
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{variable}={value:?} is invalid: {expected}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl ConfigError {
    pub fn code(&self) -> &'static str {
        "worker_config_invalid"
    }

    /// Fixing the configuration is the only cure.
    pub fn is_transient(&self) -> bool {
        false
    }
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig::for_environment(Environment::Development)
    }
}

impl WorkerConfig {
    pub fn for_environment(environment: Environment) -> Self {
        let lease = Duration::from_secs(60);
        WorkerConfig {
            worker_name: "candor".to_owned(),
            max_concurrent_jobs: 3,
            queue_check_interval: Duration::from_secs(30),
            // Solid Queue's workers poll every 0.1 s by default, with the
            // claim itself; the probe is cheaper and half a second keeps a
            // submit-to-start well under a second.
            queue_probe_interval: Some(Duration::from_millis(500)),
            lease,
            heartbeat_interval: lease / 3,
            job_timeout: Duration::from_secs(1800),
            retry_policy: RetryPolicy::default(),
            shutdown_grace: Duration::from_secs(30),
            rescue_interval: Duration::from_secs(30),
            prune_interval: Duration::from_secs(3600),
            prune_retention: Duration::from_secs(7 * 24 * 3600),
            memory_threshold: default_memory_threshold(environment),
            memory_recheck_interval: Duration::from_secs(2),
            webhook_max_attempts: 8,
            webhook_timeout: Duration::from_secs(60),
        }
    }

    /// The defaults for `ENVIRONMENT` (development when unset), overridden by
    /// `MAX_CONCURRENT_JOBS`, `QUEUE_CHECK_INTERVAL`, `QUEUE_PROBE_INTERVAL`,
    /// `JOB_TIMEOUT`, `JOB_LEASE` (the heartbeat renews it every third of
    /// it), `SHUTDOWN_GRACE` and `MEMORY_THRESHOLD`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Self::from_env`] reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let environment = Environment::from_lookup(&lookup).map_err(|error| ConfigError {
            variable: "ENVIRONMENT",
            value: error.0,
            expected: "development, staging or production",
        })?;
        let mut config = WorkerConfig::for_environment(environment);
        if let Some(value) = lookup("MAX_CONCURRENT_JOBS") {
            config.max_concurrent_jobs = value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|jobs| *jobs >= 1)
                .ok_or(ConfigError {
                    variable: "MAX_CONCURRENT_JOBS",
                    value,
                    expected: "a whole number of at least 1",
                })?;
        }
        if let Some(value) = lookup("QUEUE_CHECK_INTERVAL") {
            config.queue_check_interval = seconds("QUEUE_CHECK_INTERVAL", value)?;
        }
        if let Some(value) = lookup("QUEUE_PROBE_INTERVAL") {
            config.queue_probe_interval = if value.trim().parse::<f64>() == Ok(0.0) {
                None
            } else {
                Some(seconds("QUEUE_PROBE_INTERVAL", value)?)
            };
        }
        if let Some(value) = lookup("JOB_TIMEOUT") {
            config.job_timeout = seconds("JOB_TIMEOUT", value)?;
        }
        if let Some(value) = lookup("JOB_LEASE") {
            config.lease = seconds("JOB_LEASE", value)?;
            config.heartbeat_interval = config.lease / 3;
        }
        if let Some(value) = lookup("SHUTDOWN_GRACE") {
            config.shutdown_grace = seconds("SHUTDOWN_GRACE", value)?;
        }
        if let Some(value) = lookup("MEMORY_THRESHOLD") {
            config.memory_threshold = value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|fraction| (0.0..=1.0).contains(fraction))
                .ok_or(ConfigError {
                    variable: "MEMORY_THRESHOLD",
                    value,
                    expected: "a fraction of total memory between 0 and 1 (e.g. 0.85)",
                })?;
        }
        Ok(config)
    }
}

/// A positive number of seconds, fractions allowed.
fn seconds(variable: &'static str, value: String) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs > 0.0 && *secs < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or(ConfigError {
            variable,
            value,
            expected: "a positive number of seconds",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<WorkerConfig, ConfigError> {
        WorkerConfig::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn defaults_follow_the_environment() {
        let development = from(&[]).unwrap();
        assert_eq!(development.max_concurrent_jobs, 3);
        assert_eq!(development.queue_check_interval, Duration::from_secs(30));
        assert_eq!(
            development.queue_probe_interval,
            Some(Duration::from_millis(500))
        );
        assert_eq!(development.memory_threshold, 0.75);
        assert_eq!(development.heartbeat_interval, Duration::from_secs(20));
        let production = from(&[("ENVIRONMENT", "Production")]).unwrap();
        assert_eq!(production.memory_threshold, 0.85);
        let short = from(&[("JOB_LEASE", "3"), ("SHUTDOWN_GRACE", "0.5")]).unwrap();
        assert_eq!(short.heartbeat_interval, Duration::from_secs(1));
        assert_eq!(short.shutdown_grace, Duration::from_millis(500));
    }

    #[test]
    fn variables_override_the_defaults() {
        let config = from(&[
            ("ENVIRONMENT", "production"),
            ("MAX_CONCURRENT_JOBS", "8"),
            ("QUEUE_CHECK_INTERVAL", "2.5"),
            ("QUEUE_PROBE_INTERVAL", "0.2"),
            ("JOB_TIMEOUT", "120"),
            ("MEMORY_THRESHOLD", "0.9"),
        ])
        .unwrap();
        assert_eq!(config.max_concurrent_jobs, 8);
        assert_eq!(config.queue_check_interval, Duration::from_millis(2500));
        assert_eq!(
            config.queue_probe_interval,
            Some(Duration::from_millis(200))
        );
        let off = from(&[("QUEUE_PROBE_INTERVAL", "0")]).unwrap();
        assert_eq!(off.queue_probe_interval, None);
        assert_eq!(config.job_timeout, Duration::from_secs(120));
        assert_eq!(config.memory_threshold, 0.9);
    }

    #[test]
    fn bad_values_name_the_variable_and_what_it_expects() {
        let cases = [
            ("MAX_CONCURRENT_JOBS", "0"),
            ("MAX_CONCURRENT_JOBS", "three"),
            ("QUEUE_CHECK_INTERVAL", "-1"),
            ("QUEUE_PROBE_INTERVAL", "-0.5"),
            ("QUEUE_PROBE_INTERVAL", "often"),
            ("JOB_TIMEOUT", "NaN"),
            ("MEMORY_THRESHOLD", "85"),
            ("ENVIRONMENT", "prod"),
        ];
        for (variable, value) in cases {
            let error = from(&[(variable, value)]).unwrap_err();
            assert_eq!(error.variable, variable);
            assert_eq!(error.code(), "worker_config_invalid");
            assert!(error.to_string().contains(value), "{error}");
        }
    }
}
