//! A submit to one process starts on a worker in another: `candor worker`
//! processes cannot hear the API's in-process wake-up, so they must find
//! new jobs by probing the queue, well before the 30-s safety poll.

use std::time::Duration;

use serde_json::Value;

use crate::stack::{Client, Process, Stack};
use crate::support::interview;

const SUBMITS: usize = 20;

/// The ids of the analysis pools that `process` started, from its logs.
fn analysis_workers(process: &Process) -> Vec<String> {
    process
        .logs()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|entry| {
            entry["fields"]["message"] == "worker pool starting"
                && entry["fields"]["kind"] == "analyze"
        })
        .filter_map(|entry| entry["fields"]["worker"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn jobs_submitted_to_the_api_start_on_separate_workers_within_a_second() {
    let (media, _) = interview("service-wakeup.mp3", &["--sentences", "2"]);
    let stack = Stack::new();
    let key = stack.key("acme", "submit,read");
    // The API process's own pools are held back by the memory throttle
    // (MAX_CONCURRENT_JOBS must be at least 1), so every job has to go to
    // a `candor worker` process.
    let api = stack.serve("api", &[("MEMORY_THRESHOLD", "0")]);
    let poll = [("QUEUE_CHECK_INTERVAL", "30")];
    let first = stack.worker("first", &poll);
    let second = stack.worker("second", &poll);
    let client = Client::new(&api.url, &key);
    // Let the workers find the queue empty and settle into waiting.
    std::thread::sleep(Duration::from_secs(1));

    let mut waits_ms = Vec::new();
    let mut owners = Vec::new();
    for n in 0..SUBMITS {
        let (status, submitted) = client.upload(&media, &[]);
        assert_eq!(status, 202, "{submitted}");
        let id = submitted["id"].as_str().unwrap();
        let done = client.wait_for(id, Duration::from_secs(120), |i| {
            i["status"] != "pending" && i["status"] != "processing"
        });
        assert_eq!(done["status"], "completed", "{done}");
        let job = stack.job(submitted["job_id"].as_i64().unwrap());
        waits_ms.push(job.started_at.unwrap() - job.created_at);
        owners.push(job.lease_owner.unwrap().to_string());
        // Submits land at different phases of the workers' probes.
        std::thread::sleep(Duration::from_millis((n as u64 * 173) % 500));
    }

    let mut sorted = waits_ms.clone();
    sorted.sort_unstable();
    let median = (sorted[SUBMITS / 2 - 1] + sorted[SUBMITS / 2]) as f64 / 2.0;
    let max = sorted[SUBMITS - 1];
    let by_first = analysis_workers(&first);
    let by_second = analysis_workers(&second);
    let on_first = owners.iter().filter(|o| by_first.contains(o)).count();
    let on_second = owners.iter().filter(|o| by_second.contains(o)).count();
    println!(
        "submit -> started over {SUBMITS} jobs, one serve and two workers on MariaDB: \
         median {median:.0} ms, max {max} ms; {on_first} on the first worker, \
         {on_second} on the second; all (ms): {waits_ms:?}"
    );
    assert_eq!(
        on_first + on_second,
        SUBMITS,
        "every job ran on a worker process: {owners:?}, workers {by_first:?} {by_second:?}"
    );
    assert!(
        median < 1000.0 && max < 1000,
        "median {median} ms, max {max} ms: {waits_ms:?}"
    );
}
