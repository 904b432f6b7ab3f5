//! How one job ends: completed, crashed and retried, timed out, cancelled,
//! or failed by a child that broke the protocol.

use std::sync::Arc;
use std::time::Duration;

use candor_db::JobKind;
use candor_db::{CancelOutcome, InterviewStatus, JobSpec, JobState};
use candor_worker::{
    JobContext, JobOutput, JobRunner, RunError, WorkerConfig, WorkerPool, TIMEOUT_CODE,
};
use futures::future::BoxFuture;
use tokio::sync::Notify;

use crate::harness::{config, idle_status, process_exists, spec, wait_until, TestDb, TENANT};

const WITHIN: Duration = Duration::from_secs(20);

pub async fn a_job_completes_with_exactly_one_feedback_row(t: TestDb) {
    let (interview, job_id) = t.submit("succeed:3:50", &spec(3)).await;
    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(config(), &wake);
    wake.notify_one();

    let job = t
        .wait_for_job(job_id, WITHIN, |job| job.state.is_terminal())
        .await;
    assert_eq!((job.state, job.attempt), (JobState::Completed, 1));
    assert_eq!(job.lease_owner.as_ref(), Some(pool.worker_id()));

    let feedback = t.db.feedback(TENANT, &interview.id).await.unwrap().unwrap();
    let report: serde_json::Value = serde_json::from_str(&feedback.report).unwrap();
    assert_eq!(report["interview_id"], interview.id.as_str());
    assert_eq!(feedback.overall_score, Some(73.5));
    let done =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(done.status, InterviewStatus::Completed);
    assert_eq!(done.progress, 1.0);
    assert_eq!(t.runs(&interview).len(), 1, "the child ran once");

    let status = idle_status(&pool).await;
    assert_eq!(status.counters.claimed, 1);
    assert_eq!(status.counters.completed, 1);
    assert_eq!(status.counters.runs_finished, 1);
    assert!(status.counters.run_seconds_total >= 0.15);
    pool.shutdown(Duration::from_secs(5)).await;
}

/// Progress reaches the interview as it moves, a point at a time, not only
/// at the heartbeat (here every 20 s, as by default).
pub async fn progress_is_recorded_as_it_moves_not_only_at_heartbeats(t: TestDb) {
    // Progress 0.25 after 1.5 s, 0.5 after 3 s, 0.75 after 4.5 s.
    let (interview, job_id) = t.submit("succeed:3:1500", &spec(3)).await;
    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(
        WorkerConfig {
            lease: Duration::from_secs(60),
            heartbeat_interval: Duration::from_secs(20),
            ..config()
        },
        &wake,
    );
    wake.notify_one();
    let seen = wait_until(Duration::from_secs(4), "progress while running", || async {
        let stored = t.db.interview(TENANT, &interview.id).await.ok()??;
        (stored.status == InterviewStatus::Processing && stored.progress > 0.0)
            .then_some(stored.progress)
    })
    .await;
    assert_eq!(seen, 0.25);
    let job = t
        .wait_for_job(job_id, WITHIN, |job| job.state.is_terminal())
        .await;
    assert_eq!(job.state, JobState::Completed);
    pool.shutdown(Duration::from_secs(5)).await;
}

pub async fn a_segfaulting_child_is_retried_then_fails_while_other_jobs_complete(t: TestDb) {
    let (crashing, crashing_job) = t.submit("segv", &spec(3)).await;
    let mut fine = Vec::new();
    for _ in 0..2 {
        fine.push(t.submit("succeed:2:100", &spec(3)).await);
    }
    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(config(), &wake);
    wake.notify_one();

    let job = t
        .wait_for_job(crashing_job, WITHIN, |job| job.state.is_terminal())
        .await;
    assert_eq!((job.state, job.attempt), (JobState::Failed, 3));
    assert_eq!(job.error_code.as_deref(), Some("worker_crashed"));
    let message = job.last_error.unwrap_or_default();
    assert!(message.contains("SIGSEGV"), "{message}");
    assert_eq!(t.runs(&crashing).len(), 3);
    for (interview, job_id) in &fine {
        let job = t
            .wait_for_job(*job_id, WITHIN, |job| job.state.is_terminal())
            .await;
        assert_eq!(job.state, JobState::Completed, "{interview:?}");
    }
    let counters = idle_status(&pool).await.counters;
    assert_eq!(
        (counters.retried, counters.failed, counters.completed),
        (2, 1, 2)
    );
    pool.shutdown(Duration::from_secs(5)).await;
}

