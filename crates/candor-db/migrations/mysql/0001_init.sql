-- Candor's schema on MySQL 8 / MariaDB >= 10.6. The SQLite twin is
-- migrations/sqlite/0001_init.sql; keep them in step. Its comments explain
-- the columns; the notes here are about MySQL.
--
-- * Times are BIGINT milliseconds, booleans INT 0/1: the Any driver has no
--   mapping for TINYINT, DECIMAL, JSON or unsigned columns, so none is used.
-- * utf8mb4_bin: comparisons are exact and case-sensitive, as on SQLite.
-- * Column sizes match candor_db::limits, which the application checks.

CREATE TABLE api_keys (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant     VARCHAR(128) NOT NULL,
    name       VARCHAR(255) NOT NULL,
    key_hash   VARCHAR(128) NOT NULL,
    scopes     VARCHAR(255) NOT NULL,
    created_at BIGINT       NOT NULL,
    revoked_at BIGINT       NULL,
    UNIQUE KEY api_keys_hash (key_hash),
    KEY api_keys_tenant (tenant)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE interviews (
    id            VARCHAR(36)   NOT NULL PRIMARY KEY,
    tenant        VARCHAR(128)  NOT NULL,
    media_key     VARCHAR(1024) NOT NULL,
    media_size    BIGINT        NOT NULL,
    content_type  VARCHAR(255)  NOT NULL,
    question      TEXT          NULL,
    candidate_ref VARCHAR(255)  NULL,
    language      VARCHAR(32)   NULL,
    callback_url  VARCHAR(2048) NULL,
    status        VARCHAR(16)   NOT NULL,
    progress      DOUBLE        NOT NULL DEFAULT 0,
    error_code    VARCHAR(64)   NULL,
    error_message TEXT          NULL,
    created_at    BIGINT        NOT NULL,
    updated_at    BIGINT        NOT NULL,
    CONSTRAINT interviews_status CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
    CONSTRAINT interviews_progress CHECK (progress BETWEEN 0 AND 1),
    CONSTRAINT interviews_media_size CHECK (media_size >= 0),
    KEY interviews_tenant_created (tenant, created_at),
    KEY interviews_tenant_candidate (tenant, candidate_ref, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE feedback (
    interview_id  VARCHAR(36) NOT NULL PRIMARY KEY,
    -- LONGTEXT rather than JSON: MySQL 8's JSON type has no Any-driver
    -- mapping. The CHECK keeps the same guarantee.
    report        LONGTEXT    NOT NULL,
    overall_score DOUBLE      NULL,
    created_at    BIGINT      NOT NULL,
    CONSTRAINT feedback_report_json CHECK (JSON_VALID(report)),
    CONSTRAINT feedback_interview FOREIGN KEY (interview_id) REFERENCES interviews (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE jobs (
    id               BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind             VARCHAR(16)  NOT NULL,
    interview_id     VARCHAR(36)  NOT NULL,
    payload          LONGTEXT     NULL,
    state            VARCHAR(16)  NOT NULL,
    attempt          INT          NOT NULL DEFAULT 0,
    max_attempts     INT          NOT NULL,
    run_at           BIGINT       NOT NULL,
    lease_owner      VARCHAR(128) NULL,
    lease_expires_at BIGINT       NULL,
    cancel_requested INT          NOT NULL DEFAULT 0,
    error_code       VARCHAR(64)  NULL,
    last_error       TEXT         NULL,
    timeout_ms       BIGINT       NOT NULL,
    created_at       BIGINT       NOT NULL,
    started_at       BIGINT       NULL,
    finished_at      BIGINT       NULL,
    -- MySQL has no partial indexes. This generated column holds the
    -- interview id while the job is active and NULL once it is finished;
    -- a unique index ignores NULLs, so "one active job per interview and
    -- kind" is enforced without blocking the finished ones. STORED so that
    -- both MySQL 8 and MariaDB accept it in a unique index.
    active_interview_id VARCHAR(36)
        AS (CASE WHEN state IN ('pending', 'running') THEN interview_id END) STORED,
    CONSTRAINT jobs_kind CHECK (kind IN ('analyze', 'webhook')),
    CONSTRAINT jobs_state CHECK (state IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT jobs_max_attempts CHECK (max_attempts >= 1),
    CONSTRAINT jobs_cancel_requested CHECK (cancel_requested IN (0, 1)),
    CONSTRAINT jobs_interview FOREIGN KEY (interview_id) REFERENCES interviews (id),
    -- Covers the claim's WHERE and ORDER BY: without it InnoDB would lock
    -- every row it scans while looking for pending work.
    KEY jobs_claim (state, run_at, id),
    UNIQUE KEY jobs_one_active (active_interview_id, kind),
    KEY jobs_interview (interview_id),
    KEY jobs_finished (state, finished_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE queue_counters (
    name  VARCHAR(64) NOT NULL PRIMARY KEY,
    value BIGINT      NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO queue_counters (name, value) VALUES ('rescues', 0);
