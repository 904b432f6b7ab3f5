-- Practice links: API keys bound to one candidate of the tenant, with an
-- expiry. A key with a candidate_ref sees and submits only that
-- candidate's interviews; every interview query filters on it.
ALTER TABLE api_keys ADD COLUMN candidate_ref TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
