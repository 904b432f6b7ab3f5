//! Candor's HTTP API (axum): interviews are submitted (a key already in
//! object storage, or a streamed upload), followed and read back; operators
//! watch and steer the queue; Prometheus scrapes `/metrics`; the OpenAPI
//! document is generated from the handlers.
//!
//! A tour:
//! - [`ApiConfig`] (`config.rs`): every setting, from the environment.
//! - [`AppState`] (`state.rs`): the database, the store and what the handlers
//!   share; [`Application`] (`startup.rs`) binds, layers and serves it.
//! - `auth.rs`: API keys (SHA-256 hashes in the database), scopes and the
//!   per-key rate limit (`rate_limit.rs`).
//! - `error.rs`: [`ApiError`], the one place that turns failures into HTTP.
//! - `routes/`: one router per resource; `sniff.rs` recognizes media
//!   containers by their first bytes before an upload is stored.
//!
//! The lead binary runs it next to the worker pool:
//!
//! ```no_run
//! # async fn run(db: candor_db::Db, store: candor_store::MediaStore) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let config = candor_api::ApiConfig::from_env()?;
//! let wake = Arc::new(tokio::sync::Notify::new());
//! let state = candor_api::AppState::new(db, store, config, wake.clone());
//! let app = candor_api::Application::build(state).await?;
//! // Any future: a signal, a shutdown channel.
//! app.run_until(std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod auth;
mod config;
mod error;
mod questions;
mod rate_limit;
mod routes;
mod server;
mod sniff;
mod startup;
mod state;

pub use config::{ApiConfig, ConfigError, RateLimitConfig, Secret};
pub use error::ApiError;
pub use questions::{Category, QuestionBank};
pub use routes::docs::openapi;
pub use sniff::{sniff, MediaKind};
pub use startup::{router, Application};
pub use state::{AppState, WorkerStatus};
