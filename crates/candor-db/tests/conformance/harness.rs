//! A fresh database per test: a temporary SQLite file, or a database
//! `candor_t_<random>` on the MariaDB server that is dropped afterwards.

use std::future::Future;
use std::time::Duration;

use candor_db::testing::run_on_scratch;
use candor_db::{
    Backend, ClaimedJob, Db, DbOptions, Interview, JobKind, JobSpec, MediaOrigin, NewInterview,
    WorkerId,
};

pub const LEASE: Duration = Duration::from_secs(30);
pub const TENANT: &str = "acme";

/// What a test gets: the database and the URL to open more pools on it.
#[derive(Clone)]
pub struct TestDb {
    pub db: Db,
    pub url: String,
}

impl TestDb {
    /// Another pool on the same database: its own connections, as another
    /// worker process would have.
    pub async fn connect_another(&self) -> Db {
        Db::connect(&self.url, &options())
            .await
            .expect("a second pool connects")
    }

    /// A new interview (with its analyze job) for `tenant`.
    pub async fn interview(&self, tenant: &str, spec: &JobSpec) -> Interview {
        self.db
            .create_interview(new_interview(tenant), spec)
            .await
            .expect("interview created")
            .0
    }

    /// Claims exactly one analyze job for `worker`.
    pub async fn claim_one(&self, worker: &WorkerId) -> ClaimedJob {
        let mut claimed = self
            .db
            .claim(worker, &[JobKind::Analyze], 1, LEASE)
            .await
            .expect("claim succeeds");
        assert_eq!(claimed.len(), 1, "one job should be due");
        claimed.remove(0)
    }
}

/// One connection per pool: a call that needs a second connection while it
/// holds the first (a deadlock on a busy pool) fails here at once instead of
/// only under load. Concurrency comes from separate pools.
pub fn options() -> DbOptions {
    DbOptions {
        max_connections: 1,
        acquire_timeout: Duration::from_secs(20),
        sqlite_busy_timeout: Duration::from_secs(20),
    }
}

pub fn spec(max_attempts: u32) -> JobSpec {
    JobSpec::new(max_attempts, Duration::from_secs(600))
}

pub fn new_interview(tenant: &str) -> NewInterview {
    NewInterview {
        tenant: tenant.to_owned(),
        media_key: format!("development/{tenant}/answer.mp4"),
        media_origin: MediaOrigin::Uploaded,
        media_size: 1_234_567,
        content_type: "video/mp4".to_owned(),
        question: Some("Tell me about a project you led.".to_owned()),
        candidate_ref: Some("cand-1".to_owned()),
        language: Some("en".to_owned()),
        callback_url: None,
        file_name: None,
    }
}

/// Runs `test` on a fresh database of `backend`, then removes the database
/// whether the test passed or panicked.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on_scratch(backend, &options(), |db, url| {
        assert_eq!(db.backend(), backend);
        test(TestDb { db, url })
    })
    .await;
}
