//! Installing from a provider registry: real Terraform and OpenTofu fetch the release that
//! scripts/release.sh built (`TPC_DIST_DIR`) from a registry on https://localhost, verify its
//! signature and checksums, refuse altered packages, and lock the hashes of every platform.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use support::localemu;
use support::registry::{NAME, PLATFORMS, Registry, Release, Serve, host_platform, tampered};
use support::{
    Run, Workdir, client_binary, flat, per_client_of, provider_block, runtime, unique_name,
};
use terraform_provider_cloudtrail::VERSION;

/// For configurations that are only installed, never applied: nothing listens there.
const UNUSED_ENDPOINT: &str = "http://127.0.0.1:9";

/// A workdir whose CLI config installs from registries only. With HOME in the workdir and no
/// implicit mirrors, a copy of the provider in the real `~/.terraform.d/plugins` cannot be used.
fn workdir(label: &str) -> Option<Workdir> {
    let wd = Workdir::new(label, client_binary(label)?);
    wd.write("cli.tfrc", "provider_installation {\n  direct {}\n}\n");
    Some(wd)
}

/// The e2e provider block, with the source address on `reg` and the release's version.
fn config(reg: &Registry, endpoint: &str, body: &str) -> String {
    let block = provider_block(endpoint);
    let source = format!(
        "source  = \"{}\"\n      version = \"{VERSION}\"",
        reg.source()
    );
    let config = block.replace("source = \"cloudtrail-lake/cloudtrail\"", &source);
    assert_ne!(config, block, "provider_block no longer names the source");
    config + body
}

/// A workdir, the release, and a registry serving it as `serve`, for a configuration that is only
/// installed (its provider block points nowhere).
fn install_only(label: &str, serve: Serve) -> Option<(Workdir, &'static Release, Registry)> {
    let wd = workdir(label)?;
    let release = Release::get();
    let reg = Registry::start(release, serve);
    wd.write("main.tf", &config(&reg, UNUSED_ENDPOINT, ""));
    Some((wd, release, reg))
}

/// Runs the client trusting the registry's CA (Go reads `SSL_CERT_FILE`).
fn run(wd: &Workdir, reg: &Registry, args: &[&str]) -> Run {
    let ca = reg.ca_file();
    wd.run_with(args, &[("SSL_CERT_FILE", ca.to_str().unwrap())])
}

fn init(wd: &Workdir, reg: &Registry) -> Run {
    run(wd, reg, &["init", "-input=false", "-no-color"])
}

/// The provider executables under `.terraform/providers`.
fn installed(wd: &Workdir) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if entry.file_name().to_string_lossy().starts_with(NAME) {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&wd.path().join(".terraform/providers"), &mut found);
    found
}

/// Where `init` puts this machine's package from `reg`.
fn installed_from(wd: &Workdir, reg: &Registry) -> PathBuf {
    wd.path()
        .join(".terraform/providers")
        .join(reg.source())
        .join(VERSION)
        .join(host_platform())
        .join(format!("{NAME}_v{VERSION}"))
}

fn lock_file(wd: &Workdir) -> PathBuf {
    wd.path().join(".terraform.lock.hcl")
}

/// The hashes the lock file records for the provider on `reg` (the only provider in it).
fn locked_hashes(wd: &Workdir, reg: &Registry) -> BTreeSet<String> {
    let text = std::fs::read_to_string(lock_file(wd)).unwrap();
    assert!(
        text.contains(&format!("provider \"{}\"", reg.source()))
            && text.contains(&format!("version     = \"{VERSION}\"")),
        "[{}] the lock file does not pin {} {VERSION}:\n{text}",
        wd.label,
        reg.source()
    );
    text.split('"')
        .filter(|s| s.starts_with("h1:") || s.starts_with("zh:"))
        .map(str::to_owned)
        .collect()
}

/// The `h1:` hash of every platform's package, each computed by the test from the zip.
fn every_h1(release: &Release) -> BTreeSet<String> {
    release.packages.iter().map(|p| p.h1.clone()).collect()
}

