//! What a user sees with TF_LOG: real clients apply against LocalEmu with `TF_LOG=debug` and
//! `TF_LOG=trace` into `TF_LOG_PATH`; the provider's lines must arrive parsed, at their own level,
//! with request ids and status transitions, and the provider block's credentials never appear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::localemu::{self, unique_name};
use support::{Workdir, client_binary, per_client};

/// Lines Terraform/OpenTofu wrote at `level` for this provider's process:
/// `<time> [INFO]  provider.terraform-provider-cloudtrail: <message>: key=value ...`.
fn provider_lines<'a>(log: &'a str, level: &str) -> Vec<&'a str> {
    let tag = format!("[{level}]");
    log.lines()
        .filter(|l| {
            l.split_once(&tag).is_some_and(|(_, rest)| {
                rest.trim_start()
                    .starts_with("provider.terraform-provider-cloudtrail")
            })
        })
        .collect()
}

/// The value of `key=` in a plugin log line (hclog's key=value rendering), if present.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|word| word.strip_prefix(&format!("{key}=")))
}

struct Secrets {
    access_key: String,
    secret_key: String,
    token: String,
}

fn config(endpoint: &str, secrets: &Secrets, arn: &str, enabled: bool) -> String {
    let Secrets {
        access_key,
        secret_key,
        token,
    } = secrets;
    support::REQUIRED_PROVIDERS.to_owned()
        + &format!(
            r#"
provider "cloudtrail" {{
  region      = "us-east-1"
  access_key  = "{access_key}"
  secret_key  = "{secret_key}"
  token       = "{token}"
  max_retries = 2
  skip_credentials_validation = true
  endpoints {{
    cloudtrail = "{endpoint}"
  }}
}}

resource "cloudtrail_ingestion_state" "audit" {{
  event_data_store  = "{arn}"
  ingestion_enabled = {enabled}
}}
"#
        )
}

fn logs_show_provider_lines_and_no_secrets(label: &str) {
    let Some(client) = client_binary(label) else {
        return;
    };
    let emu = localemu::shared();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let arn = rt.block_on(emu.create_store(&unique_name("logs"), false));
    let wd = Workdir::new(label, client);
    let unique = unique_name("x").replace(['-', '.'], "");
    let secrets = Secrets {
        access_key: format!("AKIALOGTEST{unique}").to_uppercase(),
        secret_key: format!("logtest-secret-{unique}"),
        token: format!("logtest-token-{unique}"),
    };

    // TF_LOG=debug: start ingestion.
    wd.write("main.tf", &config(&emu.endpoint, &secrets, &arn, true));
    let debug_log = wd.path().join("debug.log");
    let run = wd.run_with(
        &["apply", "-no-color", "-input=false", "-auto-approve"],
        &[
            ("TF_LOG", "debug"),
            ("TF_LOG_PATH", debug_log.to_str().unwrap()),
        ],
    );
    assert_eq!(run.code, 0, "[{label}] apply failed:\n{}", run.text());
    assert_eq!(rt.block_on(emu.status(&arn)), "ENABLED");
    let log = std::fs::read_to_string(&debug_log).unwrap();
    let debug = provider_lines(&log, "DEBUG");
    let calls: Vec<&str> = debug
        .iter()
        .copied()
        .filter(|l| field(l, "operation").is_some())
        .collect();
    assert!(
        calls
            .iter()
            .any(|l| field(l, "operation") == Some("GetEventDataStore")
                && field(l, "request_id").is_some_and(|id| !id.is_empty())),
        "[{label}] no [DEBUG] provider line for GetEventDataStore with its request id; provider lines:\n{}",
        debug.join("\n")
    );
    assert!(
        debug.iter().any(|l| l.contains("event data store status")),
        "[{label}] no [DEBUG] status line from the provider; provider lines:\n{}",
        debug.join("\n")
    );
    assert!(
        debug
            .iter()
            .all(|l| l.contains("@module=provider.cloudtrail"))
            && !log.contains("\"@level\""),
        "[{label}] a provider line reached the log as raw JSON: go-plugin did not parse it as hclog"
    );
    assert!(
        provider_lines(&log, "TRACE").is_empty(),
        "[{label}] TRACE lines in a TF_LOG=debug log"
    );

    // TF_LOG=trace: stop ingestion; every line the client and provider write is in the log.
    wd.write("main.tf", &config(&emu.endpoint, &secrets, &arn, false));
    let trace_log = wd.path().join("trace.log");
    let run = wd.run_with(
        &["apply", "-no-color", "-input=false", "-auto-approve"],
        &[
            ("TF_LOG", "trace"),
            ("TF_LOG_PATH", trace_log.to_str().unwrap()),
        ],
    );
    assert_eq!(run.code, 0, "[{label}] apply failed:\n{}", run.text());
    assert_eq!(rt.block_on(emu.status(&arn)), "STOPPED_INGESTION");
    let log = std::fs::read_to_string(&trace_log).unwrap();
    assert!(
        ["DEBUG", "INFO"]
            .iter()
            .flat_map(|level| provider_lines(&log, level))
            .any(|l| field(l, "operation") == Some("StopEventDataStoreIngestion")),
        "[{label}] the trace log has no provider line for StopEventDataStoreIngestion, so the \
         secret check below would prove little"
    );
    for (name, value) in [
        ("access_key", &secrets.access_key),
        ("secret_key", &secrets.secret_key),
        ("token", &secrets.token),
    ] {
        for (what, text) in [
            ("TF_LOG=trace log", log.as_str()),
            ("stdout", run.stdout.as_str()),
            ("stderr", run.stderr.as_str()),
        ] {
            let hits: Vec<&str> = text
                .lines()
                .filter(|l| l.contains(value.as_str()))
                .collect();
            assert!(
                hits.is_empty(),
                "[{label}] the provider block's {name} appears in the {what}:\n{}",
                hits.join("\n")
            );
        }
    }
}

per_client!(logs_show_provider_lines_and_no_secrets);
