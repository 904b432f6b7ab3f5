//! The pool: a claim loop that fills free slots, a task per running job
//! (`job.rs`), and upkeep (rescuing expired leases, pruning old jobs).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use candor_db::{now_ms, ClaimedJob, Db, DbError, JobKind, RescueOutcome, WorkerId};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::backoff::Backoff;
use crate::config::WorkerConfig;
use crate::memory;
use crate::runner::JobRunner;
use crate::status::{PoolState, Tracked, WorkerStatus};

/// Shortest wait between claim rounds while free slots remain and a job is
/// due: another worker holds it for a moment, or it became due just now.
const MIN_ROUND_WAIT: Duration = Duration::from_millis(100);
/// Delays after failed database calls of the loops.
const DB_RETRY_BASE: Duration = Duration::from_millis(250);
const DB_RETRY_MAX: Duration = Duration::from_secs(30);

/// Starts worker pools.
pub struct WorkerPool;

impl WorkerPool {
    /// Starts a pool under a fresh [`WorkerId`] that runs jobs of
    /// `runner.kind()`, at most `config.max_concurrent_jobs` at once.
    /// `wake` is notified (`notify_one` or `notify_waiters`) by whoever
    /// enqueues work in this process, so the pool claims at once instead of
    /// at the next safety poll. Must be called inside a Tokio runtime.
    pub fn start(
        db: Db,
        config: WorkerConfig,
        runner: Arc<dyn JobRunner>,
        wake: Arc<Notify>,
    ) -> WorkerHandle {
        let worker = WorkerId::fresh(&config.worker_name);
        tracing::info!(worker = %worker, kind = %runner.kind(),
            max_concurrent_jobs = config.max_concurrent_jobs, "worker pool starting");
        let shared = Arc::new(Shared {
            db,
            config,
            runner,
            worker,
            wake,
            state: Mutex::new(PoolState {
                claiming: true,
                ..PoolState::default()
            }),
            slot_freed: Notify::new(),
            stop_claiming: CancellationToken::new(),
            hard_stop: CancellationToken::new(),
            jobs: TaskTracker::new(),
        });
        let claim_loop = tokio::spawn(claim_loop(shared.clone()));
        let upkeep = tokio::spawn(upkeep_loop(shared.clone()));
        WorkerHandle {
            shared,
            loops: vec![claim_loop, upkeep],
        }
    }
}

/// A running pool. Call [`WorkerHandle::shutdown`] to stop it gracefully;
/// dropping the handle stops claiming and stops running jobs at once.
pub struct WorkerHandle {
    shared: Arc<Shared>,
    loops: Vec<JoinHandle<()>>,
}

impl WorkerHandle {
    pub fn worker_id(&self) -> &WorkerId {
        &self.shared.worker
    }

    pub fn status(&self) -> WorkerStatus {
        let state = self.shared.state();
        WorkerStatus {
            worker_id: self.shared.worker.clone(),
            kind: self.shared.runner.kind(),
            max_concurrent_jobs: self.shared.config.max_concurrent_jobs,
            claiming: state.claiming,
            running: state.running_jobs(),
            throttled: state.throttled,
            memory_used_fraction: state.memory_used_fraction,
            memory_threshold: self.shared.config.memory_threshold,
            counters: state.counters.clone(),
        }
    }

    /// Stops claiming, lets running jobs finish for up to `grace`, then
    /// stops the rest and gives them back to the queue without spending
    /// their attempt. Returns when every task of the pool has ended.
    pub async fn shutdown(mut self, grace: Duration) {
        let deadline = tokio::time::Instant::now().checked_add(grace);
        let shared = self.shared.clone();
        shared.stop_claiming.cancel();
        shared.state().claiming = false;
        // A claim round in flight finishes (and starts its jobs) first, so
        // no job is claimed after the tracker stops accepting.
        for task in self.loops.drain(..) {
            if let Err(error) = task.await {
                tracing::error!(worker = %shared.worker, %error, "a pool loop panicked");
            }
        }
        shared.jobs.close();
        let finished_in_grace = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, shared.jobs.wait())
                .await
                .is_ok(),
            None => {
                shared.jobs.wait().await;
                true
            }
        };
        if !finished_in_grace {
            tracing::info!(worker = %shared.worker, running = shared.state().running.len(),
                "grace period over; giving the remaining jobs back");
            shared.hard_stop.cancel();
            shared.jobs.wait().await;
        }
        tracing::info!(worker = %shared.worker, "worker pool stopped");
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.shared.stop_claiming.cancel();
        self.shared.hard_stop.cancel();
    }
}

/// What the pool's tasks share.
pub(crate) struct Shared {
    pub db: Db,
    pub config: WorkerConfig,
    pub runner: Arc<dyn JobRunner>,
    pub worker: WorkerId,
    wake: Arc<Notify>,
    state: Mutex<PoolState>,
    /// A job ended: the claim loop may fill its slot.
    slot_freed: Notify,
    stop_claiming: CancellationToken,
    /// Running jobs must stop now and be given back (end of the grace
    /// period).
    pub hard_stop: CancellationToken,
    jobs: TaskTracker,
}

