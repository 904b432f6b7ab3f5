//! Numbers about the queue for metrics and the stats endpoints. Aggregates
//! that SQL would return as DECIMAL on MySQL (which the Any driver cannot
//! read) are computed here instead.

use std::time::Duration;

use serde::Serialize;

use crate::model::{millis, now_ms, EpochMillis, JobKind, JobState, WorkerId};
use crate::queue::RESCUES_COUNTER;
use crate::row::RowExt;
use crate::{Db, Result};

/// Completed run times read per [`Db::durations`] call: the newest ones,
/// enough for stable percentiles without reading a busy day's worth.
const DURATION_SAMPLE: i64 = 10_000;

/// Jobs of one kind in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCount {
    pub kind: JobKind,
    pub state: JobState,
    pub count: i64,
}

/// Jobs one worker is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkerLoad {
    pub worker: WorkerId,
    pub running: i64,
}

/// A snapshot of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    /// When the snapshot was taken.
    pub at: EpochMillis,
    /// Every kind and state, zeros included (steady metric series).
    pub counts: Vec<StateCount>,
    /// How long the oldest due pending job has been waiting since it became
    /// due; `None` when no pending job is due.
    pub oldest_pending_age_ms: Option<i64>,
    /// Pending jobs not yet due (waiting out a backoff or a delay).
    pub scheduled: i64,
    pub running_by_worker: Vec<WorkerLoad>,
    /// Running jobs whose lease has expired and that await the rescuer.
    pub expired_leases: i64,
    /// Leases rescued since the database was created.
    pub rescues_total: i64,
}

impl QueueStats {
    /// Jobs in `state`, of one kind or (`None`) of all kinds.
    pub fn count(&self, kind: Option<JobKind>, state: JobState) -> i64 {
        self.counts
            .iter()
            .filter(|c| c.state == state && kind.is_none_or(|kind| c.kind == kind))
            .map(|c| c.count)
            .sum()
    }
}

/// Run times (start of the final attempt to completion) of jobs completed
/// within a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DurationStats {
    pub count: usize,
    pub p50_ms: Option<i64>,
    pub p95_ms: Option<i64>,
    pub max_ms: Option<i64>,
}

/// Terminal failures sharing an error code within a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureCount {
    pub kind: JobKind,
    pub code: Option<String>,
    pub count: i64,
}

/// Completions within a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Throughput {
    pub completed: i64,
    pub window_ms: i64,
    pub per_minute: f64,
}

/// The nearest-rank percentile `p` (0..=1) of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

impl Db {
    pub async fn queue_stats(&self) -> Result<QueueStats> {
        let now = now_ms();
        let mut counts: Vec<StateCount> = JobKind::ALL
            .iter()
            .flat_map(|&kind| {
                JobState::ALL.iter().map(move |&state| StateCount {
                    kind,
                    state,
                    count: 0,
                })
            })
            .collect();
        let rows = sqlx::query("SELECT kind, state, COUNT(*) AS n FROM jobs GROUP BY kind, state")
            .fetch_all(self.pool())
            .await?;
        for row in &rows {
            let kind = row.word("kind", JobKind::parse)?;
            let state = row.word("state", JobState::parse)?;
            if let Some(slot) = counts
                .iter_mut()
                .find(|c| c.kind == kind && c.state == state)
            {
                slot.count = row.int("n")?;
            }
        }

        // The oldest due job's wait, and the jobs still waiting to become due.
        let pending = sqlx::query(
            "SELECT MIN(CASE WHEN run_at <= ? THEN run_at END) AS oldest_due, \
             COUNT(CASE WHEN run_at > ? THEN 1 END) AS scheduled \
             FROM jobs WHERE state = 'pending'",
        )
        .bind(now)
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        let oldest_due = pending.opt_int("oldest_due")?;
        let scheduled = pending.int("scheduled")?;

        let running = sqlx::query(
            "SELECT lease_owner, COUNT(*) AS n, \
             COUNT(CASE WHEN lease_expires_at < ? THEN 1 END) AS expired \
             FROM jobs WHERE state = 'running' GROUP BY lease_owner ORDER BY lease_owner",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let mut running_by_worker = Vec::with_capacity(running.len());
        let mut expired_leases = 0;
        for row in &running {
            expired_leases += row.int("expired")?;
            running_by_worker.push(WorkerLoad {
                worker: WorkerId::from_stored(row.text("lease_owner")?),
                running: row.int("n")?,
            });
        }

        let rescues_total = sqlx::query("SELECT value FROM queue_counters WHERE name = ?")
            .bind(RESCUES_COUNTER)
            .fetch_one(self.pool())
            .await?
            .int("value")?;

        Ok(QueueStats {
            at: now,
            counts,
            oldest_pending_age_ms: oldest_due.map(|due| now.saturating_sub(due)),
            scheduled,
            running_by_worker,
            expired_leases,
            rescues_total,
        })
    }

    /// Percentiles of the run times of `kind` jobs completed within the
    /// last `window`.
    pub async fn durations(&self, kind: JobKind, window: Duration) -> Result<DurationStats> {
        let since = now_ms().saturating_sub(millis(window));
        let rows = sqlx::query(
            "SELECT finished_at - started_at AS run_ms FROM jobs \
             WHERE state = 'completed' AND finished_at >= ? AND kind = ? \
             ORDER BY finished_at DESC LIMIT ?",
        )
        .bind(since)
        .bind(kind.as_str())
        .bind(DURATION_SAMPLE)
        .fetch_all(self.pool())
        .await?;
        let mut run_ms = rows
            .iter()
            .map(|row| row.int("run_ms"))
            .collect::<Result<Vec<_>>>()?;
        run_ms.sort_unstable();
        Ok(DurationStats {
            count: run_ms.len(),
            p50_ms: percentile(&run_ms, 0.50),
            p95_ms: percentile(&run_ms, 0.95),
            max_ms: run_ms.last().copied(),
        })
    }

    /// Jobs that failed for good within the last `window`, by kind and error
    /// code, most frequent first.
    pub async fn failures_by_code(&self, window: Duration) -> Result<Vec<FailureCount>> {
        let since = now_ms().saturating_sub(millis(window));
        let rows = sqlx::query(
            "SELECT kind, error_code, COUNT(*) AS n FROM jobs \
             WHERE state = 'failed' AND finished_at >= ? \
             GROUP BY kind, error_code ORDER BY n DESC, kind, error_code",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FailureCount {
                    kind: row.word("kind", JobKind::parse)?,
                    code: row.opt_text("error_code")?,
                    count: row.int("n")?,
                })
            })
            .collect()
    }

    /// `kind` jobs completed within the last `window`, and the rate per
    /// minute.
    pub async fn throughput(&self, kind: JobKind, window: Duration) -> Result<Throughput> {
        let window_ms = millis(window).max(1);
        let completed = sqlx::query(
            "SELECT COUNT(*) AS n FROM jobs WHERE state = 'completed' AND finished_at >= ? \
             AND kind = ?",
        )
        .bind(now_ms().saturating_sub(window_ms))
        .bind(kind.as_str())
        .fetch_one(self.pool())
        .await?
        .int("n")?;
        Ok(Throughput {
            completed,
            window_ms,
            per_minute: completed as f64 * 60_000.0 / window_ms as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<i64> = (1..=20).collect();
        assert_eq!(percentile(&values, 0.50), Some(10));
        assert_eq!(percentile(&values, 0.95), Some(19));
        assert_eq!(percentile(&values, 1.0), Some(20));
        assert_eq!(percentile(&[7], 0.95), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
