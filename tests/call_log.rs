//! The call log (TF_LOG=debug): one line per CloudTrail operation with its latency, attempts and
//! request id, never credentials. Alone in its binary because it installs the process's tracing
//! subscriber (thread-local ones race with other tests over callsite interest).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::http::{Response as HttpResponse, StatusCode};
use aws_smithy_types::body::SdkBody;
use terraform_provider_cloudtrail::aws::AwsClients;
use terraform_provider_cloudtrail::aws::arn::StoreRef;
use terraform_provider_cloudtrail::aws::store::Lookup;
use tracing_subscriber::prelude::*;

const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f";

fn json(status: u16, body: &str, request_id: &str) -> HttpResponse {
    let mut r = HttpResponse::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(body.to_owned()),
    );
    r.headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    r.headers_mut()
        .insert("x-amzn-requestid", request_id.to_owned());
    r
}

/// Every event as `target: field=value ...`, as far as Terraform's log would show it: this
/// crate's events, and libraries' only from WARN up (the provider's log layer does the same).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                let _ = write!(self.0, " {}={:?}", f.name(), v);
            }
        }
        let target = event.metadata().target();
        if !target.starts_with("terraform_provider_cloudtrail")
            && *event.metadata().level() > tracing::Level::WARN
        {
            return;
        }
        let mut fields = Fields(format!("{target}:"));
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
}

#[tokio::test]
async fn each_call_is_logged_with_latency_attempts_and_request_id() {
    let captured = Captured::default();
    tracing_subscriber::registry()
        .with(captured.clone())
        .try_init()
        .unwrap();

    let get = mock!(Client::get_event_data_store)
        .sequence()
        .http_response(|| json(429, r#"{"__type":"ThrottlingException"}"#, "req-1"))
        .times(2)
        .http_response(|| {
            json(
                200,
                &format!(r#"{{"EventDataStoreArn":"{ARN}","Name":"audit","Status":"ENABLED"}}"#),
                "req-3",
            )
        })
        .build();
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&get], |b| b
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
        ));
    let aws = AwsClients::from_conf(client.config().clone());
    let store = StoreRef::parse(ARN).unwrap();
    let lookup = aws.store(&store, None).unwrap().get().await.unwrap();
    assert!(matches!(lookup, Lookup::Found(_)));

    let lines = captured.0.lock().unwrap().clone();
    let calls: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("message=AWS call"))
        .collect();
    assert_eq!(calls.len(), 1, "{lines:#?}");
    for needle in [
        "operation=\"GetEventDataStore\"",
        "attempts=3",
        "retries=2",
        "elapsed_ms=",
        "request_id=\"req-3\"",
        "http_status=200",
        "outcome=\"ok\"",
    ] {
        assert!(
            calls[0].contains(needle),
            "{needle} missing in {}",
            calls[0]
        );
    }
    let all = lines.join("\n");
    for secret in [
        "ANOTREAL",
        "notrealrnrELgWzOk3IfjzDKtFBhDby",
        "uthorization",
        "Credential=",
    ] {
        assert!(
            !all.contains(secret),
            "{secret} leaked into the log:\n{all}"
        );
    }
}
