//! `spawn_app()`: the real application on port 0 over candor-db's scratch
//! database (a temporary SQLite file, or a database on MariaDB that is
//! dropped afterwards) and a local-directory store, with a reqwest
//! client and typed helpers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use candor_api::{auth, ApiConfig, AppState, Application, RateLimitConfig, Secret};
use candor_db::testing::ScratchDatabase;
use candor_db::{Backend, Db, DbOptions, NewApiKey, Scope};
use candor_store::{Environment, MediaStore, StoreConfig};
use reqwest::multipart::{Form, Part};
use reqwest::{RequestBuilder, Response};
use serde_json::Value;
use tokio::sync::{oneshot, Notify};

pub const MIB: usize = 1024 * 1024;
/// `CANDOR_URL_SECRET` of the test application, so tests can forge URLs.
pub const URL_SECRET: &str = "test-url-secret-0123456789";
/// `CANDOR_METRICS_TOKEN` of the test application.
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

/// What a test may change about the application.
#[derive(Debug, Clone)]
pub struct Options {
    pub backend: Backend,
    pub max_upload_bytes: u64,
    pub rate_limit: RateLimitConfig,
    /// Whether the model directory holds a `model.bin`.
    pub model_present: bool,
    /// Whether `/metrics` has a token (is on).
    pub metrics_token: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            backend: Backend::Sqlite,
            max_upload_bytes: 4 * MIB as u64,
            // Generous: only the rate-limit test wants to hit it.
            rate_limit: RateLimitConfig {
                per_minute: 6000,
                burst: 1000,
            },
            model_present: true,
            metrics_token: true,
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub store: MediaStore,
    pub wake: Arc<Notify>,
    store_dir: tempfile::TempDir,
    _model_dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    // Last: dropped after the pool's owners above.
    _database: DropDatabase,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_on(backend: Backend) -> TestApp {
    spawn_app_with(Options {
        backend,
        ..Options::default()
    })
    .await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let database = ScratchDatabase::create(options.backend).await;
    let db = Db::connect(database.url(), &DbOptions::default())
        .await
        .expect("the test database connects and migrates");
    let store_dir = tempfile::tempdir().expect("store directory");
    let store = MediaStore::open(&StoreConfig {
        environment: Environment::Development,
        backend: candor_store::Backend::Local {
            dir: store_dir.path().to_owned(),
        },
    })
    .expect("local store opens");
    let model_dir = tempfile::tempdir().expect("model directory");
    if options.model_present {
        std::fs::write(model_dir.path().join("model.bin"), b"weights").unwrap();
    }
    let config = ApiConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        max_upload_bytes: options.max_upload_bytes,
        rate_limit: options.rate_limit,
        allow_http_callbacks: false,
        model_dir: Some(model_dir.path().to_owned()),
        url_secret: Secret::new(URL_SECRET),
        metrics_token: Secret::new(METRICS_TOKEN).filter(|_| options.metrics_token),
        ..ApiConfig::default()
    };
    let wake = Arc::new(Notify::new());
    let state = AppState::new(db.clone(), store.clone(), config, wake.clone()).with_worker_status(
        Arc::new(|| serde_json::json!({"busy": 1, "slots": 3, "throttled": false})),
    );
    let app = Application::build(state).await.expect("the API binds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (shutdown, stop) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        stop.await.ok();
    }));
    TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        store,
        wake,
        store_dir,
        _model_dir: model_dir,
        shutdown: Some(shutdown),
        _database: DropDatabase(Some(database)),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A new API key of `tenant` with `scopes`; returns the plaintext.
    pub async fn key(&self, tenant: &str, scopes: &[Scope]) -> String {
        self.key_with_id(tenant, scopes).await.0
    }

    pub async fn key_with_id(&self, tenant: &str, scopes: &[Scope]) -> (String, i64) {
        let (key, key_hash) = auth::generate_key();
        let stored = self
            .db
            .insert_api_key(&NewApiKey {
                tenant: tenant.to_owned(),
                name: "test".to_owned(),
                key_hash,
                scopes: scopes.to_vec(),
                candidate_ref: None,
                expires_at: None,
            })
            .await
            .expect("API key stored");
        (key, stored.id)
    }

    pub fn get(&self, path: &str, key: &str) -> RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str) -> RequestBuilder {
        self.client.post(self.url(path)).bearer_auth(key)
    }

    pub fn delete(&self, path: &str, key: &str) -> RequestBuilder {
        self.client.delete(self.url(path)).bearer_auth(key)
    }

    pub async fn upload(&self, key: &str, bytes: Vec<u8>, file_name: &str) -> Response {
        let form = Form::new()
            .text("question", "Tell me about a project you led.")
            .text("candidate_ref", "cand-7")
            .part("file", Part::bytes(bytes).file_name(file_name.to_owned()));
        self.post("/api/v1/interviews", key)
            .multipart(form)
            .send()
            .await
            .expect("upload request")
    }

    pub async fn submit_key(&self, key: &str, body: Value) -> Response {
        self.post("/api/v1/interviews", key)
            .json(&body)
            .send()
            .await
            .expect("submit request")
    }

    /// Puts `bytes` under `relative` (prefixed with the environment).
    pub async fn put_object(&self, relative: &str, bytes: Vec<u8>) {
        let key = self.store.key(relative).unwrap();
        let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
        self.store.put_stream(&key, body, u64::MAX).await.unwrap();
    }

    /// Puts `bytes` under `relative` and makes the object `tenant`'s, as
    /// `candor media assign` does.
    pub async fn put_owned_object(&self, tenant: &str, relative: &str, bytes: Vec<u8>) {
        self.put_object(relative, bytes).await;
        let key = self.store.key(relative).unwrap();
        self.db.assign_media(tenant, key.as_str()).await.unwrap();
    }

    /// `/metrics`, with the token.
    pub async fn scrape(&self) -> Response {
        self.client
            .get(self.url("/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("metrics request")
    }

    pub fn store_dir(&self) -> &Path {
        self.store_dir.path()
    }

    /// Every file in the store's directory (staged uploads included).
    pub fn stored_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(self.store_dir.path(), &mut files);
        files
    }

    /// Interviews of `tenant` in the database.
    pub async fn interview_count(&self, tenant: &str) -> usize {
        self.db
            .list_interviews(tenant, None, 500)
            .await
            .unwrap()
            .len()
    }

    /// Whether the wake was notified (within a second).
    pub async fn woken(&self) -> bool {
        tokio::time::timeout(Duration::from_secs(1), self.wake.notified())
            .await
            .is_ok()
    }
}

