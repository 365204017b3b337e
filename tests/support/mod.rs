//! Shared test bed: the real Terraform/OpenTofu binaries the suite drives, each run in its own
//! temporary directory and CLI config, and the LocalEmu emulator they talk to.
//!
//! Every integration-test crate declares it once with `mod support;` and takes what it needs;
//! `dead_code` is allowed because each crate uses only part of it.
#![allow(dead_code, unused_macros, clippy::unwrap_used, clippy::expect_used)]

pub mod chroot;
pub mod faultproxy;
pub mod forwardproxy;
pub mod fuzz_harness;
pub mod grpc;
pub mod localemu;
pub mod mocks;
pub mod moto;
pub mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The tool pins (`scripts/versions.env`, KEY=VALUE lines), the one place a version is written.
pub const VERSIONS: &str = include_str!("../../scripts/versions.env");

/// The pinned version under `key` in `scripts/versions.env`.
pub fn pinned(key: &str) -> &'static str {
    VERSIONS
        .lines()
        .filter_map(|line| line.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().trim_matches('"'))
        .unwrap_or_else(|| panic!("scripts/versions.env pins no {key}"))
}

/// Every client the suite drives, once: `test name => label`. Hands the list to the macro
/// `$callback` (in this module), after the tokens in brackets. The client's version is pinned in
/// `scripts/versions.env` under the test name in capitals (`TOFU_1_12=1.12.6`), and its binary in
/// the tools dir is `<tool>-<version>` (`tofu-1.12.6`). Adding a client is one line here, plus its
/// pin and its install line in `scripts/install-tools.sh`.
macro_rules! with_clients {
    ($callback:ident [$($pre:tt)*]) => {
        $crate::support::$callback! {
            [$($pre)*]
            tofu_1_12 => "tofu-1.12",
            tofu_1_6 => "tofu-1.6",
            terraform_1_15 => "terraform-1.15",
            terraform_1_14 => "terraform-1.14",
            terraform_1_5 => "terraform-1.5",
            terraform_1_0 => "terraform-1.0",
        }
    };
}
#[allow(unused_imports)]
pub(crate) use with_clients;

/// The clients that know resource identity (Terraform ≥ 1.12, OpenTofu ≥ 1.12), as `with_clients!`.
macro_rules! with_identity_clients {
    ($callback:ident [$($pre:tt)*]) => {
        $crate::support::$callback! {
            [$($pre)*]
            tofu_1_12 => "tofu-1.12",
            terraform_1_15 => "terraform-1.15",
            terraform_1_14 => "terraform-1.14",
        }
    };
}
#[allow(unused_imports)]
pub(crate) use with_identity_clients;

/// The newest Terraform and the newest OpenTofu, as `with_clients!`: for scenarios about the
/// provider's own network and credentials code, which every client drives the same way.
macro_rules! with_newest_clients {
    ($callback:ident [$($pre:tt)*]) => {
        $crate::support::$callback! {
            [$($pre)*]
            tofu_1_12 => "tofu-1.12",
            terraform_1_15 => "terraform-1.15",
        }
    };
}
#[allow(unused_imports)]
pub(crate) use with_newest_clients;

/// The clients with actions and list resources (Terraform ≥ 1.14; OpenTofu has neither).
macro_rules! with_action_clients {
    ($callback:ident [$($pre:tt)*]) => {
        $crate::support::$callback! {
            [$($pre)*]
            terraform_1_15 => "terraform-1.15",
            terraform_1_14 => "terraform-1.14",
        }
    };
}
#[allow(unused_imports)]
pub(crate) use with_action_clients;

/// `per_client_of!(with_action_clients; scenario, ...)`: as `per_client!`, for the clients of
/// that list only.
macro_rules! per_client_of {
    ($list:ident; $($scenario:ident),* $(,)?) => {
        $( $crate::support::$list!(per_client_module [$scenario]); )*
    };
}
#[allow(unused_imports)]
pub(crate) use per_client_of;

with_action_clients!(labels_const[ACTION_CLIENTS]);
with_identity_clients!(labels_const[IDENTITY_CLIENTS]);

macro_rules! labels_const {
    ([$name:ident] $($client:ident => $label:literal,)*) => {
        /// The labels of one of the client lists.
        pub const $name: &[&str] = &[$($label),*];
    };
}
#[allow(unused_imports)]
pub(crate) use labels_const;

