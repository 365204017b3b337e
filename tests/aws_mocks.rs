//! The provider against CloudTrail's real behaviour, mocked with the AWS SDK's own tools
//! (aws-smithy-mocks): every documented error with its request id, throttling, the status machine,
//! Start/Stop pacing, ConflictException and plan-time checks. Paused tokio time keeps backoffs
//! and the 1-call-per-second quota fast and exact. The call log has tests/call_log.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::SharedCredentialsProvider;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::operation::get_event_data_store::GetEventDataStoreOutput;
use aws_sdk_cloudtrail::operation::start_event_data_store_ingestion::StartEventDataStoreIngestionOutput;
use aws_sdk_cloudtrail::operation::stop_event_data_store_ingestion::StopEventDataStoreIngestionOutput;
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, EventDataStoreStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use terraform_provider_cloudtrail::aws::{AwsClients, PlanChecks, ProviderConfig};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::diagnostics::{Diagnostic, Diagnostics, Severity, attr_path};
use terraform_provider_cloudtrail::provider::Provider;
use terraform_provider_cloudtrail::resources::{ApplyRequest, PlanRequest, object};
use tokio::time::Instant;

const TYPE: &str = "cloudtrail_ingestion_state";
const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f";

// ---------------------------------------------------------------------------------------------
// Mock responses and clients

fn store(arn: &str, status: &str, category: &str) -> GetEventDataStoreOutput {
    let selector = AdvancedEventSelector::builder()
        .name("selector")
        .field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals(category)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    GetEventDataStoreOutput::builder()
        .event_data_store_arn(arn)
        .name("audit")
        .status(EventDataStoreStatus::from(status))
        .advanced_event_selectors(selector)
        .build()
}

fn json(status: u16, body: String, request_id: &str) -> HttpResponse {
    let mut r = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
    r.headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    r.headers_mut()
        .insert("x-amzn-requestid", request_id.to_owned());
    r
}

/// An error as CloudTrail sends it on the wire (awsJson1_1), so the SDK's own parsing, retry
/// classification and request id extraction all run.
fn aws_error(code: &str) -> HttpResponse {
    json(
        400,
        format!(r#"{{"__type":"{code}","message":"AWS says {code}"}}"#),
        &format!("req-{code}"),
    )
}

fn ok_body() -> HttpResponse {
    json(200, "{}".to_owned(), "req-ok")
}

fn clients_with(rules: &[&Rule], retry: RetryConfig) -> AwsClients {
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, rules, |b| b
        .retry_config(retry.clone()));
    AwsClients::from_conf(client.config().clone())
}

/// Three attempts with a 1 ms initial backoff: the SDK's retries really sleep.
fn fast_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
}

fn provider(rules: &[&Rule]) -> Provider {
    Provider::with_aws(clients_with(rules, fast_retries()))
}

/// A provider whose block sets `plan_checks`.
fn provider_checking(rules: &[&Rule], mode: PlanChecks) -> Provider {
    Provider::with_aws(clients_with(rules, fast_retries()).with_plan_checks(mode))
}

