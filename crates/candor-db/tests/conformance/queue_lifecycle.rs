use std::time::Duration;

use candor_db::{
    now_ms, CancelOutcome, DbError, FailOutcome, Heartbeat, InterviewStatus, JobError, JobKind,
    JobState, RescueOutcome, RetryPolicy, Transition, WorkerId, LEASE_EXPIRED,
};

use crate::harness::{spec, TestDb, LEASE, TENANT};

/// A time past every lease taken with [`LEASE`] so far.
fn after_lease() -> i64 {
    now_ms() + LEASE.as_millis() as i64 + 1
}

fn error(code: &str, retryable: bool) -> JobError {
    JobError {
        code: code.to_owned(),
        message: format!("{code} happened"),
        retryable,
    }
}

pub async fn attempts_are_counted_at_claim_and_run_out_through_rescues(t: TestDb) {
    let interview = t.interview(TENANT, &spec(2)).await;
    let worker = WorkerId::fresh("w");

    let first = t.claim_one(&worker).await;
    assert_eq!(first.fence.attempt(), 1);
    let job = t.db.job(first.fence.job_id()).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempt), (JobState::Running, 1));
    assert_eq!(job.lease_owner.as_ref(), Some(&worker));
    let processing =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(processing.status, InterviewStatus::Processing);

    // Nothing has expired yet.
    assert!(t.db.rescue_expired(now_ms()).await.unwrap().is_empty());

    // The worker dies; its lease runs out and the job comes back.
    let rescued = t.db.rescue_expired(after_lease()).await.unwrap();
    assert_eq!(rescued.len(), 1);
    assert_eq!(rescued[0].job_id, first.fence.job_id());
    assert_eq!(rescued[0].worker, worker);
    assert_eq!(rescued[0].outcome, RescueOutcome::Requeued);
    let job = t.db.job(first.fence.job_id()).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempt), (JobState::Pending, 1));
    assert_eq!(job.lease_owner, None);
    let pending =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(pending.status, InterviewStatus::Pending);

    let second = t.claim_one(&worker).await;
    assert_eq!(second.fence.attempt(), 2);

    // Out of attempts: the next rescue fails the job and the interview.
    let rescued = t.db.rescue_expired(after_lease()).await.unwrap();
    assert_eq!(rescued.len(), 1);
    assert_eq!(rescued[0].outcome, RescueOutcome::Failed);
    let job = t.db.job(first.fence.job_id()).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempt), (JobState::Failed, 2));
    assert_eq!(job.error_code.as_deref(), Some(LEASE_EXPIRED));
    assert!(job.finished_at.is_some());
    let failed =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(failed.status, InterviewStatus::Failed);
    assert_eq!(failed.error_code.as_deref(), Some(LEASE_EXPIRED));

    assert!(t
        .db
        .claim(&worker, &[JobKind::Analyze], 1, LEASE)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(t.db.queue_stats().await.unwrap().rescues_total, 2);
}

