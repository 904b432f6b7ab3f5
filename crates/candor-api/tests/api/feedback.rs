//! Feedback and deletion, with the job driven through candor-db as a
//! worker would.

use std::time::Duration;

use candor_db::{InterviewId, JobKind, Scope, WorkerId};
use serde_json::json;

use crate::helpers::{error_code, json, mp4, spawn_app, TestApp};

const LEASE: Duration = Duration::from_secs(60);

async fn submitted(app: &TestApp, key: &str) -> (String, i64) {
    let body = json(app.upload(key, mp4(20_000), "a.mp4").await, 202).await;
    (
        body["id"].as_str().unwrap().to_owned(),
        body["job_id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn feedback_is_409_until_the_analysis_completes_then_the_stored_report() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let (id, _) = submitted(&app, &key).await;
    let path = format!("/api/v1/interviews/{id}/feedback");

    let body = json(app.get(&path, &key).send().await.unwrap(), 409).await;
    assert_eq!(body["error"]["code"], "feedback_not_ready");
    assert_eq!(body["error"]["status"], "pending");

    let worker = WorkerId::fresh("test");
    let mut claimed = app
        .db
        .claim(&worker, &[JobKind::Analyze], 1, LEASE)
        .await
        .unwrap();
    let job = claimed.pop().expect("the submitted job is due");
    let body = json(app.get(&path, &key).send().await.unwrap(), 409).await;
    assert_eq!(body["error"]["status"], "processing");
    // While it runs, the interview says for how long, so that the status
    // page can tell the time left from the progress.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let status_path = format!("/api/v1/interviews/{id}");
    let running = json(app.get(&status_path, &key).send().await.unwrap(), 200).await;
    let ms = running["processing_ms"].as_i64().unwrap();
    assert!((50..60_000).contains(&ms), "{running}");

    let report = json!({
        "version": 1,
        "overall": {"score": 77.5, "band": "fine"},
        "dimensions": [{"name": "pace", "wpm": 142.0, "evidence": [{"t": 12.5, "words": "so, um"}]}],
        "unicode": "façade – ok"
    });
    let applied = app
        .db
        .complete_analysis(&job.fence, &report.to_string(), Some(77.5))
        .await
        .unwrap();
    assert_eq!(applied, candor_db::Transition::Applied);

    let response = app.get(&path, &key).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(json(response, 200).await, report);
    let status = json(app.get(&status_path, &key).send().await.unwrap(), 200).await;
    assert_eq!(status["status"], "completed");
    assert_eq!(status["error"], serde_json::Value::Null);
    assert_eq!(status["processing_ms"], serde_json::Value::Null);
}

#[tokio::test]
async fn a_failed_analysis_shows_its_error_code_and_message() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let (id, _) = submitted(&app, &key).await;
    let worker = WorkerId::fresh("test");
    let job = app
        .db
        .claim(&worker, &[JobKind::Analyze], 1, LEASE)
        .await
        .unwrap()
        .remove(0);
    let error = candor_db::JobError {
        code: "media_unsupported".into(),
        message: "no audio track".into(),
        retryable: false,
    };
    let outcome = app
        .db
        .fail(&job.fence, &error, &Default::default())
        .await
        .unwrap();
    assert_eq!(outcome, candor_db::FailOutcome::Failed);
    let status = json(
        app.get(&format!("/api/v1/interviews/{id}"), &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(status["status"], "failed");
    assert_eq!(
        status["error"],
        json!({"code": "media_unsupported", "message": "no audio track"})
    );
    let body = json(
        app.get(&format!("/api/v1/interviews/{id}/feedback"), &key)
            .send()
            .await
            .unwrap(),
        409,
    )
    .await;
    assert_eq!(body["error"]["status"], "failed");
}

#[tokio::test]
async fn delete_removes_the_media_the_rows_and_the_jobs() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let (id, job_id) = submitted(&app, &key).await;
    let interview = app
        .db
        .interview("acme", &InterviewId::parse(&id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(app.store_dir().join(&interview.media_key).exists());

    let path = format!("/api/v1/interviews/{id}");
    let response = app.delete(&path, &key).send().await.unwrap();
    assert_eq!(response.status(), 204);

    assert!(!app.store_dir().join(&interview.media_key).exists());
    assert!(app.stored_files().is_empty(), "{:?}", app.stored_files());
    assert_eq!(app.interview_count("acme").await, 0);
    assert_eq!(app.db.job(candor_db::JobId(job_id)).await.unwrap(), None);
    let response = app.get(&path, &key).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
    let response = app.delete(&path, &key).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
}

#[tokio::test]
async fn a_malformed_id_is_not_found() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Read]).await;
    let response = app
        .get("/api/v1/interviews/not-a-uuid", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
}
