//! The operator's commands against the service's database and store:
//! `candor keys create|list|revoke`, `candor media assign` and
//! `candor webhooks rotate`. They read the same environment as `serve`.

use std::time::Duration;

use candor_db::{Assigned, Db, NewApiKey, Scope};
use candor_store::{MediaStore, StoreConfig};

use crate::cli::{KeysCommand, MediaCommand, WebhooksCommand};
use crate::failure::Failure;
use crate::service::{config_failure, connect, runtime};

/// Runs `command` with a database connection, closing it afterwards.
fn with_db<F, Fut>(command: F) -> Result<(), Failure>
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = Result<(), Failure>>,
{
    runtime()?.block_on(async {
        let db = connect().await?;
        let result = command(db.clone()).await;
        db.close().await;
        result
    })
}

fn refused(error: candor_db::DbError, hint: &'static str) -> Failure {
    if error.is_client_error() {
        Failure::bad_input(error.to_string(), hint)
    } else {
        Failure::internal(error.to_string())
    }
}

pub fn keys(command: KeysCommand) -> Result<(), Failure> {
    match command {
        KeysCommand::Create {
            tenant,
            name,
            scopes,
        } => {
            let scopes = parse_scopes(&scopes)?;
            with_db(|db| async move {
                let (key, hash) = candor_api::auth::generate_key();
                let new = NewApiKey {
                    tenant,
                    name,
                    key_hash: hash,
                    scopes,
                    candidate_ref: None,
                    expires_at: None,
                };
                db.insert_api_key(&new)
                    .await
                    .map_err(|e| refused(e, KEY_HINT))?;
                println!("{key}");
                Ok(())
            })
        }
        KeysCommand::List { tenant } => with_db(|db| async move {
            let keys = db
                .list_api_keys(tenant.as_deref())
                .await
                .map_err(|e| Failure::internal(e.to_string()))?;
            // A practice link is a key bound to a candidate, with an expiry.
            println!("id\ttenant\tname\tscopes\tcreated_at\trevoked_at\tcandidate\texpires_at");
            let or_dash = |at: Option<i64>| at.map_or("-".to_owned(), |at| at.to_string());
            for key in keys {
                let scopes: Vec<&str> = key.scopes.iter().map(|s| s.as_str()).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    key.id,
                    key.tenant,
                    key.name,
                    scopes.join(","),
                    key.created_at,
                    or_dash(key.revoked_at),
                    key.candidate_ref.as_deref().unwrap_or("-"),
                    or_dash(key.expires_at)
                );
            }
            Ok(())
        }),
        KeysCommand::Revoke { id } => with_db(|db| async move {
            if db
                .revoke_api_key(id)
                .await
                .map_err(|e| Failure::internal(e.to_string()))?
            {
                println!("key {id} revoked");
                Ok(())
            } else {
                Err(Failure::bad_input(
                    format!("there is no live key {id}"),
                    "`candor keys list` shows the ids",
                ))
            }
        }),
    }
}

const KEY_HINT: &str =
    "a tenant is 1-63 lower-case letters, digits and hyphens; a name at most 255 characters";

fn parse_scopes(names: &[String]) -> Result<Vec<Scope>, Failure> {
    names
        .iter()
        .map(|name| {
            Scope::parse(name.trim()).ok_or_else(|| {
                Failure::bad_input(
                    format!("unknown scope {name:?}"),
                    "scopes are submit, read, admin, practice and operator",
                )
            })
        })
        .collect()
}

pub fn media(command: MediaCommand) -> Result<(), Failure> {
    let MediaCommand::Assign { tenant, keys } = command;
    let store = StoreConfig::from_env()
        .and_then(|config| MediaStore::open(&config))
        .map_err(config_failure)?;
    with_db(|db| async move {
        for name in keys {
            let key = store.key(&name).map_err(|e| {
                Failure::bad_input(format!("{name}: {e}"), "give keys as the store names them")
            })?;
            let present = store
                .head(&key)
                .await
                .map_err(|e| Failure::internal(format!("{key}: {e}")))?;
            if present.is_none() {
                return Err(Failure::bad_input(
                    format!("there is no object {key}"),
                    "upload it to the bucket first",
                ));
            }
            let assigned = db
                .assign_media(&tenant, key.as_str())
                .await
                .map_err(|e| refused(e, "an object belongs to one tenant at most"))?;
            match assigned {
                Assigned::Now => println!("{key}: now {tenant}'s"),
                Assigned::Already => println!("{key}: already {tenant}'s"),
            }
        }
        Ok(())
    })
}

pub fn webhooks(command: WebhooksCommand) -> Result<(), Failure> {
    let WebhooksCommand::Rotate {
        tenant,
        previous_valid_for,
    } = command;
    with_db(|db| async move {
        let secret = candor_api::auth::random_token("whsec_");
        db.rotate_webhook_secret(&tenant, &secret, Duration::from_secs(previous_valid_for))
            .await
            .map_err(|e| refused(e, KEY_HINT))?;
        println!("{secret}");
        Ok(())
    })
}
