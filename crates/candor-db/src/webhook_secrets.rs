//! Per-tenant webhook signing secrets. Deliveries are signed with every live
//! secret of the interview's tenant; a rotation adds a new secret and lets
//! the previous ones expire after a grace period, so a receiver can switch
//! to the new secret without rejecting events meanwhile.

use std::time::Duration;

use sqlx::any::AnyRow;

use crate::model::{check_tenant, millis, now_ms, EpochMillis};
use crate::row::RowExt;
use crate::{decode_all, execute_insert, insert_sql, Db, Result};

/// A tenant's signing secret.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    pub id: i64,
    pub secret: String,
    pub created_at: EpochMillis,
    /// `None` for the current secret; a time for one being rotated out.
    pub expires_at: Option<EpochMillis>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSecret")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn secret_from_row(row: &AnyRow) -> Result<WebhookSecret> {
    Ok(WebhookSecret {
        id: row.int("id")?,
        secret: row.text("secret")?,
        created_at: row.int("created_at")?,
        expires_at: row.opt_int("expires_at")?,
    })
}

impl Db {
    /// Makes `secret` the tenant's current signing secret. Secrets that were
    /// live keep signing for `previous_valid_for` more (zero: they stop at
    /// once); secrets already expired are deleted.
    pub async fn rotate_webhook_secret(
        &self,
        tenant: &str,
        secret: &str,
        previous_valid_for: Duration,
    ) -> Result<WebhookSecret> {
        check_tenant(tenant)?;
        let now = now_ms();
        let previous_until = now.saturating_add(millis(previous_valid_for));
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM webhook_secrets WHERE tenant = ? AND expires_at IS NOT NULL \
             AND expires_at <= ?",
        )
        .bind(tenant)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // A secret already expiring keeps the earlier of its two ends.
        sqlx::query(
            "UPDATE webhook_secrets SET expires_at = ? WHERE tenant = ? \
             AND (expires_at IS NULL OR expires_at > ?)",
        )
        .bind(previous_until)
        .bind(tenant)
        .bind(previous_until)
        .execute(&mut *tx)
        .await?;
        let sql = insert_sql(
            self.backend(),
            "INSERT INTO webhook_secrets (tenant, secret, created_at) VALUES (?, ?, ?)",
        );
        let query = sqlx::query(&sql).bind(tenant).bind(secret).bind(now);
        let id = execute_insert(query, &mut tx, self.backend()).await?;
        tx.commit().await?;
        Ok(WebhookSecret {
            id,
            secret: secret.to_owned(),
            created_at: now,
            expires_at: None,
        })
    }

    /// The tenant's live secrets, newest first; empty when it has none.
    pub async fn webhook_secrets(&self, tenant: &str) -> Result<Vec<WebhookSecret>> {
        let rows = sqlx::query(
            "SELECT id, secret, created_at, expires_at FROM webhook_secrets \
             WHERE tenant = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC",
        )
        .bind(tenant)
        .bind(now_ms())
        .fetch_all(self.pool())
        .await?;
        decode_all(&rows, secret_from_row)
    }
}
