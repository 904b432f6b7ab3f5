//! The API keeps to its OpenAPI document: every error is the one JSON body,
//! every status a route answers is documented, every limit the handlers
//! enforce is in the schema. Each case here is one Schemathesis found
//! (scripts/schemathesis.sh runs it against a live `candor serve`).

use candor_db::Scope;
use serde_json::{json, Value};

use crate::helpers::{error_code, json, mp4, spawn_app, TestApp};

const TENANT: &str = "acme";

/// Every scope, as the Schemathesis run's key.
const ALL: [Scope; 4] = [Scope::Submit, Scope::Read, Scope::Admin, Scope::Operator];

async fn document(app: &TestApp) -> Value {
    json(
        app.client
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await
}

/// The response's status and its body, which must be the JSON error body
/// with a code.
async fn json_error(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{status} answered {content_type:?}: {text}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"));
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{status}: no error code in {body}"));
    assert!(body["error"]["message"].is_string(), "{body}");
    (status, code.to_owned())
}

#[tokio::test]
async fn a_media_key_segment_longer_than_a_file_name_is_a_400_not_a_503() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    // The local store cannot even look up a file name over 255 bytes
    // (ENAMETOOLONG) in a directory that exists: such keys are refused as
    // keys, before anything is asked.
    app.put_owned_object(TENANT, "takes/short.mp4", mp4(100))
        .await;
    let media_key = format!("takes/{}.mp4", "a".repeat(300));
    let response = app
        .submit_key(&key, json!({ "media_key": media_key }))
        .await;
    assert_eq!(error_code(response, 400).await, "invalid_media_key");
    // A segment of exactly 255 bytes is a file name like any other.
    let fits = format!("takes/{}.mp4", "é".repeat(125));
    assert_eq!(fits.rsplit('/').next().unwrap().len(), 254);
    let response = app.submit_key(&key, json!({ "media_key": fits })).await;
    assert_eq!(error_code(response, 400).await, "media_not_found");
    assert_eq!(app.interview_count(TENANT).await, 0);
}

