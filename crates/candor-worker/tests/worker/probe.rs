//! Work enqueued by another process: pools that cannot hear its wake-up
//! find it with the queue probe, within the probe interval, while an idle
//! pool's probes cost what the interval says and a pool that could not
//! take a job does not probe (or claim) in a loop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_db::{now_ms, JobKind, JobSpec, JobState};
use candor_worker::{WorkerConfig, WorkerHandle, WorkerPool};
use tokio::sync::Notify;

use crate::harness::{config, idle_status, spec, TestDb};

/// Jobs submitted to the pools' database without waking them, as the API
/// on another machine does.
const SUBMITS: usize = 6;

pub async fn a_job_enqueued_by_another_process_starts_within_a_second_despite_a_30_s_poll(
    t: TestDb,
) {
    // Two pools as two `candor worker` processes would run them: their own
    // connections and their own Notify, which nobody notifies. Default
    // probe interval, a 30-s safety poll.
    let config = WorkerConfig {
        queue_check_interval: Duration::from_secs(30),
        ..config()
    };
    let pools = [
        WorkerPool::start(
            t.connect_another().await,
            config.clone(),
            t.child_runner(&[]),
            Arc::new(Notify::new()),
        ),
        WorkerPool::start(
            t.connect_another().await,
            config,
            t.child_runner(&[]),
            Arc::new(Notify::new()),
        ),
    ];
    // Let both pools find the queue empty and settle into waiting.
    tokio::time::sleep(Duration::from_millis(700)).await;

    let mut waits_ms = Vec::new();
    for n in 0..SUBMITS {
        let (_, job_id) = t.submit("succeed:0:0", &spec(1)).await;
        let job = t
            .wait_for_job(job_id, Duration::from_secs(5), |job| {
                job.started_at.is_some()
            })
            .await;
        waits_ms.push(job.started_at.unwrap() - job.created_at);
        t.wait_for_job(job_id, Duration::from_secs(30), |job| {
            job.state.is_terminal()
        })
        .await;
        // Submits at different phases of the probes.
        tokio::time::sleep(Duration::from_millis(137 * (n as u64 + 1) % 450)).await;
    }
    let claimed: u64 = pools.iter().map(|p| p.status().counters.claimed).sum();
    println!("submit -> started (ms), no wake-up, 30-s poll: {waits_ms:?}");
    assert_eq!(claimed, SUBMITS as u64);
    let longest = *waits_ms.iter().max().unwrap();
    assert!(
        longest < 1000,
        "a job waited {longest} ms for a pool: {waits_ms:?}"
    );
    for pool in pools {
        pool.shutdown(Duration::from_secs(5)).await;
    }
}

const PROBE: Duration = Duration::from_millis(100);

fn probing() -> WorkerConfig {
    WorkerConfig {
        queue_check_interval: Duration::from_secs(30),
        queue_probe_interval: Some(PROBE),
        ..config()
    }
}

/// How many probes and claim rounds `pool` sends during `span`.
async fn activity_during(pool: &WorkerHandle, span: Duration) -> (u64, u64) {
    let (probes, rounds) = (pool.probes(), pool.claim_rounds());
    tokio::time::sleep(span).await;
    (pool.probes() - probes, pool.claim_rounds() - rounds)
}

