//! End to end: real Terraform and OpenTofu binaries drive the freshly built provider (through
//! dev_overrides) against LocalEmu on loopback. Each scenario runs once per client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::faultproxy::FaultProxy;
use support::localemu::{self, LocalEmu};
use support::{
    Workdir, client_binary, ingestion_state, per_client, per_client_of, provider_block,
    provider_block_with, runtime, unique_name,
};

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

    wd.write(
        "main.tf",
        &(base.clone() + &ingestion_state("audit", &arn, "")),
    );
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
        &(base.clone() + &ingestion_state("audit", &arn, "  ingestion_enabled = false\n")),
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

    wd.write(
        "main.tf",
        &(base.clone() + &ingestion_state("audit", &arn, "")),
    );
    wd.apply();
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_status(&rt, emu, &arn, "ENABLED");

    wd.write(
        "main.tf",
        &(base + &ingestion_state("audit", &arn, "  stop_on_destroy = true\n")),
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
    wd.write(
        "main.tf",
        &(base.clone() + &ingestion_state("audit", &arn, "")),
    );
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
    wd.write("main.tf", &(base + &ingestion_state("audit", id, "")));
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
        &(provider_block(&emu.endpoint) + &ingestion_state("audit", arn, "")),
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
  skip_credentials_validation = true
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

/// A store ARN in LocalEmu's account and region that no store ever had.
fn ghost_arn() -> String {
    format!(
        "arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/{}",
        unique_name("never-existed")
    )
}

/// Three resources (stop_on_destroy false, true, true) on three new stores, applied; then the
/// first two stores are deleted outside Terraform (PENDING_DELETION) and the third is gone for
/// good (state and config point at a store that no longer exists). Returns the config.
fn applied_then_deleted(wd: &Workdir, emu: &LocalEmu, rt: &tokio::runtime::Runtime) -> String {
    let base = provider_block(&emu.endpoint);
    let kept = rt.block_on(emu.create_store(&unique_name("del-kept"), true));
    let stopping = rt.block_on(emu.create_store(&unique_name("del-stop"), false));
    let purged = rt.block_on(emu.create_store(&unique_name("del-gone"), true));
    let config = |third: &str| {
        format!(
            "{base}\nresource \"cloudtrail_ingestion_state\" \"kept\" {{\n  event_data_store = \"{kept}\"\n}}\nresource \"cloudtrail_ingestion_state\" \"stopping\" {{\n  event_data_store = \"{stopping}\"\n  stop_on_destroy  = true\n}}\nresource \"cloudtrail_ingestion_state\" \"gone\" {{\n  event_data_store = \"{third}\"\n  stop_on_destroy  = true\n}}\n"
        )
    };
    wd.write("main.tf", &config(&purged));
    wd.apply();
    rt.block_on(emu.delete_store(&kept));
    rt.block_on(emu.delete_store(&stopping));
    assert_status(rt, emu, &stopping, "PENDING_DELETION");
    // LocalEmu keeps a deleted store PENDING_DELETION for 7 days; the store AWS has forgotten is
    // one that never existed, in state.
    let ghost = ghost_arn();
    let state_path = wd.path().join("terraform.tfstate");
    let state = std::fs::read_to_string(&state_path).unwrap();
    assert!(state.contains(&purged), "{state}");
    std::fs::write(&state_path, state.replace(&purged, &ghost)).unwrap();
    let config = config(&ghost);
    wd.write("main.tf", &config);
    config
}

/// `destroy` after the stores were deleted outside Terraform, as a CI teardown runs it: with
/// its refresh (which drops them, so its plan wants to create them again and only warns), and
/// with `-refresh=false` (stop_on_destroy meets PENDING_DELETION and "not found" and takes
/// them as stopped, saying so in the log).
fn destroy_after_store_deleted(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let config = applied_then_deleted(&wd, emu, &rt);
    // The trap this guards against: with plan_checks = "error", the plan before the destroy
    // wants to create the dropped stores again and fails on them, so the destroy fails.
    wd.write(
        "main.tf",
        &config.replacen(
            "  max_retries = 2\n",
            "  max_retries = 2\n  plan_checks = \"error\"\n",
            1,
        ),
    );
    let run = wd.run(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    let text = run.text();
    assert_ne!(
        run.code, 0,
        "[{label}] destroy with plan_checks = error passed:\n{text}"
    );
    assert!(text.contains("PENDING_DELETION"), "[{label}] {text}");
    // The default lets it through.
    wd.write("main.tf", &config);
    let run = wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    let text = run.text();
    assert!(text.contains("0 destroyed"), "[{label}] {text}");
    assert!(!text.contains("Error:"), "[{label}] {text}");

    let wd = Workdir::new(label, wd.client.clone());
    applied_then_deleted(&wd, emu, &rt);
    let run = wd.run_with(
        &[
            "destroy",
            "-no-color",
            "-input=false",
            "-auto-approve",
            "-refresh=false",
        ],
        &[("TF_LOG_PROVIDER", "WARN")],
    );
    let text = run.text();
    assert_eq!(
        run.code, 0,
        "[{label}] destroy -refresh=false failed:\n{text}"
    );
    assert!(text.contains("3 destroyed"), "[{label}] {text}");
    assert!(
        text.contains("nothing to stop on destroy") && text.contains("PENDING_DELETION"),
        "[{label}] no log of the deleted store:\n{text}"
    );
    assert!(text.contains("not found"), "[{label}] {text}");
    let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
    assert!(
        !state.contains("cloudtrail_ingestion_state"),
        "[{label}] {state}"
    );
}

/// `plan_checks`: "error" fails the plan for a missing store at the attribute; "warn" (the
/// default) warns and the plan shows the change (exit code 2); "off" makes no AWS call at plan,
/// counted on the wire, while the syntax of event_data_store stays an error.
fn plan_checks_modes(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let ghost = ghost_arn();
    let missing = ingestion_state("audit", &ghost, "");
    wd.write(
        "main.tf",
        &(provider_block_with(&emu.endpoint, "  plan_checks = \"error\"") + &missing),
    );
    let (code, run) = wd.plan_code();
    let text = run.text();
    assert_eq!(
        code, 1,
        "[{label}] plan_checks = error did not fail:\n{text}"
    );
    assert!(
        text.contains("Error: Event data store not found"),
        "[{label}] {text}"
    );
    assert!(text.contains("event_data_store"), "[{label}] {text}");

    for block in [
        provider_block(&emu.endpoint),
        provider_block_with(&emu.endpoint, "  plan_checks = \"warn\""),
    ] {
        wd.write("main.tf", &(block + &missing));
        let (code, run) = wd.plan_code();
        let text = run.text();
        assert_eq!(code, 2, "[{label}] warn: {text}");
        assert!(
            text.contains("Warning: Event data store not found"),
            "[{label}] {text}"
        );
        assert!(text.contains("1 to add"), "[{label}] {text}");
    }

    let store = rt.block_on(emu.create_store(&unique_name("checks-off"), false));
    let proxy = FaultProxy::start(&emu.endpoint);
    wd.write(
        "main.tf",
        &(provider_block_with(&proxy.endpoint, "  plan_checks = \"off\"")
            + &ingestion_state("audit", &store, "")
            + "resource \"cloudtrail_ingestion_state\" \"missing\" {\n  event_data_store = \""
            + &ghost
            + "\"\n}\n"),
    );
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] {}", run.text());
    assert!(
        !run.text().contains("Warning: Event data store"),
        "[{label}] {}",
        run.text()
    );
    assert_eq!(
        proxy.log(),
        "(no requests)",
        "[{label}] plan_checks = off called AWS"
    );
    // The same plan with the default reads each store once: the proxy does count.
    wd.write(
        "main.tf",
        &(provider_block(&proxy.endpoint) + &ingestion_state("audit", &store, "")),
    );
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] {}", run.text());
    assert_eq!(
        proxy.seen("GetEventDataStore"),
        1,
        "[{label}] {}",
        proxy.log()
    );

    wd.write(
        "main.tf",
        &(provider_block_with(&proxy.endpoint, "  plan_checks = \"off\"")
            + &ingestion_state("audit", "has space", "")),
    );
    let (code, run) = wd.plan_code();
    assert_eq!(code, 1, "[{label}] {}", run.text());
    assert!(
        run.text().contains("Invalid event_data_store"),
        "[{label}] {}",
        run.text()
    );
    assert_eq!(
        proxy.seen("GetEventDataStore"),
        1,
        "[{label}] {}",
        proxy.log()
    );

    wd.write(
        "main.tf",
        &(provider_block_with(&emu.endpoint, "  plan_checks = \"sometimes\"")
            + &ingestion_state("audit", &store, "")),
    );
    let run = wd.run(&["validate", "-no-color"]);
    assert_eq!(run.code, 1, "[{label}] {}", run.text());
    assert!(
        run.text().contains("Invalid plan_checks"),
        "[{label}] {}",
        run.text()
    );
    assert!(
        run.text().contains("\"sometimes\""),
        "[{label}] {}",
        run.text()
    );
}

