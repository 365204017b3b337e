//! For release builds linked by LLD, asks the linker to place the code that runs before the
//! handshake line together (`link/startup-order.txt`, made by `scripts/startup-order.sh`;
//! BENCHMARKS.md says why). The protocol's generated code is `crates/tfplugin-proto`'s.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    startup_order();
}

/// The kernel maps a binary's code in 64 KiB windows around each page first touched, so the few
/// hundred KiB that run before the handshake line, scattered over megabytes of code, made the
/// process ~2 MiB larger at the line than laid out together (measured in BENCHMARKS.md). Symbols
/// the file names that no longer exist (after a dependency update) are skipped silently: the build
/// only loses the benefit until `scripts/startup-order.sh` is run again. Only release builds ask
/// for it, and only when a test link shows the linker takes the option (LLD does; GNU ld, which
/// some toolchains still use, does not).
fn startup_order() {
    const FILE: &str = "link/startup-order.txt";
    println!("cargo:rerun-if-changed={FILE}");
    println!("cargo:rerun-if-env-changed=TPC_STARTUP_ORDER");
    let path = Path::new(&var("CARGO_MANIFEST_DIR")).join(FILE);
    if var("TPC_STARTUP_ORDER") == "0" || var("PROFILE") != "release" || !path.is_file() {
        return;
    }
    let args = [
        format!("-Clink-arg=-Wl,--symbol-ordering-file={}", path.display()),
        "-Clink-arg=-Wl,--no-warn-symbol-ordering".to_owned(),
    ];
    if linker_accepts(&args) {
        for arg in &args {
            println!(
                "cargo:rustc-link-arg-bins={}",
                arg.trim_start_matches("-Clink-arg=")
            );
        }
    } else {
        println!(
            "cargo:warning=the linker does not take --symbol-ordering-file (not LLD?); start-up code is not laid out together"
        );
    }
}

/// Links an empty program for the build's target with the build's rustc, flags and linker plus
/// `extra`, and says whether that worked.
fn linker_accepts(extra: &[String]) -> bool {
    let out = Path::new(&var("OUT_DIR")).join("link-probe");
    if std::fs::create_dir_all(&out).is_err()
        || std::fs::write(out.join("probe.rs"), "fn main() {}\n").is_err()
    {
        return false;
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let mut cmd = Command::new(rustc);
    cmd.arg("--target")
        .arg(var("TARGET"))
        .arg("--crate-type=bin")
        .arg("-o")
        .arg(out.join("probe"))
        .arg(out.join("probe.rs"))
        .args(
            var("CARGO_ENCODED_RUSTFLAGS")
                .split('\x1f')
                .filter(|f| !f.is_empty()),
        )
        .args(extra);
    if let Ok(linker) = env::var("RUSTC_LINKER") {
        cmd.arg(format!("-Clinker={linker}"));
    }
    cmd.output().is_ok_and(|o| o.status.success())
}

/// A variable cargo sets for build scripts; unset reads as empty.
fn var(key: &str) -> String {
    env::var(key).unwrap_or_default()
}
