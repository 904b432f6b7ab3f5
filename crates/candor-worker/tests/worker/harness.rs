//! What every worker test needs: a scratch database (SQLite file or a fresh
//! MariaDB database), pools running the test child, and ways to watch jobs
//! and child processes.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_db::testing::run_on_scratch;
use candor_db::{
    Backend, Db, DbOptions, Interview, Job, JobId, JobSpec, MediaOrigin, NewInterview, RetryPolicy,
};
use candor_worker::{ChildRunner, JobRunner, WorkerConfig, WorkerHandle, WorkerPool, WorkerStatus};
use tokio::sync::Notify;

pub const TENANT: &str = "acme";

/// A test's database and a directory where test children record their runs.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pub runs: tempfile::TempDir,
}

pub fn options() -> DbOptions {
    DbOptions {
        max_connections: 4,
        acquire_timeout: Duration::from_secs(5),
        sqlite_busy_timeout: Duration::from_secs(10),
    }
}

/// Fast settings: short heartbeats and backoffs, a 30-s safety poll (so a
/// test that finishes quickly relied on wake-ups and due times).
pub fn config() -> WorkerConfig {
    WorkerConfig {
        worker_name: "test".to_owned(),
        max_concurrent_jobs: 3,
        lease: Duration::from_secs(10),
        heartbeat_interval: Duration::from_millis(200),
        retry_policy: RetryPolicy {
            base: Duration::from_millis(50),
            max: Duration::from_millis(200),
            jitter: 0.0,
        },
        // Tests measure memory only where they mean to.
        memory_threshold: 1.0,
        ..WorkerConfig::default()
    }
}

pub fn spec(max_attempts: u32) -> JobSpec {
    JobSpec::new(max_attempts, Duration::from_secs(60))
}

/// One line of a child's runs file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub start_ns: u128,
    pub end_ns: Option<u128>,
    pub pid: i32,
}

impl TestDb {
    /// Another pool on the same database, as another process would have.
    pub async fn connect_another(&self) -> Db {
        Db::connect(&self.url, &options())
            .await
            .expect("a second pool connects")
    }

    /// An interview whose analysis the test child runs in `mode` (see
    /// `src/bin/candor-test-child.rs`).
    pub async fn submit(&self, mode: &str, spec: &JobSpec) -> (Interview, JobId) {
        self.submit_with_callback(mode, spec, None).await
    }

    pub async fn submit_with_callback(
        &self,
        mode: &str,
        spec: &JobSpec,
        callback_url: Option<String>,
    ) -> (Interview, JobId) {
        let new = NewInterview {
            tenant: TENANT.to_owned(),
            media_key: "development/acme/answer.mp4".to_owned(),
            media_origin: MediaOrigin::Uploaded,
            media_size: 1000,
            content_type: "video/mp4".to_owned(),
            question: Some(mode.to_owned()),
            candidate_ref: None,
            language: Some("en".to_owned()),
            callback_url,
            file_name: None,
        };
        self.db
            .create_interview(new, spec)
            .await
            .expect("interview created")
    }

    /// A runner of the test child, recording into this test's directory,
    /// with extra environment (e.g. a forced mode or a tag).
    pub fn child_runner(&self, env: &[(&str, &str)]) -> Arc<dyn JobRunner> {
        let mut vars = vec![(
            "CANDOR_TEST_CHILD_RUNS".into(),
            self.runs.path().as_os_str().to_owned(),
        )];
        vars.extend(env.iter().map(|(k, v)| ((*k).into(), (*v).into())));
        Arc::new(ChildRunner {
            program: PathBuf::from(env!("CARGO_BIN_EXE_candor-test-child")),
            args: Vec::new(),
            env: vars,
        })
    }

    /// A pool running the test child.
    pub fn start_pool(&self, config: WorkerConfig, wake: &Arc<Notify>) -> WorkerHandle {
        WorkerPool::start(
            self.db.clone(),
            config,
            self.child_runner(&[]),
            wake.clone(),
        )
    }

    /// The runs of the child for `interview`, in order.
    pub fn runs(&self, interview: &Interview) -> Vec<Run> {
        read_runs(&self.runs.path().join(format!("{}.runs", interview.id)))
    }

    pub async fn job(&self, id: JobId) -> Job {
        self.db
            .job(id)
            .await
            .expect("job read")
            .expect("job exists")
    }

    /// Waits until job `id` satisfies `done`, failing the test after
    /// `within`.
    pub async fn wait_for_job(
        &self,
        id: JobId,
        within: Duration,
        done: impl Fn(&Job) -> bool,
    ) -> Job {
        let start = Instant::now();
        loop {
            if let Ok(Some(job)) = self.db.job(id).await {
                if done(&job) {
                    return job;
                }
            }
            assert!(
                start.elapsed() < within,
                "job {id}: not done within {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn read_runs(path: &Path) -> Vec<Run> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut runs: Vec<Run> = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["start", ns, pid] => runs.push(Run {
                start_ns: ns.parse().expect("a time"),
                end_ns: None,
                pid: pid.parse().expect("a pid"),
            }),
            ["end", ns] => {
                runs.last_mut().expect("a start before an end").end_ns =
                    Some(ns.parse().expect("a time"));
            }
            _ => panic!("unexpected runs line {line:?}"),
        }
    }
    runs
}

/// Polls `probe` every 10 ms until it returns a value.
pub async fn wait_until<T, F, Fut>(within: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            start.elapsed() < within,
            "{what}: not reached within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The pool's status once it runs nothing: a job's row turns terminal a
/// moment before the pool has counted it.
pub async fn idle_status(pool: &WorkerHandle) -> WorkerStatus {
    wait_until(Duration::from_secs(10), "the pool is idle", || async {
        let status = pool.status();
        status.running.is_empty().then_some(status)
    })
    .await
}

/// Whether a process with this id exists (a reaped child does not).
pub fn process_exists(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Runs `test` on a fresh database of `backend`, then removes it whether
/// the test passed or panicked.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runs = tempfile::tempdir().expect("a directory for the runs files");
    run_on_scratch(backend, &options(), |db, url| {
        test(TestDb { db, url, runs })
    })
    .await;
}