#[tokio::test]
async fn bad_query_and_path_values_are_json_400s() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &ALL).await;
    let cases = [
        ("/api/v1/interviews?limit=__main__", "invalid_query"),
        ("/api/v1/interviews?limit=-1", "invalid_query"),
        ("/api/v1/interviews?limit=1&limit=2", "invalid_query"),
        ("/api/v1/interviews?limit=501", "invalid_limit"),
        ("/api/v1/interviews?limit=0", "invalid_limit"),
        ("/api/v1/stats/throughput?window_secs=0", "invalid_window"),
        (
            "/api/v1/stats/durations?window_secs=7776001",
            "invalid_window",
        ),
        (
            "/api/v1/stats/failures?window_secs=99999999999999999999999",
            "invalid_query",
        ),
        ("/api/v1/stats/throughput?window_secs=1.5", "invalid_query"),
        ("/api/v1/stats/throughput?kind=email", "invalid_kind"),
        // /failures took kind and ignored it.
        ("/api/v1/stats/failures?kind=AAA", "invalid_kind"),
        (
            "/api/v1/interviews/x/media?expires=1&expires=2",
            "invalid_query",
        ),
    ];
    for (path, expected) in cases {
        let response = app.get(path, &key).send().await.unwrap();
        assert_eq!(json_error(response).await, (400, expected.into()), "{path}");
    }
    let long_ref = format!("/api/v1/interviews?candidate_ref={}", "c".repeat(256));
    let response = app.get(&long_ref, &key).send().await.unwrap();
    assert_eq!(json_error(response).await, (400, "invalid_field".into()));
    for action in ["retry", "cancel"] {
        for id in ["9223372036854775808", "1.5", "job"] {
            let path = format!("/api/v1/queue/jobs/{id}/{action}");
            let response = app.post(&path, &key).send().await.unwrap();
            assert_eq!(
                json_error(response).await,
                (400, "invalid_path".into()),
                "{path}"
            );
        }
    }
    // The limits themselves are fine.
    for path in [
        "/api/v1/interviews?limit=500",
        "/api/v1/interviews?limit=1",
        "/api/v1/stats/throughput?window_secs=7776000",
        "/api/v1/stats/throughput?window_secs=1&kind=webhook",
        "/api/v1/stats/failures?kind=webhook",
    ] {
        let response = app.get(path, &key).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn a_submission_is_a_json_object_not_an_array_of_its_fields() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    app.put_owned_object(TENANT, "a.mp4", mp4(100)).await;
    for body in [
        json!(["a.mp4", null, null, null, null]),
        json!(["a.mp4", "Why us?", "cand-7", "en", null]),
        json!(["a.mp4"]),
    ] {
        let response = app.submit_key(&key, body.clone()).await;
        assert_eq!(error_code(response, 400).await, "invalid_json", "{body}");
    }
    assert_eq!(app.interview_count(TENANT).await, 0);
    let response = app.submit_key(&key, json!({"media_key": "a.mp4"})).await;
    json(response, 202).await;
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405_with_allow() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &ALL).await;
    let response = app
        .client
        .put(app.url("/api/v1/interviews"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    let allow = response.headers()["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert_eq!(
        json_error(response).await,
        (405, "method_not_allowed".into())
    );
}

#[tokio::test]
async fn webhook_secrets_take_null_or_no_body_and_refuse_bad_json_as_json() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Admin]).await;
    let post = || app.post("/api/v1/webhook-secrets", &key);
    // The schema says the body is optional and may be null.
    for response in [
        post()
            .header("content-type", "application/json")
            .body("null")
            .send(),
        post().send(),
        post().json(&json!({})).send(),
        post()
            .json(&json!({"previous_valid_for_secs": 604800}))
            .send(),
        // JSON Schema's integer: a number with no fraction.
        post()
            .header("content-type", "application/json")
            .body(r#"{"previous_valid_for_secs": 38246.0}"#)
            .send(),
    ] {
        json(response.await.unwrap(), 201).await;
    }
    let cases = [
        (
            post()
                .header("content-type", "application/json")
                .body("{")
                .send(),
            400,
            "invalid_json",
        ),
        (
            post().json(&json!({"previous_valid_for_secs": -1})).send(),
            400,
            "invalid_json",
        ),
        (
            post()
                .json(&json!({"previous_valid_for_secs": 604801}))
                .send(),
            400,
            "invalid_field",
        ),
        (
            post().json(&json!({"other": 1})).send(),
            400,
            "invalid_json",
        ),
        // serde reads a struct from an array of its fields too.
        (post().json(&json!([])).send(), 400, "invalid_json"),
        (post().json(&json!([3600])).send(), 400, "invalid_json"),
        (
            post().json(&json!({"previous_valid_for_secs": 1.5})).send(),
            400,
            "invalid_json",
        ),
        (
            post()
                .header("content-type", "text/plain")
                .body("{}")
                .send(),
            415,
            "unsupported_media_type",
        ),
        (
            post()
                .header("content-type", "application/json")
                .body(vec![b' '; 100_000])
                .send(),
            413,
            "payload_too_large",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(
            json_error(response.await.unwrap()).await,
            (status, code.into())
        );
    }
}

/// The operation's documented statuses.
fn statuses(operation: &Value) -> Vec<String> {
    operation["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn every_status_a_route_can_answer_is_documented_with_the_error_body() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let statuses = statuses(operation);
            let has = |status: &str| statuses.iter().any(|s| s == status);
            let key_security = operation["security"]
                .as_array()
                .is_some_and(|security| security.iter().any(|s| s.get("bearer").is_some()));
            if key_security {
                for status in ["401", "403", "429", "503"] {
                    assert!(
                        has(status),
                        "{name} does not document {status}: {statuses:?}"
                    );
                }
            }
            // The database behind the route, or the connection cap.
            if !path.starts_with("/health/") {
                assert!(has("503"), "{name} does not document 503: {statuses:?}");
            }
            let parameters = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if parameters.iter().any(|p| {
                p["in"] == "query" || (p["in"] == "path" && p["schema"]["type"] != "string")
            }) {
                assert!(has("400"), "{name} takes parameters but documents no 400");
            }
            if parameters.iter().any(|p| p["in"] == "path") {
                assert!(has("404"), "{name} takes an id but documents no 404");
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('2') || path == "/health/ready" {
                    continue;
                }
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{name} {status}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 23);
}

#[tokio::test]
async fn the_limits_the_handlers_enforce_are_in_the_schema() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let parameter = |path: &str, name: &str| -> Value {
        document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} has no {name}"))["schema"]
            .clone()
    };
    let limit = parameter("/api/v1/interviews", "limit");
    assert_eq!(
        (limit["minimum"].clone(), limit["maximum"].clone()),
        (json!(1), json!(500))
    );
    assert_eq!(
        parameter("/api/v1/interviews", "candidate_ref")["maxLength"],
        255
    );
    for path in [
        "/api/v1/stats/throughput",
        "/api/v1/stats/durations",
        "/api/v1/stats/failures",
    ] {
        let window = parameter(path, "window_secs");
        assert_eq!(window["minimum"], 1, "{path}");
        assert_eq!(window["maximum"], 90 * 24 * 3600, "{path}");
        let kind = parameter(path, "kind");
        assert_eq!(
            kind["enum"],
            json!(["analyze", "webhook"]),
            "{path}: {kind}"
        );
    }
    let schemas = &document["components"]["schemas"];
    for form in ["SubmitByKey", "SubmitUpload"] {
        let fields = &schemas[form]["properties"];
        assert_eq!(fields["question"]["maxLength"], 4000, "{form}");
        assert_eq!(fields["candidate_ref"]["maxLength"], 255, "{form}");
        assert_eq!(fields["language"]["maxLength"], 32, "{form}");
        assert!(fields["language"]["pattern"].is_string(), "{form}");
        assert_eq!(fields["callback_url"]["maxLength"], 2048, "{form}");
    }
    let media_key = &schemas["SubmitByKey"]["properties"]["media_key"];
    assert_eq!(media_key["minLength"], 1);
    assert_eq!(media_key["maxLength"], 512);
    assert_eq!(schemas["SubmitByKey"]["additionalProperties"], false);
}

#[tokio::test]
async fn metrics_document_their_own_token_not_an_api_key() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let scheme = &document["components"]["securitySchemes"]["metrics_token"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert!(
        scheme["description"]
            .as_str()
            .unwrap_or_default()
            .contains("CANDOR_METRICS_TOKEN"),
        "{scheme}"
    );
    let metrics = &document["paths"]["/metrics"]["get"];
    assert_eq!(metrics["security"], json!([{"metrics_token": []}]));
    // An API key, even an operator's, is not the metrics token.
    let key = app.key(TENANT, &ALL).await;
    let response = app.get("/metrics", &key).send().await.unwrap();
    assert_eq!(json_error(response).await, (401, "unauthenticated".into()));
}