pub async fn a_timeout_kills_the_child_within_a_second_of_the_deadline(t: TestDb) {
    let timeout = Duration::from_secs(1);
    // Attempts are left, yet a timed-out analysis is not retried: it would
    // take as long again.
    let (interview, job_id) = t.submit("sleep", &JobSpec::new(3, timeout)).await;
    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(config(), &wake);
    wake.notify_one();

    let job = t
        .wait_for_job(job_id, WITHIN, |job| job.state.is_terminal())
        .await;
    assert_eq!((job.state, job.attempt), (JobState::Failed, 1));
    assert_eq!(job.error_code.as_deref(), Some(TIMEOUT_CODE));
    let ran_ms = job.finished_at.unwrap() - job.started_at.unwrap();
    assert!(
        (1000..2000).contains(&ran_ms),
        "the job ended {ran_ms} ms after its start, with a 1 s timeout"
    );
    let runs = t.runs(&interview);
    assert_eq!(runs.len(), 1);
    assert!(
        !process_exists(runs[0].pid),
        "the child {} still exists",
        runs[0].pid
    );
    assert_eq!(idle_status(&pool).await.counters.timed_out, 1);
    pool.shutdown(Duration::from_secs(5)).await;
}

pub async fn cancelling_a_running_job_stops_its_child_and_ends_it_cancelled(t: TestDb) {
    let (interview, job_id) = t.submit("sleep", &spec(3)).await;
    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(config(), &wake);
    wake.notify_one();
    let run = wait_until(WITHIN, "the child starts", || async {
        t.runs(&interview).first().copied()
    })
    .await;

    assert_eq!(t.db.cancel(job_id).await.unwrap(), CancelOutcome::Requested);
    let job = t
        .wait_for_job(job_id, WITHIN, |job| job.state.is_terminal())
        .await;
    assert_eq!((job.state, job.attempt), (JobState::Cancelled, 1));
    assert!(
        !process_exists(run.pid),
        "the child {} still exists",
        run.pid
    );
    let cancelled =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(cancelled.status, InterviewStatus::Cancelled);
    assert_eq!(idle_status(&pool).await.counters.cancelled, 1);
    pool.shutdown(Duration::from_secs(5)).await;
}

pub async fn children_that_break_the_protocol_fail_with_clear_codes(t: TestDb) {
    let cases = [
        ("garbage", "protocol_error", "not JSON"),
        ("exit:0", "protocol_error", "without a report"),
        ("exit:3", "worker_crashed", "exit status 3"),
        (
            "error:media_unsupported",
            "media_unsupported",
            "no audio track",
        ),
        ("huge", "report_too_large", "longer than"),
    ];
    let mut jobs = Vec::new();
    for (mode, _, _) in cases {
        jobs.push(t.submit(mode, &spec(1)).await.1);
    }
    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(config(), &wake);
    wake.notify_one();
    for ((mode, code, message), job_id) in cases.into_iter().zip(jobs) {
        let job = t
            .wait_for_job(job_id, WITHIN, |job| job.state.is_terminal())
            .await;
        assert_eq!(job.state, JobState::Failed, "{mode}");
        assert_eq!(job.error_code.as_deref(), Some(code), "{mode}");
        let last_error = job.last_error.unwrap_or_default();
        assert!(last_error.contains(message), "{mode}: {last_error}");
    }
    pool.shutdown(Duration::from_secs(5)).await;
}

/// A runner with a bug.
struct Panicking;

impl JobRunner for Panicking {
    fn kind(&self) -> JobKind {
        JobKind::Analyze
    }

    fn run(&self, _job: JobContext) -> BoxFuture<'static, Result<JobOutput, RunError>> {
        Box::pin(async { panic!("a bug in the runner") })
    }
}

pub async fn a_panicking_runner_fails_the_attempt_and_frees_the_slot(t: TestDb) {
    let config = WorkerConfig {
        max_concurrent_jobs: 1,
        ..config()
    };
    let jobs = [
        t.submit("any", &spec(1)).await.1,
        t.submit("any", &spec(1)).await.1,
    ];
    let wake = Arc::new(Notify::new());
    let pool = WorkerPool::start(t.db.clone(), config, Arc::new(Panicking), wake.clone());
    wake.notify_one();
    for job_id in jobs {
        let job = t
            .wait_for_job(job_id, WITHIN, |job| job.state.is_terminal())
            .await;
        assert_eq!(job.state, JobState::Failed);
        assert_eq!(job.error_code.as_deref(), Some("worker_panicked"));
    }
    assert_eq!(idle_status(&pool).await.counters.failed, 2);
    pool.shutdown(Duration::from_secs(5)).await;
}
