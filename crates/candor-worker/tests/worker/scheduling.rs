//! When jobs start and stop: wake-ups, free slots, shutdown, several pools,
//! lost leases and the memory throttle.

use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_db::{now_ms, JobState, RescueOutcome};
use candor_worker::{WorkerConfig, WorkerPool};
use tokio::sync::Notify;

use crate::harness::{config, process_exists, spec, wait_until, Run, TestDb};

const WITHIN: Duration = Duration::from_secs(30);

pub async fn a_submitted_job_starts_within_200_ms_of_the_wake_despite_a_30_s_poll(t: TestDb) {
    let wake = Arc::new(Notify::new());
    let config = WorkerConfig {
        queue_check_interval: Duration::from_secs(30),
        ..config()
    };
    let pool = t.start_pool(config, &wake);
    // Let the pool find the queue empty and go to sleep.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pool.status().counters.claimed, 0);

    t.submit("succeed:0:0", &spec(1)).await;
    let woken_at = Instant::now();
    wake.notify_waiters();
    wait_until(Duration::from_secs(5), "the job is claimed", || async {
        (pool.status().counters.claimed == 1).then_some(())
    })
    .await;
    let latency = woken_at.elapsed();
    assert!(
        latency < Duration::from_millis(200),
        "claimed {latency:?} after the wake"
    );
    pool.shutdown(Duration::from_secs(5)).await;
}

pub async fn claims_never_exceed_max_concurrent_jobs(t: TestDb) {
    let mut interviews = Vec::new();
    for _ in 0..6 {
        interviews.push(t.submit("succeed:2:150", &spec(1)).await);
    }
    let wake = Arc::new(Notify::new());
    let config = WorkerConfig {
        max_concurrent_jobs: 2,
        ..config()
    };
    let pool = t.start_pool(config, &wake);
    wake.notify_one();

    let mut most_running = 0;
    wait_until(WITHIN, "all jobs complete", || {
        let running = pool.status().running.len();
        most_running = most_running.max(running);
        let completed = pool.status().counters.completed;
        async move { (completed == 6).then_some(()) }
    })
    .await;
    assert_eq!(most_running, 2, "the pool's own view");

    let runs: Vec<Run> = interviews
        .iter()
        .flat_map(|(interview, _)| t.runs(interview))
        .collect();
    assert_eq!(runs.len(), 6);
    assert_eq!(most_overlapping(&runs), 2, "children alive at once");
    pool.shutdown(Duration::from_secs(5)).await;
}

/// The largest number of runs alive at one instant.
fn most_overlapping(runs: &[Run]) -> usize {
    runs.iter()
        .map(|run| {
            runs.iter()
                .filter(|other| {
                    other.start_ns <= run.start_ns
                        && other.end_ns.expect("every run ended") > run.start_ns
                })
                .count()
        })
        .max()
        .unwrap_or(0)
}

pub async fn shutdown_returns_unfinished_jobs_with_their_attempt_unchanged(t: TestDb) {
    let (_, quick) = t.submit("succeed:2:250", &spec(3)).await;
    let (sleeper, stuck) = t.submit("sleep", &spec(3)).await;
    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(config(), &wake);
    wake.notify_one();
    wait_until(WITHIN, "both jobs run", || async {
        (pool.status().running.len() == 2).then_some(())
    })
    .await;
    let run = wait_until(WITHIN, "the sleeper starts", || async {
        t.runs(&sleeper).first().copied()
    })
    .await;

    let grace = Duration::from_millis(1500);
    let started = Instant::now();
    pool.shutdown(grace).await;
    let took = started.elapsed();
    assert!(
        took >= grace && took < grace + Duration::from_secs(3),
        "shutdown took {took:?}"
    );

    let finished = t.job(quick).await;
    assert_eq!((finished.state, finished.attempt), (JobState::Completed, 1));
    let released = t.job(stuck).await;
    assert_eq!((released.state, released.attempt), (JobState::Pending, 0));
    assert_eq!(released.lease_owner, None);
    assert!(
        !process_exists(run.pid),
        "the child {} still exists",
        run.pid
    );
}

