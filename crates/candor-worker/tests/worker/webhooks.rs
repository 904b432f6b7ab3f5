//! Webhook deliveries to a real HTTP listener on loopback.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use candor_db::{JobFilter, JobKind, JobState};
use candor_worker::webhook::verify;
use candor_worker::{WebhookConfig, WebhookRunner, WorkerPool};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::harness::{config, idle_status, spec, wait_until, TestDb, TENANT};

const OLD_SECRET: &str = "whsec-old";
const SECRET: &str = "whsec-test";
const WITHIN: Duration = Duration::from_secs(30);

/// One request the listener received.
#[derive(Debug, Clone)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str())
    }
}

/// A minimal HTTP/1.1 listener that records requests and answers with the
/// scripted statuses, then 200.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(statuses: &[u16]) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let received = Arc::new(Mutex::new(Vec::new()));
        let statuses = Arc::new(Mutex::new(
            statuses.iter().copied().collect::<VecDeque<_>>(),
        ));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, statuses) = (log.clone(), statuses.clone());
                tokio::spawn(async move {
                    if let Some(request) = read_request(stream, &statuses).await {
                        log.lock().unwrap().push(request);
                    }
                });
            }
        });
        Receiver { url, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn read_request(mut stream: TcpStream, statuses: &Mutex<VecDeque<u16>>) -> Option<Received> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..read]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..read]);
    }
    let status = statuses.lock().unwrap().pop_front().unwrap_or(200);
    let response =
        format!("HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    stream.write_all(response.as_bytes()).await.ok()?;
    Some(Received {
        headers,
        body: data[head_end..head_end + length].to_vec(),
    })
}

fn webhook_pool(
    t: &TestDb,
    allow_private: bool,
    wake: &Arc<Notify>,
) -> candor_worker::WorkerHandle {
    let webhooks = WebhookConfig {
        allow_private_webhooks: allow_private,
        ..WebhookConfig::default()
    };
    WorkerPool::start(
        t.db.clone(),
        config(),
        Arc::new(WebhookRunner::new(webhooks)),
        wake.clone(),
    )
}

async fn webhook_job(t: &TestDb) -> candor_db::Job {
    let filter = JobFilter {
        kind: Some(JobKind::Webhook),
        ..JobFilter::default()
    };
    wait_until(WITHIN, "the webhook job finishes", || async {
        let jobs = t.db.list_jobs(&filter, 10).await.ok()?;
        jobs.into_iter().find(|job| job.state.is_terminal())
    })
    .await
}

/// Gives the tenant `OLD_SECRET`, then rotates to `SECRET` with an hour's
/// grace: deliveries are signed with both.
async fn rotate_secrets(t: &TestDb) {
    for secret in [OLD_SECRET, SECRET] {
        t.db.rotate_webhook_secret(TENANT, secret, Duration::from_secs(3600))
            .await
            .unwrap();
    }
}

pub async fn a_finished_analysis_is_delivered_signed_and_retried_until_2xx(t: TestDb) {
    rotate_secrets(&t).await;
    let receiver = Receiver::start(&[503]).await;
    let (interview, _) = t
        .submit_with_callback("succeed:0:0", &spec(1), Some(receiver.url.clone()))
        .await;
    let wake = Arc::new(Notify::new());
    let analyses = t.start_pool(config(), &wake);
    let webhooks = webhook_pool(&t, true, &wake);
    wake.notify_waiters();

    let job = webhook_job(&t).await;
    assert_eq!(
        (job.state, job.attempt),
        (JobState::Completed, 2),
        "{job:?}"
    );
    let received = receiver.received();
    assert_eq!(received.len(), 2, "one 503, then one 200");
    let request = &received[1];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Signed with the current and the rotated-out secret, newest first.
    let signatures = request.header("Candor-Signature");
    assert_eq!(signatures.matches("v1=").count(), 2, "{signatures}");
    for secret in [SECRET, OLD_SECRET] {
        assert!(verify(
            secret,
            request.header("Candor-Timestamp"),
            signatures,
            &request.body,
            now,
            Duration::from_secs(300),
        ));
    }
    assert!(!verify(
        "another secret",
        request.header("Candor-Timestamp"),
        request.header("Candor-Signature"),
        &request.body,
        now,
        Duration::from_secs(300)
    ));
    assert_eq!(request.header("Content-Type"), "application/json");
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "event": "interview.completed",
            "interview_id": interview.id.as_str(),
            "status": "completed",
            "overall_score": 73.5,
        })
    );
    let counters = idle_status(&webhooks).await.counters;
    assert_eq!((counters.retried, counters.completed), (1, 1));
    analyses.shutdown(Duration::from_secs(5)).await;
    webhooks.shutdown(Duration::from_secs(5)).await;
}

/// Runs one analysis in `mode` whose webhook must fail at once with
/// `code` without anything reaching the receiver; returns the webhook job.
async fn refused_delivery(
    t: &TestDb,
    mode: &str,
    allow_private: bool,
    code: &str,
) -> candor_db::Job {
    let receiver = Receiver::start(&[]).await;
    t.submit_with_callback(mode, &spec(1), Some(receiver.url.clone()))
        .await;
    let wake = Arc::new(Notify::new());
    let analyses = t.start_pool(config(), &wake);
    let webhooks = webhook_pool(t, allow_private, &wake);
    wake.notify_waiters();

    let job = webhook_job(t).await;
    assert_eq!(
        (job.state, job.attempt),
        (JobState::Failed, 1),
        "not retried"
    );
    assert_eq!(job.error_code.as_deref(), Some(code));
    assert!(receiver.received().is_empty(), "nothing was sent");
    analyses.shutdown(Duration::from_secs(5)).await;
    webhooks.shutdown(Duration::from_secs(5)).await;
    job
}

pub async fn a_private_webhook_target_is_refused_unless_allowed(t: TestDb) {
    rotate_secrets(&t).await;
    let job = refused_delivery(&t, "error:bad_input", false, "webhook_target_forbidden").await;
    assert!(job.payload.unwrap_or_default().contains("interview.failed"));
}

pub async fn a_tenant_without_a_signing_secret_gets_no_delivery(t: TestDb) {
    refused_delivery(&t, "succeed:0:0", true, "webhook_no_secret").await;
}