pub async fn an_idle_pool_probes_at_its_interval_and_nothing_more(t: TestDb) {
    // Pending but not claimable by an analysis pool: an analysis due in an
    // hour, and a webhook (another kind, in the same table) due now.
    let later = JobSpec {
        delay: Duration::from_secs(3600),
        ..spec(1)
    };
    let (interview, analysis) = t.submit("succeed:0:0", &later).await;
    let webhook =
        t.db.enqueue(JobKind::Webhook, &interview.id, Some("{}"), &spec(1))
            .await
            .expect("a webhook job");

    let pool = t.start_pool(probing(), &Arc::new(Notify::new()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let span = Duration::from_secs(3);
    let (probes, rounds) = activity_during(&pool, span).await;
    let expected = (span.as_millis() / PROBE.as_millis()) as u64;
    println!(
        "idle for {span:?} at a {PROBE:?} probe interval: {probes} probes \
         ({:.1}/s), {rounds} claim rounds",
        probes as f64 / span.as_secs_f64()
    );
    // Timers fire late on a busy machine, never early.
    assert!(
        probes >= expected * 7 / 10 && probes <= expected + 1,
        "{probes} probes in {span:?}, expected about {expected}"
    );
    assert_eq!(
        rounds, 0,
        "a probe that finds nothing starts no claim round"
    );
    let status = pool.status();
    assert_eq!((status.counters.claimed, status.counters.db_errors), (0, 0));
    assert_eq!(t.job(analysis).await.state, JobState::Pending);
    assert_eq!(t.job(webhook).await.state, JobState::Pending);

    // A probe interval of none: no probes at all.
    pool.shutdown(Duration::from_secs(5)).await;
    let quiet = t.start_pool(
        WorkerConfig {
            queue_probe_interval: None,
            ..probing()
        },
        &Arc::new(Notify::new()),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        activity_during(&quiet, Duration::from_secs(1)).await,
        (0, 0)
    );
    quiet.shutdown(Duration::from_secs(5)).await;
}

pub async fn a_full_or_throttled_pool_neither_probes_nor_claims_in_a_loop(t: TestDb) {
    let (_, sleeper) = t.submit("sleep", &spec(1)).await;
    let wake = Arc::new(Notify::new());
    let full = t.start_pool(
        WorkerConfig {
            max_concurrent_jobs: 1,
            ..probing()
        },
        &wake,
    );
    wake.notify_one();
    t.wait_for_job(sleeper, Duration::from_secs(10), |job| {
        job.state == JobState::Running
    })
    .await;
    // A due job the full pool cannot take.
    let (_, waiting) = t.submit("succeed:0:0", &spec(1)).await;
    let (probes, rounds) = activity_during(&full, Duration::from_millis(1500)).await;
    assert_eq!((probes, rounds), (0, 0), "probes and rounds of a full pool");
    assert_eq!(t.job(waiting).await.state, JobState::Pending);
    full.shutdown(Duration::from_millis(200)).await;

    // Above the memory threshold: rounds only sample memory, every recheck
    // interval, and never reach the database.
    let throttled = t.start_pool(
        WorkerConfig {
            memory_threshold: 0.0,
            memory_recheck_interval: Duration::from_millis(250),
            ..probing()
        },
        &Arc::new(Notify::new()),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (probes, rounds) = activity_during(&throttled, Duration::from_millis(1500)).await;
    assert_eq!(probes, 0, "probes of a throttled pool");
    assert!(rounds <= 7, "{rounds} rounds in 1.5 s at a 250-ms recheck");
    let status = throttled.status();
    assert!(status.throttled);
    assert_eq!(status.counters.claimed, 0);
    throttled.shutdown(Duration::from_secs(5)).await;
    assert_eq!(t.job(waiting).await.state, JobState::Pending);
}

pub async fn failed_probes_back_off_like_failed_claims(t: TestDb) {
    let own = t.connect_another().await;
    let pool = WorkerPool::start(
        own.clone(),
        probing(),
        t.child_runner(&[]),
        Arc::new(Notify::new()),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(pool.probes() > 0);
    // Every call of the pool now fails at once (the connection pool is
    // closed), as in an outage that refuses connections.
    own.close().await;
    let span = Duration::from_secs(3);
    let (probes, rounds) = activity_during(&pool, span).await;
    let status = pool.status();
    println!("database gone for {span:?}: {probes} probes, {rounds} rounds");
    // 30 at the probe interval; doubling from 250 ms leaves about 4.
    assert!(probes <= 8, "{probes} probes in {span:?} of failures");
    assert_eq!(rounds, 0);
    assert!(status.counters.db_errors >= probes.saturating_sub(1));
    pool.shutdown(Duration::from_secs(5)).await;
}

/// MariaDB only: a transaction elsewhere holds the due job's row, so every
/// claim skips it (SKIP LOCKED) while it still reads as due.
pub async fn a_due_job_locked_elsewhere_backs_claim_rounds_off(t: TestDb) {
    let (_, job_id) = t.submit("succeed:0:0", &spec(1)).await;
    let database = t.url.rsplit('/').next().unwrap().to_owned();
    let hold = Duration::from_secs(4);
    let mut locker = tokio::process::Command::new("mariadb")
        .args([
            "--unbuffered",
            "-h",
            "127.0.0.1",
            "-u",
            "root",
            &database,
            "-e",
        ])
        .arg(format!(
            "BEGIN; SELECT id FROM jobs WHERE id = {job_id} FOR UPDATE; \
             SELECT 'locked'; DO SLEEP({}); COMMIT;",
            hold.as_secs()
        ))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the mariadb client runs");
    // Wait for the lock to be held.
    let mut out = locker.stdout.take().unwrap();
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("locked") {
        let mut chunk = [0u8; 256];
        let read = tokio::io::AsyncReadExt::read(&mut out, &mut chunk)
            .await
            .unwrap();
        assert!(read > 0, "the locking client ended early");
        seen.extend_from_slice(&chunk[..read]);
    }
    let locked_at = Instant::now();

    let wake = Arc::new(Notify::new());
    let pool = t.start_pool(
        WorkerConfig {
            queue_probe_interval: Some(Duration::from_millis(500)),
            ..probing()
        },
        &wake,
    );
    wake.notify_one();
    let span = Duration::from_millis(2500);
    let (probes, rounds) = activity_during(&pool, span).await;
    println!("a due job locked elsewhere for {span:?}: {rounds} claim rounds, {probes} probes");
    // 100, 200, 400, then every 500 ms: about 7 (25 at a fixed 100 ms).
    assert!(rounds <= 10, "{rounds} claim rounds in {span:?}");
    assert_eq!(probes, 0, "a probe would only see the locked job again");
    assert_eq!(t.job(job_id).await.state, JobState::Pending);

    // Once the lock goes, the job is claimed within a round.
    locker.wait().await.unwrap();
    let released = now_ms();
    let job = t
        .wait_for_job(job_id, Duration::from_secs(5), |job| {
            job.started_at.is_some()
        })
        .await;
    let after_release = job.started_at.unwrap() - released;
    assert!(
        after_release < 800,
        "claimed {after_release} ms after the lock was released ({:?} after it was taken)",
        locked_at.elapsed()
    );
    idle_status(&pool).await;
    pool.shutdown(Duration::from_secs(5)).await;
}
