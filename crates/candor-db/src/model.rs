//! Ids, states and the rows this crate reads and writes.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::{DbError, Result};

/// Milliseconds since the Unix epoch: every time column holds one. Both
/// backends store a BIGINT and the Any driver reads it as `i64`, so the same
/// SQL works everywhere.
pub type EpochMillis = i64;

/// The application's clock. Every time written to the database comes from
/// here, not from the database server, so the SQL stays identical across
/// backends; machines sharing a database need clocks that agree to well
/// within a lease.
pub fn now_ms() -> EpochMillis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, millis)
}

/// A duration as whole milliseconds, saturating instead of wrapping.
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Longest values the schema accepts, in characters. The MySQL migration's
/// column sizes match; SQLite does not enforce lengths, so they are checked
/// here to keep both backends alike.
pub mod limits {
    pub const TENANT: usize = 128;
    /// Longest tenant id a new key may carry ([`super::check_tenant`]).
    pub const TENANT_ID: usize = 63;
    pub const MEDIA_KEY: usize = 1024;
    pub const CONTENT_TYPE: usize = 255;
    pub const QUESTION: usize = 4000;
    pub const CANDIDATE_REF: usize = 255;
    pub const LANGUAGE: usize = 32;
    pub const CALLBACK_URL: usize = 2048;
    pub const FILE_NAME: usize = 255;
    pub const API_KEY_NAME: usize = 255;
    pub const API_KEY_HASH: usize = 128;
    /// Job error codes and messages are cut to these lengths rather than
    /// refused: a failure must always be recordable.
    pub const ERROR_CODE: usize = 64;
    pub const ERROR_MESSAGE: usize = 4000;
    /// The part of a worker id chosen by the caller (a random suffix follows).
    pub const WORKER_PREFIX: usize = 64;
}

