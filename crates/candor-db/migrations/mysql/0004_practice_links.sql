-- Practice links: see migrations/sqlite/0004_practice_links.sql.
ALTER TABLE api_keys ADD COLUMN candidate_ref VARCHAR(255) NULL;
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT NULL;