/// Installs the signed release, says who signed it, records its hashes, and the installed
/// provider applies: a stopped store in LocalEmu is ingesting afterwards.
fn installs_signed_and_applies(label: &str) {
    let Some(wd) = workdir(label) else {
        return;
    };
    let release = Release::get();
    let reg = Registry::start(release, Serve::Genuine);
    let emu = localemu::shared();
    let rt = runtime();
    let arn = rt.block_on(emu.create_store(&unique_name("registry"), false));
    wd.write(
        "main.tf",
        &config(
            &reg,
            &emu.endpoint,
            &format!(
                "\nresource \"cloudtrail_ingestion_state\" \"audit\" {{\n  event_data_store = \"{arn}\"\n}}\n"
            ),
        ),
    );

    let init = init(&wd, &reg);
    assert_eq!(init.code, 0, "[{label}] init failed:\n{}", init.text());
    let said = flat(&init.stdout);
    // Terraform calls a key that is not HashiCorp's "self-signed", OpenTofu says "signed".
    let installed_line = format!("Installed {} v{VERSION} (", reg.source());
    let verdict = said
        .split(&installed_line)
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("[{label}] no {installed_line:?} in:\n{}", init.text()));
    assert!(
        verdict == format!("signed, key ID {}", release.key_id)
            || verdict == format!("self-signed, key ID {}", release.key_id),
        "[{label}] init does not report the signature by {}: ({verdict})\n{}",
        release.key_id,
        init.text()
    );
    assert!(
        reg.was_requested(&format!("{}.sig", release.sums_name)),
        "[{label}] the signature was never fetched: {:?}",
        reg.requests()
    );
    assert_eq!(
        installed(&wd),
        vec![installed_from(&wd, &reg)],
        "[{label}] installed"
    );

    // The host's package by its contents; every platform by the signed sums.
    let hashes = locked_hashes(&wd, &reg);
    let host = release.package(&host_platform());
    assert!(hashes.contains(&host.h1), "[{label}] {hashes:?}");
    for package in &release.packages {
        assert!(
            hashes.contains(&package.zh()),
            "[{label}] no {} for {}: {hashes:?}",
            package.zh(),
            package.platform
        );
    }

    assert_eq!(rt.block_on(emu.status(&arn)), "STOPPED_INGESTION");
    wd.apply();
    assert_eq!(rt.block_on(emu.status(&arn)), "ENABLED", "[{label}] {arn}");
}

/// `init` from a registry serving `serve` fails after downloading the package, saying each of
/// `want`, and installs nothing.
fn refused(label: &str, serve: Serve, want: &[String]) {
    let Some((wd, release, reg)) = install_only(label, serve) else {
        return;
    };
    let init = init(&wd, &reg);
    assert_ne!(
        init.code,
        0,
        "[{label}] init accepted {serve:?}:\n{}",
        init.text()
    );
    let said = flat(&init.text());
    for phrase in want {
        assert!(
            said.contains(phrase.as_str()),
            "[{label}] {serve:?}: no {phrase:?} in:\n{}",
            init.text()
        );
    }
    // Failing before the download would not exercise the check under test.
    assert!(
        reg.was_requested(&release.package(&host_platform()).filename),
        "[{label}] the package was never downloaded: {:?}",
        reg.requests()
    );
    assert_eq!(installed(&wd), Vec::<PathBuf>::new(), "[{label}] installed");
    assert!(
        !lock_file(&wd).exists(),
        "[{label}] a lock file was written:\n{}",
        std::fs::read_to_string(lock_file(&wd)).unwrap_or_default()
    );
}

fn tampered_zip_is_refused(label: &str) {
    let release = Release::get();
    let host = release.package(&host_platform());
    let got = support::registry::sha256_hex(&tampered(&host.zip));
    refused(
        label,
        Serve::TamperedZip,
        &[format!(
            "archive has incorrect checksum zh:{got} (expected zh:{})",
            host.sha256
        )],
    );
}

fn signature_by_another_key_is_refused(label: &str) {
    refused(
        label,
        Serve::ForeignSignature,
        &["authentication signature from unknown issuer".to_owned()],
    );
}

/// The zip and its checksums changed consistently; only the signature can tell.
fn rewritten_sums_fail_the_signature(label: &str) {
    refused(
        label,
        Serve::SumsRewritten,
        &[
            "error checking signature".to_owned(),
            "invalid signature".to_owned(),
        ],
    );
}

fn lock_every_platform(wd: &Workdir, reg: &Registry, extra: &[&str]) -> Run {
    let mut args = vec!["providers", "lock"];
    let platforms: Vec<String> = PLATFORMS.iter().map(|p| format!("-platform={p}")).collect();
    args.extend(platforms.iter().map(String::as_str));
    args.extend(extra);
    let run = run(wd, reg, &args);
    assert_eq!(
        run.code,
        0,
        "[{}] {args:?} failed:\n{}",
        wd.label,
        run.text()
    );
    run
}

