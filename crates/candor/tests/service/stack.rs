//! The service under test, as it runs in production: `candor serve` and
//! `candor worker` processes of the built binary, on a scratch MariaDB
//! database and a bucket of the moto S3 server on loopback.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use candor_db::testing::ScratchDatabase;
use candor_db::Backend;
use candor_store::testing::moto;
use serde_json::Value;

use crate::support::model_dir;

/// A scratch database and bucket shared by the processes of one test.
pub struct Stack {
    runtime: tokio::runtime::Runtime,
    database: Option<ScratchDatabase>,
    env: Vec<(String, String)>,
    logs: tempfile::TempDir,
}

impl Stack {
    pub fn new() -> Stack {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let database = runtime.block_on(ScratchDatabase::create(Backend::MySql));
        let moto = moto();
        let env = [
            ("DATABASE_URL", database.url().to_owned()),
            ("AWS_S3_BUCKET", moto.create_bucket()),
            ("AWS_ENDPOINT_URL", moto.endpoint()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("ENVIRONMENT", "development".to_owned()),
            // The test's webhook receiver and callbacks live on loopback.
            ("ALLOW_PRIVATE_WEBHOOKS", "true".to_owned()),
            ("CANDOR_ALLOW_HTTP_CALLBACKS", "true".to_owned()),
            ("CANDOR_WHISPER_MODEL", model_dir().display().to_string()),
            // The machine may be busy with other tests: never throttle here.
            ("MEMORY_THRESHOLD", "1.0".to_owned()),
            // Tests poll; the rate limit has its own tests in candor-api.
            ("CANDOR_RATE_LIMIT_PER_MINUTE", "100000".to_owned()),
            ("CANDOR_RATE_LIMIT_BURST", "1000".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Stack {
            runtime,
            database: Some(database),
            env,
            logs: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_candor"));
        command.args(args).env_remove("RUST_LOG");
        for (k, v) in &self.env {
            command.env(k, v);
        }
        for (k, v) in extra_env {
            command.env(k, v);
        }
        command
    }

    /// The job `id` as the database holds it.
    pub fn job(&self, id: i64) -> candor_db::Job {
        let url = self.database.as_ref().unwrap().url().to_owned();
        self.runtime.block_on(async {
            let db = candor_db::Db::connect(&url, &candor_db::DbOptions::default())
                .await
                .unwrap();
            let job = db.job(candor_db::JobId(id)).await.unwrap().unwrap();
            db.close().await;
            job
        })
    }

    /// A new API key of `tenant` with `scopes` (comma-separated).
    pub fn key(&self, tenant: &str, scopes: &str) -> String {
        self.admin(&["keys", "create", "--tenant", tenant, "--scopes", scopes])
    }

    /// A new webhook signing secret of `tenant`.
    pub fn webhook_secret(&self, tenant: &str) -> String {
        self.admin(&["webhooks", "rotate", "--tenant", tenant])
    }

    /// Runs an operator's command (`candor keys …`) that must succeed, and
    /// returns what it printed.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = self.admin_output(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    pub fn admin_output(&self, args: &[&str]) -> std::process::Output {
        self.command(args, &[]).output().unwrap()
    }

    /// `candor serve` on a free port, with `extra_env`.
    pub fn serve(&self, name: &str, extra_env: &[(&str, &str)]) -> Process {
        let mut process = self.spawn(name, &["serve", "--bind", "127.0.0.1:0"], extra_env);
        let line = process.first_stdout_line();
        process.url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{name}: unexpected first line {line:?}"))
            .to_owned();
        process
    }

    /// `candor worker`, with `extra_env`.
    pub fn worker(&self, name: &str, extra_env: &[(&str, &str)]) -> Process {
        let mut process = self.spawn(name, &["worker"], extra_env);
        assert_eq!(process.first_stdout_line(), "worker running");
        process
    }

    fn spawn(&self, name: &str, args: &[&str], extra_env: &[(&str, &str)]) -> Process {
        let log = self.logs.path().join(format!("{name}.log"));
        let child = self
            .command(args, extra_env)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Process {
            name: name.to_owned(),
            child,
            log,
            url: String::new(),
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if let Some(database) = self.database.take() {
            self.runtime.block_on(database.destroy());
        }
    }
}

/// One `candor` process; killed when dropped.
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    pub url: String,
}

impl Process {
    fn first_stdout_line(&mut self) -> String {
        let stdout = self.child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "{} exited at start: {}",
            self.name,
            self.logs()
        );
        line.trim().to_owned()
    }

    /// Sends `signal` (e.g. "TERM", "KILL") to the process.
    pub fn signal(&mut self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; panics after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit: {}",
                self.name,
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the process logged so far (JSON lines).
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking client with a key.
pub struct Client {
    http: reqwest::blocking::Client,
    base: String,
    key: String,
}

impl Client {
    pub fn new(base: &str, key: &str) -> Client {
        Client {
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            base: base.to_owned(),
            key: key.to_owned(),
        }
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Posts `body` as JSON to `path`.
    #[allow(dead_code)] // the browser tests make practice links with it
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Uploads `file` with the multipart form's text `fields`.
    pub fn upload(&self, file: &Path, fields: &[(&str, &str)]) -> (u16, Value) {
        let mut form = reqwest::blocking::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        form = form.file("file", file).unwrap();
        let response = self
            .http
            .post(format!("{}/api/v1/interviews", self.base))
            .bearer_auth(&self.key)
            .multipart(form)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Polls the interview until `done` says so; panics after `limit`.
    pub fn wait_for(&self, id: &str, limit: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            let (status, body) = self.get(&format!("/api/v1/interviews/{id}"));
            assert_eq!(status, 200, "{body}");
            if done(&body) {
                return body;
            }
            assert!(Instant::now() < deadline, "gave up waiting: {body}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// One webhook request as received.
pub struct Delivery {
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

/// An HTTP server on loopback that records the requests it gets and
/// answers 200.
pub struct WebhookReceiver {
    pub url: String,
    received: Arc<Mutex<Vec<Delivery>>>,
}

impl WebhookReceiver {
    pub fn start() -> WebhookReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks/candor", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(delivery) = read_request(stream) {
                    sink.lock().unwrap().push(delivery);
                }
            }
        });
        WebhookReceiver { url, received }
    }

    /// Waits for the first delivery.
    pub fn wait_first(&self, limit: Duration) -> Delivery {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(delivery) = self.received.lock().unwrap().drain(..).next() {
                return delivery;
            }
            assert!(Instant::now() < deadline, "no webhook arrived");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn read_request(mut stream: std::net::TcpStream) -> Option<Delivery> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut headers = HashMap::new();
    let mut line = String::new();
    reader.read_line(&mut line).ok()?; // the request line
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
    }
    let length = headers.get("content-length")?.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .ok()?;
    Some(Delivery { headers, body })
}