/// `create_before_destroy` with `stop_on_destroy`: replacing the resource for the same store
/// creates the new object (store started) before destroying the old one, in one apply. The old
/// object's stop must not undo the start: the store stays ENABLED and the next plan is empty.
fn create_before_destroy_keeps_ingestion(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let arn = rt.block_on(emu.create_store(&unique_name("cbd"), false));
    wd.write(
        "main.tf",
        &(provider_block(&emu.endpoint)
            + &ingestion_state(
                "audit",
                &arn,
                "  stop_on_destroy = true\n  lifecycle {\n    create_before_destroy = true\n  }\n",
            )),
    );
    wd.apply();
    assert_status(&rt, emu, &arn, "ENABLED");
    let run = wd.ok(&[
        "apply",
        "-no-color",
        "-input=false",
        "-auto-approve",
        "-replace=cloudtrail_ingestion_state.audit",
    ]);
    assert!(
        run.stdout.contains("1 added") && run.stdout.contains("1 destroyed"),
        "[{label}] {}",
        run.text()
    );
    assert!(
        run.text().contains("Ingestion left started on destroy"),
        "[{label}] {}",
        run.text()
    );
    assert_status(&rt, emu, &arn, "ENABLED");
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] drift after the replacement:\n{}",
        run.text()
    );
}

