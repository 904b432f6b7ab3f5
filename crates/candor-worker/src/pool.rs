//! The pool: a claim loop that fills free slots, a task per running job
//! (`job.rs`), and upkeep (rescuing expired leases, pruning old jobs).
//!
//! How the claim loop learns of new work:
//! - a submit in this process notifies `wake`: a claim round at once;
//! - a job ending frees a slot: a claim round at once;
//! - work enqueued by another process (the API on another machine): while
//!   the pool has a free slot and found nothing to claim, it asks
//!   [`Db::has_due_job`] every `queue_probe_interval` (a read-only,
//!   indexed `SELECT … LIMIT 1` filtered by the pool's kind) and runs a
//!   claim round on a hit. A full pool, a throttled pool or one that has
//!   just seen a due job it could not take does not probe;
//! - the safety poll (`queue_check_interval`) and the next retry's due time
//!   start a round whatever happens.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use candor_db::{
    now_ms, ClaimedJob, Db, DbError, EpochMillis, JobKind, JobSpec, RescueOutcome, WorkerId,
};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;
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
/// Longest wait between rounds that keep finding a due job they cannot
/// claim (its row locked by another transaction), when no probe interval
/// is set; with one, the probe interval.
const STALLED_ROUND_MAX: Duration = Duration::from_secs(1);
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
        // The outcomes this pool records enqueue their webhooks with this
        // spec, in the same transaction.
        let db = db.with_webhook_spec(JobSpec::new(
            config.webhook_max_attempts,
            config.webhook_timeout,
        ));
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
            probes: AtomicU64::new(0),
            claim_rounds: AtomicU64::new(0),
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

    /// Probes ([`Db::has_due_job`]) this pool has sent since it started,
    /// failed ones included: its idle load on the database.
    pub fn probes(&self) -> u64 {
        self.shared.probes.load(Ordering::Relaxed)
    }

    /// Claim rounds this pool has started since it started, those that
    /// stopped before the database (throttled, no free slot) included.
    pub fn claim_rounds(&self) -> u64 {
        self.shared.claim_rounds.load(Ordering::Relaxed)
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
    /// Calls of the claim loop, for [`WorkerHandle::probes`] and
    /// [`WorkerHandle::claim_rounds`].
    probes: AtomicU64,
    claim_rounds: AtomicU64,
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

    /// Claims as many due jobs as there are free slots and starts them.
    async fn claim_round(self: &Arc<Self>, kinds: &[JobKind]) -> Result<Round, DbError> {
        self.claim_rounds.fetch_add(1, Ordering::Relaxed);
        if self.throttled() {
            return Ok(Round::Throttled);
        }
        let running = u32::try_from(self.state().running.len()).unwrap_or(u32::MAX);
        let free = self.config.max_concurrent_jobs.saturating_sub(running);
        if free == 0 {
            return Ok(Round::Full);
        }
        let claimed = self
            .db
            .claim(&self.worker, kinds, free, self.config.lease)
            .await?;
        let count = claimed.len();
        for job in claimed {
            self.start_job(job);
        }
        if count == free as usize {
            return Ok(Round::Full);
        }
        Ok(Round::SlotsFree {
            claimed: count,
            next_due: self.db.next_run_at(kinds).await?,
        })
    }

    /// The probe: whether a job of this pool's kinds is due now.
    async fn probe(&self, kinds: &[JobKind]) -> Result<bool, DbError> {
        self.probes.fetch_add(1, Ordering::Relaxed);
        self.db.has_due_job(kinds).await
    }

    /// How long to wait after `round` before the next one (unless woken),
    /// and whether to probe meanwhile. `stalled` counts the rounds in a row
    /// that found a due job and claimed nothing.
    fn after(&self, round: Round, stalled: &mut u32) -> Pause {
        let poll = self.config.queue_check_interval;
        if !matches!(round, Round::SlotsFree { .. }) {
            *stalled = 0;
        }
        let (wait, probe) = match round {
            Round::Throttled => (self.config.memory_recheck_interval, false),
            // A finishing job wakes the loop.
            Round::Full => (poll, false),
            Round::SlotsFree { claimed, next_due } => {
                let now = now_ms();
                match next_due {
                    // Due, but not claimed: another claimer holds it for
                    // the moment of its transaction, or it became due just
                    // now. Should it stay out of reach (a transaction that
                    // holds its row), back off instead of spinning; a probe
                    // would only see it again.
                    Some(due) if due <= now => {
                        *stalled = if claimed == 0 { *stalled + 1 } else { 0 };
                        let max = self
                            .config
                            .queue_probe_interval
                            .unwrap_or(STALLED_ROUND_MAX)
                            .max(MIN_ROUND_WAIT);
                        let doublings = stalled.saturating_sub(1).min(16);
                        (
                            MIN_ROUND_WAIT.saturating_mul(1 << doublings).min(max),
                            false,
                        )
                    }
                    // Sleep until the next job is due (a retry's backoff),
                    // probing for new work meanwhile.
                    Some(due) => {
                        *stalled = 0;
                        let until_due = u64::try_from(due - now).unwrap_or(0);
                        (Duration::from_millis(until_due).max(MIN_ROUND_WAIT), true)
                    }
                    None => {
                        *stalled = 0;
                        (poll, true)
                    }
                }
            }
        };
        Pause {
            wait: wait.min(poll),
            probe_every: self.config.queue_probe_interval.filter(|_| probe),
        }
    }
}

