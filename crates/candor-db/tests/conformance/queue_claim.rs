use std::collections::BTreeSet;
use std::time::Duration;

use candor_db::{
    now_ms, DbError, InterviewStatus, JobKind, JobSpec, JobState, Transition, WorkerId,
};

use crate::harness::{spec, TestDb, LEASE, TENANT};

pub async fn an_interview_has_at_most_one_active_job_of_a_kind(t: TestDb) {
    let interview = t.interview(TENANT, &spec(3)).await;
    let second =
        t.db.enqueue(JobKind::Analyze, &interview.id, None, &spec(3))
            .await
            .unwrap_err();
    assert!(matches!(second, DbError::Conflict(_)), "{second:?}");
    assert!(second.is_client_error() && !second.is_transient());

    // Another kind is not held back by the analyze job.
    t.db.enqueue(JobKind::Webhook, &interview.id, Some("{}"), &spec(5))
        .await
        .expect("a webhook job beside the analyze job");

    // Still refused while the analyze job runs, allowed once it completed.
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let running =
        t.db.enqueue(JobKind::Analyze, &interview.id, None, &spec(3))
            .await;
    assert!(matches!(running, Err(DbError::Conflict(_))), "{running:?}");
    let done =
        t.db.complete_analysis(&claimed.fence, "{}", None)
            .await
            .unwrap();
    assert_eq!(done, Transition::Applied);
    let again =
        t.db.enqueue(JobKind::Analyze, &interview.id, None, &spec(3))
            .await
            .expect("a new analysis after the first completed");
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Pending);
    assert_eq!(
        t.db.job(again).await.unwrap().unwrap().state,
        JobState::Pending
    );

    let missing = candor_db::InterviewId::parse("01890000-0000-7000-8000-000000000000").unwrap();
    let error =
        t.db.enqueue(JobKind::Webhook, &missing, None, &spec(1))
            .await
            .unwrap_err();
    assert!(matches!(error, DbError::NotFound(_)), "{error:?}");
}

const CLAIMERS: usize = 8;
const JOBS: usize = 200;

pub async fn concurrent_claimers_take_every_job_exactly_once(t: TestDb) {
    let mut created = BTreeSet::new();
    for _ in 0..JOBS {
        let (_, job_id) =
            t.db.create_interview(crate::harness::new_interview(TENANT), &spec(3))
                .await
                .unwrap();
        created.insert(job_id);
    }

    let mut claimers = Vec::new();
    for n in 0..CLAIMERS {
        // Each claimer has its own pool, as a separate worker process would.
        let db = t.connect_another().await;
        claimers.push(tokio::spawn(async move {
            let worker = WorkerId::fresh(&format!("claimer-{n}"));
            let mut taken = Vec::new();
            loop {
                let claimed = db
                    .claim(&worker, &[JobKind::Analyze], 3, LEASE)
                    .await
                    .expect("claim");
                if claimed.is_empty() {
                    // Finished jobs never return to pending here, so no
                    // pending job left means no work left.
                    if db.next_run_at(&[JobKind::Analyze]).await.unwrap().is_none() {
                        break;
                    }
                    tokio::task::yield_now().await;
                    continue;
                }
                for job in claimed {
                    assert_eq!(job.fence.attempt(), 1, "a job was claimed twice");
                    let done = db
                        .complete_analysis(&job.fence, r#"{"ok": true}"#, Some(1.0))
                        .await
                        .expect("complete");
                    assert_eq!(done, Transition::Applied);
                    taken.push(job.fence.job_id());
                }
            }
            db.close().await;
            taken
        }));
    }
    let mut all_taken = Vec::new();
    for claimer in claimers {
        all_taken.extend(claimer.await.expect("claimer task"));
    }
    assert_eq!(all_taken.len(), JOBS, "every job claimed once, none twice");
    let distinct: BTreeSet<_> = all_taken.into_iter().collect();
    assert_eq!(distinct, created);

    let stats = t.db.queue_stats().await.unwrap();
    assert_eq!(
        stats.count(Some(JobKind::Analyze), JobState::Completed),
        JOBS as i64
    );
    assert_eq!(stats.count(None, JobState::Pending), 0);
    assert_eq!(stats.count(None, JobState::Running), 0);
    let completed = t.db.list_interviews(TENANT, None, 500).await.unwrap();
    assert_eq!(completed.len(), JOBS);
    for interview in completed {
        assert_eq!(interview.status, InterviewStatus::Completed);
        assert!(t
            .db
            .feedback(TENANT, &interview.id)
            .await
            .unwrap()
            .is_some());
    }
}

pub async fn a_claim_takes_no_more_than_the_free_slots(t: TestDb) {
    for _ in 0..5 {
        t.interview(TENANT, &spec(3)).await;
    }
    let worker = WorkerId::fresh("w");
    let kinds = [JobKind::Analyze, JobKind::Webhook];
    assert!(t
        .db
        .claim(&worker, &kinds, 0, LEASE)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        t.db.claim(&worker, &kinds, 2, LEASE).await.unwrap().len(),
        2
    );
    assert!(t
        .db
        .claim(&worker, &[JobKind::Webhook], 5, LEASE)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        t.db.claim(&worker, &kinds, 10, LEASE).await.unwrap().len(),
        3
    );
    assert!(t
        .db
        .claim(&worker, &kinds, 10, LEASE)
        .await
        .unwrap()
        .is_empty());
    let stats = t.db.queue_stats().await.unwrap();
    assert_eq!(stats.running_by_worker.len(), 1);
    assert_eq!(stats.running_by_worker[0].worker, worker);
    assert_eq!(stats.running_by_worker[0].running, 5);
}

pub async fn jobs_not_yet_due_are_not_claimed(t: TestDb) {
    let delayed = JobSpec {
        delay: Duration::from_secs(3600),
        ..spec(3)
    };
    let before = now_ms();
    let interview = t.interview(TENANT, &delayed).await;
    let worker = WorkerId::fresh("w");
    let claimed =
        t.db.claim(&worker, &[JobKind::Analyze], 5, LEASE)
            .await
            .unwrap();
    assert!(claimed.is_empty(), "a job due in an hour was claimed");

    let next =
        t.db.next_run_at(&[JobKind::Analyze])
            .await
            .unwrap()
            .expect("a pending job");
    assert!(next >= before + 3_600_000 && next <= now_ms() + 3_600_000);
    assert_eq!(t.db.next_run_at(&[JobKind::Webhook]).await.unwrap(), None);
    let stats = t.db.queue_stats().await.unwrap();
    assert_eq!(stats.scheduled, 1);
    assert_eq!(stats.oldest_pending_age_ms, None, "nothing is due yet");

    // A due job of another interview is claimed past the delayed one.
    let due = t.interview(TENANT, &spec(3)).await;
    let claimed = t.claim_one(&worker).await;
    assert_eq!(claimed.fence.interview_id(), &due.id);
    assert_ne!(claimed.fence.interview_id(), &interview.id);
}

pub async fn the_claim_query_uses_its_index(t: TestDb) {
    // Enough rows in several states that a planner has a real choice.
    let worker = WorkerId::fresh("w");
    for n in 0..300 {
        t.interview(TENANT, &spec(3)).await;
        if n % 3 == 0 {
            let claimed = t.claim_one(&worker).await;
            let _ =
                t.db.complete_analysis(&claimed.fence, "{}", None)
                    .await
                    .unwrap();
        }
    }
    let plan = t.db.explain_claim().await.unwrap();
    assert_eq!(
        plan.index.as_deref(),
        Some("jobs_claim"),
        "the claim must walk jobs_claim; plan: {}",
        plan.plan
    );
}
