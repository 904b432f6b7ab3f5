//! Every interview is read and written through its tenant: another
//! tenant's id is a 404, never a 403.

use candor_db::{Backend, DbError, Scope};
use serde_json::json;

use crate::helpers::{error_code, json, mp4, on_both_backends, spawn_app_on};

async fn another_tenants_interview_is_not_found(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let all = [Scope::Submit, Scope::Read, Scope::Admin];
    let owner = app.key("acme", &all).await;
    let other = app.key("globex", &all).await;
    let body = json(app.upload(&owner, mp4(40_000), "a.mp4").await, 202).await;
    let id = body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/interviews/{id}");

    for response in [
        app.get(&path, &other).send().await.unwrap(),
        app.get(&format!("{path}/feedback"), &other)
            .send()
            .await
            .unwrap(),
        app.delete(&path, &other).send().await.unwrap(),
    ] {
        assert_eq!(error_code(response, 404).await, "not_found");
    }
    let listed = json(
        app.get("/api/v1/interviews", &other).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(listed["interviews"], json!([]));

    // Nothing was touched: the owner still sees it, and its media is there.
    let interview = json(app.get(&path, &owner).send().await.unwrap(), 200).await;
    assert_eq!(interview["id"], id.as_str());
    let media_key = interview["media_key"].as_str().unwrap().to_owned();
    assert!(app.store_dir().join(&media_key).exists());
    let listed = json(
        app.get("/api/v1/interviews", &owner).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(listed["interviews"].as_array().unwrap().len(), 1);

    // Nor can the other tenant submit the owner's upload as its own, with
    // or without the environment's prefix.
    let relative = media_key.trim_start_matches("development/");
    for key in [relative, media_key.as_str()] {
        let response = app.submit_key(&other, json!({ "media_key": key })).await;
        assert_eq!(error_code(response, 400).await, "media_not_found");
    }
    assert_eq!(app.interview_count("globex").await, 0);
    assert!(app.store_dir().join(&media_key).exists());
}
on_both_backends!(another_tenants_interview_is_not_found);

async fn interviews_are_listed_newest_first_and_by_candidate(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let mut ids = Vec::new();
    for candidate in ["c1", "c2", "c1"] {
        app.put_owned_object("acme", &format!("takes/{}.mp4", ids.len()), mp4(100))
            .await;
        let body =
            json!({"media_key": format!("takes/{}.mp4", ids.len()), "candidate_ref": candidate});
        let submitted = json(app.submit_key(&key, body).await, 202).await;
        ids.push(submitted["id"].as_str().unwrap().to_owned());
    }
    let listed = json(
        app.get("/api/v1/interviews?candidate_ref=c1", &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let listed: Vec<&str> = listed["interviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|interview| interview["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec![ids[2].as_str(), ids[0].as_str()]);
    let limited = json(
        app.get("/api/v1/interviews?limit=1", &key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(limited["interviews"][0]["id"], ids[2].as_str());
    assert_eq!(limited["interviews"].as_array().unwrap().len(), 1);
}
on_both_backends!(interviews_are_listed_newest_first_and_by_candidate);

/// A tenant whose name looks like a path under another's (the old
/// string-prefix ownership let `acme` reach `acme/x`'s uploads) cannot
/// exist: tenant ids are slugs.
async fn tenant_ids_are_slugs(backend: Backend) {
    let app = spawn_app_on(backend).await;
    for tenant in [
        "acme/x",
        "",
        "evil/../beta",
        "Acme",
        "-acme",
        "acme-",
        "a.b",
        &"a".repeat(64),
    ] {
        let new = candor_db::NewApiKey {
            tenant: tenant.to_owned(),
            name: "n".to_owned(),
            key_hash: format!("{tenant:x<64}"),
            scopes: vec![Scope::Read],
            candidate_ref: None,
            expires_at: None,
        };
        let error = app.db.insert_api_key(&new).await.unwrap_err();
        assert!(
            matches!(error, DbError::InvalidInput(_)),
            "{tenant:?}: {error:?}"
        );
    }
    app.key("acme-2", &[Scope::Read]).await;
}
on_both_backends!(tenant_ids_are_slugs);

/// An object nobody was given belongs to no tenant: two tenants naming the
/// same imported key get nothing until the operator assigns it, and then
/// only its owner may use it.
async fn imported_objects_belong_to_the_tenant_they_are_assigned_to(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let all = [Scope::Submit, Scope::Read];
    let acme = app.key("acme", &all).await;
    let beta = app.key("beta", &all).await;
    app.put_object("imports/acme/take.mp4", mp4(500)).await;
    let body = json!({"media_key": "imports/acme/take.mp4"});
    for key in [&acme, &beta] {
        let response = app.submit_key(key, body.clone()).await;
        assert_eq!(error_code(response, 400).await, "media_not_found");
    }
    let key = app.store.key("imports/acme/take.mp4").unwrap();
    app.db.assign_media("acme", key.as_str()).await.unwrap();
    let error = app.db.assign_media("beta", key.as_str()).await.unwrap_err();
    assert!(matches!(error, DbError::Conflict(_)), "{error:?}");
    json(app.submit_key(&acme, body.clone()).await, 202).await;
    let response = app.submit_key(&beta, body).await;
    assert_eq!(error_code(response, 400).await, "media_not_found");
    assert_eq!(app.interview_count("beta").await, 0);
}
on_both_backends!(imported_objects_belong_to_the_tenant_they_are_assigned_to);

/// Two interviews may name one object (a re-analysis of an upload);
/// deleting one leaves the media for the other, deleting the last removes
/// it.
async fn media_is_deleted_with_the_last_interview_naming_it(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let first = json(app.upload(&key, mp4(40_000), "a.mp4").await, 202).await;
    let first_path = format!("/api/v1/interviews/{}", first["id"].as_str().unwrap());
    let interview = json(app.get(&first_path, &key).send().await.unwrap(), 200).await;
    let media_key = interview["media_key"].as_str().unwrap().to_owned();
    let second = json(
        app.submit_key(&key, json!({ "media_key": media_key }))
            .await,
        202,
    )
    .await;
    let file = app.store_dir().join(&media_key);

    let deleted = app.delete(&first_path, &key).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(file.exists(), "the second interview still names the media");
    let second_path = format!("/api/v1/interviews/{}", second["id"].as_str().unwrap());
    let media_url = json(app.get(&second_path, &key).send().await.unwrap(), 200).await["media_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let streamed = app.client.get(app.url(&media_url)).send().await.unwrap();
    assert_eq!(streamed.status(), 200);

    let deleted = app.delete(&second_path, &key).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(!file.exists(), "no interview names the media any more");
    // Gone for good: the key is nobody's now.
    let response = app
        .submit_key(&key, json!({ "media_key": media_key }))
        .await;
    assert_eq!(error_code(response, 400).await, "media_not_found");
}
on_both_backends!(media_is_deleted_with_the_last_interview_naming_it);

/// A tenant's admin acts on its own tenant's jobs only; the queue's state
/// across tenants is the operator's.
async fn a_tenant_admin_reaches_only_its_own_jobs(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let submitter = app.key("acme", &[Scope::Submit]).await;
    let acme_admin = app.key("acme", &[Scope::Admin]).await;
    let beta_admin = app.key("beta", &[Scope::Admin]).await;
    let operator = app.key("ops", &[Scope::Operator]).await;
    let submitted = json(app.upload(&submitter, mp4(40_000), "a.mp4").await, 202).await;
    let job = submitted["job_id"].as_i64().unwrap();
    let cancel = format!("/api/v1/queue/jobs/{job}/cancel");
    let retry = format!("/api/v1/queue/jobs/{job}/retry");

    for path in [&cancel, &retry] {
        let response = app.post(path, &beta_admin).send().await.unwrap();
        assert_eq!(error_code(response, 404).await, "not_found", "{path}");
    }
    for path in [
        "/api/v1/queue/status",
        "/api/v1/queue/stats",
        "/api/v1/stats/throughput",
    ] {
        let response = app.get(path, &acme_admin).send().await.unwrap();
        assert_eq!(error_code(response, 403).await, "forbidden", "{path}");
        json(app.get(path, &operator).send().await.unwrap(), 200).await;
    }
    let cancelled = json(app.post(&cancel, &acme_admin).send().await.unwrap(), 200).await;
    assert_eq!(cancelled["outcome"], "cancelled");
    let retried = json(app.post(&retry, &operator).send().await.unwrap(), 200).await;
    assert_eq!(retried["state"], "pending");
}
on_both_backends!(a_tenant_admin_reaches_only_its_own_jobs);

/// Callbacks are signed with the tenant's own secret: none is built in, a
/// submission with a callback needs one, and rotating keeps the previous
/// one live for the grace period.
async fn webhook_secrets_are_per_tenant_and_rotate(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let submitter = app.key("acme", &[Scope::Submit]).await;
    let admin = app.key("acme", &[Scope::Admin]).await;
    let body = json!({"media_key": "a.mp4", "callback_url": "https://hooks.example.com/candor"});
    app.put_owned_object("acme", "a.mp4", mp4(100)).await;
    let response = app.submit_key(&submitter, body.clone()).await;
    assert_eq!(error_code(response, 400).await, "webhook_secret_missing");

    let response = app
        .post("/api/v1/webhook-secrets", &submitter)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 403).await, "forbidden");
    let first = json(
        app.post("/api/v1/webhook-secrets", &admin)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let secret = first["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 30,
        "{secret}"
    );
    json(app.submit_key(&submitter, body).await, 202).await;

    let second = json(
        app.post("/api/v1/webhook-secrets", &admin)
            .json(&json!({"previous_valid_for_secs": 3600}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    assert_ne!(second["secret"], first["secret"]);
    let live = app.db.webhook_secrets("acme").await.unwrap();
    assert_eq!(live.len(), 2);
    assert_eq!(live[0].secret, second["secret"].as_str().unwrap());
    assert!(live[1].expires_at.is_some());
    assert!(app.db.webhook_secrets("beta").await.unwrap().is_empty());
    let listed = json(
        app.get("/api/v1/webhook-secrets", &admin)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(listed["secrets"].as_array().unwrap().len(), 2);
    assert!(
        !listed.to_string().contains("whsec_"),
        "values are never listed"
    );
    let response = app
        .post("/api/v1/webhook-secrets", &admin)
        .json(&json!({"previous_valid_for_secs": 700000}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 400).await, "invalid_field");
}
on_both_backends!(webhook_secrets_are_per_tenant_and_rotate);
