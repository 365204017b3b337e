//! The provider block's network and credentials settings, each through the provider's real SDK
//! configuration and HTTP client: where requests go (FIPS, dual-stack, `sts_region`), what the
//! instance metadata settings do against a metadata server on loopback, region validation, and
//! that the TLS trust store is only built for an https:// endpoint. No Terraform needed; the
//! Terraform-driven halves are tests/sts.rs and tests/tls.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};

use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_cloudtrail::error::DisplayErrorContext;
use support::faultproxy::{FaultProxy, TestCa};
use terraform_provider_cloudtrail::aws::ProviderConfig;
use terraform_provider_cloudtrail::aws::http::{HttpSettings, ProviderHttpClient, read_ca_bundle};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::provider::Provider;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An object of type `ty` (the provider block, or a nested block's element type: `path` names it
/// from the block down, `[]` for the block) from `(name, value)` pairs, as Terraform would send it
/// (unset = null).
fn object_at(path: &[&str], set: &[(&str, Value)]) -> Value {
    use terraform_provider_cloudtrail::cty::Type;
    let mut ty = Provider::provider_schema().value_type();
    for name in path {
        let Type::Object(attrs) = ty else {
            panic!("{name}: not an object")
        };
        ty = match &attrs[*name] {
            Type::List(element) => element.as_ref().clone(),
            other => other.clone(),
        };
    }
    let Type::Object(attrs) = ty else {
        panic!("{path:?}: not an object")
    };
    let mut map: std::collections::BTreeMap<String, Value> =
        attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
    for (k, v) in set {
        assert!(map.contains_key(*k), "{k}");
        map.insert((*k).to_owned(), v.clone());
    }
    Value::Object(map)
}

/// The provider block.
fn block(set: &[(&str, Value)]) -> Value {
    object_at(&[], set)
}

fn s(v: &str) -> Value {
    Value::string(v)
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn keys() -> Vec<(&'static str, Value)> {
    vec![
        ("region", s("us-east-1")),
        ("access_key", s("AKIDTEST")),
        ("secret_key", s("secret")),
        ("max_retries", Value::int(1)),
        ("skip_credentials_validation", Value::Bool(true)),
    ]
}

/// The credentials the block's chain provides (none in the environment), or its error as text.
async fn credentials(set: &[(&str, Value)]) -> Result<aws_credential_types::Credentials, String> {
    let cfg = ProviderConfig::from_value(&block(set)).unwrap_or_else(|d| panic!("{d:?}"));
    let (sdk, _) = cfg.sdk_config_checked(&no_env).await.unwrap();
    sdk.credentials_provider()
        .unwrap()
        .provide_credentials()
        .await
        .map_err(|e| DisplayErrorContext(&e).to_string())
}

async fn cloudtrail_error(set: &[(&str, Value)]) -> String {
    let cfg = ProviderConfig::from_value(&block(set)).unwrap_or_else(|d| panic!("{d:?}"));
    let (sdk, _) = cfg.sdk_config_checked(&no_env).await.unwrap();
    let mut conf = aws_sdk_cloudtrail::config::Builder::from(&sdk);
    conf.set_endpoint_url(cfg.cloudtrail_endpoint_url(&no_env));
    let client = aws_sdk_cloudtrail::Client::from_conf(conf.build());
    let err = client
        .get_event_data_store()
        .event_data_store("x")
        .send()
        .await
        .unwrap_err();
    DisplayErrorContext(&err).to_string()
}

/// With no network, each request fails at the name it was sent to, which the error names.
#[tokio::test]
async fn fips_and_dualstack_choose_aws_endpoints() {
    for (switch, endpoint) in [
        (None, "https://cloudtrail.us-east-1.amazonaws.com"),
        (
            Some("use_fips_endpoint"),
            "https://cloudtrail-fips.us-east-1.amazonaws.com",
        ),
        (
            Some("use_dualstack_endpoint"),
            "https://cloudtrail.us-east-1.api.aws",
        ),
    ] {
        let mut set = keys();
        set.extend(switch.map(|name| (name, Value::Bool(true))));
        let text = cloudtrail_error(&set).await;
        assert!(text.contains(endpoint), "{switch:?}: {text}");
    }
}

/// AssumeRole goes to STS in `sts_region`, and only there; `endpoints { cloudtrail }` does not
/// capture it (issue 15's defect, at the SDK level).
#[tokio::test]
async fn sts_region_and_endpoint_are_sts_own() {
    let mut set = keys();
    set.retain(|(k, _)| *k != "skip_credentials_validation");
    set.push(("sts_region", s("eu-west-3")));
    let role = object_at(
        &["assume_role"],
        &[("role_arn", s("arn:aws:iam::123456789012:role/deploy"))],
    );
    set.push(("assume_role", Value::List(vec![role])));
    let endpoints = object_at(&["endpoints"], &[("cloudtrail", s("http://127.0.0.1:9"))]);
    set.push(("endpoints", endpoints));
    let text = credentials(&set).await.unwrap_err();
    for phrase in [
        "STS AssumeRole of role arn:aws:iam::123456789012:role/deploy",
        "https://sts.eu-west-3.amazonaws.com",
    ] {
        assert!(text.contains(phrase), "{phrase:?} in {text}");
    }
    assert!(!text.contains("127.0.0.1:9"), "{text}");
}

#[test]
fn skip_region_validation_lets_an_emulator_region_through() {
    let bad = ProviderConfig::from_value(&block(&[("region", s("local"))]));
    assert!(bad.is_err());
    let ok = ProviderConfig::from_value(&block(&[
        ("region", s("local")),
        ("skip_region_validation", Value::Bool(true)),
    ]));
    assert!(ok.is_ok());
}

/// A metadata server on loopback that hands out credentials (IMDSv2: token first), counting its
/// requests.
async fn metadata_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = vec![0; 4096];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                let line = text.lines().next().unwrap_or("").to_owned();
                log.lock().unwrap().push(line.clone());
                let body = if line.starts_with("PUT /latest/api/token") {
                    "imds-token".to_owned()
                } else if line.contains("/security-credentials/ ")
                    || line.ends_with("/security-credentials/ HTTP/1.1")
                {
                    "ec2-role".to_owned()
                } else if line.contains("/security-credentials/ec2-role") {
                    r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDSKEY","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z","LastUpdated":"2026-11-30T00:00:00Z"}"#.to_owned()
                } else {
                    String::new()
                };
                let status = if body.is_empty() {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

/// Credentials from instance metadata at `ec2_metadata_service_endpoint`; none asked for with
/// `skip_metadata_api_check = true`. Only runs where the environment holds no credentials of its
/// own (they come first in the chain), which is how CI runs it.
#[tokio::test]
async fn instance_metadata_endpoint_and_its_switch() {
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some()
        || std::env::var_os("AWS_PROFILE").is_some()
        || std::env::var_os("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
    {
        panic!("unset AWS_ACCESS_KEY_ID / AWS_PROFILE / AWS_CONTAINER_* for this test");
    }
    let home = tempfile::tempdir().unwrap();
    let (url, seen) = metadata_server().await;
    let empty = home.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let files = Value::List(vec![s(&empty.display().to_string())]);
    let base = vec![
        ("region", s("us-east-1")),
        ("skip_credentials_validation", Value::Bool(true)),
        ("shared_config_files", files.clone()),
        ("shared_credentials_files", files),
        ("ec2_metadata_service_endpoint", s(&url)),
    ];
    let creds = credentials(&base).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(creds.access_key_id(), "ASIAIMDSKEY");
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("PUT /latest/api/token"))
    );

    seen.lock().unwrap().clear();
    let mut off = base.clone();
    off.push(("skip_metadata_api_check", s("true")));
    assert!(credentials(&off).await.is_err());
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );

    // IPv6 mode without an endpoint: the IPv6 address of the service is asked (and, here,
    // unreachable), not our IPv4 server.
    let mut v6 = base.clone();
    v6.retain(|(k, _)| *k != "ec2_metadata_service_endpoint");
    v6.push(("ec2_metadata_service_endpoint_mode", s("IPv6")));
    let text = credentials(&v6).await.unwrap_err();
    assert!(text.contains("fd00:ec2::254"), "{text}");
}

/// The trust store is built on the first https:// connection, not before, and not for http://.
#[test]
fn the_trust_store_is_built_only_for_https() {
    let plain = FaultProxy::start("http://127.0.0.1:9");
    let ca = TestCa::new(&["127.0.0.1"]);
    let tls = FaultProxy::start_tls("http://127.0.0.1:9", &ca);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &ca.ca_pem).unwrap();
    let http = ProviderHttpClient::new(HttpSettings {
        ca_bundle: Some(read_ca_bundle(&path.display().to_string()).unwrap()),
        ..HttpSettings::default()
    });
    let client = |endpoint: &str| {
        aws_sdk_cloudtrail::Client::from_conf(
            aws_sdk_cloudtrail::Config::builder()
                .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest())
                .region(aws_sdk_cloudtrail::config::Region::new("us-east-1"))
                .credentials_provider(aws_sdk_cloudtrail::config::Credentials::for_tests())
                .http_client(http.clone())
                .retry_config(aws_sdk_cloudtrail::config::retry::RetryConfig::disabled())
                .endpoint_url(endpoint)
                .build(),
        )
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let call = |endpoint: &str| {
        let _ = rt.block_on(
            client(endpoint)
                .get_event_data_store()
                .event_data_store("x")
                .send(),
        );
    };
    call(&plain.endpoint);
    assert_eq!(plain.total(), 1);
    assert!(!http.tls_loaded(), "an http:// call built the trust store");
    call(&tls.endpoint);
    assert!(http.tls_loaded());
    assert_eq!(tls.total(), 1, "the private CA was not trusted");
}
