//! Which tenant owns each stored object (`media_objects`). Ownership is data:
//! an interview may only name an object its tenant owns, whatever the
//! object's key looks like, and an object is deleted only with the last
//! interview that names it.

use sqlx::AnyConnection;

use crate::model::{check_tenant, now_ms, EpochMillis};
use crate::row::RowExt;
use crate::{Backend, Db, DbError, Result};

/// Longest object key the table holds, in characters (object keys are at
/// most 512 bytes).
pub const MAX_MEDIA_KEY: usize = 512;

/// How the object a new interview names came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaOrigin {
    /// Stored by this submission: it becomes the tenant's now.
    Uploaded,
    /// Already stored: the tenant must own it (an earlier upload, or an
    /// object an operator assigned with [`Db::assign_media`]).
    Owned,
}

/// What [`Db::assign_media`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigned {
    Now,
    /// The tenant already owned it.
    Already,
}

/// The owner of `media_key`, locking its row until the transaction ends on
/// MySQL (SQLite's `BEGIN IMMEDIATE` already serialises writers), so that
/// a concurrent deletion and a new reference cannot interleave.
async fn owner_locked(
    conn: &mut AnyConnection,
    backend: Backend,
    media_key: &str,
) -> Result<Option<String>> {
    let lock = match backend {
        Backend::MySql => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let sql = format!("SELECT tenant FROM media_objects WHERE media_key = ?{lock}");
    let row = sqlx::query(&sql)
        .bind(media_key)
        .fetch_optional(conn)
        .await?;
    row.map(|row| row.text("tenant")).transpose()
}

async fn insert_owner(
    conn: &mut AnyConnection,
    media_key: &str,
    tenant: &str,
    now: EpochMillis,
) -> Result<()> {
    sqlx::query("INSERT INTO media_objects (media_key, tenant, created_at) VALUES (?, ?, ?)")
        .bind(media_key)
        .bind(tenant)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

fn check_key(media_key: &str) -> Result<()> {
    if media_key.is_empty() || media_key.chars().count() > MAX_MEDIA_KEY {
        return Err(DbError::InvalidInput(format!(
            "media_key must be 1 to {MAX_MEDIA_KEY} characters"
        )));
    }
    Ok(())
}

/// Inside the transaction that creates an interview of `tenant`: records an
/// upload as the tenant's, or checks that the tenant owns the object.
/// Another tenant's object and an object nobody owns are both
/// [`DbError::NotFound`], so the answer tells nothing about other tenants.
pub(crate) async fn claim_for_interview(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant: &str,
    media_key: &str,
    origin: MediaOrigin,
    now: EpochMillis,
) -> Result<()> {
    check_key(media_key)?;
    match (owner_locked(conn, backend, media_key).await?, origin) {
        (Some(owner), _) if owner == tenant => Ok(()),
        (None, MediaOrigin::Uploaded) => insert_owner(conn, media_key, tenant, now).await,
        _ => Err(DbError::NotFound(
            "no object of this tenant has that key".into(),
        )),
    }
}

/// Inside the transaction that deleted an interview naming `media_key`:
/// forgets the object when no interview names it any more and returns its
/// key, for the caller to delete after the commit.
pub(crate) async fn release_after_delete(
    conn: &mut AnyConnection,
    backend: Backend,
    media_key: &str,
) -> Result<Option<String>> {
    if owner_locked(&mut *conn, backend, media_key)
        .await?
        .is_none()
    {
        // Not an object this table knows (an interview older than it that
        // could not be matched); leave it to the operator.
        return Ok(None);
    }
    let still_named = sqlx::query("SELECT 1 FROM interviews WHERE media_key = ? LIMIT 1")
        .bind(media_key)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if still_named {
        return Ok(None);
    }
    sqlx::query("DELETE FROM media_objects WHERE media_key = ?")
        .bind(media_key)
        .execute(conn)
        .await?;
    Ok(Some(media_key.to_owned()))
}

impl Db {
    /// Makes an object already in the store `tenant`'s, so that its
    /// interviews may name it (`candor media assign`: importing recordings
    /// put in the bucket by other means). [`DbError::Conflict`] when
    /// another tenant owns it.
    pub async fn assign_media(&self, tenant: &str, media_key: &str) -> Result<Assigned> {
        check_tenant(tenant)?;
        check_key(media_key)?;
        let mut tx = self.begin_write().await?;
        let assigned = match owner_locked(&mut tx, self.backend(), media_key).await? {
            Some(owner) if owner == tenant => Assigned::Already,
            Some(_) => return Err(DbError::Conflict("another tenant owns this object".into())),
            None => {
                insert_owner(&mut tx, media_key, tenant, now_ms()).await?;
                Assigned::Now
            }
        };
        tx.commit().await?;
        Ok(assigned)
    }

    /// The tenant owning `media_key`, if any.
    pub async fn media_owner(&self, media_key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT tenant FROM media_objects WHERE media_key = ?")
            .bind(media_key)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| row.text("tenant")).transpose()
    }
}
