//! What a pool reports about itself: its running jobs, whether memory holds
//! it back, and counters since it started (for `/metrics`).

use std::collections::BTreeMap;

use candor_db::{EpochMillis, InterviewId, JobId, JobKind, WorkerId};
use serde::Serialize;
use tokio::sync::watch;

/// A snapshot of a pool, from [`WorkerHandle::status`](crate::WorkerHandle::status).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkerStatus {
    pub worker_id: WorkerId,
    pub kind: JobKind,
    pub max_concurrent_jobs: u32,
    /// False once shutdown has begun.
    pub claiming: bool,
    pub running: Vec<RunningJob>,
    /// True while memory use is above the threshold: no new claims.
    pub throttled: bool,
    /// The last sample of the machine's memory use (0..=1); `None` where it
    /// cannot be read.
    pub memory_used_fraction: Option<f64>,
    pub memory_threshold: f64,
    pub counters: Counters,
}

/// A job the pool is running.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunningJob {
    pub job_id: JobId,
    pub interview_id: InterviewId,
    pub attempt: i64,
    /// 0..=1, as the runner last reported.
    pub progress: f64,
    pub started_at: EpochMillis,
}

/// Monotonic counts since the pool started.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counters {
    pub claimed: u64,
    pub completed: u64,
    /// Attempts that failed and were put back for a retry.
    pub retried: u64,
    /// Jobs that failed for good (not retryable or out of attempts).
    pub failed: u64,
    /// Attempts stopped at their timeout (also counted as retried or failed).
    pub timed_out: u64,
    pub cancelled: u64,
    /// Jobs given back unfinished at shutdown, their attempt not spent.
    pub released: u64,
    /// Attempts whose lease was lost (rescued, re-claimed elsewhere): their
    /// result was dropped.
    pub lost: u64,
    /// Expired leases (of any worker) this pool's rescuer took back.
    pub rescued: u64,
    /// Finished jobs deleted by this pool's pruner.
    pub pruned: u64,
    /// Database calls that failed (each retried later).
    pub db_errors: u64,
    /// Attempts whose runner returned (with a result or an error), and the
    /// sum of their run times: a mean duration for `/metrics`.
    pub runs_finished: u64,
    pub run_seconds_total: f64,
}

/// The mutable part of a pool, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct PoolState {
    pub running: BTreeMap<JobId, Tracked>,
    pub throttled: bool,
    pub memory_used_fraction: Option<f64>,
    pub claiming: bool,
    pub counters: Counters,
}

#[derive(Debug)]
pub(crate) struct Tracked {
    pub interview_id: InterviewId,
    pub attempt: i64,
    pub progress: watch::Receiver<f64>,
    pub started_at: EpochMillis,
}

impl PoolState {
    pub fn running_jobs(&self) -> Vec<RunningJob> {
        self.running
            .iter()
            .map(|(job_id, tracked)| RunningJob {
                job_id: *job_id,
                interview_id: tracked.interview_id.clone(),
                attempt: tracked.attempt,
                progress: *tracked.progress.borrow(),
                started_at: tracked.started_at,
            })
            .collect()
    }
}
