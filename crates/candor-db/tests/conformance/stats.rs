use std::time::Duration;

use candor_db::{
    now_ms, FailureCount, JobError, JobKind, JobSpec, JobState, RetryPolicy, WorkerId,
};

use crate::harness::{spec, TestDb, LEASE, TENANT};

pub async fn stats_count_a_scripted_sequence(t: TestDb) {
    let started = now_ms();
    let mut interviews = Vec::new();
    for _ in 0..4 {
        interviews.push(t.interview(TENANT, &spec(3)).await);
    }
    let worker = WorkerId::fresh("w1");
    let claimed =
        t.db.claim(&worker, &[JobKind::Analyze], 3, LEASE)
            .await
            .unwrap();
    assert_eq!(claimed.len(), 3);
    tokio::time::sleep(Duration::from_millis(60)).await;
    let _ =
        t.db.complete_analysis(&claimed[0].fence, "{}", Some(50.0))
            .await
            .unwrap();
    let bad_media = JobError {
        code: "bad_media".to_owned(),
        message: "no audio stream".to_owned(),
        retryable: false,
    };
    let _ =
        t.db.fail(&claimed[1].fence, &bad_media, &RetryPolicy::default())
            .await
            .unwrap();
    // claimed[2] stays running; the fourth interview's job stays pending.
    let later = JobSpec {
        delay: Duration::from_secs(3600),
        ..spec(5)
    };
    t.db.enqueue(JobKind::Webhook, &interviews[0].id, Some("{}"), &later)
        .await
        .unwrap();

    let stats = t.db.queue_stats().await.unwrap();
    assert_eq!(stats.counts.len(), 10, "every kind × state, zeros included");
    let analyze = |state| stats.count(Some(JobKind::Analyze), state);
    assert_eq!(
        [
            analyze(JobState::Pending),
            analyze(JobState::Running),
            analyze(JobState::Completed),
            analyze(JobState::Failed),
            analyze(JobState::Cancelled),
        ],
        [1, 1, 1, 1, 0]
    );
    assert_eq!(stats.count(Some(JobKind::Webhook), JobState::Pending), 1);
    assert_eq!(stats.count(None, JobState::Pending), 2);
    assert_eq!(stats.scheduled, 1);
    let age = stats.oldest_pending_age_ms.expect("one pending job is due");
    assert!(
        age >= 60 && age <= now_ms() - started,
        "oldest pending age {age} ms"
    );
    assert_eq!(stats.running_by_worker.len(), 1);
    assert_eq!(
        (
            &stats.running_by_worker[0].worker,
            stats.running_by_worker[0].running
        ),
        (&worker, 1)
    );
    assert_eq!((stats.expired_leases, stats.rescues_total), (0, 0));

    let durations =
        t.db.durations(JobKind::Analyze, Duration::from_secs(3600))
            .await
            .unwrap();
    assert_eq!(durations.count, 1);
    let p50 = durations.p50_ms.unwrap();
    assert!((60..10_000).contains(&p50), "run time {p50} ms");
    assert_eq!((durations.p95_ms, durations.max_ms), (Some(p50), Some(p50)));
    let none =
        t.db.durations(JobKind::Webhook, Duration::from_secs(3600))
            .await
            .unwrap();
    assert_eq!((none.count, none.p50_ms), (0, None));

    let failures =
        t.db.failures_by_code(Duration::from_secs(3600))
            .await
            .unwrap();
    assert_eq!(
        failures,
        vec![FailureCount {
            kind: JobKind::Analyze,
            code: Some("bad_media".to_owned()),
            count: 1
        }]
    );

    let throughput =
        t.db.throughput(JobKind::Analyze, Duration::from_secs(60))
            .await
            .unwrap();
    assert_eq!(throughput.completed, 1);
    assert!((throughput.per_minute - 1.0).abs() < 1e-9);
    let throughput =
        t.db.throughput(JobKind::Analyze, Duration::from_secs(600))
            .await
            .unwrap();
    assert!((throughput.per_minute - 0.1).abs() < 1e-9);

    // The running job's worker dies: after the rescue it counts as pending.
    let rescued =
        t.db.rescue_expired(now_ms() + LEASE.as_millis() as i64 + 1)
            .await
            .unwrap();
    assert_eq!(rescued.len(), 1);
    let stats = t.db.queue_stats().await.unwrap();
    assert_eq!(stats.rescues_total, 1);
    assert_eq!(stats.count(Some(JobKind::Analyze), JobState::Pending), 2);
    assert_eq!(stats.count(None, JobState::Running), 0);
    assert!(stats.running_by_worker.is_empty());
}
