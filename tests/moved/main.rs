//! Coming over from hashicorp/aws, end to end: a state written the way hashicorp/aws writes
//! `aws_cloudtrail_event_data_store`, of stores in LocalEmu, is moved to
//! `cloudtrail_event_data_store` by a `moved` block on every client that moves across providers
//! (Terraform ≥ 1.8, OpenTofu ≥ 1.10): the plan changes nothing, and the next apply manages the
//! store. The other clients take the guide's fallback, `state rm` then `import`, with a clean plan.
//!
//! Its own `main` (no test harness): launched by Terraform as a plugin (the magic cookie set),
//! this binary is the stand-in for hashicorp/aws (`standin.rs`), which cannot be downloaded here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod standin;

use std::process::ExitCode;

use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
use support::localemu::{self, LocalEmu};
use support::{CLIENTS, Workdir, client_binary, pinned, provider_binary, provider_block, runtime};

const STORE_TYPE: &str = "aws_cloudtrail_event_data_store";

/// Whether the client moves state across providers: Terraform from 1.8, OpenTofu from 1.10.
fn moves_across_providers(label: &str) -> bool {
    let (_, test_name) = CLIENTS.iter().find(|(l, _)| *l == label).unwrap();
    let version = pinned(&test_name.to_uppercase());
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let since = if label.starts_with("tofu") { 10 } else { 8 };
    (major, minor) >= (1, since)
}

/// The registry host the client writes in provider addresses.
fn host(label: &str) -> &'static str {
    if label.starts_with("tofu") {
        "registry.opentofu.org"
    } else {
        "registry.terraform.io"
    }
}

/// A work directory whose CLI config points `cloudtrail-lake/cloudtrail` at the built provider and
/// `hashicorp/aws` at this binary, the stand-in.
fn workdir(label: &str) -> Option<Workdir> {
    let client = client_binary(label)?;
    let wd = Workdir::new(label, client);
    let standin_dir = wd.path().join("standin");
    std::fs::create_dir(&standin_dir).unwrap();
    std::os::unix::fs::symlink(
        std::env::current_exe().unwrap(),
        standin_dir.join("terraform-provider-aws"),
    )
    .unwrap();
    let cli_config = format!(
        "provider_installation {{\n  dev_overrides {{\n    \"cloudtrail-lake/cloudtrail\" = \"{}\"\n    \"hashicorp/aws\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        provider_binary().parent().unwrap().display(),
        standin_dir.display()
    );
    wd.write("cli.tfrc", &cli_config);
    Some(wd)
}

/// Two stores as hashicorp/aws would have made them: `plain` with its defaults (AWS's default
/// selector, retention 2555, termination protection off here so the test can delete it) and
/// `s3` with a data selector, 90 days and a tag.
struct Stores {
    plain: (String, String),
    s3: (String, String),
}

async fn make_stores(emu: &LocalEmu) -> Stores {
    let client = emu.client().await;
    let field = |field: &str, equals: &str| {
        AdvancedFieldSelector::builder()
            .field(field)
            .equals(equals)
            .build()
            .unwrap()
    };
    let plain_name = localemu::unique_name("moved-plain");
    let plain = client
        .create_event_data_store()
        .name(&plain_name)
        .retention_period(2555)
        .termination_protection_enabled(false)
        .send()
        .await
        .unwrap();
    let s3_name = localemu::unique_name("moved-s3");
    let selector = AdvancedEventSelector::builder()
        .name("s3")
        .field_selectors(field("eventCategory", "Data"))
        .field_selectors(field("resources.type", "AWS::S3::Object"))
        .build()
        .unwrap();
    let s3 = client
        .create_event_data_store()
        .name(&s3_name)
        .advanced_event_selectors(selector)
        .retention_period(90)
        .termination_protection_enabled(false)
        .send()
        .await
        .unwrap();
    let s3_arn = s3.event_data_store_arn().unwrap().to_owned();
    client
        .add_tags()
        .resource_id(&s3_arn)
        .tags_list(
            aws_sdk_cloudtrail::types::Tag::builder()
                .key("team")
                .value("sec")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    Stores {
        plain: (plain_name, plain.event_data_store_arn().unwrap().to_owned()),
        s3: (s3_name, s3_arn),
    }
}

/// One instance as hashicorp/aws 6 writes it: every attribute of its schema, `id` the ARN, an
/// unset `kms_key_id` as "", `tags_all` with the provider's default tags, and SDKv2's private
/// data (its timeouts, 5 minutes each).
fn aws_instance(label: &str, name: &str, body: &str) -> String {
    format!(
        r#"{{
      "mode": "managed",
      "type": "{STORE_TYPE}",
      "name": "{name}",
      "provider": "provider[\"{host}/hashicorp/aws\"]",
      "instances": [
        {{
          "schema_version": 0,
          "attributes": {body},
          "sensitive_attributes": [],
          "private": "eyJlMmJmYjczMC1lY2FhLTExZTYtOGY4OC0zNDM2M2JjN2M0YzAiOnsiY3JlYXRlIjozMDAwMDAwMDAwMDAsImRlbGV0ZSI6MzAwMDAwMDAwMDAwLCJ1cGRhdGUiOjMwMDAwMDAwMDAwMH19"
        }}
      ]
    }}"#,
        host = host(label)
    )
}

