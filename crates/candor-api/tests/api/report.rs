//! The report page: the stored report rendered as HTML, with a player on
//! the signed media URL; tenant-checked like the JSON feedback.

use std::time::Duration;

use candor_db::{JobKind, Scope, WorkerId};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use serde_json::json;

use crate::helpers::{error_code, json, mp4, spawn_app, TestApp};

/// Uploads a recording and completes its job with `report` as a worker
/// would; returns the interview id.
async fn completed(app: &TestApp, key: &str, report: &str) -> String {
    let body = json(app.upload(key, mp4(20_000), "a.mp4").await, 202).await;
    let id = body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/interviews/{id}/report");
    let pending = app.get(&path, key).send().await.unwrap();
    assert_eq!(error_code(pending, 409).await, "feedback_not_ready");
    let worker = WorkerId::fresh("test");
    let job = app
        .db
        .claim(&worker, &[JobKind::Analyze], 1, Duration::from_secs(60))
        .await
        .unwrap()
        .pop()
        .unwrap();
    let applied = app
        .db
        .complete_analysis(&job.fence, report, Some(70.0))
        .await
        .unwrap();
    assert_eq!(applied, candor_db::Transition::Applied);
    id
}

/// A report of the current schema with one scored dimension.
fn small_report() -> serde_json::Value {
    let pace = json!({
        "id": "pace", "title": "Pace",
        "assessment": {"status": "scored", "score": 81, "band": "strong",
            "verdict": "146 words per minute: a clear, easy pace.", "tip": "Keep it."},
        "metrics": [], "evidence": []
    });
    json!({
        "schema_version": candor_report::SCHEMA_VERSION,
        "generator": "candor test",
        "source": "answer.mp4",
        "media": {"container": "mov,mp4,m4a,3gp,3g2,mj2", "duration_s": 62.0,
            "size_bytes": 20000, "audio": null, "video": null},
        "overall": {"score": 81, "band": "strong", "strengths": [], "work_on": []},
        "dimensions": [pace],
        "transcript": null,
        "measurements": {"audio": null, "content": null, "video": null, "vision": null}
    })
}

#[tokio::test]
async fn the_report_page_plays_the_recording_from_a_signed_url() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let id = completed(&app, &key, &small_report().to_string()).await;
    let path = format!("/api/v1/interviews/{id}/report");

    let response = app.get(&path, &key).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
    let page = response.text().await.unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..100]);
    assert!(page.contains("<strong>81</strong>/100"));
    assert!(page.contains("146 words per minute: a clear, easy pace."));
    let src = page
        .split("src=\"")
        .find_map(|rest| {
            rest.starts_with(&format!("/api/v1/interviews/{id}/media?"))
                .then(|| rest.split('"').next().unwrap().replace("&amp;", "&"))
        })
        .expect("a player on the signed media URL");
    let media = app.client.get(app.url(&src)).send().await.unwrap();
    assert_eq!(media.status(), 200);
    assert_eq!(media.bytes().await.unwrap().len(), 20_000);

    let other = app.key("globex", &[Scope::Read]).await;
    let response = app.get(&path, &other).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
    let submit_only = app.key("acme", &[Scope::Submit]).await;
    let response = app.get(&path, &submit_only).send().await.unwrap();
    assert_eq!(error_code(response, 403).await, "forbidden");
}

#[tokio::test]
async fn a_report_of_another_schema_is_a_409_that_points_at_the_json() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let id = completed(&app, &key, r#"{"schema_version": "0.1", "overall": {}}"#).await;
    let response = app
        .get(&format!("/api/v1/interviews/{id}/report"), &key)
        .send()
        .await
        .unwrap();
    let body = json(response, 409).await;
    assert_eq!(body["error"]["code"], "report_not_renderable");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("0.1") && message.ends_with("/feedback"),
        "{message}"
    );
}
