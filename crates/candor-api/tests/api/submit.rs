//! Submitting interviews: by key, by streamed upload, and every refusal
//! leaving nothing behind.

use candor_db::{Backend, InterviewId, InterviewStatus, JobFilter, JobState, Scope};
use serde_json::json;

use crate::helpers::{
    error_code, json, mp4, noise, on_both_backends, spawn_app, spawn_app_on, spawn_app_with,
    Options, MIB,
};

const TENANT: &str = "acme";

async fn an_upload_is_stored_and_queued_and_wakes_the_workers(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let key = app.key(TENANT, &[Scope::Submit, Scope::Read]).await;
    let media = mp4(3 * MIB + 17);
    let response = app.upload(&key, media.clone(), "answer.mp4").await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body = json(response, 202).await;
    assert_eq!(body["status"], "pending");
    let id = InterviewId::parse(body["id"].as_str().unwrap()).unwrap();
    assert_eq!(location, format!("/api/v1/interviews/{id}"));
    assert_eq!(body["links"]["self"], location);
    assert_eq!(body["links"]["feedback"], format!("{location}/feedback"));
    assert!(app.woken().await, "the workers were not woken");

    let interview = app.db.interview(TENANT, &id).await.unwrap().expect("row");
    assert_eq!(interview.status, InterviewStatus::Pending);
    assert_eq!(interview.media_size, media.len() as i64);
    assert_eq!(interview.content_type, "video/mp4");
    assert_eq!(interview.candidate_ref.as_deref(), Some("cand-7"));
    let prefix = format!("development/interviews/{TENANT}/");
    assert!(
        interview.media_key.starts_with(&prefix),
        "{}",
        interview.media_key
    );
    assert!(
        interview.media_key.ends_with(".mp4"),
        "{}",
        interview.media_key
    );

    let stored = std::fs::read(app.store_dir().join(&interview.media_key)).expect("object");
    assert!(stored == media, "the stored bytes differ from the upload");

    let jobs = app
        .db
        .list_jobs(
            &JobFilter {
                interview_id: Some(id),
                ..JobFilter::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].state, JobState::Pending);
    assert_eq!(jobs[0].id.0, body["job_id"].as_i64().unwrap());
}
on_both_backends!(an_upload_is_stored_and_queued_and_wakes_the_workers);

async fn an_oversized_upload_is_413_and_stores_nothing(backend: Backend) {
    let app = spawn_app_with(Options {
        backend,
        max_upload_bytes: 256 * 1024,
        ..Options::default()
    })
    .await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    let response = app.upload(&key, mp4(20 * MIB), "big.mp4").await;
    assert_eq!(error_code(response, 413).await, "payload_too_large");
    assert_eq!(app.stored_files(), Vec::<std::path::PathBuf>::new());
    assert_eq!(app.interview_count(TENANT).await, 0);
    assert!(!app.woken().await);
}
on_both_backends!(an_oversized_upload_is_413_and_stores_nothing);

async fn non_media_uploads_are_415_and_store_nothing(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    let text = b"Dear hiring manager,\nplease find my answer attached.\n".repeat(100);
    for (bytes, name) in [
        (noise(7, 200_000), "random.mp4"),
        (text, "answer.txt"),
        (Vec::new(), "empty.mp4"),
    ] {
        let response = app.upload(&key, bytes, name).await;
        assert_eq!(
            error_code(response, 415).await,
            "unsupported_media_type",
            "{name}"
        );
    }
    assert_eq!(app.stored_files(), Vec::<std::path::PathBuf>::new());
    assert_eq!(app.interview_count(TENANT).await, 0);
}
on_both_backends!(non_media_uploads_are_415_and_store_nothing);

#[tokio::test]
async fn every_supported_container_is_accepted_with_its_extension() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit, Scope::Read]).await;
    let cases: [(&[u8], &str, &str); 6] = [
        (
            b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm",
            "webm",
            "video/webm",
        ),
        (b"ID3\x04\0\0\0\0\0\x23", "mp3", "audio/mpeg"),
        (b"RIFF\x24\x08\0\0WAVEfmt ", "wav", "audio/wav"),
        (b"OggS\0\x02\0\0", "ogg", "audio/ogg"),
        (b"fLaC\0\0\0\x22", "flac", "audio/flac"),
        (b"\0\0\0\x20ftypM4A \0\0\0\0", "m4a", "audio/mp4"),
    ];
    for (head, extension, content_type) in cases {
        let mut bytes = head.to_vec();
        bytes.extend(noise(3, 10_000));
        let body = json(app.upload(&key, bytes, "answer.bin").await, 202).await;
        let id = InterviewId::parse(body["id"].as_str().unwrap()).unwrap();
        let interview = app.db.interview(TENANT, &id).await.unwrap().unwrap();
        assert!(
            interview.media_key.ends_with(&format!(".{extension}")),
            "{}",
            interview.media_key
        );
        assert_eq!(interview.content_type, content_type);
    }
}

