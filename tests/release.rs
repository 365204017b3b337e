//! Release artifacts: what `scripts/release.sh` built into `TPC_DIST_DIR` (every platform's zip,
//! SBOM, SHA256SUMS) has the registry's layout, each binary is of its own architecture and
//! carries its dependency list, and real `tofu init` / `terraform init` install the native zip
//! from a filesystem mirror made of those files alone, then `plan` offline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::registry::PLATFORMS;
use support::{CLIENTS, Workdir, client_binary, dist_dir};
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
    let mut files: Vec<String> = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| !f.ends_with(".sig"))
        .collect();
    files.sort();
    let mut released = vec![];
    for p in PLATFORMS {
        released.push(format!("{prefix}_{p}.zip"));
        released.push(format!("{prefix}_{p}.cdx.json"));
    }
    let mut want = released.clone();
    want.push(format!("{prefix}_SHA256SUMS"));
    want.push(format!("{prefix}_manifest.json"));
    want.sort();
    assert_eq!(files, want, "files in {}", dist.display());

    let manifest = std::fs::read_to_string(dist.join(format!("{prefix}_manifest.json"))).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );

    for p in PLATFORMS {
        let exe = if p.starts_with("windows") { ".exe" } else { "" };
        let entries = zip_entries(&dist.join(format!("{prefix}_{p}.zip")));
        assert_eq!(
            entries,
            vec![(format!("{NAME}_v{VERSION}{exe}"), 0o100755)],
            "the {p} zip must hold exactly the executable {NAME}_v{VERSION}{exe}"
        );
    }

    run(Command::new("sha256sum")
        .args(["--check", "--strict", &format!("{prefix}_SHA256SUMS")])
        .current_dir(dist));
    let sums = std::fs::read_to_string(dist.join(format!("{prefix}_SHA256SUMS"))).unwrap();
    let mut listed: Vec<String> = sums
        .lines()
        .map(|l| l.split_once("  ").unwrap().1.to_owned())
        .collect();
    listed.sort();
    let mut want = released;
    want.push(format!("{prefix}_manifest.json"));
    want.sort();
    assert_eq!(listed, want, "SHA256SUMS lists every zip and SBOM");
}

/// Each Windows binary takes its randomness (the AutoMTLS key, every TLS handshake) from the OS's
/// own interface: it imports ProcessPrng from bcryptprimitives.dll, and no `/dev/urandom` string
/// is in it. Under wine that path would still resolve to the host's device, so only the binary
/// itself shows that nothing opens it: on Windows it would be a file on the current drive.
#[test]
fn the_windows_binaries_draw_randomness_from_processprng_not_a_path() {
    use object::Object;
    for p in ["windows_amd64", "windows_arm64", "windows_386"] {
        let bin = unzip_binary(&support::dist_zip(p));
        assert!(
            !bin.windows(12).any(|w| w == b"/dev/urandom"),
            "the {p} binary names /dev/urandom"
        );
        let file = object::File::parse(&*bin).unwrap();
        let imports: Vec<(String, String)> = file
            .imports()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    String::from_utf8_lossy(i.library()).to_ascii_lowercase(),
                    String::from_utf8_lossy(i.name()).into_owned(),
                )
            })
            .collect();
        assert!(
            imports.contains(&("bcryptprimitives.dll".to_owned(), "ProcessPrng".to_owned())),
            "{p}: no ProcessPrng import in {imports:?}"
        );
    }
}

/// No release binary names a path of the machine that built it: the checkout, CARGO_HOME, and the
/// toolchain's `rust-src` (installed for the arm build, rustc then writes its real path into the
/// panic locations of std code instead of `/rustc/<commit>/`). Such paths leak the builder's
/// home directory and make a rebuild elsewhere differ (scripts/release.sh remaps them).
#[test]
fn no_release_binary_names_a_path_of_the_build_machine() {
    let home = std::env::var("HOME").unwrap();
    let cargo_home = std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{home}/.cargo"));
    let needles = [
        env!("CARGO_MANIFEST_DIR").to_owned(),
        cargo_home,
        "lib/rustlib/src/rust".to_owned(),
        format!("{home}/"),
    ];
    for p in PLATFORMS {
        let bin = unzip_binary(&support::dist_zip(p));
        for needle in &needles {
            let hits = bin
                .windows(needle.len())
                .filter(|w| *w == needle.as_bytes())
                .count();
            assert_eq!(hits, 0, "the {p} binary names {needle:?} {hits} times");
        }
    }
}

