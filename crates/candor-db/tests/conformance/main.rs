//! One conformance suite, run against every backend: each test below runs
//! once on a temporary SQLite file and once on a fresh MariaDB database
//! (which must be reachable; see `harness.rs`).

mod api_keys;
mod harness;
mod interviews;
mod ownership;
mod queue_claim;
mod queue_lifecycle;
mod stats;

/// Instantiates every listed test for both backends, as
/// `sqlite::<name>` and `mariadb::<name>`.
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
    interviews::migrations_are_idempotent_when_connecting_twice,
    interviews::a_created_interview_reads_back_with_its_pending_analyze_job,
    interviews::another_tenant_sees_none_of_an_interview,
    interviews::deleting_an_interview_removes_its_feedback_and_jobs,
    interviews::interviews_list_newest_first_by_candidate_within_the_limit,
    interviews::the_previous_take_is_the_latest_completed_one_of_the_same_question,
    interviews::input_the_schema_cannot_hold_is_a_client_error,
    api_keys::api_keys_are_found_by_hash_until_revoked,
    api_keys::api_keys_need_a_slug_tenant_and_a_scope,
    ownership::an_interview_names_only_an_object_its_tenant_owns,
    ownership::the_media_is_released_with_the_last_interview_naming_it,
    ownership::webhook_secrets_rotate_with_a_grace_period,
    ownership::the_outcome_and_its_webhook_are_written_together,
    queue_claim::an_interview_has_at_most_one_active_job_of_a_kind,
    queue_claim::concurrent_claimers_take_every_job_exactly_once,
    queue_claim::a_claim_takes_no_more_than_the_free_slots,
    queue_claim::jobs_not_yet_due_are_not_claimed,
    queue_claim::the_claim_query_uses_its_index,
    queue_lifecycle::attempts_are_counted_at_claim_and_run_out_through_rescues,
    queue_lifecycle::a_rescued_workers_late_writes_are_lost,
    queue_lifecycle::heartbeats_extend_the_lease_and_record_progress,
    queue_lifecycle::a_retryable_failure_waits_out_the_backoff,
    queue_lifecycle::a_permanent_failure_fails_the_job_and_the_interview,
    queue_lifecycle::release_gives_the_attempt_back,
    queue_lifecycle::cancelling_a_pending_job_cancels_it_at_once,
    queue_lifecycle::cancelling_a_running_job_asks_its_worker_to_stop,
    queue_lifecycle::retry_restarts_a_failed_job_with_fresh_attempts,
    queue_lifecycle::prune_deletes_only_jobs_finished_long_enough_ago,
    stats::stats_count_a_scripted_sequence,
}

/// Not per backend: no database is involved.
#[tokio::test]
async fn connecting_to_a_closed_port_is_a_transient_error() {
    let options = candor_db::DbOptions {
        acquire_timeout: std::time::Duration::from_secs(2),
        ..candor_db::DbOptions::default()
    };
    // Port 1 on loopback: nothing listens there.
    let error = candor_db::Db::connect("mysql://root@127.0.0.1:1/candor", &options)
        .await
        .expect_err("nothing listens on port 1");
    assert!(error.is_transient(), "{error:?} should be transient");
    assert_eq!(error.code(), "db_unavailable");
    assert!(!error.is_client_error());

    let error = candor_db::Db::connect("postgres://localhost/candor", &options)
        .await
        .expect_err("postgres is not a supported backend");
    assert_eq!(error.code(), "db_unsupported_url");
    assert!(!error.is_transient());
}
