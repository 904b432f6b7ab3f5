//! The ranged reader: exact bytes under any seek pattern, bounded fetching,
//! retries of transient failures, and clean errors for permanent ones.

mod common;

use std::io::{self, Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use candor_store::{RangedReader, ReaderOptions, StoreError};
use common::{moto, quick_retries, random_bytes, Fault, FaultyProxy, TestStore};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Runs `f` with the reader on a blocking thread, as the decoder does.
async fn blocking<T: Send + 'static>(
    reader: RangedReader,
    f: impl FnOnce(RangedReader) -> T + Send + 'static,
) -> T {
    tokio::task::spawn_blocking(move || f(reader))
        .await
        .unwrap()
}

async fn random_seeks_and_reads_return_the_objects_bytes(t: &TestStore) {
    let data = random_bytes(10, 3 * 1024 * 1024 + 123);
    let key = t.key("interviews/random.bin");
    t.put(&key, &data).await;
    for window in [300 * 1024, 1024 * 1024] {
        let options = ReaderOptions {
            window,
            ..ReaderOptions::default()
        };
        let reader = t.store.reader(&key, &options).await.unwrap();
        assert_eq!(reader.size(), data.len() as u64);
        let data = data.clone();
        blocking(reader, move |mut reader| {
            let size = data.len() as i64;
            let mut rng = StdRng::seed_from_u64(window as u64);
            let mut pos: i64 = 0;
            for step in 0..400 {
                let target = match rng.random_range(0..4) {
                    0 => SeekFrom::Start(rng.random_range(0..size as u64 + 1000)),
                    1 => SeekFrom::End(rng.random_range(-size..100)),
                    2 => SeekFrom::Current(rng.random_range(-pos..200_000)),
                    _ => SeekFrom::Current(0),
                };
                pos = reader.seek(target).unwrap() as i64;
                let mut buf = vec![0; rng.random_range(1..400_000)];
                let n = reader.read(&mut buf).unwrap();
                let start = (pos as usize).min(data.len());
                let expected = &data[start..(start + buf.len()).min(data.len())];
                assert!(n > 0 || expected.is_empty(), "step {step}: no progress");
                assert!(
                    buf[..n] == expected[..n],
                    "step {step}: bytes at {pos} differ"
                );
                pos += n as i64;
            }
            let err = reader.seek(SeekFrom::Current(-pos - 1)).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        })
        .await;
    }
}
on_both_backends!(random_seeks_and_reads_return_the_objects_bytes);

async fn a_sequential_read_fetches_each_byte_about_once(t: &TestStore) {
    let data = random_bytes(11, 5 * 1024 * 1024 + 7);
    let key = t.key("interviews/sequential.bin");
    t.put(&key, &data).await;
    let reader = t
        .store
        .reader(&key, &ReaderOptions::default())
        .await
        .unwrap();
    let meter = reader.meter();
    let read = blocking(reader, |mut reader| {
        // FFmpeg's I/O buffer asks for 64 KiB at a time.
        let mut out = Vec::new();
        let mut buf = vec![0; 64 * 1024];
        loop {
            match reader.read(&mut buf).unwrap() {
                0 => return out,
                n => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read == data, "the bytes differ");
    let fetched = meter.bytes_fetched();
    assert!(
        fetched as f64 <= 1.1 * data.len() as f64,
        "{fetched} bytes fetched for {}",
        data.len()
    );
}
on_both_backends!(a_sequential_read_fetches_each_byte_about_once);

async fn seeking_within_the_buffer_does_not_refetch(t: &TestStore) {
    let data = random_bytes(12, 2 * 1024 * 1024);
    let key = t.key("interviews/window.bin");
    t.put(&key, &data).await;
    let reader = t
        .store
        .reader(&key, &ReaderOptions::default())
        .await
        .unwrap();
    blocking(reader, move |mut reader| {
        let mut byte = [0];
        reader.seek(SeekFrom::Start(1000)).unwrap();
        reader.read_exact(&mut byte).unwrap();
        let after_first = reader.bytes_fetched();
        assert!(after_first > 0 && after_first <= 64 * 1024, "{after_first}");
        for pos in [1000, 1500, 1001, 1000 + after_first - 1, 1200] {
            reader.seek(SeekFrom::Start(pos)).unwrap();
            reader.read_exact(&mut byte).unwrap();
            assert_eq!(byte[0], data[pos as usize]);
        }
        assert_eq!(reader.bytes_fetched(), after_first);
    })
    .await;
}
on_both_backends!(seeking_within_the_buffer_does_not_refetch);

async fn a_missing_object_is_a_clean_error_not_a_hang(t: &TestStore) {
    // A retried 404 would wait at least 2.5 s before its second attempt.
    let slow_retries = ReaderOptions {
        base_delay: Duration::from_secs(5),
        ..ReaderOptions::default()
    };
    let not_retried = |started: Instant| {
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "a 404 was retried"
        );
    };
    let key = t.key("interviews/never-uploaded.mp4");
    let started = Instant::now();
    let err = t.store.reader(&key, &slow_retries).await.unwrap_err();
    not_retried(started);
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "object development/interviews/never-uploaded.mp4 not found"
    );

    // Deleted after the reader was opened: the read fails at once.
    t.put(&key, &random_bytes(13, 100_000)).await;
    let reader = t.store.reader(&key, &slow_retries).await.unwrap();
    t.store.delete(&key).await.unwrap();
    let started = Instant::now();
    let err = blocking(reader, |mut reader| reader.read(&mut [0; 10]).unwrap_err()).await;
    not_retried(started);
    assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("not found"), "{err}");
}
on_both_backends!(a_missing_object_is_a_clean_error_not_a_hang);

