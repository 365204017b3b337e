//! Security: who may talk to the provider, what it logs, and what its schema marks sensitive.
//!
//! Covered elsewhere and not repeated here: a connection with another certificate or with none is
//! refused, and the socket's directory is 0700 (`tests/protocol.rs::
//! other_certificates_and_no_certificate_are_refused` and `::mtls_rpcs_and_shutdown`). The
//! dependency audit (`cargo deny`, deny.toml) runs in scripts/test.sh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::grpc::{Identity, Plugin, Show};
use tfplugin_proto::tfplugin6 as pb;
use tfplugin_proto::tfplugin6::provider_client::ProviderClient;
use tokio::io::AsyncWriteExt;

const ACCESS_KEY: &str = "AKIAZZLEAKCANARY7Q3X";
const SECRET_KEY: &str = "wJalrXUtnFEMI-secret-canary-4b1d9e7f0c";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEsession-canary-5e2a8c";

async fn refused(plugin: &Plugin, show: Show<'_>) -> bool {
    match tokio::time::timeout(Duration::from_secs(10), plugin.connect(show)).await {
        Err(_) => panic!("connection attempt hung"),
        Ok(Err(_)) => true,
        Ok(Ok(channel)) => ProviderClient::new(channel)
            .get_metadata(pb::get_metadata::Request {})
            .await
            .is_err(),
    }
}

/// Terraform's certificate is no secret (it sits in the provider's environment); its private key
/// is. A client that shows the right certificate but signs with another key is refused, as is a
/// client that skips TLS; and none of it keeps the rightful client out.
#[tokio::test]
async fn the_right_certificate_without_its_key_is_refused() {
    let terraform = Identity::new();
    let thief = Identity::new();
    let plugin = Plugin::spawn(Some(&terraform), &[]);
    assert!(
        refused(
            &plugin,
            Show::Mismatched {
                cert: &terraform,
                key: &thief
            }
        )
        .await,
        "a client with Terraform's certificate but another key got in"
    );
    assert!(
        refused(&plugin, Show::NoTls).await,
        "a plaintext client got in"
    );
    let channel = plugin.connect(Show::Identity(&terraform)).await.unwrap();
    ProviderClient::new(channel)
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap();
}

/// Peers that connect and then say nothing, or send garbage, hold no lock: the rightful client is
/// served while 64 of them sit on the socket.
#[tokio::test]
async fn idle_and_garbage_peers_do_not_stall_the_rightful_client() {
    let terraform = Identity::new();
    let plugin = Plugin::spawn(Some(&terraform), &[]);
    let mut squatters = Vec::new();
    for i in 0..64 {
        let mut s = tokio::net::UnixStream::connect(&plugin.socket)
            .await
            .unwrap();
        if i % 2 == 0 {
            let _ = s
                .write_all(b"\x16\x03\x01\x02\x00garbage-not-a-client-hello")
                .await;
        }
        squatters.push(s);
    }
    let call = async {
        let channel = plugin.connect(Show::Identity(&terraform)).await.unwrap();
        ProviderClient::new(channel)
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .unwrap()
    };
    tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the rightful client was stalled by idle peers");
    drop(squatters);
}

/// A peer that connects and never starts its TLS handshake is dropped after the handshake
/// timeout, so idle local peers cannot pile up connections; the rightful client is served after.
#[tokio::test]
async fn a_peer_that_never_handshakes_is_dropped() {
    use terraform_provider_cloudtrail::plugin::TLS_HANDSHAKE_TIMEOUT;
    use tokio::io::AsyncReadExt;
    let terraform = Identity::new();
    let plugin = Plugin::spawn(Some(&terraform), &[]);
    let mut idle = tokio::net::UnixStream::connect(&plugin.socket)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT * 3, idle.read(&mut buf))
        .await
        .expect("an idle peer was kept past three handshake timeouts");
    assert!(matches!(read, Ok(0) | Err(_)), "the server sent {read:?}");
    assert!(
        started.elapsed() >= TLS_HANDSHAKE_TIMEOUT,
        "dropped before the timeout: {:?}",
        started.elapsed()
    );
    plugin
        .client(&terraform)
        .await
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap();
}

