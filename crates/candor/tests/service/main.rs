//! The service end to end: real `candor serve` / `candor worker` processes
//! against MariaDB and an S3-compatible server on loopback, driven over HTTP.

mod limits;
mod stack;
#[path = "../cli/support.rs"]
#[allow(dead_code)] // the CLI tests use the rest
mod support;
mod wakeup;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use stack::{Client, Stack, WebhookReceiver};
use support::interview;

/// Numbers logged by the job child when it has read the media.
fn bytes_fetched_and_size(logs: &str) -> (f64, f64) {
    let line = logs
        .lines()
        .find(|l| l.contains("media read from the store"))
        .unwrap_or_else(|| panic!("no media read line in the logs: {logs}"));
    let number = |field: &str| -> f64 {
        let at = line
            .find(field)
            .unwrap_or_else(|| panic!("{field} in {line}"))
            + field.len();
        line[at..]
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (number("bytes_fetched"), number("object_size"))
}

#[test]
fn an_uploaded_interview_is_analysed_and_a_signed_webhook_reports_it() {
    let (media, _) = interview(
        "service-answer-12s.mp4",
        &[
            "--sentences",
            "12",
            "--video",
            "640x360@25",
            "--face",
            "astronaut",
        ],
    );
    let stack = Stack::new();
    let key = stack.key("acme", "submit,read");
    let secret = stack.webhook_secret("acme");
    let service = stack.serve("serve", &[]);
    let client = Client::new(&service.url, &key);
    let hooks = WebhookReceiver::start();

    let (status, submitted) = client.upload(
        &media,
        &[
            ("question", "Tell me about a project you led."),
            ("candidate_ref", "cand-42"),
            ("callback_url", &hooks.url),
        ],
    );
    assert_eq!(status, 202, "{submitted}");
    let id = submitted["id"].as_str().unwrap();
    let done = client.wait_for(id, Duration::from_secs(180), |i| {
        i["status"] != "pending" && i["status"] != "processing"
    });
    assert_eq!(done["status"], "completed", "{done}\n{}", service.logs());
    // Woken by the submit, not by the 30-s safety poll.
    let job = stack.job(submitted["job_id"].as_i64().unwrap());
    let waited_ms = job.started_at.unwrap() - job.created_at;
    assert!(
        waited_ms < 1000,
        "the job waited {waited_ms} ms for a worker"
    );

    let (status, report) = client.get(&format!("/api/v1/interviews/{id}/feedback"));
    assert_eq!(status, 200);
    assert_eq!(report["schema_version"], candor_report::SCHEMA_VERSION);
    // The report names the recording as it was uploaded, not by its key.
    assert_eq!(report["source"], "service-answer-12s.mp4");
    assert_eq!(done["file_name"], "service-answer-12s.mp4");
    assert_eq!(report["question"]["kind"], "behavioural");
    let score = report["overall"]["score"]
        .as_f64()
        .expect("an overall score");
    let pace = report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "pace")
        .unwrap();
    assert_eq!(pace["assessment"]["status"], "scored", "{pace}");
    let segments = report["transcript"]["segments"].as_array().unwrap();
    assert!(segments.len() >= 2, "{segments:?}");

    // The decoder read the object with ranged GETs, barely more than once.
    let (fetched, size) = bytes_fetched_and_size(&service.logs());
    assert!(
        size > 100_000.0 && fetched <= 1.1 * size,
        "{fetched} of {size}"
    );

    let delivery = hooks.wait_first(Duration::from_secs(30));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(candor_worker::webhook::verify(
        &secret,
        &delivery.headers["candor-timestamp"],
        &delivery.headers["candor-signature"],
        &delivery.body,
        now,
        Duration::from_secs(300),
    ));
    let event: Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(event["event"], "interview.completed");
    assert_eq!(event["interview_id"], id);
    assert_eq!(event["overall_score"].as_f64(), Some(score));
    // Another secret does not verify it.
    assert!(!candor_worker::webhook::verify(
        "another-secret",
        &delivery.headers["candor-timestamp"],
        &delivery.headers["candor-signature"],
        &delivery.body,
        now,
        Duration::from_secs(300),
    ));

    // A second take of the same candidate and question is compared with
    // the first.
    let (status, second) = client.upload(
        &media,
        &[
            ("question", "Tell me about a project you led."),
            ("candidate_ref", "cand-42"),
        ],
    );
    assert_eq!(status, 202, "{second}");
    let second_id = second["id"].as_str().unwrap();
    let done = client.wait_for(second_id, Duration::from_secs(180), |i| {
        i["status"] != "pending" && i["status"] != "processing"
    });
    assert_eq!(done["status"], "completed", "{done}");
    let (_, again) = client.get(&format!("/api/v1/interviews/{second_id}/feedback"));
    let progress = &again["progress"];
    // Named by when it was taken, as every take from a browser has the
    // same file name.
    let (_, first) = client.get(&format!("/api/v1/interviews/{id}"));
    let taken =
        std::time::UNIX_EPOCH + Duration::from_millis(first["created_at"].as_u64().unwrap());
    let minute = humantime::format_rfc3339_seconds(taken).to_string()[..16].replace('T', " ");
    assert_eq!(
        progress["previous_source"],
        format!("your take of {minute} UTC (service-answer-12s.mp4)"),
        "{progress}"
    );
    assert_eq!(progress["overall_before"].as_f64(), Some(score));
    assert_eq!(progress["same_question"], true);
    assert!(!progress["dimensions"].as_array().unwrap().is_empty());
}

