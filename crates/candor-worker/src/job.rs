//! One running job: its runner, a heartbeat that renews the lease, the
//! timeout, and what is written when it ends.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use candor_db::{ClaimedJob, DbError, FailOutcome, Fence, Heartbeat, JobError, Transition};
use futures::FutureExt;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::pool::Shared;
use crate::runner::{JobContext, JobOutput, RunError};

/// How long a stopped runner gets to return before its future is dropped.
const STOP_WAIT: Duration = Duration::from_secs(5);
/// After the grace period, how long a job's last write may keep failing
/// before the job is left to the rescuer.
const WRITE_WAIT_AFTER_STOP: Duration = Duration::from_secs(5);
const WRITE_RETRY_BASE: Duration = Duration::from_millis(200);
const WRITE_RETRY_MAX: Duration = Duration::from_secs(5);

/// The code of an attempt stopped at its timeout.
pub const TIMEOUT_CODE: &str = "timeout";

/// What the heartbeat learned that ends the attempt.
enum Signal {
    CancelRequested,
    LeaseLost,
}

/// Why the attempt ended.
enum Ending {
    Returned(Result<JobOutput, RunError>),
    TimedOut(Duration),
    CancelRequested,
    LeaseLost,
    Shutdown,
}

pub(crate) async fn run_job(shared: Arc<Shared>, job: ClaimedJob, progress: watch::Sender<f64>) {
    let fence = job.fence.clone();
    let timeout = if job.timeout.is_zero() {
        shared.config.job_timeout
    } else {
        job.timeout
    };
    let (signal_sender, mut signals) = mpsc::channel(1);
    let heartbeat = tokio::spawn(heartbeat_loop(
        shared.clone(),
        fence.clone(),
        progress.subscribe(),
        signal_sender,
    ));
    let stop = CancellationToken::new();
    let started = Instant::now();
    // A panicking runner fails its attempt instead of taking the slot with
    // it.
    let mut run = AssertUnwindSafe(shared.runner.run(JobContext {
        db: shared.db.clone(),
        job: job.clone(),
        progress,
        stop: stop.clone(),
    }))
    .catch_unwind()
    .map(|outcome| outcome.unwrap_or(Err(RunError::Panicked)));
    let ending = tokio::select! {
        result = &mut run => Ending::Returned(result),
        Some(signal) = signals.recv() => match signal {
            Signal::CancelRequested => Ending::CancelRequested,
            Signal::LeaseLost => Ending::LeaseLost,
        },
        () = tokio::time::sleep(timeout) => Ending::TimedOut(timeout),
        () = shared.hard_stop.cancelled() => Ending::Shutdown,
    };
    if !matches!(ending, Ending::Returned(_)) {
        stop.cancel();
        if tokio::time::timeout(STOP_WAIT, run).await.is_err() {
            tracing::error!(job_id = %fence.job_id(), "runner did not stop within {STOP_WAIT:?}; dropped");
        }
    }
    let ran_for = started.elapsed();
    // The heartbeat keeps the lease while the outcome is written (which may
    // wait out a database outage).
    record(&shared, &fence, ending, ran_for).await;
    heartbeat.abort();
    shared.job_ended(&job);
}

/// How often the heartbeat loop looks at the progress, and the least
/// progress worth recording before the next heartbeat is due: the status
/// page then moves a point at a time instead of jumping every
/// `heartbeat_interval` (20 s by default).
const PROGRESS_CHECK: Duration = Duration::from_secs(1);
const PROGRESS_STEP: f64 = 0.01;

/// Renews the lease every `heartbeat_interval`, and sooner when the
/// progress has moved by `PROGRESS_STEP`; each renewal records the
/// progress and learns of a cancel request.
async fn heartbeat_loop(
    shared: Arc<Shared>,
    fence: Fence,
    progress: watch::Receiver<f64>,
    signals: mpsc::Sender<Signal>,
) {
    let every = shared.config.heartbeat_interval;
    let check = PROGRESS_CHECK.min(every);
    let mut ticks = tokio::time::interval_at(Instant::now() + check, check);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_beat = Instant::now();
    let mut recorded = 0.0;
    loop {
        ticks.tick().await;
        let fraction = *progress.borrow();
        if last_beat.elapsed() < every && fraction - recorded < PROGRESS_STEP {
            continue;
        }
        // A failed attempt also waits for the next step or interval, so an
        // outage is not retried every second.
        last_beat = Instant::now();
        recorded = fraction;
        let signal = match shared
            .db
            .heartbeat(&fence, shared.config.lease, Some(fraction))
            .await
        {
            Ok(Heartbeat::Held {
                cancel_requested: false,
            }) => continue,
            Ok(Heartbeat::Held {
                cancel_requested: true,
            }) => Signal::CancelRequested,
            Ok(Heartbeat::Lost) => Signal::LeaseLost,
            Err(error) => {
                // The next beat tries again; the work goes on meanwhile.
                shared.count_db_error("renewing a lease", &error);
                continue;
            }
        };
        // The job task may be past listening; either way this loop is done.
        let _ = signals.send(signal).await;
        return;
    }
}

