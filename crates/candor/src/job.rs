//! `candor job-run` (hidden): the child process a service worker starts for
//! one analysis job. It reads the job from stdin, decodes the media straight
//! from the object store with ranged reads, and answers on stdout in the
//! line protocol of `candor_worker::protocol`. Running the native work in a
//! child is what lets the worker stop it (timeout, cancel) and survive it
//! (a crash in FFmpeg, OpenCV, dlib or CTranslate2).

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use candor_media::MediaSource;
use candor_report::read_report;
use candor_store::{MediaStore, ReaderOptions, StoreConfig, StoreError};
use candor_worker::protocol::{self, ChildMessage, JobRequest};

use crate::analyze::{report_for, Context, ProgressSink};
use crate::config::Config;
use crate::failure::{Failure, FailureKind};

/// Progress lines are sent at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

pub fn run(mut config: Config, model_dir: &Path) -> ExitCode {
    let outcome = read_request().and_then(|request| {
        if request.language.is_some() {
            config.transcribe.language.clone_from(&request.language);
        }
        analyze(&request, &config, model_dir)
    });
    let (message, code) = match outcome {
        Ok(message) => (message, ExitCode::SUCCESS),
        Err(error) => {
            let code = if error.retryable {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            };
            (
                ChildMessage::Error(protocol::Failure {
                    code: error.code.to_string(),
                    message: error.message,
                    retryable: error.retryable,
                }),
                code,
            )
        }
    };
    // The worker reads the final line; if stdout is gone, so is the worker.
    let _ = emit(&message);
    code
}

/// Why a job failed, as the worker records it.
struct JobFailure {
    code: &'static str,
    message: String,
    retryable: bool,
}

impl From<Failure> for JobFailure {
    fn from(failure: Failure) -> Self {
        match failure.kind {
            FailureKind::BadInput => JobFailure {
                code: "bad_input",
                message: failure.message,
                retryable: false,
            },
            FailureKind::Internal => JobFailure {
                code: "internal",
                message: failure.message,
                retryable: true,
            },
        }
    }
}

impl From<StoreError> for JobFailure {
    fn from(error: StoreError) -> Self {
        JobFailure {
            code: error.code(),
            message: error.to_string(),
            retryable: error.is_transient(),
        }
    }
}

fn read_request() -> Result<JobRequest, JobFailure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| protocol_failure(format!("cannot read the job from stdin: {e}")))?;
    serde_json::from_str(&line)
        .map_err(|e| protocol_failure(format!("the job on stdin is not valid: {e}")))
}

fn protocol_failure(message: String) -> JobFailure {
    JobFailure {
        code: "protocol_error",
        message,
        retryable: true,
    }
}

fn analyze(
    request: &JobRequest,
    config: &Config,
    model_dir: &Path,
) -> Result<ChildMessage, JobFailure> {
    // The reader blocks on this runtime from the decoder's thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Failure::internal(format!("cannot start the I/O runtime: {e}")))?;
    let store = MediaStore::open(&StoreConfig::from_env()?)?;
    let key = store.key(&request.media_key)?;
    let reader = runtime.block_on(store.reader(&key, &ReaderOptions::default()))?;
    let (meter, size) = (reader.meter(), reader.size());
    let source = MediaSource::Reader {
        reader: Box::new(reader),
        size: Some(size),
        name: key.to_string(),
    };
    let source_name = request
        .file_name
        .as_deref()
        .unwrap_or_else(|| key.as_str().rsplit('/').next().unwrap_or(key.as_str()));
    let context = Context {
        question: request.question.clone(),
        previous: request.previous_report.as_ref().and_then(|raw| {
            let mut previous = read_report(raw.get())
                .inspect_err(|e| tracing::warn!("previous take not compared: {e}"))
                .ok()?;
            // A browser names every take "answer.webm": say when it was.
            if let Some(at) = request.previous_taken_at {
                previous.source = format!("your take of {} ({})", utc_minute(at), previous.source);
            }
            Some(previous)
        }),
    };
    let report = report_for(
        source,
        key.as_str(),
        source_name,
        &context,
        config,
        model_dir,
        &|duration_s| Box::new(ChildProgress::new(duration_s)),
    )?;
    tracing::info!(
        bytes_fetched = meter.bytes_fetched(),
        object_size = size,
        "media read from the store"
    );
    let overall_score = report.overall.score.map(f64::from);
    let report = serde_json::value::to_raw_value(&report)
        .map_err(|e| Failure::internal(format!("cannot serialise the report: {e}")))?;
    Ok(ChildMessage::Report(protocol::Report {
        report,
        overall_score,
    }))
}

fn emit(message: &ChildMessage) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(message.to_line().as_bytes())?;
    stdout.flush()
}

/// Progress as a fraction of the recording, sent as protocol lines.
struct ChildProgress {
    duration_s: f64,
    last_sent: Mutex<Option<Instant>>,
}

impl ChildProgress {
    fn new(duration_s: f64) -> Self {
        Self {
            duration_s,
            last_sent: Mutex::new(None),
        }
    }
}

impl ProgressSink for ChildProgress {
    fn at(&self, media_seconds: f64) {
        let Ok(mut last) = self.last_sent.lock() else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < PROGRESS_EVERY) || self.duration_s <= 0.0 {
            return;
        }
        *last = Some(Instant::now());
        let fraction = (media_seconds / self.duration_s).clamp(0.0, 1.0);
        let _ = emit(&ChildMessage::Progress(protocol::Progress { fraction }));
    }

    fn finish(&self) {}
}

/// "2026-11-28 18:05 UTC" for Unix milliseconds.
fn utc_minute(ms: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0).unsigned_abs());
    let iso = humantime::format_rfc3339_seconds(at).to_string(); // 2026-11-28T18:05:12Z
    format!("{} {} UTC", &iso[..10], &iso[11..16])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_take_is_named_by_its_minute_in_utc() {
        assert_eq!(super::utc_minute(1_764_352_812_345), "2025-11-28 18:00 UTC");
        assert_eq!(super::utc_minute(0), "1970-01-01 00:00 UTC");
    }
}
