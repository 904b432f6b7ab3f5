-- Who owns what, recorded as data rather than inferred from key prefixes.

-- Every stored object an interview may analyse, and the tenant it belongs
-- to: uploads are recorded when they are stored, imported objects when an
-- operator assigns them (`candor media assign`). An interview may only name
-- an object of its own tenant; the object is deleted with the last
-- interview that names it.
CREATE TABLE media_objects (
    media_key  TEXT    PRIMARY KEY NOT NULL,
    tenant     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX interviews_media_key ON interviews (media_key);
-- Interviews stored before this table existed: each object goes to the
-- tenant of its earliest interview.
INSERT INTO media_objects (media_key, tenant, created_at)
SELECT media_key, tenant, created_at FROM interviews AS earliest
WHERE NOT EXISTS (
    SELECT 1 FROM interviews AS earlier
    WHERE earlier.media_key = earliest.media_key
      AND (earlier.created_at < earliest.created_at
           OR (earlier.created_at = earliest.created_at AND earlier.id < earliest.id))
);

-- Per-tenant webhook signing secrets. A rotation adds a secret and gives
-- the previous ones an expiry; until then deliveries are signed with every
-- live secret, so receivers can switch over without losing events.
CREATE TABLE webhook_secrets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    -- NULL: the current secret.
    expires_at INTEGER
);
CREATE INDEX webhook_secrets_tenant ON webhook_secrets (tenant, id);
