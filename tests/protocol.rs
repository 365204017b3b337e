//! The real binary over its real socket: handshake line, AutoMTLS (the exact client certificate
//! only), every implemented RPC through a generated tonic client, shutdown and signals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use terraform_provider_cloudtrail::cty::{self, Type, Value};
use terraform_provider_cloudtrail::provider::Provider;
use tfplugin_proto::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin_proto::tfplugin6 as pb;
use tfplugin_proto::tfplugin6::provider_client::ProviderClient;
use tonic::transport::Channel;

use support::grpc::{COOKIE, Identity, Plugin, Show};

/// Starts the binary as go-plugin does, offering `versions`, and checks the handshake line:
/// exactly six fields, protocol 6 on a unix socket, the certificate unpadded.
fn spawn(identity: Option<&Identity>, versions: &str) -> Plugin {
    let plugin = Plugin::spawn(identity, &[("PLUGIN_PROTOCOL_VERSIONS", versions)]);
    let fields: Vec<&str> = plugin.line.trim_end().split('|').collect();
    assert_eq!(&fields[..3], &["1", "6", "unix"], "{:?}", plugin.line);
    assert_eq!(fields[4], "grpc");
    assert!(!fields[5].ends_with('='), "cert must be unpadded base64");
    assert_eq!(
        fields[5].is_empty(),
        identity.is_none(),
        "{:?}",
        plugin.line
    );
    plugin
}

async fn connect(
    plugin: &Plugin,
    identity: Option<&Identity>,
) -> Result<Channel, tonic::transport::Error> {
    plugin
        .connect(identity.map_or(Show::Nothing, Show::Identity))
        .await
}

fn resource_type() -> Type {
    Provider::resource_schema("cloudtrail_ingestion_state")
        .unwrap()
        .value_type()
}

fn dv(value: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: cty::msgpack::encode(value, ty).unwrap(),
        json: vec![],
    }
}

fn config(store: Value) -> Value {
    let Type::Object(attrs) = resource_type() else {
        unreachable!()
    };
    let mut map: std::collections::BTreeMap<String, Value> =
        attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
    map.insert("event_data_store".into(), store);
    Value::Object(map)
}

