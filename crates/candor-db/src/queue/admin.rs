//! Enqueueing, admin actions (cancel, retry, listing) and upkeep (rescuing
//! expired leases, pruning finished jobs).

use std::time::Duration;

use serde::Serialize;

use super::lease::{leave_running, Exit};
use super::{
    add_to_counter, back_to_pending, insert_job, job_from_row, mirror_on_interview, Fence, JobSpec,
    JOB_COLUMNS, RESCUES_COUNTER,
};
use crate::interviews::StatusChange;
use crate::model::{
    millis, now_ms, EpochMillis, InterviewId, InterviewStatus, Job, JobId, JobKind, JobState,
    WorkerId,
};
use crate::row::RowExt;
use crate::{decode_all, Db, DbError, Result};

/// Expired leases handled per [`Db::rescue_expired`] call; the rest wait
/// for the next call.
const RESCUE_BATCH: i64 = 500;
/// Rows deleted per statement by [`Db::prune`], to keep each transaction
/// (and MySQL's undo log) short.
const PRUNE_BATCH: i64 = 1000;
/// Longest page [`Db::list_jobs`] returns.
pub const MAX_JOB_LIST_LIMIT: u32 = 500;

/// What [`Db::cancel`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CancelOutcome {
    /// The job was pending and is now cancelled.
    Cancelled,
    /// The job is running; its worker sees the request on its next
    /// heartbeat, stops and calls [`Db::finish_cancelled`].
    Requested,
    /// The job had already finished in this state.
    AlreadyFinished(JobState),
}

/// Where a rescued job went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RescueOutcome {
    /// Pending again, due at once.
    Requeued,
    /// Out of attempts: failed with code `lease_expired`.
    Failed,
    /// A cancel had been requested: cancelled.
    Cancelled,
}

/// A running job whose lease had expired, taken back by the rescuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rescued {
    pub job_id: JobId,
    pub interview_id: InterviewId,
    /// The worker whose lease expired.
    pub worker: WorkerId,
    pub outcome: RescueOutcome,
}

/// Which jobs [`Db::list_jobs`] returns; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    pub state: Option<JobState>,
    pub kind: Option<JobKind>,
    pub interview_id: Option<InterviewId>,
}

/// The error code a job gets when its worker stopped renewing the lease.
pub const LEASE_EXPIRED: &str = "lease_expired";

impl Db {
    /// Adds a pending job for an existing interview (a webhook delivery, a
    /// new analysis). [`DbError::Conflict`] when the interview already has
    /// an active job of that kind; [`DbError::NotFound`] when the interview
    /// does not exist. A new analyze job sets the interview back to pending.
    #[tracing::instrument(level = "debug", skip(self, payload, spec), fields(interview_id = %interview_id))]
    pub async fn enqueue(
        &self,
        kind: JobKind,
        interview_id: &InterviewId,
        payload: Option<&str>,
        spec: &JobSpec,
    ) -> Result<JobId> {
        spec.validate()?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let job_id = insert_job(
            &mut tx,
            self.backend(),
            kind,
            interview_id,
            payload,
            spec,
            now,
        )
        .await?;
        mirror_on_interview(&mut tx, kind, interview_id, back_to_pending(), now).await?;
        tx.commit().await?;
        tracing::debug!(job_id = %job_id, interview_id = %interview_id, %kind, "job enqueued");
        Ok(job_id)
    }

    pub async fn job(&self, id: JobId) -> Result<Option<Job>> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// When the running attempt at analysing `interview` started; `None`
    /// when none is running. With the interview's progress, how fast the
    /// analysis goes.
    pub async fn analysis_started_at(
        &self,
        interview: &InterviewId,
    ) -> Result<Option<EpochMillis>> {
        let row = sqlx::query(
            "SELECT started_at FROM jobs WHERE interview_id = ? AND kind = ? AND state = 'running'",
        )
        .bind(interview.as_str())
        .bind(JobKind::Analyze.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .map(|row| row.opt_int("started_at"))
            .transpose()?
            .flatten())
    }