fn get_sequence(statuses: &[&'static str]) -> Rule {
    let mut seq = mock!(Client::get_event_data_store).sequence();
    for &s in &statuses[..statuses.len() - 1] {
        seq = seq.output(move || store(ARN, s, "Management"));
    }
    let last = statuses[statuses.len() - 1];
    seq.output(move || store(ARN, last, "Management"))
        .repeatedly()
        .build()
}

fn start_ok() -> Rule {
    mock!(Client::start_event_data_store_ingestion)
        .then_output(|| StartEventDataStoreIngestionOutput::builder().build())
}

fn stop_ok() -> Rule {
    mock!(Client::stop_event_data_store_ingestion)
        .then_output(|| StopEventDataStoreIngestionOutput::builder().build())
}

// ---------------------------------------------------------------------------------------------
// Terraform's side: configs, plans, applies

fn config(store: &str, enabled: Option<bool>, timeout: Option<&str>) -> Value {
    object([
        ("event_data_store", Value::string(store)),
        (
            "ingestion_enabled",
            enabled.map_or(Value::Null, Value::Bool),
        ),
        ("stop_on_destroy", Value::Null),
        ("id", Value::Null),
        ("arn", Value::Null),
        ("name", Value::Null),
        ("status", Value::Null),
        (
            "timeouts",
            timeout.map_or(Value::Null, |t| {
                object([
                    ("create", Value::string(t)),
                    ("update", Value::string(t)),
                    ("delete", Value::string(t)),
                    ("read", Value::string(t)),
                ])
            }),
        ),
    ])
}

fn state(store: &str, enabled: bool) -> Value {
    object([
        ("event_data_store", Value::string(store)),
        ("ingestion_enabled", Value::Bool(enabled)),
        ("stop_on_destroy", Value::Bool(false)),
        ("id", Value::string(store)),
        ("arn", Value::string(store)),
        ("name", Value::string("audit")),
        (
            "status",
            Value::string(if enabled {
                "ENABLED"
            } else {
                "STOPPED_INGESTION"
            }),
        ),
        ("timeouts", Value::Null),
    ])
}

async fn plan_create(p: &Provider, cfg: &Value) -> (Value, Diagnostics) {
    let r = p
        .plan(
            TYPE,
            PlanRequest {
                config: cfg.clone(),
                prior_state: Value::Null,
                proposed_new_state: cfg.clone(),
            },
        )
        .await;
    (r.planned_state, r.diagnostics)
}

/// ApplyResourceChange alone, with the plan Terraform would have made (no plan-time read).
async fn apply_create(p: &Provider, cfg: &Value) -> (Value, Diagnostics) {
    let want = cfg
        .get("ingestion_enabled")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut planned = cfg.clone();
    if let Value::Object(attrs) = &mut planned {
        attrs.insert("ingestion_enabled".into(), Value::Bool(want));
        attrs.insert("stop_on_destroy".into(), Value::Bool(false));
        for a in ["id", "arn", "name", "status"] {
            attrs.insert(a.into(), Value::Unknown);
        }
    }
    let r = p
        .apply(
            TYPE,
            ApplyRequest {
                config: cfg.clone(),
                prior_state: Value::Null,
                planned_state: planned,
                planned_private: Vec::new(),
            },
        )
        .await;
    (r.state, r.diagnostics)
}

fn only_error(diags: &Diagnostics) -> &Diagnostic {
    assert_eq!(diags.0.len(), 1, "expected one diagnostic, got {diags:#?}");
    let d = &diags.0[0];
    assert_eq!(d.severity, Severity::Error, "{d:#?}");
    assert_eq!(
        d.path,
        Some(attr_path(&["event_data_store"])),
        "no attribute path: {d:#?}"
    );
    d
}

// ---------------------------------------------------------------------------------------------
// Every documented error, and the common ones, is one diagnostic with AWS's message, the request
// id, advice and the attribute path.

const GET_ERRORS: &[(&str, &str)] = &[
    (
        "EventDataStoreARNInvalidException",
        "Invalid event data store ARN",
    ),
    (
        "EventDataStoreNotFoundException",
        "Event data store not found",
    ),
    (
        "InvalidParameterException",
        "CloudTrail rejected a parameter",
    ),
    (
        "NoManagementAccountSLRExistsException",
        "The management account has no CloudTrail service-linked role",
    ),
    ("OperationNotPermittedException", "Operation not permitted"),
    ("UnsupportedOperationException", "Operation not supported"),
    ("AccessDeniedException", "Access denied"),
    ("UnrecognizedClientException", "Invalid AWS credentials"),
    ("ExpiredTokenException", "Expired AWS credentials"),
];

const START_STOP_ERRORS: &[(&str, &str)] = &[
    (
        "EventDataStoreARNInvalidException",
        "Invalid event data store ARN",
    ),
    (
        "EventDataStoreNotFoundException",
        "Event data store not found",
    ),
    (
        "InsufficientDependencyServiceAccessPermissionException",
        "CloudTrail lacks a service-linked role permission",
    ),
    (
        "InvalidEventDataStoreCategoryException",
        "This event data store's ingestion cannot be started or stopped",
    ),
    (
        "InvalidEventDataStoreStatusException",
        "The event data store is in a status that does not allow this",
    ),
    (
        "InvalidParameterException",
        "CloudTrail rejected a parameter",
    ),
    (
        "NoManagementAccountSLRExistsException",
        "The management account has no CloudTrail service-linked role",
    ),
    (
        "NotOrganizationMasterAccountException",
        "Not the organization's management account",
    ),
    ("OperationNotPermittedException", "Operation not permitted"),
    ("UnsupportedOperationException", "Operation not supported"),
    ("AccessDeniedException", "Access denied"),
];

fn assert_explains(d: &Diagnostic, operation: &str, code: &str, summary: &str) {
    assert_eq!(d.summary, summary, "{code}: {d:#?}");
    for needle in [
        operation,
        ARN,
        &format!("AWS says {code}"),
        &format!("Request ID: req-{code}"),
    ] {
        assert!(
            d.detail.contains(needle),
            "{code}: {needle:?} missing in {}",
            d.detail
        );
    }
    // Advice: a line of its own between AWS's message and the request id.
    assert!(
        d.detail.lines().count() >= 3,
        "{code}: no advice in {}",
        d.detail
    );
}

#[tokio::test(start_paused = true)]
async fn every_get_error_is_one_diagnostic() {
    for (code, summary) in GET_ERRORS {
        let code = *code;
        let get = mock!(Client::get_event_data_store)
            .sequence()
            .http_response(move || aws_error(code))
            .repeatedly()
            .build();
        let start = start_ok();
        let p = provider(&[&get, &start]);
        let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
        assert_explains(only_error(&diags), "GetEventDataStore", code, summary);
        assert_eq!(start.num_calls(), 0, "{code}");
    }
}

#[tokio::test(start_paused = true)]
async fn every_start_error_is_one_diagnostic() {
    for (code, summary) in START_STOP_ERRORS {
        let code = *code;
        let get = get_sequence(&["STOPPED_INGESTION"]);
        let start = mock!(Client::start_event_data_store_ingestion)
            .sequence()
            .http_response(move || aws_error(code))
            .repeatedly()
            .build();
        let p = provider(&[&get, &start]);
        let (state, diags) = apply_create(&p, &config(ARN, None, None)).await;
        assert_explains(
            only_error(&diags),
            "StartEventDataStoreIngestion",
            code,
            summary,
        );
        // The state records what was seen, never an unknown.
        assert!(state.is_known(), "{code}: {state:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn every_stop_error_is_one_diagnostic() {
    for (code, summary) in START_STOP_ERRORS {
        let code = *code;
        let get = get_sequence(&["ENABLED"]);
        let stop = mock!(Client::stop_event_data_store_ingestion)
            .sequence()
            .http_response(move || aws_error(code))
            .repeatedly()
            .build();
        let p = provider(&[&get, &stop]);
        let (_, diags) = apply_create(&p, &config(ARN, Some(false), None)).await;
        assert_explains(
            only_error(&diags),
            "StopEventDataStoreIngestion",
            code,
            summary,
        );
    }
}

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_by_the_sdk_then_succeeds() {
    let get = get_sequence(&["STOPPED_INGESTION", "ENABLED"]);
    let start = mock!(Client::start_event_data_store_ingestion)
        .sequence()
        .http_response(|| aws_error("ThrottlingException"))
        .times(2)
        .http_response(ok_body)
        .build();
    let p = provider(&[&get, &start]);
    let (state, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(start.num_calls(), 3, "two throttled attempts, then success");
    assert_eq!(state.get("status"), Some(&Value::string("ENABLED")));
}

#[tokio::test(start_paused = true)]
async fn throttling_after_the_last_retry_is_one_diagnostic() {
    let get = get_sequence(&["STOPPED_INGESTION"]);
    let start = mock!(Client::start_event_data_store_ingestion)
        .sequence()
        .http_response(|| aws_error("ThrottlingException"))
        .repeatedly()
        .build();
    let p = provider(&[&get, &start]);
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    let d = only_error(&diags);
    assert_explains(
        d,
        "StartEventDataStoreIngestion",
        "ThrottlingException",
        "Throttled by CloudTrail",
    );
    assert!(d.detail.contains("parallelism"), "{}", d.detail);
    assert_eq!(start.num_calls(), 3, "max attempts");
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_and_then_reported() {
    let get = mock!(Client::get_event_data_store)
        .sequence()
        .http_response(|| {
            json(
                500,
                r#"{"__type":"InternalFailure","message":"AWS says InternalFailure"}"#.to_owned(),
                "req-InternalFailure",
            )
        })
        .repeatedly()
        .build();
    let p = provider(&[&get]);
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    let d = only_error(&diags);
    assert_eq!(d.summary, "CloudTrail failed to answer");
    assert!(
        d.detail.contains("Request ID: req-InternalFailure"),
        "{}",
        d.detail
    );
    assert_eq!(get.num_calls(), 3);
}

#[tokio::test]
async fn missing_credentials_are_one_diagnostic() {
    // A profile that does not exist in an empty credentials file: what the default chain meets
    // on a machine without credentials, minus its slow instance-metadata probe.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(&file, "").unwrap();
    let files = aws_runtime::env_config::file::EnvConfigFiles::builder()
        .with_file(
            aws_runtime::env_config::file::EnvConfigFileKind::Credentials,
            &file,
        )
        .build();
    let no_credentials = aws_config::meta::credentials::CredentialsProviderChain::first_try(
        "Profile",
        aws_config::profile::ProfileFileCredentialsProvider::builder()
            .profile_files(files)
            .profile_name("nobody")
            .build(),
    );
    let no_credentials = SharedCredentialsProvider::new(no_credentials);
    // An HTTP answer, not a modeled one: the mock would lay a modeled output over the failed
    // attempt, while an HTTP answer is only served once the request is signed and sent.
    let get = mock!(Client::get_event_data_store)
        .sequence()
        .http_response(|| {
            json(
                200,
                format!(
                    r#"{{"EventDataStoreArn":"{ARN}","Name":"audit","Status":"STOPPED_INGESTION"}}"#
                ),
                "req-get",
            )
        })
        .repeatedly()
        .build();
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&get], |b| b
        .retry_config(fast_retries())
        .credentials_provider(no_credentials.clone()));
    let p = Provider::with_aws(AwsClients::from_conf(client.config().clone()));
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    let d = only_error(&diags);
    assert_eq!(d.summary, "No valid AWS credentials", "{d:#?}");
    assert!(d.detail.contains("AWS_PROFILE"), "advice: {}", d.detail);
    assert!(d.detail.contains("Request ID: none"), "{}", d.detail);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_one_diagnostic() {
    let cfg = ProviderConfig {
        region: Some("us-east-1".into()),
        access_key: Some("AKIDEXAMPLE".into()),
        secret_key: Some("secret".into()),
        cloudtrail_endpoint: Some("http://127.0.0.1:9".into()),
        max_retries: Some(1),
        ..ProviderConfig::default()
    };
    let p = Provider::with_aws(cfg.load().await);
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    let d = only_error(&diags);
    assert_eq!(d.summary, "Cannot reach the CloudTrail endpoint", "{d:#?}");
    assert!(d.detail.contains("endpoints.cloudtrail"), "{}", d.detail);
    assert!(d.detail.contains("Request ID: none"), "{}", d.detail);
}

// ---------------------------------------------------------------------------------------------
// The status machine

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
    let plan = p
        .plan(
            TYPE,
            PlanRequest {
                config: cfg.clone(),
                prior_state: Value::Null,
                proposed_new_state: cfg.clone(),
            },
        )
        .await;
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
    let start = mock!(Client::start_event_data_store_ingestion)
        .sequence()
        .http_response(|| aws_error("ThrottlingException"))
        .repeatedly()
        .build();
    let slow = RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_secs(20))
        .with_max_backoff(Duration::from_secs(20));
    let p = Arc::new(Provider::with_aws(clients_with(&[&get, &start], slow)));
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

// ---------------------------------------------------------------------------------------------
// ConflictException: retried by the provider within the timeout, then reported

fn conflicts_then(ok_after: Option<usize>) -> Rule {
    let seq = mock!(Client::start_event_data_store_ingestion)
        .sequence()
        .http_response(|| aws_error("ConflictException"));
    match ok_after {
        Some(n) => seq.times(n).http_response(ok_body).build(),
        None => seq.repeatedly().build(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_conflict_is_retried_with_backoff() {
    let get = get_sequence(&[
        "STOPPED_INGESTION",
        "STOPPED_INGESTION",
        "STOPPED_INGESTION",
        "ENABLED",
    ]);
    let start = conflicts_then(Some(2));
    let p = provider(&[&get, &start]);
    let t0 = Instant::now();
    let (state, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(
        start.num_calls(),
        3,
        "the SDK does not retry ConflictException"
    );
    // 1 s of backoff stretched to the pacer's 1.1 s between two Start calls, then 2 s.
    assert_eq!(t0.elapsed(), Duration::from_millis(3100));
    assert_eq!(state.get("status"), Some(&Value::string("ENABLED")));
}

#[tokio::test(start_paused = true)]
async fn a_store_that_stays_busy_is_reported_at_the_timeout() {
    let get = get_sequence(&["STOPPED_INGESTION"]);
    let start = conflicts_then(None);
    let p = provider(&[&get, &start]);
    let t0 = Instant::now();
    let (_, diags) = apply_create(&p, &config(ARN, None, Some("1m"))).await;
    assert_eq!(t0.elapsed(), Duration::from_secs(60));
    let d = only_error(&diags);
    assert_eq!(d.summary, "The event data store stayed busy");
    for needle in [
        "ConflictException",
        "AWS says ConflictException",
        "Request ID: req-ConflictException",
        "timeouts",
    ] {
        assert!(
            d.detail.contains(needle),
            "{needle:?} missing in {}",
            d.detail
        );
    }
    // 1+2+4+8+15+15+15 s of backoff fit in a minute: 7 or 8 attempts, not a tight loop.
    assert!(
        (7..=8).contains(&start.num_calls()),
        "{}",
        start.num_calls()
    );
}

// ---------------------------------------------------------------------------------------------
// Pacing: one limiter per account and region for Start/Stop, reads never held back

fn store_arn(i: usize) -> String {
    format!("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/store-{i:04}")
}

/// CloudTrail's quota as a mock: a Start arriving less than a second after the last accepted one
/// is throttled. Stores start at once when accepted.
struct Quota {
    last_accepted: Option<Instant>,
    accepted: usize,
    throttled: usize,
}

struct Fleet {
    get: Rule,
    starts: Vec<Rule>,
    quota: Arc<Mutex<Quota>>,
}

fn fleet(n: usize) -> Fleet {
    let statuses: Arc<Mutex<HashMap<String, &'static str>>> = Arc::default();
    let quota = Arc::new(Mutex::new(Quota {
        last_accepted: None,
        accepted: 0,
        throttled: 0,
    }));
    let get = mock!(Client::get_event_data_store).then_compute_output({
        let statuses = statuses.clone();
        move |req| {
            let arn = req.event_data_store().unwrap_or_default();
            let status = statuses
                .lock()
                .unwrap()
                .get(arn)
                .copied()
                .unwrap_or("STOPPED_INGESTION");
            store(arn, status, "Management")
        }
    });
    // One rule per store, so the response (retries included) knows which store it starts.
    let starts = (0..n)
        .map(|i| {
            let arn = store_arn(i);
            let statuses = statuses.clone();
            let quota = quota.clone();
            mock!(Client::start_event_data_store_ingestion)
                .match_requests({
                    let arn = arn.clone();
                    move |req| req.event_data_store() == Some(arn.as_str())
                })
                .sequence()
                .http_response(move || {
                    let now = Instant::now();
                    let mut q = quota.lock().unwrap();
                    if q.last_accepted
                        .is_some_and(|last| now - last < Duration::from_secs(1))
                    {
                        q.throttled += 1;
                        return aws_error("ThrottlingException");
                    }
                    q.last_accepted = Some(now);
                    q.accepted += 1;
                    statuses.lock().unwrap().insert(arn.clone(), "ENABLED");
                    ok_body()
                })
                .repeatedly()
                .build()
        })
        .collect();
    Fleet { get, starts, quota }
}

impl Fleet {
    fn provider(&self, pacing: Option<Duration>) -> Arc<Provider> {
        let mut rules: Vec<&Rule> = vec![&self.get];
        rules.extend(self.starts.iter());
        let mut clients = clients_with(&rules, fast_retries());
        if let Some(interval) = pacing {
            clients = clients.with_pacing_interval(interval);
        }
        Arc::new(Provider::with_aws(clients))
    }
}

struct Outcome {
    created: usize,
    diagnostics: Vec<Diagnostic>,
    elapsed: Duration,
}

/// A plan walk then an apply walk of `n` new resources, `parallelism` at a time, as Terraform
/// runs them.
async fn plan_and_apply(p: &Arc<Provider>, n: usize, parallelism: usize) -> Outcome {
    let t0 = Instant::now();
    let limit = Arc::new(tokio::sync::Semaphore::new(parallelism));
    let mut plans = tokio::task::JoinSet::new();
    for i in 0..n {
        let (p, limit) = (p.clone(), limit.clone());
        plans.spawn(async move {
            let _turn = limit.acquire_owned().await.unwrap();
            let cfg = config(&store_arn(i), None, None);
            let plan = p
                .plan(
                    TYPE,
                    PlanRequest {
                        config: cfg.clone(),
                        prior_state: Value::Null,
                        proposed_new_state: cfg.clone(),
                    },
                )
                .await;
            (
                cfg,
                (plan.planned_state, plan.planned_private),
                plan.diagnostics,
            )
        });
    }
    let mut diagnostics = Vec::new();
    let mut planned = Vec::new();
    while let Some(r) = plans.join_next().await {
        let (cfg, plan, diags) = r.unwrap();
        diagnostics.extend(diags.0);
        planned.push((cfg, plan));
    }
    let mut applies = tokio::task::JoinSet::new();
    for (cfg, (plan, private)) in planned {
        let (p, limit) = (p.clone(), limit.clone());
        applies.spawn(async move {
            let _turn = limit.acquire_owned().await.unwrap();
            p.apply(
                TYPE,
                ApplyRequest {
                    config: cfg,
                    prior_state: Value::Null,
                    planned_state: plan,
                    planned_private: private,
                },
            )
            .await
        });
    }
    let mut created = 0;
    while let Some(r) = applies.join_next().await {
        let r = r.unwrap();
        if r.state.get("status") == Some(&Value::string("ENABLED")) {
            created += 1;
        }
        diagnostics.extend(r.diagnostics.0);
    }
    Outcome {
        created,
        diagnostics,
        elapsed: t0.elapsed(),
    }
}

#[tokio::test(start_paused = true)]
async fn two_hundred_resources_at_parallelism_fifty_are_paced_under_the_quota() {
    let fleet = fleet(200);
    let p = fleet.provider(None);
    let out = plan_and_apply(&p, 200, 50).await;
    let q = fleet.quota.lock().unwrap();
    assert!(
        out.diagnostics.is_empty(),
        "{:#?}",
        &out.diagnostics[..out.diagnostics.len().min(3)]
    );
    assert_eq!(out.created, 200);
    assert_eq!(q.throttled, 0, "paced calls must never meet the quota");
    assert_eq!(q.accepted, 200);
    // 200 turns 1.1 s apart: the pacing is what takes the time, and nothing else does.
    assert!(
        out.elapsed >= Duration::from_secs(218) && out.elapsed <= Duration::from_secs(221),
        "{:?}",
        out.elapsed
    );
    let starts: usize = fleet.starts.iter().map(Rule::num_calls).sum();
    eprintln!(
        "per created resource: {} GetEventDataStore (plan check, read after start), {} StartEventDataStoreIngestion; {:?} virtual",
        fleet.get.num_calls() as f64 / 200.0,
        starts as f64 / 200.0,
        out.elapsed
    );
    // The apply acts on what the plan saw (planned_private): Start, then one read.
    assert_eq!(fleet.get.num_calls(), 400);
    assert_eq!(starts, 200);
}

/// The control: the same apply without pacing meets the quota, and the SDK's retries alone do
/// not save it. This is what the test above would see if pacing broke.
#[tokio::test(start_paused = true)]
async fn without_pacing_the_same_apply_is_throttled() {
    let fleet = fleet(200);
    let p = fleet.provider(Some(Duration::ZERO));
    let out = plan_and_apply(&p, 200, 50).await;
    let q = fleet.quota.lock().unwrap();
    assert!(q.throttled > 100, "{}", q.throttled);
    assert!(out.created < 200, "{}", out.created);
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.summary == "Throttled by CloudTrail"),
        "{:#?}",
        out.diagnostics.first()
    );
}

#[tokio::test(start_paused = true)]
async fn reads_are_not_held_back_by_pacing() {
    let fleet = fleet(31);
    let p = fleet.provider(None);
    let mut applies = tokio::task::JoinSet::new();
    for i in 0..30 {
        let p = p.clone();
        applies.spawn(async move { apply_create(&p, &config(&store_arn(i), None, None)).await });
    }
    // Let all thirty read their store and queue for a Start turn.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let t0 = Instant::now();
    let r = p.read(TYPE, state(&store_arn(30), true)).await;
    assert_eq!(
        t0.elapsed(),
        Duration::ZERO,
        "a read waited for Start/Stop turns"
    );
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(r.state.get("ingestion_enabled"), Some(&Value::Bool(false)));
    assert!(
        fleet.quota.lock().unwrap().accepted < 30,
        "the queue had drained already"
    );
    while let Some(r) = applies.join_next().await {
        assert!(r.unwrap().1.is_empty());
    }
}

#[tokio::test(start_paused = true)]
async fn pacing_is_per_account_and_region() {
    // Each store reads STOPPED_INGESTION once, then ENABLED.
    let reads: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let get = mock!(Client::get_event_data_store).then_compute_output(move |req| {
        let arn = req.event_data_store().unwrap_or_default();
        let mut reads = reads.lock().unwrap();
        let n = reads.entry(arn.to_owned()).or_insert(0);
        *n += 1;
        let status = if *n == 1 {
            "STOPPED_INGESTION"
        } else {
            "ENABLED"
        };
        store(arn, status, "Management")
    });
    let start = start_ok();
    let p = Arc::new(provider(&[&get, &start]));
    let arns = [
        "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/a",
        "arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/b",
        "arn:aws:cloudtrail:eu-west-1:111111111111:eventdatastore/c",
        "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/d",
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for arn in arns {
        let p = p.clone();
        tasks.spawn(async move {
            let t0 = Instant::now();
            let (_, diags) = apply_create(&p, &config(arn, None, None)).await;
            assert!(diags.is_empty(), "{diags:#?}");
            (arn, t0.elapsed())
        });
    }
    let mut took = HashMap::new();
    while let Some(r) = tasks.join_next().await {
        let (arn, elapsed) = r.unwrap();
        took.insert(&arn[arn.len() - 1..], elapsed);
    }
    // a, b and c are three different account+region pairs; d waits for a's turn.
    assert_eq!(
        took["a"] + took["b"] + took["c"],
        Duration::ZERO,
        "{took:?}"
    );
    assert_eq!(took["d"], Duration::from_millis(1100), "{took:?}");
    assert_eq!(start.num_calls(), 4);
}

// ---------------------------------------------------------------------------------------------
// Plan-time checks

async fn plan_diags(p: &Provider, store_ref: &str) -> Diagnostics {
    plan_create(p, &config(store_ref, None, None)).await.1
}

#[tokio::test(start_paused = true)]
async fn plan_checks_error_fails_the_plan_for_a_missing_store() {
    let get = mock!(Client::get_event_data_store)
        .sequence()
        .http_response(|| aws_error("EventDataStoreNotFoundException"))
        .repeatedly()
        .build();
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
#[tokio::test(start_paused = true)]
async fn plan_checks_warn_is_the_default_and_only_warns() {
    let missing = || {
        mock!(Client::get_event_data_store)
            .sequence()
            .http_response(|| aws_error("EventDataStoreNotFoundException"))
            .repeatedly()
            .build()
    };
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
    let get = mock!(Client::get_event_data_store)
        .sequence()
        .http_response(|| aws_error("UnrecognizedClientException"))
        .repeatedly()
        .build();
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

// ---------------------------------------------------------------------------------------------
// Destroy

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
    let not_found = || {
        mock!(Client::get_event_data_store)
            .sequence()
            .http_response(|| aws_error("EventDataStoreNotFoundException"))
            .repeatedly()
            .build()
    };
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
    let stop = mock!(Client::stop_event_data_store_ingestion)
        .sequence()
        .http_response(|| aws_error("EventDataStoreNotFoundException"))
        .repeatedly()
        .build();
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
    let stop = mock!(Client::stop_event_data_store_ingestion)
        .sequence()
        .http_response(|| aws_error("AccessDeniedException"))
        .repeatedly()
        .build();
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