impl Shared {
    pub fn state(&self) -> MutexGuard<'_, PoolState> {
        // A panic while holding this lock leaves plain counters behind;
        // they stay usable.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn count_db_error(&self, during: &str, error: &DbError) {
        self.state().counters.db_errors += 1;
        tracing::warn!(worker = %self.worker, code = error.code(), %error, "database call failed while {during}; retrying");
    }

    /// Called by a job's task as its very last step.
    pub fn job_ended(&self, job: &ClaimedJob) {
        self.state().running.remove(&job.fence.job_id());
        self.slot_freed.notify_one();
    }

    /// New work may be due (a rescued job, an enqueued webhook).
    pub fn wake_claimers(&self) {
        self.wake.notify_waiters();
        self.wake.notify_one();
    }

    fn start_job(self: &Arc<Self>, job: ClaimedJob) {
        let (progress_sender, progress) = watch::channel(0.0);
        {
            let mut state = self.state();
            state.counters.claimed += 1;
            state.running.insert(
                job.fence.job_id(),
                Tracked {
                    interview_id: job.fence.interview_id().clone(),
                    attempt: job.fence.attempt(),
                    progress,
                    started_at: now_ms(),
                },
            );
        }
        let span = tracing::info_span!("job", job_id = %job.fence.job_id(),
            interview_id = %job.fence.interview_id(), attempt = job.fence.attempt());
        self.jobs
            .spawn(crate::job::run_job(self.clone(), job, progress_sender).instrument(span));
    }

    /// Samples memory and records whether it holds claims back.
    fn throttled(&self) -> bool {
        let used = memory::used_fraction();
        let throttled = used.is_some_and(|used| used > self.config.memory_threshold);
        let mut state = self.state();
        if throttled != state.throttled {
            tracing::warn!(worker = %self.worker, used = ?used, threshold = self.config.memory_threshold,
                throttled, "memory throttle changed");
        }
        state.throttled = throttled;
        state.memory_used_fraction = used;
        throttled
    }

    /// Claims as many due jobs as there are free slots and starts them;
    /// returns how long to wait before the next round (unless woken).
    async fn claim_round(self: &Arc<Self>, kinds: &[JobKind]) -> Result<Duration, DbError> {
        let poll = self.config.queue_check_interval;
        if self.throttled() {
            return Ok(self.config.memory_recheck_interval.min(poll));
        }
        let running = u32::try_from(self.state().running.len()).unwrap_or(u32::MAX);
        let free = self.config.max_concurrent_jobs.saturating_sub(running);
        if free == 0 {
            return Ok(poll);
        }
        let claimed = self
            .db
            .claim(&self.worker, kinds, free, self.config.lease)
            .await?;
        let filled = claimed.len() == free as usize;
        for job in claimed {
            self.start_job(job);
        }
        if filled {
            // A finishing job wakes the loop.
            return Ok(poll);
        }
        // Slots are free: sleep until the next job is due (a retry's
        // backoff), but no longer than the safety poll.
        let wait = match self.db.next_run_at(kinds).await? {
            Some(due) => {
                let until_due = u64::try_from(due.saturating_sub(now_ms())).unwrap_or(0);
                Duration::from_millis(until_due).max(MIN_ROUND_WAIT)
            }
            None => poll,
        };
        Ok(wait.min(poll))
    }
}

async fn claim_loop(shared: Arc<Shared>) {
    let kinds = [shared.runner.kind()];
    let mut backoff = Backoff::new(DB_RETRY_BASE, DB_RETRY_MAX);
    loop {
        // Registered before the round, so a wake-up during the round is not
        // missed (notify_waiters keeps no permit).
        let woken = shared.wake.notified();
        let freed = shared.slot_freed.notified();
        tokio::pin!(woken, freed);
        woken.as_mut().enable();
        freed.as_mut().enable();
        if shared.stop_claiming.is_cancelled() {
            return;
        }
        let wait = match shared.claim_round(&kinds).await {
            Ok(wait) => {
                backoff.reset();
                wait
            }
            Err(error) => {
                shared.count_db_error("claiming", &error);
                backoff.next_delay()
            }
        };
        tokio::select! {
            () = shared.stop_claiming.cancelled() => return,
            () = &mut woken => {}
            () = &mut freed => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Takes back expired leases (of any worker: a dead one cannot) and prunes
/// old finished jobs. Every pool does it; the statements are fenced, so
/// pools racing each other do no harm.
async fn upkeep_loop(shared: Arc<Shared>) {
    let mut rescue = tokio::time::interval(shared.config.rescue_interval);
    let mut prune = tokio::time::interval(shared.config.prune_interval);
    for timer in [&mut rescue, &mut prune] {
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    }
    loop {
        tokio::select! {
            () = shared.stop_claiming.cancelled() => return,
            _ = rescue.tick() => match shared.db.rescue_expired(now_ms()).await {
                Ok(rescued) => {
                    shared.state().counters.rescued += rescued.len() as u64;
                    if rescued.iter().any(|r| r.outcome == RescueOutcome::Requeued) {
                        shared.wake_claimers();
                    }
                }
                Err(error) => shared.count_db_error("rescuing expired leases", &error),
            },
            _ = prune.tick() => match shared.db.prune(shared.config.prune_retention).await {
                Ok(pruned) => shared.state().counters.pruned += pruned,
                Err(error) => shared.count_db_error("pruning finished jobs", &error),
            },
        }
    }
}