pub async fn a_rescued_workers_late_writes_are_lost(t: TestDb) {
    let interview = t.interview(TENANT, &spec(3)).await;
    let (a, b) = (WorkerId::fresh("a"), WorkerId::fresh("b"));
    let from_a = t.claim_one(&a).await;
    let rescued = t.db.rescue_expired(after_lease()).await.unwrap();
    assert_eq!(rescued.len(), 1);
    let from_b = t.claim_one(&b).await;
    assert_eq!(from_b.fence.job_id(), from_a.fence.job_id());
    assert_eq!(from_b.fence.attempt(), 2);
    let before = t.db.job(from_b.fence.job_id()).await.unwrap().unwrap();

    // Worker A wakes up and tries every transition: all lost, none writes.
    let a_fence = &from_a.fence;
    let beat = t.db.heartbeat(a_fence, LEASE, Some(0.9)).await.unwrap();
    assert_eq!(beat, Heartbeat::Lost);
    let done =
        t.db.complete_analysis(a_fence, r#"{"by": "a"}"#, Some(1.0))
            .await;
    assert_eq!(done.unwrap(), Transition::Lost);
    let policy = RetryPolicy::default();
    for retryable in [true, false] {
        let failed = t.db.fail(a_fence, &error("boom", retryable), &policy).await;
        assert_eq!(failed.unwrap(), FailOutcome::Lost);
    }
    assert_eq!(t.db.release(a_fence).await.unwrap(), Transition::Lost);
    assert_eq!(
        t.db.finish_cancelled(a_fence).await.unwrap(),
        Transition::Lost
    );

    assert_eq!(t.db.job(before.id).await.unwrap().unwrap(), before);
    assert_eq!(t.db.feedback(TENANT, &interview.id).await.unwrap(), None);
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Processing);
    assert_eq!(stored.progress, 0.0, "A's progress was not recorded");

    // B's outcome is the one that counts, exactly once.
    let done =
        t.db.complete_analysis(&from_b.fence, r#"{"by": "b"}"#, Some(2.0))
            .await
            .unwrap();
    assert_eq!(done, Transition::Applied);
    let again =
        t.db.complete_analysis(&from_b.fence, r#"{"by": "b"}"#, None)
            .await;
    assert_eq!(
        again.unwrap(),
        Transition::Lost,
        "a completed job cannot complete twice"
    );
    let feedback = t.db.feedback(TENANT, &interview.id).await.unwrap().unwrap();
    assert_eq!(feedback.report, r#"{"by": "b"}"#);
    assert_eq!(feedback.overall_score, Some(2.0));
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (stored.status, stored.progress),
        (InterviewStatus::Completed, 1.0)
    );
    let stats = t.db.queue_stats().await.unwrap();
    assert_eq!(stats.count(None, JobState::Completed), 1);
}

pub async fn heartbeats_extend_the_lease_and_record_progress(t: TestDb) {
    let interview = t.interview(TENANT, &spec(3)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let before = now_ms();
    let beat =
        t.db.heartbeat(&claimed.fence, Duration::from_secs(120), Some(0.5))
            .await
            .unwrap();
    assert_eq!(
        beat,
        Heartbeat::Held {
            cancel_requested: false
        }
    );
    let job = t.db.job(claimed.fence.job_id()).await.unwrap().unwrap();
    let expires = job.lease_expires_at.expect("a running job has a lease");
    assert!(expires >= before + 120_000 && expires <= now_ms() + 120_000);
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.progress, 0.5);

    // Past the first lease but inside the renewed one: nothing to rescue.
    assert!(t.db.rescue_expired(after_lease()).await.unwrap().is_empty());
    // Out-of-range progress is clamped, not refused.
    let beat =
        t.db.heartbeat(&claimed.fence, LEASE, Some(7.0))
            .await
            .unwrap();
    assert_eq!(
        beat,
        Heartbeat::Held {
            cancel_requested: false
        }
    );
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.progress, 1.0);
}

pub async fn a_retryable_failure_waits_out_the_backoff(t: TestDb) {
    let interview = t.interview(TENANT, &spec(3)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let policy = RetryPolicy {
        base: Duration::from_secs(2),
        max: Duration::from_secs(60),
        jitter: 0.5,
    };
    let before = now_ms();
    let outcome =
        t.db.fail(&claimed.fence, &error("storage_unavailable", true), &policy)
            .await
            .unwrap();
    let after = now_ms();
    let FailOutcome::Retrying { run_at } = outcome else {
        panic!("expected a retry, got {outcome:?}");
    };
    // Attempt 1 waits base..base·(1 + jitter).
    assert!(
        run_at >= before + 2_000 && run_at <= after + 3_000,
        "run_at {} ms after the failure",
        run_at - before
    );
    let job = t.db.job(claimed.fence.job_id()).await.unwrap().unwrap();
    assert_eq!(
        (job.state, job.attempt, job.run_at),
        (JobState::Pending, 1, run_at)
    );
    assert_eq!(job.error_code.as_deref(), Some("storage_unavailable"));
    assert_eq!(job.lease_owner, None);
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Pending);
    assert_eq!(stored.error_code, None, "not failed: it will be retried");
    assert!(t
        .db
        .claim(&worker, &[JobKind::Analyze], 1, LEASE)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        t.db.next_run_at(&[JobKind::Analyze]).await.unwrap(),
        Some(run_at)
    );
}

pub async fn a_permanent_failure_fails_the_job_and_the_interview(t: TestDb) {
    let policy = RetryPolicy::default();
    let worker = WorkerId::fresh("w");

    let bad_media = t.interview(TENANT, &spec(3)).await;
    let claimed = t.claim_one(&worker).await;
    let outcome =
        t.db.fail(&claimed.fence, &error("media_unsupported", false), &policy)
            .await
            .unwrap();
    assert_eq!(outcome, FailOutcome::Failed);
    let job = t.db.job(claimed.fence.job_id()).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.error_code.as_deref(), Some("media_unsupported"));
    assert_eq!(
        job.last_error.as_deref(),
        Some("media_unsupported happened")
    );
    assert!(job.finished_at.is_some());
    let stored =
        t.db.interview(TENANT, &bad_media.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Failed);
    assert_eq!(stored.error_code.as_deref(), Some("media_unsupported"));
    assert_eq!(
        stored.error_message.as_deref(),
        Some("media_unsupported happened")
    );

    // A retryable error on the last attempt fails too; a long message is cut.
    t.interview(TENANT, &spec(1)).await;
    let claimed = t.claim_one(&worker).await;
    let long = JobError {
        message: "x".repeat(10_000),
        ..error("timeout", true)
    };
    let outcome = t.db.fail(&claimed.fence, &long, &policy).await.unwrap();
    assert_eq!(outcome, FailOutcome::Failed);
    let job = t.db.job(claimed.fence.job_id()).await.unwrap().unwrap();
    assert_eq!(
        job.last_error.map(|m| m.len()),
        Some(candor_db::limits::ERROR_MESSAGE)
    );
}

