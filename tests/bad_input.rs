//! Bad input: the fuzz corpus replayed (plus a short seeded mutation run) on the stable
//! toolchain, a table of malformed values sent straight to the real binary over gRPC (each must
//! get a clear error diagnostic, and the process must answer the next RPC), and malformed
//! configurations through a real client (tofu 1.12.6).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::fuzz_harness as harness;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::grpc::{Identity, Plugin};
use terraform_provider_cloudtrail::cty::{self, Type, Value};
use terraform_provider_cloudtrail::provider::Provider;
use tfplugin_proto::tfplugin6 as pb;
use tfplugin_proto::tfplugin6::provider_client::ProviderClient;
use tonic::transport::Channel;

// ---------------------------------------------------------------------------------------------
// Fuzz corpus replay and a short mutation run.

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file of the target's committed corpus and of its regression inputs (inputs that once
/// crashed, kept after the fix).
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

fn run_guarded(target: &str, f: harness::Check, input: &[u8], origin: &str) {
    if std::panic::catch_unwind(|| f(input)).is_err() {
        let keep = std::env::temp_dir().join(format!("fuzz-finding-{target}"));
        std::fs::write(&keep, input).unwrap();
        panic!(
            "{target} failed on {origin}; input saved to {} (reproduce with `cargo fuzz run {target} {}`)",
            keep.display(),
            keep.display()
        );
    }
}

#[test]
fn fuzz_corpus_replays_cleanly() {
    for (target, f) in harness::TARGETS {
        let files = corpus(target);
        assert!(
            files.len() >= 5,
            "{target}: corpus missing or too small under fuzz/corpus/{target}"
        );
        for (path, data) in &files {
            run_guarded(target, *f, data, &path.display().to_string());
        }
    }
}

/// A stable-toolchain stand-in for a short fuzz run: corpus inputs mutated with a fixed seed,
/// about a second per target.
#[test]
fn fuzz_short_mutation_run() {
    for (i, (target, f)) in harness::TARGETS.iter().enumerate() {
        let files = corpus(target);
        let mut m = harness::Mutator(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        let started = Instant::now();
        let mut execs = 0u64;
        while started.elapsed() < Duration::from_millis(1000) && execs < 50_000 {
            let a = &files[(execs as usize * 7) % files.len()].1;
            let b = &files[(execs as usize * 13 + 1) % files.len()].1;
            let input = m.mutate(a, b);
            run_guarded(target, *f, &input, &format!("mutation {execs}"));
            execs += 1;
        }
        eprintln!(
            "{target}: {execs} mutated inputs in {:?}",
            started.elapsed()
        );
        assert!(execs > 100, "{target}: only {execs} inputs ran");
    }
}

// ---------------------------------------------------------------------------------------------
// Malformed values over gRPC.

const RESOURCE: &str = "cloudtrail_ingestion_state";
const DATA_SOURCE: &str = "cloudtrail_event_data_store";
const GOOD_ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/good-store";
/// Same length as the bytes that replace it, so an encoding can be patched in place.
const PLACEHOLDER: &str = "@@PLACEHOLDER@@";

fn resource_type() -> Type {
    Provider::resource_schema(RESOURCE).unwrap().value_type()
}

fn data_source_type() -> Type {
    Provider::data_source_schema(DATA_SOURCE)
        .unwrap()
        .value_type()
}

fn provider_type() -> Type {
    Provider::provider_schema().value_type()
}

fn attrs(ty: &Type) -> &BTreeMap<String, Type> {
    match ty {
        Type::Object(a) => a,
        _ => unreachable!(),
    }
}

/// An object of `ty` with every attribute null but the given ones.
fn object(ty: &Type, set: &[(&str, Value)]) -> Value {
    let mut map: BTreeMap<String, Value> =
        attrs(ty).keys().map(|k| (k.clone(), Value::Null)).collect();
    for (k, v) in set {
        assert!(map.contains_key(*k), "{k} is not an attribute");
        map.insert((*k).to_owned(), v.clone());
    }
    Value::Object(map)
}

fn mp(value: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: cty::msgpack::encode(value, ty).unwrap(),
        json: vec![],
    }
}

fn raw(bytes: Vec<u8>) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: bytes,
        json: vec![],
    }
}

fn config(store: &str) -> Value {
    object(
        &resource_type(),
        &[("event_data_store", Value::string(store))],
    )
}

/// The encoding of `value` (of `ty`) with a placeholder string patched to `replacement`.
fn patched(value: &Value, ty: &Type, replacement: &[u8]) -> Vec<u8> {
    assert_eq!(replacement.len(), PLACEHOLDER.len());
    let mut bytes = cty::msgpack::encode(value, ty).unwrap();
    let at = bytes
        .windows(PLACEHOLDER.len())
        .position(|w| w == PLACEHOLDER.as_bytes())
        .unwrap();
    bytes[at..at + PLACEHOLDER.len()].copy_from_slice(replacement);
    bytes
}

