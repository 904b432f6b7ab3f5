//! A stand-in for the analysis child, for the worker's tests. It speaks the
//! protocol of `candor_worker::protocol` and behaves as its mode says: the
//! `CANDOR_TEST_CHILD_MODE` variable if set, else the interview's question.
//!
//! Modes: `succeed:<progress lines>:<ms between them>`, `sleep` (forever),
//! `segv`, `exit:<status>` (no final line), `garbage`, `error:<code>`,
//! `huge` (a line longer than the worker accepts).
//!
//! With `CANDOR_TEST_CHILD_RUNS=<dir>` it appends `start <unix ns> <pid>`
//! and, on success, `end <unix ns>` to `<dir>/<interview id>.runs`, so tests
//! can count runs and overlaps and find the process. The report carries
//! `CANDOR_TEST_CHILD_TAG`.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use candor_worker::protocol::{
    ChildMessage, Failure, JobRequest, Progress, Report, MAX_LINE_BYTES,
};

fn main() {
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        std::process::exit(2);
    }
    let Ok(request) = serde_json::from_str::<JobRequest>(&line) else {
        eprintln!("unreadable request: {line:?}");
        std::process::exit(2);
    };
    let mode = std::env::var("CANDOR_TEST_CHILD_MODE")
        .ok()
        .or_else(|| request.question.clone())
        .unwrap_or_default();
    let runs = std::env::var_os("CANDOR_TEST_CHILD_RUNS")
        .map(|dir| PathBuf::from(dir).join(format!("{}.runs", request.interview_id)));
    record(
        &runs,
        &format!("start {} {}", unix_nanos(), std::process::id()),
    );
    eprintln!(
        "test child: job {} attempt {} mode {mode}",
        request.job_id, request.attempt
    );

    let mut parts = mode.split(':');
    match (parts.next().unwrap_or(""), parts.next(), parts.next()) {
        ("succeed", steps, pause) => {
            let steps: u32 = steps.and_then(|s| s.parse().ok()).unwrap_or(0);
            let pause = Duration::from_millis(pause.and_then(|p| p.parse().ok()).unwrap_or(0));
            for step in 1..=steps {
                std::thread::sleep(pause);
                say(&ChildMessage::Progress(Progress {
                    fraction: f64::from(step) / f64::from(steps + 1),
                }));
            }
            record(&runs, &format!("end {}", unix_nanos()));
            let report = serde_json::json!({
                "tag": std::env::var("CANDOR_TEST_CHILD_TAG").unwrap_or_default(),
                "interview_id": request.interview_id,
                "attempt": request.attempt,
            });
            say(&ChildMessage::Report(Report {
                report: serde_json::value::to_raw_value(&report).expect("plain JSON"),
                overall_score: Some(73.5),
            }));
        }
        ("sleep", _, _) => {
            say(&ChildMessage::Progress(Progress { fraction: 0.1 }));
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        ("segv", _, _) => {
            say(&ChildMessage::Progress(Progress { fraction: 0.2 }));
            // Rust's own SIGSEGV handler (stack-overflow detection) would
            // return from a raised signal; the default action kills us as a
            // real fault in native code would.
            // SAFETY: resetting a disposition and raising a signal touch no
            // memory of ours.
            unsafe {
                libc::signal(libc::SIGSEGV, libc::SIG_DFL);
                libc::raise(libc::SIGSEGV);
            }
        }
        ("exit", status, _) => {
            std::process::exit(status.and_then(|s| s.parse().ok()).unwrap_or(0));
        }
        ("garbage", _, _) => println!("this is not JSON"),
        ("error", code, _) => say(&ChildMessage::Error(Failure {
            code: code.unwrap_or("bad_input").to_owned(),
            message: "the recording has no audio track".to_owned(),
            retryable: false,
        })),
        ("huge", _, _) => {
            let chunk = vec![b'x'; 1024 * 1024];
            let mut stdout = std::io::stdout().lock();
            for _ in 0..=MAX_LINE_BYTES / chunk.len() {
                if stdout.write_all(&chunk).is_err() {
                    return;
                }
            }
            let _ = stdout.write_all(b"\n");
        }
        _ => {
            eprintln!("unknown mode {mode:?}");
            std::process::exit(2);
        }
    }
}

fn say(message: &ChildMessage) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(message.to_line().as_bytes());
    let _ = stdout.flush();
}

fn record(runs: &Option<PathBuf>, line: &str) {
    if let Some(path) = runs {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("the runs directory is writable");
        writeln!(file, "{line}").expect("the runs file is writable");
    }
}

fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos())
}
