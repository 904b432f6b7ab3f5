//! What the worker and the analysis child say to each other over pipes.
//!
//! The worker starts the child (in its own process group) and:
//!
//! 1. writes ONE line of JSON, a [`JobRequest`], to the child's stdin and
//!    closes it:
//!    `{"job_id":7,"interview_id":"0190…","attempt":1,"media_key":"live/acme/a.mp4",
//!    "content_type":"video/mp4","language":"en","question":"Tell me…",
//!    "file_name":"take 2.mp4","previous_report":{…},"previous_taken_at":1764352800000}`
//!    (`language`, `question`, `file_name`, `previous_report` — the
//!    stored report of the candidate's previous take — and
//!    `previous_taken_at` may be `null`);
//! 2. reads lines of JSON, each a [`ChildMessage`], from the child's stdout:
//!    - any number of `{"type":"progress","fraction":0.42}` (0..=1);
//!    - then exactly one final line, either
//!      `{"type":"report","report":{…},"overall_score":73.5}` (the report is
//!      any JSON value, stored as written; `overall_score` may be `null`) or
//!      `{"type":"error","code":"bad_input","message":"…","retryable":false}`;
//! 3. waits for the child to exit.
//!
//! The child's stderr is free text and goes to the worker's log (cut when
//! long). Nothing else may appear on stdout: a line that is not a message
//! fails the attempt with `protocol_error` (retryable); so does a line
//! longer than [`MAX_LINE_BYTES`] (`report_too_large`, not retryable, since
//! the same input would produce it again). A child that exits without a
//! final line fails the attempt with `worker_crashed` (killed by a signal or
//! a non-zero exit status; retryable) or `protocol_error` (exit status 0).
//!
//! The worker stops a child (timeout, cancel, lost lease, shutdown) with
//! SIGKILL to its whole process group: the child needs no signal handling,
//! and anything it started dies with it.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The longest stdout line the worker reads: room for a report of many
/// megabytes, bounded so that a runaway child cannot exhaust the worker's
/// memory.
pub const MAX_LINE_BYTES: usize = 32 * 1024 * 1024;

/// The job, as the child receives it on stdin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobRequest {
    pub job_id: i64,
    pub interview_id: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    /// The media's key in object storage.
    pub media_key: String,
    pub content_type: String,
    /// Spoken language; `None` lets the analysis detect it.
    pub language: Option<String>,
    pub question: Option<String>,
    /// The uploaded file's name, for the report; `None` names it by its key.
    #[serde(default)]
    pub file_name: Option<String>,
    /// The report of the candidate's previous take of the same question, as
    /// stored, for the progress comparison.
    #[serde(default)]
    pub previous_report: Option<Box<RawValue>>,
    /// When that take was submitted (Unix milliseconds), to name it by.
    #[serde(default)]
    pub previous_taken_at: Option<i64>,
}

/// One line the child writes to stdout: `{"type":"progress",…}`,
/// `{"type":"report",…}` or `{"type":"error",…}`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ChildMessage {
    Progress(Progress),
    /// Ends the job.
    Report(Report),
    /// Ends the job.
    Error(Failure),
}

/// How far the analysis is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// 0..=1.
    pub fraction: f64,
}

/// The result.
#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    /// Any JSON value, kept as the child wrote it: the worker stores it
    /// without re-encoding.
    pub report: Box<RawValue>,
    pub overall_score: Option<f64>,
}

/// The analysis failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// A stable code, e.g. `bad_input`, `media_unsupported`.
    pub code: String,
    pub message: String,
    /// Whether another attempt may succeed.
    pub retryable: bool,
}

/// Only the tag of a line.
#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

impl ChildMessage {
    /// Reads one line. (Not a derived `Deserialize`: serde buffers an
    /// internally tagged enum's content, which a [`RawValue`] cannot come
    /// through.)
    pub fn from_line(line: &[u8]) -> Result<ChildMessage, serde_json::Error> {
        let tag: Tag = serde_json::from_slice(line)?;
        match tag.kind.as_ref() {
            "progress" => serde_json::from_slice(line).map(ChildMessage::Progress),
            "report" => serde_json::from_slice(line).map(ChildMessage::Report),
            "error" => serde_json::from_slice(line).map(ChildMessage::Error),
            other => Err(serde::de::Error::custom(format!(
                "unknown message type {other:?}"
            ))),
        }
    }

    /// The message as one line, newline included, ready to write.
    pub fn to_line(&self) -> String {
        // Serializing these types cannot fail: every field is plain data
        // and a RawValue is valid JSON by construction.
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_documented() {
        let progress = ChildMessage::from_line(br#"{"type":"progress","fraction":0.42}"#).unwrap();
        assert!(
            matches!(progress, ChildMessage::Progress(Progress { fraction }) if fraction == 0.42)
        );

        let report = ChildMessage::from_line(
            br#"{"type":"report","report":{"dimensions":[1, 2]},"overall_score":73.5}"#,
        )
        .unwrap();
        let ChildMessage::Report(report) = report else {
            panic!("a report");
        };
        assert_eq!(report.report.get(), r#"{"dimensions":[1, 2]}"#);
        assert_eq!(report.overall_score, Some(73.5));

        let error = ChildMessage::from_line(
            br#"{"type":"error","code":"bad_input","message":"no audio","retryable":false}"#,
        )
        .unwrap();
        assert!(
            matches!(error, ChildMessage::Error(Failure { ref code, retryable: false, .. }) if code == "bad_input")
        );

        assert!(ChildMessage::from_line(br#"{"type":"shrug"}"#).is_err());
        assert!(ChildMessage::from_line(br#"{"fraction":0.5}"#).is_err());
    }

    #[test]
    fn messages_write_as_one_line_each() {
        let progress = ChildMessage::Progress(Progress { fraction: 0.5 });
        assert_eq!(
            progress.to_line(),
            "{\"type\":\"progress\",\"fraction\":0.5}\n"
        );
        let report = ChildMessage::Report(Report {
            report: RawValue::from_string(r#"{"a": [1]}"#.to_owned()).unwrap(),
            overall_score: None,
        });
        let line = report.to_line();
        assert_eq!(
            line,
            "{\"type\":\"report\",\"report\":{\"a\": [1]},\"overall_score\":null}\n"
        );
        assert!(matches!(
            ChildMessage::from_line(line.as_bytes()),
            Ok(ChildMessage::Report(_))
        ));
    }

    #[test]
    fn the_request_round_trips() {
        let request = JobRequest {
            job_id: 7,
            interview_id: "0190aaaa-0000-7000-8000-000000000000".into(),
            attempt: 2,
            media_key: "live/acme/a.mp4".into(),
            content_type: "video/mp4".into(),
            language: None,
            question: Some("Why?".into()),
            file_name: Some("take 2.mp4".into()),
            previous_report: Some(
                RawValue::from_string(r#"{"overall":{"score":60}}"#.into()).unwrap(),
            ),
            previous_taken_at: Some(1_764_352_800_000),
        };
        let text = serde_json::to_string(&request).unwrap();
        assert!(text.contains(r#""language":null"#));
        // The previous report travels as JSON, not as a string of JSON.
        assert!(
            text.contains(r#""previous_report":{"overall":{"score":60}}"#),
            "{text}"
        );
        let back: JobRequest = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }
}
