//! [`ChildRunner`]: each analysis runs in a child process, so that a crash in
//! native code cannot take the worker down and a timeout or a cancel really
//! stops the CPU work. The conversation is described in [`crate::protocol`].

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use candor_db::{JobId, JobKind};
use futures::future::BoxFuture;
use serde_json::value::RawValue;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::protocol::{ChildMessage, Failure, JobRequest, Progress, Report, MAX_LINE_BYTES};
use crate::runner::{JobContext, JobOutput, JobRunner, RunError};

/// How long a child that has sent its final line may take to exit before
/// it is killed.
const EXIT_WAIT: Duration = Duration::from_secs(10);
/// stderr is logged in pieces of at most this many bytes…
const STDERR_PIECE_BYTES: usize = 2048;
/// …and at most this much per attempt; the rest is read and dropped so the
/// child never blocks on a full pipe.
const STDERR_BUDGET_BYTES: usize = 64 * 1024;

/// Runs analyze jobs by starting `program args…` (with `env` added to the
/// worker's environment) once per attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRunner {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
}

/// Why a child's attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum ChildError {
    #[error("could not start the analysis process: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("talking to the analysis process failed: {0}")]
    Pipe(#[source] std::io::Error),
    /// Died without a final line: a signal or a non-zero exit status.
    #[error("the analysis process crashed: {0}")]
    Crashed(String),
    #[error("the analysis process broke the protocol: {0}")]
    Protocol(String),
    #[error("the analysis process wrote a line longer than {MAX_LINE_BYTES} bytes")]
    LineTooLong,
    /// The child's own `error` line.
    #[error("{message}")]
    Reported {
        code: String,
        message: String,
        retryable: bool,
    },
}

impl ChildError {
    pub fn code(&self) -> &str {
        match self {
            ChildError::Spawn(_) => "worker_spawn_failed",
            ChildError::Pipe(_) => "worker_pipe_failed",
            ChildError::Crashed(_) => "worker_crashed",
            ChildError::Protocol(_) => "protocol_error",
            ChildError::LineTooLong => "report_too_large",
            ChildError::Reported { code, .. } => code,
        }
    }

    /// Crashes and garbled output may be transient (memory pressure, a bad
    /// node); an oversized report would only be produced again.
    pub fn is_retryable(&self) -> bool {
        match self {
            ChildError::LineTooLong => false,
            ChildError::Reported { retryable, .. } => *retryable,
            _ => true,
        }
    }
}

impl JobRunner for ChildRunner {
    fn kind(&self) -> JobKind {
        JobKind::Analyze
    }

