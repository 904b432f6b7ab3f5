//! Claiming due jobs, and what a poller needs to know about the next one.

use std::time::Duration;

use serde::Serialize;

use super::{job_from_row, Fence, JOB_COLUMNS};
use crate::interviews::StatusChange;
use crate::model::{millis, now_ms, EpochMillis, InterviewStatus, JobKind, WorkerId};
use crate::queue::mirror_on_interview;
use crate::row::RowExt;
use crate::{decode_all, placeholders, Backend, Db, DbError, Result};

/// A job a worker now holds. Pass its [`Fence`] to every later call.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub fence: Fence,
    pub payload: Option<String>,
    pub max_attempts: i64,
    /// How long this attempt may run.
    pub timeout: Duration,
    /// Renew with [`Db::heartbeat`] well before this.
    pub lease_expires_at: EpochMillis,
    pub created_at: EpochMillis,
}

/// Which index the claim's candidate query uses, as the database's planner
/// reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimPlan {
    /// The index name, `None` for a full scan.
    pub index: Option<String>,
    /// The planner's own description.
    pub plan: String,
}

/// Pending, due jobs of the given kinds, oldest due first. The ORDER BY
/// matches the `jobs_claim` index (state, run_at, id), so the database walks
/// the index and stops after LIMIT rows.
fn candidates_sql(backend: Backend, kinds: usize) -> String {
    // MySQL: lock the chosen rows and skip rows other claimers hold, so
    // concurrent claimers take disjoint jobs without waiting on each other.
    // SQLite has no row locks; the claim runs under BEGIN IMMEDIATE, which
    // admits one writer at a time.
    let lock = match backend {
        Backend::MySql => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    format!(
        "SELECT id FROM jobs WHERE state = 'pending' AND run_at <= ? AND kind IN ({}) \
         ORDER BY run_at, id LIMIT ?{lock}",
        placeholders(kinds)
    )
}

impl Db {
    /// Claims up to `free_slots` due jobs of `kinds` for `worker`, leasing
    /// each for `lease`: one short transaction that picks the jobs, marks
    /// them running (counting the attempt) and marks their interviews
    /// processing. Pass the worker's free capacity, never more: there is no
    /// prefetch.
    #[tracing::instrument(level = "debug", skip(self, kinds), fields(worker = %worker))]
    pub async fn claim(
        &self,
        worker: &WorkerId,
        kinds: &[JobKind],
        free_slots: u32,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>> {
        if free_slots == 0 || kinds.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let lease_expires_at = now.saturating_add(millis(lease));
        let mut tx = self.begin_write().await?;

        let candidates_sql = candidates_sql(self.backend(), kinds.len());
        let mut candidates = sqlx::query(&candidates_sql).bind(now);
        for kind in kinds {
            candidates = candidates.bind(kind.as_str());
        }
        let ids: Vec<i64> = candidates
            .bind(i64::from(free_slots))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.int("id"))
            .collect::<Result<_>>()?;
        if ids.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }

        let in_ids = placeholders(ids.len());
        let update = format!(
            "UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ?, \
             lease_expires_at = ?, started_at = ? WHERE state = 'pending' AND id IN ({in_ids})"
        );
        let mut query = sqlx::query(&update)
            .bind(worker.as_str())
            .bind(lease_expires_at)
            .bind(now);
        for id in &ids {
            query = query.bind(*id);
        }
        let updated = query.execute(&mut *tx).await?.rows_affected();
        if updated != ids.len() as u64 {
            // The candidates are locked (MySQL) or the write lock is held
            // (SQLite): nothing can have moved them in between.
            return Err(DbError::CorruptRow(format!(
                "claimed {updated} of {} locked candidate jobs",
                ids.len()
            )));
        }

        let select = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id IN ({in_ids}) ORDER BY id");
        let mut query = sqlx::query(&select);
        for id in &ids {
            query = query.bind(*id);
        }
        let jobs = decode_all(&query.fetch_all(&mut *tx).await?, job_from_row)?;

        for job in &jobs {
            let processing = StatusChange {
                status: InterviewStatus::Processing,
                error: None,
                progress: Some(0.0),
            };
            mirror_on_interview(&mut tx, job.kind, &job.interview_id, processing, now).await?;
        }
        tx.commit().await?;

        let claimed = jobs
            .into_iter()
            .map(|job| ClaimedJob {
                fence: Fence {
                    job_id: job.id,
                    worker: worker.clone(),
                    attempt: job.attempt,
                    kind: job.kind,
                    interview_id: job.interview_id,
                },
                payload: job.payload,
                max_attempts: job.max_attempts,
                timeout: Duration::from_millis(u64::try_from(job.timeout_ms).unwrap_or(0)),
                lease_expires_at,
                created_at: job.created_at,
            })
            .collect::<Vec<_>>();
        for job in &claimed {
            tracing::debug!(job_id = %job.fence.job_id, interview_id = %job.fence.interview_id,
                attempt = job.fence.attempt, worker = %worker, "job claimed");
        }
        Ok(claimed)
    }

    /// When the earliest pending job of `kinds` becomes due (possibly in the
    /// past), so a poller can sleep until then; `None` when nothing is
    /// pending.
    pub async fn next_run_at(&self, kinds: &[JobKind]) -> Result<Option<EpochMillis>> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT MIN(run_at) AS next_run_at FROM jobs WHERE state = 'pending' AND kind IN ({})",
            placeholders(kinds.len())
        );
        let mut query = sqlx::query(&sql);
        for kind in kinds {
            query = query.bind(kind.as_str());
        }
        query.fetch_one(self.pool()).await?.opt_int("next_run_at")
    }

    /// Asks the planner how it would run the claim's candidate query. A
    /// claim that does not use `jobs_claim` scans (and on MySQL locks) far
    /// more rows than it takes; worth a warning at start-up.
    pub async fn explain_claim(&self) -> Result<ClaimPlan> {
        let candidates = candidates_sql(self.backend(), JobKind::ALL.len());
        let kinds: Vec<&str> = JobKind::ALL.iter().map(|kind| kind.as_str()).collect();
        self.explain(&candidates, &kinds, Some(1)).await
    }

    /// The plan of `query`, bound with now, `kinds` and `limit` in that
    /// order, and the index it uses.
    async fn explain(&self, query: &str, kinds: &[&str], limit: Option<i64>) -> Result<ClaimPlan> {
        let sql = match self.backend() {
            Backend::MySql => format!("EXPLAIN FORMAT=JSON {query}"),
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {query}"),
        };
        let mut bound = sqlx::query(&sql).bind(now_ms());
        for kind in kinds {
            bound = bound.bind(*kind);
        }
        if let Some(limit) = limit {
            bound = bound.bind(limit);
        }
        let rows = bound.fetch_all(self.pool()).await?;
        match self.backend() {
            Backend::MySql => {
                // One row, one column named EXPLAIN, holding the plan as JSON.
                let plan = rows
                    .first()
                    .ok_or_else(|| DbError::CorruptRow("EXPLAIN returned no row".into()))?
                    .text("EXPLAIN")?;
                Ok(ClaimPlan {
                    index: json_string_field(&plan, "key"),
                    plan,
                })
            }
            Backend::Sqlite => {
                let plan = rows
                    .iter()
                    .map(|row| row.text("detail"))
                    .collect::<Result<Vec<_>>>()?
                    .join("\n");
                Ok(ClaimPlan {
                    index: sqlite_plan_index(&plan),
                    plan,
                })
            }
        }
    }
}

