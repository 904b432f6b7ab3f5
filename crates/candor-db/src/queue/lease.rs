//! What a worker does with a job it holds: renew the lease, and end the
//! attempt (complete, fail, release, stop after a cancel). Every statement
//! here is fenced.

use std::time::Duration;

use sqlx::AnyConnection;

use super::{
    back_to_pending, mirror_on_interview, EventKind, Fence, JobError, RetryPolicy, WebhookEvent,
};
use crate::interviews::{upsert_feedback, StatusChange};
use crate::model::{limits, millis, now_ms, truncate, EpochMillis, InterviewStatus, JobKind};
use crate::row::RowExt;
use crate::{AnyQuery, Db, DbError, Result};

/// The fence, as a WHERE clause; bind with [`bind_fence`].
const FENCE: &str = "id = ? AND state = 'running' AND lease_owner = ? AND attempt = ?";

fn bind_fence<'q>(query: AnyQuery<'q>, fence: &'q Fence) -> AnyQuery<'q> {
    query
        .bind(fence.job_id.0)
        .bind(fence.worker.as_str())
        .bind(fence.attempt)
}

/// What a heartbeat found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Heartbeat {
    /// The lease is renewed. Stop the work and call
    /// [`Db::finish_cancelled`] when `cancel_requested`.
    Held { cancel_requested: bool },
    /// The job is no longer this worker's (rescued, deleted): stop at once
    /// and write nothing.
    Lost,
}

/// Whether a fenced transition happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Transition {
    Applied,
    /// The fence no longer holds; nothing was changed.
    Lost,
}

/// Where a failed attempt left the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum FailOutcome {
    /// Pending again, not claimable before `run_at`.
    Retrying { run_at: EpochMillis },
    /// Failed for good (not retryable, or out of attempts); the interview
    /// carries the error.
    Failed,
    /// A cancel had been requested, so the job ends cancelled rather than
    /// retried.
    Cancelled,
    /// The fence no longer holds; nothing was changed.
    Lost,
}

/// Where a running job may go when its attempt ends. Each exit has its own
/// guard on top of the fence.
pub(crate) enum Exit<'a> {
    Completed,
    /// Pending again for another attempt, while attempts are left and no
    /// cancel was requested. `run_at: None` keeps the job due now.
    Retry {
        run_at: Option<EpochMillis>,
        code: &'a str,
        message: &'a str,
    },
    /// Pending again with the attempt given back (graceful shutdown),
    /// unless a cancel was requested.
    Release,
    Cancelled {
        only_if_requested: bool,
    },
    Failed {
        code: &'a str,
        message: &'a str,
    },
}

impl Exit<'_> {
    fn interview_change(&self) -> StatusChange<'_> {
        match self {
            Exit::Completed => StatusChange {
                status: InterviewStatus::Completed,
                error: None,
                progress: Some(1.0),
            },
            Exit::Retry { .. } | Exit::Release => back_to_pending(),
            Exit::Cancelled { .. } => StatusChange {
                status: InterviewStatus::Cancelled,
                error: None,
                progress: None,
            },
            Exit::Failed { code, message } => StatusChange {
                status: InterviewStatus::Failed,
                error: Some((code, message)),
                progress: None,
            },
        }
    }
}

