//! `/metrics` parses as Prometheus text and carries the queue; what
//! clients send cannot add series to it.

use std::collections::{HashMap, HashSet};

use candor_db::{Backend, Scope};
use reqwest::Method;

use crate::helpers::{error_code, json, mp4, on_both_backends, spawn_app, spawn_app_on, TestApp};

/// One sample: its name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// A strict reader of the text format (0.0.4): `# HELP`/`# TYPE` lines,
/// then `name{label="value",…} number` lines; panics on anything else.
fn parse(text: &str) -> (HashMap<String, String>, Vec<Sample>) {
    let mut types = HashMap::new();
    let mut samples = Vec::new();
    let is_name = |name: &str| {
        !name.is_empty()
            && name.chars().enumerate().all(|(i, c)| {
                c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
            })
    };
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            let (keyword, name, rest) = (
                words.next().unwrap(),
                words.next().unwrap(),
                words.next().unwrap_or(""),
            );
            assert!(is_name(name), "bad name in {line:?}");
            match keyword {
                "TYPE" => {
                    assert!(
                        ["counter", "gauge", "histogram"].contains(&rest),
                        "{line:?}"
                    );
                    assert!(
                        types.insert(name.to_owned(), rest.to_owned()).is_none(),
                        "TYPE twice: {line:?}"
                    );
                }
                "HELP" => assert!(!rest.is_empty(), "{line:?}"),
                _ => panic!("unknown comment {line:?}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value in {line:?}"));
        let (name, labels) = match series.split_once('{') {
            None => (series, HashMap::new()),
            Some((name, rest)) => (name, parse_labels(rest.strip_suffix('}').expect(line))),
        };
        assert!(is_name(name), "bad name in {line:?}");
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    (types, samples)
}

fn parse_labels(mut text: &str) -> HashMap<String, String> {
    let mut labels = HashMap::new();
    while !text.is_empty() {
        let (name, rest) = text.split_once("=\"").expect(text);
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next().expect("unterminated label value") {
                (_, '\\') => match chars.next().unwrap().1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                (i, '"') => break i,
                (_, c) => value.push(c),
            }
        };
        labels.insert(name.to_owned(), value);
        text = rest[end + 1..]
            .strip_prefix(',')
            .unwrap_or(&rest[end + 1..]);
    }
    labels
}

fn family(name: &str) -> &str {
    ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|base| base.ends_with("_seconds"))
        .unwrap_or(name)
}

#[tokio::test]
async fn metrics_parse_and_carry_http_queue_and_worker_series() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    json(app.upload(&key, mp4(10_000), "a.mp4").await, 202).await;
    json(app.upload(&key, mp4(10_000), "b.mp4").await, 202).await;
    json(
        app.get("/api/v1/interviews", &key).send().await.unwrap(),
        200,
    )
    .await;

    let response = app.scrape().await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let (types, samples) = parse(&text);
    let families: HashSet<&str> = samples.iter().map(|s| family(&s.name)).collect();
    for name in &families {
        assert!(types.contains_key(*name), "{name} has no TYPE line");
    }
    let value = |name: &str, labels: &[(&str, &str)]| {
        samples
            .iter()
            .find(|s| {
                s.name == name
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
            })
            .unwrap_or_else(|| panic!("no {name} {labels:?} in\n{text}"))
            .value
    };
    assert_eq!(
        value(
            "candor_queue_jobs",
            &[("kind", "analyze"), ("state", "pending")]
        ),
        2.0
    );
    assert_eq!(
        value(
            "candor_queue_jobs",
            &[("kind", "analyze"), ("state", "completed")]
        ),
        0.0
    );
    assert!(value("candor_queue_oldest_pending_age_seconds", &[]) >= 0.0);
    assert_eq!(value("candor_queue_rescues_total", &[]), 0.0);
    assert_eq!(value("candor_queue_scrape_success", &[]), 1.0);
    assert_eq!(value("candor_worker_status", &[("field", "slots")]), 3.0);
    let submits = [
        ("method", "POST"),
        ("route", "/api/v1/interviews"),
        ("status", "202"),
    ];
    assert_eq!(value("candor_http_requests_total", &submits), 2.0);
    let lists = [
        ("method", "GET"),
        ("route", "/api/v1/interviews"),
        ("status", "200"),
    ];
    assert_eq!(value("candor_http_requests_total", &lists), 1.0);
    let all_submits = [
        ("method", "POST"),
        ("route", "/api/v1/interviews"),
        ("le", "+Inf"),
    ];
    assert_eq!(
        value("candor_http_request_duration_seconds_bucket", &all_submits),
        2.0
    );
    assert_eq!(types["candor_http_request_duration_seconds"], "histogram");
}

