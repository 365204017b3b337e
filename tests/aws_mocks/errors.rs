//! Every documented error, and the common ones, is one diagnostic with AWS's message, the request
//! id, advice and the attribute path.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::SharedCredentialsProvider;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use terraform_provider_cloudtrail::aws::{AwsClients, ProviderConfig};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::provider::{CloudTrail, Provider};

use crate::support::mocks::*;

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

pub(crate) const START_STOP_ERRORS: &[(&str, &str)] = &[
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

#[tokio::test(start_paused = true)]
async fn every_get_error_is_one_diagnostic() {
    for (code, summary) in GET_ERRORS {
        let code = *code;
        let get = fails!(get_event_data_store, code);
        let start = start_ok();
        let p = provider(&[&get, &start]);
        let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
        assert_explains(only_error(&diags), "GetEventDataStore", code, summary);
        assert_eq!(start.num_calls(), 0, "{code}");
    }
}

/// A Start that fails leaves state saying what AWS says: `ingestion_enabled` agrees with the
/// status read (stopped), on create and on update, so the next plan, even with
/// `-refresh=false`, still shows the change to make.
#[tokio::test(start_paused = true)]
async fn a_failed_start_records_the_status_aws_reported() {
    use terraform_provider_cloudtrail::resources::ApplyRequest;
    let enabled = |v: &Value| v.get("ingestion_enabled").and_then(Value::as_bool);
    let status = |v: &Value| v.get("status").and_then(Value::as_str).map(str::to_owned);
    for create in [true, false] {
        let get = get_sequence(&["STOPPED_INGESTION"]);
        let start = fails!(start_event_data_store_ingestion, "AccessDeniedException");
        let p = provider(&[&get, &start]);
        let (state, diags) = if create {
            apply_create(&p, &config(ARN, Some(true), None)).await
        } else {
            let r = p
                .apply(
                    TYPE,
                    ApplyRequest {
                        config: config(ARN, Some(true), None),
                        prior_state: state(ARN, false),
                        planned_state: state(ARN, true),
                        planned_private: Vec::new(),
                    },
                )
                .await;
            (r.state, r.diagnostics)
        };
        assert_explains(
            only_error(&diags),
            "StartEventDataStoreIngestion",
            "AccessDeniedException",
            "Access denied",
        );
        assert_eq!(
            status(&state).as_deref(),
            Some("STOPPED_INGESTION"),
            "create {create}"
        );
        assert_eq!(enabled(&state), Some(false), "create {create}: {state:?}");
    }
}

/// Every documented error of a Start, and of a Stop, ends the apply with one diagnostic that
/// explains it, and a state that records what was seen, never an unknown.
#[tokio::test(start_paused = true)]
async fn every_start_or_stop_error_is_one_diagnostic() {
    for start in [true, false] {
        let (from, operation) = if start {
            ("STOPPED_INGESTION", "StartEventDataStoreIngestion")
        } else {
            ("ENABLED", "StopEventDataStoreIngestion")
        };
        for (code, summary) in START_STOP_ERRORS {
            let code = *code;
            let get = get_sequence(&[from]);
            let call = if start {
                fails!(start_event_data_store_ingestion, code)
            } else {
                fails!(stop_event_data_store_ingestion, code)
            };
            let p = provider(&[&get, &call]);
            let (state, diags) = apply_create(&p, &config(ARN, Some(start), None)).await;
            assert_explains(only_error(&diags), operation, code, summary);
            assert!(state.is_known(), "{operation} {code}: {state:?}");
        }
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
    let start = fails!(start_event_data_store_ingestion, "ThrottlingException");
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
            // The SDK is built without a default HTTP client; the provider's own serves.
            .configure(
                &aws_config::provider_config::ProviderConfig::without_region().with_http_client(
                    terraform_provider_cloudtrail::aws::http::ProviderHttpClient::new(
                        Default::default(),
                    ),
                ),
            )
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
    let p = Provider::new(CloudTrail::with_aws(AwsClients::from_conf(
        client.config().clone(),
    )));
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
        skip_credentials_validation: true,
        ..ProviderConfig::default()
    };
    let Ok(configured) = cfg.load().await else {
        panic!("configuration refused")
    };
    let p = Provider::new(CloudTrail::with_aws(configured.clients));
    let (_, diags) = apply_create(&p, &config(ARN, None, None)).await;
    let d = only_error(&diags);
    assert_eq!(d.summary, "Cannot reach the CloudTrail endpoint", "{d:#?}");
    assert!(d.detail.contains("endpoints.cloudtrail"), "{}", d.detail);
    assert!(d.detail.contains("Request ID: none"), "{}", d.detail);
}
