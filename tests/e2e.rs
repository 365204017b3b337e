//! End to end: real Terraform and OpenTofu binaries drive the freshly built provider (through
//! dev_overrides) against LocalEmu on loopback. Each scenario runs once per client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

#[path = "support/faultproxy.rs"]
mod faultproxy;

use faultproxy::FaultProxy;
use support::localemu::{self, LocalEmu};
use support::{Workdir, client_binary, provider_block, unique_name};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn resource(store: &str, extra: &str) -> String {
    format!(
        "\nresource \"cloudtrail_ingestion_state\" \"audit\" {{\n  event_data_store = \"{store}\"\n{extra}}}\n"
    )
}

fn setup(label: &str) -> Option<(Workdir, &'static LocalEmu, tokio::runtime::Runtime)> {
    let bin = client_binary(label)?;
    let emu = localemu::shared();
    Some((Workdir::new(label, bin), emu, runtime()))
}

fn assert_status(rt: &tokio::runtime::Runtime, emu: &LocalEmu, arn: &str, want: &str) {
    assert_eq!(rt.block_on(emu.status(arn)), want, "status of {arn}");
}

/// Start on apply, empty second plan, drift detected and fixed, stop, destroy leaves ingestion
/// as it is, stop_on_destroy stops it.
fn lifecycle(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let arn = rt.block_on(emu.create_store(&unique_name("life"), false));
    assert_status(&rt, emu, &arn, "STOPPED_INGESTION");
    let base = provider_block(&emu.endpoint);

    wd.write("main.tf", &(base.clone() + &resource(&arn, "")));
    wd.apply();
    assert_status(&rt, emu, &arn, "ENABLED");
    let (code, run) = wd.plan_code();
    assert_eq!(code, 0, "[{label}] second plan not empty:\n{}", run.text());

    rt.block_on(emu.stop_ingestion(&arn));
    rt.block_on(emu.wait_status(&arn, "STOPPED_INGESTION"));
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] drift not shown:\n{}", run.text());
    assert!(run.stdout.contains("ingestion_enabled"), "{}", run.text());
    assert!(!run.stdout.contains("must be replaced"), "{}", run.text());
    wd.apply();
    assert_status(&rt, emu, &arn, "ENABLED");

    wd.write(
        "main.tf",
        &(base.clone() + &resource(&arn, "  ingestion_enabled = false\n")),
    );
    wd.apply();
    assert_status(&rt, emu, &arn, "STOPPED_INGESTION");
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after stop not empty:\n{}",
        run.text()
    );

    wd.write("main.tf", &(base.clone() + &resource(&arn, "")));
    wd.apply();
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_status(&rt, emu, &arn, "ENABLED");

    wd.write(
        "main.tf",
        &(base + &resource(&arn, "  stop_on_destroy = true\n")),
    );
    wd.apply();
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_status(&rt, emu, &arn, "STOPPED_INGESTION");
}

/// Import by ARN, then an empty plan; switching to the ID form of the same store replaces nothing.
fn import_and_forms(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let arn = rt.block_on(emu.create_store(&unique_name("imp"), true));
    let base = provider_block(&emu.endpoint);
    wd.write("main.tf", &(base.clone() + &resource(&arn, "")));
    wd.ok(&[
        "import",
        "-no-color",
        "-input=false",
        "cloudtrail_ingestion_state.audit",
        &arn,
    ]);
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after import not empty:\n{}",
        run.text()
    );

    let id = arn.rsplit('/').next().unwrap();
    wd.write("main.tf", &(base + &resource(id, "")));
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "{}", run.text());
    assert!(
        !run.stdout.contains("must be replaced"),
        "[{label}] form switch replaces:\n{}",
        run.text()
    );
    wd.apply();
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after form switch not empty:\n{}",
        run.text()
    );
}

fn missing_store_is_not_found(label: &str) {
    let Some((wd, emu, _rt)) = setup(label) else {
        return;
    };
    let arn = "arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/does-not-exist-0000";
    wd.write(
        "main.tf",
        &(provider_block(&emu.endpoint) + &resource(arn, "")),
    );
    let run = wd.run(&["apply", "-no-color", "-input=false", "-auto-approve"]);
    assert_ne!(run.code, 0, "{}", run.text());
    let text = run.text();
    assert!(
        text.contains("Event data store not found"),
        "[{label}] {text}"
    );
    assert!(text.contains("event_data_store"), "[{label}] {text}");
}