per_client!(
    lifecycle,
    import_and_forms,
    missing_store_is_not_found,
    bad_arns_fail_at_plan,
    no_aws_call_before_needed,
    data_source_reads_store,
    aws_calls_per_apply,
    destroy_after_store_deleted,
    plan_checks_modes,
    create_before_destroy_keeps_ingestion,
);

// ---------------------------------------------------------------------------------------------
// Terraform ≥ 1.12 / OpenTofu 1.12: resource identity; Terraform ≥ 1.14: actions, list resources

/// `import { identity = { arn } }` imports a started store; the state records the identity and
/// the next plan is clean. An identity that is only an ID is refused, naming the rule.
fn identity_import(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let arn = rt.block_on(emu.create_store(&unique_name("ident"), true));
    let import = |to: &str, arn: &str| {
        format!(
            "import {{\n  to = cloudtrail_ingestion_state.{to}\n  identity = {{\n    arn = \"{arn}\"\n  }}\n}}\n"
        )
    };
    let config = provider_block(&emu.endpoint)
        + &ingestion_state("audit", &arn, "")
        + &import("audit", &arn);
    wd.write("main.tf", &config);
    let run = wd.ok(&["plan", "-no-color", "-input=false"]);
    assert!(
        run.stdout.contains("1 to import"),
        "[{label}] {}",
        run.text()
    );
    let run = wd.apply();
    assert!(
        run.stdout.contains("1 imported"),
        "[{label}] {}",
        run.text()
    );
    let instance = wd.first_instance();
    assert_eq!(
        instance["identity"]["arn"],
        arn.as_str(),
        "[{label}] {instance}"
    );
    assert_eq!(
        instance["attributes"]["status"], "ENABLED",
        "[{label}] {instance}"
    );
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after import not clean:\n{}",
        run.text()
    );
    assert_status(&rt, emu, &arn, "ENABLED");

    let id = arn.rsplit('/').next().unwrap();
    wd.write(
        "main.tf",
        &(config
            + "\nresource \"cloudtrail_ingestion_state\" \"by_id\" {\n  event_data_store = \""
            + id
            + "\"\n}\n"
            + &import("by_id", id)),
    );
    let run = wd.run(&["plan", "-no-color", "-input=false"]);
    assert_ne!(run.code, 0, "[{label}] {}", run.text());
    assert!(
        run.text().contains("Invalid identity"),
        "[{label}] {}",
        run.text()
    );
    assert!(run.text().contains("full ARN"), "[{label}] {}", run.text());
}