pub async fn release_gives_the_attempt_back(t: TestDb) {
    let interview = t.interview(TENANT, &spec(1)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    assert_eq!(claimed.fence.attempt(), 1);
    assert_eq!(
        t.db.release(&claimed.fence).await.unwrap(),
        Transition::Applied
    );
    let job = t.db.job(claimed.fence.job_id()).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempt), (JobState::Pending, 0));
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Pending);

    // With max_attempts 1 the job can still run: the attempt was not spent.
    let next_boot = WorkerId::fresh("w");
    let again = t.claim_one(&next_boot).await;
    assert_eq!(again.fence.attempt(), 1);
    assert_eq!(
        t.db.release(&claimed.fence).await.unwrap(),
        Transition::Lost
    );
}

pub async fn cancelling_a_pending_job_cancels_it_at_once(t: TestDb) {
    let (interview, job_id) =
        t.db.create_interview(crate::harness::new_interview(TENANT), &spec(3))
            .await
            .unwrap();
    assert_eq!(t.db.cancel(job_id).await.unwrap(), CancelOutcome::Cancelled);
    let job = t.db.job(job_id).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Cancelled);
    assert!(job.finished_at.is_some());
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Cancelled);
    let worker = WorkerId::fresh("w");
    assert!(t
        .db
        .claim(&worker, &[JobKind::Analyze], 1, LEASE)
        .await
        .unwrap()
        .is_empty());

    assert_eq!(
        t.db.cancel(job_id).await.unwrap(),
        CancelOutcome::AlreadyFinished(JobState::Cancelled)
    );
    let missing =
        t.db.cancel(candor_db::JobId(job_id.0 + 1000))
            .await
            .unwrap_err();
    assert!(matches!(missing, DbError::NotFound(_)), "{missing:?}");
}

