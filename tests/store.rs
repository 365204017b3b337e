//! End to end for `cloudtrail_event_data_store`: real Terraform and OpenTofu binaries create,
//! change, replace, protect, import and destroy stores in LocalEmu, and each scenario checks the
//! store itself. Each scenario runs once per client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::localemu::{self, LocalEmu};
use support::{Workdir, client_binary, per_client, provider_block, runtime, unique_name};

fn setup(label: &str) -> Option<(Workdir, &'static LocalEmu, tokio::runtime::Runtime)> {
    let bin = client_binary(label)?;
    Some((Workdir::new(label, bin), localemu::shared(), runtime()))
}

/// A configuration of one store `s` with `body` in its block, and its ARN as an output.
fn config(emu: &LocalEmu, name: &str, body: &str) -> String {
    store_only(emu, name, body)
        + "\noutput \"arn\" {\n  value = cloudtrail_event_data_store.s.arn\n}\n"
}

/// The same without the output (an import sets no output, which Terraform 1.0 plans as a change).
fn store_only(emu: &LocalEmu, name: &str, body: &str) -> String {
    provider_block(&emu.endpoint)
        + &format!(
            "\nresource \"cloudtrail_event_data_store\" \"s\" {{\n  name = \"{name}\"\n{body}}}\n"
        )
}

fn arn(wd: &Workdir) -> String {
    wd.ok(&["output", "-raw", "arn"]).stdout.trim().to_owned()
}

/// S3 object data events, in two field selectors.
const S3_DATA: &str = r#"  advanced_event_selector {
    name = "s3"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
  }
"#;

/// Management events without KMS ones, in one selector of two field selectors.
const MANAGEMENT_NO_KMS: &str = r#"  advanced_event_selector {
    name = "management"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
    field_selector {
      field      = "eventSource"
      not_equals = ["kms.amazonaws.com"]
    }
  }
"#;

/// Create with selectors and tags; an in-place update of name, retention, selectors and tags;
/// drift made outside Terraform shown and undone; a billing change that replaces; termination
/// protection refusing destroy until it is lifted. Every step checks the store in LocalEmu, and
/// every apply is followed by a clean plan.
fn store_lifecycle(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let name = unique_name("eds");
    let clean = |step: &str| {
        let (code, run) = wd.plan_code();
        assert_eq!(
            code,
            0,
            "[{label}] plan after {step} not clean:\n{}",
            run.text()
        );
    };

    let body = format!(
        "{S3_DATA}  retention_period = 90\n  termination_protection_enabled = false\n  tags = {{\n    team = \"a\"\n  }}\n"
    );
    wd.write("main.tf", &config(emu, &name, &body));
    wd.apply();
    let first = arn(&wd);
    let got = rt.block_on(emu.get_store(&first));
    assert_eq!(got.name(), Some(name.as_str()));
    assert_eq!(got.retention_period(), Some(90));
    assert_eq!(got.termination_protection_enabled(), Some(false));
    let selectors = got.advanced_event_selectors();
    assert_eq!(selectors.len(), 1, "[{label}] {got:?}");
    assert_eq!(selectors[0].field_selectors().len(), 2, "[{label}] {got:?}");
    assert_eq!(
        rt.block_on(emu.tags(&first)),
        [("team".to_owned(), "a".to_owned())]
    );
    clean("create");

    let renamed = format!("{name}-2");
    let body = format!(
        "{MANAGEMENT_NO_KMS}  retention_period = 120\n  termination_protection_enabled = false\n  tags = {{\n    team = \"b\"\n    env  = \"test\"\n  }}\n"
    );
    wd.write("main.tf", &config(emu, &renamed, &body));
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] {}", run.text());
    assert!(
        run.stdout.contains("update in-place"),
        "[{label}] {}",
        run.text()
    );
    assert!(
        !run.stdout.contains("must be replaced"),
        "[{label}] {}",
        run.text()
    );
    wd.apply();
    assert_eq!(
        arn(&wd),
        first,
        "[{label}] an in-place update replaced the store"
    );
    let got = rt.block_on(emu.get_store(&first));
    assert_eq!(got.name(), Some(renamed.as_str()));
    assert_eq!(got.retention_period(), Some(120));
    let fields = got.advanced_event_selectors()[0].field_selectors();
    assert!(
        fields
            .iter()
            .any(|f| f.not_equals() == ["kms.amazonaws.com"]),
        "[{label}] {got:?}"
    );
    assert_eq!(
        rt.block_on(emu.tags(&first)),
        [
            ("env".to_owned(), "test".to_owned()),
            ("team".to_owned(), "b".to_owned())
        ]
    );
    clean("update");

    rt.block_on(emu.set_retention(&first, 200));
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] drift not shown:\n{}", run.text());
    assert!(
        run.stdout.contains("retention_period"),
        "[{label}] {}",
        run.text()
    );
    wd.apply();
    let got = rt.block_on(emu.get_store(&first));
    assert_eq!(
        got.retention_period(),
        Some(120),
        "[{label}] drift not undone"
    );

    let fixed = format!("{body}  billing_mode = \"FIXED_RETENTION_PRICING\"\n");
    wd.write("main.tf", &config(emu, &renamed, &fixed));
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] {}", run.text());
    assert!(
        run.stdout.contains("must be replaced"),
        "[{label}] {}",
        run.text()
    );
    wd.apply();
    let second = arn(&wd);
    assert_ne!(
        second, first,
        "[{label}] billing mode changed without replacing"
    );
    assert_eq!(rt.block_on(emu.status(&first)), "PENDING_DELETION");
    let got = rt.block_on(emu.get_store(&second));
    assert_eq!(
        got.billing_mode().map(|b| b.as_str()),
        Some("FIXED_RETENTION_PRICING")
    );
    clean("replace");

    let protected = fixed.replace("  termination_protection_enabled = false\n", "");
    wd.write("main.tf", &config(emu, &renamed, &protected));
    wd.apply();
    let run = wd.run(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_ne!(
        run.code, 0,
        "[{label}] destroy went through termination protection"
    );
    let text = support::flat(&run.text());
    assert!(
        text.contains("Termination protection is on"),
        "[{label}] {text}"
    );
    assert!(
        text.contains("termination_protection_enabled"),
        "[{label}] {text}"
    );
    assert_eq!(rt.block_on(emu.status(&second)), "ENABLED");

    wd.write("main.tf", &config(emu, &renamed, &fixed));
    wd.apply();
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_eq!(rt.block_on(emu.status(&second)), "PENDING_DELETION");
}

