//! Release artifacts: `scripts/release.sh` packages the (stripped) debug binary in the registry's
//! layout, and real `tofu init` / `terraform init` install it from a filesystem mirror made of
//! those files alone (no dev_overrides, no registry), then `plan` offline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{CLIENTS, Workdir, client_binary, provider_binary};
use terraform_provider_cloudtrail::VERSION;

const NAME: &str = "terraform-provider-cloudtrail";
const HOSTS: [&str; 2] = ["registry.terraform.io", "registry.opentofu.org"];

fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// Runs the release script on the debug binary, stripped first: the same program, a seventh of
/// the size, so zipping and each client's unpacking take a second instead of ten.
fn build_release(tmp: &Path) -> PathBuf {
    let stripped = tmp.join(NAME);
    run(Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(provider_binary()));
    let dist = tmp.join("dist");
    run(
        Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh"))
            .arg("--binary")
            .arg(&stripped)
            .arg("--out")
            .arg(&dist),
    );
    dist
}

/// `(name, unix mode)` of each entry of a zip, read with Python's zipfile (which the release
/// script uses to write it).
fn zip_entries(zip: &Path) -> Vec<(String, u32)> {
    let text = run(Command::new("python3").arg("-c").arg(
        "import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.external_attr >> 16)",
    ).arg(zip));
    text.lines()
        .map(|l| {
            let (name, mode) = l.rsplit_once(' ').unwrap();
            (name.to_owned(), mode.parse().unwrap())
        })
        .collect()
}

fn check_layout(dist: &Path) {
    let prefix = format!("{NAME}_{VERSION}");
    let zip_name = format!("{prefix}_{}.zip", platform());
    let mut files: Vec<String> = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want = vec![
        format!("{prefix}_SHA256SUMS"),
        zip_name.clone(),
        format!("{prefix}_manifest.json"),
    ];
    want.sort();
    assert_eq!(files, want, "files in dist/");

    let manifest = std::fs::read_to_string(dist.join(format!("{prefix}_manifest.json"))).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );

    let entries = zip_entries(&dist.join(&zip_name));
    assert_eq!(
        entries,
        vec![(format!("{NAME}_v{VERSION}"), 0o100755)],
        "the zip must hold exactly the executable {NAME}_v{VERSION}"
    );

    run(Command::new("sha256sum")
        .args(["--check", "--strict", &format!("{prefix}_SHA256SUMS")])
        .current_dir(dist));
    let sums = std::fs::read_to_string(dist.join(format!("{prefix}_SHA256SUMS"))).unwrap();
    let listed: Vec<&str> = sums
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    assert_eq!(
        listed,
        vec![zip_name.as_str(), &format!("{prefix}_manifest.json")]
    );
}

/// The `h1:` hash Terraform and OpenTofu record in the lock file for a package: dirhash's Hash1
/// over the zip's entries, computed here from the release zip itself.
fn h1_of_zip(zip: &Path) -> String {
    let script = "import base64, hashlib, sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  s = ''.join(f'{hashlib.sha256(z.read(n)).hexdigest()}  {n}\\n' for n in sorted(z.namelist()))\n\
                  print('h1:' + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())";
    run(Command::new("python3").arg("-c").arg(script).arg(zip))
        .trim()
        .to_owned()
}

/// The packed filesystem-mirror layout: `<host>/<namespace>/<type>/<the release zip>`.
fn make_mirror(tmp: &Path, dist: &Path) -> PathBuf {
    let mirror = tmp.join("mirror");
    let zip_name = format!("{NAME}_{VERSION}_{}.zip", platform());
    for host in HOSTS {
        let dir = mirror.join(host).join("cloudtrail-lake/cloudtrail");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(dist.join(&zip_name), dir.join(&zip_name)).unwrap();
    }
    mirror
}

fn config() -> String {
    format!(
        r#"terraform {{
  required_providers {{
    cloudtrail = {{
      source  = "cloudtrail-lake/cloudtrail"
      version = "{VERSION}"
    }}
  }}
}}

provider "cloudtrail" {{
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"
  skip_credentials_validation = true
  endpoints {{
    cloudtrail = "http://127.0.0.1:9"
  }}
}}

resource "cloudtrail_ingestion_state" "audit" {{
  event_data_store = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE"
}}
"#
    )
}

fn install_and_plan(label: &str, mirror: &Path, h1: &str) {
    let Some(client) = client_binary(label) else {
        return;
    };
    let wd = Workdir::new(label, client);
    // Replaces the dev_overrides config: only the mirror, and no registry to fall back on.
    wd.write(
        "cli.tfrc",
        &format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/cloudtrail-lake/cloudtrail\", \"registry.opentofu.org/cloudtrail-lake/cloudtrail\"]\n  }}\n}}\n",
            mirror.display()
        ),
    );
    wd.write("main.tf", &config());
    let init = wd.ok(&["init", "-input=false", "-no-color"]);
    assert!(
        init.stdout
            .contains(&format!("Installed cloudtrail-lake/cloudtrail v{VERSION}")),
        "[{label}] init did not install the provider from the mirror:\n{}",
        init.text()
    );
    assert!(
        !init.text().contains("development overrides"),
        "[{label}] dev_overrides in effect:\n{}",
        init.text()
    );
    let lock = std::fs::read_to_string(wd.path().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\""))
            && lock.contains(&format!("\"{h1}\"")),
        "[{label}] the lock file does not record {VERSION} with the release zip's hash {h1}:\n{lock}"
    );
    let (code, plan) = wd.plan_code();
    assert_eq!(code, 2, "[{label}] plan:\n{}", plan.text());
    assert!(
        plan.stdout.contains("1 to add"),
        "[{label}] plan:\n{}",
        plan.text()
    );
}

#[test]
fn release_artifacts_install_from_a_mirror_with_every_client() {
    let tmp = tempfile::Builder::new()
        .prefix("release-")
        .tempdir()
        .unwrap();
    let dist = build_release(tmp.path());
    check_layout(&dist);
    let h1 = h1_of_zip(&dist.join(format!("{NAME}_{VERSION}_{}.zip", platform())));
    let mirror = make_mirror(tmp.path(), &dist);
    for (label, _) in CLIENTS {
        install_and_plan(label, &mirror, &h1);
    }
}

/// The shipped binary's dependencies hold one HTTP/TLS stack: none of the legacy one that
/// aws-config's default features pull in (hyper 0.14, rustls 0.21, h2 0.3), whose rustls-webpki
/// 0.101 and h2 0.3 carry open RustSec advisories (RELIABILITY.md).
#[test]
fn the_shipped_binary_has_one_tls_stack() {
    let tree = run(Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--target",
            "all",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    let crates: Vec<&str> = tree.lines().map(str::trim).collect();
    assert!(
        crates.iter().any(|c| c.starts_with("rustls v0.23.")),
        "no rustls 0.23 in:\n{tree}"
    );
    for legacy in [
        "rustls v0.21.",
        "hyper v0.14.",
        "h2 v0.3.",
        "rustls-webpki v0.101.",
        "hyper-rustls v0.24.",
        "ring v",
    ] {
        let found: Vec<&&str> = crates.iter().filter(|c| c.starts_with(legacy)).collect();
        assert!(found.is_empty(), "legacy {legacy}: {found:?}");
    }
}