pub async fn cancelling_a_running_job_asks_its_worker_to_stop(t: TestDb) {
    let interview = t.interview(TENANT, &spec(3)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let job_id = claimed.fence.job_id();
    assert_eq!(t.db.cancel(job_id).await.unwrap(), CancelOutcome::Requested);
    assert_eq!(
        t.db.job(job_id).await.unwrap().unwrap().state,
        JobState::Running
    );

    let beat = t.db.heartbeat(&claimed.fence, LEASE, None).await.unwrap();
    assert_eq!(
        beat,
        Heartbeat::Held {
            cancel_requested: true
        }
    );
    let stopped = t.db.finish_cancelled(&claimed.fence).await.unwrap();
    assert_eq!(stopped, Transition::Applied);
    assert_eq!(
        t.db.job(job_id).await.unwrap().unwrap().state,
        JobState::Cancelled
    );
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Cancelled);

    // A cancel request wins over every road back to pending: a release, a
    // retryable failure, a rescue.
    let policy = RetryPolicy::default();
    for road in ["release", "fail", "rescue"] {
        t.interview(TENANT, &spec(3)).await;
        let claimed = t.claim_one(&worker).await;
        let job_id = claimed.fence.job_id();
        assert_eq!(t.db.cancel(job_id).await.unwrap(), CancelOutcome::Requested);
        match road {
            "release" => {
                assert_eq!(
                    t.db.release(&claimed.fence).await.unwrap(),
                    Transition::Applied
                )
            }
            "fail" => {
                let failed = t.db.fail(&claimed.fence, &error("io", true), &policy).await;
                assert_eq!(failed.unwrap(), FailOutcome::Cancelled);
            }
            _ => {
                let rescued = t.db.rescue_expired(after_lease()).await.unwrap();
                assert_eq!(rescued[0].outcome, RescueOutcome::Cancelled);
            }
        }
        let job = t.db.job(job_id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Cancelled, "after {road}");
    }
}

pub async fn retry_restarts_a_failed_job_with_fresh_attempts(t: TestDb) {
    let interview = t.interview(TENANT, &spec(1)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let job_id = claimed.fence.job_id();
    let outcome =
        t.db.fail(
            &claimed.fence,
            &error("decoder_crashed", false),
            &RetryPolicy::default(),
        )
        .await
        .unwrap();
    assert_eq!(outcome, FailOutcome::Failed);

    t.db.retry(job_id).await.unwrap();
    let job = t.db.job(job_id).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempt), (JobState::Pending, 0));
    assert_eq!((job.error_code, job.finished_at), (None, None));
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (stored.status, stored.error_code),
        (InterviewStatus::Pending, None)
    );
    let again = t.claim_one(&worker).await;
    assert_eq!((again.fence.job_id(), again.fence.attempt()), (job_id, 1));

    let running = t.db.retry(job_id).await.unwrap_err();
    assert!(
        matches!(running, DbError::InvalidTransition { ref state, .. } if state == "running"),
        "{running:?}"
    );

    // Cancelled, then replaced by a new analysis: retrying the old job
    // would make two active ones.
    assert_eq!(t.db.cancel(job_id).await.unwrap(), CancelOutcome::Requested);
    let _ = t.db.finish_cancelled(&again.fence).await.unwrap();
    t.db.enqueue(JobKind::Analyze, &interview.id, None, &spec(1))
        .await
        .unwrap();
    let conflict = t.db.retry(job_id).await.unwrap_err();
    assert!(matches!(conflict, DbError::Conflict(_)), "{conflict:?}");
}

pub async fn prune_deletes_only_jobs_finished_long_enough_ago(t: TestDb) {
    let worker = WorkerId::fresh("w");
    for _ in 0..3 {
        t.interview(TENANT, &spec(1)).await;
    }
    let completed = t.claim_one(&worker).await;
    let _ =
        t.db.complete_analysis(&completed.fence, "{}", None)
            .await
            .unwrap();
    let failed = t.claim_one(&worker).await;
    let _ =
        t.db.fail(&failed.fence, &error("bad", false), &RetryPolicy::default())
            .await
            .unwrap();

    assert_eq!(t.db.prune(Duration::from_secs(3600)).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(t.db.prune(Duration::from_millis(10)).await.unwrap(), 2);
    assert_eq!(t.db.job(completed.fence.job_id()).await.unwrap(), None);
    assert_eq!(t.db.job(failed.fence.job_id()).await.unwrap(), None);
    let stats = t.db.queue_stats().await.unwrap();
    assert_eq!(
        stats.count(None, JobState::Pending),
        1,
        "the pending job stays"
    );
    // Interviews and feedback are not the queue's to prune.
    assert_eq!(
        t.db.list_interviews(TENANT, None, 10).await.unwrap().len(),
        3
    );
    assert_eq!(t.db.prune(Duration::ZERO).await.unwrap(), 0);
}