/// What a claim round found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Round {
    /// Memory use is above the threshold: the database was not asked.
    Throttled,
    /// Every slot is taken, before or by this round.
    Full,
    /// Slots are still free after claiming `claimed` jobs; the earliest
    /// pending job of the pool's kinds is due at `next_due` (`None`:
    /// nothing is pending).
    SlotsFree {
        claimed: usize,
        next_due: Option<EpochMillis>,
    },
}

/// The claim loop's wait between rounds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Pause {
    /// Until the next round, unless woken sooner.
    wait: Duration,
    /// Probe this often meanwhile (`None`: do not probe).
    probe_every: Option<Duration>,
}

async fn claim_loop(shared: Arc<Shared>) {
    let kinds = [shared.runner.kind()];
    let mut backoff = Backoff::new(DB_RETRY_BASE, DB_RETRY_MAX);
    let mut stalled = 0;
    loop {
        // Registered before the round, so a wake-up during the round (or a
        // probe) is not missed (notify_waiters keeps no permit).
        let woken = shared.wake.notified();
        let freed = shared.slot_freed.notified();
        tokio::pin!(woken, freed);
        woken.as_mut().enable();
        freed.as_mut().enable();
        if shared.stop_claiming.is_cancelled() {
            return;
        }
        let pause = match shared.claim_round(&kinds).await {
            Ok(round) => {
                backoff.reset();
                shared.after(round, &mut stalled)
            }
            Err(error) => {
                shared.count_db_error("claiming", &error);
                Pause {
                    wait: backoff.next_delay(),
                    probe_every: None,
                }
            }
        };
        let next_round = deadline(pause.wait);
        let mut next_probe = pause.probe_every.map(deadline);
        loop {
            let until = next_probe.map_or(next_round, |probe| probe.min(next_round));
            tokio::select! {
                () = shared.stop_claiming.cancelled() => return,
                () = &mut woken => break,
                () = &mut freed => break,
                () = tokio::time::sleep_until(until) => {}
            }
            let Some(every) = pause.probe_every.filter(|_| until < next_round) else {
                break;
            };
            let probed = tokio::select! {
                // A probe only reads: dropping it at shutdown loses nothing.
                () = shared.stop_claiming.cancelled() => return,
                probed = shared.probe(&kinds) => probed,
            };
            match probed {
                Ok(true) => break,
                Ok(false) => {
                    backoff.reset();
                    next_probe = Some(deadline(every));
                }
                Err(error) => {
                    // As after a failed round: wait longer each time, never
                    // less than the probe interval.
                    shared.count_db_error("probing the queue", &error);
                    next_probe = Some(deadline(backoff.next_delay().max(every)));
                }
            }
        }
    }
}

/// `wait` from now; a wait too long for the clock means "not before the
/// next wake-up" (a year is as good as forever here).
fn deadline(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
        .unwrap_or(now)
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