fn aws_state(label: &str, stores: &Stores) -> String {
    let (plain_name, plain_arn) = &stores.plain;
    let (s3_name, s3_arn) = &stores.s3;
    let plain = format!(
        r#"{{"advanced_event_selector":[{{"field_selector":[{{"ends_with":[],"equals":["Management"],"field":"eventCategory","not_ends_with":[],"not_equals":[],"not_starts_with":[],"starts_with":[]}}],"name":"Default management events"}}],
        "arn":"{plain_arn}","billing_mode":"EXTENDABLE_RETENTION_PRICING","id":"{plain_arn}","kms_key_id":"",
        "multi_region_enabled":true,"name":"{plain_name}","organization_enabled":false,"region":"us-east-1",
        "retention_period":2555,"suspend":null,"tags":null,"tags_all":{{}},
        "termination_protection_enabled":false,"timeouts":null}}"#
    );
    let s3 = format!(
        r#"{{"advanced_event_selector":[{{"field_selector":[{{"ends_with":null,"equals":["Data"],"field":"eventCategory","not_ends_with":null,"not_equals":null,"not_starts_with":null,"starts_with":null}},{{"ends_with":null,"equals":["AWS::S3::Object"],"field":"resources.type","not_ends_with":null,"not_equals":null,"not_starts_with":null,"starts_with":null}}],"name":"s3"}}],
        "arn":"{s3_arn}","billing_mode":"EXTENDABLE_RETENTION_PRICING","id":"{s3_arn}","kms_key_id":"",
        "multi_region_enabled":true,"name":"{s3_name}","organization_enabled":false,"region":"us-east-1",
        "retention_period":90,"suspend":"false","tags":{{"team":"sec"}},"tags_all":{{"team":"sec"}},
        "termination_protection_enabled":false,"timeouts":{{"create":"10m","update":null,"delete":null}}}}"#
    );
    format!(
        r#"{{
  "version": 4,
  "terraform_version": "1.0.0",
  "serial": 1,
  "lineage": "5d0d6c9e-6a59-4c2a-9d64-0b1cfa1a2b3c",
  "outputs": {{}},
  "resources": [
    {},
    {}
  ]
}}
"#,
        aws_instance(label, "plain", &plain),
        aws_instance(label, "s3", &s3)
    )
}

