//! `--debug`: the binary serves without cookie or TLS and prints the TF_REATTACH_PROVIDERS line;
//! a real client pasted that line attaches to it, and Ctrl-C ends it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Workdir, client_binary};

fn attach_with(label: &str) {
    let Some(bin) = client_binary(label) else {
        return;
    };
    let mut child = Command::new(support::provider_binary())
        .arg("--debug")
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut reattach = None;
    for _ in 0..20 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_owned());
            break;
        }
    }
    let reattach = reattach.expect("the TF_REATTACH_PROVIDERS line");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let entry = &parsed["registry.terraform.io/cloudtrail-lake/cloudtrail"];
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["Pid"], child.id());

    let wd = Workdir::new(label, bin);
    wd.write(
        "main.tf",
        r#"terraform {
  required_providers {
    cloudtrail = { source = "cloudtrail-lake/cloudtrail" }
  }
}
provider "cloudtrail" {
  region                      = "us-east-1"
  skip_credentials_validation = true
}
resource "cloudtrail_ingestion_state" "x" {
  event_data_store = "reattached-store"
}
"#,
    );
    // Two runs against the same process: a debug session outlives one Terraform command.
    for _ in 0..2 {
        let run = wd.run_with(
            &["plan", "-no-color", "-input=false"],
            &[("TF_REATTACH_PROVIDERS", &reattach)],
        );
        assert_eq!(run.code, 0, "[{label}] {}", run.text());
        assert!(run.stdout.contains("1 to add"), "[{label}] {}", run.text());
        assert!(
            child.try_wait().unwrap().is_none(),
            "debug provider exited after a run"
        );
    }

    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "Ctrl-C did not stop debug mode"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn reattach_terraform() {
    attach_with("terraform-1.0");
}

#[test]
fn reattach_opentofu() {
    attach_with(support::newest_tofu());
}
