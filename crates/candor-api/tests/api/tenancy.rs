//! Every interview is read and written through its tenant: another
//! tenant's id is a 404, never a 403.

use candor_db::{Backend, InterviewId, Scope};
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

    // Nor can the other tenant submit the owner's upload as its own.
    let relative = media_key.trim_start_matches("development/");
    let response = app
        .submit_key(&other, json!({ "media_key": relative }))
        .await;
    assert_eq!(error_code(response, 400).await, "invalid_media_key");
    assert!(app
        .db
        .interview("globex", &InterviewId::parse(&id).unwrap())
        .await
        .unwrap()
        .is_none());
}
on_both_backends!(another_tenants_interview_is_not_found);

async fn interviews_are_listed_newest_first_and_by_candidate(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let mut ids = Vec::new();
    for candidate in ["c1", "c2", "c1"] {
        app.put_object(&format!("takes/{}.mp4", ids.len()), mp4(100))
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