    fn run(&self, job: JobContext) -> BoxFuture<'static, Result<JobOutput, RunError>> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, so one signal reaches whatever it started too.
            .process_group(0)
            .kill_on_drop(true);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork
        // and exec.
        unsafe {
            command.pre_exec(|| {
                // A worker killed with SIGKILL cannot stop its children:
                // the kernel does it, so no analysis outlives its worker.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        Box::pin(run_child(command, job))
    }
}

/// Kills a child's process group unless it has been reaped: a runner future
/// dropped mid-attempt leaves no process behind.
struct GroupGuard {
    pgid: Option<i32>,
}

impl GroupGuard {
    fn kill(&self) {
        if let Some(pgid) = self.pgid {
            // SAFETY: killpg has no memory effects; the group is ours (the
            // leader is not reaped yet, so its id cannot have been reused).
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }

    /// Kills the group and reaps the leader.
    async fn kill_and_reap(&mut self, child: &mut Child) -> Result<ExitStatus, ChildError> {
        self.kill();
        self.reap(child).await
    }

    async fn reap(&mut self, child: &mut Child) -> Result<ExitStatus, ChildError> {
        let status = child.wait().await.map_err(ChildError::Pipe)?;
        self.pgid = None;
        Ok(status)
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn run_child(mut command: Command, job: JobContext) -> Result<JobOutput, RunError> {
    let interview = job.interview().await?;
    let previous = job.db.previous_take(&interview).await?;
    let previous_taken_at = previous.as_ref().map(|take| take.interview.created_at);
    let previous_report = match previous {
        Some(take) => match RawValue::from_string(take.feedback.report) {
            Ok(report) => Some(report),
            Err(error) => {
                tracing::warn!(%error, "the previous take's report is not JSON; not compared");
                None
            }
        },
        None => None,
    };
    let fence = &job.job.fence;
    let request = JobRequest {
        job_id: fence.job_id().0,
        interview_id: interview.id.to_string(),
        attempt: fence.attempt(),
        media_key: interview.media_key,
        content_type: interview.content_type,
        language: interview.language,
        question: interview.question,
        file_name: interview.file_name,
        previous_report,
        previous_taken_at,
    };
    let mut child = command.spawn().map_err(ChildError::Spawn)?;
    let mut group = GroupGuard {
        pgid: child.id().and_then(|pid| i32::try_from(pid).ok()),
    };
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        group.kill_and_reap(&mut child).await?;
        return Err(ChildError::Pipe(std::io::Error::other("a pipe was not set up")).into());
    };
    tokio::spawn(forward_stderr(stderr, fence.job_id()));
    tracing::debug!(job_id = %fence.job_id(), pid = ?group.pgid, "analysis process started");

    let conversation = converse(stdin, stdout, &request, &job);
    let last = tokio::select! {
        biased;
        () = job.stop.cancelled() => {
            group.kill_and_reap(&mut child).await?;
            return Err(RunError::Stopped);
        }
        last = conversation => last,
    };
    let last = match last {
        Ok(last) => last,
        Err(error) => {
            group.kill_and_reap(&mut child).await?;
            return Err(error.into());
        }
    };
    let status = tokio::select! {
        biased;
        () = job.stop.cancelled() => {
            group.kill_and_reap(&mut child).await?;
            return Err(RunError::Stopped);
        }
        status = tokio::time::timeout(EXIT_WAIT, group.reap(&mut child)) => match status {
            Ok(status) => status?,
            // It said all it had to say; it does not get to linger.
            Err(_) => group.kill_and_reap(&mut child).await?,
        },
    };
    outcome(last, status, fence.job_id()).map_err(RunError::from)
}

/// Writes the request, then reads messages until the final one (`None` if
/// stdout closed first).
async fn converse(
    mut stdin: ChildStdin,
    stdout: ChildStdout,
    request: &JobRequest,
    job: &JobContext,
) -> Result<Option<ChildMessage>, ChildError> {
    let mut line = serde_json::to_vec(request)
        .map_err(|error| ChildError::Protocol(format!("request not encodable: {error}")))?;
    line.push(b'\n');
    match stdin.write_all(&line).await {
        // A child that died at once shows why through its exit status.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        result => result.map_err(ChildError::Pipe)?,
    }
    drop(stdin);

    let mut reader = BufReader::new(stdout);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buffer)
            .await
            .map_err(ChildError::Pipe)?;
        if read == 0 {
            return Ok(None);
        }
        if buffer.len() > MAX_LINE_BYTES {
            return Err(ChildError::LineTooLong);
        }
        if buffer.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let message = ChildMessage::from_line(&buffer).map_err(|error| {
            let start = String::from_utf8_lossy(&buffer[..buffer.len().min(120)]).into_owned();
            ChildError::Protocol(format!("unreadable line ({error}): {start:?}"))
        })?;
        match message {
            ChildMessage::Progress(Progress { fraction }) => job.report_progress(fraction),
            last => return Ok(Some(last)),
        }
    }
}

/// The attempt's result from the final line and the exit status.
fn outcome(
    last: Option<ChildMessage>,
    status: ExitStatus,
    job_id: JobId,
) -> Result<JobOutput, ChildError> {
    match last {
        Some(ChildMessage::Report(Report {
            report,
            overall_score,
        })) => {
            if !status.success() {
                // The report is complete; a crash while tearing down (a
                // native destructor) does not make it wrong.
                tracing::warn!(job_id = %job_id, status = %describe(status),
                    "analysis process failed after sending its report");
            }
            Ok(JobOutput::Analysis {
                report_json: String::from(Box::<str>::from(report)),
                overall_score,
            })
        }
        Some(ChildMessage::Error(Failure {
            code,
            message,
            retryable,
        })) => Err(ChildError::Reported {
            code,
            message,
            retryable,
        }),
        Some(ChildMessage::Progress(_)) | None if status.success() => Err(ChildError::Protocol(
            "exited without a report or an error".into(),
        )),
        Some(ChildMessage::Progress(_)) | None => Err(ChildError::Crashed(describe(status))),
    }
}

fn describe(status: ExitStatus) -> String {
    match (status.signal(), status.code()) {
        (Some(signal), _) => format!("killed by signal {signal} ({})", signal_name(signal)),
        (None, Some(code)) => format!("exit status {code}"),
        (None, None) => status.to_string(),
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        _ => "other",
    }
}

/// Logs the child's stderr, within [`STDERR_BUDGET_BYTES`].
async fn forward_stderr(stderr: impl AsyncRead + Unpin, job_id: JobId) {
    let mut reader = BufReader::new(stderr);
    let mut piece = Vec::new();
    let mut logged = 0;
    loop {
        piece.clear();
        match (&mut reader)
            .take(STDERR_PIECE_BYTES as u64)
            .read_until(b'\n', &mut piece)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if logged >= STDERR_BUDGET_BYTES {
            continue;
        }
        logged += piece.len();
        let text = String::from_utf8_lossy(&piece);
        tracing::info!(job_id = %job_id, "analysis: {}", text.trim_end());
        if logged >= STDERR_BUDGET_BYTES {
            tracing::warn!(job_id = %job_id, "analysis stderr exceeds {STDERR_BUDGET_BYTES} bytes; the rest is not logged");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_without_a_final_line_are_told_apart() {
        let job = JobId(1);
        let segv = ExitStatus::from_raw(libc::SIGSEGV);
        let error = outcome(None, segv, job).unwrap_err();
        assert_eq!(error.code(), "worker_crashed");
        assert!(error.to_string().contains("signal 11 (SIGSEGV)"), "{error}");
        assert!(error.is_retryable());

        let exit_3 = ExitStatus::from_raw(3 << 8);
        assert!(outcome(None, exit_3, job)
            .unwrap_err()
            .to_string()
            .contains("exit status 3"));

        let clean = ExitStatus::from_raw(0);
        assert_eq!(
            outcome(None, clean, job).unwrap_err().code(),
            "protocol_error"
        );
    }
}