pub(crate) fn check_len(field: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(DbError::InvalidInput(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(())
}

pub(crate) fn truncate(value: &str, max: usize) -> &str {
    match value.char_indices().nth(max) {
        Some((end, _)) => &value[..end],
        None => value,
    }
}

/// A closed set of values stored as lower-case words.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and shown in the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value for a stored word; `None` for a word this version
            /// does not know.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_enum! {
    /// Where an interview stands. It mirrors its latest analyze job: the job
    /// running shows as `processing`, a job waiting for a retry as `pending`.
    InterviewStatus {
        Pending => "pending",
        Processing => "processing",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

stored_enum! {
    /// A job's state. `Pending` and `Running` are active; the rest are
    /// terminal and pruned after the retention period.
    JobState {
        Pending => "pending",
        Running => "running",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl JobState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Completed | JobState::Failed | JobState::Cancelled
        )
    }
}

stored_enum! {
    /// What a job does.
    JobKind {
        /// Analyze the interview's media and store its feedback.
        Analyze => "analyze",
        /// Deliver the outcome to the interview's callback URL.
        Webhook => "webhook",
    }
}

stored_enum! {
    /// What an API key may do. Every scope but `Operator` acts within the
    /// key's own tenant.
    Scope {
        /// Submit and delete interviews.
        Submit => "submit",
        /// Read interviews, feedback and reports.
        Read => "read",
        /// Manage the tenant's own jobs (retry, cancel) and its webhook
        /// signing secrets.
        Admin => "admin",
        /// Run the service: the queue and stats of every tenant, any job's
        /// retry and cancel, `/metrics`. For the operator's own keys only.
        Operator => "operator",
        /// Create and revoke practice links: keys bound to one candidate
        /// of the tenant (a coach's or an integration's key).
        Practice => "practice",
    }
}

/// Checks that `text` is a tenant id: 1 to 63 lower-case ASCII letters,
/// digits and hyphens, starting and ending with a letter or digit (a DNS
/// label). Tenant ids appear in object keys and logs, so nothing else is
/// allowed in them: no `/`, no dots, no empty id.
pub fn check_tenant(text: &str) -> Result<()> {
    let bytes = text.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if (1..=limits::TENANT_ID).contains(&bytes.len())
        && bytes.iter().all(allowed)
        && edge(bytes.first())
        && edge(bytes.last())
    {
        Ok(())
    } else {
        Err(DbError::InvalidInput(format!(
            "tenant {text:?} is not a tenant id: 1 to {} lower-case letters, digits and \
             hyphens, starting and ending with a letter or digit",
            limits::TENANT_ID
        )))
    }
}

/// An interview's id: a UUIDv7 in its hyphenated lower-case form, so ids
/// sort by creation time and carry no tenant information.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct InterviewId(String);

impl InterviewId {
    pub(crate) fn generate() -> Self {
        InterviewId(uuid::Uuid::now_v7().hyphenated().to_string())
    }

    /// Accepts any UUID spelling (e.g. from a URL path) and normalises it.
    pub fn parse(text: &str) -> Result<Self> {
        uuid::Uuid::parse_str(text)
            .map(|uuid| InterviewId(uuid.hyphenated().to_string()))
            .map_err(|_| DbError::InvalidInput(format!("{text:?} is not an interview id")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For ids read back from the database, which wrote them.
    pub(crate) fn from_stored(text: String) -> Self {
        InterviewId(text)
    }
}

impl fmt::Display for InterviewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A job's id (an auto-increment integer, never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The owner of a job lease. A worker process takes a fresh one on every
/// boot, so a restarted worker never mistakes its predecessor's leases for
/// its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct WorkerId(String);

impl WorkerId {
    /// `prefix` (e.g. the host name) followed by a random UUIDv7. The prefix
    /// is cut to [`limits::WORKER_PREFIX`] characters.
    pub fn fresh(prefix: &str) -> Self {
        let prefix = truncate(prefix, limits::WORKER_PREFIX);
        WorkerId(format!("{prefix}-{}", uuid::Uuid::now_v7().hyphenated()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_stored(text: String) -> Self {
        WorkerId(text)
    }
}

impl fmt::Display for WorkerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a client submits; the id, status and times are set on insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInterview {
    pub tenant: String,
    /// The media's key in object storage.
    pub media_key: String,
    /// Whether the submission stored the object or names one the tenant
    /// owns.
    pub media_origin: crate::MediaOrigin,
    pub media_size: i64,
    pub content_type: String,
    pub question: Option<String>,
    /// The client's reference for the candidate, to compare their takes.
    pub candidate_ref: Option<String>,
    /// Spoken language (e.g. "en"); `None` lets the analysis detect it.
    pub language: Option<String>,
    pub callback_url: Option<String>,
    /// The uploaded file's name as the client gave it.
    pub file_name: Option<String>,
}

impl NewInterview {
    pub(crate) fn validate(&self) -> Result<()> {
        check_len("tenant", &self.tenant, limits::TENANT)?;
        check_len("media_key", &self.media_key, limits::MEDIA_KEY)?;
        check_len("content_type", &self.content_type, limits::CONTENT_TYPE)?;
        let optional = [
            ("question", &self.question, limits::QUESTION),
            ("candidate_ref", &self.candidate_ref, limits::CANDIDATE_REF),
            ("language", &self.language, limits::LANGUAGE),
            ("callback_url", &self.callback_url, limits::CALLBACK_URL),
            ("file_name", &self.file_name, limits::FILE_NAME),
        ];
        for (field, value, max) in optional {
            if let Some(value) = value {
                check_len(field, value, max)?;
            }
        }
        if self.media_size < 0 {
            return Err(DbError::InvalidInput("media_size is negative".into()));
        }
        Ok(())
    }
}

/// An interview as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interview {
    pub id: InterviewId,
    pub tenant: String,
    pub media_key: String,
    pub media_size: i64,
    pub content_type: String,
    pub question: Option<String>,
    pub candidate_ref: Option<String>,
    pub language: Option<String>,
    pub callback_url: Option<String>,
    /// The uploaded file's name as the client gave it.
    pub file_name: Option<String>,
    pub status: InterviewStatus,
    /// 0..=1, reported by the worker's heartbeats.
    pub progress: f64,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: EpochMillis,
    pub updated_at: EpochMillis,
}

/// The analysis result of one interview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feedback {
    pub interview_id: InterviewId,
    /// The report as JSON text, stored as the analysis produced it.
    pub report: String,
    pub overall_score: Option<f64>,
    pub created_at: EpochMillis,
}

/// An earlier completed take of the same candidate (and question), for
/// comparisons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviousTake {
    pub interview: Interview,
    pub feedback: Feedback,
}

/// A job row, for admin views.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    pub interview_id: InterviewId,
    pub payload: Option<String>,
    pub state: JobState,
    /// Attempts started so far (counted at claim).
    pub attempt: i64,
    pub max_attempts: i64,
    /// Not claimed before this time (backoff of a retry, or a delay).
    pub run_at: EpochMillis,
    pub lease_owner: Option<WorkerId>,
    pub lease_expires_at: Option<EpochMillis>,
    pub cancel_requested: bool,
    pub error_code: Option<String>,
    pub last_error: Option<String>,
    pub timeout_ms: i64,
    pub created_at: EpochMillis,
    pub started_at: Option<EpochMillis>,
    pub finished_at: Option<EpochMillis>,
}

/// An API key to insert. The caller hashes the secret; only the hash is
/// stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewApiKey {
    pub tenant: String,
    pub name: String,
    pub key_hash: String,
    pub scopes: Vec<Scope>,
    /// A practice link's candidate: the key then reaches only that
    /// candidate's interviews.
    pub candidate_ref: Option<String>,
    /// When the key stops working; `None`: until revoked.
    pub expires_at: Option<EpochMillis>,
}

/// An API key as stored (without its hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub tenant: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: EpochMillis,
    pub revoked_at: Option<EpochMillis>,
    pub candidate_ref: Option<String>,
    pub expires_at: Option<EpochMillis>,
}

impl ApiKey {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Whose interviews the key reaches.
    pub fn owner(&self) -> Owner {
        Owner {
            tenant: self.tenant.clone(),
            candidate_ref: self.candidate_ref.clone(),
        }
    }
}

/// Whose interviews a query may reach: a tenant's, or only one of its
/// candidates' (a practice link). Every interview read, listing and
/// deletion filters on it in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub tenant: String,
    pub candidate_ref: Option<String>,
}

/// A tenant's whole: what the tests and the workers (every candidate of a
/// tenant) pass.
impl From<&str> for Owner {
    fn from(tenant: &str) -> Self {
        Owner {
            tenant: tenant.to_owned(),
            candidate_ref: None,
        }
    }
}

impl Owner {
    /// The SQL condition on `interviews` that keeps the owner's rows, its
    /// parameters bound by [`Owner::bind`].
    pub(crate) fn condition(&self) -> &'static str {
        if self.candidate_ref.is_some() {
            "interviews.tenant = ? AND interviews.candidate_ref = ?"
        } else {
            "interviews.tenant = ?"
        }
    }

    /// Binds [`Owner::condition`]'s parameters: the tenant, then the
    /// candidate when there is one.
    pub(crate) fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let query = query.bind(&self.tenant);
        match &self.candidate_ref {
            Some(candidate) => query.bind(candidate),
            None => query,
        }
    }
}
