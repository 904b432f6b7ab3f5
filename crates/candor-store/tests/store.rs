//! Uploads, HEAD, ranged GETs, DELETE and the readiness check, on the local backend and
//! on a real S3-compatible server (moto) on loopback.

mod common;

use std::io;
use std::time::Duration;

use bytes::Bytes;
use candor_store::{Environment, KeyRejection, MediaStore, ObjectKey, StoreError};
use common::{chunks, random_bytes, TestStore};
use futures::StreamExt;

const MIB: usize = 1024 * 1024;

/// Several 5 MiB parts plus a short last one.
async fn an_upload_round_trips_through_put_head_and_delete(t: &TestStore) {
    let key = t.key("interviews/round-trip.mp4");
    assert_eq!(t.store.head(&key).await.unwrap(), None);
    let data = random_bytes(1, 12 * MIB + 321);
    let stored = t
        .store
        .put_stream(&key, chunks(&data, 100_000), data.len() as u64)
        .await
        .unwrap();
    assert_eq!(stored, data.len() as u64);
    assert_eq!(t.store.head(&key).await.unwrap(), Some(data.len() as u64));

    let reader = t.store.reader(&key, &Default::default()).await.unwrap();
    let read_back = tokio::task::spawn_blocking(move || {
        let mut reader = reader;
        let mut out = Vec::new();
        io::Read::read_to_end(&mut reader, &mut out).map(|_| out)
    })
    .await
    .unwrap()
    .unwrap();
    assert!(read_back == data, "the stored bytes differ");

    t.store.delete(&key).await.unwrap();
    assert_eq!(t.store.head(&key).await.unwrap(), None);
    t.store.delete(&key).await.unwrap();
    assert!(
        t.leftover_uploads().is_empty(),
        "{:?}",
        t.leftover_uploads()
    );
}
on_both_backends!(an_upload_round_trips_through_put_head_and_delete);

/// Ranges as an HTTP range response asks for them, and a missing object.
async fn ranges_stream_exactly_their_bytes(t: &TestStore) {
    let key = t.key("interviews/ranges.mp4");
    let data = random_bytes(7, 3 * MIB + 17);
    t.put(&key, &data).await;
    for range in [
        0..100,
        1_000_000..2_500_000,
        data.len() as u64 - 17..data.len() as u64,
    ] {
        let mut stream = t
            .store
            .get_range(&key, range.clone())
            .await
            .unwrap()
            .unwrap();
        let mut got = Vec::new();
        while let Some(chunk) = stream.next().await {
            got.extend_from_slice(&chunk.unwrap());
        }
        let expected = &data[range.start as usize..range.end as usize];
        assert!(got == expected, "{range:?}: {} bytes", got.len());
    }
    let missing = t.key("interviews/missing.mp4");
    assert!(t.store.get_range(&missing, 0..10).await.unwrap().is_none());
}
on_both_backends!(ranges_stream_exactly_their_bytes);

async fn an_empty_upload_stores_an_empty_object(t: &TestStore) {
    let key = t.key("empty");
    let stored = t.store.put_stream(&key, chunks(&[], 1), 10).await.unwrap();
    assert_eq!(stored, 0);
    assert_eq!(t.store.head(&key).await.unwrap(), Some(0));
}
on_both_backends!(an_empty_upload_stores_an_empty_object);

async fn an_oversize_upload_is_refused_and_leaves_nothing(t: &TestStore) {
    let key = t.key("interviews/too-big.mp4");
    let data = random_bytes(2, 12 * MIB);
    let err = t
        .store
        .put_stream(&key, chunks(&data, 64 * 1024), 11 * MIB as u64)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::TooLarge { max_bytes, .. } if max_bytes == 11 * MIB as u64),
        "{err}"
    );
    assert_eq!(err.code(), "store_too_large");
    assert!(err.is_client_error() && !err.is_transient());
    assert_eq!(t.store.head(&key).await.unwrap(), None);
    assert!(
        t.leftover_uploads().is_empty(),
        "{:?}",
        t.leftover_uploads()
    );

    // An object already under the key survives a refused replacement.
    t.put(&key, b"the first version").await;
    let err = t
        .store
        .put_stream(&key, chunks(&data, 64 * 1024), MIB as u64)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_too_large");
    assert_eq!(t.store.head(&key).await.unwrap(), Some(17));
}
on_both_backends!(an_oversize_upload_is_refused_and_leaves_nothing);

