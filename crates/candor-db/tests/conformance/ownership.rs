//! Who owns which object, webhook secrets, and the webhook enqueued with the
//! outcome it announces.

use std::time::Duration;

use candor_db::{
    Assigned, DbError, JobFilter, JobKind, JobState, MediaOrigin, RetryPolicy, WorkerId,
};

use crate::harness::{new_interview, spec, TestDb, TENANT};

pub async fn an_interview_names_only_an_object_its_tenant_owns(t: TestDb) {
    let mut owned = new_interview(TENANT);
    owned.media_key = "development/imports/take.mp4".to_owned();
    owned.media_origin = MediaOrigin::Owned;
    // Nobody's yet: refused for every tenant.
    let error =
        t.db.create_interview(owned.clone(), &spec(1))
            .await
            .unwrap_err();
    assert!(matches!(error, DbError::NotFound(_)), "{error:?}");

    assert_eq!(
        t.db.assign_media(TENANT, &owned.media_key).await.unwrap(),
        Assigned::Now
    );
    assert_eq!(
        t.db.assign_media(TENANT, &owned.media_key).await.unwrap(),
        Assigned::Already
    );
    let error =
        t.db.assign_media("globex", &owned.media_key)
            .await
            .unwrap_err();
    assert!(matches!(error, DbError::Conflict(_)), "{error:?}");
    t.db.create_interview(owned.clone(), &spec(1))
        .await
        .unwrap();

    // Another tenant can neither name it nor claim it as a new upload.
    for origin in [MediaOrigin::Owned, MediaOrigin::Uploaded] {
        let mut theirs = new_interview("globex");
        theirs.media_key = owned.media_key.clone();
        theirs.media_origin = origin;
        let error = t.db.create_interview(theirs, &spec(1)).await.unwrap_err();
        assert!(
            matches!(error, DbError::NotFound(_)),
            "{origin:?}: {error:?}"
        );
    }
    assert_eq!(
        t.db.media_owner(&owned.media_key).await.unwrap().as_deref(),
        Some(TENANT)
    );
}

pub async fn the_media_is_released_with_the_last_interview_naming_it(t: TestDb) {
    let first = t.interview(TENANT, &spec(1)).await;
    let mut again = new_interview(TENANT);
    again.media_origin = MediaOrigin::Owned;
    let (second, _) = t.db.create_interview(again, &spec(1)).await.unwrap();
    assert_eq!(first.media_key, second.media_key);

    let deleted =
        t.db.delete_interview(TENANT, &first.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(deleted.media_to_delete, None, "the second still names it");
    let deleted =
        t.db.delete_interview(TENANT, &second.id)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        deleted.media_to_delete.as_deref(),
        Some(first.media_key.as_str())
    );
    assert_eq!(t.db.media_owner(&first.media_key).await.unwrap(), None);
}

pub async fn webhook_secrets_rotate_with_a_grace_period(t: TestDb) {
    assert!(t.db.webhook_secrets(TENANT).await.unwrap().is_empty());
    let hour = Duration::from_secs(3600);
    let first =
        t.db.rotate_webhook_secret(TENANT, "one", hour)
            .await
            .unwrap();
    let second =
        t.db.rotate_webhook_secret(TENANT, "two", hour)
            .await
            .unwrap();
    let live = t.db.webhook_secrets(TENANT).await.unwrap();
    let ids: Vec<i64> = live.iter().map(|secret| secret.id).collect();
    assert_eq!(ids, vec![second.id, first.id], "newest first");
    assert_eq!(live[0].expires_at, None);
    assert!(live[1].expires_at.is_some());
    assert!(
        !format!("{live:?}").contains("two"),
        "secrets are not printed"
    );
    // No grace: only the newest signs.
    let third =
        t.db.rotate_webhook_secret(TENANT, "three", Duration::ZERO)
            .await
            .unwrap();
    let live = t.db.webhook_secrets(TENANT).await.unwrap();
    assert_eq!(
        live.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![third.id]
    );
    assert!(t.db.webhook_secrets("globex").await.unwrap().is_empty());
    let error =
        t.db.rotate_webhook_secret("a/b", "x", hour)
            .await
            .unwrap_err();
    assert!(matches!(error, DbError::InvalidInput(_)), "{error:?}");
}

/// The webhook announcing an outcome is written in the outcome's own
/// transaction: it exists exactly when the outcome does.
pub async fn the_outcome_and_its_webhook_are_written_together(t: TestDb) {
    let webhooks = JobFilter {
        kind: Some(JobKind::Webhook),
        ..JobFilter::default()
    };
    let worker = WorkerId::fresh("w");
    for callback in [false, true] {
        let mut new = new_interview(TENANT);
        new.callback_url = callback.then(|| "https://hooks.example.com/x".to_owned());
        t.db.create_interview(new, &spec(2)).await.unwrap();
        let claimed = t.claim_one(&worker).await;
        let _ =
            t.db.complete_analysis(&claimed.fence, "{}", Some(61.0))
                .await
                .unwrap();
    }
    let jobs = t.db.list_jobs(&webhooks, 10).await.unwrap();
    assert_eq!(
        jobs.len(),
        1,
        "only the interview with a callback: {jobs:?}"
    );
    assert_eq!(jobs[0].state, JobState::Pending);
    let payload: serde_json::Value =
        serde_json::from_str(jobs[0].payload.as_deref().unwrap()).unwrap();
    assert_eq!(payload["event"], "interview.completed");
    assert_eq!(payload["overall_score"], 61.0);

    // A failure that will be retried announces nothing; the final one does.
    let mut new = new_interview(TENANT);
    new.callback_url = Some("https://hooks.example.com/y".to_owned());
    let (failing, _) = t.db.create_interview(new, &spec(2)).await.unwrap();
    let error = candor_db::JobError {
        code: "io".to_owned(),
        message: "boom".to_owned(),
        retryable: true,
    };
    let no_wait = RetryPolicy {
        base: Duration::ZERO,
        max: Duration::ZERO,
        jitter: 0.0,
    };
    for attempt in 1..=2 {
        let claimed = t.claim_one(&worker).await;
        let _ = t.db.fail(&claimed.fence, &error, &no_wait).await.unwrap();
        let theirs = JobFilter {
            interview_id: Some(failing.id.clone()),
            ..webhooks.clone()
        };
        let announced = t.db.list_jobs(&theirs, 10).await.unwrap();
        assert_eq!(
            announced.len(),
            usize::from(attempt == 2),
            "attempt {attempt}"
        );
    }
}
