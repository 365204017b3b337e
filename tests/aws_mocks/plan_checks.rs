//! Plan-time checks

use aws_sdk_cloudtrail::Client;
use aws_smithy_mocks::{Rule, mock};
use terraform_provider_cloudtrail::aws::{PlanChecks, ProviderConfig};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::diagnostics::{Diagnostics, Severity, attr_path};
use terraform_provider_cloudtrail::provider::Provider;
use terraform_provider_cloudtrail::resources::{PlanRequest, object};

use crate::support::mocks::*;

async fn plan_diags(p: &Provider, store_ref: &str) -> Diagnostics {
    plan_create(p, &config(store_ref, None, None)).await.1
}

#[tokio::test(start_paused = true)]
async fn plan_checks_error_fails_the_plan_for_a_missing_store() {
    let get = fails!(get_event_data_store, "EventDataStoreNotFoundException");
    let p = provider_checking(&[&get], PlanChecks::Error);
    let diags = plan_diags(&p, ARN).await;
    let d = only_error(&diags);
    assert_explains(
        d,
        "GetEventDataStore",
        "EventDataStoreNotFoundException",
        "Event data store not found",
    );
    assert_eq!(get.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn plan_checks_error_fails_the_plan_for_a_store_pending_deletion() {
    let get = get_sequence(&["PENDING_DELETION"]);
    let p = provider_checking(&[&get], PlanChecks::Error);
    let diags = plan_diags(&p, ARN).await;
    assert!(only_error(&diags).detail.contains("PENDING_DELETION"));
}

#[tokio::test(start_paused = true)]
async fn plan_checks_error_fails_the_plan_for_a_category_that_cannot_start() {
    for category in ["ActivityAuditLog", "Insights"] {
        let get = mock!(Client::get_event_data_store)
            .then_output(move || store(ARN, "ENABLED", category));
        let p = provider_checking(&[&get], PlanChecks::Error);
        let diags = plan_diags(&p, ARN).await;
        let d = only_error(&diags);
        assert_eq!(
            d.summary,
            "This event data store's ingestion cannot be started or stopped"
        );
        assert!(d.detail.contains(category), "{}", d.detail);
    }
    for category in ["Management", "Data", "NetworkActivity", "ConfigurationItem"] {
        let get = mock!(Client::get_event_data_store)
            .then_output(move || store(ARN, "ENABLED", category));
        let p = provider_checking(&[&get], PlanChecks::Error);
        assert!(plan_diags(&p, ARN).await.is_empty(), "{category}");
    }
}

/// The default, `warn`: each of those findings is a warning with the same summary, AWS's text
/// and the attribute path, so the plan before a `destroy` goes through; the apply still fails.
/// `error` fails the plan on what the read found (the three cases above), never on a read that
/// could not be made: the apply makes the call again and reports it.
#[tokio::test(start_paused = true)]
async fn plan_checks_error_only_warns_when_the_store_cannot_be_read() {
    let get = fails!(get_event_data_store, "AccessDeniedException");
    let p = provider_checking(&[&get], PlanChecks::Error);
    let diags = plan_diags(&p, ARN).await;
    assert!(!diags.has_errors(), "{diags:#?}");
    assert_eq!(diags.0.len(), 1, "{diags:#?}");
    assert_eq!(diags.0[0].severity, Severity::Warning);
    assert!(
        diags.0[0]
            .summary
            .starts_with("Could not check the event data store at plan time"),
        "{}",
        diags.0[0].summary
    );
}

#[tokio::test(start_paused = true)]
async fn plan_checks_warn_is_the_default_and_only_warns() {
    let missing = || fails!(get_event_data_store, "EventDataStoreNotFoundException");
    let deleted = || get_sequence(&["PENDING_DELETION"]);
    let insights = || {
        mock!(Client::get_event_data_store).then_output(move || store(ARN, "ENABLED", "Insights"))
    };
    let cases: [(&str, &dyn Fn() -> Rule, &str); 3] = [
        (
            "Event data store not found",
            &missing,
            "AWS says EventDataStoreNotFoundException",
        ),
        (
            "Cannot start ingestion of the event data store",
            &deleted,
            "PENDING_DELETION",
        ),
        (
            "This event data store's ingestion cannot be started or stopped",
            &insights,
            "Insights",
        ),
    ];
    for (summary, rule, detail) in cases {
        for p in [
            |r: &Rule| provider(&[r]),
            |r: &Rule| provider_checking(&[r], PlanChecks::Warn),
        ] {
            let get = rule();
            let p = p(&get);
            let diags = plan_diags(&p, ARN).await;
            assert!(!diags.has_errors(), "{diags:#?}");
            assert_eq!(diags.0.len(), 1, "{diags:#?}");
            let d = &diags.0[0];
            assert_eq!(d.severity, Severity::Warning);
            assert_eq!(d.summary, summary);
            assert!(d.detail.contains(detail), "{}", d.detail);
            assert!(d.detail.contains("plan_checks = \"warn\""), "{}", d.detail);
            assert_eq!(d.path, Some(attr_path(&["event_data_store"])));
            assert_eq!(get.num_calls(), 1);
            // The apply fails on it for real.
            let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
            assert!(diags.has_errors(), "{summary}: apply succeeded");
        }
    }
}

/// `off`: no AWS call at plan, for a create, a change or a switch to another store; the syntax of
/// event_data_store is still an error, and the apply still reads before it acts.
#[tokio::test(start_paused = true)]
async fn plan_checks_off_makes_no_call_at_plan() {
    let get = get_sequence(&["STOPPED_INGESTION", "ENABLED"]);
    let start = start_ok();
    let p = provider_checking(&[&get, &start], PlanChecks::Off);
    let (planned, diags) = plan_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(planned.get("id"), Some(&Value::Unknown));
    let r = p
        .plan(
            TYPE,
            PlanRequest {
                config: config(ARN, Some(false), None),
                prior_state: state(ARN, true),
                proposed_new_state: config(ARN, Some(false), None),
            },
        )
        .await;
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert!(r.planned_private.is_empty());
    let other = store_arn(7);
    let r = p
        .plan(
            TYPE,
            PlanRequest {
                config: config(&other, None, None),
                prior_state: state(ARN, true),
                proposed_new_state: config(&other, None, None),
            },
        )
        .await;
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(r.requires_replace, vec![attr_path(&["event_data_store"])]);
    assert_eq!(
        get.num_calls(),
        0,
        "a plan with plan_checks = off called AWS"
    );
    let d = only_error(&plan_diags(&p, "has space").await).clone();
    assert_eq!(d.summary, "Invalid event_data_store");
    assert_eq!(get.num_calls(), 0);
    let (state, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(state.get("status"), Some(&Value::string("ENABLED")));
    assert_eq!((get.num_calls(), start.num_calls()), (2, 1));
}

#[test]
fn plan_checks_is_warn_error_or_off() {
    let parse = |v: Value| ProviderConfig::from_value(&object([("plan_checks", v)]));
    for (text, mode) in [
        ("warn", PlanChecks::Warn),
        ("error", PlanChecks::Error),
        ("off", PlanChecks::Off),
    ] {
        let cfg = parse(Value::string(text)).unwrap_or_else(|_| panic!("{text}"));
        assert_eq!(cfg.plan_checks, mode);
    }
    assert_eq!(
        parse(Value::Null).ok().unwrap().plan_checks,
        PlanChecks::Warn
    );
    let Err(diags) = parse(Value::string("strict")) else {
        panic!("plan_checks = \"strict\" accepted");
    };
    let d = &diags.0[0];
    assert_eq!(d.path, Some(attr_path(&["plan_checks"])));
    assert!(d.detail.contains("\"strict\""), "{}", d.detail);
    assert!(
        d.detail.contains(r#""warn", "error" or "off""#),
        "{}",
        d.detail
    );
}

#[tokio::test(start_paused = true)]
async fn plan_only_warns_when_aws_cannot_be_asked_and_asks_once() {
    let get = fails!(get_event_data_store, "UnrecognizedClientException");
    let p = provider(&[&get]);
    let diags = plan_diags(&p, ARN).await;
    assert!(!diags.has_errors(), "{diags:#?}");
    assert_eq!(diags.0.len(), 1);
    let d = &diags.0[0];
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.summary.contains("Invalid AWS credentials"),
        "{}",
        d.summary
    );
    assert!(
        d.detail
            .contains("Request ID: req-UnrecognizedClientException")
    );
    let calls = get.num_calls();
    // The next resources of the plan skip the check rather than meet the same failure.
    assert!(plan_diags(&p, &store_arn(1)).await.is_empty());
    assert_eq!(get.num_calls(), calls);
}

#[tokio::test(start_paused = true)]
async fn plan_reads_only_for_a_create_or_a_change() {
    let get = get_sequence(&["ENABLED"]);
    let p = provider(&[&get]);
    let plan = |cfg: Value, prior: Value| {
        p.plan(
            TYPE,
            PlanRequest {
                config: cfg.clone(),
                prior_state: prior,
                proposed_new_state: cfg,
            },
        )
    };
    // No change: no call.
    let r = plan(config(ARN, None, None), state(ARN, true)).await;
    assert!(r.diagnostics.is_empty());
    assert_eq!(get.num_calls(), 0);
    // Unknown store: nothing to read yet.
    let mut unknown = config(ARN, None, None);
    if let Value::Object(a) = &mut unknown {
        a.insert("event_data_store".into(), Value::Unknown);
    }
    plan(unknown, Value::Null).await;
    assert_eq!(get.num_calls(), 0);
    // Ingestion changes: one read.
    plan(config(ARN, Some(false), None), state(ARN, true)).await;
    assert_eq!(get.num_calls(), 1);
    // Create: one read.
    plan(config(ARN, None, None), Value::Null).await;
    assert_eq!(get.num_calls(), 2);
}