/// A two-minute answer: long enough (~10 s of analysis) to stop a worker in
/// the middle of it.
fn long_answer() -> std::path::PathBuf {
    interview(
        "service-long-answer.mp4",
        &[
            "--minutes",
            "2",
            "--video",
            "320x240@15",
            "--face",
            "astronaut",
        ],
    )
    .0
}

/// Submits `media` through `api` and waits until a worker has started it;
/// returns the interview and job ids.
fn submit_and_wait_until_running(client: &Client, media: &std::path::Path) -> (String, i64) {
    let (status, submitted) = client.upload(media, &[]);
    assert_eq!(status, 202, "{submitted}");
    let id = submitted["id"].as_str().unwrap().to_owned();
    client.wait_for(&id, Duration::from_secs(60), |i| {
        i["status"] == "processing"
    });
    // Let the child get into the decoding and transcription.
    std::thread::sleep(Duration::from_secs(2));
    (id, submitted["job_id"].as_i64().unwrap())
}

/// An API process whose own workers claim nothing (a memory threshold of
/// 0 keeps them throttled), so that the test decides which worker runs.
fn api_only(stack: &Stack) -> stack::Process {
    stack.serve("api", &[("MEMORY_THRESHOLD", "0")])
}

#[test]
fn a_worker_killed_mid_job_loses_its_lease_and_another_worker_completes_the_job_once() {
    let media = long_answer();
    let stack = Stack::new();
    let key = stack.key("acme", "submit,read");
    let api = api_only(&stack);
    let client = Client::new(&api.url, &key);
    let mut first = stack.worker("first", &[("JOB_LEASE", "3")]);
    let (id, job_id) = submit_and_wait_until_running(&client, &media);

    first.signal("KILL");
    first.wait_exit(Duration::from_secs(5));
    assert_eq!(stack.job(job_id).attempt, 1);
    // The second worker rescues the expired lease when it starts.
    std::thread::sleep(Duration::from_secs(4));
    let _second = stack.worker("second", &[]);
    let done = client.wait_for(&id, Duration::from_secs(120), |i| {
        i["status"] == "completed"
    });
    assert_eq!(done["progress"], 1.0);
    let job = stack.job(job_id);
    assert_eq!((job.attempt, job.state.as_str()), (2, "completed"));
    let (status, report) = client.get(&format!("/api/v1/interviews/{id}/feedback"));
    assert_eq!(status, 200);
    assert!(report["overall"]["score"].is_number());
}

#[test]
fn a_terminated_worker_gives_its_job_back_without_spending_the_attempt() {
    let media = long_answer();
    let stack = Stack::new();
    let key = stack.key("acme", "submit,read");
    let api = api_only(&stack);
    let client = Client::new(&api.url, &key);
    let mut first = stack.worker("first", &[("SHUTDOWN_GRACE", "0.5")]);
    let (id, job_id) = submit_and_wait_until_running(&client, &media);

    first.signal("TERM");
    let status = first.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status}: {}", first.logs());
    let job = stack.job(job_id);
    assert_eq!((job.state.as_str(), job.attempt), ("pending", 0), "{job:?}");

    let _second = stack.worker("second", &[]);
    client.wait_for(&id, Duration::from_secs(120), |i| {
        i["status"] == "completed"
    });
    assert_eq!(stack.job(job_id).attempt, 1);
}

#[test]
fn keys_are_listed_and_revoked_from_the_command_line() {
    let stack = Stack::new();
    let refused = stack.admin_output(&["keys", "create", "--tenant", "acme/x"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("tenant"));
    let key = stack.key("acme", "read");
    stack.key("beta", "read,admin");
    let listed = stack.admin(&["keys", "list", "--tenant", "acme"]);
    let rows: Vec<&str> = listed.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{listed}");
    assert!(!listed.contains(&key), "a listing never shows a key");
    let id = rows[0].split('\t').next().unwrap();
    assert!(
        rows[0].ends_with("\t-\t-"),
        "a key of the tenant's own: {listed}"
    );
    assert_eq!(stack.admin(&["keys", "list"]).lines().count(), 3);

    let service = stack.serve("serve", &[]);
    let client = Client::new(&service.url, &key);
    assert_eq!(client.get("/api/v1/interviews").0, 200);
    stack.admin(&["keys", "revoke", id]);
    assert_eq!(client.get("/api/v1/interviews").0, 401);
    let again = stack.admin_output(&["keys", "revoke", id]);
    assert_eq!(again.status.code(), Some(2), "revoked already");
}
