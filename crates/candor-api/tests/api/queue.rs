//! The admin queue endpoints.

use std::time::Duration;

use candor_db::{JobKind, Scope, WorkerId};
use serde_json::Value;

use crate::helpers::{error_code, json, mp4, spawn_app};

#[tokio::test]
async fn a_pending_job_is_cancelled_and_retried() {
    let app = spawn_app().await;
    let all = [Scope::Submit, Scope::Read, Scope::Admin];
    let key = app.key("acme", &all).await;
    let submitted = json(app.upload(&key, mp4(20_000), "a.mp4").await, 202).await;
    let (id, job) = (
        submitted["id"].as_str().unwrap(),
        submitted["job_id"].as_i64().unwrap(),
    );
    assert!(app.woken().await);

    let cancelled = json(
        app.post(&format!("/api/v1/queue/jobs/{job}/cancel"), &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(cancelled["outcome"], "cancelled");
    assert_eq!(cancelled["job"]["state"], "cancelled");
    let status = json(
        app.get(&format!("/api/v1/interviews/{id}"), &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(status["status"], "cancelled");

    let retried = json(
        app.post(&format!("/api/v1/queue/jobs/{job}/retry"), &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(retried["state"], "pending");
    assert_eq!(retried["attempt"], 0);
    assert!(app.woken().await, "a retry wakes the workers");
    let status = json(
        app.get(&format!("/api/v1/interviews/{id}"), &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(status["status"], "pending");

    // A pending job cannot be retried.
    let response = app
        .post(&format!("/api/v1/queue/jobs/{job}/retry"), &key)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 409).await, "invalid_transition");
}

#[tokio::test]
async fn a_running_job_gets_a_cancel_request_and_a_finished_one_is_reported() {
    let app = spawn_app().await;
    let key = app.key("ops", &[Scope::Submit, Scope::Operator]).await;
    let job = json(app.upload(&key, mp4(20_000), "a.mp4").await, 202).await["job_id"]
        .as_i64()
        .unwrap();
    let worker = WorkerId::fresh("test");
    let claimed = app
        .db
        .claim(&worker, &[JobKind::Analyze], 1, Duration::from_secs(60))
        .await
        .unwrap()
        .remove(0);
    let body = json(
        app.post(&format!("/api/v1/queue/jobs/{job}/cancel"), &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(body["outcome"], "requested");
    assert_eq!(body["job"]["cancel_requested"], true);
    let _ = app.db.finish_cancelled(&claimed.fence).await.unwrap();
    let body = json(
        app.post(&format!("/api/v1/queue/jobs/{job}/cancel"), &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(body["outcome"], "already_finished");
}

#[tokio::test]
async fn unknown_jobs_are_404() {
    let app = spawn_app().await;
    let key = app.key("ops", &[Scope::Operator]).await;
    for action in ["retry", "cancel"] {
        let response = app
            .post(&format!("/api/v1/queue/jobs/999/{action}"), &key)
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(response, 404).await, "not_found", "{action}");
    }
}

#[tokio::test]
async fn queue_status_and_stats_count_the_jobs() {
    let app = spawn_app().await;
    let key = app.key("ops", &[Scope::Submit, Scope::Operator]).await;
    for _ in 0..3 {
        json(app.upload(&key, mp4(10_000), "a.mp4").await, 202).await;
    }
    let worker = WorkerId::fresh("host-a");
    app.db
        .claim(&worker, &[JobKind::Analyze], 1, Duration::from_secs(60))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;

    let status = json(
        app.get("/api/v1/queue/status", &key).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(status["pending"], 2);
    assert_eq!(status["running"], 1);
    assert_eq!(status["completed"], 0);
    assert!(
        status["oldest_pending_age_ms"].as_i64().unwrap() >= 20,
        "{status}"
    );
    let analyze_pending = status["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|count| count["kind"] == "analyze" && count["state"] == "pending")
        .unwrap();
    assert_eq!(analyze_pending["count"], 2);

    let stats = json(
        app.get("/api/v1/queue/stats", &key).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(stats["pending"], 2);
    assert_eq!(
        stats["running_by_worker"],
        serde_json::json!([{"worker": worker.as_str(), "running": 1}])
    );
    assert_eq!(stats["rescues_total"], 0);
    assert_eq!(stats["expired_leases"], 0);
    assert_eq!(stats["workers"]["busy"], 1);
    assert_ne!(stats["workers"], Value::Null);
}
