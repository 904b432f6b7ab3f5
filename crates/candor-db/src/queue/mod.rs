//! The job queue: durable jobs in the `jobs` table, claimed with leases and
//! moved only through fenced transitions.
//!
//! A job's life: `pending` → (claim) `running` → `completed` | `failed` |
//! `cancelled`, or back to `pending` (a retry after a failure, a rescued
//! lease, a graceful release). The rules, after River and Oban:
//! - the attempt is counted when a job is claimed, so a job that kills its
//!   worker still runs out of attempts;
//! - a running job is leased to one worker ([`WorkerId`], fresh on every
//!   boot) until `lease_expires_at`, renewed by [`Db::heartbeat`];
//!   [`Db::rescue_expired`] takes back the jobs whose lease ran out;
//! - every transition of a running job checks its [`Fence`] (id, state,
//!   lease owner, attempt) and reports [`Transition::Lost`] when it no
//!   longer holds, so a worker whose job was rescued and re-claimed cannot
//!   touch the new attempt.
//!
//! [`Db::heartbeat`]: crate::Db::heartbeat
//! [`Db::rescue_expired`]: crate::Db::rescue_expired

mod admin;
mod announce;
mod claim;
mod lease;

use std::time::Duration;

use rand::Rng;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

use crate::error::{DbError, Result};
use crate::interviews::{set_interview_status, StatusChange};
use crate::model::{
    millis, EpochMillis, InterviewId, InterviewStatus, Job, JobId, JobKind, JobState, WorkerId,
};
use crate::row::RowExt;
use crate::{execute_insert, insert_sql, Backend};

pub use admin::{
    CancelOutcome, JobFilter, RescueOutcome, Rescued, LEASE_EXPIRED, MAX_JOB_LIST_LIMIT,
};
pub use announce::{EventKind, WebhookEvent};
pub use claim::{ClaimPlan, ClaimedJob};
pub use lease::{FailOutcome, Heartbeat, Transition};

/// How a new job runs.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    /// Attempts before the job fails for good (at least 1).
    pub max_attempts: u32,
    /// How long one attempt may run; enforced by the worker, stored so that
    /// every worker applies the value the job was created with.
    pub timeout: Duration,
    /// Not claimable before this much time has passed.
    pub delay: Duration,
}

impl JobSpec {
    pub fn new(max_attempts: u32, timeout: Duration) -> Self {
        JobSpec {
            max_attempts,
            timeout,
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.max_attempts == 0 {
            return Err(DbError::InvalidInput(
                "max_attempts must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// Proof of a claim: which job, claimed by which worker, for which attempt.
/// Only [`Db::claim`](crate::Db::claim) makes one. Every transition of the
/// job checks all three against the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    job_id: JobId,
    worker: WorkerId,
    attempt: i64,
    // Immutable facts of the job, carried so that transitions know what to
    // update without reading the row first.
    kind: JobKind,
    interview_id: InterviewId,
}

impl Fence {
    pub fn job_id(&self) -> JobId {
        self.job_id
    }
    pub fn worker(&self) -> &WorkerId {
        &self.worker
    }
    pub fn attempt(&self) -> i64 {
        self.attempt
    }
    pub fn kind(&self) -> JobKind {
        self.kind
    }
    pub fn interview_id(&self) -> &InterviewId {
        &self.interview_id
    }
}

/// Why an attempt failed, decided where the failure happened.
#[derive(Debug, Clone, PartialEq)]
pub struct JobError {
    /// A stable code (e.g. `media_unsupported`), cut to
    /// [`limits::ERROR_CODE`](crate::limits::ERROR_CODE) characters.
    pub code: String,
    /// Cut to [`limits::ERROR_MESSAGE`](crate::limits::ERROR_MESSAGE)
    /// characters.
    pub message: String,
    /// Whether another attempt may succeed (a transient outage) or not (bad
    /// media).
    pub retryable: bool,
}

/// Exponential backoff with jitter: attempt `n` waits
/// `min(base · 2^(n−1), max) · (1 + jitter · u)`, `u` uniform in `[0, 1)`.
/// The jitter spreads retries of jobs that failed together.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    /// Fraction of the delay added at random, clamped to `[0, 1]`.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(600),
            jitter: 0.25,
        }
    }
}

impl RetryPolicy {
    /// The wait before retrying after failed attempt `attempt` (1-based).
    pub fn delay(&self, attempt: i64) -> Duration {
        self.delay_at(attempt, rand::rng().random::<f64>())
    }

    /// The delay for a given draw `unit` in `[0, 1)`.
    fn delay_at(&self, attempt: i64, unit: f64) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 62)).unwrap_or(62);
        let exponential = self
            .base
            .checked_mul(2u32.checked_pow(doublings.min(31)).unwrap_or(u32::MAX))
            .unwrap_or(self.max)
            .min(self.max);
        let jitter = if self.jitter.is_finite() {
            self.jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        exponential.mul_f64(1.0 + jitter * unit)
    }
}