/// The configuration after the change of type: hashicorp/aws's arguments as they were (less
/// `suspend`), under the new type, with `moved` blocks when `moved`. An import cannot know a
/// `timeouts` block, so the fallback's configuration has none (the guide says so).
fn config(
    emu: &LocalEmu,
    stores: &Stores,
    s3_retention: u32,
    moved: bool,
    timeouts: bool,
) -> String {
    let moves = if moved {
        format!(
            "\nmoved {{\n  from = {STORE_TYPE}.plain\n  to   = cloudtrail_event_data_store.plain\n}}\n\
             \nmoved {{\n  from = {STORE_TYPE}.s3\n  to   = cloudtrail_event_data_store.s3\n}}\n"
        )
    } else {
        String::new()
    };
    format!(
        r#"{provider}{moves}
resource "cloudtrail_event_data_store" "plain" {{
  name                           = "{plain}"
  termination_protection_enabled = false
}}

resource "cloudtrail_event_data_store" "s3" {{
  name                           = "{s3}"
  retention_period               = {s3_retention}
  termination_protection_enabled = false

  advanced_event_selector {{
    name = "s3"
    field_selector {{
      field  = "eventCategory"
      equals = ["Data"]
    }}
    field_selector {{
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }}
  }}

  tags = {{
    team = "sec"
  }}
{timeouts}}}
"#,
        timeouts = if timeouts {
            "\n  timeouts {\n    create = \"10m\"\n  }\n"
        } else {
            ""
        },
        provider = provider_block(&emu.endpoint),
        plain = stores.plain.0,
        s3 = stores.s3.0,
    )
}

/// The plan after the change of type moves both stores and changes nothing; the apply records
/// the move; a later plan is clean and a later apply manages the store.
fn moved_over(label: &str) {
    let Some(wd) = workdir(label) else {
        return;
    };
    let emu = localemu::shared();
    let rt = runtime();
    let stores = rt.block_on(make_stores(emu));
    wd.write("terraform.tfstate", &aws_state(label, &stores));
    let direct = moves_across_providers(label);
    if direct {
        wd.write("main.tf", &config(emu, &stores, 90, true, true));
        let run = wd.ok(&["plan", "-no-color", "-input=false"]);
        let text = support::flat(&run.stdout);
        for moved in ["plain", "s3"] {
            let line =
                format!("{STORE_TYPE}.{moved} has moved to cloudtrail_event_data_store.{moved}");
            assert!(text.contains(&line), "[{label}] {line:?} not in:\n{text}");
        }
        assert!(
            text.contains("Plan: 0 to add, 0 to change, 0 to destroy"),
            "[{label}] the move plans a change:\n{text}"
        );
        wd.apply();
    } else {
        // The guide's fallback: forget the old address, import under the new one.
        wd.write("main.tf", &config(emu, &stores, 90, false, false));
        for (name, (_, arn)) in [("plain", &stores.plain), ("s3", &stores.s3)] {
            wd.ok(&["state", "rm", "-no-color", &format!("{STORE_TYPE}.{name}")]);
            wd.ok(&[
                "import",
                "-no-color",
                "-input=false",
                &format!("cloudtrail_event_data_store.{name}"),
                arn,
            ]);
        }
    }
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after the move not clean:\n{}",
        run.text()
    );
    let state = wd.ok(&["state", "list"]).stdout;
    assert!(!state.contains(STORE_TYPE), "[{label}] {state}");

    wd.write("main.tf", &config(emu, &stores, 120, false, direct));
    wd.apply();
    let got = rt.block_on(emu.get_store(&stores.s3.1));
    assert_eq!(
        got.retention_period(),
        Some(120),
        "[{label}] not managed after the move"
    );
    let (code, run) = wd.plan_code();
    assert_eq!(code, 0, "[{label}] {}", run.text());
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    for (_, arn) in [&stores.plain, &stores.s3] {
        assert_eq!(rt.block_on(emu.status(arn)), "PENDING_DELETION");
    }
}

fn main() -> ExitCode {
    if std::env::var_os(tfplugin_framework::plugin::MAGIC_COOKIE_KEY).is_some() {
        return standin::serve();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let names: Vec<String> = CLIENTS
        .iter()
        .map(|(_, test_name)| format!("moved_over::{test_name}"))
        .collect();
    if args.iter().any(|a| a == "--list") {
        for n in &names {
            println!("{n}: test");
        }
        return ExitCode::SUCCESS;
    }
    assert_eq!(
        tfplugin_framework::provider::Dispatcher::<standin::StandinAws>::check(),
        Ok(()),
        "the stand-in's model names its schema"
    );
    let mut failed = Vec::new();
    let mut ran = 0;
    for ((label, _), name) in CLIENTS.iter().zip(&names) {
        if filter.is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let ok = std::panic::catch_unwind(|| moved_over(label)).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(name.clone());
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        ran - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
