//! The signed media URL: ranges as a `<video>` element asks for them, and
//! signatures that are wrong, tampered with or expired.

use std::time::{SystemTime, UNIX_EPOCH};

use candor_db::Scope;
use hmac::{Hmac, Mac};
use reqwest::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use sha2::Sha256;

use crate::helpers::{error_code, json, mp4, spawn_app, TestApp, URL_SECRET};

const SIZE: usize = 200_000;

/// An uploaded recording: its id, its signed URL and its bytes.
pub(crate) async fn uploaded(app: &TestApp, key: &str) -> (String, String, Vec<u8>) {
    let bytes = mp4(SIZE);
    let body = json(app.upload(key, bytes.clone(), "a.mp4").await, 202).await;
    let id = body["id"].as_str().unwrap().to_owned();
    let view = json(
        app.get(&format!("/api/v1/interviews/{id}"), key)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let url = view["media_url"].as_str().unwrap().to_owned();
    (id, url, bytes)
}

/// The URL a holder of the secret would sign (the documented scheme).
fn forged(id: &str, expires: u64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(URL_SECRET.as_bytes()).unwrap();
    mac.update(format!("{id}.{expires}").as_bytes());
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("/api/v1/interviews/{id}/media?expires={expires}&sig={sig}")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn the_signed_url_serves_the_recording_and_its_ranges_without_a_key() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let (id, url, bytes) = uploaded(&app, &key).await;
    assert!(url.starts_with(&format!("/api/v1/interviews/{id}/media?expires=")));
    let get = |range: Option<&'static str>| {
        let mut request = app.client.get(app.url(&url));
        if let Some(range) = range {
            request = request.header(RANGE, range);
        }
        request.send()
    };

    let whole = get(None).await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()[CONTENT_TYPE], "video/mp4");
    assert_eq!(whole.headers()[ACCEPT_RANGES], "bytes");
    assert_eq!(whole.headers()[CONTENT_LENGTH], SIZE.to_string().as_str());
    assert_eq!(whole.bytes().await.unwrap(), bytes);

    for (range, expected, content_range) in [
        ("bytes=0-99", 0..100, "bytes 0-99/200000"),
        ("bytes=-500", SIZE - 500..SIZE, "bytes 199500-199999/200000"),
        ("bytes=199000-", 199_000..SIZE, "bytes 199000-199999/200000"),
        (
            "bytes=150000-10000000",
            150_000..SIZE,
            "bytes 150000-199999/200000",
        ),
    ] {
        let response = get(Some(range)).await.unwrap();
        assert_eq!(response.status(), 206, "{range}");
        assert_eq!(response.headers()[CONTENT_RANGE], content_range);
        assert_eq!(response.headers()[CONTENT_TYPE], "video/mp4");
        let body = response.bytes().await.unwrap();
        assert_eq!(body.len(), expected.len(), "{range}");
        assert_eq!(&body[..], &bytes[expected], "{range}");
    }

    for range in ["bytes=200000-", "bytes=-0"] {
        let response = get(Some(range)).await.unwrap();
        assert_eq!(response.headers()[CONTENT_RANGE], "bytes */200000");
        assert_eq!(error_code(response, 416).await, "range_not_satisfiable");
    }
    // Several ranges are answered with the whole recording, as RFC 9110 allows.
    let response = get(Some("bytes=0-1,5-9")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().len(), SIZE);
}

#[tokio::test]
async fn wrong_tampered_and_expired_signatures_are_403() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let (id, url, _) = uploaded(&app, &key).await;
    let status = |path: String| {
        let request = app.client.get(app.url(&path));
        async move { request.send().await.unwrap() }
    };
    // The forging helper follows the documented scheme: a future expiry works.
    assert_eq!(status(forged(&id, now() + 60)).await.status(), 200);

    let (base, query) = url.split_once('?').unwrap();
    let (expires, sig) = query.split_once('&').unwrap();
    let expires: u64 = expires.trim_start_matches("expires=").parse().unwrap();
    let sig = sig.trim_start_matches("sig=");
    let flipped: String = sig
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 7 {
                if c == 'a' {
                    'b'
                } else {
                    'a'
                }
            } else {
                c
            }
        })
        .collect();
    for refused in [
        forged(&id, now() - 1),
        format!("{base}?expires={expires}&sig={flipped}"),
        format!("{base}?expires={}&sig={sig}", expires + 86_400),
        format!("{base}?expires={expires}"),
        base.to_owned(),
        format!("{base}?expires=soon&sig={sig}"),
        url.replace(&id, "0196f0c2-6a3f-7b52-9d1e-2f4c5a6b7c8d"),
        url.replace(&id, "not-an-id"),
    ] {
        let response = status(refused.clone()).await;
        assert_eq!(
            error_code(response, 403).await,
            "invalid_signature",
            "{refused}"
        );
    }
}

#[tokio::test]
async fn another_tenant_gets_no_url_and_a_deleted_interview_is_404() {
    let app = spawn_app().await;
    let key = app.key("acme", &[Scope::Submit, Scope::Read]).await;
    let other = app.key("globex", &[Scope::Submit, Scope::Read]).await;
    let (id, url, _) = uploaded(&app, &key).await;

    // The URL is only minted by tenant-checked endpoints.
    let response = app
        .get(&format!("/api/v1/interviews/{id}"), &other)
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
    let listed = json(
        app.get("/api/v1/interviews", &other).send().await.unwrap(),
        200,
    )
    .await;
    assert!(!listed.to_string().contains(&id));

    let deleted = app
        .delete(&format!("/api/v1/interviews/{id}"), &key)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let response = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(error_code(response, 404).await, "not_found");
}