/// `per_client!(scenario, ...)`: for each `fn scenario(label: &str)`, a module `scenario` with one
/// `#[test]` per client (`scenario::tofu_1_12`, ...) and `LABELS`, the labels it covers.
macro_rules! per_client {
    ($($scenario:ident),* $(,)?) => {
        $( $crate::support::with_clients!(per_client_module [$scenario]); )*
    };
}
#[allow(unused_imports)]
pub(crate) use per_client;

macro_rules! per_client_module {
    ([$scenario:ident] $($client:ident => $label:literal,)*) => {
        mod $scenario {
            /// The clients this scenario runs on.
            #[allow(dead_code)]
            pub const LABELS: &[&str] = &[$($label),*];
            $(
                #[test]
                fn $client() {
                    super::$scenario($label)
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use per_client_module;

macro_rules! clients_table {
    ([] $($client:ident => $label:literal,)*) => {
        /// Every client the suite drives, as (label, test name); its pin in `scripts/versions.env`
        /// is the test name in capitals.
        pub const CLIENTS: &[(&str, &str)] = &[$(($label, stringify!($client))),*];
    };
}
#[allow(unused_imports)]
pub(crate) use clients_table;

with_clients!(clients_table []);

pub fn tools_bin() -> PathBuf {
    match std::env::var_os("TOOLS_DIR") {
        Some(dir) => PathBuf::from(dir).join("bin"),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME"))
            .join(".cache/terraform-provider-cloudtrail/tools/bin"),
    }
}

/// `TPC_SKIP_CLIENTS` (comma-separated labels, or `all`) is the only way to skip a client.
fn skip_requested(label: &str) -> bool {
    std::env::var("TPC_SKIP_CLIENTS")
        .map(|v| v.split(',').any(|s| s.trim() == label || s.trim() == "all"))
        .unwrap_or(false)
}

/// The client's binary, or `None` when its skip was asked for by name. A missing binary that
/// nobody asked to skip fails the test.
pub fn client_binary(label: &str) -> Option<PathBuf> {
    if skip_requested(label) {
        eprintln!("skipping {label}: TPC_SKIP_CLIENTS asks for it");
        return None;
    }
    let path = tools_bin().join(client_file(label));
    assert!(
        path.is_file(),
        "{} is missing: run `scripts/install-tools.sh` (or set TPC_SKIP_CLIENTS={label} to skip it)",
        path.display()
    );
    Some(path)
}

/// The client's binary file name in the tools dir: `<tool>-<pinned version>` (`tofu-1.12.6`).
pub fn client_file(label: &str) -> String {
    let (_, name) = CLIENTS
        .iter()
        .find(|(l, _)| *l == label)
        .expect("known client label");
    let tool = label.split('-').next().expect("label is <tool>-<line>");
    format!("{tool}-{}", pinned(&name.to_uppercase()))
}

pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-cloudtrail"))
}

/// A working directory with its own CLI config that points the provider's address at the
/// freshly built binary (dev_overrides), isolated from ~/.terraformrc and real AWS.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    pub client: PathBuf,
    pub label: String,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn text(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

impl Workdir {
    pub fn new(label: &str, client: PathBuf) -> Workdir {
        Self::with_provider_dir(label, client, provider_binary().parent().unwrap())
    }

    /// As `new`, with the provider taken from `provider_dir` (which holds an executable named
    /// `terraform-provider-cloudtrail`).
    pub fn with_provider_dir(label: &str, client: PathBuf, provider_dir: &Path) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("e2e-{label}-"))
            .tempdir()
            .unwrap();
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"cloudtrail-lake/cloudtrail\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            provider_dir.display()
        );
        std::fs::write(dir.path().join("cli.tfrc"), cli_config).unwrap();
        Workdir {
            dir,
            client,
            label: label.to_owned(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.client);
        cmd.args(args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs the client with `args` (no colour, no input) and returns what it said.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let Output {
            status,
            stdout,
            stderr,
        } = cmd.output().expect("client runs");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Runs and asserts success.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code,
            0,
            "[{}] {:?} failed:\n{}",
            self.label,
            args,
            run.text()
        );
        run
    }

    /// `plan -detailed-exitcode`: 0 = no changes, 2 = changes.
    pub fn plan_code(&self) -> (i32, Run) {
        let run = self.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
        (run.code, run)
    }

    /// The first instance of the first resource in `terraform.tfstate`, as JSON.
    pub fn first_instance(&self) -> serde_json::Value {
        let state: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(self.path().join("terraform.tfstate")).unwrap(),
        )
        .unwrap();
        state["resources"][0]["instances"][0].clone()
    }

    pub fn apply(&self) -> Run {
        self.ok(&["apply", "-no-color", "-input=false", "-auto-approve"])
    }
}

/// The provider block every e2e config uses: region, keys and endpoint from the block alone.
pub fn provider_block(endpoint: &str) -> String {
    provider_block_with(endpoint, "")
}

/// The `terraform` block that names this provider's source address.
pub const REQUIRED_PROVIDERS: &str = r#"terraform {
  required_providers {
    cloudtrail = {
      source = "cloudtrail-lake/cloudtrail"
    }
  }
}
"#;

/// The same provider block with `extra` arguments (e.g. `plan_checks = "off"`).
pub fn provider_block_with(endpoint: &str, extra: &str) -> String {
    REQUIRED_PROVIDERS.to_owned()
        + &format!(
            r#"
provider "cloudtrail" {{
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"
  max_retries = 2
  # LocalEmu has no STS; the STS tests (tests/sts.rs) turn this back on against moto.
  skip_credentials_validation = true
{extra}
  endpoints {{
    cloudtrail = "{endpoint}"
  }}
}}
"#
        )
}

/// How many objects a `terraform query` run listed for the list block `address`
/// (`list.<type>.<name>`).
pub fn listed(run: &Run, address: &str) -> usize {
    run.stdout
        .lines()
        .filter(|l| l.starts_with(address))
        .count()
}

/// A current-thread runtime for a synchronous test's AWS helper calls.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A `cloudtrail_ingestion_state` named `name` for `store`, with `extra` lines in its body.
pub fn ingestion_state(name: &str, store: &str, extra: &str) -> String {
    format!(
        "\nresource \"cloudtrail_ingestion_state\" \"{name}\" {{\n  event_data_store = \"{store}\"\n{extra}}}\n"
    )
}

/// The newest OpenTofu the suite drives (the first `TOFU_` pin of `scripts/versions.env`), for
/// the tests that need one client.
pub fn newest_tofu() -> &'static str {
    CLIENTS
        .iter()
        .map(|(label, _)| *label)
        .find(|label| label.starts_with("tofu-"))
        .expect("the suite drives an OpenTofu")
}

