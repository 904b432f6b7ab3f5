//! Candor's database: interviews, their feedback, API keys and the job queue,
//! on a SQLite file (the default, zero set-up) or MySQL 8 / MariaDB ≥ 10.6.
//!
//! A tour:
//! - [`Db::connect`] opens a pool and runs the embedded migrations
//!   (`migrations/sqlite`, `migrations/mysql`).
//! - `interviews.rs`: an interview and its analyze job are created in one
//!   transaction; every read a client can trigger is scoped by tenant.
//! - `queue/`: the job queue. Workers [`Db::claim`] jobs (the attempt is
//!   counted there) and get a [`Fence`]; every later transition checks that
//!   fence, so a worker whose lease was rescued cannot overwrite the outcome
//!   of the worker that took the job over.
//! - `stats.rs`: numbers for metrics and the stats endpoints.
//!
//! All SQL goes through one `AnyPool`. Statements are the same on both
//! backends except where noted (claim locking, upserts, explain), and every
//! time is an `i64` of milliseconds written by the application.

mod api_keys;
mod error;
mod interviews;
mod media;
mod model;
mod queue;
mod row;
mod stats;
pub mod testing;
mod webhook_secrets;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};

use row::RowExt;

pub use error::{DbError, Result};
pub use interviews::{DeletedInterview, MAX_LIST_LIMIT};
pub use media::{Assigned, MediaOrigin, MAX_MEDIA_KEY};
pub use model::{
    check_tenant, limits, now_ms, ApiKey, EpochMillis, Feedback, Interview, InterviewId,
    InterviewStatus, Job, JobId, JobKind, JobState, NewApiKey, NewInterview, Owner, PreviousTake,
    Scope, WorkerId,
};
pub use queue::{
    CancelOutcome, ClaimPlan, ClaimedJob, EventKind, FailOutcome, Fence, Heartbeat, JobError,
    JobFilter, JobSpec, RescueOutcome, Rescued, RetryPolicy, Transition, WebhookEvent,
    LEASE_EXPIRED, MAX_JOB_LIST_LIMIT,
};
pub use stats::{DurationStats, FailureCount, QueueStats, StateCount, Throughput, WorkerLoad};
pub use webhook_secrets::WebhookSecret;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static MYSQL_MIGRATIONS: Migrator = sqlx::migrate!("migrations/mysql");

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// MySQL 8 or MariaDB ≥ 10.6 (both have `SKIP LOCKED`).
    MySql,
}

impl Backend {
    /// The backend a URL names: `sqlite:…`, `mysql:…` or `mariadb:…`.
    pub fn of_url(url: &str) -> Result<Backend> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "mysql" | "mariadb" => Ok(Backend::MySql),
            _ => Err(DbError::UnsupportedUrl(redact(url))),
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::MySql => &MYSQL_MIGRATIONS,
        }
    }
}

/// Keeps a password out of error messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start => format!("{}://…{}", &url[..start], &url[at..]),
        _ => url.to_owned(),
    }
}

/// Pool settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DbOptions {
    pub max_connections: u32,
    /// How long a call waits for a free connection before failing with a
    /// transient [`DbError::Unavailable`].
    pub acquire_timeout: Duration,
    /// How long a SQLite statement waits for another connection's write
    /// lock before giving up.
    pub sqlite_busy_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A handle on the database; cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// How the webhook job announcing an analysis's outcome runs.
    webhook_spec: JobSpec,
}

impl Db {
    /// Opens a pool on `url` and brings the schema up to date.
    ///
    /// SQLite URLs need `?mode=rwc` to create a missing file
    /// (`sqlite://candor.db?mode=rwc`); the file is switched to WAL so
    /// readers never wait for the writer.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db> {
        let backend = Backend::of_url(url)?;
        sqlx::any::install_default_drivers();
        let busy_timeout_ms = model::millis(options.sqlite_busy_timeout);
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // Per-connection settings: the lock wait, foreign
                            // keys (off by default in SQLite), and NORMAL
                            // sync, which in WAL mode loses no committed
                            // transaction on a process crash.
                            conn.execute(&*format!("PRAGMA busy_timeout = {busy_timeout_ms}"))
                                .await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                        }
                        Backend::MySql => {
                            // READ COMMITTED takes no gap locks, so a claim's
                            // locked range does not block concurrent inserts
                            // (enqueues) and deadlocks are rarer.
                            conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                                .await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        if backend == Backend::Sqlite {
            // Persistent in the file; switching needs an exclusive lock, so
            // it is done once here rather than on every connection.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let db = Db {
            pool,
            backend,
            webhook_spec: JobSpec::new(8, Duration::from_secs(60)),
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Applies the migrations this binary embeds that the database lacks.
    /// Idempotent; [`Db::connect`] already calls it.
    pub async fn migrate(&self) -> Result<()> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// This handle, with the attempts and timeout of the webhook jobs its
    /// completions and failures enqueue (default 8 attempts of 60 s).
    pub fn with_webhook_spec(mut self, spec: JobSpec) -> Db {
        self.webhook_spec = spec;
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// One round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection; later calls fail with a transient error.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A transaction that will write.
    ///
    /// On SQLite it takes the write lock at `BEGIN IMMEDIATE`, waiting up to
    /// the busy timeout: a deferred transaction that read first would have
    /// to upgrade its lock later, and that fails at once with SQLITE_BUSY
    /// instead of waiting. MySQL locks rows as statements touch them.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::MySql => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// A statement being bound.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// An INSERT into a table with an auto-increment `id`, spelled so that the
/// new id can be read back: SQLite's Any driver does not report the last
/// insert id, so there it comes from `RETURNING id` (which MySQL 8 lacks).
pub(crate) fn insert_sql(backend: Backend, insert: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{insert} RETURNING id"),
        Backend::MySql => insert.to_owned(),
    }
}

/// Runs a bound [`insert_sql`] statement and returns the new row's id.
pub(crate) async fn execute_insert(
    query: AnyQuery<'_>,
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<i64> {
    match backend {
        Backend::Sqlite => query.fetch_one(conn).await?.int("id"),
        Backend::MySql => query.execute(conn).await?.last_insert_id().ok_or_else(|| {
            DbError::CorruptRow("the database returned no id for the new row".into())
        }),
    }
}

/// `?, ?, ?` for an `IN (…)` list of `count` values.
pub(crate) fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
}

/// Rows → values, stopping at the first row that cannot be read.
pub(crate) fn decode_all<T>(rows: &[AnyRow], decode: fn(&AnyRow) -> Result<T>) -> Result<Vec<T>> {
    rows.iter().map(decode).collect()
}
