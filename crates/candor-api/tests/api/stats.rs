//! The stats endpoints against a scripted sequence of jobs.

use std::time::Duration;

use candor_db::{
    JobError, JobKind, JobSpec, MediaOrigin, NewInterview, RetryPolicy, Scope, WorkerId,
};
use serde_json::json;

use crate::helpers::{error_code, json, spawn_app};

fn interview(n: usize) -> NewInterview {
    NewInterview {
        tenant: "acme".into(),
        media_key: format!("development/takes/{n}.mp4"),
        media_origin: MediaOrigin::Uploaded,
        media_size: 1000,
        content_type: "video/mp4".into(),
        question: None,
        candidate_ref: None,
        language: None,
        callback_url: None,
        file_name: None,
    }
}

fn failure(code: &str) -> JobError {
    JobError {
        code: code.into(),
        message: "scripted".into(),
        retryable: false,
    }
}

#[tokio::test]
async fn stats_match_a_scripted_sequence_of_jobs() {
    let app = spawn_app().await;
    let key = app.key("ops", &[Scope::Operator]).await;
    let spec = JobSpec::new(1, Duration::from_secs(600));
    for n in 0..5 {
        app.db.create_interview(interview(n), &spec).await.unwrap();
    }
    let worker = WorkerId::fresh("test");
    let jobs = app
        .db
        .claim(&worker, &[JobKind::Analyze], 5, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(jobs.len(), 5);
    // Two completions, about 40 and 80 ms after the claim.
    for job in &jobs[..2] {
        tokio::time::sleep(Duration::from_millis(40)).await;
        let _ = app
            .db
            .complete_analysis(&job.fence, "{}", None)
            .await
            .unwrap();
    }
    let policy = RetryPolicy::default();
    for (job, code) in
        jobs[2..]
            .iter()
            .zip(["media_unsupported", "media_unsupported", "decode_failed"])
    {
        let _ = app
            .db
            .fail(&job.fence, &failure(code), &policy)
            .await
            .unwrap();
    }

    let throughput = json(
        app.get("/api/v1/stats/throughput?window_secs=600", &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(throughput["completed"], 2);
    assert_eq!(throughput["window_secs"], 600);
    assert!(
        (throughput["per_minute"].as_f64().unwrap() - 0.2).abs() < 1e-9,
        "{throughput}"
    );

    let durations = json(
        app.get("/api/v1/stats/durations", &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(durations["count"], 2);
    let (p50, p95) = (
        durations["p50_ms"].as_i64().unwrap(),
        durations["p95_ms"].as_i64().unwrap(),
    );
    assert!((40..80).contains(&p50), "{durations}");
    assert!(p95 >= 80 && p95 > p50, "{durations}");
    assert_eq!(durations["max_ms"], p95);

    let failures = json(
        app.get("/api/v1/stats/failures", &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(
        failures["failures"],
        json!([
            {"kind": "analyze", "code": "media_unsupported", "count": 2},
            {"kind": "analyze", "code": "decode_failed", "count": 1},
        ])
    );

    let webhooks = json(
        app.get("/api/v1/stats/throughput?kind=webhook", &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(webhooks["completed"], 0);
    for query in ["window_secs=0", "kind=email", "window_secs=99999999999"] {
        let response = app
            .get(&format!("/api/v1/stats/throughput?{query}"), &key)
            .send()
            .await
            .unwrap();
        let code = error_code(response, 400).await;
        assert!(
            code == "invalid_window" || code == "invalid_kind",
            "{query}: {code}"
        );
    }
}

#[tokio::test]
async fn memory_comes_from_proc() {
    let app = spawn_app().await;
    let key = app.key("ops", &[Scope::Operator]).await;
    let memory = json(
        app.get("/api/v1/stats/memory", &key).send().await.unwrap(),
        200,
    )
    .await;
    let total = memory["system"]["total_bytes"].as_u64().unwrap();
    let available = memory["system"]["available_bytes"].as_u64().unwrap();
    assert!(total > 100 * 1024 * 1024 && available <= total, "{memory}");
    let used = memory["system"]["used_percent"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&used), "{memory}");
    let rss = memory["process"]["rss_bytes"].as_u64().unwrap();
    let peak = memory["process"]["peak_rss_bytes"].as_u64().unwrap();
    assert!(rss > 1024 * 1024 && peak >= rss, "{memory}");
}