/// The socket lives in a directory of its own, owned by this user, mode 0700, and the socket is
/// not reachable through a world-writable parent alone.
#[tokio::test]
async fn socket_directory_is_private_to_the_user() {
    let terraform = Identity::new();
    let plugin = Plugin::spawn(Some(&terraform), &[]);
    let dir = plugin.socket.parent().unwrap();
    let meta = std::fs::metadata(dir).unwrap();
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o700,
        "{}",
        dir.display()
    );
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    assert_eq!(meta.uid(), me, "socket directory owned by someone else");
    let sock = std::fs::symlink_metadata(&plugin.socket).unwrap();
    assert_eq!(sock.uid(), me);
}

/// The server key and every handshake's randomness come from the OS's own interface
/// (getrandom(2) here), never from a path: inside a root that has no `/dev/urandom` (a scratch
/// image, a sandbox) the provider still makes its certificate and completes the AutoMTLS
/// handshake. On Windows the same path would be a file on the current drive; `tests/release.rs`
/// checks that binary's imports and strings.
#[tokio::test]
async fn automtls_needs_no_dev_urandom() {
    let root = support::chroot::Root::with_binary(Path::new(env!(
        "CARGO_BIN_EXE_terraform-provider-cloudtrail"
    )));
    let terraform = Identity::new();
    let mut plugin = Plugin::spawn_program(&root.wrapper(), Some(&terraform), &[]);
    assert!(
        plugin.server_cert.is_some(),
        "no certificate in {:?}",
        plugin.line
    );
    assert_eq!(plugin.network, "unix");
    plugin.socket = root.host_path(&plugin.socket);
    let schema = plugin
        .client(&terraform)
        .await
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(
        schema
            .resource_schemas
            .contains_key("cloudtrail_ingestion_state")
    );
}

/// A PLUGIN_CLIENT_CERT that is not UTF-8 is an error, never a reason to fall back to serving
/// without TLS.
#[test]
fn non_utf8_client_cert_does_not_disable_tls() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-cloudtrail"))
        .env_clear()
        .env("TF_PLUGIN_MAGIC_COOKIE", support::grpc::COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env(
            "PLUGIN_CLIENT_CERT",
            OsStr::from_bytes(
                b"-----BEGIN CERTIFICATE-----\n\xff\xfe\n-----END CERTIFICATE-----\n",
            ),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = String::new();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let _ = out.read_to_string(&mut stdout);
        stdout
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = reader.join().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        stdout.is_empty(),
        "served (handshake {stdout:?}) with an unreadable client certificate"
    );
    let status = status.expect("provider kept running with an unreadable client certificate");
    assert!(!status.success());
    assert!(stderr.contains("PLUGIN_CLIENT_CERT"), "{stderr}");
}