async fn a_body_that_fails_midway_aborts_the_upload(t: &TestStore) {
    let key = t.key("interviews/broken.webm");
    let good = chunks(&random_bytes(3, 7 * MIB), 64 * 1024);
    let broken = futures::stream::iter([Err(io::Error::new(
        io::ErrorKind::ConnectionReset,
        "client went away",
    ))]);
    let err = t
        .store
        .put_stream(&key, good.chain(broken), u64::MAX)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_body_failed", "{err}");
    assert!(err.to_string().contains("client went away"), "{err}");
    assert_eq!(t.store.head(&key).await.unwrap(), None);
    assert!(
        t.leftover_uploads().is_empty(),
        "{:?}",
        t.leftover_uploads()
    );
}
on_both_backends!(a_body_that_fails_midway_aborts_the_upload);

/// A request handler dropped mid-upload (the client went away) must not
/// leave staged parts behind.
async fn a_cancelled_upload_is_aborted_in_the_background(t: &TestStore) {
    let key = t.key("interviews/cancelled.mp4");
    let first = chunks(&random_bytes(4, 6 * MIB), 64 * 1024);
    let body = first.chain(futures::stream::pending::<Result<Bytes, io::Error>>());
    let upload = t.store.put_stream(&key, body, u64::MAX);
    assert!(tokio::time::timeout(Duration::from_secs(2), upload)
        .await
        .is_err());
    let mut left = t.leftover_uploads();
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = t.leftover_uploads();
    }
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(t.store.head(&key).await.unwrap(), None);
}
on_both_backends!(a_cancelled_upload_is_aborted_in_the_background);

async fn the_readiness_check_passes(t: &TestStore) {
    t.store.check().await.unwrap();
}
on_both_backends!(the_readiness_check_passes);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readiness_check_fails_for_a_missing_bucket_or_a_dead_server() {
    let t = TestStore::s3();
    let mut config = t.config.clone();
    let candor_store::Backend::S3(s3) = &mut config.backend else {
        unreachable!()
    };
    s3.bucket = format!("no-such-bucket-{}", std::process::id());
    // `object_store` reports a failed listing without its status, so a
    // missing bucket reads as "unavailable"; the message names the status
    // but not the server's body.
    let err = MediaStore::open(&config)
        .unwrap()
        .check()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_unavailable", "{err}");
    assert!(err.to_string().contains("404 Not Found"), "{err}");
    assert!(!err.to_string().contains("NoSuchBucket"), "{err}");

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_endpoint = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let started = std::time::Instant::now();
    let err = t.via(&dead_endpoint).check().await.unwrap_err();
    assert_eq!(err.code(), "store_unavailable", "{err}");
    assert!(err.is_transient());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

async fn keys_of_another_environment_are_refused(t: &TestStore) {
    let staging = ObjectKey::parse(Environment::Staging, "interviews/a.mp4").unwrap();
    for err in [
        t.store.head(&staging).await.unwrap_err(),
        t.store.delete(&staging).await.unwrap_err(),
        t.store
            .put_stream(&staging, chunks(b"x", 1), 10)
            .await
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                StoreError::InvalidKey {
                    reason: KeyRejection::OtherEnvironment,
                    ..
                }
            ),
            "{err}"
        );
    }
}
on_both_backends!(keys_of_another_environment_are_refused);

/// Objects land under the environment's prefix in the bucket or directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_are_stored_under_the_environment_prefix() {
    let t = TestStore::local();
    let key = t.key("interviews/a.mp4");
    t.put(&key, b"abc").await;
    let dir = t.dir.as_ref().unwrap().path();
    assert_eq!(
        std::fs::read(dir.join("development/interviews/a.mp4")).unwrap(),
        b"abc"
    );

    let t = TestStore::s3();
    t.put(&key, b"abc").await;
    let candor_store::Backend::S3(s3) = &t.config.backend else {
        unreachable!()
    };
    let (status, body) = common::moto().request(
        "GET",
        &format!("/{}/development/interviews/a.mp4", s3.bucket),
    );
    assert_eq!((status, body.as_str()), (200, "abc"));
}
