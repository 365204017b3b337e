//! Bad input: the fuzz corpus replayed (plus a short seeded mutation run) on the stable
//! toolchain, a table of malformed values sent straight to the real binary over gRPC (each must
//! get a clear error diagnostic, and the process must answer the next RPC; the table is data, in
//! `tests/bad_input/cases.json`), and malformed configurations through a real client (tofu 1.12.6).
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

// The types a case of the table targets unless it names another (`type`).
const RESOURCE: &str = "cloudtrail_ingestion_state";
const DATA_SOURCE: &str = "cloudtrail_event_data_store";
const GOOD_ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/good-store";

/// The table's data files and their loader.
mod bad_input {
    pub(crate) mod table;
}
use bad_input::table::{self, Case};

fn resource_type() -> Type {
    Provider::resource_schema(RESOURCE).unwrap().value_type()
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

/// One RPC with the values it sends.
enum Call {
    ValidateResource {
        type_name: String,
        config: pb::DynamicValue,
    },
    /// A create's plan: no prior state, the configuration as the proposed new state.
    Plan {
        type_name: String,
        config: pb::DynamicValue,
    },
    /// A create's apply.
    Apply {
        type_name: String,
        config: pb::DynamicValue,
        planned: pb::DynamicValue,
    },
    ValidateProvider(pb::DynamicValue),
    Configure(pb::DynamicValue),
    ValidateData {
        type_name: String,
        config: pb::DynamicValue,
    },
    ReadData {
        type_name: String,
        config: pb::DynamicValue,
    },
    Read {
        type_name: String,
        state: pb::DynamicValue,
    },
    Upgrade {
        type_name: String,
        version: i64,
        raw_state: pb::RawState,
    },
    Import {
        type_name: String,
        id: String,
    },
}

/// The diagnostics an RPC answers (a gRPC error fails the test).
macro_rules! diagnostics {
    ($rpc:expr) => {
        $rpc.await.unwrap().into_inner().diagnostics
    };
}

async fn call(client: &mut ProviderClient<Channel>, call: Call) -> Vec<pb::Diagnostic> {
    match call {
        Call::ValidateResource { type_name, config } => {
            diagnostics!(
                client.validate_resource_config(pb::validate_resource_config::Request {
                    type_name,
                    config: Some(config),
                    client_capabilities: None,
                })
            )
        }
        Call::Plan { type_name, config } => {
            diagnostics!(
                client.plan_resource_change(pb::plan_resource_change::Request {
                    type_name,
                    prior_state: None,
                    proposed_new_state: Some(config.clone()),
                    config: Some(config),
                    ..Default::default()
                })
            )
        }
        Call::Apply {
            type_name,
            config,
            planned,
        } => {
            diagnostics!(
                client.apply_resource_change(pb::apply_resource_change::Request {
                    type_name,
                    prior_state: None,
                    planned_state: Some(planned),
                    config: Some(config),
                    ..Default::default()
                })
            )
        }
        Call::ValidateProvider(config) => {
            diagnostics!(
                client.validate_provider_config(pb::validate_provider_config::Request {
                    config: Some(config),
                })
            )
        }
        Call::Configure(config) => {
            diagnostics!(client.configure_provider(pb::configure_provider::Request {
                terraform_version: support::pinned("TOFU_1_12").into(),
                config: Some(config),
                client_capabilities: None,
            }))
        }
        Call::ValidateData { type_name, config } => {
            diagnostics!(client.validate_data_resource_config(
                pb::validate_data_resource_config::Request {
                    type_name,
                    config: Some(config),
                }
            ))
        }
        Call::ReadData { type_name, config } => {
            diagnostics!(client.read_data_source(pb::read_data_source::Request {
                type_name,
                config: Some(config),
                ..Default::default()
            }))
        }
        Call::Read { type_name, state } => {
            diagnostics!(client.read_resource(pb::read_resource::Request {
                type_name,
                current_state: Some(state),
                ..Default::default()
            }))
        }
        Call::Upgrade {
            type_name,
            version,
            raw_state,
        } => {
            diagnostics!(
                client.upgrade_resource_state(pb::upgrade_resource_state::Request {
                    type_name,
                    version,
                    raw_state: Some(raw_state),
                })
            )
        }
        Call::Import { type_name, id } => {
            diagnostics!(
                client.import_resource_state(pb::import_resource_state::Request {
                    type_name,
                    id,
                    ..Default::default()
                })
            )
        }
    }
}

/// Control characters a terminal would act on; newlines separate a detail's lines.
fn has_raw_control(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
}

/// A provider process and a client of it, over mTLS as Terraform connects.
async fn started() -> (Plugin, ProviderClient<Channel>) {
    let identity = Identity::new();
    let plugin = Plugin::spawn(Some(&identity), &[]);
    let client = plugin.client(&identity).await;
    (plugin, client)
}

/// The process answers the next RPC correctly: a good configuration validates cleanly.
async fn assert_healthy(client: &mut ProviderClient<Channel>, plugin: &mut Plugin, after: &str) {
    let good = Call::ValidateResource {
        type_name: RESOURCE.into(),
        config: mp(&config(GOOD_ARN), &resource_type()),
    };
    let diags = call(client, good).await;
    assert!(diags.is_empty(), "after {after}: {diags:?}");
    client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap_or_else(|e| panic!("after {after}: GetMetadata failed: {e}"));
    assert!(plugin.alive(), "provider exited after {after}");
}

/// The table in `tests/bad_input/cases.json` (its README says how to add a case).
#[tokio::test]
async fn malformed_values_over_grpc_get_clear_diagnostics() {
    run_table(table::load(
        "tests/bad_input/cases.json",
        include_str!("bad_input/cases.json"),
    ))
    .await;
}

/// Inputs that once got no clear answer (found by this suite, since fixed): a data source read
/// with a null or unknown store, and a huge value that must not be echoed whole. The same table
/// format, in `tests/bad_input/formerly_unanswered.json`.
#[tokio::test]
async fn formerly_unanswered_inputs() {
    run_table(table::load(
        "tests/bad_input/formerly_unanswered.json",
        include_str!("bad_input/formerly_unanswered.json"),
    ))
    .await;
}

/// Runs each case on one provider process: every one must answer with an error diagnostic that
/// contains its phrase, with a summary and a detail, no raw control characters and at most 4 KiB
/// of text (no input is echoed whole); and the process must then answer a good request.
async fn run_table(cases: Vec<Case>) {
    let (mut plugin, mut client) = started().await;
    let mut failures = Vec::new();
    let mut count = 0;
    let mut longest = (0usize, String::new());
    for Case {
        name,
        call: c,
        phrase,
    } in cases
    {
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
        } else if !text.contains(&phrase) {
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
    let (mut plugin, mut client) = started().await;
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
        let plan = Call::Plan {
            type_name: RESOURCE.into(),
            config: raw(full[..len].to_vec()),
        };
        let diags = call(&mut client, plan).await;
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
    let (mut plugin, mut client) = started().await;
    let ty = resource_type();
    let diags = call(
        &mut client,
        Call::ValidateResource {
            type_name: RESOURCE.into(),
            config: mp(&config(&"x".repeat(16 << 20)), &ty),
        },
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
