//! The worker runtime against real databases and real child processes:
//! each test below runs once on a temporary SQLite file and once on a fresh
//! MariaDB database (which must be reachable; see `harness.rs`), except the
//! outage test, which needs a network between the pool and the database.

mod harness;
mod outage;
mod outcomes;
mod probe;
mod scheduling;
mod webhooks;

/// Instantiates every listed test for both backends, as `sqlite::<name>`
/// and `mariadb::<name>`.
macro_rules! on_every_backend {
    ($($module:ident :: $test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    crate::harness::run(candor_db::Backend::Sqlite, crate::$module::$test).await;
                }
            )+
        }
        mod mariadb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    crate::harness::run(candor_db::Backend::MySql, crate::$module::$test).await;
                }
            )+
        }
    };
}

on_every_backend! {
    outcomes::a_job_completes_with_exactly_one_feedback_row,
    outcomes::progress_is_recorded_as_it_moves_not_only_at_heartbeats,
    outcomes::a_segfaulting_child_is_retried_then_fails_while_other_jobs_complete,
    outcomes::a_timeout_kills_the_child_within_a_second_of_the_deadline,
    outcomes::cancelling_a_running_job_stops_its_child_and_ends_it_cancelled,
    outcomes::children_that_break_the_protocol_fail_with_clear_codes,
    outcomes::a_panicking_runner_fails_the_attempt_and_frees_the_slot,
    scheduling::a_submitted_job_starts_within_200_ms_of_the_wake_despite_a_30_s_poll,
    scheduling::claims_never_exceed_max_concurrent_jobs,
    scheduling::shutdown_returns_unfinished_jobs_with_their_attempt_unchanged,
    scheduling::two_pools_run_each_of_40_jobs_exactly_once,
    scheduling::a_pool_that_lost_its_lease_stops_the_child_and_drops_its_result,
    scheduling::above_the_memory_threshold_nothing_is_claimed,
    probe::a_job_enqueued_by_another_process_starts_within_a_second_despite_a_30_s_poll,
    probe::an_idle_pool_probes_at_its_interval_and_nothing_more,
    probe::a_full_or_throttled_pool_neither_probes_nor_claims_in_a_loop,
    probe::failed_probes_back_off_like_failed_claims,
    webhooks::a_finished_analysis_is_delivered_signed_and_retried_until_2xx,
    webhooks::a_private_webhook_target_is_refused_unless_allowed,
    webhooks::a_tenant_without_a_signing_secret_gets_no_delivery,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_outage_is_survived_and_the_result_written_when_it_returns() {
    harness::run(
        candor_db::Backend::MySql,
        outage::the_pool_survives_an_outage,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_a_due_job_locked_elsewhere_backs_claim_rounds_off() {
    harness::run(
        candor_db::Backend::MySql,
        probe::a_due_job_locked_elsewhere_backs_claim_rounds_off,
    )
    .await;
}