#[tokio::test]
async fn routes_are_counted_by_template_not_by_id() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Read]).await;
    for id in [
        "0190c2a4-0000-7000-8000-000000000001",
        "0190c2a4-0000-7000-8000-000000000002",
    ] {
        app.get(&format!("/api/v1/interviews/{id}"), &key)
            .send()
            .await
            .unwrap();
    }
    let text = app.scrape().await.text().await.unwrap();
    assert!(
        text.contains(r#"candor_http_requests_total{method="GET",route="/api/v1/interviews/{id}",status="404"} 2"#),
        "{text}"
    );
    assert!(!text.contains("0190c2a4"), "{text}");
}

async fn scrape(app: &TestApp) -> String {
    let response = app.scrape().await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// `/metrics` is for the holder of the token: without it, or with an API
/// key instead, it is 401; an application without a token has it off.
#[tokio::test]
async fn metrics_need_the_token() {
    let app = spawn_app().await;
    let operator = app.key("ops", &[Scope::Operator]).await;
    for request in [
        app.client.get(app.url("/metrics")),
        app.client
            .get(app.url("/metrics"))
            .bearer_auth("wrong-token-0123456789"),
        app.get("/metrics", &operator),
    ] {
        assert_eq!(
            error_code(request.send().await.unwrap(), 401).await,
            "unauthenticated"
        );
    }
    let off = crate::helpers::spawn_app_with(crate::helpers::Options {
        metrics_token: false,
        ..crate::helpers::Options::default()
    })
    .await;
    let response = off.client.get(off.url("/metrics")).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
}

/// An unauthenticated client sending made-up methods, to a real route and
/// to paths that match none, and plain GETs to such paths: /metrics grows
/// by one `other` series at most and names none of what it sent.
async fn made_up_methods_and_paths_add_no_series(backend: Backend) {
    let app = spawn_app_on(backend).await;
    // Twice, so the scrape's own series are in the baseline.
    scrape(&app).await;
    let before = scrape(&app).await;

    let mut sent = Vec::new();
    let mut made_up_on_a_route = 0;
    for i in 0..501 {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let made_up = Method::from_bytes(format!("BOGUS{i}X{token}").as_bytes()).unwrap();
        let (method, path) = match i % 3 {
            0 => {
                made_up_on_a_route += 1;
                (made_up, "/health/live".to_owned())
            }
            1 => (made_up, format!("/nowhere-{token}/{i}")),
            _ => (Method::GET, format!("/api/v1/nowhere-{token}")),
        };
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{method} {path}: {}",
            response.status()
        );
        sent.push(token);
    }

    let after = scrape(&app).await;
    assert!(
        after.len() < before.len() + 4096,
        "/metrics grew from {} to {} bytes:\n{after}",
        before.len(),
        after.len()
    );
    assert!(!after.contains("BOGUS"), "{after}");
    assert!(!after.contains("nowhere"), "{after}");
    for token in &sent {
        assert!(!after.contains(token.as_str()), "{token} in\n{after}");
    }
    let (_, samples) = parse(&after);
    for sample in &samples {
        if let Some(method) = sample.labels.get("method") {
            assert!(
                ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"]
                    .contains(&method.as_str()),
                "{method} in\n{after}"
            );
        }
    }
    let others = samples
        .iter()
        .find(|s| {
            s.name == "candor_http_requests_total"
                && s.labels["method"] == "other"
                && s.labels["route"] == "/health/live"
        })
        .unwrap_or_else(|| panic!("made-up methods are counted as other:\n{after}"));
    assert_eq!(others.labels["status"], "405");
    assert_eq!(others.value, f64::from(made_up_on_a_route));
}

on_both_backends!(made_up_methods_and_paths_add_no_series);
