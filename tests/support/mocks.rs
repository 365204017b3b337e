//! AWS mock helpers (aws-smithy-mocks) for the tests that drive the provider in process against
//! CloudTrail's mocked behaviour (tests/aws_mocks/, tests/call_log.rs): canned responses and
//! wire errors, mocked clients, and Terraform's side of a plan or an apply.

use std::time::Duration;

use aws_sdk_cloudtrail::Client;
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
use terraform_provider_cloudtrail::aws::{AwsClients, PlanChecks};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::diagnostics::{Diagnostic, Diagnostics, Severity, attr_path};
use terraform_provider_cloudtrail::provider::{CloudTrail, Provider};
use terraform_provider_cloudtrail::resources::{ApplyRequest, PlanRequest, PlanResponse, object};

pub const TYPE: &str = "cloudtrail_ingestion_state";
pub const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f";

/// The ARN of the `i`th of many stores in the same account and region.
pub fn store_arn(i: usize) -> String {
    format!("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/store-{i:04}")
}

// ---------------------------------------------------------------------------------------------
// Mock responses and clients

pub fn store(arn: &str, status: &str, category: &str) -> GetEventDataStoreOutput {
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

pub fn json(status: u16, body: impl Into<String>, request_id: &str) -> HttpResponse {
    let mut r = HttpResponse::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(body.into()),
    );
    r.headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    r.headers_mut()
        .insert("x-amzn-requestid", request_id.to_owned());
    r
}

/// An error as CloudTrail sends it on the wire (awsJson1_1), so the SDK's own parsing, retry
/// classification and request id extraction all run.
pub fn aws_error(code: &str) -> HttpResponse {
    json(
        400,
        format!(r#"{{"__type":"{code}","message":"AWS says {code}"}}"#),
        &format!("req-{code}"),
    )
}

pub fn ok_body() -> HttpResponse {
    json(200, "{}".to_owned(), "req-ok")
}

pub fn clients_with(rules: &[&Rule], retry: RetryConfig) -> AwsClients {
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, rules, |b| b
        .retry_config(retry.clone()));
    AwsClients::from_conf(client.config().clone())
}

/// Three attempts with a 1 ms initial backoff: the SDK's retries really sleep.
pub fn fast_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
}

pub fn provider(rules: &[&Rule]) -> Provider {
    Provider::new(CloudTrail::with_aws(clients_with(rules, fast_retries())))
}

/// A provider whose block sets `plan_checks`.
pub fn provider_checking(rules: &[&Rule], mode: PlanChecks) -> Provider {
    Provider::new(CloudTrail::with_aws(
        clients_with(rules, fast_retries()).with_plan_checks(mode),
    ))
}

pub fn get_sequence(statuses: &[&'static str]) -> Rule {
    let mut seq = mock!(Client::get_event_data_store).sequence();
    for &s in &statuses[..statuses.len() - 1] {
        seq = seq.output(move || store(ARN, s, "Management"));
    }
    let last = statuses[statuses.len() - 1];
    seq.output(move || store(ARN, last, "Management"))
        .repeatedly()
        .build()
}

/// `Client::$op` always answers with CloudTrail's error `$code`, the SDK's retries included.
macro_rules! fails {
    ($op:ident, $code:expr) => {{
        let code: &'static str = $code;
        aws_smithy_mocks::mock!(aws_sdk_cloudtrail::Client::$op)
            .sequence()
            .http_response(move || $crate::support::mocks::aws_error(code))
            .repeatedly()
            .build()
    }};
}
#[allow(unused_imports)] // only the aws_mocks crate calls it
pub(crate) use fails;

pub fn start_ok() -> Rule {
    mock!(Client::start_event_data_store_ingestion)
        .then_output(|| StartEventDataStoreIngestionOutput::builder().build())
}

pub fn stop_ok() -> Rule {
    mock!(Client::stop_event_data_store_ingestion)
        .then_output(|| StopEventDataStoreIngestionOutput::builder().build())
}

// ---------------------------------------------------------------------------------------------
// Terraform's side: configs, plans, applies

pub fn config(store: &str, enabled: Option<bool>, timeout: Option<&str>) -> Value {
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

pub fn state(store: &str, enabled: bool) -> Value {
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

/// PlanResourceChange of a new resource, as Terraform sends it.
pub async fn plan_new(p: &Provider, cfg: &Value) -> PlanResponse {
    p.plan(
        TYPE,
        PlanRequest {
            config: cfg.clone(),
            prior_state: Value::Null,
            proposed_new_state: cfg.clone(),
        },
    )
    .await
}

pub async fn plan_create(p: &Provider, cfg: &Value) -> (Value, Diagnostics) {
    let r = plan_new(p, cfg).await;
    (r.planned_state, r.diagnostics)
}

/// ApplyResourceChange alone, with the plan Terraform would have made (no plan-time read).
pub async fn apply_create(p: &Provider, cfg: &Value) -> (Value, Diagnostics) {
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

pub fn only_error(diags: &Diagnostics) -> &Diagnostic {
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

/// The diagnostic explains an AWS error: summary, the operation, the store, AWS's message, the
/// request id, and advice on a line of its own.
pub fn assert_explains(d: &Diagnostic, operation: &str, code: &str, summary: &str) {
    assert_explains_on(d, operation, ARN, code, summary);
}

/// As [`assert_explains`], for an operation on `subject` (a store's ARN or name, a region).
pub fn assert_explains_on(
    d: &Diagnostic,
    operation: &str,
    subject: &str,
    code: &str,
    summary: &str,
) {
    assert_eq!(d.summary, summary, "{code}: {d:#?}");
    for needle in [
        operation,
        subject,
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
