//! API keys. The caller hashes a presented secret and looks the hash up;
//! secrets are never stored.

use sqlx::any::AnyRow;

use crate::model::{check_len, check_tenant, limits, now_ms, ApiKey, NewApiKey, Scope};
use crate::row::RowExt;
use crate::{decode_all, execute_insert, insert_sql, Db, DbError, Result};

const API_KEY_COLUMNS: &str =
    "id, tenant, name, scopes, created_at, revoked_at, candidate_ref, expires_at";

fn scopes_to_text(scopes: &[Scope]) -> String {
    let mut words: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
    words.sort_unstable();
    words.dedup();
    words.join(",")
}

fn scopes_from_text(text: &str) -> Result<Vec<Scope>> {
    text.split(',')
        .filter(|word| !word.is_empty())
        .map(|word| {
            Scope::parse(word)
                .ok_or_else(|| DbError::CorruptRow(format!("unknown API key scope {word:?}")))
        })
        .collect()
}

fn api_key_from_row(row: &AnyRow) -> Result<ApiKey> {
    Ok(ApiKey {
        id: row.int("id")?,
        tenant: row.text("tenant")?,
        name: row.text("name")?,
        scopes: scopes_from_text(&row.text("scopes")?)?,
        created_at: row.int("created_at")?,
        revoked_at: row.opt_int("revoked_at")?,
        candidate_ref: row.opt_text("candidate_ref")?,
        expires_at: row.opt_int("expires_at")?,
    })
}

impl Db {
    /// Stores a key. [`DbError::Conflict`] if its hash is already stored.
    pub async fn insert_api_key(&self, new: &NewApiKey) -> Result<ApiKey> {
        check_tenant(&new.tenant)?;
        if new.scopes.is_empty() {
            return Err(DbError::InvalidInput(
                "a key needs at least one scope".into(),
            ));
        }
        check_len("name", &new.name, limits::API_KEY_NAME)?;
        check_len("key_hash", &new.key_hash, limits::API_KEY_HASH)?;
        if let Some(candidate) = &new.candidate_ref {
            check_len("candidate_ref", candidate, limits::CANDIDATE_REF)?;
        }
        let scopes = scopes_to_text(&new.scopes);
        let now = now_ms();
        let sql = insert_sql(
            self.backend(),
            "INSERT INTO api_keys \
             (tenant, name, key_hash, scopes, created_at, candidate_ref, expires_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        );
        let query = sqlx::query(&sql)
            .bind(&new.tenant)
            .bind(&new.name)
            .bind(&new.key_hash)
            .bind(&scopes)
            .bind(now)
            .bind(&new.candidate_ref)
            .bind(new.expires_at);
        let mut conn = self.pool().acquire().await?;
        let id = execute_insert(query, &mut conn, self.backend())
            .await
            .map_err(|error| match error {
                DbError::Conflict(_) => {
                    DbError::Conflict("an API key with this hash exists".into())
                }
                other => other,
            })?;
        Ok(ApiKey {
            id,
            tenant: new.tenant.clone(),
            name: new.name.clone(),
            scopes: scopes_from_text(&scopes)?,
            created_at: now,
            revoked_at: None,
            candidate_ref: new.candidate_ref.clone(),
            expires_at: new.expires_at,
        })
    }

    /// The live key with this hash: not revoked, not expired.
    pub async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>> {
        let sql = format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > ?)"
        );
        let row = sqlx::query(&sql)
            .bind(key_hash)
            .bind(now_ms())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(api_key_from_row).transpose()
    }

    /// Keys, revoked ones included, oldest first: one tenant's, or every
    /// tenant's for `None`.
    pub async fn list_api_keys(&self, tenant: Option<&str>) -> Result<Vec<ApiKey>> {
        let filter = if tenant.is_some() {
            "WHERE tenant = ?"
        } else {
            ""
        };
        let sql = format!("SELECT {API_KEY_COLUMNS} FROM api_keys {filter} ORDER BY id");
        let mut query = sqlx::query(&sql);
        if let Some(tenant) = tenant {
            query = query.bind(tenant);
        }
        let rows = query.fetch_all(self.pool()).await?;
        decode_all(&rows, api_key_from_row)
    }

    /// Revokes the tenant's practice link `id` (a key bound to a
    /// candidate); false if the tenant has no live link with that id.
    pub async fn revoke_practice_link(&self, tenant: &str, id: i64) -> Result<bool> {
        let revoked = sqlx::query(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant = ? \
             AND candidate_ref IS NOT NULL AND revoked_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(tenant)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(revoked == 1)
    }

    /// Revokes key `id`; false if there is no live key with that id.
    pub async fn revoke_api_key(&self, id: i64) -> Result<bool> {
        let revoked =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id)
                .execute(self.pool())
                .await?
                .rows_affected();
        Ok(revoked == 1)
    }
}