#[tokio::test]
async fn the_form_fields_may_follow_the_file_and_are_validated() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    app.db
        .rotate_webhook_secret(TENANT, "whsec_test", std::time::Duration::ZERO)
        .await
        .unwrap();
    let form = || {
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(mp4(50_000)))
    };
    let send = |form| app.post("/api/v1/interviews", &key).multipart(form).send();

    let response = send(
        form()
            .text("language", "en")
            .text("callback_url", "https://hooks.example.com/x"),
    )
    .await
    .unwrap();
    json(response, 202).await;

    // A bad field after the file: refused, and the stored file removed.
    let response = send(form().text("callback_url", "http://hooks.example.com/x"))
        .await
        .unwrap();
    assert_eq!(error_code(response, 400).await, "invalid_callback_url");
    let response = send(form().text("colour", "blue")).await.unwrap();
    assert_eq!(error_code(response, 400).await, "unknown_field");
    let response = send(form().part("file", reqwest::multipart::Part::bytes(mp4(1000))))
        .await
        .unwrap();
    assert_eq!(error_code(response, 400).await, "duplicate_field");
    let no_file = reqwest::multipart::Form::new().text("question", "Why us?");
    let response = send(no_file).await.unwrap();
    assert_eq!(error_code(response, 400).await, "missing_file");

    assert_eq!(app.stored_files().len(), 1, "{:?}", app.stored_files());
    assert_eq!(app.interview_count(TENANT).await, 1);
}

#[tokio::test]
async fn media_already_in_the_store_is_submitted_by_key() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    app.put_owned_object(TENANT, "recordings/take-1.webm", noise(1, 12_345))
        .await;
    let response = app
        .submit_key(
            &key,
            json!({"media_key": "recordings/take-1.webm", "question": "Why us?", "language": "en"}),
        )
        .await;
    let body = json(response, 202).await;
    assert!(app.woken().await);
    let id = InterviewId::parse(body["id"].as_str().unwrap()).unwrap();
    let interview = app.db.interview(TENANT, &id).await.unwrap().unwrap();
    assert_eq!(interview.media_key, "development/recordings/take-1.webm");
    assert_eq!(interview.media_size, 12_345);
    assert_eq!(interview.content_type, "video/webm");
    assert_eq!(interview.language.as_deref(), Some("en"));
}

#[tokio::test]
async fn a_key_naming_no_object_is_refused() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    let response = app
        .submit_key(&key, json!({"media_key": "recordings/none.mp4"}))
        .await;
    assert_eq!(error_code(response, 400).await, "media_not_found");
    assert_eq!(app.interview_count(TENANT).await, 0);
}

#[tokio::test]
async fn keys_that_try_to_leave_the_prefix_are_400_and_nothing_is_read() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    // Objects where the escapes would land, so a key that got through
    // would be found and accepted.
    for path in ["x", "live/x", "development/x"] {
        let file = app.store_dir().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, mp4(1000)).unwrap();
    }
    for media_key in [
        "../x",
        "/x",
        "/development/x",
        "live/x",
        "staging/x",
        "a/../../x",
        "x\u{1}",
        "a\\..\\x",
    ] {
        let response = app
            .submit_key(&key, json!({ "media_key": media_key }))
            .await;
        assert_eq!(
            error_code(response, 400).await,
            "invalid_media_key",
            "{media_key:?}"
        );
    }
    assert_eq!(app.interview_count(TENANT).await, 0);
}

#[tokio::test]
async fn malformed_submissions_are_refused() {
    let app = spawn_app().await;
    let key = app.key(TENANT, &[Scope::Submit]).await;
    app.put_owned_object(TENANT, "a.mp4", mp4(100)).await;
    let cases = [
        (json!({"media_key": "a.mp4", "unknown": 1}), "invalid_json"),
        (json!({"question": "no key"}), "invalid_json"),
        (
            json!({"media_key": "a.mp4", "callback_url": "ftp://x.example/"}),
            "invalid_callback_url",
        ),
        (
            json!({"media_key": "a.mp4", "callback_url": format!("https://x.example/{}", "a".repeat(2048))}),
            "invalid_callback_url",
        ),
        (
            json!({"media_key": "a.mp4", "question": "q".repeat(4001)}),
            "invalid_field",
        ),
        (
            json!({"media_key": "a.mp4", "language": "en us"}),
            "invalid_field",
        ),
    ];
    for (body, code) in cases {
        let response = app.submit_key(&key, body.clone()).await;
        assert_eq!(error_code(response, 400).await, code, "{body}");
    }
    let response = app
        .post("/api/v1/interviews", &key)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 415).await, "unsupported_media_type");
    let response = app
        .post("/api/v1/interviews", &key)
        .header("content-type", "application/json")
        .body(vec![b' '; 100_000])
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(response, 413).await, "payload_too_large");
    assert_eq!(app.interview_count(TENANT).await, 0);
}
