-- Candor's schema on SQLite. The MySQL twin is migrations/mysql/0001_init.sql;
-- keep them in step.
--
-- Conventions, shared with MySQL:
-- * Times are INTEGER milliseconds since the Unix epoch, written by the
--   application's clock: the same numbers on both backends, and the Any
--   driver reads them as i64 everywhere.
-- * States and kinds are lower-case words, checked by CHECK constraints.
-- * Booleans are INTEGER 0/1 (MySQL's TINYINT has no Any-driver mapping).
-- * Text lengths are enforced by the application (candor_db::limits), since
--   SQLite does not enforce declared sizes.

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    -- The caller's hash of the secret; the secret itself is never stored.
    key_hash   TEXT    NOT NULL UNIQUE,
    -- Comma-separated scopes: "submit,read,admin".
    scopes     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys (tenant);

CREATE TABLE interviews (
    -- UUIDv7, hyphenated lower case: ids sort by creation time.
    id            TEXT    PRIMARY KEY NOT NULL,
    tenant        TEXT    NOT NULL,
    media_key     TEXT    NOT NULL,
    media_size    INTEGER NOT NULL CHECK (media_size >= 0),
    content_type  TEXT    NOT NULL,
    question      TEXT,
    candidate_ref TEXT,
    language      TEXT,
    callback_url  TEXT,
    -- Mirrors the latest analyze job (running shows as processing).
    status        TEXT    NOT NULL
        CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    progress      REAL    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    error_code    TEXT,
    error_message TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- A tenant's interviews, newest first.
CREATE INDEX interviews_tenant_created ON interviews (tenant, created_at);
-- A candidate's earlier takes (comparisons).
CREATE INDEX interviews_tenant_candidate ON interviews (tenant, candidate_ref, created_at);

CREATE TABLE feedback (
    interview_id  TEXT    PRIMARY KEY NOT NULL REFERENCES interviews (id),
    -- The report document; the database refuses text that is not JSON.
    report        TEXT    NOT NULL CHECK (json_valid(report)),
    overall_score REAL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE jobs (
    -- AUTOINCREMENT: ids are never reused after pruning, so an id in a log
    -- or an admin URL always means the same job.
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL CHECK (kind IN ('analyze', 'webhook')),
    interview_id     TEXT    NOT NULL REFERENCES interviews (id),
    payload          TEXT,
    state            TEXT    NOT NULL
        CHECK (state IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    -- Attempts started, counted at claim time so that a job that kills its
    -- worker still runs out of attempts.
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    -- Not claimed before this time: backoff after a failure, or a delay.
    run_at           INTEGER NOT NULL,
    -- The running attempt's worker and how long its lease lasts; with
    -- `attempt` they form the fence every transition checks.
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
    error_code       TEXT,
    last_error       TEXT,
    timeout_ms       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER
);
-- The claim: WHERE state = 'pending' AND run_at <= ? ORDER BY run_at, id.
CREATE INDEX jobs_claim ON jobs (state, run_at, id);
-- At most one active (pending or running) job per interview and kind. A
-- partial index: finished jobs are not in it, so a new job may follow them.
CREATE UNIQUE INDEX jobs_one_active ON jobs (interview_id, kind)
    WHERE state IN ('pending', 'running');
-- An interview's jobs (deleting an interview, admin views).
CREATE INDEX jobs_interview ON jobs (interview_id);
-- Retention pruning and the windows of the stats queries.
CREATE INDEX jobs_finished ON jobs (state, finished_at);

-- Counters that must outlive pruned job rows.
CREATE TABLE queue_counters (
    name  TEXT    PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
);
INSERT INTO queue_counters (name, value) VALUES ('rescues', 0);