/// Writes how the attempt ended and counts it.
async fn record(shared: &Shared, fence: &Fence, ending: Ending, ran_for: Duration) {
    let job_id = fence.job_id();
    if let Ending::Returned(_) = &ending {
        let mut state = shared.state();
        state.counters.runs_finished += 1;
        state.counters.run_seconds_total += ran_for.as_secs_f64();
    }
    match ending {
        Ending::Returned(Ok(output)) => complete(shared, fence, output).await,
        Ending::Returned(Err(error)) => {
            tracing::warn!(job_id = %job_id, code = error.code(), %error, "attempt failed");
            fail(shared, fence, &error.to_job_error()).await;
        }
        Ending::TimedOut(timeout) => {
            tracing::warn!(job_id = %job_id, ?timeout, "attempt timed out");
            shared.state().counters.timed_out += 1;
            // Not retried: the analysis of the same recording would take as
            // long again, so retrying would only spend more of the machine
            // (attempts × timeout) on a recording that cannot finish. An
            // operator can retry it (e.g. after raising JOB_TIMEOUT).
            let error = JobError {
                code: TIMEOUT_CODE.to_owned(),
                message: format!("the analysis ran longer than its timeout of {timeout:?}"),
                retryable: false,
            };
            fail(shared, fence, &error).await;
        }
        Ending::CancelRequested => {
            let cancelled = write(shared, "cancelling a job", || {
                shared.db.finish_cancelled(fence)
            });
            if let Some(Transition::Applied) = cancelled.await {
                shared.state().counters.cancelled += 1;
                tracing::info!(job_id = %job_id, "job cancelled");
            }
        }
        Ending::LeaseLost => {
            shared.state().counters.lost += 1;
            tracing::warn!(job_id = %job_id, "lease lost to another worker; work stopped, result dropped");
        }
        Ending::Shutdown => {
            let released = write(shared, "releasing a job", || shared.db.release(fence));
            if let Some(Transition::Applied) = released.await {
                shared.state().counters.released += 1;
                tracing::info!(job_id = %job_id, "job given back at shutdown");
            }
        }
    }
}

async fn complete(shared: &Shared, fence: &Fence, output: JobOutput) {
    let transition = match &output {
        JobOutput::Analysis {
            report_json,
            overall_score,
        } => {
            let write = || {
                shared
                    .db
                    .complete_analysis(fence, report_json, *overall_score)
            };
            match retry_transient(shared, "storing a result", write).await {
                Err(error) if error.is_client_error() => {
                    // The database refused the result itself (not JSON, a
                    // score that is not a number): it will not change.
                    let rejected = JobError {
                        code: "result_rejected".to_owned(),
                        message: format!("the result could not be stored: {error}"),
                        retryable: false,
                    };
                    return fail(shared, fence, &rejected).await;
                }
                result => result.ok(),
            }
        }
        JobOutput::Done => write(shared, "completing a job", || shared.db.complete(fence)).await,
    };
    match transition {
        Some(Transition::Applied) => {
            shared.state().counters.completed += 1;
            tracing::info!(job_id = %fence.job_id(), "job completed");
            if matches!(output, JobOutput::Analysis { .. }) {
                // The completion may have enqueued its webhook.
                shared.wake_claimers();
            }
        }
        Some(Transition::Lost) => lost(shared, fence),
        None => {}
    }
}

async fn fail(shared: &Shared, fence: &Fence, error: &JobError) {
    let policy = &shared.config.retry_policy;
    let outcome = write(shared, "recording a failure", || {
        shared.db.fail(fence, error, policy)
    });
    let Some(outcome) = outcome.await else { return };
    match outcome {
        FailOutcome::Retrying { run_at } => {
            shared.state().counters.retried += 1;
            tracing::info!(job_id = %fence.job_id(), run_at, "job will be retried");
        }
        FailOutcome::Failed => {
            shared.state().counters.failed += 1;
            tracing::warn!(job_id = %fence.job_id(), code = %error.code, "job failed");
            // The failure may have enqueued its webhook.
            shared.wake_claimers();
        }
        FailOutcome::Cancelled => shared.state().counters.cancelled += 1,
        FailOutcome::Lost => lost(shared, fence),
    }
}

fn lost(shared: &Shared, fence: &Fence) {
    shared.state().counters.lost += 1;
    tracing::warn!(job_id = %fence.job_id(), "lease lost before the outcome was written; dropped");
}

/// [`retry_transient`], logging a final error; `None` when the write did
/// not happen.
async fn write<T, F, Fut>(shared: &Shared, during: &str, call: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DbError>>,
{
    match retry_transient(shared, during, call).await {
        Ok(value) => Some(value),
        Err(error) => {
            tracing::error!(code = error.code(), %error, "giving up {during}");
            None
        }
    }
}

/// Runs `call` until it succeeds or fails for a reason other than the
/// database being unavailable. During an outage it keeps trying, so a
/// finished job's outcome is written when the database returns (if the
/// fence still holds); after the grace period of a shutdown it gives up
/// within [`WRITE_WAIT_AFTER_STOP`].
async fn retry_transient<T, F, Fut>(
    shared: &Shared,
    during: &str,
    mut call: F,
) -> Result<T, DbError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DbError>>,
{
    let mut backoff = Backoff::new(WRITE_RETRY_BASE, WRITE_RETRY_MAX);
    let mut give_up_at = None;
    loop {
        let error = match call().await {
            Err(error) if error.is_transient() => error,
            result => return result,
        };
        shared.count_db_error(during, &error);
        if shared.hard_stop.is_cancelled() {
            let give_up_at =
                *give_up_at.get_or_insert_with(|| Instant::now() + WRITE_WAIT_AFTER_STOP);
            if Instant::now() >= give_up_at {
                return Err(error);
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}
