//! The one error type of this crate.

use sqlx::error::{DatabaseError, ErrorKind};

/// What can go wrong talking to the database.
///
/// [`DbError::is_transient`] tells a caller whether trying again later may
/// succeed (the database is down, busy or chose us as a deadlock victim);
/// [`DbError::is_client_error`] whether the request itself is at fault.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no backend this crate supports.
    #[error("unsupported database URL (expected sqlite:… or mysql:…): {0}")]
    UnsupportedUrl(String),
    /// The database cannot be reached or did not answer in time: connection
    /// refused or lost, pool exhausted, lock wait timed out, deadlock, SQLite
    /// busy. Worth retrying.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A uniqueness rule said no: a second active job for the same interview
    /// and kind, a duplicate API key hash.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The row the operation needs does not exist (or belongs to another
    /// tenant).
    #[error("not found: {0}")]
    NotFound(String),
    /// The job is not in a state that allows the operation (e.g. retrying a
    /// completed job).
    #[error("job {job_id} is {state}; cannot {operation}")]
    InvalidTransition {
        job_id: i64,
        state: String,
        operation: &'static str,
    },
    /// A value the caller passed breaks a rule of the schema (too long,
    /// out of range, wrong job kind for the call).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A stored row holds a value this version cannot read (an unknown
    /// state, a column of an unexpected type).
    #[error("unreadable row: {0}")]
    CorruptRow(String),
    /// A migration failed or the database holds migrations this binary does
    /// not know.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Any other error of the database or the driver.
    #[error("database error: {0}")]
    Query(#[source] sqlx::Error),
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

impl DbError {
    /// A stable code for logs, metrics and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            DbError::UnsupportedUrl(_) => "db_unsupported_url",
            DbError::Unavailable(_) => "db_unavailable",
            DbError::Conflict(_) => "db_conflict",
            DbError::NotFound(_) => "db_not_found",
            DbError::InvalidTransition { .. } => "db_invalid_transition",
            DbError::InvalidInput(_) => "db_invalid_input",
            DbError::CorruptRow(_) => "db_corrupt_row",
            DbError::Migration(_) => "db_migration_failed",
            DbError::Query(_) => "db_query_failed",
        }
    }

    /// True when the same call may succeed later without any change: the
    /// database was unreachable, overloaded or broke a lock cycle.
    pub fn is_transient(&self) -> bool {
        matches!(self, DbError::Unavailable(_))
    }

    /// True when the caller's request is at fault (HTTP 4xx territory).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            DbError::Conflict(_)
                | DbError::NotFound(_)
                | DbError::InvalidTransition { .. }
                | DbError::InvalidInput(_)
        )
    }
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => DbError::Unavailable(error),
            sqlx::Error::Database(db) if is_transient_database_error(db.as_ref()) => {
                DbError::Unavailable(error)
            }
            sqlx::Error::Database(db) => match db.kind() {
                ErrorKind::UniqueViolation => DbError::Conflict(db.message().to_owned()),
                ErrorKind::ForeignKeyViolation => DbError::NotFound(db.message().to_owned()),
                ErrorKind::CheckViolation => DbError::InvalidInput(db.message().to_owned()),
                _ => DbError::Query(error),
            },
            sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::Decode(_) => DbError::CorruptRow(error.to_string()),
            _ => DbError::Query(error),
        }
    }
}

/// Errors after which the same statement may well succeed: the server is
/// going away or out of connections, a lock could not be had in time, or the
/// transaction was chosen as a deadlock victim.
fn is_transient_database_error(error: &dyn DatabaseError) -> bool {
    if let Some(mysql) = error.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // 1040 too many connections, 1053 server shutdown, 1205 lock wait
        // timeout, 1213 deadlock, 1927 connection killed (MariaDB),
        // 2006/2013 server gone away / lost connection.
        return matches!(
            mysql.number(),
            1040 | 1053 | 1205 | 1213 | 1927 | 2006 | 2013
        );
    }
    // SQLite reports its extended result code; the primary code is the low
    // byte: 5 SQLITE_BUSY, 6 SQLITE_LOCKED.
    error
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .and_then(|sqlite| sqlite.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}
