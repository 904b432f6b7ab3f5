-- Who owns what, recorded as data rather than inferred from key prefixes.
-- See migrations/sqlite/0003_ownership.sql for the comments.

-- 512 characters: object keys are at most 512 bytes (candor_store), and an
-- InnoDB key holds at most 3072 bytes (4 per utf8mb4 character).
CREATE TABLE media_objects (
    media_key  VARCHAR(512) NOT NULL PRIMARY KEY,
    tenant     VARCHAR(128) NOT NULL,
    created_at BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE INDEX interviews_media_key ON interviews (media_key(512));

INSERT INTO media_objects (media_key, tenant, created_at)
SELECT media_key, tenant, created_at FROM interviews AS earliest
WHERE CHAR_LENGTH(media_key) <= 512 AND NOT EXISTS (
    SELECT 1 FROM interviews AS earlier
    WHERE earlier.media_key = earliest.media_key
      AND (earlier.created_at < earliest.created_at
           OR (earlier.created_at = earliest.created_at AND earlier.id < earliest.id))
);

CREATE TABLE webhook_secrets (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant     VARCHAR(128) NOT NULL,
    secret     VARCHAR(128) NOT NULL,
    created_at BIGINT       NOT NULL,
    expires_at BIGINT       NULL,
    KEY webhook_secrets_tenant (tenant, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