/// Attributes that hold secrets are marked sensitive, both in the schema Terraform gets over gRPC
/// and in what the client shows (`providers schema -json`); and any attribute whose name says it
/// is a secret is marked, so a new one cannot slip through unmarked.
#[tokio::test]
async fn secret_attributes_are_sensitive() {
    let terraform = Identity::new();
    let plugin = Plugin::spawn(Some(&terraform), &[]);
    let mut client = plugin.client(&terraform).await;
    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let mut blocks: Vec<(String, &pb::schema::Block)> = Vec::new();
    fn walk<'a>(
        prefix: String,
        b: &'a pb::schema::Block,
        out: &mut Vec<(String, &'a pb::schema::Block)>,
    ) {
        for nb in &b.block_types {
            if let Some(inner) = &nb.block {
                walk(format!("{prefix}.{}", nb.type_name), inner, out);
            }
        }
        out.push((prefix, b));
    }
    walk(
        "provider".into(),
        schema.provider.as_ref().unwrap().block.as_ref().unwrap(),
        &mut blocks,
    );
    for (name, s) in schema
        .resource_schemas
        .iter()
        .chain(schema.data_source_schemas.iter())
    {
        walk(name.clone(), s.block.as_ref().unwrap(), &mut blocks);
    }
    let mut sensitive = Vec::new();
    for (path, block) in &blocks {
        for a in &block.attributes {
            let full = format!("{path}.{}", a.name);
            // A path to a secret (`web_identity_token_file`) is not one.
            let secretish = ["secret", "token", "password", "access_key", "private"]
                .iter()
                .any(|w| a.name.contains(w))
                && !a.name.ends_with("_file");
            assert!(
                !secretish || a.sensitive,
                "{full} looks like a secret but is not marked sensitive"
            );
            if a.sensitive {
                sensitive.push(full);
            }
        }
    }
    sensitive.sort();
    assert_eq!(
        sensitive,
        [
            "provider.access_key",
            "provider.assume_role_with_web_identity.web_identity_token",
            "provider.secret_key",
            "provider.token"
        ],
        "sensitive attributes"
    );

    // The same through a real client.
    let Some(bin) = support::client_binary(support::newest_tofu()) else {
        return;
    };
    let wd = support::Workdir::new("security-schema", bin);
    wd.write("main.tf", &support::provider_block("http://127.0.0.1:9"));
    let run = wd.ok(&["providers", "schema", "-json"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let provider = json["provider_schemas"]
        .as_object()
        .and_then(|m| m.values().next())
        .unwrap_or_else(|| panic!("no provider schema in {}", run.stdout));
    for attr in ["access_key", "secret_key", "token"] {
        assert_eq!(
            provider["provider"]["block"]["attributes"][attr]["sensitive"],
            serde_json::Value::Bool(true),
            "{attr} in `providers schema -json`"
        );
    }
}

fn provider_with_credentials(endpoint: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    cloudtrail = {{ source = "cloudtrail-lake/cloudtrail" }}
  }}
}}
provider "cloudtrail" {{
  region      = "us-east-1"
  access_key  = "{ACCESS_KEY}"
  secret_key  = "{SECRET_KEY}"
  token       = "{SESSION_TOKEN}"
  max_retries = 1
  skip_credentials_validation = true
  endpoints {{
    cloudtrail = "{endpoint}"
  }}
}}
"#
    )
}

fn assert_no_secrets(what: &str, text: &str) {
    for (name, secret) in [
        ("access_key", ACCESS_KEY),
        ("secret_key", SECRET_KEY),
        ("token", SESSION_TOKEN),
    ] {
        if let Some(at) = text.find(secret) {
            let from = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let to = text[at..].find('\n').map(|i| at + i).unwrap_or(text.len());
            panic!("{name} appears in {what}: {}", &text[from..to]);
        }
    }
}