#[tokio::test]
async fn mtls_rpcs_and_shutdown() {
    let identity = Identity::new();
    let mut plugin = spawn(Some(&identity), "5,6");
    let dir = plugin.socket.parent().unwrap().to_path_buf();
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "socket directory must be private");

    let channel = connect(&plugin, Some(&identity))
        .await
        .expect("Terraform's cert is admitted");
    let mut client = ProviderClient::new(channel.clone());

    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.provider.is_some());
    assert!(
        schema
            .resource_schemas
            .contains_key("cloudtrail_ingestion_state")
    );
    assert!(
        schema
            .data_source_schemas
            .contains_key("cloudtrail_event_data_store")
    );
    let provider_block = schema.provider.unwrap().block.unwrap();
    let secret = provider_block
        .attributes
        .iter()
        .find(|a| a.name == "secret_key")
        .unwrap();
    assert!(secret.sensitive);

    let meta = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.resources[0].type_name, "cloudtrail_ingestion_state");
    let mut actions: Vec<_> = meta.actions.iter().map(|a| a.type_name.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        ["cloudtrail_start_ingestion", "cloudtrail_stop_ingestion"]
    );
    assert_eq!(
        meta.list_resources[0].type_name,
        "cloudtrail_ingestion_state"
    );
    // The identity every Terraform ≥ 1.12 asks for after the schema: { arn }, required for import.
    let identities = client
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    let identity = &identities.identity_schemas["cloudtrail_ingestion_state"];
    assert_eq!(identity.version, 0);
    assert_eq!(identity.identity_attributes.len(), 1);
    let arn = &identity.identity_attributes[0];
    assert_eq!((arn.name.as_str(), arn.required_for_import), ("arn", true));
    assert_eq!(arn.r#type, b"\"string\"");

    // A bad ARN: an error diagnostic at the attribute, naming the value and the rule.
    let ty = resource_type();
    let resp = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            config: Some(dv(&config(Value::string("no spaces allowed")), &ty)),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{resp:?}");
    let d = &resp.diagnostics[0];
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
    assert!(
        d.detail.contains("\"no spaces allowed\"") && d.detail.contains("3 to 256"),
        "{d:?}"
    );
    let step = &d.attribute.as_ref().unwrap().steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "event_data_store".into()
        ))
    );

    // Unknown ARN passes validation and plans unknown computed attributes.
    let resp = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            config: Some(dv(&config(Value::Unknown), &ty)),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{resp:?}");
    let plan = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            prior_state: None,
            proposed_new_state: Some(dv(&config(Value::Unknown), &ty)),
            config: Some(dv(&config(Value::Unknown), &ty)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{plan:?}");
    let planned = cty::msgpack::decode(&plan.planned_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(planned.get("ingestion_enabled"), Some(&Value::Bool(true)));
    assert_eq!(planned.get("stop_on_destroy"), Some(&Value::Bool(false)));
    assert_eq!(planned.get("status"), Some(&Value::Unknown));

    // UpgradeResourceState: stored JSON (with a stray old attribute) becomes current msgpack.
    let raw = br#"{"event_data_store":"abc","ingestion_enabled":true,"id":"abc","old_attr":1}"#;
    let up = client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: raw.to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(up.diagnostics.is_empty(), "{up:?}");
    let upgraded = cty::msgpack::decode(&up.upgraded_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(
        upgraded.get("event_data_store"),
        Some(&Value::string("abc"))
    );
    assert_eq!(upgraded.get("status"), Some(&Value::Null));

    // Garbage bytes are a diagnostic, and the process keeps serving.
    let resp = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![0x85, 0xa1, 0xff, 0xfe],
                json: vec![],
            }),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    assert!(
        resp.diagnostics[0]
            .summary
            .contains("Invalid resource configuration"),
        "{resp:?}"
    );

    let import = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            id: "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(import.imported_resources.len(), 1, "{import:?}");

    // RPCs this provider does not offer answer Unimplemented.
    let err = client
        .get_functions(pb::get_functions::Request {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);

    client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .unwrap();
    client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("still serving after StopProvider");

    // SIGINT does not kill the provider.
    Command::new("kill")
        .args(["-INT", &plugin.child.id().to_string()])
        .status()
        .unwrap();
    client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("alive after SIGINT");

    // Shutdown exits promptly, cleanly, and removes the socket directory.
    let started = Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(tfplugin_proto::plugin::Empty {})
        .await
        .unwrap();
    drop(client);
    let status = loop {
        if let Some(status) = plugin.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "provider did not exit after Shutdown"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "{status:?}");
    assert!(!dir.exists(), "socket directory left behind");
    assert!(plugin.line.ends_with('\n'));
}

#[tokio::test]
async fn other_certificates_and_no_certificate_are_refused() {
    let identity = Identity::new();
    let plugin = spawn(Some(&identity), "6,5");
    let stranger = Identity::new();
    for who in [Some(&stranger), None] {
        let refused = match connect(&plugin, who).await {
            Err(_) => true,
            Ok(channel) => ProviderClient::new(channel)
                .get_metadata(pb::get_metadata::Request {})
                .await
                .is_err(),
        };
        assert!(
            refused,
            "a client with {} got in",
            if who.is_some() {
                "another certificate"
            } else {
                "no certificate"
            }
        );
    }
    // The rightful client still gets in afterwards.
    let channel = connect(&plugin, Some(&identity)).await.unwrap();
    ProviderClient::new(channel)
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap();
}

#[tokio::test]
async fn plaintext_without_client_cert() {
    let plugin = spawn(None, "6");
    assert!(plugin.server_cert.is_none());
    let channel = connect(&plugin, None).await.unwrap();
    ProviderClient::new(channel)
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap();
}

#[test]
fn human_message_without_cookie_and_clear_error_without_v6() {
    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-cloudtrail"))
        .env_clear()
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("plugin for Terraform and OpenTofu"), "{text}");

    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-cloudtrail"))
        .env_clear()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("speaks only version 6"));

    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-cloudtrail"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("terraform-provider-cloudtrail v"));
}

