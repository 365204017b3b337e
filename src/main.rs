//! Entry point: `--version`, `--debug`, or (launched by Terraform/OpenTofu) the plugin server.

use std::process::ExitCode;

use terraform_provider_cloudtrail::plugin::{self, ServeMode, ServeOptions};
use terraform_provider_cloudtrail::provider::{ADDRESSES, CloudTrail, NAME};
use terraform_provider_cloudtrail::{VERSION, logging};

/// The static (musl) builds' allocator: musl's own costs CPU (issue 22, BENCHMARKS.md).
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str =
    "terraform-provider-cloudtrail: a Terraform/OpenTofu provider for CloudTrail Lake ingestion.

Usage:
  terraform-provider-cloudtrail --version   print the version
  terraform-provider-cloudtrail --debug     serve for a debugger; prints TF_REATTACH_PROVIDERS
  terraform-provider-cloudtrail --help      this text

Terraform and OpenTofu start this binary themselves; see the README for required_providers.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let debug = match args.first().map(String::as_str) {
        None => false,
        Some("--version" | "-version" | "version") => {
            println!("terraform-provider-cloudtrail v{VERSION}");
            return ExitCode::SUCCESS;
        }
        Some("--help" | "-h" | "-help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("--debug" | "-debug") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let mode = if debug {
        ServeMode::Debug
    } else {
        // A variable that is set but not UTF-8 is kept (lossily) rather than read as unset:
        // an unreadable PLUGIN_CLIENT_CERT must fail, not silently turn TLS off.
        match plugin::parse_env(|k| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned())) {
            Ok(env) => ServeMode::Plugin(env),
            Err(err) => {
                eprintln!("{err}");
                return ExitCode::from(1);
            }
        }
    };

    // Logs go to stderr only: stdout carries the handshake line and nothing before it.
    logging::init(NAME, env!("CARGO_CRATE_NAME"));

    // One thread: the provider waits on Terraform and AWS, and its CPU per RPC is microseconds
    // (BENCHMARKS.md), so worker threads would only add start-up time and memory.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        if !debug {
            // Go plugins ignore SIGINT: on Ctrl-C Terraform sends StopProvider and still waits
            // for in-flight answers, so the process must outlive the signal.
            ignore_sigint()?;
        }
        let options = ServeOptions {
            mode,
            addresses: ADDRESSES,
        };
        plugin::serve(options, CloudTrail::new()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("terraform-provider-cloudtrail: {err}");
            ExitCode::from(1)
        }
    }
}

#[cfg(unix)]
fn ignore_sigint() -> Result<(), Box<dyn std::error::Error>> {
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    tokio::spawn(async move {
        while sigint.recv().await.is_some() {
            tracing::debug!("SIGINT ignored; Terraform stops operations through StopProvider");
        }
    });
    Ok(())
}

/// Windows delivers Ctrl-C and Ctrl-Break to every process on the console, the plugin included;
/// a handler keeps the default one (exit) from running, as go-plugin's `signal.Ignore` does.
#[cfg(windows)]
fn ignore_sigint() -> Result<(), Box<dyn std::error::Error>> {
    let mut ctrl_c = tokio::signal::windows::ctrl_c()?;
    let mut ctrl_break = tokio::signal::windows::ctrl_break()?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = ctrl_c.recv() => {}
                Some(()) = ctrl_break.recv() => {}
                else => break,
            }
            tracing::debug!("Ctrl-C ignored; Terraform stops operations through StopProvider");
        }
    });
    Ok(())
}
