//! API keys and scopes.

use candor_db::Scope;

use crate::helpers::{error_code, json, spawn_app, spawn_app_with, Options};
use candor_api::RateLimitConfig;

#[tokio::test]
async fn a_request_without_a_key_is_401_with_a_challenge() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/interviews"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(error_code(response, 401).await, "unauthenticated");
}

#[tokio::test]
async fn unknown_malformed_and_revoked_keys_are_401() {
    let app = spawn_app().await;
    let (key, id) = app.key_with_id("acme", &[Scope::Read]).await;
    json(
        app.get("/api/v1/interviews", &key).send().await.unwrap(),
        200,
    )
    .await;
    assert!(app.db.revoke_api_key(id).await.unwrap());
    for presented in [key.as_str(), "cnd_unknownunknownunknownunknown12", "x"] {
        let response = app
            .get("/api/v1/interviews", presented)
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(response, 401).await,
            "unauthenticated",
            "{presented}"
        );
    }
    let response = app
        .client
        .get(app.url("/api/v1/interviews"))
        .header("authorization", "Basic YWNtZTpzZWNyZXQ=")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 401).await, "unauthenticated");
}

#[tokio::test]
async fn the_key_may_come_in_x_api_key() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Read]).await;
    let response = app
        .client
        .get(app.url("/api/v1/interviews"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    json(response, 200).await;
}

#[tokio::test]
async fn a_key_without_the_routes_scope_is_403() {
    let app = spawn_app().await;
    let reader = app.key("acme", &[Scope::Read]).await;
    let submitter = app.key("acme", &[Scope::Submit]).await;
    let cases = [
        (
            app.post("/api/v1/interviews", &reader)
                .json(&serde_json::json!({"media_key": "a.mp4"})),
            "submit",
        ),
        (app.get("/api/v1/interviews", &submitter), "read"),
        (app.get("/api/v1/queue/status", &reader), "operator"),
        (app.get("/api/v1/queue/stats", &submitter), "operator"),
        (app.post("/api/v1/queue/jobs/1/retry", &reader), "admin"),
        (app.post("/api/v1/queue/jobs/1/cancel", &submitter), "admin"),
        (app.get("/api/v1/stats/throughput", &reader), "operator"),
        (app.get("/api/v1/stats/memory", &reader), "operator"),
        (app.post("/api/v1/webhook-secrets", &reader), "admin"),
    ];
    for (request, scope) in cases {
        let body = json(request.send().await.unwrap(), 403).await;
        assert_eq!(body["error"]["code"], "forbidden");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(scope),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_key_over_its_rate_is_429_with_retry_after() {
    let app = spawn_app_with(Options {
        rate_limit: RateLimitConfig {
            per_minute: 60,
            burst: 3,
        },
        ..Options::default()
    })
    .await;
    let key = app.key("acme", &[Scope::Read]).await;
    let other = app.key("acme", &[Scope::Read]).await;
    for _ in 0..3 {
        json(
            app.get("/api/v1/interviews", &key).send().await.unwrap(),
            200,
        )
        .await;
    }
    let response = app.get("/api/v1/interviews", &key).send().await.unwrap();
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry_after, 1);
    assert_eq!(error_code(response, 429).await, "rate_limited");
    // Buckets are per key.
    json(
        app.get("/api/v1/interviews", &other).send().await.unwrap(),
        200,
    )
    .await;
}