/// A fresh `init` on this machine accepts the lock file, and one whose hashes are not the
/// release's is refused (so accepting it meant something).
fn init_honours_the_lock(wd: &Workdir, reg: &Registry, release: &Release) {
    let label = &wd.label;
    let lock = std::fs::read_to_string(lock_file(wd)).unwrap();
    let zero_h1 = format!("h1:{}=", "A".repeat(43));
    wd.write(
        ".terraform.lock.hcl",
        &format!(
            "provider \"{}\" {{\n  version     = \"{VERSION}\"\n  constraints = \"{VERSION}\"\n  hashes = [\n    \"{zero_h1}\",\n  ]\n}}\n",
            reg.source()
        ),
    );
    let refused = init(wd, reg);
    assert_ne!(
        refused.code,
        0,
        "[{label}] init accepted a lock without the release's hashes:\n{}",
        refused.text()
    );
    assert!(
        flat(&refused.text()).contains("checksums previously recorded in the dependency lock file"),
        "[{label}] {}",
        refused.text()
    );
    assert_eq!(installed(wd), Vec::<PathBuf>::new(), "[{label}] installed");

    wd.write(".terraform.lock.hcl", &lock);
    let accepted = init(wd, reg);
    assert_eq!(
        accepted.code,
        0,
        "[{label}] init refused the lock file:\n{lock}\n{}",
        accepted.text()
    );
    assert_eq!(
        installed(wd),
        vec![installed_from(wd, reg)],
        "[{label}] installed"
    );
    let after = locked_hashes(wd, reg);
    assert!(
        every_h1(release).is_subset(&after),
        "[{label}] init dropped platforms from the lock file: {after:?}"
    );
}

/// `providers lock` against the registry records, for each platform, the `h1:` of its package
/// and the `zh:` the signed sums give it.
fn locks_every_platform_from_the_registry(label: &str) {
    let Some((wd, release, reg)) = install_only(label, Serve::Genuine) else {
        return;
    };
    lock_every_platform(&wd, &reg, &[]);
    for package in &release.packages {
        assert!(
            reg.was_requested(&package.filename),
            "[{label}] {} was not fetched: {:?}",
            package.filename,
            reg.requests()
        );
    }
    let hashes = locked_hashes(&wd, &reg);
    let h1: BTreeSet<String> = hashes
        .iter()
        .filter(|h| h.starts_with("h1:"))
        .cloned()
        .collect();
    assert_eq!(h1, every_h1(release), "[{label}] h1 hashes");
    for package in &release.packages {
        assert!(
            hashes.contains(&package.zh()),
            "[{label}] no {} for {}: {hashes:?}",
            package.zh(),
            package.platform
        );
    }
    init_honours_the_lock(&wd, &reg, release);
}

/// `providers lock -fs-mirror` over a packed mirror of the release zips records each platform's
/// `h1:` without asking the registry; `init` from the registry then accepts that lock file.
fn locks_every_platform_from_a_filesystem_mirror(label: &str) {
    let Some((wd, release, reg)) = install_only(label, Serve::Genuine) else {
        return;
    };
    let mirror = wd.path().join("mirror");
    let dir = mirror.join(reg.source());
    std::fs::create_dir_all(&dir).unwrap();
    for package in &release.packages {
        std::fs::write(dir.join(&package.filename), &package.zip).unwrap();
    }
    lock_every_platform(&wd, &reg, &[&format!("-fs-mirror={}", mirror.display())]);
    assert_eq!(
        reg.requests(),
        Vec::<String>::new(),
        "[{label}] the mirror lock asked the registry"
    );
    let hashes = locked_hashes(&wd, &reg);
    let h1: BTreeSet<String> = hashes
        .iter()
        .filter(|h| h.starts_with("h1:"))
        .cloned()
        .collect();
    assert_eq!(h1, every_h1(release), "[{label}] h1 hashes: {hashes:?}");
    init_honours_the_lock(&wd, &reg, release);
}

per_client_of!(with_newest_clients;
    installs_signed_and_applies,
    tampered_zip_is_refused,
    signature_by_another_key_is_refused,
    rewritten_sums_fail_the_signature,
    locks_every_platform_from_the_registry,
    locks_every_platform_from_a_filesystem_mirror,
);
