//! Release artifacts: what `scripts/release.sh` built into `TPC_DIST_DIR` (every platform's zip,
//! SBOM, SHA256SUMS) has the registry's layout, each binary is of its own architecture and
//! carries its dependency list, and real `tofu init` / `terraform init` install the native zip
//! from a filesystem mirror made of those files alone, then `plan` offline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// The registry platforms of RUST_RELEASE_TARGETS (`scripts/versions.env`), in order.
const PLATFORMS: [&str; 3] = ["linux_amd64", "linux_arm64", "windows_amd64"];

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

/// The Windows binary takes its randomness (the AutoMTLS key, every TLS handshake) from the OS's
/// own interface: it imports ProcessPrng from bcryptprimitives.dll, and no `/dev/urandom` string
/// is in it. Under wine that path would still resolve to the host's device, so only the binary
/// itself shows that nothing opens it: on Windows it would be a file on the current drive.
#[test]
fn the_windows_binary_draws_randomness_from_processprng_not_a_path() {
    use object::Object;
    let bin = unzip_binary(&support::dist_zip("windows_amd64"));
    assert!(
        !bin.windows(12).any(|w| w == b"/dev/urandom"),
        "the Windows binary names /dev/urandom"
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
        "no ProcessPrng import in {imports:?}"
    );
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

fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

fn u64_at(b: &[u8], at: usize) -> usize {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap()) as usize
}

/// The machine an executable is built for, from its header, and its sections by name: ELF64
/// (e_machine, section headers) or PE32+ (COFF Machine, section table).
fn machine_and_sections(bin: &[u8]) -> (&'static str, Vec<(String, &[u8])>) {
    if bin.starts_with(b"\x7fELF") {
        assert_eq!(bin[4], 2, "ELF64");
        let machine = match u16_at(bin, 18) {
            0x3e => "x86_64",
            0xb7 => "aarch64",
            other => panic!("ELF machine {other:#x}"),
        };
        let (shoff, shentsize, shnum, shstrndx) = (
            u64_at(bin, 0x28),
            u16_at(bin, 0x3a),
            u16_at(bin, 0x3c),
            u16_at(bin, 0x3e),
        );
        let header = |i: usize| shoff + i * shentsize;
        let names_at = u64_at(bin, header(shstrndx) + 0x18);
        let sections = (0..shnum)
            .map(|i| {
                let h = header(i);
                let name_at = names_at + u32_at(bin, h);
                let end = bin[name_at..].iter().position(|&c| c == 0).unwrap();
                let name = String::from_utf8_lossy(&bin[name_at..name_at + end]).into_owned();
                let (offset, size) = (u64_at(bin, h + 0x18), u64_at(bin, h + 0x20));
                // SHT_NOBITS (.bss) takes memory, not file space.
                let data: &[u8] = if u32_at(bin, h + 4) == 8 {
                    &[]
                } else {
                    &bin[offset..offset + size]
                };
                (name, data)
            })
            .collect();
        (machine, sections)
    } else {
        assert!(bin.starts_with(b"MZ"), "neither ELF nor PE");
        let pe = u32_at(bin, 0x3c);
        assert_eq!(&bin[pe..pe + 4], b"PE\0\0");
        let coff = pe + 4;
        let machine = match u16_at(bin, coff) {
            0x8664 => "x86_64",
            0xaa64 => "aarch64",
            other => panic!("PE machine {other:#x}"),
        };
        let table = coff + 20 + u16_at(bin, coff + 16);
        let sections = (0..u16_at(bin, coff + 2))
            .map(|i| {
                let h = table + i * 40;
                let raw = &bin[h..h + 8];
                let name =
                    String::from_utf8_lossy(&raw[..raw.iter().position(|&c| c == 0).unwrap_or(8)])
                        .into_owned();
                let (virtual_size, size, offset) =
                    (u32_at(bin, h + 8), u32_at(bin, h + 16), u32_at(bin, h + 20));
                // The raw size is rounded up to the file alignment; the data is the virtual size.
                (name, &bin[offset..offset + size.min(virtual_size)])
            })
            .collect();
        (machine, sections)
    }
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
        ("windows_amd64", "PE", "x86_64"),
    ] {
        let bin = unzip_binary(&dist.join(format!("{prefix}_{p}.zip")));
        let format = if bin.starts_with(b"MZ") { "PE" } else { "ELF" };
        let (machine, sections) = machine_and_sections(&bin);
        assert_eq!((format, machine), (want_format, want_machine), "{p}");

        let (_, deps) = sections
            .iter()
            .find(|(name, _)| name == ".dep-v0")
            .unwrap_or_else(|| panic!("{p}: no .dep-v0 section (cargo auditable)"));
        let deps = audit_data(deps);
        let names: Vec<&str> = deps["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
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

        let sbom: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dist.join(format!("{prefix}_{p}.cdx.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(sbom["bomFormat"], "CycloneDX", "{p}");
        let components: Vec<&str> = sbom["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
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
