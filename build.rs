//! Compiles the project's own protocol files with protox (pure Rust), so a fresh machine needs no
//! system `protoc`. The generated code is included by `src/proto.rs` only. For release builds
//! linked by LLD it also asks the linker to place the code that runs before the handshake line
//! together (`link/startup-order.txt`, made by `scripts/startup-order.sh`; BENCHMARKS.md says why).

use std::env;
use std::path::Path;
use std::process::Command;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin6.proto",
        "proto/plugin/grpc_controller.proto",
        "proto/plugin/grpc_stdio.proto",
        "proto/plugin/grpc_broker.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    startup_order();
    Ok(())
}

/// The kernel maps a binary's code in 64 KiB windows around each page first touched, so the few
/// hundred KiB that run before the handshake line, scattered over 9 MiB of code, made the process
/// ~2.4 MiB larger at the line than laid out together (measured in BENCHMARKS.md). Symbols the
/// file names that no longer exist (after a dependency update) are skipped silently: the build
/// only loses the benefit until `scripts/startup-order.sh` is run again.
fn startup_order() {
    const FILE: &str = "link/startup-order.txt";
    println!("cargo:rerun-if-changed={FILE}");
    println!("cargo:rerun-if-env-changed=TPC_STARTUP_ORDER");
    let var = |k: &str| env::var(k).unwrap_or_default();
    let wanted = var("TPC_STARTUP_ORDER") != "0"
        && var("PROFILE") == "release"
        && var("TARGET") == "x86_64-unknown-linux-gnu"
        // A linker chosen by the user (config, RUSTFLAGS) may not be LLD.
        && env::var_os("RUSTC_LINKER").is_none()
        && !var("CARGO_ENCODED_RUSTFLAGS").contains("link")
        && rustc_links_with_lld();
    let path = Path::new(&var("CARGO_MANIFEST_DIR")).join(FILE);
    if wanted && path.is_file() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            path.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Rust 1.90 and later link x86_64-unknown-linux-gnu with their own LLD by default; GNU ld, the
/// default before, does not know `--symbol-ordering-file`.
fn rustc_links_with_lld() -> bool {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("-vV").output() else {
        return false;
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("release: "))
        .and_then(|v| {
            let mut parts = v.split('.');
            let major: u32 = parts.next()?.parse().ok()?;
            let minor: u32 = parts.next()?.parse().ok()?;
            Some(major > 1 || minor >= 90)
        })
        .unwrap_or(false)
}
