//! The call log (TF_LOG=debug): one line per CloudTrail operation with its latency, attempts and
//! request id, never credentials. Alone in its binary because it installs the process's tracing
//! subscriber (thread-local ones race with other tests over callsite interest).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use aws_sdk_cloudtrail::Client;
use aws_smithy_mocks::mock;
use support::mocks::{ARN, clients_with, fast_retries, json};
use terraform_provider_cloudtrail::aws::arn::StoreRef;
use terraform_provider_cloudtrail::aws::store::Lookup;
use tracing_subscriber::prelude::*;

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
                format!(r#"{{"EventDataStoreArn":"{ARN}","Name":"audit","Status":"ENABLED"}}"#),
                "req-3",
            )
        })
        .build();
    let aws = clients_with(&[&get], fast_retries());
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
