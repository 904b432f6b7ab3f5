//! The OpenAPI document and the docs page.

use crate::helpers::{json, spawn_app};

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = spawn_app().await;
    let document = json(
        app.client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    let routes = [
        ("/health/health", "get"),
        ("/health/live", "get"),
        ("/health/ready", "get"),
        ("/api/v1/interviews", "post"),
        ("/api/v1/interviews", "get"),
        ("/api/v1/interviews/{id}", "get"),
        ("/api/v1/interviews/{id}", "delete"),
        ("/api/v1/interviews/{id}/feedback", "get"),
        ("/api/v1/interviews/{id}/media", "get"),
        ("/api/v1/interviews/{id}/report", "get"),
        ("/api/v1/queue/status", "get"),
        ("/api/v1/queue/stats", "get"),
        ("/api/v1/queue/jobs/{id}/retry", "post"),
        ("/api/v1/queue/jobs/{id}/cancel", "post"),
        ("/api/v1/stats/throughput", "get"),
        ("/api/v1/stats/durations", "get"),
        ("/api/v1/stats/failures", "get"),
        ("/api/v1/stats/memory", "get"),
        ("/metrics", "get"),
        ("/api/v1/webhook-secrets", "post"),
        ("/api/v1/webhook-secrets", "get"),
        ("/api/v1/practice-links", "post"),
        ("/api/v1/practice-links/{id}", "delete"),
    ];
    for (path, method) in routes {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    assert_eq!(document["paths"].as_object().unwrap().len(), 20);
    // The media URL is authorised by its signature, not by a key.
    let media = &document["paths"]["/api/v1/interviews/{id}/media"]["get"];
    assert!(media.get("security").is_none(), "{media}");
    let parameters = media["parameters"].to_string();
    for name in ["expires", "sig", "Range"] {
        assert!(parameters.contains(&format!("\"{name}\"")), "{parameters}");
    }
    assert!(media["responses"]["206"].is_object() && media["responses"]["416"].is_object());
    let submit = &document["paths"]["/api/v1/interviews"]["post"]["requestBody"]["content"];
    assert!(submit["application/json"].is_object() && submit["multipart/form-data"].is_object());
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["api_key"]["name"], "X-API-Key");
}

#[tokio::test]
async fn docs_are_an_html_page() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(
        page.contains("<html") && page.contains("/api/v1/interviews"),
        "{page}"
    );
}