/// The encoding of `value` with attribute `attr` encoded as `as_ty` instead of its own type.
fn wrong_type(ty: &Type, attr: &str, as_ty: Type, value: Value) -> pb::DynamicValue {
    let mut changed = attrs(ty).clone();
    changed.insert(attr.to_owned(), as_ty);
    let changed = Type::Object(changed);
    mp(&object(&changed, &[(attr, value)]), &changed)
}

enum Call {
    ValidateResource(pb::DynamicValue),
    ValidateResourceType(&'static str),
    Plan(pb::DynamicValue),
    Apply(pb::DynamicValue),
    /// Apply of a create whose configuration differs from the planned state.
    ApplyPlanned {
        config: pb::DynamicValue,
        planned: pb::DynamicValue,
    },
    ValidateProvider(pb::DynamicValue),
    Configure(pb::DynamicValue),
    ValidateData(pb::DynamicValue),
    ReadData(pb::DynamicValue),
    Read(pb::DynamicValue),
    Upgrade {
        version: i64,
        json: Vec<u8>,
        flatmap: bool,
    },
    Import(String),
}

async fn call(client: &mut ProviderClient<Channel>, call: Call) -> Vec<pb::Diagnostic> {
    let ty = resource_type();
    match call {
        Call::ValidateResource(config) => {
            client
                .validate_resource_config(pb::validate_resource_config::Request {
                    type_name: RESOURCE.into(),
                    config: Some(config),
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::ValidateResourceType(type_name) => {
            client
                .validate_resource_config(pb::validate_resource_config::Request {
                    type_name: type_name.into(),
                    config: Some(mp(&config(GOOD_ARN), &ty)),
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::Plan(config) => {
            client
                .plan_resource_change(pb::plan_resource_change::Request {
                    type_name: RESOURCE.into(),
                    prior_state: None,
                    proposed_new_state: Some(config.clone()),
                    config: Some(config),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::Apply(config) => {
            client
                .apply_resource_change(pb::apply_resource_change::Request {
                    type_name: RESOURCE.into(),
                    prior_state: None,
                    planned_state: Some(config.clone()),
                    config: Some(config),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::ApplyPlanned { config, planned } => {
            client
                .apply_resource_change(pb::apply_resource_change::Request {
                    type_name: RESOURCE.into(),
                    prior_state: None,
                    planned_state: Some(planned),
                    config: Some(config),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::ValidateProvider(config) => {
            client
                .validate_provider_config(pb::validate_provider_config::Request {
                    config: Some(config),
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::Configure(config) => {
            client
                .configure_provider(pb::configure_provider::Request {
                    terraform_version: support::pinned("TOFU_1_12").into(),
                    config: Some(config),
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::ValidateData(config) => {
            client
                .validate_data_resource_config(pb::validate_data_resource_config::Request {
                    type_name: DATA_SOURCE.into(),
                    config: Some(config),
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::ReadData(config) => {
            client
                .read_data_source(pb::read_data_source::Request {
                    type_name: DATA_SOURCE.into(),
                    config: Some(config),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::Read(state) => {
            client
                .read_resource(pb::read_resource::Request {
                    type_name: RESOURCE.into(),
                    current_state: Some(state),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::Upgrade {
            version,
            json,
            flatmap,
        } => {
            client
                .upgrade_resource_state(pb::upgrade_resource_state::Request {
                    type_name: RESOURCE.into(),
                    version,
                    raw_state: Some(pb::RawState {
                        json,
                        flatmap: if flatmap {
                            [("id".to_owned(), "x".to_owned())].into()
                        } else {
                            Default::default()
                        },
                    }),
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
        Call::Import(id) => {
            client
                .import_resource_state(pb::import_resource_state::Request {
                    type_name: RESOURCE.into(),
                    id,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .diagnostics
        }
    }
}

/// The table: (case, call, a phrase the error diagnostic must contain).
fn cases() -> Vec<(String, Call, &'static str)> {
    let ty = resource_type();
    let dty = data_source_type();
    let pty = provider_type();
    let mut cases: Vec<(String, Call, &'static str)> = Vec::new();

    // Bad ARNs and IDs of every kind, through validate, plan, the data source and import.
    let huge = "a".repeat(1 << 20);
    let bad_refs: Vec<(String, &'static str)> = vec![
        (String::new(), "too short (0 characters)"),
        ("ab".into(), "too short (2 characters)"),
        ("a".repeat(257), "too long (257 characters)"),
        (huge, "too long (1048576 characters)"),
        ("has space".into(), "character ' ' is not allowed"),
        ("tab\there".into(), "character '\\t' is not allowed"),
        ("nul\0byte".into(), "character '\\0' is not allowed"),
        (
            "esc\u{1b}[31mred".into(),
            "character '\\u{1b}' is not allowed",
        ),
        ("new\nline".into(), "character '\\n' is not allowed"),
        ("del\u{7f}ete".into(), "character '\\u{7f}' is not allowed"),
        ("bidi\u{202e}txt".into(), "is not allowed"),
        ("\u{fc}n\u{ef}code".into(), "is not allowed"),
        ("emoji\u{1F600}".into(), "is not allowed"),
        ("arn:aws:cloudtrail".into(), "six ':'-separated parts"),
        // The ARN's region becomes the endpoint's host name: a host of its own is refused.
        (
            "arn:aws:cloudtrail:evil.example.com/x:123456789012:eventdatastore/abc".into(),
            "region \"evil.example.com/x\" is not a region of partition aws",
        ),
        (
            "arn:aws-cn:cloudtrail:us-east-1:123456789012:eventdatastore/abc".into(),
            "is not a region of partition aws-cn",
        ),
        (
            "arn::cloudtrail:us-east-1:123456789012:eventdatastore/x".into(),
            "no partition",
        ),
        (
            "arn:aws:s3:us-east-1:123456789012:eventdatastore/x".into(),
            "not cloudtrail",
        ),
        (
            "arn:aws:cloudtrail::123456789012:eventdatastore/x".into(),
            "no region",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:1234:eventdatastore/x".into(),
            "not 12 digits",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:12345678901a:eventdatastore/x".into(),
            "not 12 digits",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/x".into(),
            "must start with \"eventdatastore/\"",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:123456789012:".into(),
            "must start with \"eventdatastore/\"",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/".into(),
            "empty event data store id",
        ),
    ];
    for (value, phrase) in bad_refs {
        let short: String = format!("{value:?}").chars().take(40).collect();
        cases.push((
            format!("validate event_data_store={short}"),
            Call::ValidateResource(mp(&config(&value), &ty)),
            phrase,
        ));
        cases.push((
            format!("plan event_data_store={short}"),
            Call::Plan(mp(&config(&value), &ty)),
            phrase,
        ));
        cases.push((
            format!("data source event_data_store={short}"),
            Call::ValidateData(mp(
                &object(&dty, &[("event_data_store", Value::string(&value))]),
                &dty,
            )),
            phrase,
        ));
        cases.push((format!("import id={short}"), Call::Import(value), phrase));
    }

    // Durations.
    let tty = &attrs(&ty)["timeouts"];
    for bad in ["forever", "10", "-1s", "99999h", "1..2s", "", "\u{1b}m"] {
        let timeouts = object(tty, &[("create", Value::string(bad))]);
        cases.push((
            format!("timeouts.create={bad:?}"),
            Call::ValidateResource(mp(
                &object(
                    &ty,
                    &[
                        ("event_data_store", Value::string(GOOD_ARN)),
                        ("timeouts", timeouts),
                    ],
                ),
                &ty,
            )),
            "is not a duration",
        ));
    }

    // Wrong types on the wire.
    cases.push((
        "event_data_store as a number".into(),
        Call::ValidateResource(wrong_type(
            &ty,
            "event_data_store",
            Type::Number,
            Value::int(42),
        )),
        "a string is required",
    ));
    cases.push((
        "event_data_store as a list".into(),
        Call::Plan(wrong_type(
            &ty,
            "event_data_store",
            Type::list(Type::String),
            Value::List(vec![Value::string("a")]),
        )),
        "a string is required",
    ));
    cases.push((
        "ingestion_enabled as a string".into(),
        Call::ValidateResource(wrong_type(
            &ty,
            "ingestion_enabled",
            Type::String,
            Value::string("yes"),
        )),
        "a bool is required",
    ));
    cases.push((
        "stop_on_destroy as a number".into(),
        Call::Apply(wrong_type(
            &ty,
            "stop_on_destroy",
            Type::Number,
            Value::int(1),
        )),
        "a bool is required",
    ));
    cases.push((
        "timeouts as a list".into(),
        Call::ValidateResource(wrong_type(
            &ty,
            "timeouts",
            Type::list(Type::String),
            Value::List(vec![]),
        )),
        "an object is required",
    ));
    cases.push((
        "max_retries as a string".into(),
        Call::ValidateProvider(wrong_type(
            &pty,
            "max_retries",
            Type::String,
            Value::string("many"),
        )),
        "is not a valid number",
    ));
    cases.push((
        "config as an array".into(),
        Call::ValidateResource(raw(vec![0x92, 0x01, 0x02])),
        "an object is required",
    ));
    cases.push((
        "config as a bare string".into(),
        Call::Configure(raw(vec![0xa3, b'a', b'b', b'c'])),
        "an object is required",
    ));
    let mut extra = attrs(&ty).clone();
    extra.insert("bogus".into(), Type::String);
    let extra = Type::Object(extra);
    cases.push((
        "unsupported attribute".into(),
        Call::ValidateResource(mp(&object(&extra, &[]), &extra)),
        "unsupported attribute",
    ));
    let mut fewer = attrs(&ty).clone();
    fewer.remove("status");
    let fewer = Type::Object(fewer);
    cases.push((
        "missing attribute".into(),
        Call::Plan(mp(&object(&fewer, &[]), &fewer)),
        "attribute is missing",
    ));
    let mut dup = vec![0x82];
    for _ in 0..2 {
        dup.push(0xa2);
        dup.extend_from_slice(b"id");
        dup.push(0xc0);
    }
    cases.push((
        "duplicate attribute".into(),
        Call::ValidateResource(raw(dup)),
        "duplicate attribute",
    ));

    // Numbers the provider block cannot take.
    for (n, phrase) in [
        (Value::int(-1), "from 0 to 1000"),
        (Value::int(1_000_000), "from 0 to 1000"),
        (
            Value::Number(cty::Number::Float(1.5)),
            "whole number from 0 to 1000",
        ),
        (
            Value::Number(cty::Number::Decimal("1e999".into())),
            "from 0 to 1000",
        ),
    ] {
        cases.push((
            format!("max_retries={n:?}"),
            Call::ValidateProvider(mp(&object(&pty, &[("max_retries", n)]), &pty)),
            phrase,
        ));
    }
    let mut nan =
        cty::msgpack::encode(&object(&pty, &[("max_retries", Value::int(0))]), &pty).unwrap();
    let at = nan
        .windows(12)
        .position(|w| w == b"\xabmax_retries")
        .unwrap()
        + 12;
    nan.splice(at..at + 1, [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]);
    cases.push((
        "max_retries=NaN".into(),
        Call::Configure(raw(nan)),
        "NaN is not a valid number",
    ));
    let ety = &attrs(&pty)["endpoints"];
    let Type::List(aty) = &attrs(&pty)["assume_role"] else {
        panic!("assume_role is a list of blocks")
    };
    let aty = aty.as_ref();
    let wty = &attrs(&pty)["assume_role_with_web_identity"];
    let role = |set: &[(&str, Value)]| {
        object(
            &pty,
            &[("assume_role", Value::List(vec![object(aty, set)]))],
        )
    };
    let good_role = (
        "role_arn",
        Value::string("arn:aws:iam::123456789012:role/r"),
    );
    let strings = |items: &[&str]| Value::Set(items.iter().map(|s| Value::string(*s)).collect());
    // (name, value, phrase, checked at validate too): files are only read at configure.
    for (name, value, phrase, at_validate) in [
        (
            "retry_mode",
            object(&pty, &[("retry_mode", Value::string("fast"))]),
            "\"standard\" or \"adaptive\"",
            true,
        ),
        (
            "plan_checks",
            object(&pty, &[("plan_checks", Value::string("strict"))]),
            "plan_checks must be \"warn\", \"error\" or \"off\", got \"strict\"",
            true,
        ),
        (
            "endpoint scheme",
            object(
                &pty,
                &[(
                    "endpoints",
                    object(ety, &[("cloudtrail", Value::string("ftp://127.0.0.1"))]),
                )],
            ),
            "endpoints.cloudtrail must be an http:// or https:// URL",
            true,
        ),
        (
            "sts endpoint without a scheme",
            object(
                &pty,
                &[(
                    "endpoints",
                    object(ety, &[("sts", Value::string("127.0.0.1:5000"))]),
                )],
            ),
            "endpoints.sts must be an http:// or https:// URL",
            true,
        ),
        (
            "access_key alone",
            object(&pty, &[("access_key", Value::string("AKIAEXAMPLE"))]),
            "secret_key is not set",
            true,
        ),
        (
            "assume_role without role_arn",
            role(&[]),
            "assume_role[0].role_arn is required",
            true,
        ),
        (
            "assume_role with a role_arn that is no ARN",
            role(&[("role_arn", Value::string("not-an-arn"))]),
            "assume_role[0].role_arn must be the ARN of an IAM role, arn:<partition>:iam::<12-digit account>:role/<name>, such as arn:aws:iam::123456789012:role/deploy; got \"not-an-arn\"",
            true,
        ),
        (
            "assume_role with a user ARN",
            role(&[(
                "role_arn",
                Value::string("arn:aws:iam::123456789012:user/me"),
            )]),
            "must be the ARN of an IAM role",
            true,
        ),
        (
            "assume_role duration",
            role(&[good_role.clone(), ("duration", Value::string("1s"))]),
            "from 15m to 12h, got \"1s\"",
            true,
        ),
        (
            "assume_role policy that is not JSON",
            role(&[good_role.clone(), ("policy", Value::string("{not json"))]),
            "assume_role[0].policy must be an IAM policy in JSON",
            true,
        ),
        (
            "assume_role policy_arns with a role ARN",
            role(&[
                good_role.clone(),
                (
                    "policy_arns",
                    strings(&["arn:aws:iam::123456789012:role/r"]),
                ),
            ]),
            "must be the ARN of a managed IAM policy",
            true,
        ),
        (
            "web identity role_arn that is no ARN",
            object(
                &pty,
                &[(
                    "assume_role_with_web_identity",
                    object(
                        wty,
                        &[
                            ("role_arn", Value::string("arn:aws:iam::12:role/ci")),
                            ("web_identity_token", Value::string("token")),
                        ],
                    ),
                )],
            ),
            "assume_role_with_web_identity.role_arn must be the ARN of an IAM role",
            true,
        ),
        (
            "web identity token file missing",
            object(
                &pty,
                &[(
                    "assume_role_with_web_identity",
                    object(
                        wty,
                        &[
                            (
                                "role_arn",
                                Value::string("arn:aws:iam::123456789012:role/ci"),
                            ),
                            (
                                "web_identity_token_file",
                                Value::string("/nonexistent/oidc-token"),
                            ),
                        ],
                    ),
                )],
            ),
            "web_identity_token_file names \"/nonexistent/oidc-token\", which cannot be read",
            false,
        ),
        (
            "CA bundle file missing",
            object(
                &pty,
                &[("custom_ca_bundle", Value::string("/nonexistent/ca.pem"))],
            ),
            "custom_ca_bundle: cannot read \"/nonexistent/ca.pem\"",
            false,
        ),
        (
            "CA bundle that holds no certificate",
            object(
                &pty,
                &[("custom_ca_bundle", Value::string("/etc/hostname"))],
            ),
            "holds no PEM certificate",
            false,
        ),
        (
            "proxy URL that is no URL",
            object(&pty, &[("https_proxy", Value::string("proxy corp 8080"))]),
            "https_proxy must be an http:// or https:// URL",
            true,
        ),
        (
            "both account lists",
            object(
                &pty,
                &[
                    ("allowed_account_ids", strings(&["111111111111"])),
                    ("forbidden_account_ids", strings(&["222222222222"])),
                ],
            ),
            "Set allowed_account_ids or forbidden_account_ids, not both.",
            true,
        ),
        (
            "account ID that is not 12 digits",
            object(&pty, &[("allowed_account_ids", strings(&["12345"]))]),
            "must be a 12-digit AWS account ID, got \"12345\"",
            true,
        ),
        (
            "account rules with skip_requesting_account_id",
            object(
                &pty,
                &[
                    ("allowed_account_ids", strings(&["111111111111"])),
                    ("skip_requesting_account_id", Value::Bool(true)),
                ],
            ),
            "skip_requesting_account_id = true leaves",
            true,
        ),
        (
            "region that is no region",
            object(&pty, &[("region", Value::string("moon-base"))]),
            "region must be an AWS region name such as us-east-1, got \"moon-base\"",
            true,
        ),
        (
            "skip_metadata_api_check that is no boolean",
            object(&pty, &[("skip_metadata_api_check", Value::string("maybe"))]),
            "skip_metadata_api_check must be \"\", \"true\" or \"false\"",
            true,
        ),
        (
            "ec2_metadata_service_endpoint_mode",
            object(
                &pty,
                &[("ec2_metadata_service_endpoint_mode", Value::string("IPv5"))],
            ),
            "must be \"IPv4\" or \"IPv6\"",
            true,
        ),
    ] {
        if at_validate {
            cases.push((
                format!("provider {name} (validate)"),
                Call::ValidateProvider(mp(&value, &pty)),
                phrase,
            ));
        }
        cases.push((
            format!("provider {name} (configure)"),
            Call::Configure(mp(&value, &pty)),
            phrase,
        ));
    }

    // Unknowns and nulls where a value is needed.
    cases.push((
        "apply with an unknown event_data_store".into(),
        Call::Apply(mp(&config_with(Value::Unknown), &ty)),
        "event_data_store",
    ));
    cases.push((
        "apply with a null event_data_store".into(),
        Call::Apply(mp(&config_with(Value::Null), &ty)),
        "event_data_store must be set",
    ));
    cases.push((
        "apply with a null configuration".into(),
        Call::ApplyPlanned {
            config: raw(vec![0xc0]),
            planned: mp(&config(GOOD_ARN), &ty),
        },
        "event_data_store must be set",
    ));
    cases.push((
        "refresh of a state with a bad event_data_store".into(),
        Call::Read(mp(&config("bad value"), &ty)),
        "Invalid state",
    ));
    cases.push((
        "unknown resource type".into(),
        Call::ValidateResourceType("cloudtrail_nope"),
        "no resource type \"cloudtrail_nope\"",
    ));

    // Non-UTF-8 bytes.
    let placeholder = config(PLACEHOLDER);
    cases.push((
        "non-UTF-8 event_data_store".into(),
        Call::ValidateResource(raw(patched(
            &placeholder,
            &ty,
            b"\xff\xfe\xfd-not-utf8-\xc0\x80",
        ))),
        "string is not valid UTF-8",
    ));
    cases.push((
        "non-UTF-8 event_data_store in apply".into(),
        Call::Apply(raw(patched(&placeholder, &ty, b"\xed\xa0\x80 surrogate ."))),
        "string is not valid UTF-8",
    ));
    let mut with_key = attrs(&ty).clone();
    with_key.insert(PLACEHOLDER.into(), Type::String);
    let with_key = Type::Object(with_key);
    cases.push((
        "non-UTF-8 attribute name".into(),
        Call::ValidateResource(raw(patched(
            &object(&with_key, &[]),
            &with_key,
            b"\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e",
        ))),
        "not valid UTF-8",
    ));
    cases.push((
        "non-UTF-8 JSON DynamicValue".into(),
        Call::ValidateResource(pb::DynamicValue {
            msgpack: vec![],
            json: b"{\"event_data_store\":\"\xff\xfe\"}".to_vec(),
        }),
        "resource configuration",
    ));
    cases.push((
        "non-UTF-8 stored state".into(),
        Call::Upgrade {
            version: 0,
            json: b"{\"event_data_store\":\"ab\xffcd\"}".to_vec(),
            flatmap: false,
        },
        "could not be read",
    ));

    // Broken encodings.
    let good = cty::msgpack::encode(&config(GOOD_ARN), &ty).unwrap();
    let mut trailing = good.clone();
    trailing.push(0xc0);
    cases.push((
        "trailing bytes".into(),
        Call::ValidateResource(raw(trailing)),
        "unexpected trailing bytes",
    ));
    cases.push((
        "reserved msgpack marker".into(),
        Call::ValidateResource(raw(vec![0xc1])),
        "an object is required",
    ));
    cases.push((
        "array claiming 4 billion elements".into(),
        Call::ValidateResource(raw(vec![0xdd, 0xff, 0xff, 0xff, 0xff])),
        "an object is required",
    ));
    cases.push((
        "map claiming 4 billion attributes".into(),
        Call::Plan(raw(vec![0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0])),
        "object attribute names must be strings",
    ));
    cases.push((
        "extension claiming 4 GiB".into(),
        Call::ValidateResource(raw(vec![0xc9, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01])),
        "unexpected end of input",
    ));
    cases.push((
        "string claiming 4 GiB".into(),
        Call::Apply(raw(vec![0x81, 0xdb, 0xff, 0xff, 0xff, 0xff, b'a'])),
        "unexpected end of input",
    ));
    cases.push((
        "malformed JSON DynamicValue".into(),
        Call::ValidateResource(pb::DynamicValue {
            msgpack: vec![],
            json: b"{\"event_data_store\": [".to_vec(),
        }),
        "resource configuration",
    ));
    cases.push((
        "malformed stored state".into(),
        Call::Upgrade {
            version: 0,
            json: b"{\"event_data_store\":".to_vec(),
            flatmap: false,
        },
        "Invalid stored state",
    ));
    cases.push((
        "flatmap stored state".into(),
        Call::Upgrade {
            version: 0,
            json: vec![],
            flatmap: true,
        },
        "flatmap",
    ));
    cases.push((
        "state from a newer schema".into(),
        Call::Upgrade {
            version: 99,
            json: b"{}".to_vec(),
            flatmap: false,
        },
        "newer provider",
    ));
    cases
}

fn config_with(store: Value) -> Value {
    object(&resource_type(), &[("event_data_store", store)])
}

/// Control characters a terminal would act on; newlines separate a detail's lines.
fn has_raw_control(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
}

/// The process answers the next RPC correctly: a good configuration validates cleanly.
async fn assert_healthy(client: &mut ProviderClient<Channel>, plugin: &mut Plugin, after: &str) {
    let diags = call(
        client,
        Call::ValidateResource(mp(&config(GOOD_ARN), &resource_type())),
    )
    .await;
    assert!(diags.is_empty(), "after {after}: {diags:?}");
    client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap_or_else(|e| panic!("after {after}: GetMetadata failed: {e}"));
    assert!(plugin.alive(), "provider exited after {after}");
}

#[tokio::test]
async fn malformed_values_over_grpc_get_clear_diagnostics() {
    run_table(cases()).await;
}

/// Inputs that once got no clear answer (found by this suite, since fixed): a data source read
/// with a null or unknown store, and a huge value that must not be echoed whole.
#[tokio::test]
async fn formerly_unanswered_inputs() {
    let dty = data_source_type();
    run_table(vec![
        (
            "data source read with a null event_data_store".into(),
            Call::ReadData(mp(&object(&dty, &[]), &dty)),
            "event_data_store",
        ),
        (
            "data source read with an unknown event_data_store".into(),
            Call::ReadData(mp(
                &object(&dty, &[("event_data_store", Value::Unknown)]),
                &dty,
            )),
            "event_data_store",
        ),
        (
            "a 1 MiB ID is refused without being echoed whole".into(),
            Call::Import("a".repeat(1 << 20)),
            "too long (1048576 characters)",
        ),
    ])
    .await;
}

/// Runs each case on one provider process: every one must answer with an error diagnostic that
/// contains its phrase, with a summary and a detail, no raw control characters and at most 4 KiB
/// of text (no input is echoed whole); and the process must then answer a good request.
async fn run_table(cases: Vec<(String, Call, &'static str)>) {
    let identity = Identity::new();
    let mut plugin = Plugin::spawn(Some(&identity), &[]);
    let mut client = plugin.client(&identity).await;
    let mut failures = Vec::new();
    let mut count = 0;
    let mut longest = (0usize, String::new());
    for (name, c, phrase) in cases {
        count += 1;
        let diags = call(&mut client, c).await;
        let errors: Vec<&pb::Diagnostic> = diags
            .iter()
            .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
            .collect();
        let text: String = errors
            .iter()
            .map(|d| format!("{} | {}\n", d.summary, d.detail))
            .collect();
        if errors.is_empty() {
            failures.push(format!("{name}: no error diagnostic ({diags:?})"));
        } else if text.len() > 4096 {
            failures.push(format!("{name}: {} bytes of diagnostic", text.len()));
        } else if !text.contains(phrase) {
            failures.push(format!("{name}: {phrase:?} not in {text:?}"));
        } else if errors
            .iter()
            .any(|d| d.summary.is_empty() || d.detail.is_empty())
        {
            failures.push(format!("{name}: empty summary or detail: {text:?}"));
        } else if has_raw_control(&text) {
            failures.push(format!("{name}: raw control character in {text:?}"));
        }
        for d in &errors {
            if d.detail.len() > longest.0 {
                longest = (d.detail.len(), name.clone());
            }
        }
        assert_healthy(&mut client, &mut plugin, &name).await;
    }
    eprintln!(
        "{count} malformed inputs; longest detail {} bytes ({})",
        longest.0, longest.1
    );
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every strict prefix of a valid configuration is refused with a diagnostic (the empty one is
/// null, as Terraform means it), and none takes the process down.
#[tokio::test]
async fn truncated_msgpack_at_every_length() {
    let identity = Identity::new();
    let mut plugin = Plugin::spawn(Some(&identity), &[]);
    let mut client = plugin.client(&identity).await;
    let ty = resource_type();
    let timeouts = object(&attrs(&ty)["timeouts"], &[("create", Value::string("5m"))]);
    let full = cty::msgpack::encode(
        &object(
            &ty,
            &[
                ("event_data_store", Value::string(GOOD_ARN)),
                ("ingestion_enabled", Value::Bool(true)),
                ("timeouts", timeouts),
            ],
        ),
        &ty,
    )
    .unwrap();
    for len in 1..full.len() {
        let diags = call(&mut client, Call::Plan(raw(full[..len].to_vec()))).await;
        assert!(
            diags
                .iter()
                .any(|d| d.summary.contains("Invalid") && !d.detail.is_empty()),
            "prefix of {len} bytes: {diags:?}"
        );
    }
    eprintln!(
        "{} truncations of a {}-byte configuration refused",
        full.len() - 1,
        full.len()
    );
    assert_healthy(&mut client, &mut plugin, "truncations").await;
}

/// A large DynamicValue (16 MiB string) is decoded and refused, not dropped by a message limit.
#[tokio::test]
async fn oversized_message_is_a_diagnostic() {
    let identity = Identity::new();
    let mut plugin = Plugin::spawn(Some(&identity), &[]);
    let mut client = plugin.client(&identity).await;
    let ty = resource_type();
    let diags = call(
        &mut client,
        Call::ValidateResource(mp(&config(&"x".repeat(16 << 20)), &ty)),
    )
    .await;
    assert!(
        diags
            .iter()
            .any(|d| d.detail.contains("too long (16777216 characters)")),
        "{}",
        diags.first().map(|d| d.summary.as_str()).unwrap_or("none")
    );
    assert_healthy(&mut client, &mut plugin, "a 16 MiB value").await;
}

// ---------------------------------------------------------------------------------------------
// Malformed configurations through a real client.

/// Malformed configurations through OpenTofu 1.12.6: the provider's own checks (ARN rule,
/// durations, the provider block) and Terraform's (types, required arguments) each give a
/// diagnostic naming the problem.
#[test]
fn malformed_configurations_through_tofu() {
    let Some(bin) = support::client_binary(support::newest_tofu()) else {
        return;
    };
    let wd = support::Workdir::new("bad-input", bin);
    let header = r#"terraform {
  required_providers {
    cloudtrail = { source = "cloudtrail-lake/cloudtrail" }
  }
}
"#;
    let resources = [
        ("esc", "\"esc\\u001b[31m\"", "'\\u{1b}' is not allowed"),
        ("long", "format(\"%0300d\", 0)", "too long (300 characters)"),
        (
            "account",
            "\"arn:aws:cloudtrail:us-east-1:12:eventdatastore/x\"",
            "not 12 digits",
        ),
        ("nul", "\"nul\\u0000\"", "'\\0' is not allowed"),
        ("unicode", "\"st\u{f6}re\"", "'\u{f6}' is not allowed"),
    ];
    let mut config = header.to_owned() + "provider \"cloudtrail\" {\n  region = \"us-east-1\"\n}\n";
    for (name, expr, _) in &resources {
        config += &format!(
            "resource \"cloudtrail_ingestion_state\" \"{name}\" {{\n  event_data_store = {expr}\n}}\n"
        );
    }
    config += r#"resource "cloudtrail_ingestion_state" "timeouts" {
  event_data_store = "good-store-id"
  timeouts {
    create = "forever"
  }
}
resource "cloudtrail_ingestion_state" "wrong_type" {
  event_data_store  = "good-store-id"
  ingestion_enabled = "maybe"
}
resource "cloudtrail_ingestion_state" "null_required" {
  event_data_store = null
}
resource "cloudtrail_ingestion_state" "list" {
  event_data_store = ["a", "b"]
}
"#;
    wd.write("main.tf", &config);
    let run = wd.run(&["validate", "-no-color"]);
    assert_ne!(run.code, 0, "{}", run.text());
    let text = run.text();
    for (_, _, phrase) in &resources {
        assert!(text.contains(phrase), "missing {phrase:?} in\n{text}");
    }
    for phrase in [
        "\"forever\" is not a duration",
        // Terraform's own checks for types and required arguments.
        "Inappropriate value for attribute \"ingestion_enabled\"",
        "Inappropriate value for attribute \"event_data_store\"",
        "event_data_store",
    ] {
        assert!(text.contains(phrase), "missing {phrase:?} in\n{text}");
    }
    assert!(!has_raw_control(&text), "raw control character in\n{text}");

    // The provider block's own problems.
    wd.write(
        "main.tf",
        &(header.to_owned()
            + r#"provider "cloudtrail" {
  region      = "us-east-1"
  max_retries = -1
  retry_mode  = "fast"
  plan_checks = "Warn"
  access_key  = "AKIAONLYTHEKEY"
  endpoints { cloudtrail = "ftp://127.0.0.1:9" }
  https_proxy = "proxy corp 8080"
  assume_role {
    role_arn = "arn:aws:iam::123456789012:role/r"
    duration = "1s"
  }
  assume_role {
    role_arn = "not-an-arn"
  }
}
resource "cloudtrail_ingestion_state" "ok" {
  event_data_store = "good-store-id"
}
"#),
    );
    let run = wd.run(&["validate", "-no-color"]);
    assert_ne!(run.code, 0, "{}", run.text());
    // The client wraps long details; compare with the wrapping undone.
    let text = support::flat(&run.text());
    for phrase in [
        "from 0 to 1000",
        "\"standard\" or \"adaptive\"",
        "endpoints.cloudtrail must be an http:// or https:// URL",
        "https_proxy must be an http:// or https:// URL",
        "secret_key is not set",
        "assume_role[0].duration must be a duration such as \"1h\" from 15m to 12h",
        "assume_role[1].role_arn must be the ARN of an IAM role",
        "plan_checks must be \"warn\", \"error\" or \"off\", got \"Warn\"",
    ] {
        assert!(text.contains(phrase), "missing {phrase:?} in\n{text}");
    }
}