/// Tries `exits` in order and applies the first whose guard holds, mirroring
/// it on the interview. `expired_before` narrows the fence to a lease that
/// ran out before that time (the rescuer). Returns the exit applied, `None`
/// when the fence does not hold.
pub(crate) async fn leave_running<'e, 'a>(
    conn: &mut AnyConnection,
    fence: &Fence,
    exits: &'e [Exit<'a>],
    expired_before: Option<EpochMillis>,
    now: EpochMillis,
) -> Result<Option<&'e Exit<'a>>> {
    for exit in exits {
        let (set, guard) = match exit {
            Exit::Completed => (
                "state = 'completed', lease_expires_at = NULL, finished_at = ?",
                "",
            ),
            Exit::Retry { .. } => (
                "state = 'pending', run_at = COALESCE(?, run_at), lease_owner = NULL, \
                 lease_expires_at = NULL, error_code = ?, last_error = ?",
                " AND attempt < max_attempts AND cancel_requested = 0",
            ),
            Exit::Release => (
                "state = 'pending', attempt = attempt - 1, lease_owner = NULL, \
                 lease_expires_at = NULL",
                " AND cancel_requested = 0",
            ),
            Exit::Cancelled { only_if_requested } => (
                "state = 'cancelled', lease_expires_at = NULL, finished_at = ?",
                if *only_if_requested {
                    " AND cancel_requested = 1"
                } else {
                    ""
                },
            ),
            Exit::Failed { .. } => (
                "state = 'failed', lease_expires_at = NULL, finished_at = ?, error_code = ?, \
                 last_error = ?",
                "",
            ),
        };
        let expiry = match expired_before {
            Some(_) => " AND lease_expires_at < ?",
            None => "",
        };
        let sql = format!("UPDATE jobs SET {set} WHERE {FENCE}{guard}{expiry}");
        let query = sqlx::query(&sql);
        let query = match exit {
            Exit::Completed | Exit::Cancelled { .. } => query.bind(now),
            Exit::Retry {
                run_at,
                code,
                message,
            } => query.bind(*run_at).bind(*code).bind(*message),
            Exit::Release => query,
            Exit::Failed { code, message } => query.bind(now).bind(*code).bind(*message),
        };
        let mut query = bind_fence(query, fence);
        if let Some(before) = expired_before {
            query = query.bind(before);
        }
        if query.execute(&mut *conn).await?.rows_affected() == 1 {
            mirror_on_interview(
                conn,
                fence.kind,
                &fence.interview_id,
                exit.interview_change(),
                now,
            )
            .await?;
            return Ok(Some(exit));
        }
    }
    Ok(None)
}

/// An error's code and message cut to what the columns hold.
pub(crate) fn error_text(error: &JobError) -> (&str, &str) {
    (
        truncate(&error.code, limits::ERROR_CODE),
        truncate(&error.message, limits::ERROR_MESSAGE),
    )
}

fn require_kind(fence: &Fence, analyze: bool, call: &str) -> Result<()> {
    if (fence.kind == JobKind::Analyze) != analyze {
        return Err(DbError::InvalidInput(format!(
            "{call} does not apply to {} job {}",
            fence.kind, fence.job_id
        )));
    }
    Ok(())
}