/// TF_LOG=trace with TF_LOG_PATH through a whole lifecycle (apply with AWS calls, refresh, a
/// failed call, destroy): the provider block's access_key, secret_key and session token appear
/// nowhere in the log, nor on the terminal, nor in the state. The same for credentials from the
/// environment.
#[test]
fn credentials_never_appear_in_trace_logs() {
    let Some(bin) = support::client_binary(support::newest_tofu()) else {
        return;
    };
    let emu = support::localemu::shared();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let arn = rt.block_on(emu.create_store(&support::unique_name("sec"), false));
    let wd = support::Workdir::new("security-log", bin);
    let log = wd.path().join("trace.log");
    let log_path = log.to_str().unwrap().to_owned();
    let env = [("TF_LOG", "trace"), ("TF_LOG_PATH", log_path.as_str())];
    let resource = format!(
        "resource \"cloudtrail_ingestion_state\" \"s\" {{\n  event_data_store = \"{arn}\"\n}}\n"
    );
    let missing = "resource \"cloudtrail_ingestion_state\" \"missing\" {\n  event_data_store = \"arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/not-there-0000\"\n}\n";

    let mut terminal = String::new();
    wd.write(
        "main.tf",
        &(provider_with_credentials(&emu.endpoint) + &resource),
    );
    for args in [
        &["apply", "-no-color", "-input=false", "-auto-approve"][..],
        &["plan", "-no-color", "-input=false", "-refresh-only"][..],
    ] {
        let run = wd.run_with(args, &env);
        assert_eq!(run.code, 0, "{args:?}: {}", run.text());
        terminal += &run.text();
    }
    wd.write(
        "main.tf",
        &(provider_with_credentials(&emu.endpoint) + &resource + missing),
    );
    let run = wd.run_with(
        &["apply", "-no-color", "-input=false", "-auto-approve"],
        &env,
    );
    assert_ne!(run.code, 0, "{}", run.text());
    terminal += &run.text();
    wd.write(
        "main.tf",
        &(provider_with_credentials(&emu.endpoint) + &resource),
    );
    let run = wd.run_with(
        &["destroy", "-no-color", "-input=false", "-auto-approve"],
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.text());
    terminal += &run.text();

    // Credentials from the environment instead of the block.
    wd.write(
        "main.tf",
        &(support::provider_block(&emu.endpoint)
            .replace("  access_key = \"test\"\n  secret_key = \"test\"\n", "")
            + &resource),
    );
    let mut env_creds = env.to_vec();
    env_creds.extend([
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let run = wd.run_with(
        &["apply", "-no-color", "-input=false", "-auto-approve"],
        &env_creds,
    );
    assert_eq!(run.code, 0, "{}", run.text());
    terminal += &run.text();

    let text = std::fs::read_to_string(&log).unwrap();
    // The log is really at trace and really has the provider's own lines, AWS calls included.
    assert!(text.contains("[TRACE]"), "not a trace log");
    assert!(
        text.contains("provider.cloudtrail") || text.contains("terraform-provider-cloudtrail"),
        "no provider lines in the log"
    );
    for operation in ["GetEventDataStore", "StartEventDataStoreIngestion"] {
        assert!(
            text.contains(operation),
            "the provider's {operation} call lines are missing from the log"
        );
    }
    assert_no_secrets("the TF_LOG=trace log", &text);
    assert_no_secrets("the terminal output", &terminal);
    let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap_or_default();
    assert_no_secrets("the state", &state);
    eprintln!("trace log: {} bytes, no credential found", text.len());
}

support::per_client_of!(with_newest_clients; secret_bearing_inputs_reach_no_output_and_no_log);

/// One secret-bearing input: the provider block's body (secrets come in through sensitive
/// variables, `TF_VAR_*`, as a careful configuration has them, so the client's own source
/// snippets show none), the environment, the exit code and a phrase that proves the case ran.
struct SecretCase {
    name: &'static str,
    body: &'static str,
    vars: &'static [(&'static str, &'static str)],
    env: &'static [(&'static str, &'static str)],
    code: i32,
    phrase: &'static str,
}

/// For every secret-bearing argument of the bad-input table (proxy URLs with passwords in the
/// block and in the environment, a literal web identity token, static keys, an STS answer that
/// does not parse and holds keys): the client's whole output and its `TF_LOG=trace` log hold
/// none of the secrets, while each case still says what is wrong.
fn secret_bearing_inputs_reach_no_output_and_no_log(label: &str) {
    let Some(bin) = support::client_binary(label) else {
        return;
    };
    let emu = support::localemu::shared();
    let rt = support::runtime();
    let arn = rt.block_on(emu.create_store(&support::unique_name("secret"), false));
    let sts = support::faultproxy::FaultProxy::start(&support::moto::shared().endpoint);
    sts.inject(
        "AssumeRole",
        support::faultproxy::Fault::Raw {
            status: 200,
            body: "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAS3CRETSTSBODY</AccessKeyId><SecretAccessKey>S3CRET-sts-body</SecretAccessKey><SessionToken>S3CRET-sts-tok</SessionToken><Expiration>S3CRET-not-a-date</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>",
        },
        None,
    );
    let cases = [
        SecretCase {
            name: "a SOCKS https_proxy with a password",
            body: "https_proxy = var.s",
            vars: &[("s", "socks5://ci:S3CRET-socks@proxy.corp:1080")],
            env: &[],
            code: 1,
            phrase: "SOCKS proxies (socks5://) are not supported",
        },
        SecretCase {
            name: "an http_proxy with a password that also serves https",
            body: "http_proxy = var.s",
            vars: &[("s", "http://ci:S3CRET-warn@127.0.0.1:9")],
            env: &[],
            code: 2,
            phrase: "http://xxxxx@127.0.0.1:9",
        },
        SecretCase {
            name: "HTTPS_PROXY with a password and a scheme no proxy has",
            body: "",
            vars: &[],
            env: &[("HTTPS_PROXY", "ftp://ci:S3CRET-env@proxy.corp:21")],
            code: 1,
            phrase: "HTTPS_PROXY must be an http:// or https:// URL",
        },
        SecretCase {
            name: "a literal web identity token with a bad role ARN",
            body: "assume_role_with_web_identity {\n    role_arn           = \"not-an-arn\"\n    web_identity_token = var.s\n  }",
            vars: &[("s", "S3CRET-oidc.token.sig")],
            env: &[],
            code: 1,
            phrase: "role_arn must be the ARN of an IAM role",
        },
        SecretCase {
            name: "keys and a token with a malformed region",
            body: "access_key = var.a\n  secret_key = var.s\n  token = var.t\n  sts_region = \"us east 1\"",
            vars: &[
                ("a", "AKIAS3CRETACCESSKEY1"),
                ("s", "S3CRET-secret-key"),
                ("t", "S3CRET-session-token"),
            ],
            env: &[],
            code: 1,
            phrase: "sts_region",
        },
        SecretCase {
            name: "an STS answer that does not parse and holds keys",
            body: "assume_role {\n    role_arn = \"arn:aws:iam::111111111111:role/r\"\n  }",
            vars: &[],
            env: &[],
            code: 1,
            phrase: "could not be read; its body is not shown",
        },
    ];
    let wd = support::Workdir::new(label, bin);
    let log = wd.path().join("trace.log");
    let log_path = log.display().to_string();
    for case in &cases {
        let _ = std::fs::remove_file(&log);
        let mut config = support::REQUIRED_PROVIDERS.to_owned();
        for (name, _) in case.vars {
            config += &format!("variable \"{name}\" {{\n  sensitive = true\n}}\n");
        }
        // Cases that are not about the keys sign with plain ones.
        let keys = if case.body.contains("access_key") {
            ""
        } else {
            "  access_key  = \"AKIDPLAIN\"\n  secret_key  = \"plain\"\n"
        };
        config += &format!(
            "provider \"cloudtrail\" {{
  region      = \"us-east-1\"
  max_retries = 1
{keys}  endpoints {{
    cloudtrail = \"{}\"
    sts        = \"{}\"
  }}
  {}
}}
resource \"cloudtrail_ingestion_state\" \"s\" {{
  event_data_store = \"{arn}\"
}}
",
            emu.endpoint, sts.endpoint, case.body
        );
        wd.write("main.tf", &config);
        let tf_vars: Vec<(String, &str)> = case
            .vars
            .iter()
            .map(|(k, v)| (format!("TF_VAR_{k}"), *v))
            .collect();
        let mut env: Vec<(&str, &str)> = vec![("TF_LOG", "trace"), ("TF_LOG_PATH", &log_path)];
        env.extend(tf_vars.iter().map(|(k, v)| (k.as_str(), *v)));
        env.extend(case.env.iter().copied());
        let run = wd.run_with(
            &["plan", "-no-color", "-input=false", "-detailed-exitcode"],
            &env,
        );
        let output = run.text();
        let name = case.name;
        assert_eq!(run.code, case.code, "[{label}] {name}: {output}");
        assert!(
            support::flat(&output).contains(case.phrase),
            "[{label}] {name}: {:?} not in {output}",
            case.phrase
        );
        let trace = std::fs::read_to_string(&log).unwrap();
        assert!(
            trace.contains("[TRACE]"),
            "[{label}] {name}: not a trace log"
        );
        for (what, text) in [("output", &output), ("TF_LOG=trace log", &trace)] {
            if let Some(at) = text.find("S3CRET") {
                let from = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let to = text[at..].find('\n').map_or(text.len(), |i| at + i);
                panic!(
                    "[{label}] {name}: a secret in the {what}: {}",
                    &text[from..to]
                );
            }
        }
    }
    assert!(
        sts.seen("AssumeRole") > 0,
        "[{label}] the STS case reached no STS"
    );
}
