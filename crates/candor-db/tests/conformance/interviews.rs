use candor_db::{
    DbError, InterviewId, InterviewStatus, JobFilter, JobKind, JobSpec, JobState, WorkerId,
};

use crate::harness::{new_interview, spec, TestDb, TENANT};

pub async fn migrations_are_idempotent_when_connecting_twice(t: TestDb) {
    let again = t.connect_another().await;
    again.migrate().await.expect("migrating again is a no-op");
    again.ping().await.expect("the second pool answers");
    // The schema still works through either pool.
    let interview = t.interview(TENANT, &spec(3)).await;
    let seen = again.interview(TENANT, &interview.id).await.unwrap();
    assert_eq!(seen, Some(interview));
    // A closed pool fails the way an outage does: transient.
    again.close().await;
    let error = again.ping().await.unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

pub async fn a_created_interview_reads_back_with_its_pending_analyze_job(t: TestDb) {
    let (interview, job_id) =
        t.db.create_interview(new_interview(TENANT), &spec(3))
            .await
            .unwrap();
    assert_eq!(interview.status, InterviewStatus::Pending);
    assert_eq!(interview.progress, 0.0);
    InterviewId::parse(interview.id.as_str()).expect("the id is a UUID");

    let stored = t.db.interview(TENANT, &interview.id).await.unwrap();
    assert_eq!(stored.as_ref(), Some(&interview));
    let unscoped = t.db.interview_unscoped(&interview.id).await.unwrap();
    assert_eq!(unscoped.as_ref(), Some(&interview));

    let job = t.db.job(job_id).await.unwrap().expect("the job exists");
    assert_eq!(job.kind, JobKind::Analyze);
    assert_eq!(job.interview_id, interview.id);
    assert_eq!(job.state, JobState::Pending);
    assert_eq!((job.attempt, job.max_attempts), (0, 3));
    assert_eq!(job.timeout_ms, 600_000);
    assert_eq!(job.run_at, interview.created_at);
    assert!(t
        .db
        .feedback(TENANT, &interview.id)
        .await
        .unwrap()
        .is_none());
}

pub async fn another_tenant_sees_none_of_an_interview(t: TestDb) {
    let interview = t.interview(TENANT, &spec(3)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let _ =
        t.db.complete_analysis(&claimed.fence, r#"{"overall": 70}"#, Some(70.0))
            .await
            .unwrap();

    let other = "globex";
    assert_eq!(t.db.interview(other, &interview.id).await.unwrap(), None);
    assert_eq!(t.db.feedback(other, &interview.id).await.unwrap(), None);
    assert!(t
        .db
        .list_interviews(other, None, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        t.db.delete_interview(other, &interview.id).await.unwrap(),
        None
    );
    // Still there for its owner.
    assert!(t
        .db
        .interview(TENANT, &interview.id)
        .await
        .unwrap()
        .is_some());
    assert!(t
        .db
        .feedback(TENANT, &interview.id)
        .await
        .unwrap()
        .is_some());
}

pub async fn deleting_an_interview_removes_its_feedback_and_jobs(t: TestDb) {
    let done = t.interview(TENANT, &spec(3)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let _ =
        t.db.complete_analysis(&claimed.fence, r#"{"overall": 80}"#, Some(80.0))
            .await
            .unwrap();
    t.db.enqueue(
        JobKind::Webhook,
        &done.id,
        Some(r#"{"event":"completed"}"#),
        &spec(5),
    )
    .await
    .unwrap();
    // A second interview whose job is running when it is deleted.
    let running = t.interview(TENANT, &spec(3)).await;
    let held = t.claim_one(&worker).await;
    assert_eq!(held.fence.interview_id(), &running.id);

    for interview in [&done, &running] {
        let deleted = t.db.delete_interview(TENANT, &interview.id).await.unwrap();
        assert_eq!(
            deleted.map(|d| d.interview.media_key),
            Some(interview.media_key.clone())
        );
        assert_eq!(t.db.interview(TENANT, &interview.id).await.unwrap(), None);
        assert_eq!(t.db.feedback(TENANT, &interview.id).await.unwrap(), None);
        let filter = JobFilter {
            interview_id: Some(interview.id.clone()),
            ..JobFilter::default()
        };
        assert!(t.db.list_jobs(&filter, 10).await.unwrap().is_empty());
    }
    // The worker whose job vanished learns it on its next heartbeat.
    let beat =
        t.db.heartbeat(&held.fence, crate::harness::LEASE, Some(0.5))
            .await;
    assert_eq!(beat.unwrap(), candor_db::Heartbeat::Lost);
    assert_eq!(t.db.delete_interview(TENANT, &done.id).await.unwrap(), None);
}

pub async fn interviews_list_newest_first_by_candidate_within_the_limit(t: TestDb) {
    let mut made = Vec::new();
    for candidate in ["a", "b", "a", "a"] {
        let mut new = new_interview(TENANT);
        new.candidate_ref = Some(candidate.to_owned());
        made.push(t.db.create_interview(new, &spec(1)).await.unwrap().0);
    }
    let ids = |list: Vec<candor_db::Interview>| list.into_iter().map(|i| i.id).collect::<Vec<_>>();

    let all = ids(t.db.list_interviews(TENANT, None, 10).await.unwrap());
    let newest_first: Vec<_> = made.iter().rev().map(|i| i.id.clone()).collect();
    assert_eq!(all, newest_first);

    let of_a = ids(t.db.list_interviews(TENANT, Some("a"), 2).await.unwrap());
    assert_eq!(of_a, vec![made[3].id.clone(), made[2].id.clone()]);
    assert!(t
        .db
        .list_interviews(TENANT, Some("zzz"), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(t
        .db
        .list_interviews(TENANT, None, 0)
        .await
        .unwrap()
        .is_empty());
}

pub async fn the_previous_take_is_the_latest_completed_one_of_the_same_question(t: TestDb) {
    let worker = WorkerId::fresh("w");
    let mut takes = Vec::new();
    // Takes 0 and 1 answer the same question and complete; take 2 answers
    // another question; take 3 is the current one.
    for (n, question) in ["Q1", "Q1", "Q2", "Q1"].into_iter().enumerate() {
        let mut new = new_interview(TENANT);
        new.question = Some(question.to_owned());
        let (interview, _) = t.db.create_interview(new, &spec(1)).await.unwrap();
        if n < 3 {
            let claimed = t.claim_one(&worker).await;
            let report = format!(r#"{{"take": {n}}}"#);
            let _ =
                t.db.complete_analysis(&claimed.fence, &report, Some(n as f64))
                    .await
                    .unwrap();
        }
        takes.push(interview);
    }
    let previous =
        t.db.previous_take(&takes[3])
            .await
            .unwrap()
            .expect("an earlier completed take of Q1");
    assert_eq!(previous.interview.id, takes[1].id);
    assert_eq!(previous.feedback.report, r#"{"take": 1}"#);
    assert_eq!(previous.feedback.overall_score, Some(1.0));

    let first = t.db.previous_take(&takes[0]).await.unwrap();
    assert_eq!(first, None, "nothing came before the first take");
    let mut anonymous = takes[3].clone();
    anonymous.candidate_ref = None;
    assert_eq!(t.db.previous_take(&anonymous).await.unwrap(), None);
}

pub async fn input_the_schema_cannot_hold_is_a_client_error(t: TestDb) {
    let mut long_tenant = new_interview(TENANT);
    long_tenant.tenant = "t".repeat(candor_db::limits::TENANT + 1);
    let error =
        t.db.create_interview(long_tenant, &spec(1))
            .await
            .unwrap_err();
    assert!(matches!(error, DbError::InvalidInput(_)), "{error:?}");
    assert!(error.is_client_error() && !error.is_transient());

    let no_attempts = JobSpec::new(0, std::time::Duration::from_secs(1));
    let error =
        t.db.create_interview(new_interview(TENANT), &no_attempts)
            .await
            .unwrap_err();
    assert_eq!(error.code(), "db_invalid_input");

    // The database itself refuses a report that is not JSON, and the job
    // stays running for a proper attempt.
    let interview = t.interview(TENANT, &spec(1)).await;
    let worker = WorkerId::fresh("w");
    let claimed = t.claim_one(&worker).await;
    let error =
        t.db.complete_analysis(&claimed.fence, "not json {", None)
            .await
            .unwrap_err();
    assert_eq!(error.code(), "db_invalid_input", "{error:?}");
    let job = t.db.job(claimed.fence.job_id()).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Running);
    let stored =
        t.db.interview(TENANT, &interview.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.status, InterviewStatus::Processing);

    let error = InterviewId::parse("../etc/passwd").unwrap_err();
    assert!(error.is_client_error());
}