/// A client's output with its line wrapping undone, for phrase checks.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A unique, valid store name per test so tests never share a store by accident.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The release directory that `scripts/test.sh` builds with `scripts/release.sh` (every target
/// of RUST_RELEASE_TARGETS) and names in `TPC_DIST_DIR`.
pub fn dist_dir() -> PathBuf {
    match std::env::var_os("TPC_DIST_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_dir() => dir,
        other => panic!(
            "TPC_DIST_DIR ({other:?}) must name a release directory: run \
             `scripts/release.sh --out DIR` and set TPC_DIST_DIR=DIR (scripts/test.sh does both)"
        ),
    }
}

/// The release zip of `platform` (`linux_arm64`) in `dist_dir()`.
pub fn dist_zip(platform: &str) -> PathBuf {
    let zip = dist_dir().join(format!(
        "terraform-provider-cloudtrail_{}_{platform}.zip",
        terraform_provider_cloudtrail::VERSION
    ));
    assert!(
        zip.is_file(),
        "{} is missing: run `scripts/release.sh --out {}`",
        zip.display(),
        dist_dir().display()
    );
    zip
}

/// Copies `from` to `to` as an executable (mode 755), with `install(1)`: no file descriptor that
/// can write `to` is ever open in this process. A test thread's fork, in the instant before its
/// exec, inherits every descriptor open in the process, and one open for writing makes the
/// kernel refuse to run `to` ("Text file busy") until that child has exec'd.
pub fn install_executable(from: &Path, to: &Path) {
    let out = Command::new("install")
        .args(["-m", "0755"])
        .arg(from)
        .arg(to)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "install {} {}: {}",
        from.display(),
        to.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes a script that will be run, through `install_executable` (the source file, written
/// here, is never run).
pub fn write_executable(to: &Path, text: &str) {
    let source = to.with_extension("source");
    std::fs::write(&source, text).unwrap();
    install_executable(&source, to);
    std::fs::remove_file(&source).unwrap();
}
