//! The webhook job that announces an analysis's final outcome. It is
//! enqueued in the transaction that records the outcome, so a crash can
//! lose neither one without the other.

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use super::insert_job;
use crate::model::{now_ms, InterviewId, JobKind};
use crate::row::RowExt;
use crate::{Db, DbError, Result};

/// What happened, stored as the webhook job's payload when the analysis
/// ended (the interview may change later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub event: EventKind,
    pub overall_score: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "interview.completed")]
    Completed,
    #[serde(rename = "interview.failed")]
    Failed,
}

impl Db {
    /// Inside the transaction that ended an analyze job for good: enqueues
    /// the webhook delivery of `event` when the interview has a callback
    /// URL. A delivery of an earlier outcome still pending is replaced by
    /// this one (its event is out of date); one already running finishes,
    /// and this one is then dropped (logged), never the outcome itself.
    pub(crate) async fn announce(
        &self,
        conn: &mut AnyConnection,
        interview_id: &InterviewId,
        event: &WebhookEvent,
    ) -> Result<()> {
        let has_callback = sqlx::query("SELECT callback_url FROM interviews WHERE id = ?")
            .bind(interview_id.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.opt_text("callback_url"))
            .transpose()?
            .flatten()
            .is_some();
        if !has_callback {
            return Ok(());
        }
        // Plain data: serializing cannot fail.
        let payload = serde_json::to_string(event).unwrap_or_default();
        let now = now_ms();
        let replaced = sqlx::query(
            "UPDATE jobs SET payload = ?, attempt = 0, run_at = ?, error_code = NULL, \
             last_error = NULL WHERE interview_id = ? AND kind = 'webhook' AND state = 'pending'",
        )
        .bind(&payload)
        .bind(now)
        .bind(interview_id.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if replaced > 0 {
            return Ok(());
        }
        let spec = &self.webhook_spec;
        match insert_job(
            conn,
            self.backend(),
            JobKind::Webhook,
            interview_id,
            Some(&payload),
            spec,
            now,
        )
        .await
        {
            Ok(job_id) => {
                tracing::info!(%interview_id, webhook_job = %job_id, "webhook enqueued");
                Ok(())
            }
            Err(DbError::Conflict(_)) => {
                tracing::warn!(%interview_id, "a webhook of this interview is being delivered; this outcome's is dropped");
                Ok(())
            }
            Err(error) => Err(error),
        }
    }
}