/// The probe's query: is any job of the given kinds due now? The same
/// WHERE and ORDER BY as the claim's candidates, so the planner walks
/// `jobs_claim` (state, run_at, id) and stops at the first due row of a
/// wanted kind; no lock, no transaction.
fn due_probe_sql(kinds: usize) -> String {
    format!(
        "SELECT 1 AS due FROM jobs WHERE state = 'pending' AND run_at <= ? AND kind IN ({}) \
         ORDER BY run_at, id LIMIT 1",
        placeholders(kinds)
    )
}

impl Db {
    /// Whether a pending job of `kinds` is due now: the cheap, read-only
    /// question a worker pool asks between claim rounds to learn of work
    /// enqueued by another process (whose wake-up it cannot hear). A plain
    /// consistent read (MySQL) or a WAL read (SQLite): it takes no lock and
    /// never waits on claimers. `true` is a hint, not a promise: another
    /// worker may claim the job first.
    pub async fn has_due_job(&self, kinds: &[JobKind]) -> Result<bool> {
        if kinds.is_empty() {
            return Ok(false);
        }
        let sql = due_probe_sql(kinds.len());
        let mut query = sqlx::query(&sql).bind(now_ms());
        for kind in kinds {
            query = query.bind(kind.as_str());
        }
        Ok(query.fetch_optional(self.pool()).await?.is_some())
    }

    /// Asks the planner how it would run [`Db::has_due_job`] for one kind
    /// (as each pool asks it). It must walk `jobs_claim`, not scan.
    pub async fn explain_due_probe(&self) -> Result<ClaimPlan> {
        self.explain(&due_probe_sql(1), &[JobKind::Analyze.as_str()], None)
            .await
    }
}

/// The first `"name": "value"` string field in a JSON text, wherever it is
/// nested (MySQL and MariaDB nest the table access differently).
fn json_string_field(json: &str, name: &str) -> Option<String> {
    let pattern = format!("\"{name}\":");
    let start = json.find(&pattern)? + pattern.len();
    let rest = json[start..].trim_start().strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

/// The index in a SQLite plan line such as
/// `SEARCH jobs USING INDEX jobs_claim (state=? AND run_at<?)`.
fn sqlite_plan_index(plan: &str) -> Option<String> {
    let after = plan.split("USING ").nth(1)?;
    let after = after.strip_prefix("COVERING ").unwrap_or(after);
    let name = after.strip_prefix("INDEX ")?;
    name.split_whitespace().next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_index_in_planner_output() {
        let mariadb = r#"{"query_block": {"select_id": 1, "table": {"table_name": "jobs",
            "access_type": "range", "possible_keys": ["jobs_claim"], "key": "jobs_claim"}}}"#;
        assert_eq!(
            json_string_field(mariadb, "key").as_deref(),
            Some("jobs_claim")
        );
        assert_eq!(json_string_field(r#"{"table": {}}"#, "key"), None);
        assert_eq!(
            sqlite_plan_index("SEARCH jobs USING COVERING INDEX jobs_claim (state=? AND run_at<?)")
                .as_deref(),
            Some("jobs_claim")
        );
        assert_eq!(sqlite_plan_index("SCAN jobs"), None);
    }

    #[test]
    fn the_probe_filters_by_kind_and_locks_nothing() {
        let probe = due_probe_sql(1);
        assert!(probe.contains("kind IN (?)"), "{probe}");
        assert!(probe.ends_with("LIMIT 1"), "{probe}");
        assert!(!probe.contains("FOR UPDATE"));
    }

    #[test]
    fn the_claim_locks_only_on_mysql() {
        assert!(candidates_sql(Backend::MySql, 2).ends_with("FOR UPDATE SKIP LOCKED"));
        assert!(!candidates_sql(Backend::Sqlite, 2).contains("FOR UPDATE"));
        assert!(candidates_sql(Backend::Sqlite, 2).contains("kind IN (?, ?)"));
    }
}