/// The executable inside a release zip.
fn unzip_binary(zip: &Path) -> Vec<u8> {
    let out = Command::new("python3")
        .arg("-c")
        .arg("import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nsys.stdout.buffer.write(z.read(z.namelist()[0]))")
        .arg(zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// What an executable is, from its headers (read with the `object` crate): its format, its
/// architecture, and its `.dep-v0` section (cargo auditable).
fn inspect(bin: &[u8]) -> (&'static str, &'static str, Option<Vec<u8>>) {
    use object::{Object, ObjectSection};
    let file = object::File::parse(bin).unwrap();
    let format = match file.format() {
        object::BinaryFormat::Elf => "ELF",
        object::BinaryFormat::Pe => "PE",
        other => panic!("format {other:?}"),
    };
    let arch = match file.architecture() {
        object::Architecture::X86_64 => "x86_64",
        object::Architecture::Aarch64 => "aarch64",
        object::Architecture::I386 => "i386",
        object::Architecture::Arm => "arm",
        other => panic!("architecture {other:?}"),
    };
    let deps = file
        .section_by_name(".dep-v0")
        .map(|s| s.data().unwrap().to_vec());
    (format, arch, deps)
}

/// What `program ARGS` says of an executable, written to a temporary file.
fn says_of(bin: &[u8], program: &str, args: &[&str]) -> String {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), bin).unwrap();
    run(Command::new(program).args(args).arg(tmp.path()))
}

/// What cargo-auditable embedded: its `.dep-v0` section, zlib-compressed JSON, decoded with
/// Python's zlib (as `cargo audit bin` and `rust-audit-info` read it).
fn audit_data(section: &[u8]) -> serde_json::Value {
    use std::io::Write;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg("import sys, zlib\nsys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(section).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Each platform's zip holds a binary of its own architecture and OS that carries its dependency
/// list (cargo auditable), and has its own SBOM: the Windows one lists schannel, the Linux ones
/// do not.
#[test]
fn every_platform_zip_holds_its_architecture_with_its_dependency_list() {
    let dist = dist_dir();
    let prefix = format!("{NAME}_{VERSION}");
    for (p, want_format, want_machine) in [
        ("linux_amd64", "ELF", "x86_64"),
        ("linux_arm64", "ELF", "aarch64"),
        ("linux_386", "ELF", "i386"),
        ("linux_arm", "ELF", "arm"),
        ("windows_amd64", "PE", "x86_64"),
        ("windows_arm64", "PE", "aarch64"),
        ("windows_386", "PE", "i386"),
        ("freebsd_amd64", "ELF", "x86_64"),
    ] {
        let bin = unzip_binary(&dist.join(format!("{prefix}_{p}.zip")));
        let (format, machine, deps) = inspect(&bin);
        assert_eq!((format, machine), (want_format, want_machine), "{p}");
        if p.starts_with("freebsd") {
            let says = says_of(&bin, "file", &["-b"]);
            assert!(
                says.contains("for FreeBSD"),
                "{p} is not a FreeBSD binary: {says}"
            );
        }
        if p.starts_with("linux") {
            // No loader and no shared library: it starts in a scratch image, on musl, on any glibc.
            let says = says_of(&bin, "file", &["-b"]);
            assert!(
                says.contains("statically linked") || says.contains("static-pie linked"),
                "{p} is not static: {says}"
            );
            assert!(!says.contains("interpreter"), "{p}: {says}");
        }
        if format == "PE" {
            // The linkers write no clock time (GNU ld: 0; LLD's /Brepro: a hash of the content),
            // so that two builds are the same file (scripts/reproducible.sh).
            let pe = u32::from_le_bytes(bin[0x3c..0x40].try_into().unwrap()) as usize;
            let stamp = u32::from_le_bytes(bin[pe + 8..pe + 12].try_into().unwrap()) as u64;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            assert!(
                stamp.abs_diff(now) > 30 * 86400,
                "{p}: the PE timestamp {stamp} is the build's clock"
            );
        }
        if p == "linux_arm" {
            // ARMv6 with VFP, hard-float calling convention: goreleaser's GOARM=6.
            let attrs = says_of(&bin, "readelf", &["-A"]);
            for want in [
                "Tag_CPU_arch: v6\n",
                "Tag_FP_arch: VFPv2",
                "Tag_ABI_VFP_args: VFP registers",
            ] {
                assert!(attrs.contains(want), "{p}: no {want:?} in\n{attrs}");
            }
        }
        let deps = deps.unwrap_or_else(|| panic!("{p}: no .dep-v0 section (cargo auditable)"));
        let deps = audit_data(&deps);
        let names = names_of(&deps["packages"]);
        for want in [NAME, "aws-sdk-cloudtrail", "rustls", "tonic"] {
            assert!(
                names.contains(&want),
                "{p}: {want} not in the embedded list {names:?}"
            );
        }
        assert_eq!(
            names.contains(&"schannel"),
            p.starts_with("windows"),
            "{p}: {names:?}"
        );
        // musl's allocator is replaced in the static builds (BENCHMARKS.md: it cost 11-16.5 % CPU).
        assert_eq!(
            names.contains(&"mimalloc"),
            p.starts_with("linux"),
            "{p}: the allocator: {names:?}"
        );

        let sbom: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dist.join(format!("{prefix}_{p}.cdx.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(sbom["bomFormat"], "CycloneDX", "{p}");
        let components = names_of(&sbom["components"]);
        assert!(
            components.contains(&"aws-sdk-cloudtrail"),
            "{p}: {components:?}"
        );
        assert_eq!(
            components.contains(&"schannel"),
            p.starts_with("windows"),
            "{p}: the SBOM is not this target's: {components:?}"
        );
    }
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
    let dist = dist_dir();
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

/// The `name` of each object in a JSON array (a dependency list, an SBOM's components).
fn names_of(list: &serde_json::Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}
