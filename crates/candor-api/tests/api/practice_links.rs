//! Practice links: keys bound to one candidate. A link reaches its own
//! candidate's takes only, whatever id or filter it sends, and stops at its
//! expiry or revocation.

use candor_db::{Backend, NewApiKey, Scope};
use reqwest::multipart::{Form, Part};
use reqwest::Response;
use serde_json::{json, Value};

use crate::helpers::{error_code, json, mp4, on_both_backends, spawn_app_on, TestApp};

/// A link for `candidate`, made with the coach's key.
async fn link(app: &TestApp, coach: &str, candidate: &str) -> Value {
    let response = app
        .post("/api/v1/practice-links", coach)
        .json(&json!({ "candidate_ref": candidate }))
        .send()
        .await
        .unwrap();
    json(response, 201).await
}

/// An upload as the practice page sends it: a question and the file, and
/// `extra` form fields.
async fn take(app: &TestApp, key: &str, extra: &[(&str, &str)]) -> Response {
    let mut form = Form::new().text("question", "Why do you want this role?");
    for (name, value) in extra {
        form = form.text(name.to_string(), value.to_string());
    }
    let form = form.part("file", Part::bytes(mp4(40_000)).file_name("answer.mp4"));
    app.post("/api/v1/interviews", key)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn a_link_sees_only_its_own_candidates_takes(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let coach = app.key("acme", &[Scope::Practice]).await;
    let team = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let ana_link = link(&app, &coach, "ana").await;
    let ben_link = link(&app, &coach, "ben").await;
    assert_eq!(ana_link["candidate_ref"], "ana");
    let ana = ana_link["token"].as_str().unwrap();
    let ben = ben_link["token"].as_str().unwrap();
    assert_eq!(
        ana_link["path"].as_str().unwrap(),
        format!("/practice#link={ana}")
    );

    let ana_take = json(take(&app, ana, &[]).await, 202).await;
    let ben_take = json(take(&app, ben, &[]).await, 202).await;
    let ana_path = format!("/api/v1/interviews/{}", ana_take["id"].as_str().unwrap());
    let ben_path = format!("/api/v1/interviews/{}", ben_take["id"].as_str().unwrap());

    // Recorded as the link's candidate.
    let seen = json(app.get(&ana_path, ana).send().await.unwrap(), 200).await;
    assert_eq!(seen["candidate_ref"], "ana");

    // Ben's take does not exist for Ana's link, however it is asked for.
    for response in [
        app.get(&ben_path, ana).send().await.unwrap(),
        app.get(&format!("{ben_path}/feedback"), ana)
            .send()
            .await
            .unwrap(),
        app.get(&format!("{ben_path}/report"), ana)
            .send()
            .await
            .unwrap(),
        app.delete(&ben_path, ana).send().await.unwrap(),
    ] {
        assert_eq!(error_code(response, 404).await, "not_found");
    }
    for query in ["", "?candidate_ref=ben"] {
        let listed = json(
            app.get(&format!("/api/v1/interviews{query}"), ana)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let ids: Vec<&Value> = listed["interviews"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| &i["id"])
            .collect();
        let want: Vec<&Value> = if query.is_empty() {
            vec![&ana_take["id"]]
        } else {
            vec![]
        };
        assert_eq!(ids, want, "{query}");
    }
    // The team's own key still sees both, and Ben's take is untouched.
    let listed = json(
        app.get("/api/v1/interviews", &team).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(listed["interviews"].as_array().unwrap().len(), 2);
    json(app.get(&ben_path, ben).send().await.unwrap(), 200).await;
    // Ana may delete her own take.
    let response = app.delete(&ana_path, ana).send().await.unwrap();
    assert_eq!(response.status(), 204);
}
on_both_backends!(a_link_sees_only_its_own_candidates_takes);

async fn a_link_cannot_act_for_anyone_else_nor_steer_the_tenant(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let coach = app.key("acme", &[Scope::Practice]).await;
    let ana = link(&app, &coach, "ana").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = [
        take(&app, &ana, &[("candidate_ref", "ben")]).await,
        take(&app, &ana, &[("callback_url", "https://hooks.example/x")]).await,
        app.submit_key(&ana, json!({ "media_key": "interviews/acme/x.mp4" }))
            .await,
        app.post("/api/v1/practice-links", &ana)
            .json(&json!({ "candidate_ref": "ben" }))
            .send()
            .await
            .unwrap(),
        app.post("/api/v1/webhook-secrets", &ana)
            .send()
            .await
            .unwrap(),
        app.get("/api/v1/queue/status", &ana).send().await.unwrap(),
    ];
    let mut codes = Vec::new();
    for response in refused {
        codes.push(error_code(response, 403).await);
    }
    assert_eq!(
        codes,
        [
            "practice_link_restricted",
            "practice_link_restricted",
            "practice_link_restricted",
            "forbidden",
            "forbidden",
            "forbidden"
        ]
    );
    assert_eq!(app.interview_count("acme").await, 0);
    // Its own name is accepted as given.
    json(take(&app, &ana, &[("candidate_ref", "ana")]).await, 202).await;
}
on_both_backends!(a_link_cannot_act_for_anyone_else_nor_steer_the_tenant);

async fn a_link_stops_at_its_expiry_and_when_revoked(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let coach = app.key("acme", &[Scope::Practice]).await;
    let other_coach = app.key("globex", &[Scope::Practice]).await;
    let made = link(&app, &coach, "ana").await;
    let token = made["token"].as_str().unwrap();
    let id = made["id"].as_i64().unwrap();
    json(
        app.get("/api/v1/interviews", token).send().await.unwrap(),
        200,
    )
    .await;
    // Another tenant's coach cannot revoke it, nor can a plain key.
    let path = format!("/api/v1/practice-links/{id}");
    let response = app.delete(&path, &other_coach).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
    json(
        app.get("/api/v1/interviews", token).send().await.unwrap(),
        200,
    )
    .await;
    let response = app.delete(&path, &coach).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let response = app.get("/api/v1/interviews", token).send().await.unwrap();
    assert_eq!(error_code(response, 401).await, "unauthenticated");
    let response = app.delete(&path, &coach).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");

    // A link past its expiry is refused like an unknown key.
    let (expired, hash) = candor_api::auth::generate_key();
    app.db
        .insert_api_key(&NewApiKey {
            tenant: "acme".into(),
            name: "practice link".into(),
            key_hash: hash,
            scopes: vec![Scope::Submit, Scope::Read],
            candidate_ref: Some("ana".into()),
            expires_at: Some(candor_db::now_ms() - 1),
        })
        .await
        .unwrap();
    let response = app
        .get("/api/v1/interviews", &expired)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 401).await, "unauthenticated");
}
on_both_backends!(a_link_stops_at_its_expiry_and_when_revoked);

#[tokio::test]
async fn links_are_made_only_by_a_practice_key_within_bounds() {
    let app = spawn_app_on(Backend::Sqlite).await;
    let team = app
        .key("acme", &[Scope::Submit, Scope::Read, Scope::Admin])
        .await;
    let response = app
        .post("/api/v1/practice-links", &team)
        .json(&json!({ "candidate_ref": "ana" }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 403).await, "forbidden");
    let coach = app.key("acme", &[Scope::Practice]).await;
    for (body, code) in [
        (json!({ "candidate_ref": "" }), "invalid_field"),
        (json!({ "candidate_ref": "  " }), "invalid_field"),
        (json!({ "candidate_ref": "x".repeat(256) }), "invalid_field"),
        (
            json!({ "candidate_ref": "ana", "valid_for_secs": 59 }),
            "invalid_field",
        ),
        (
            json!({ "candidate_ref": "ana", "valid_for_secs": 90 * 24 * 3600 + 1 }),
            "invalid_field",
        ),
        (json!({}), "invalid_json"),
        (
            json!({ "candidate_ref": "ana", "admin": true }),
            "invalid_json",
        ),
    ] {
        let response = app
            .post("/api/v1/practice-links", &coach)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(response, 400).await, code, "{body}");
    }
    let made = link(&app, &coach, "ana").await;
    let week = 7 * 24 * 3600 * 1000;
    let left = made["expires_at"].as_i64().unwrap() - candor_db::now_ms();
    assert!((week - 5_000..=week).contains(&left), "{left} ms left");
}