fn action(kind: &str, name: &str, config: &str) -> String {
    format!(
        "\naction \"cloudtrail_{kind}_ingestion\" \"{name}\" {{\n  config {{\n{config}  }}\n}}\n"
    )
}

/// `terraform apply -invoke=…` starts a stopped store and stops it again, streaming progress; a
/// malformed configuration fails validate at the attribute, a missing store fails the invoke.
fn actions_invoke(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let arn = rt.block_on(emu.create_store(&unique_name("act"), false));
    let base = provider_block(&emu.endpoint)
        + &action(
            "start",
            "go",
            &format!("    event_data_store = \"{arn}\"\n"),
        )
        + &action(
            "stop",
            "halt",
            &format!("    event_data_store = \"{arn}\"\n    wait = true\n    timeout = \"2m\"\n"),
        );
    wd.write("main.tf", &base);
    let invoke = |target: &str| {
        wd.ok(&[
            "apply",
            "-no-color",
            "-input=false",
            "-auto-approve",
            &format!("-invoke=action.{target}"),
        ])
    };
    let run = invoke("cloudtrail_start_ingestion.go");
    assert_status(&rt, emu, &arn, "ENABLED");
    let text = run.text();
    assert!(text.contains("is STOPPED_INGESTION"), "[{label}] {text}");
    assert!(
        text.contains("accepted StartEventDataStoreIngestion"),
        "[{label}] {text}"
    );
    assert!(text.contains("is ENABLED"), "[{label}] {text}");
    assert!(text.contains("1 invoked"), "[{label}] {text}");
    invoke("cloudtrail_stop_ingestion.halt");
    assert_status(&rt, emu, &arn, "STOPPED_INGESTION");
    // Already stopped: nothing to do, still a success.
    let run = invoke("cloudtrail_stop_ingestion.halt");
    assert!(!run.text().contains("accepted"), "[{label}] {}", run.text());
    assert_status(&rt, emu, &arn, "STOPPED_INGESTION");

    wd.write(
        "main.tf",
        &(provider_block(&emu.endpoint)
            + &action(
                "start",
                "bad",
                "    event_data_store = \"has space\"\n    timeout = \"soon\"\n",
            )),
    );
    let run = wd.run(&["validate", "-no-color"]);
    assert_ne!(run.code, 0, "[{label}] {}", run.text());
    for needle in [
        "Invalid event_data_store",
        "' ' is not allowed",
        "Invalid timeout",
        "\"soon\"",
    ] {
        assert!(
            run.text().contains(needle),
            "[{label}] {needle}: {}",
            run.text()
        );
    }

    let ghost = ghost_arn();
    wd.write(
        "main.tf",
        &(provider_block(&emu.endpoint)
            + &action(
                "start",
                "ghost",
                &format!("    event_data_store = \"{ghost}\"\n"),
            )),
    );
    let run = wd.run(&[
        "apply",
        "-no-color",
        "-input=false",
        "-auto-approve",
        "-invoke=action.cloudtrail_start_ingestion.ghost",
    ]);
    assert_ne!(run.code, 0, "[{label}] {}", run.text());
    assert!(
        run.text().contains("Event data store not found"),
        "[{label}] {}",
        run.text()
    );
}

