//! Candor's worker runtime: the processes that take interviews off the job
//! queue (`candor-db`) and analyse them.
//!
//! A tour:
//! - [`WorkerPool::start`] runs a pool under a fresh [`candor_db::WorkerId`]:
//!   a claim loop (`pool.rs`) that claims only free slots, wakes at once
//!   when the process enqueues work (a shared [`tokio::sync::Notify`]),
//!   learns of work enqueued by other processes from a cheap read-only
//!   probe every `QUEUE_PROBE_INTERVAL` while it has a free slot, and
//!   otherwise sleeps until the safety poll or the next due retry,
//!   whichever comes first; it claims nothing while memory use is above
//!   the threshold (`memory.rs`). The pool also rescues expired leases and
//!   prunes old jobs. Database errors are logged and retried with jittered
//!   backoff; nothing in the pool gives up on an outage.
//! - Each claimed job runs in its own task (`job.rs`) with a heartbeat that
//!   renews the lease and reports progress, every third of the lease and
//!   whenever the progress has moved a point. A lost lease stops the work and
//!   drops its result; a requested cancel stops it and ends the job
//!   cancelled; the job's timeout stops it and fails the job with code
//!   `timeout`, without a retry (it would take as long again). Other
//!   retryable failures are retried per the [`candor_db::RetryPolicy`].
//! - What a job does is a [`JobRunner`]: [`ChildRunner`] runs the analysis
//!   in a child process that speaks the line protocol of [`protocol`] (so a
//!   segfault cannot take the worker down and a stop is a SIGKILL), and
//!   [`WebhookRunner`] delivers webhooks signed with the tenant's secrets
//!   (`webhook.rs`) to public addresses only (`public_ip.rs`).
//! - [`WorkerHandle::shutdown`] stops claiming, waits out a grace period and
//!   gives unfinished jobs back without spending their attempt.
//! - [`WorkerHandle::status`] reports running jobs, the throttle and counters
//!   for `/metrics` ([`WorkerStatus`]).

mod backoff;
mod child;
mod config;
mod job;
mod memory;
mod pool;
pub mod protocol;
mod public_ip;
mod runner;
mod status;
pub mod webhook;

pub use child::{ChildError, ChildRunner};
pub use config::{ConfigError, Environment, WorkerConfig};
pub use job::TIMEOUT_CODE;
pub use memory::used_fraction as memory_used_fraction;
pub use pool::{WorkerHandle, WorkerPool};
pub use public_ip::is_public;
pub use runner::{JobContext, JobOutput, JobRunner, RunError};
pub use status::{Counters, RunningJob, WorkerStatus};
pub use webhook::{WebhookConfig, WebhookError, WebhookRunner};
