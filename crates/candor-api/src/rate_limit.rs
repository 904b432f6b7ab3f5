//! A token bucket per API key, in memory: each key may make `burst`
//! requests at once and `per_minute` on average. In memory is enough for
//! one API process; several processes behind a balancer each allow the
//! budget, which a deployment accounts for when it sets the numbers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimitConfig;

/// Above this many buckets, full ones are dropped: a full bucket is the same
/// as a missing one, so memory stays bounded by the keys in recent use.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
pub(crate) struct RateLimiter {
    tokens_per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    pub(crate) fn new(config: RateLimitConfig) -> Self {
        RateLimiter {
            tokens_per_sec: f64::from(config.per_minute) / 60.0,
            burst: f64::from(config.burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from `key`'s bucket at `now`; when it is empty, the
    /// wait until a token will be there.
    pub(crate) fn acquire(&self, key: i64, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-update of
        // plain numbers; the map is still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| self.refilled(*bucket, now) < self.burst);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let tokens = self.refilled(*bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                updated: now,
            };
            return Ok(());
        }
        *bucket = Bucket {
            tokens,
            updated: now,
        };
        if self.tokens_per_sec <= 0.0 {
            return Err(Duration::from_secs(60));
        }
        Err(Duration::from_secs_f64(
            (1.0 - tokens) / self.tokens_per_sec,
        ))
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        (bucket.tokens + elapsed * self.tokens_per_sec).min(self.burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter::new(RateLimitConfig { per_minute, burst })
    }

    #[test]
    fn a_burst_is_allowed_then_requests_wait_for_the_refill() {
        let limiter = limiter(60, 3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.acquire(1, start), Ok(()));
        }
        let wait = limiter.acquire(1, start).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-9, "{wait:?}");
        // Half a second later half a token has come back: half a second to go.
        let wait = limiter
            .acquire(1, start + Duration::from_millis(500))
            .unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        assert_eq!(limiter.acquire(1, start + Duration::from_secs(1)), Ok(()));
    }

    #[test]
    fn keys_have_separate_buckets() {
        let limiter = limiter(60, 1);
        let now = Instant::now();
        assert_eq!(limiter.acquire(1, now), Ok(()));
        assert!(limiter.acquire(1, now).is_err());
        assert_eq!(limiter.acquire(2, now), Ok(()));
    }

    #[test]
    fn an_idle_bucket_refills_only_up_to_the_burst() {
        let limiter = limiter(60, 2);
        let start = Instant::now();
        assert_eq!(limiter.acquire(1, start), Ok(()));
        let later = start + Duration::from_secs(3600);
        assert_eq!(limiter.acquire(1, later), Ok(()));
        assert_eq!(limiter.acquire(1, later), Ok(()));
        assert!(limiter.acquire(1, later).is_err());
    }
}
