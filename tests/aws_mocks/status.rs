//! The status machine

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_smithy_mocks::mock;
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::provider::{CloudTrail, Provider};
use terraform_provider_cloudtrail::resources::{ApplyRequest, PlanRequest};
use tokio::time::Instant;

use crate::support::mocks::*;

#[tokio::test(start_paused = true)]
async fn a_stopped_store_takes_get_start_get_and_no_pause() {
    let get = get_sequence(&["STOPPED_INGESTION", "ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let t0 = Instant::now();
    let (state, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!((get.num_calls(), start.num_calls()), (2, 1));
    assert_eq!(t0.elapsed(), Duration::ZERO, "the first poll must not wait");
    assert_eq!(state.get("status"), Some(&Value::string("ENABLED")));
    assert_eq!(state.get("arn"), Some(&Value::string(ARN)));
    assert_eq!(state.get("name"), Some(&Value::string("audit")));
}

/// PlanResourceChange then ApplyResourceChange of a new resource, as Terraform runs them: the
/// plan's private bytes travel to the apply. Returns the plan's private bytes and the apply.
async fn plan_then_apply(
    p: &Provider,
    cfg: &Value,
    between: impl FnOnce(),
) -> (
    Vec<u8>,
    terraform_provider_cloudtrail::resources::StateResponse,
) {
    let plan = plan_new(p, cfg).await;
    assert!(plan.diagnostics.is_empty(), "{:#?}", plan.diagnostics);
    between();
    let private = plan.planned_private.clone();
    let applied = p
        .apply(
            TYPE,
            ApplyRequest {
                config: cfg.clone(),
                prior_state: Value::Null,
                planned_state: plan.planned_state,
                planned_private: plan.planned_private,
            },
        )
        .await;
    (private, applied)
}

/// The plan's read travels in planned_private, so the apply of a stopped store makes two calls,
/// Start and one read, and no pause.
#[tokio::test(start_paused = true)]
async fn apply_after_plan_makes_start_and_one_read() {
    let get = get_sequence(&["STOPPED_INGESTION", "ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let t0 = Instant::now();
    let (private, r) = plan_then_apply(&p, &config(ARN, None, None), || {
        assert_eq!(
            (get.num_calls(), start.num_calls()),
            (1, 0),
            "the plan reads once"
        );
    })
    .await;
    assert!(!private.is_empty(), "the plan's read is handed to apply");
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(
        (get.num_calls() - 1, start.num_calls()),
        (1, 1),
        "apply: one Start and one read"
    );
    assert_eq!(t0.elapsed(), Duration::ZERO);
    assert_eq!(r.state.get("status"), Some(&Value::string("ENABLED")));
}

/// A store the plan saw already ENABLED is applied with no call at all: Terraform plans it again
/// right before the apply, in the same process, so that read is as good as a new one. A whole
/// `apply` then costs its two plans' reads and nothing more.
#[tokio::test(start_paused = true)]
async fn apply_after_plan_of_an_enabled_store_makes_no_call() {
    let get = get_sequence(&["ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let (private, r) = plan_then_apply(&p, &config(ARN, None, None), || {}).await;
    assert!(!private.is_empty());
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(
        (get.num_calls(), start.num_calls()),
        (1, 0),
        "only the plan's read"
    );
    assert_eq!(r.state.get("status"), Some(&Value::string("ENABLED")));
    assert_eq!(r.state.get("arn"), Some(&Value::string(ARN)));
    assert_eq!(r.state.get("id"), Some(&Value::string(ARN)));
    assert_eq!(r.state.get("name"), Some(&Value::string("audit")));
    assert!(r.state.is_known(), "{:?}", r.state);
}

/// The no-call apply needs the plan's read of this very store: private bytes of a plan of another
/// store (a client mixing them up) are read past.
#[tokio::test(start_paused = true)]
async fn a_settled_hint_for_another_store_is_not_trusted() {
    let get = get_sequence(&["ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let planned = p
        .plan(
            TYPE,
            PlanRequest {
                config: config(ARN, None, None),
                prior_state: Value::Null,
                proposed_new_state: config(ARN, None, None),
            },
        )
        .await;
    assert!(!planned.planned_private.is_empty());
    let other = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/OTHER-0000-0000";
    let cfg = config(other, None, None);
    let (planned_state, _) = plan_create(&p, &cfg).await;
    let applied = p
        .apply(
            TYPE,
            ApplyRequest {
                config: cfg,
                prior_state: Value::Null,
                planned_state,
                planned_private: planned.planned_private,
            },
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:#?}", applied.diagnostics);
    // The plan of ARN, the plan of the other store, and the apply's own read.
    assert_eq!((get.num_calls(), start.num_calls()), (3, 0));
}

/// A stale hint (the store was started between plan and apply) costs a refused call and a read,
/// never a wrong state.
#[tokio::test(start_paused = true)]
async fn a_stale_plan_hint_is_corrected_by_cloudtrail() {
    let get = get_sequence(&["STOPPED_INGESTION", "ENABLED"]);
    let start = mock!(Client::start_event_data_store_ingestion)
        .then_http_response(|| aws_error("InvalidEventDataStoreStatusException"));
    let p = provider(&[&get, &start]);
    let (_, r) = plan_then_apply(&p, &config(ARN, None, None), || {}).await;
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(start.num_calls(), 1);
    assert_eq!(r.state.get("status"), Some(&Value::string("ENABLED")));
}

#[tokio::test(start_paused = true)]
async fn an_enabled_store_needs_one_read() {
    let get = get_sequence(&["ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!((get.num_calls(), start.num_calls()), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn starting_is_polled_with_backoff() {
    let get = get_sequence(&[
        "STOPPED_INGESTION",
        "STARTING_INGESTION",
        "STARTING_INGESTION",
        "STARTING_INGESTION",
        "ENABLED",
    ]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let t0 = Instant::now();
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!((get.num_calls(), start.num_calls()), (5, 1));
    // At once after Start, then 200 ms, 400 ms, 800 ms.
    assert_eq!(t0.elapsed(), Duration::from_millis(1400));
}

#[tokio::test(start_paused = true)]
async fn stopping_is_waited_for_then_started() {
    let get = get_sequence(&["STOPPING_INGESTION", "STOPPED_INGESTION", "ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!((get.num_calls(), start.num_calls()), (3, 1));
}

#[tokio::test(start_paused = true)]
async fn stopping_mirrors_starting() {
    let get = get_sequence(&["STARTING_INGESTION", "ENABLED", "STOPPED_INGESTION"]);
    let stop = stop_ok();
    let start = start_ok();
    let p = provider(&[&get, &stop, &start]);
    let (state, diags) = apply_create(&p, &config(ARN, Some(false), None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(
        (get.num_calls(), stop.num_calls(), start.num_calls()),
        (3, 1, 0)
    );
    assert_eq!(
        state.get("status"),
        Some(&Value::string("STOPPED_INGESTION"))
    );
}

#[tokio::test(start_paused = true)]
async fn unusable_statuses_are_explained() {
    for (status, needle) in [
        ("CREATED", "still being created"),
        ("PENDING_DELETION", "RestoreEventDataStore"),
        ("FROZEN", "a status this provider does not know"),
    ] {
        let get = get_sequence(&[status]);
        let start = start_ok();
        let p = provider(&[&get, &start]);
        let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
        let d = only_error(&diags);
        assert_eq!(d.summary, "Cannot start ingestion of the event data store");
        assert!(d.detail.contains(needle), "{status}: {}", d.detail);
        assert_eq!(start.num_calls(), 0, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn waiting_ends_at_the_timeout_with_the_last_status() {
    let get = get_sequence(&["STARTING_INGESTION"]);
    let p = provider(&[&get]);
    let t0 = Instant::now();
    let (state, diags) = apply_create(&p, &config(ARN, None, Some("30s"))).await;
    let d = only_error(&diags);
    assert_eq!(d.summary, "Timed out waiting for the event data store");
    assert!(d.detail.contains("STARTING_INGESTION"), "{}", d.detail);
    assert_eq!(t0.elapsed(), Duration::from_secs(30));
    assert_eq!(
        state.get("status"),
        Some(&Value::string("STARTING_INGESTION"))
    );
}

/// Real time: StopProvider must end the wait, and an SDK call sleeping in its retry backoff,
/// within a second.
#[tokio::test]
async fn stop_provider_interrupts_within_a_second() {
    // Waiting on a store that never settles.
    let get = get_sequence(&["STARTING_INGESTION"]);
    let p = Arc::new(provider(&[&get]));
    let task = tokio::spawn({
        let p = p.clone();
        async move { apply_create(&p, &config(ARN, None, None)).await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let stopped = std::time::Instant::now();
    p.stop();
    let (_, diags) = task.await.unwrap();
    assert!(
        stopped.elapsed() < Duration::from_secs(1),
        "{:?}",
        stopped.elapsed()
    );
    let d = only_error(&diags);
    assert_eq!(d.summary, "Interrupted");
    assert!(d.detail.contains("STARTING_INGESTION"), "{}", d.detail);

    // Inside the SDK: throttled, with a 20 s backoff before the next attempt.
    let get = get_sequence(&["STOPPED_INGESTION"]);
    let start = fails!(start_event_data_store_ingestion, "ThrottlingException");
    let slow = RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_secs(20))
        .with_max_backoff(Duration::from_secs(20));
    let p = Arc::new(Provider::new(CloudTrail::with_aws(clients_with(
        &[&get, &start],
        slow,
    ))));
    let task = tokio::spawn({
        let p = p.clone();
        async move { apply_create(&p, &config(ARN, None, None)).await }
    });
    while start.num_calls() == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopped = std::time::Instant::now();
    p.stop();
    let (_, diags) = task.await.unwrap();
    assert!(
        stopped.elapsed() < Duration::from_secs(1),
        "{:?}",
        stopped.elapsed()
    );
    assert_eq!(only_error(&diags).summary, "Interrupted");
}