/// An `action_trigger` starts ingestion `after_create` of another resource, here a store's
/// readiness marker (`terraform_data`, built into Terraform).
fn action_trigger_after_create(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let arn = rt.block_on(emu.create_store(&unique_name("trig"), false));
    wd.write(
        "main.tf",
        &(provider_block(&emu.endpoint)
            + &action("start", "go", &format!("    event_data_store = \"{arn}\"\n"))
            + &format!(
                "\nresource \"terraform_data\" \"store_ready\" {{\n  input = \"{arn}\"\n  lifecycle {{\n    action_trigger {{\n      events  = [after_create]\n      actions = [action.cloudtrail_start_ingestion.go]\n    }}\n  }}\n}}\n"
            )),
    );
    let run = wd.apply();
    assert!(run.stdout.contains("1 invoked"), "[{label}] {}", run.text());
    assert_status(&rt, emu, &arn, "ENABLED");
}

/// `terraform query` lists the stores (every page, pending deletions left out, `limit`
/// honoured); `-generate-config-out` and one apply import them all; the next plan is clean and
/// no store's ingestion changed.
fn list_query_imports_all(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let prefix = unique_name("lq");
    let started = rt.block_on(emu.create_store(&format!("{prefix}-a"), true));
    let stopped = rt.block_on(emu.create_store(&format!("{prefix}-b"), false));
    let third = rt.block_on(emu.create_store(&format!("{prefix}-c"), true));
    let deleted = rt.block_on(emu.create_store(&format!("{prefix}-d"), true));
    rt.block_on(emu.delete_store(&deleted));
    wd.write("main.tf", &provider_block(&emu.endpoint));
    let query = |extra: &str| {
        format!(
            "list \"cloudtrail_ingestion_state\" \"all\" {{\n  provider         = cloudtrail\n  include_resource = true\n{extra}  config {{\n    name_prefix = \"{prefix}-\"\n  }}\n}}\n"
        )
    };
    let listed = |run: &support::Run| support::listed(run, "list.cloudtrail_ingestion_state.all");
    wd.write("all.tfquery.hcl", &query("  limit            = 2\n"));
    let run = wd.ok(&["query", "-no-color"]);
    assert_eq!(listed(&run), 2, "[{label}] limit 2:\n{}", run.text());
    wd.write("all.tfquery.hcl", &query(""));
    let run = wd.ok(&["query", "-no-color"]);
    assert_eq!(listed(&run), 3, "[{label}] {}", run.text());
    assert!(!run.stdout.contains(&deleted), "[{label}] {}", run.text());
    wd.ok(&["query", "-no-color", "-generate-config-out=found.tf"]);
    let found = std::fs::read_to_string(wd.path().join("found.tf")).unwrap();
    for arn in [&started, &stopped, &third] {
        assert!(found.contains(arn.as_str()), "[{label}] {found}");
    }
    assert_eq!(found.matches("import {").count(), 3, "[{label}] {found}");
    let run = wd.apply();
    assert!(
        run.stdout.contains("3 imported"),
        "[{label}] {}",
        run.text()
    );
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after import not clean:\n{}",
        run.text()
    );
    assert_status(&rt, emu, &started, "ENABLED");
    assert_status(&rt, emu, &stopped, "STOPPED_INGESTION");
    assert_status(&rt, emu, &third, "ENABLED");
}

per_client_of!(with_identity_clients; identity_import);
per_client_of!(with_action_clients; actions_invoke, action_trigger_after_create, list_query_imports_all);
