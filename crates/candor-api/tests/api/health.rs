use crate::helpers::{json, spawn_app, spawn_app_with, Options};

#[tokio::test]
async fn health_reports_the_version() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/health/health"))
        .send()
        .await
        .unwrap();
    let body = json(response, 200).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn live_answers_without_a_key() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(response, 200).await["status"], "ok");
}

#[tokio::test]
async fn ready_checks_the_database_the_store_and_the_model() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    let body = json(response, 200).await;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["store"], "ok");
    assert_eq!(body["model"], "ok");
}

#[tokio::test]
async fn ready_is_503_when_the_model_is_missing() {
    let app = spawn_app_with(Options {
        model_present: false,
        ..Options::default()
    })
    .await;
    let response = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .unwrap();
    let body = json(response, 503).await;
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["model"], "missing");
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let response = app
        .client
        .get(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    let generated = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "{generated}");
}

#[tokio::test]
async fn unknown_routes_are_json_404s() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(json(response, 404).await["error"]["code"], "not_found");
}
