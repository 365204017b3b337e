//! Destroy

use aws_sdk_cloudtrail::Client;
use aws_smithy_mocks::mock;
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::diagnostics::Severity;
use terraform_provider_cloudtrail::resources::ApplyRequest;

use crate::support::mocks::*;

fn destroying(store: &str) -> ApplyRequest {
    let mut prior = state(store, true);
    if let Value::Object(a) = &mut prior {
        a.insert("stop_on_destroy".into(), Value::Bool(true));
    }
    ApplyRequest {
        config: Value::Null,
        prior_state: prior,
        planned_state: Value::Null,
        planned_private: Vec::new(),
    }
}

/// A deleted store ingests nothing: stop_on_destroy takes it as stopped, with no Stop call and
/// no diagnostic, whether it is pending deletion, not found, or deleted between read and Stop.
#[tokio::test(start_paused = true)]
async fn destroy_takes_a_deleted_store_as_stopped() {
    let not_found = || fails!(get_event_data_store, "EventDataStoreNotFoundException");
    for get in [get_sequence(&["PENDING_DELETION"]), not_found()] {
        let stop = stop_ok();
        let p = provider(&[&get, &stop]);
        let r = p.apply(TYPE, destroying(ARN)).await;
        assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
        assert!(r.state.is_null());
        assert_eq!((get.num_calls(), stop.num_calls()), (1, 0));
    }
    // Read ENABLED, then the Stop finds it gone.
    let get = get_sequence(&["ENABLED"]);
    let stop = fails!(
        stop_event_data_store_ingestion,
        "EventDataStoreNotFoundException"
    );
    let p = provider(&[&get, &stop]);
    let r = p.apply(TYPE, destroying(ARN)).await;
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert!(r.state.is_null());
    assert_eq!(stop.num_calls(), 1);
}

/// A store that exists still gets its Stop on destroy, and a failure keeps the object in state.
#[tokio::test(start_paused = true)]
async fn destroy_stops_a_store_that_exists() {
    let get = get_sequence(&["ENABLED", "STOPPED_INGESTION"]);
    let stop = stop_ok();
    let p = provider(&[&get, &stop]);
    let r = p.apply(TYPE, destroying(ARN)).await;
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(stop.num_calls(), 1);

    let get = get_sequence(&["ENABLED"]);
    let stop = fails!(stop_event_data_store_ingestion, "AccessDeniedException");
    let p = provider(&[&get, &stop]);
    let req = destroying(ARN);
    let prior = req.prior_state.clone();
    let r = p.apply(TYPE, req).await;
    assert!(r.diagnostics.has_errors());
    assert_eq!(r.state, prior, "a failed destroy keeps the object");
}

/// create_before_destroy: the replacement starts the store, then the old object is destroyed in
/// the same process. Its stop_on_destroy must not stop what the new object just started.
#[tokio::test(start_paused = true)]
async fn destroy_after_a_replacement_started_the_same_store_leaves_it_started() {
    let get = get_sequence(&["STOPPED_INGESTION", "ENABLED"]);
    let start = start_ok();
    let stop = stop_ok();
    let p = provider(&[&get, &start, &stop]);
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    let r = p.apply(TYPE, destroying(ARN)).await;
    assert_eq!(
        stop.num_calls(),
        0,
        "the old object's destroy stopped the store"
    );
    assert!(r.state.is_null());
    assert!(!r.diagnostics.has_errors());
    assert_eq!(r.diagnostics.0.len(), 1, "{:#?}", r.diagnostics);
    let d = &r.diagnostics.0[0];
    assert_eq!(d.severity, Severity::Warning);
    assert!(d.detail.contains("create_before_destroy"), "{}", d.detail);
    // Another store, never applied by this process, is stopped as asked.
    let other_get = mock!(Client::get_event_data_store)
        .sequence()
        .output(|| store(&store_arn(3), "ENABLED", "Management"))
        .output(|| store(&store_arn(3), "STOPPED_INGESTION", "Management"))
        .build();
    let stop = stop_ok();
    let p2 = provider(&[&other_get, &stop]);
    let r = p2.apply(TYPE, destroying(&store_arn(3))).await;
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(stop.num_calls(), 1);
}