impl Db {
    /// Renews the lease to `lease` from now and, for an analyze job, records
    /// `progress` (0..=1) on the interview. Tells whether a cancel was
    /// requested.
    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %fence.job_id, attempt = fence.attempt))]
    pub async fn heartbeat(
        &self,
        fence: &Fence,
        lease: Duration,
        progress: Option<f64>,
    ) -> Result<Heartbeat> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let renew = format!("UPDATE jobs SET lease_expires_at = ? WHERE {FENCE}");
        let renewed = bind_fence(
            sqlx::query(&renew).bind(now.saturating_add(millis(lease))),
            fence,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if renewed != 1 {
            return Ok(Heartbeat::Lost);
        }
        let progress = progress
            .filter(|p| p.is_finite())
            .map(|p| p.clamp(0.0, 1.0));
        if let (Some(progress), JobKind::Analyze) = (progress, fence.kind) {
            sqlx::query("UPDATE interviews SET progress = ?, updated_at = ? WHERE id = ?")
                .bind(progress)
                .bind(now)
                .bind(fence.interview_id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let cancel_requested = sqlx::query("SELECT cancel_requested FROM jobs WHERE id = ?")
            .bind(fence.job_id.0)
            .fetch_one(&mut *tx)
            .await?
            .int("cancel_requested")?
            != 0;
        tx.commit().await?;
        Ok(Heartbeat::Held { cancel_requested })
    }

    /// Ends an analyze job: its feedback row, the job completed, the
    /// interview completed and the webhook job announcing it (when the
    /// interview has a callback URL), in one transaction. `report_json` must be JSON
    /// (the database checks).
    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %fence.job_id, interview_id = %fence.interview_id))]
    pub async fn complete_analysis(
        &self,
        fence: &Fence,
        report_json: &str,
        overall_score: Option<f64>,
    ) -> Result<Transition> {
        require_kind(fence, true, "complete_analysis")?;
        if overall_score.is_some_and(|score| !score.is_finite()) {
            return Err(DbError::InvalidInput(
                "overall_score is not a finite number".into(),
            ));
        }
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        if leave_running(&mut tx, fence, &[Exit::Completed], None, now)
            .await?
            .is_none()
        {
            return Ok(Transition::Lost);
        }
        upsert_feedback(
            &mut tx,
            self.backend(),
            &fence.interview_id,
            report_json,
            overall_score,
            now,
        )
        .await?;
        let event = WebhookEvent {
            event: EventKind::Completed,
            overall_score,
        };
        self.announce(&mut tx, &fence.interview_id, &event).await?;
        tx.commit().await?;
        Ok(Transition::Applied)
    }

    /// Ends a job of any kind but analyze (which completes with
    /// [`Db::complete_analysis`]).
    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %fence.job_id))]
    pub async fn complete(&self, fence: &Fence) -> Result<Transition> {
        require_kind(fence, false, "complete")?;
        self.leave_alone(fence, &[Exit::Completed]).await
    }

    /// Ends a failed attempt. A retryable error with attempts left puts the
    /// job back to pending, due after the policy's backoff; otherwise the
    /// job fails for good and, for an analyze job, the interview fails with
    /// the error's code and message and its webhook is enqueued in the same
    /// transaction.
    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %fence.job_id, attempt = fence.attempt, code = %error.code))]
    pub async fn fail(
        &self,
        fence: &Fence,
        error: &JobError,
        policy: &RetryPolicy,
    ) -> Result<FailOutcome> {
        let now = now_ms();
        let (code, message) = error_text(error);
        let run_at = now.saturating_add(millis(policy.delay(fence.attempt)));
        let retry_chain = [
            Exit::Retry {
                run_at: Some(run_at),
                code,
                message,
            },
            Exit::Cancelled {
                only_if_requested: true,
            },
            Exit::Failed { code, message },
        ];
        let exits: &[Exit] = if error.retryable {
            &retry_chain
        } else {
            &retry_chain[2..]
        };
        let mut tx = self.begin_write().await?;
        let outcome = match leave_running(&mut tx, fence, exits, None, now).await? {
            None => return Ok(FailOutcome::Lost),
            Some(Exit::Retry { .. }) => FailOutcome::Retrying { run_at },
            Some(Exit::Cancelled { .. }) => FailOutcome::Cancelled,
            Some(_) => FailOutcome::Failed,
        };
        if outcome == FailOutcome::Failed {
            self.announce_failure(&mut tx, fence).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// Gives the job back without spending its attempt (graceful shutdown):
    /// pending again and due at once, or cancelled if a cancel was
    /// requested meanwhile.
    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %fence.job_id))]
    pub async fn release(&self, fence: &Fence) -> Result<Transition> {
        self.leave_alone(
            fence,
            &[
                Exit::Release,
                Exit::Cancelled {
                    only_if_requested: true,
                },
            ],
        )
        .await
    }

    /// Ends a job the worker stopped because a cancel was requested.
    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %fence.job_id))]
    pub async fn finish_cancelled(&self, fence: &Fence) -> Result<Transition> {
        self.leave_alone(
            fence,
            &[Exit::Cancelled {
                only_if_requested: false,
            }],
        )
        .await
    }

    /// Announces that an analyze job failed for good (any other kind
    /// announces nothing).
    pub(crate) async fn announce_failure(
        &self,
        conn: &mut AnyConnection,
        fence: &Fence,
    ) -> Result<()> {
        if fence.kind != JobKind::Analyze {
            return Ok(());
        }
        let event = WebhookEvent {
            event: EventKind::Failed,
            overall_score: None,
        };
        self.announce(conn, &fence.interview_id, &event).await
    }

    /// A transition that writes nothing beyond the job and its interview.
    async fn leave_alone(&self, fence: &Fence, exits: &[Exit<'_>]) -> Result<Transition> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        if leave_running(&mut tx, fence, exits, None, now)
            .await?
            .is_none()
        {
            return Ok(Transition::Lost);
        }
        tx.commit().await?;
        Ok(Transition::Applied)
    }
}