/// The remaining RPCs: provider config validation and configuration, data source validation,
/// and operations that need AWS before the provider is configured (a diagnostic, not a crash).
#[tokio::test]
async fn configure_validate_and_unconfigured_operations() {
    let plugin = spawn(None, "6");
    let channel = connect(&plugin, None).await.unwrap();
    let mut client = ProviderClient::new(channel.clone());

    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    let provider_ty = Provider::provider_schema().value_type();
    let Type::Object(attrs) = provider_ty.clone() else {
        unreachable!()
    };
    let mut block: std::collections::BTreeMap<String, Value> =
        attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
    block.insert("access_key".into(), Value::string("AKIAEXAMPLE"));
    let resp = client
        .validate_provider_config(pb::validate_provider_config::Request {
            config: Some(dv(&Value::Object(block.clone()), &provider_ty)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{resp:?}");
    assert!(
        resp.diagnostics[0].detail.contains("secret_key"),
        "{resp:?}"
    );

    // An unknown provider value (from a resource not yet created) is not an error.
    block.insert("secret_key".into(), Value::Unknown);
    let resp = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: support::pinned("TOFU_1_12").into(),
            config: Some(dv(&Value::Object(block), &provider_ty)),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{resp:?}");

    let ds_ty = Provider::data_source_schema("cloudtrail_event_data_store")
        .unwrap()
        .value_type();
    let Type::Object(ds_attrs) = ds_ty.clone() else {
        unreachable!()
    };
    let mut ds: std::collections::BTreeMap<String, Value> =
        ds_attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
    ds.insert("event_data_store".into(), Value::string("x"));
    let resp = client
        .validate_data_resource_config(pb::validate_data_resource_config::Request {
            type_name: "cloudtrail_event_data_store".into(),
            config: Some(dv(&Value::Object(ds.clone()), &ds_ty)),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        resp.diagnostics[0]
            .summary
            .contains("Invalid event_data_store"),
        "{resp:?}"
    );

    ds.insert("event_data_store".into(), Value::string("store-id"));
    let resp = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "cloudtrail_event_data_store".into(),
            config: Some(dv(&Value::Object(ds), &ds_ty)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        resp.diagnostics[0]
            .summary
            .contains("Provider not configured"),
        "{resp:?}"
    );

    let ty = resource_type();
    let mut state = config(Value::string("store-id"));
    if let Value::Object(m) = &mut state {
        m.insert("ingestion_enabled".into(), Value::Bool(true));
        m.insert("stop_on_destroy".into(), Value::Bool(false));
    }
    let resp = client
        .read_resource(pb::read_resource::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            current_state: Some(dv(&state, &ty)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        resp.diagnostics[0]
            .summary
            .contains("Provider not configured"),
        "{resp:?}"
    );
    // The state is kept as it was: nothing is lost when a refresh fails.
    let kept = cty::msgpack::decode(&resp.new_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(kept, state);

    let resp = client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "cloudtrail_ingestion_state".into(),
            prior_state: None,
            planned_state: Some(dv(&state, &ty)),
            config: Some(dv(&config(Value::string("store-id")), &ty)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        resp.diagnostics
            .iter()
            .any(|d| d.summary.contains("Provider not configured")),
        "{resp:?}"
    );

    let resp = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "no_such_type".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        resp.diagnostics[0]
            .summary
            .contains("Unknown resource type"),
        "{resp:?}"
    );
}

/// The newest RPCs over the real socket: a stored identity is upgraded (version 0 as it is, a
/// newer version refused); an unknown action type is a diagnostic, not a gRPC error; an invoke
/// stream ends with one completion carrying the action's diagnostics; an unknown list type and a
/// list before the provider is configured end their streams with a diagnostic.
#[tokio::test]
async fn identity_upgrade_actions_and_lists_over_the_wire() {
    let plugin = spawn(None, "6");
    let channel = connect(&plugin, None).await.unwrap();
    let mut client = ProviderClient::new(channel);
    let arn = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/x";
    let upgrade = |version| pb::upgrade_resource_identity::Request {
        type_name: "cloudtrail_ingestion_state".into(),
        version,
        raw_identity: Some(pb::RawState {
            json: format!(r#"{{"arn":"{arn}"}}"#).into_bytes(),
            flatmap: Default::default(),
        }),
    };
    let resp = client
        .upgrade_resource_identity(upgrade(0))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{resp:?}");
    let data = resp.upgraded_identity.unwrap().identity_data.unwrap();
    let id_ty = Type::Object([("arn".to_owned(), Type::String)].into_iter().collect());
    let value = terraform_provider_cloudtrail::cty::msgpack::decode(&data.msgpack, &id_ty).unwrap();
    assert_eq!(value.get("arn"), Some(&Value::string(arn)));
    let resp = client
        .upgrade_resource_identity(upgrade(1))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        resp.diagnostics[0].summary,
        "Identity from a newer provider"
    );

    let resp = client
        .validate_action_config(pb::validate_action_config::Request {
            type_name: "cloudtrail_no_such_action".into(),
            config: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        resp.diagnostics[0].summary, "Unknown action type",
        "{resp:?}"
    );

    let action_ty = Provider::action("cloudtrail_start_ingestion")
        .unwrap()
        .schema()
        .value_type();
    let config = Value::Object(
        [
            ("event_data_store".to_owned(), Value::string(arn)),
            ("wait".to_owned(), Value::Null),
            ("timeout".to_owned(), Value::Null),
        ]
        .into_iter()
        .collect(),
    );
    let mut events = client
        .invoke_action(pb::invoke_action::Request {
            action_type: "cloudtrail_start_ingestion".into(),
            config: Some(dv(&config, &action_ty)),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(event) = events.message().await.unwrap() {
        last = event.r#type;
    }
    // Not configured: the one completion says so.
    let Some(pb::invoke_action::event::Type::Completed(done)) = last else {
        panic!("no completion: {last:?}");
    };
    assert_eq!(done.diagnostics[0].summary, "Provider not configured");

    for type_name in ["cloudtrail_no_such_list", "cloudtrail_ingestion_state"] {
        let list_ty = Provider::list_resource("cloudtrail_ingestion_state")
            .unwrap()
            .schema()
            .value_type();
        let config = Value::Object(
            [("name_prefix".to_owned(), Value::Null)]
                .into_iter()
                .collect(),
        );
        let mut events = client
            .list_resource(pb::list_resource::Request {
                type_name: type_name.into(),
                config: Some(dv(&config, &list_ty)),
                include_resource_object: false,
                limit: 10,
            })
            .await
            .unwrap()
            .into_inner();
        let mut diagnostics = Vec::new();
        while let Some(event) = events.message().await.unwrap() {
            assert!(event.identity.is_none(), "{event:?}");
            diagnostics.extend(event.diagnostic);
        }
        assert_eq!(diagnostics.len(), 1, "{type_name}: {diagnostics:?}");
    }
}