pub async fn two_pools_run_each_of_40_jobs_exactly_once(t: TestDb) {
    let mut jobs = Vec::new();
    for _ in 0..40 {
        jobs.push(t.submit("succeed:0:0", &spec(1)).await);
    }
    let wake = Arc::new(Notify::new());
    let other_db = t.connect_another().await;
    let first = t.start_pool(config(), &wake);
    let second = WorkerPool::start(other_db, config(), t.child_runner(&[]), wake.clone());
    assert_ne!(first.worker_id(), second.worker_id());
    wake.notify_waiters();

    wait_until(Duration::from_secs(90), "all 40 jobs complete", || async {
        let done = first.status().counters.completed + second.status().counters.completed;
        (done == 40).then_some(())
    })
    .await;
    for (interview, job_id) in &jobs {
        assert_eq!(t.runs(interview).len(), 1, "runs of {}", interview.id);
        assert_eq!(t.job(*job_id).await.state, JobState::Completed);
    }
    let claimed = first.status().counters.claimed + second.status().counters.claimed;
    assert_eq!(claimed, 40);
    first.shutdown(Duration::from_secs(5)).await;
    second.shutdown(Duration::from_secs(5)).await;
}

pub async fn a_pool_that_lost_its_lease_stops_the_child_and_drops_its_result(t: TestDb) {
    let (interview, job_id) = t.submit("succeed:1:50", &spec(3)).await;
    let wake = Arc::new(Notify::new());
    // A pool that stops renewing in time: a 0.2-s lease, and no heartbeat
    // before 1 s (when the progress is first looked at; every 2 s else).
    let stalling = WorkerConfig {
        max_concurrent_jobs: 1,
        lease: Duration::from_millis(200),
        heartbeat_interval: Duration::from_secs(2),
        rescue_interval: Duration::from_secs(3600),
        ..config()
    };
    let stalled = WorkerPool::start(
        t.db.clone(),
        stalling,
        t.child_runner(&[("CANDOR_TEST_CHILD_MODE", "sleep")]),
        wake.clone(),
    );
    wake.notify_one();
    let stalled_run = wait_until(WITHIN, "the first child starts", || async {
        t.runs(&interview).first().copied()
    })
    .await;

    // The lease runs out; a rescuer takes the job back and another pool
    // runs it.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let rescued = t.db.rescue_expired(now_ms()).await.unwrap();
    assert_eq!(rescued.len(), 1);
    assert_eq!(rescued[0].outcome, RescueOutcome::Requeued);
    let rescuer = WorkerPool::start(
        t.connect_another().await,
        config(),
        t.child_runner(&[("CANDOR_TEST_CHILD_TAG", "rescuer")]),
        wake.clone(),
    );
    wake.notify_waiters();

    let job = t
        .wait_for_job(job_id, WITHIN, |job| job.state.is_terminal())
        .await;
    assert_eq!((job.state, job.attempt), (JobState::Completed, 2));
    assert_eq!(job.lease_owner.as_ref(), Some(rescuer.worker_id()));
    wait_until(WITHIN, "the stalled pool notices", || async {
        (stalled.status().counters.lost == 1 && stalled.status().running.is_empty()).then_some(())
    })
    .await;
    assert!(
        !process_exists(stalled_run.pid),
        "the stalled child {} still exists",
        stalled_run.pid
    );
    let feedback =
        t.db.feedback(crate::harness::TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert!(
        feedback.report.contains("\"tag\":\"rescuer\""),
        "{}",
        feedback.report
    );
    assert_eq!(stalled.status().counters.completed, 0);
    stalled.shutdown(Duration::from_secs(5)).await;
    rescuer.shutdown(Duration::from_secs(5)).await;
}

pub async fn above_the_memory_threshold_nothing_is_claimed(t: TestDb) {
    let (_, job_id) = t.submit("succeed:0:0", &spec(1)).await;
    let wake = Arc::new(Notify::new());
    let config = WorkerConfig {
        memory_threshold: 0.0,
        memory_recheck_interval: Duration::from_millis(100),
        ..config()
    };
    let pool = t.start_pool(config, &wake);
    wake.notify_one();
    tokio::time::sleep(Duration::from_millis(600)).await;

    let status = pool.status();
    assert!(status.throttled);
    assert!(status.memory_used_fraction.is_some_and(|used| used > 0.0));
    assert_eq!(status.counters.claimed, 0);
    assert_eq!(t.job(job_id).await.state, JobState::Pending);
    pool.shutdown(Duration::from_secs(5)).await;
}
