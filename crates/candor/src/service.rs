//! `candor serve` (the HTTP API and workers in one process) and `candor
//! worker` (workers only, for more machines on the same database and
//! bucket). Everything is configured from the environment
//! (README "Running the service"); the analysis of each job runs in a
//! `candor job-run` child process (`job.rs`).

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use candor_api::{ApiConfig, AppState, Application};
use candor_db::{Db, DbOptions};
use candor_store::{MediaStore, StoreConfig};
use candor_worker::{
    ChildRunner, WebhookConfig, WebhookRunner, WorkerConfig, WorkerHandle, WorkerPool,
};
use tokio::sync::Notify;

use crate::failure::Failure;

/// A SQLite file in the working directory: the service runs with no set-up.
const DEFAULT_DATABASE_URL: &str = "sqlite://data/candor.db?mode=rwc";

/// Which parts of the service this process runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    ApiAndWorkers,
    WorkersOnly,
}

pub fn run(role: Role, bind: Option<String>, model_dir: &Path) -> Result<(), Failure> {
    runtime()?.block_on(serve(role, bind, model_dir))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::internal(format!("cannot start the async runtime: {e}")))
}

async fn serve(role: Role, bind: Option<String>, model_dir: &Path) -> Result<(), Failure> {
    let db = connect().await?;
    let store = MediaStore::open(&StoreConfig::from_env().map_err(config_failure)?)
        .map_err(config_failure)?;
    let wake = Arc::new(Notify::new());
    let workers = start_workers(&db, model_dir, &wake)?;

    let shutdown = shutdown_signal();
    if role == Role::ApiAndWorkers {
        let mut config = ApiConfig::from_env().map_err(config_failure)?;
        if let Some(bind) = bind {
            config.bind = bind
                .parse()
                .map_err(|e| Failure::bad_input(format!("--bind {bind}: {e}"), BIND_HINT))?;
        }
        config.model_dir = Some(model_dir.to_path_buf());
        // Weak: the pool must be ours alone again to shut it down.
        let analysis = Arc::downgrade(&workers.analysis);
        let state = AppState::new(db.clone(), store, config, wake).with_worker_status(Arc::new(
            move || {
                analysis
                    .upgrade()
                    .and_then(|pool| serde_json::to_value(pool.status()).ok())
                    .unwrap_or_default()
            },
        ));
        let app = Application::build(state)
            .await
            .map_err(|e| Failure::bad_input(format!("cannot listen: {e}"), BIND_HINT))?;
        let address = app.local_addr().map_err(io_failure)?;
        // Tests and scripts bind port 0 and read the address from here.
        println!("listening on http://{address}");
        app.run_until(shutdown).await.map_err(io_failure)?;
    } else {
        println!("worker running");
        shutdown.await;
    }
    tracing::info!("shutting down: no new jobs; running jobs get the grace period");
    workers.shutdown().await;
    db.close().await;
    Ok(())
}

const BIND_HINT: &str = "give an address like 127.0.0.1:8080 (CANDOR_BIND or --bind)";

/// The analysis pool and the webhook pool of this process.
struct Workers {
    analysis: Arc<WorkerHandle>,
    webhooks: WorkerHandle,
    grace: Duration,
}

impl Workers {
    async fn shutdown(self) {
        let mut analysis = self.analysis;
        // A status request may still hold the pool for an instant.
        let analysis = loop {
            match Arc::try_unwrap(analysis) {
                Ok(pool) => break pool,
                Err(shared) => {
                    analysis = shared;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        };
        tokio::join!(
            analysis.shutdown(self.grace),
            self.webhooks.shutdown(self.grace)
        );
    }
}

fn start_workers(db: &Db, model_dir: &Path, wake: &Arc<Notify>) -> Result<Workers, Failure> {
    let config = WorkerConfig::from_env().map_err(config_failure)?;
    let program = std::env::current_exe()
        .map_err(|e| Failure::internal(format!("cannot find the candor binary: {e}")))?;
    let child = ChildRunner {
        program,
        args: vec![
            OsString::from("job-run"),
            OsString::from("--model"),
            model_dir.as_os_str().to_owned(),
        ],
        env: Vec::new(),
    };
    let webhook = WebhookRunner::new(WebhookConfig::from_env().map_err(config_failure)?);
    let grace = config.shutdown_grace;
    Ok(Workers {
        analysis: Arc::new(WorkerPool::start(
            db.clone(),
            config.clone(),
            Arc::new(child),
            wake.clone(),
        )),
        webhooks: WorkerPool::start(db.clone(), config, Arc::new(webhook), wake.clone()),
        grace,
    })
}

pub(crate) async fn connect() -> Result<Db, Failure> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .and_then(|p| p.split('?').next())
    {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::bad_input(
                    format!("cannot create {}: {e}", dir.display()),
                    "set DATABASE_URL to a writable place",
                )
            })?;
        }
    }
    Db::connect(&url, &DbOptions::default()).await.map_err(|e| {
        Failure::bad_input(
            format!("cannot open the database: {e}"),
            "check DATABASE_URL (sqlite://FILE?mode=rwc or mysql://USER:PASSWORD@HOST/DB)",
        )
    })
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = terminate => {},
        _ = tokio::signal::ctrl_c() => {},
    }
}

pub(crate) fn config_failure(error: impl std::fmt::Display) -> Failure {
    Failure::bad_input(
        error.to_string(),
        "see README \"Running the service\" for the environment variables",
    )
}

fn io_failure(error: std::io::Error) -> Failure {
    Failure::internal(error.to_string())
}
