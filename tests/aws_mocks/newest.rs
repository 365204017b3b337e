//! What Terraform 1.12–1.15 added, through the provider with CloudTrail mocked: identities on
//! every answer, the start and stop actions (progress, `wait`, every documented error, pacing),
//! and the list resource (every page, pending deletions left out, the limit, whole objects).

use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::list_event_data_stores::ListEventDataStoresOutput;
use aws_sdk_cloudtrail::types::{EventDataStore, EventDataStoreStatus};
use aws_smithy_mocks::{Rule, mock};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::provider::{CloudTrail, Provider};
use terraform_provider_cloudtrail::resources::{
    ApplyRequest, ListRequest, ListedObject, PlanRequest, Progress, object,
};
use tokio::time::Instant;

use crate::aws_mocks::errors::START_STOP_ERRORS;
use crate::support::mocks::*;

fn arn_identity(arn: &str) -> Value {
    object([("arn", Value::string(arn))])
}

#[tokio::test(start_paused = true)]
async fn identity_is_the_arn_on_every_answer_and_never_unknown() {
    let get = get_sequence(&["STOPPED_INGESTION", "ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    // A new object's identity is not known at plan: none, rather than unknown.
    let plan = plan_new(&p, &config(ARN, None, None)).await;
    assert!(
        plan.planned_identity.is_null(),
        "{:?}",
        plan.planned_identity
    );
    let apply = p
        .apply(
            TYPE,
            ApplyRequest {
                config: config(ARN, None, None),
                prior_state: Value::Null,
                planned_state: plan.planned_state,
                planned_private: plan.planned_private,
            },
        )
        .await;
    assert!(apply.diagnostics.is_empty(), "{:#?}", apply.diagnostics);
    assert_eq!(apply.identity, arn_identity(ARN));
    let read = p.read(TYPE, apply.state.clone()).await;
    assert_eq!(read.identity, arn_identity(ARN));
    // An update keeps it.
    let plan = p
        .plan(
            TYPE,
            PlanRequest {
                config: config(ARN, Some(false), None),
                prior_state: apply.state,
                proposed_new_state: config(ARN, Some(false), None),
            },
        )
        .await;
    assert_eq!(plan.planned_identity, arn_identity(ARN));
}

#[tokio::test]
async fn import_by_identity_needs_the_full_arn() {
    let p = provider(&[]);
    let r = p.import_by_identity(TYPE, &arn_identity(ARN));
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(r.identity, arn_identity(ARN));
    assert_eq!(r.state.get("event_data_store"), Some(&Value::string(ARN)));
    for bad in ["EXAMPLE-f852-4e8f", "arn:aws:s3:::bucket"] {
        let r = p.import_by_identity(TYPE, &arn_identity(bad));
        assert!(r.state.is_null());
        let d = &r.diagnostics.0[0];
        assert_eq!(d.summary, "Invalid identity");
        assert!(d.detail.contains(bad) || d.detail.contains("arn"), "{d:#?}");
    }
}

fn action_config(store: &str, wait: Option<bool>) -> Value {
    object([
        ("event_data_store", Value::string(store)),
        ("wait", wait.map_or(Value::Null, Value::Bool)),
        ("timeout", Value::Null),
    ])
}

/// Runs an action; returns its progress lines and its diagnostics.
async fn invoke(
    p: &Provider,
    action: &str,
    config: Value,
) -> (
    Vec<String>,
    terraform_provider_cloudtrail::diagnostics::Diagnostics,
) {
    let (tx, mut rx) = Progress::channel();
    let diags = p.invoke_action(action, config, tx).await;
    let mut lines = Vec::new();
    while let Ok(line) = rx.try_recv() {
        lines.push(line);
    }
    (lines, diags)
}

#[tokio::test(start_paused = true)]
async fn start_action_waits_and_reports_each_status() {
    let get = get_sequence(&["STOPPED_INGESTION", "STARTING_INGESTION", "ENABLED"]);
    let start = start_ok();
    let p = provider(&[&get, &start]);
    let (lines, diags) = invoke(&p, "cloudtrail_start_ingestion", action_config(ARN, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(
        lines,
        [
            format!("{ARN} is STOPPED_INGESTION"),
            format!("CloudTrail accepted StartEventDataStoreIngestion for {ARN}"),
            format!("{ARN} is STARTING_INGESTION"),
            format!("{ARN} is ENABLED"),
        ]
    );
    assert_eq!((get.num_calls(), start.num_calls()), (3, 1));
}

#[tokio::test(start_paused = true)]
async fn wait_false_ends_once_cloudtrail_accepted_the_call() {
    let get = get_sequence(&["ENABLED", "STOPPING_INGESTION"]);
    let stop = stop_ok();
    let p = provider(&[&get, &stop]);
    let (lines, diags) = invoke(
        &p,
        "cloudtrail_stop_ingestion",
        action_config(ARN, Some(false)),
    )
    .await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!((get.num_calls(), stop.num_calls()), (1, 1));
    // A store already at the target: no call at all.
    let get = get_sequence(&["STOPPED_INGESTION"]);
    let stop = stop_ok();
    let p = provider(&[&get, &stop]);
    let (_, diags) = invoke(&p, "cloudtrail_stop_ingestion", action_config(ARN, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(stop.num_calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn every_documented_error_ends_the_action_as_it_ends_an_apply() {
    for (code, summary) in START_STOP_ERRORS {
        let code = *code;
        let get = get_sequence(&["STOPPED_INGESTION"]);
        let start = fails!(start_event_data_store_ingestion, code);
        let p = provider(&[&get, &start]);
        let (_, diags) = invoke(&p, "cloudtrail_start_ingestion", action_config(ARN, None)).await;
        assert_explains(
            only_error(&diags),
            "StartEventDataStoreIngestion",
            code,
            summary,
        );
    }
    // A bad configuration never reaches AWS.
    let get = get_sequence(&["STOPPED_INGESTION"]);
    let p = provider(&[&get]);
    let (_, diags) = invoke(
        &p,
        "cloudtrail_start_ingestion",
        action_config("has space", None),
    )
    .await;
    assert_eq!(only_error(&diags).summary, "Invalid event_data_store");
    assert_eq!(get.num_calls(), 0);
}

/// Actions wait their turn at the pacer the resource uses (the provider's, per account and
/// region): a second Start in the same account and region comes a second after the first.
#[tokio::test(start_paused = true)]
async fn actions_share_the_resource_pacer() {
    let get = mock!(Client::get_event_data_store)
        .then_output(|| store(ARN, "STOPPED_INGESTION", "Management"));
    let start = start_ok();
    let p = Provider::new(CloudTrail::with_aws(
        clients_with(&[&get, &start], fast_retries()).with_pacing_interval(Duration::from_secs(1)),
    ));
    let began = Instant::now();
    let (_, a) = invoke(
        &p,
        "cloudtrail_start_ingestion",
        action_config(ARN, Some(false)),
    )
    .await;
    let (_, b) = invoke(
        &p,
        "cloudtrail_start_ingestion",
        action_config(ARN, Some(false)),
    )
    .await;
    assert!(a.is_empty() && b.is_empty(), "{a:#?} {b:#?}");
    assert_eq!(start.num_calls(), 2);
    assert!(
        began.elapsed() >= Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
}

fn summary(arn: &str, name: &str, status: &str) -> EventDataStore {
    #[allow(deprecated)]
    EventDataStore::builder()
        .event_data_store_arn(arn)
        .name(name)
        .status(EventDataStoreStatus::from(status))
        .build()
}

/// Two pages: three stores, then one more and one pending deletion.
fn two_pages() -> Rule {
    mock!(Client::list_event_data_stores)
        .sequence()
        .output(|| {
            ListEventDataStoresOutput::builder()
                .event_data_stores(summary(&store_arn(1), "audit-1", "ENABLED"))
                .event_data_stores(summary(&store_arn(2), "audit-2", "STOPPED_INGESTION"))
                .event_data_stores(summary(&store_arn(3), "other-3", "ENABLED"))
                .next_token("page-2")
                .build()
        })
        .output(|| {
            ListEventDataStoresOutput::builder()
                .event_data_stores(summary(&store_arn(4), "audit-4", "ENABLED"))
                .event_data_stores(summary(&store_arn(5), "audit-5", "PENDING_DELETION"))
                .build()
        })
        .build()
}

async fn list(p: &Provider, prefix: &str, include: bool, limit: usize) -> Vec<ListedObject> {
    let (found, mut rx) = tokio::sync::mpsc::channel(64);
    let req = ListRequest {
        config: object([("name_prefix", Value::string(prefix))]),
        include_resource_object: include,
        limit,
    };
    let diags = p.list(TYPE, req, found).await;
    assert!(diags.is_empty(), "{diags:#?}");
    let mut out = Vec::new();
    while let Ok(item) = rx.try_recv() {
        out.push(item);
    }
    out
}

#[tokio::test]
async fn the_list_follows_every_page_and_leaves_out_pending_deletions() {
    let pages = two_pages();
    let p = provider(&[&pages]);
    let found = list(&p, "audit-", false, 100).await;
    let names: Vec<_> = found.iter().map(|f| f.display_name.as_str()).collect();
    assert_eq!(names, ["audit-1", "audit-2", "audit-4"]);
    assert_eq!(found[0].identity, arn_identity(&store_arn(1)));
    assert!(found.iter().all(|f| f.object.is_none()));
    assert_eq!(pages.num_calls(), 2);
}

#[tokio::test]
async fn the_list_honours_its_limit_and_reads_whole_objects_when_asked() {
    let pages = two_pages();
    let get = mock!(Client::get_event_data_store)
        .then_output(|| store(&store_arn(1), "ENABLED", "Management"));
    let p = provider(&[&pages, &get]);
    let found = list(&p, "", true, 1).await;
    assert_eq!(found.len(), 1);
    let object = found[0].object.as_ref().unwrap();
    assert_eq!(object.get("status"), Some(&Value::string("ENABLED")));
    assert_eq!(object.get("ingestion_enabled"), Some(&Value::Bool(true)));
    assert_eq!(object.get("stop_on_destroy"), Some(&Value::Bool(false)));
    assert_eq!(
        object.get("event_data_store"),
        Some(&Value::string(store_arn(1)))
    );
    assert_eq!(get.num_calls(), 1);
}
