//! Server errors are logged with their detail and answered generically.

use candor_db::Scope;

use crate::helpers::{json, spawn_app};

#[tokio::test]
async fn a_database_failure_is_answered_without_internal_text() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Read, Scope::Admin]).await;
    app.db.close().await;

    for path in ["/api/v1/interviews", "/api/v1/queue/status"] {
        let response = app.get(path, &key).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(status == 503 || status == 500, "{path}: {status}");
        let body: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            body["error"]["code"],
            if status == 503 {
                "unavailable"
            } else {
                "internal"
            }
        );
        let lower = text.to_lowercase();
        for leak in [
            "pool",
            "sqlx",
            "sqlite",
            "closed",
            "select",
            "database",
            "/tmp",
            "candor.db",
        ] {
            assert!(!lower.contains(leak), "{path} leaks {leak:?}: {text}");
        }
    }

    let ready = json(
        app.client
            .get(app.url("/health/ready"))
            .send()
            .await
            .unwrap(),
        503,
    )
    .await;
    assert_eq!(ready["database"], "failed");
    assert_eq!(ready["store"], "ok");
    let text = serde_json::to_string(&ready).unwrap().to_lowercase();
    assert!(!text.contains("pool") && !text.contains("closed"), "{text}");

    // The token is not in the database: metrics still come.
    let metrics = app.scrape().await.text().await.unwrap();
    assert!(
        metrics.contains("candor_queue_scrape_success 0"),
        "{metrics}"
    );
}
