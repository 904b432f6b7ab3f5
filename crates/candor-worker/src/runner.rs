//! What a pool runs for each job it claims: a [`JobRunner`] per job kind.

use candor_db::{ClaimedJob, Db, DbError, InterviewId, JobError, JobKind};
use futures::future::BoxFuture;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::child::ChildError;
use crate::webhook::WebhookError;

/// Does the work of one job kind. A pool claims only jobs of
/// [`JobRunner::kind`] and calls [`JobRunner::run`] once per attempt.
pub trait JobRunner: Send + Sync + 'static {
    fn kind(&self) -> JobKind;

    /// Runs one attempt. When [`JobContext::stop`] fires (timeout, cancel,
    /// lost lease, shutdown) the work must stop and the future return
    /// [`RunError::Stopped`] promptly; the pool drops a future that takes
    /// longer than a few seconds.
    fn run(&self, job: JobContext) -> BoxFuture<'static, Result<JobOutput, RunError>>;
}

/// What a successful attempt produced.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutput {
    /// An analyze job's result, stored with the job's completion.
    Analysis {
        report_json: String,
        overall_score: Option<f64>,
    },
    /// A job with nothing to store (a delivered webhook).
    Done,
}

/// One attempt of a job, as a runner sees it.
pub struct JobContext {
    pub db: Db,
    pub job: ClaimedJob,
    pub(crate) progress: watch::Sender<f64>,
    pub(crate) stop: CancellationToken,
}

impl JobContext {
    /// Records how far the attempt is (0..=1); the next heartbeat stores it.
    pub fn report_progress(&self, fraction: f64) {
        if fraction.is_finite() {
            self.progress.send_replace(fraction.clamp(0.0, 1.0));
        }
    }

    /// Fires when the pool wants the work stopped.
    pub fn stop(&self) -> &CancellationToken {
        &self.stop
    }

    /// The job's interview; every runner needs one.
    pub async fn interview(&self) -> Result<candor_db::Interview, RunError> {
        let id = self.job.fence.interview_id();
        self.db
            .interview_unscoped(id)
            .await?
            .ok_or_else(|| RunError::InterviewMissing(id.clone()))
    }
}

/// Why an attempt did not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Child(#[from] ChildError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error("interview {0} no longer exists")]
    InterviewMissing(InterviewId),
    #[error("reading the job's data failed: {0}")]
    Database(#[from] DbError),
    /// The work was stopped on the pool's request; the pool records why.
    #[error("the work was stopped")]
    Stopped,
    /// The runner panicked (a bug); the attempt fails and may be retried.
    #[error("the job runner panicked")]
    Panicked,
}

impl RunError {
    /// A stable code, stored as the job's and the interview's error code.
    pub fn code(&self) -> &str {
        match self {
            RunError::Child(error) => error.code(),
            RunError::Webhook(error) => error.code(),
            RunError::InterviewMissing(_) => "interview_missing",
            RunError::Database(error) => error.code(),
            RunError::Stopped => "stopped",
            RunError::Panicked => "worker_panicked",
        }
    }

    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            RunError::Child(error) => error.is_retryable(),
            RunError::Webhook(error) => error.is_retryable(),
            RunError::InterviewMissing(_) => false,
            RunError::Database(error) => error.is_transient(),
            RunError::Stopped | RunError::Panicked => true,
        }
    }

    pub fn to_job_error(&self) -> JobError {
        JobError {
            code: self.code().to_owned(),
            message: self.to_string(),
            retryable: self.is_retryable(),
        }
    }
}