pub(crate) const JOB_COLUMNS: &str = "id, kind, interview_id, payload, state, attempt, \
     max_attempts, run_at, lease_owner, lease_expires_at, cancel_requested, error_code, \
     last_error, timeout_ms, created_at, started_at, finished_at";

pub(crate) fn job_from_row(row: &AnyRow) -> Result<Job> {
    Ok(Job {
        id: JobId(row.int("id")?),
        kind: row.word("kind", JobKind::parse)?,
        interview_id: InterviewId::from_stored(row.text("interview_id")?),
        payload: row.opt_text("payload")?,
        state: row.word("state", JobState::parse)?,
        attempt: row.int("attempt")?,
        max_attempts: row.int("max_attempts")?,
        run_at: row.int("run_at")?,
        lease_owner: row.opt_text("lease_owner")?.map(WorkerId::from_stored),
        lease_expires_at: row.opt_int("lease_expires_at")?,
        cancel_requested: row.int("cancel_requested")? != 0,
        error_code: row.opt_text("error_code")?,
        last_error: row.opt_text("last_error")?,
        timeout_ms: row.int("timeout_ms")?,
        created_at: row.int("created_at")?,
        started_at: row.opt_int("started_at")?,
        finished_at: row.opt_int("finished_at")?,
    })
}

/// Inserts a pending job inside the caller's transaction. A second active
/// job for the same interview and kind breaks `jobs_one_active` and comes
/// back as [`DbError::Conflict`].
pub(crate) async fn insert_job(
    conn: &mut AnyConnection,
    backend: Backend,
    kind: JobKind,
    interview_id: &InterviewId,
    payload: Option<&str>,
    spec: &JobSpec,
    now: EpochMillis,
) -> Result<JobId> {
    let sql = insert_sql(
        backend,
        "INSERT INTO jobs (kind, interview_id, payload, state, attempt, max_attempts, run_at, \
         cancel_requested, timeout_ms, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, 0, ?, ?)",
    );
    let query = sqlx::query(&sql)
        .bind(kind.as_str())
        .bind(interview_id.as_str())
        .bind(payload)
        .bind(i64::from(spec.max_attempts))
        .bind(now.saturating_add(millis(spec.delay)))
        .bind(millis(spec.timeout))
        .bind(now);
    let id = execute_insert(query, conn, backend)
        .await
        .map_err(|error| match error {
            DbError::Conflict(_) => DbError::Conflict(format!(
                "interview {interview_id} already has an active {kind} job"
            )),
            DbError::NotFound(_) => DbError::NotFound(format!("interview {interview_id}")),
            other => other,
        })?;
    Ok(JobId(id))
}

/// Mirrors a move of an analyze job onto its interview; other kinds leave
/// the interview alone.
pub(crate) async fn mirror_on_interview(
    conn: &mut AnyConnection,
    kind: JobKind,
    interview_id: &InterviewId,
    change: StatusChange<'_>,
    now: EpochMillis,
) -> Result<()> {
    if kind == JobKind::Analyze {
        set_interview_status(conn, interview_id, change, now).await?;
    }
    Ok(())
}

/// The interview change for a job that went back to pending or was
/// enqueued anew.
pub(crate) fn back_to_pending() -> StatusChange<'static> {
    StatusChange {
        status: InterviewStatus::Pending,
        error: None,
        progress: Some(0.0),
    }
}

/// The `queue_counters` row counting rescued leases; kept apart from the
/// jobs so that pruning does not reset it.
pub(crate) const RESCUES_COUNTER: &str = "rescues";

pub(crate) async fn add_to_counter(
    conn: &mut AnyConnection,
    counter: &str,
    amount: i64,
) -> Result<()> {
    sqlx::query("UPDATE queue_counters SET value = value + ? WHERE name = ?")
        .bind(amount)
        .bind(counter)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(2),
            max: Duration::from_secs(60),
            jitter: 0.5,
        }
    }

    #[test]
    fn backoff_doubles_per_attempt_and_stops_at_the_maximum() {
        let policy = policy();
        let delays: Vec<u64> = (1..=7)
            .map(|attempt| policy.delay_at(attempt, 0.0).as_secs())
            .collect();
        assert_eq!(delays, [2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(policy.delay_at(1_000_000, 0.0), Duration::from_secs(60));
    }

    #[test]
    fn jitter_adds_at_most_its_fraction() {
        let policy = policy();
        assert_eq!(policy.delay_at(1, 0.0), Duration::from_secs(2));
        let most = policy.delay_at(1, 0.999);
        assert!(most > Duration::from_millis(2998) && most < Duration::from_secs(3));
        let wild = RetryPolicy {
            jitter: f64::NAN,
            ..policy
        };
        assert_eq!(wild.delay_at(2, 0.9), Duration::from_secs(4));
    }
}