async fn an_object_replaced_while_read_is_an_error(t: &TestStore) {
    let key = t.key("interviews/replaced.bin");
    t.put(&key, &random_bytes(14, 2 * 1024 * 1024)).await;
    let reader = t.store.reader(&key, &quick_retries()).await.unwrap();
    let reader = blocking(reader, |mut reader| {
        reader.read_exact(&mut [0; 10]).unwrap();
        reader
    })
    .await;
    // A different size, so that even a coarse ETag changes.
    t.put(&key, &random_bytes(15, 2 * 1024 * 1024 + 1)).await;
    let err = blocking(reader, |mut reader| {
        reader.seek(SeekFrom::Start(1024 * 1024)).unwrap();
        reader.read(&mut [0; 10]).unwrap_err()
    })
    .await;
    let store_error = err.get_ref().and_then(|e| e.downcast_ref::<StoreError>());
    assert_eq!(
        store_error.map(StoreError::code),
        Some("store_object_changed"),
        "{err}"
    );
}
on_both_backends!(an_object_replaced_while_read_is_an_error);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_and_cut_bodies_are_retried() {
    let t = TestStore::s3();
    let data = random_bytes(16, 3 * 1024 * 1024);
    let key = t.key("interviews/flaky.bin");
    t.put(&key, &data).await;

    let plan = [
        Fault::Drop,
        Fault::Drop,
        Fault::CutAfter(40_000),
        Fault::CutAfter(700_000),
    ];
    let proxy = FaultyProxy::start(moto().addr(), plan).await;
    let store = t.via(&proxy.endpoint);
    let reader = store.reader(&key, &quick_retries()).await.unwrap();
    let meter = reader.meter();
    let read = blocking(reader, |mut reader| {
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        out
    })
    .await;
    assert!(read == data, "the bytes differ");
    assert_eq!(proxy.faults_left(), 0, "every fault was hit");
    // A cut body is resumed after the bytes received, not fetched again.
    assert_eq!(meter.bytes_fetched(), data.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_keeps_failing_gives_up_after_the_configured_attempts() {
    let t = TestStore::s3();
    let key = t.key("interviews/unreachable.bin");
    t.put(&key, b"some bytes").await;
    let proxy = FaultyProxy::start(moto().addr(), [Fault::Drop; 100]).await;
    let options = ReaderOptions {
        max_attempts: 4,
        ..quick_retries()
    };
    let started = Instant::now();
    let err = t
        .via(&proxy.endpoint)
        .reader(&key, &options)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_unavailable", "{err}");
    assert!(err.is_transient());
    assert_eq!(
        proxy.connections.load(std::sync::atomic::Ordering::Relaxed),
        4
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