    /// The newest jobs matching `filter`, at most `limit` (capped at
    /// [`MAX_JOB_LIST_LIMIT`]).
    pub async fn list_jobs(&self, filter: &JobFilter, limit: u32) -> Result<Vec<Job>> {
        let mut conditions = Vec::new();
        if filter.state.is_some() {
            conditions.push("state = ?");
        }
        if filter.kind.is_some() {
            conditions.push("kind = ?");
        }
        if filter.interview_id.is_some() {
            conditions.push("interview_id = ?");
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs {where_clause} ORDER BY id DESC LIMIT ?");
        let mut query = sqlx::query(&sql);
        if let Some(state) = filter.state {
            query = query.bind(state.as_str());
        }
        if let Some(kind) = filter.kind {
            query = query.bind(kind.as_str());
        }
        if let Some(interview_id) = &filter.interview_id {
            query = query.bind(interview_id.as_str());
        }
        let limit = i64::from(limit.min(MAX_JOB_LIST_LIMIT));
        let rows = query.bind(limit).fetch_all(self.pool()).await?;
        decode_all(&rows, job_from_row)
    }

    /// Cancels a job: a pending one at once, a running one by asking its
    /// worker (see [`CancelOutcome::Requested`]).
    #[tracing::instrument(level = "debug", skip(self), fields(job_id = %id))]
    pub async fn cancel(&self, id: JobId) -> Result<CancelOutcome> {
        let job = self.existing_job(id).await?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let cancelled = sqlx::query(
            "UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ? AND state = 'pending'",
        )
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if cancelled == 1 {
            let change = StatusChange {
                status: InterviewStatus::Cancelled,
                error: None,
                progress: None,
            };
            mirror_on_interview(&mut tx, job.kind, &job.interview_id, change, now).await?;
            tx.commit().await?;
            return Ok(CancelOutcome::Cancelled);
        }
        let requested =
            sqlx::query("UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'")
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        if requested == 1 {
            return Ok(CancelOutcome::Requested);
        }
        // Neither pending nor running: finished (perhaps a moment ago).
        let job = self.existing_job(id).await?;
        Ok(CancelOutcome::AlreadyFinished(job.state))
    }

    /// Admin: runs a failed or cancelled job again with a fresh set of
    /// attempts, due now. [`DbError::InvalidTransition`] for a job in any
    /// other state; [`DbError::Conflict`] when its interview has another
    /// active job of the same kind.
    #[tracing::instrument(level = "debug", skip(self), fields(job_id = %id))]
    pub async fn retry(&self, id: JobId) -> Result<()> {
        let job = self.existing_job(id).await?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let reset = sqlx::query(
            "UPDATE jobs SET state = 'pending', attempt = 0, run_at = ?, cancel_requested = 0, \
             lease_owner = NULL, lease_expires_at = NULL, error_code = NULL, last_error = NULL, \
             started_at = NULL, finished_at = NULL \
             WHERE id = ? AND state IN ('failed', 'cancelled')",
        )
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(|error| match DbError::from(error) {
            DbError::Conflict(_) => DbError::Conflict(format!(
                "interview {} already has an active {} job",
                job.interview_id, job.kind
            )),
            other => other,
        })?
        .rows_affected();
        if reset != 1 {
            // Read through the transaction: a second pool connection could
            // wait forever on a pool of one.
            let state = sqlx::query("SELECT state FROM jobs WHERE id = ?")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.text("state"))
                .transpose()?;
            return Err(match state {
                Some(state) => DbError::InvalidTransition {
                    job_id: id.0,
                    state,
                    operation: "retry",
                },
                None => DbError::NotFound(format!("job {id}")),
            });
        }
        mirror_on_interview(&mut tx, job.kind, &job.interview_id, back_to_pending(), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes back running jobs whose lease expired before `now` (their
    /// worker died or hung): pending again while attempts are left,
    /// otherwise failed with code `lease_expired` (cancelled if a cancel was
    /// requested). Each rescue is fenced on the expired lease, so a worker
    /// that renews or finishes at the same moment wins cleanly. Adds to the
    /// rescue counter in [`Db::queue_stats`].
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn rescue_expired(&self, now: EpochMillis) -> Result<Vec<Rescued>> {
        let rows = sqlx::query(
            "SELECT id, kind, interview_id, lease_owner, attempt FROM jobs \
             WHERE state = 'running' AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?",
        )
        .bind(now)
        .bind(RESCUE_BATCH)
        .fetch_all(self.pool())
        .await?;
        let mut rescued = Vec::new();
        for row in &rows {
            let fence = Fence {
                job_id: JobId(row.int("id")?),
                worker: WorkerId::from_stored(row.text("lease_owner")?),
                attempt: row.int("attempt")?,
                kind: row.word("kind", JobKind::parse)?,
                interview_id: InterviewId::from_stored(row.text("interview_id")?),
            };
            let message = format!(
                "the lease of worker {} on attempt {} expired",
                fence.worker, fence.attempt
            );
            let exits = [
                Exit::Retry {
                    run_at: None,
                    code: LEASE_EXPIRED,
                    message: &message,
                },
                Exit::Cancelled {
                    only_if_requested: true,
                },
                Exit::Failed {
                    code: LEASE_EXPIRED,
                    message: &message,
                },
            ];
            let mut tx = self.begin_write().await?;
            let outcome = match leave_running(&mut tx, &fence, &exits, Some(now), now).await? {
                None => continue,
                Some(Exit::Retry { .. }) => RescueOutcome::Requeued,
                Some(Exit::Cancelled { .. }) => RescueOutcome::Cancelled,
                Some(_) => RescueOutcome::Failed,
            };
            if outcome == RescueOutcome::Failed {
                self.announce_failure(&mut tx, &fence).await?;
            }
            add_to_counter(&mut tx, RESCUES_COUNTER, 1).await?;
            tx.commit().await?;
            tracing::warn!(job_id = %fence.job_id, interview_id = %fence.interview_id,
                worker = %fence.worker, attempt = fence.attempt, ?outcome, "expired lease rescued");
            rescued.push(Rescued {
                job_id: fence.job_id,
                interview_id: fence.interview_id,
                worker: fence.worker,
                outcome,
            });
        }
        Ok(rescued)
    }

    /// Deletes jobs that finished (completed, failed, cancelled) more than
    /// `older_than` ago; returns how many.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn prune(&self, older_than: Duration) -> Result<u64> {
        let cutoff = now_ms().saturating_sub(millis(older_than));
        // The id list goes through a derived table: MySQL can neither LIMIT
        // an IN subquery nor read the table a DELETE is deleting from.
        let sql = "DELETE FROM jobs WHERE id IN (SELECT id FROM (SELECT id FROM jobs \
                   WHERE state IN ('completed', 'failed', 'cancelled') AND finished_at < ? \
                   LIMIT ?) AS expired)";
        let mut total = 0;
        loop {
            let deleted = sqlx::query(sql)
                .bind(cutoff)
                .bind(PRUNE_BATCH)
                .execute(self.pool())
                .await?
                .rows_affected();
            total += deleted;
            if deleted < PRUNE_BATCH as u64 {
                return Ok(total);
            }
        }
    }

    async fn existing_job(&self, id: JobId) -> Result<Job> {
        self.job(id)
            .await?
            .ok_or_else(|| DbError::NotFound(format!("job {id}")))
    }
}