/// Every bad value fails at plan, each with the attribute, the escaped value and the rule.
fn bad_arns_fail_at_plan(label: &str) {
    let Some((wd, emu, _rt)) = setup(label) else {
        return;
    };
    let bad = [
        ("ab", "too short"),
        ("has space", "' ' is not allowed"),
        (
            "arn:aws:s3:us-east-1:123456789012:eventdatastore/x",
            "not cloudtrail",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:12345:eventdatastore/x",
            "not 12 digits",
        ),
        (
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/x",
            "eventdatastore/",
        ),
        ("bell\\u0007char", "'\\u{7}' is not allowed"),
    ];
    let mut config = provider_block(&emu.endpoint);
    for (i, (value, _)) in bad.iter().enumerate() {
        config += &format!(
            "\nresource \"cloudtrail_ingestion_state\" \"bad{i}\" {{\n  event_data_store = \"{value}\"\n}}\n"
        );
    }
    config += &format!(
        "\nresource \"cloudtrail_ingestion_state\" \"long\" {{\n  event_data_store = \"{}\"\n}}\n",
        "a".repeat(257)
    );
    wd.write("main.tf", &config);
    let run = wd.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(run.code, 0, "{}", run.text());
    let text = run.text();
    for (_, problem) in bad {
        assert!(
            text.contains(problem),
            "[{label}] missing {problem:?} in:\n{text}"
        );
    }
    assert!(
        text.contains("too long (257 characters)"),
        "[{label}] {text}"
    );
    assert!(
        text.contains("Invalid event_data_store"),
        "[{label}] {text}"
    );
    assert!(text.contains("3 to 256 characters"), "[{label}] {text}");
}

/// `validate` and the plan of a new resource whose ARN is unknown need no credentials at all.
fn no_aws_call_before_needed(label: &str) {
    let Some(bin) = client_binary(label) else {
        return;
    };
    let wd = Workdir::new(label, bin);
    wd.write(
        "main.tf",
        r#"terraform {
  required_providers {
    cloudtrail = { source = "cloudtrail-lake/cloudtrail" }
  }
}
provider "cloudtrail" {
  region = "us-east-1"
  endpoints { cloudtrail = "http://127.0.0.1:9" }
}
resource "cloudtrail_ingestion_state" "first" {
  event_data_store = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/first-store"
}
resource "cloudtrail_ingestion_state" "second" {
  event_data_store = cloudtrail_ingestion_state.first.id
}
"#,
    );
    wd.ok(&["validate", "-no-color"]);
    let run = wd.ok(&["plan", "-no-color", "-input=false"]);
    assert!(run.stdout.contains("2 to add"), "[{label}] {}", run.text());
}

fn data_source_reads_store(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let name = unique_name("ds");
    let arn = rt.block_on(emu.create_store(&name, false));
    wd.write(
        "main.tf",
        &(provider_block(&emu.endpoint)
            + &format!(
                "\ndata \"cloudtrail_event_data_store\" \"x\" {{\n  event_data_store = \"{arn}\"\n}}\noutput \"name\" {{ value = data.cloudtrail_event_data_store.x.name }}\noutput \"status\" {{ value = data.cloudtrail_event_data_store.x.status }}\noutput \"ingesting\" {{ value = data.cloudtrail_event_data_store.x.ingestion_enabled }}\n"
            )),
    );
    wd.apply();
    let out = wd.ok(&["output", "-json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["name"]["value"], name.as_str(), "{}", out.stdout);
    assert_eq!(
        json["status"]["value"], "STOPPED_INGESTION",
        "{}",
        out.stdout
    );
    assert_eq!(json["ingesting"]["value"], false, "{}", out.stdout);
}

/// What a whole `apply` costs in AWS calls, counted on the wire by a proxy in front of LocalEmu.
/// The client plans twice (plan walk, then once more right before each apply, in the apply
/// walk's provider process): a started store is read once per plan and applied with no call; a
/// stopped one also gets Start and one read, at once, with no pause before it.
fn aws_calls_per_apply(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let on = rt.block_on(emu.create_store(&unique_name("calls-on"), true));
    let off = rt.block_on(emu.create_store(&unique_name("calls-off"), false));
    let proxy = FaultProxy::start(&emu.endpoint);
    wd.write(
        "main.tf",
        &(provider_block(&proxy.endpoint)
            + &format!(
                "resource \"cloudtrail_ingestion_state\" \"on\" {{\n  event_data_store = \"{on}\"\n}}\nresource \"cloudtrail_ingestion_state\" \"off\" {{\n  event_data_store = \"{off}\"\n}}\n"
            )),
    );
    wd.apply();
    assert_status(&rt, emu, &off, "ENABLED");
    let calls = (
        proxy.seen("GetEventDataStore"),
        proxy.seen("StartEventDataStoreIngestion"),
        proxy.log().lines().count(),
    );
    // GetEventDataStore: one per resource in each of the two plans (4), plus one after Start.
    // Exact because LocalEmu reports ENABLED at once after Start and answers without errors
    // (no SDK retry); a store still STARTING would add reads after a pause.
    assert_eq!(calls, (5, 1, 6), "[{label}] calls:\n{}", proxy.log());
}

macro_rules! per_client {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[test]
                fn tofu_1_12() { super::$scenario("tofu-1.12") }
                #[test]
                fn tofu_1_6() { super::$scenario("tofu-1.6") }
                #[test]
                fn terraform_1_5() { super::$scenario("terraform-1.5") }
                #[test]
                fn terraform_1_0() { super::$scenario("terraform-1.0") }
            }
        )*
    };
}

per_client!(
    lifecycle,
    import_and_forms,
    missing_store_is_not_found,
    bad_arns_fail_at_plan,
    no_aws_call_before_needed,
    data_source_reads_store,
    aws_calls_per_apply,
);