/// A body as JSON, with its status checked first.
pub async fn json(response: Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let text = response.text().await.expect("response body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// The `error.code` of an error response with `status`.
pub async fn error_code(response: Response, status: u16) -> String {
    let body = json(response, status).await;
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
        .to_owned()
}

/// Deterministic filler bytes (xorshift), different per seed.
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// An MP4's `ftyp` box, then filler up to `len` bytes.
pub fn mp4(len: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
    bytes.extend(noise(len as u64, len.saturating_sub(bytes.len())));
    bytes
}

/// Removes the scratch database when the test ends, passed or panicked.
struct DropDatabase(Option<ScratchDatabase>);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let Some(database) = self.0.take() else {
            return;
        };
        // Drop cannot await, and the test's own runtime may be the one
        // dropping: the removal runs on a runtime of its own.
        let removed = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to remove the test database")
                .block_on(database.destroy())
        })
        .join();
        if removed.is_err() {
            eprintln!("the test database could not be removed");
        }
    }
}

/// Runs an `async fn(Backend)` test once on SQLite and once on MariaDB.
macro_rules! on_both_backends {
    ($test:ident) => {
        mod $test {
            #[tokio::test]
            async fn on_sqlite() {
                super::$test(candor_db::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn on_mariadb() {
                super::$test(candor_db::Backend::MySql).await
            }
        }
    };
}
pub(crate) use on_both_backends;