/// With only a name: the plan shows the retention and region AWS will give, the store gets
/// AWS's default selector and ingests, and the next plan is clean.
fn store_defaults(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let name = unique_name("eds-default");
    let body = "  termination_protection_enabled = false\n";
    wd.write("main.tf", &config(emu, &name, body));
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] {}", run.text());
    let text = support::flat(&run.stdout);
    for shown in [
        "retention_period = 366",
        "region = \"us-east-1\"",
        "billing_mode = \"EXTENDABLE_RETENTION_PRICING\"",
    ] {
        assert!(
            text.contains(shown),
            "[{label}] {shown:?} not in the plan:\n{text}"
        );
    }
    // The data source reads the store with the resource's names and values.
    let shared = [
        "arn",
        "name",
        "status",
        "retention_period",
        "billing_mode",
        "multi_region_enabled",
        "organization_enabled",
        "termination_protection_enabled",
        "created_timestamp",
        "updated_timestamp",
    ];
    let mut both = config(emu, &name, body)
        + "\ndata \"cloudtrail_event_data_store\" \"s\" {\n  event_data_store = cloudtrail_event_data_store.s.arn\n}\n";
    for a in shared {
        both += &format!(
            "\noutput \"{a}\" {{\n  value = [cloudtrail_event_data_store.s.{a}, data.cloudtrail_event_data_store.s.{a}]\n}}\n"
        );
    }
    wd.write(
        "main.tf",
        &both.replace(
            "output \"arn\" {\n  value = cloudtrail_event_data_store.s.arn\n}\n",
            "",
        ),
    );
    wd.apply();
    let out = wd.ok(&["output", "-json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for a in shared {
        let pair = &json[a]["value"];
        assert!(!pair[0].is_null(), "[{label}] {a} is null: {}", out.stdout);
        assert_eq!(
            pair[0], pair[1],
            "[{label}] {a}: resource and data source differ"
        );
    }
    let arn = json["arn"]["value"][0].as_str().unwrap().to_owned();
    let got = rt.block_on(emu.get_store(&arn));
    assert_eq!(got.retention_period(), Some(366));
    assert_eq!(got.status().map(|s| s.as_str()), Some("ENABLED"));
    assert_eq!(got.advanced_event_selectors().len(), 1, "[{label}] {got:?}");
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after create not clean:\n{}",
        run.text()
    );
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_eq!(rt.block_on(emu.status(&arn)), "PENDING_DELETION");
}

