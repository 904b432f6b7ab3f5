//! What every handler shares. Cheap to clone: all of it sits behind `Arc`s
//! or is a handle on a pool.

use std::sync::Arc;

use candor_db::Db;
use candor_store::MediaStore;
use tokio::sync::Notify;

use crate::config::ApiConfig;
use crate::rate_limit::RateLimiter;
use crate::routes::interviews::media::MediaUrls;
use crate::routes::metrics::HttpMetrics;

/// A snapshot of the in-process workers (busy slots, memory throttle…),
/// shown by `/api/v1/queue/stats` and `/metrics`.
pub type WorkerStatus = Arc<dyn Fn() -> serde_json::Value + Send + Sync>;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub store: MediaStore,
    pub config: Arc<ApiConfig>,
    /// Notified after every successful submit, so that in-process workers
    /// claim the new job at once instead of at their next poll.
    pub wake: Arc<Notify>,
    /// `None` when this process runs no workers.
    pub worker_status: Option<WorkerStatus>,
    pub(crate) limiter: Arc<RateLimiter>,
    pub(crate) http_metrics: Arc<HttpMetrics>,
    pub(crate) media_urls: Arc<MediaUrls>,
}

impl AppState {
    pub fn new(db: Db, store: MediaStore, config: ApiConfig, wake: Arc<Notify>) -> Self {
        AppState {
            db,
            store,
            limiter: Arc::new(RateLimiter::new(config.rate_limit)),
            http_metrics: Arc::new(HttpMetrics::default()),
            media_urls: Arc::new(MediaUrls::new(config.url_secret.as_ref())),
            config: Arc::new(config),
            wake,
            worker_status: None,
        }
    }

    pub fn with_worker_status(mut self, status: WorkerStatus) -> Self {
        self.worker_status = Some(status);
        self
    }

    /// Tells the in-process workers that a job is due. Every pool of the
    /// process (analyses, webhooks) waits on the same `Notify`:
    /// `notify_waiters` reaches all that are waiting now, and the permit of
    /// `notify_one` the next one that is busy claiming; `notify_one` alone
    /// woke the webhook pool and left analyses to the 30-s safety poll.
    pub(crate) fn wake_workers(&self) {
        self.wake.notify_waiters();
        self.wake.notify_one();
    }

    pub(crate) fn worker_snapshot(&self) -> Option<serde_json::Value> {
        self.worker_status.as_ref().map(|status| status())
    }
}
