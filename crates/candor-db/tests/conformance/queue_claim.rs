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

pub async fn the_due_probe_sees_only_due_pending_jobs_of_the_kind_asked(t: TestDb) {
    let analyze = [JobKind::Analyze];
    let webhook = [JobKind::Webhook];
    assert!(!t.db.has_due_job(&analyze).await.unwrap(), "an empty queue");
    assert!(!t.db.has_due_job(&[]).await.unwrap());

    // Pending but not yet due.
    let delayed = JobSpec {
        delay: Duration::from_secs(3600),
        ..spec(3)
    };
    let later = t.interview(TENANT, &delayed).await;
    assert!(!t.db.has_due_job(&analyze).await.unwrap(), "due in an hour");

    // Due, but of another kind (the pools share the table).
    t.db.enqueue(JobKind::Webhook, &later.id, Some("{}"), &spec(5))
        .await
        .unwrap();
    assert!(
        !t.db.has_due_job(&analyze).await.unwrap(),
        "a webhook is due"
    );
    assert!(t.db.has_due_job(&webhook).await.unwrap());
    assert!(t.db.has_due_job(JobKind::ALL).await.unwrap());

    // Due and of the kind: seen, until it is claimed.
    t.interview(TENANT, &spec(3)).await;
    assert!(t.db.has_due_job(&analyze).await.unwrap());
    let worker = WorkerId::fresh("w");
    t.claim_one(&worker).await;
    assert!(!t.db.has_due_job(&analyze).await.unwrap(), "it is running");

    // Another process (its own connections) sees a new job at once: no
    // transaction or cache holds an old view.
    let other = t.connect_another().await;
    assert!(!other.has_due_job(&analyze).await.unwrap());
    t.interview(TENANT, &spec(3)).await;
    assert!(other.has_due_job(&analyze).await.unwrap());
    other.close().await;
}

pub async fn the_due_probe_uses_the_claim_index(t: TestDb) {
    // As for the claim: enough rows in several states that the planner has
    // a real choice.
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
    let plan = t.db.explain_due_probe().await.unwrap();
    println!("{:?} plan of the due probe: {}", t.db.backend(), plan.plan);
    assert_eq!(
        plan.index.as_deref(),
        Some("jobs_claim"),
        "the probe must walk jobs_claim; plan: {}",
        plan.plan
    );
    if t.db.backend() == candor_db::Backend::MySql {
        // A range over (state, run_at), or a ref on state with run_at
        // pushed down to the index (which the planner picks depends on its
        // statistics): either way read in index order, stopping at the
        // first row of the kind, with no full scan and no filesort.
        assert!(
            ["\"range\"", "\"ref\""]
                .iter()
                .any(|access| plan.plan.contains(&format!("\"access_type\": {access}"))),
            "{}",
            plan.plan
        );
        assert!(!plan.plan.contains("filesort"), "{}", plan.plan);
    }
}

/// The probe's tests, on each backend (registered here rather than in
/// `main.rs`'s list).
mod due_probe {
    use candor_db::Backend;

    use crate::harness::run;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_sees_only_due_pending_jobs_of_the_kind_asked() {
        run(
            Backend::Sqlite,
            super::the_due_probe_sees_only_due_pending_jobs_of_the_kind_asked,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mariadb_sees_only_due_pending_jobs_of_the_kind_asked() {
        run(
            Backend::MySql,
            super::the_due_probe_sees_only_due_pending_jobs_of_the_kind_asked,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_uses_the_claim_index() {
        run(Backend::Sqlite, super::the_due_probe_uses_the_claim_index).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mariadb_uses_the_claim_index() {
        run(Backend::MySql, super::the_due_probe_uses_the_claim_index).await;
    }
}