/// A store made outside Terraform is imported by ARN, then (after `state rm`) by ID, each time
/// with a clean plan after; destroy then deletes it.
fn store_import(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let name = unique_name("eds-import");
    let arn = rt.block_on(emu.create_store(&name, false));
    let id = arn.rsplit('/').next().unwrap().to_owned();
    let body = "  termination_protection_enabled = false\n  start_ingestion = false\n";
    wd.write("main.tf", &store_only(emu, &name, body));
    for imported in [&arn, &id] {
        wd.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "cloudtrail_event_data_store.s",
            imported,
        ]);
        let (code, run) = wd.plan_code();
        assert_eq!(
            code,
            0,
            "[{label}] plan after import of {imported} not clean:\n{}",
            run.text()
        );
        if imported == &arn {
            wd.ok(&["state", "rm", "cloudtrail_event_data_store.s"]);
        }
    }
    // The store resource leaves ingestion alone: it was stopped, and stays so.
    wd.apply();
    assert_eq!(rt.block_on(emu.status(&arn)), "STOPPED_INGESTION");
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_eq!(rt.block_on(emu.status(&arn)), "PENDING_DELETION");
}

/// `terraform query` lists the stores by name prefix, pending deletions left out;
/// `-generate-config-out` and one apply import them; the next plan is clean.
fn store_query(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let prefix = unique_name("eds-q");
    let a = rt.block_on(emu.create_store(&format!("{prefix}-a"), true));
    let b = rt.block_on(emu.create_store(&format!("{prefix}-b"), false));
    let deleted = rt.block_on(emu.create_store(&format!("{prefix}-d"), true));
    rt.block_on(emu.delete_store(&deleted));
    wd.write("main.tf", &provider_block(&emu.endpoint));
    wd.write(
        "all.tfquery.hcl",
        &format!(
            "list \"cloudtrail_event_data_store\" \"all\" {{\n  provider         = cloudtrail\n  include_resource = true\n  config {{\n    name_prefix = \"{prefix}-\"\n  }}\n}}\n"
        ),
    );
    let run = wd.ok(&["query", "-no-color"]);
    let found = support::listed(&run, "list.cloudtrail_event_data_store.all");
    assert_eq!(found, 2, "[{label}] {}", run.text());
    assert!(!run.stdout.contains(&deleted), "[{label}] {}", run.text());
    wd.ok(&["query", "-no-color", "-generate-config-out=found.tf"]);
    let found = std::fs::read_to_string(wd.path().join("found.tf")).unwrap();
    for arn in [&a, &b] {
        assert!(found.contains(arn.as_str()), "[{label}] {found}");
    }
    let run = wd.apply();
    assert!(
        run.stdout.contains("2 imported"),
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
    assert_eq!(rt.block_on(emu.status(&b)), "STOPPED_INGESTION");
}

/// `import { identity = { arn } }` imports a store with the identity hashicorp/aws gives it; the
/// state records it and the next plan is clean.
fn store_identity_import(label: &str) {
    let Some((wd, emu, rt)) = setup(label) else {
        return;
    };
    let name = unique_name("eds-ident");
    let arn = rt.block_on(emu.create_store(&name, true));
    let body = "  termination_protection_enabled = false\n";
    let import = format!(
        "\nimport {{\n  to = cloudtrail_event_data_store.s\n  identity = {{\n    arn = \"{arn}\"\n  }}\n}}\n"
    );
    wd.write("main.tf", &(store_only(emu, &name, body) + &import));
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
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{label}] plan after import not clean:\n{}",
        run.text()
    );
    // Deleted outside Terraform, then destroyed without a refresh: already gone counts as done.
    rt.block_on(emu.delete_store(&arn));
    wd.ok(&[
        "destroy",
        "-no-color",
        "-input=false",
        "-auto-approve",
        "-refresh=false",
    ]);
}

per_client!(store_lifecycle, store_defaults, store_import);
support::per_client_of!(with_action_clients; store_query);
support::per_client_of!(with_identity_clients; store_identity_import);
