use candor_db::{DbError, NewApiKey, Scope};

use crate::harness::{TestDb, TENANT};

pub async fn api_keys_are_found_by_hash_until_revoked(t: TestDb) {
    let new = NewApiKey {
        tenant: TENANT.to_owned(),
        name: "ci".to_owned(),
        key_hash: "a".repeat(64),
        scopes: vec![Scope::Read, Scope::Submit, Scope::Read],
        candidate_ref: None,
        expires_at: None,
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
    let listed = t.db.list_api_keys(Some(TENANT)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());
    assert!(t.db.list_api_keys(Some("globex")).await.unwrap().is_empty());
}

pub async fn api_keys_need_a_slug_tenant_and_a_scope(t: TestDb) {
    let new = |tenant: &str, scopes: Vec<Scope>| NewApiKey {
        tenant: tenant.to_owned(),
        name: "n".to_owned(),
        key_hash: format!("{tenant:h<64}"),
        scopes,
        candidate_ref: None,
        expires_at: None,
    };
    for tenant in ["acme/x", "", "evil/../beta", "ACME", "acme_x", "acme-"] {
        let error =
            t.db.insert_api_key(&new(tenant, vec![Scope::Read]))
                .await
                .unwrap_err();
        assert!(
            matches!(error, DbError::InvalidInput(_)),
            "{tenant:?}: {error:?}"
        );
    }
    let error = t.db.insert_api_key(&new("acme", vec![])).await.unwrap_err();
    assert!(matches!(error, DbError::InvalidInput(_)), "{error:?}");
    t.db.insert_api_key(&new("acme-2", vec![Scope::Operator]))
        .await
        .unwrap();
    assert_eq!(t.db.list_api_keys(None).await.unwrap().len(), 1);
}
