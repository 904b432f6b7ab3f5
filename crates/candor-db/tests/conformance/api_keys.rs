use candor_db::{DbError, NewApiKey, Scope};

use crate::harness::{TestDb, TENANT};

pub async fn api_keys_are_found_by_hash_until_revoked(t: TestDb) {
    let new = NewApiKey {
        tenant: TENANT.to_owned(),
        name: "ci".to_owned(),
        key_hash: "a".repeat(64),
        scopes: vec![Scope::Read, Scope::Submit, Scope::Read],
    };
    let key = t.db.insert_api_key(&new).await.unwrap();
    assert_eq!(key.scopes, vec![Scope::Read, Scope::Submit]);
    assert!(key.allows(Scope::Submit) && !key.allows(Scope::Admin));

    let found = t.db.api_key_by_hash(&new.key_hash).await.unwrap();
    assert_eq!(found.as_ref(), Some(&key));
    assert_eq!(t.db.api_key_by_hash(&"b".repeat(64)).await.unwrap(), None);

    let duplicate = t.db.insert_api_key(&new).await.unwrap_err();
    assert!(matches!(duplicate, DbError::Conflict(_)), "{duplicate:?}");

    assert!(t.db.revoke_api_key(key.id).await.unwrap());
    assert!(
        !t.db.revoke_api_key(key.id).await.unwrap(),
        "already revoked"
    );
    assert_eq!(t.db.api_key_by_hash(&new.key_hash).await.unwrap(), None);
    let listed = t.db.list_api_keys(TENANT).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());
    assert!(t.db.list_api_keys("globex").await.unwrap().is_empty());
}
