//! Test fixtures: both backends (a temporary directory, and a real
//! S3-compatible server — moto — on loopback with a fresh bucket per store),
//! a fault-injecting TCP proxy, and seeded test data.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
pub use candor_store::testing::moto;
use candor_store::{
    Backend, Environment, MediaStore, ObjectKey, ReaderOptions, S3Config, S3Credentials,
    StoreConfig,
};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Runs an async test body against each backend, as `name::on_local` and
/// `name::on_s3`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_local() {
                super::$name(&$crate::common::TestStore::local()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_s3() {
                super::$name(&$crate::common::TestStore::s3()).await;
            }
        }
    };
}

/// A store on one backend, with what is needed to look behind it.
pub struct TestStore {
    pub store: MediaStore,
    pub config: StoreConfig,
    /// The local backend's directory, deleted on drop.
    pub dir: Option<tempfile::TempDir>,
}

impl TestStore {
    pub fn local() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = StoreConfig {
            environment: Environment::Development,
            backend: Backend::Local {
                dir: dir.path().to_path_buf(),
            },
        };
        TestStore {
            store: MediaStore::open(&config).unwrap(),
            config,
            dir: Some(dir),
        }
    }

    /// A fresh bucket on the shared moto server.
    pub fn s3() -> Self {
        let moto = moto();
        let bucket = moto.create_bucket();
        let config = s3_config(&bucket, &moto.endpoint());
        TestStore {
            store: MediaStore::open(&config).unwrap(),
            config,
            dir: None,
        }
    }

    /// The same bucket reached through another endpoint (a proxy).
    pub fn via(&self, endpoint: &str) -> MediaStore {
        let Backend::S3(s3) = &self.config.backend else {
            panic!("only an S3 store has an endpoint");
        };
        MediaStore::open(&s3_config(&s3.bucket, endpoint)).unwrap()
    }

    pub fn key(&self, raw: &str) -> ObjectKey {
        self.store.key(raw).unwrap()
    }

    /// Stores `data` in 64 KiB chunks.
    pub async fn put(&self, key: &ObjectKey, data: &[u8]) {
        let stored = self
            .store
            .put_stream(key, chunks(data, 64 * 1024), u64::MAX)
            .await
            .unwrap();
        assert_eq!(stored, data.len() as u64);
    }

    /// Evidence of unfinished uploads: staged files in the local directory,
    /// or multipart uploads the S3 bucket still holds.
    pub fn leftover_uploads(&self) -> Vec<String> {
        match (&self.dir, &self.config.backend) {
            (Some(dir), _) => files_under(dir.path()),
            (None, Backend::S3(s3)) => {
                let (status, body) = moto().request("GET", &format!("/{}?uploads", s3.bucket));
                assert_eq!(status, 200, "{body}");
                body.match_indices("<UploadId>")
                    .map(|(at, _)| body[at..].chars().take(80).collect())
                    .collect()
            }
            (None, Backend::Local { .. }) => unreachable!("a local store has its directory"),
        }
    }
}

fn s3_config(bucket: &str, endpoint: &str) -> StoreConfig {
    StoreConfig {
        environment: Environment::Development,
        backend: Backend::S3(S3Config {
            bucket: bucket.to_string(),
            region: Some("us-east-1".into()),
            endpoint: Some(endpoint.to_string()),
            credentials: Some(S3Credentials::new("testing", "testing", None)),
        }),
    }
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

/// Reader options for tests: quick retries, so that failures show fast.
pub fn quick_retries() -> ReaderOptions {
    ReaderOptions {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        ..ReaderOptions::default()
    }
}

/// `len` bytes that are the same for the same seed.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut data = vec![0; len];
    StdRng::seed_from_u64(seed).fill_bytes(&mut data);
    data
}

/// `data` as an upload body of `chunk`-byte pieces.
pub fn chunks(
    data: &[u8],
    chunk: usize,
) -> impl futures::Stream<Item = Result<Bytes, io::Error>> + Send + 'static {
    let pieces: Vec<_> = data
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    futures::stream::iter(pieces)
}

/// What the proxy does to one incoming connection.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Close it at once, before any response.
    Drop,
    /// Relay the request, then only the first `n` bytes of the responses,
    /// then close: a reset in the middle of a body.
    CutAfter(usize),
}

/// A TCP proxy to moto that applies one planned fault to each of the first
/// connections, then relays the rest untouched.
pub struct FaultyProxy {
    pub endpoint: String,
    plan: Arc<Mutex<VecDeque<Fault>>>,
    pub connections: Arc<AtomicUsize>,
}

impl FaultyProxy {
    pub async fn start(upstream: SocketAddr, plan: impl IntoIterator<Item = Fault>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let plan = Arc::new(Mutex::new(plan.into_iter().collect::<VecDeque<_>>()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (faults, count) = (plan.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                let fault = faults.lock().unwrap().pop_front();
                tokio::spawn(relay(client, upstream, fault));
            }
        });
        FaultyProxy {
            endpoint,
            plan,
            connections,
        }
    }

    /// Faults planned but not yet applied.
    pub fn faults_left(&self) -> usize {
        self.plan.lock().unwrap().len()
    }
}

async fn relay(mut client: TcpStream, upstream: SocketAddr, fault: Option<Fault>) {
    let limit = match fault {
        Some(Fault::Drop) => return,
        Some(Fault::CutAfter(n)) => n,
        None => usize::MAX,
    };
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    let requests = tokio::io::copy(&mut client_read, &mut server_write);
    let responses = async {
        let mut sent = 0;
        let mut buf = vec![0; 16 * 1024];
        while sent < limit {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n.min(limit - sent),
            };
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
            sent += n;
        }
    };
    // Whichever side ends first ends the connection.
    tokio::select! {
        _ = requests => {}
        _ = responses => {}
    }
}
