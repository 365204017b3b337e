//! The release zips, each run where it proves most: every Linux one (static) inside a root with no
//! C library, no loader and no `/dev/urandom` (the scratch image's case), arm64 and arm under a
//! static qemu copied into that root; windows_amd64 under wine. The newest Terraform and OpenTofu
//! drive each through a wrapper named as the provider, against LocalEmu; the AutoMTLS checks run
//! on each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tfplugin_proto::plugin::Empty;
use tfplugin_proto::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin_proto::tfplugin6 as pb;
use tfplugin_proto::tfplugin6::provider_client::ProviderClient;

use support::grpc::{Identity, Plugin, Show};
use support::localemu::{self, LocalEmu};
use support::{
    REQUIRED_PROVIDERS, Workdir, client_binary, dist_zip, ingestion_state, per_client_of,
    provider_block, runtime, unique_name,
};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Platform {
    /// This machine's own: the anchor of the handshake times.
    LinuxAmd64,
    LinuxArm64,
    Linux386,
    LinuxArm,
    WindowsAmd64,
}

impl Platform {
    fn name(self) -> &'static str {
        match self {
            Platform::LinuxAmd64 => "linux_amd64",
            Platform::LinuxArm64 => "linux_arm64",
            Platform::Linux386 => "linux_386",
            Platform::LinuxArm => "linux_arm",
            Platform::WindowsAmd64 => "windows_amd64",
        }
    }

    /// The static qemu-user a Linux binary of this platform runs under; None where this
    /// machine's CPU runs it (386 on amd64 too).
    fn emulator(self) -> Option<&'static str> {
        match self {
            Platform::LinuxArm64 => Some("qemu-aarch64-static"),
            Platform::LinuxArm => Some("qemu-arm-static"),
            Platform::LinuxAmd64 | Platform::Linux386 | Platform::WindowsAmd64 => None,
        }
    }
}

/// The first of `candidates` that exists (absolute) or is on PATH: a missing emulator fails the
/// test with the command that installs it, never skips it.
fn program(candidates: &[&str]) -> PathBuf {
    for c in candidates {
        let p = Path::new(c);
        if p.is_absolute() && p.is_file() {
            return p.to_path_buf();
        }
        if let Some(found) = std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|d| d.join(c))
            .find(|p| p.is_file())
        {
            return found;
        }
    }
    panic!(
        "none of {candidates:?} found: run scripts/install-tools.sh (Debian packages qemu-user-static, wine64, mingw-w64)"
    )
}

fn wine() -> PathBuf {
    program(&["/usr/lib/wine/wine64", "wine64"])
}

fn wineserver() -> PathBuf {
    program(&["/usr/lib/wine/wineserver64", "wineserver64", "wineserver"])
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One release binary, unpacked from its zip into a private directory, and a wrapper
/// script named `terraform-provider-cloudtrail` that runs it: a Linux one inside its own root
/// (tests/support/chroot.rs), a Windows one under wine with its own prefix and its own
/// wineserver, stopped on drop.
struct Foreign {
    dir: tempfile::TempDir,
    wine_prefix: Option<PathBuf>,
    _root: Option<support::chroot::Root>,
}

impl Foreign {
    fn unpack(platform: Platform) -> Foreign {
        let dir = tempfile::Builder::new()
            .prefix(&format!("foreign-{}-", platform.name()))
            .tempdir()
            .unwrap();
        let bin_dir = dir.path().join("bin");
        run_ok(
            Command::new("python3")
                .arg("-c")
                .arg("import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])")
                .arg(dist_zip(platform.name()))
                .arg(&bin_dir),
        );
        let entries: Vec<PathBuf> = std::fs::read_dir(&bin_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(entries.len(), 1, "one file per zip: {entries:?}");
        let binary = entries.into_iter().next().unwrap();
        // zipfile keeps no modes; qemu runs only an executable file.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();

        let wrapper_dir = dir.path().join("provider");
        std::fs::create_dir(&wrapper_dir).unwrap();
        let (script, wine_prefix, root) = match platform {
            Platform::LinuxAmd64
            | Platform::LinuxArm64
            | Platform::Linux386
            | Platform::LinuxArm => {
                let root = match platform.emulator() {
                    None => support::chroot::Root::with_binary(&binary),
                    Some(qemu) => support::chroot::Root::with_emulator(&binary, &program(&[qemu])),
                };
                // Nothing but the binary, its emulator, /dev/null and /tmp (with the link that
                // gives it the same path inside and out): no libc, no loader, no /dev/urandom,
                // no certificates.
                let inside = root.path().strip_prefix("/").unwrap().display().to_string();
                let mut want: Vec<String> = ["dev", "dev/null", "provider", "tmp"]
                    .into_iter()
                    .chain(platform.emulator())
                    .map(str::to_owned)
                    .collect();
                let mut dir = String::new();
                for part in inside.split('/') {
                    dir = if dir.is_empty() {
                        part.to_owned()
                    } else {
                        format!("{dir}/{part}")
                    };
                    want.push(dir.clone());
                }
                want.push(format!("{inside}/tmp"));
                want.sort();
                want.dedup();
                assert_eq!(
                    root.entries(),
                    want,
                    "{}: the root holds more",
                    platform.name()
                );
                (
                    format!("exec '{}' \"$@\"\n", root.wrapper().display()),
                    None,
                    Some(root),
                )
            }
            Platform::WindowsAmd64 => {
                let prefix = dir.path().join("wineprefix");
                prepare_wine(&prefix, &binary);
                // The executable (with the stand-in DLL beside it) runs from C:\provider, and C:\
                // is its working directory: a Windows drive, not the host's tree that wine shows
                // as Z:\ and where `\` and `/` name the same file.
                let on_c = prefix.join("drive_c/provider");
                std::fs::create_dir(&on_c).unwrap();
                let exe = binary.file_name().unwrap().to_string_lossy().into_owned();
                support::install_executable(&binary, &on_c.join(&exe));
                std::fs::copy(
                    binary.with_file_name("bcryptprimitives.dll"),
                    on_c.join("bcryptprimitives.dll"),
                )
                .unwrap();
                (
                    format!(
                        "# A Windows process has no HOME: its home is %USERPROFILE%.\nunset HOME\n\
                         export WINEPREFIX='{}' WINEDEBUG=-all\ncd '{}/drive_c' || exit 1\n\
                         exec '{}' 'C:\\provider\\{exe}' \"$@\"\n",
                        prefix.display(),
                        prefix.display(),
                        wine().display(),
                    ),
                    Some(prefix),
                    None,
                )
            }
        };
        let wrapper = wrapper_dir.join("terraform-provider-cloudtrail");
        support::write_executable(&wrapper, &format!("#!/bin/sh\n{script}"));

        let foreign = Foreign {
            dir,
            wine_prefix,
            _root: root,
        };
        let version = run_ok(Command::new(foreign.wrapper()).arg("--version"));
        assert!(
            version.starts_with("terraform-provider-cloudtrail v"),
            "{}: {version:?}",
            platform.name()
        );
        foreign
    }

    fn wrapper_dir(&self) -> PathBuf {
        self.dir.path().join("provider")
    }

    fn wrapper(&self) -> PathBuf {
        self.wrapper_dir().join("terraform-provider-cloudtrail")
    }

    /// `%USERPROFILE%` of the wine prefix, as a path on this machine.
    fn user_profile(&self) -> PathBuf {
        let users = self.wine_prefix.as_ref().unwrap().join("drive_c/users");
        std::fs::read_dir(&users)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public"))
            .unwrap_or_else(|| panic!("no user profile under {}", users.display()))
    }
}

/// A wine prefix for one binary. Its wineserver is started first and the prefix initialised
/// (`wineboot --init`), both detached from every pipe: otherwise the first provider process
/// would start them, and they and the services they start (winedevice, explorer) would inherit
/// and hold open Terraform's pipes to the provider. Wine 8 has no bcryptprimitives.dll; the stand-in
/// (tests/support/bcryptprimitives.c) goes beside the executable, which Windows searches first.
fn prepare_wine(prefix: &Path, binary: &Path) {
    std::fs::create_dir(prefix).unwrap();
    // No input, output discarded: a pipe left open would hold the test until wine's server exits.
    let quietly = |cmd: &mut Command, what: &str| {
        let status = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{what}: {status:?}");
    };
    let wine_env = |mut cmd: Command| {
        cmd.env("WINEPREFIX", prefix).env("WINEDEBUG", "-all");
        cmd
    };
    quietly(
        wine_env(Command::new(wineserver())).arg("-p"),
        "wineserver -p",
    );
    quietly(
        wine_env(Command::new(wine())).args(["wineboot", "--init"]),
        "wineboot --init",
    );
    run_ok(
        Command::new(program(&["x86_64-w64-mingw32-gcc"]))
            .args(["-shared", "-O2", "-Wl,--kill-at", "-o"])
            .arg(binary.with_file_name("bcryptprimitives.dll"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/bcryptprimitives.c"))
            .arg("-ladvapi32"),
    );
}

impl Drop for Foreign {
    fn drop(&mut self) {
        if let Some(prefix) = &self.wine_prefix {
            // -k ends the server and every process of the prefix; -w waits until it is gone.
            let _ = Command::new(wineserver())
                .arg("-k")
                .env("WINEPREFIX", prefix)
                .status();
            let _ = Command::new(wineserver())
                .arg("-w")
                .env("WINEPREFIX", prefix)
                .status();
        }
    }
}

/// The provider block of the Windows runs: no keys and no region in the block or the
/// environment, only `profile`, found in `%USERPROFILE%\.aws\config` and `credentials`.
fn windows_provider_block(foreign: &Foreign, endpoint: &str) -> String {
    let aws = foreign.user_profile().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile lake]\r\nregion = us-east-1\r\n",
    )
    .unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[lake]\r\naws_access_key_id = test\r\naws_secret_access_key = test\r\n",
    )
    .unwrap();
    REQUIRED_PROVIDERS.to_owned()
        + &format!(
            "\nprovider \"cloudtrail\" {{\n  profile = \"lake\"\n  max_retries = 2\n  \
             skip_credentials_validation = true\n  endpoints {{\n    cloudtrail = \"{endpoint}\"\n  }}\n}}\n"
        )
}

fn assert_status(rt: &tokio::runtime::Runtime, emu: &LocalEmu, arn: &str, want: &str) {
    assert_eq!(rt.block_on(emu.status(arn)), want, "status of {arn}");
}

/// Create, drift, stop, import, destroy: the provider's whole life, run by `label` on the
/// foreign binary.
fn lifecycle(label: &str, platform: Platform) {
    let Some(client) = client_binary(label) else {
        return;
    };
    let foreign = Foreign::unpack(platform);
    let wd = Workdir::with_provider_dir(label, client, &foreign.wrapper_dir());
    let emu = localemu::shared();
    let rt = runtime();
    let arn = rt.block_on(emu.create_store(&unique_name("foreign"), false));
    let base = match platform {
        Platform::WindowsAmd64 => windows_provider_block(&foreign, &emu.endpoint),
        _ => provider_block(&emu.endpoint),
    };
    let tag = format!("{label} on {}", platform.name());

    // Create.
    wd.write(
        "main.tf",
        &(base.clone() + &ingestion_state("audit", &arn, "")),
    );
    wd.apply();
    assert_status(&rt, emu, &arn, "ENABLED");
    let (code, run) = wd.plan_code();
    assert_eq!(code, 0, "[{tag}] second plan not empty:\n{}", run.text());

    // Drift, detected and put right.
    rt.block_on(emu.stop_ingestion(&arn));
    rt.block_on(emu.wait_status(&arn, "STOPPED_INGESTION"));
    let (code, run) = wd.plan_code();
    assert_eq!(code, 2, "[{tag}] drift not shown:\n{}", run.text());
    assert!(run.stdout.contains("ingestion_enabled"), "{}", run.text());
    wd.apply();
    assert_status(&rt, emu, &arn, "ENABLED");

    // Stop.
    let stopped = base.clone() + &ingestion_state("audit", &arn, "  ingestion_enabled = false\n");
    wd.write("main.tf", &stopped);
    wd.apply();
    assert_status(&rt, emu, &arn, "STOPPED_INGESTION");

    // Import: forgotten, then adopted again with what AWS says.
    wd.ok(&["state", "rm", "cloudtrail_ingestion_state.audit"]);
    wd.ok(&[
        "import",
        "-no-color",
        "-input=false",
        "cloudtrail_ingestion_state.audit",
        &arn,
    ]);
    let (code, run) = wd.plan_code();
    assert_eq!(
        code,
        0,
        "[{tag}] plan after import not empty:\n{}",
        run.text()
    );

    // Destroy, stopping ingestion on the way out.
    wd.write(
        "main.tf",
        &(base + &ingestion_state("audit", &arn, "  stop_on_destroy = true\n")),
    );
    wd.apply();
    assert_status(&rt, emu, &arn, "ENABLED");
    wd.ok(&["destroy", "-no-color", "-input=false", "-auto-approve"]);
    assert_status(&rt, emu, &arn, "STOPPED_INGESTION");
}

fn amd64_lifecycle(label: &str) {
    lifecycle(label, Platform::LinuxAmd64)
}

fn arm64_lifecycle(label: &str) {
    lifecycle(label, Platform::LinuxArm64)
}

fn i386_lifecycle(label: &str) {
    lifecycle(label, Platform::Linux386)
}

fn arm_lifecycle(label: &str) {
    lifecycle(label, Platform::LinuxArm)
}

fn windows_lifecycle(label: &str) {
    lifecycle(label, Platform::WindowsAmd64)
}

per_client_of!(with_newest_clients; amd64_lifecycle, arm64_lifecycle, i386_lifecycle, arm_lifecycle, windows_lifecycle);

/// How long from spawn to the handshake line, and from there to the first answer over mTLS.
#[derive(Clone, Copy)]
struct Handshake {
    line: Duration,
    first_rpc: Duration,
}

fn handshake(
    program: &Path,
    identity: &Identity,
    rt: &tokio::runtime::Runtime,
) -> (Plugin, Handshake) {
    let started = Instant::now();
    let plugin = Plugin::spawn_program(program, Some(identity), &[]);
    let line = started.elapsed();
    rt.block_on(async {
        let channel = plugin.connect(Show::Identity(identity)).await.unwrap();
        ProviderClient::new(channel)
            .get_metadata(pb::get_metadata::Request {})
            .await
            .unwrap();
    });
    let first_rpc = started.elapsed() - line;
    (plugin, Handshake { line, first_rpc })
}

/// Median handshake times of `native` (this machine's release zip) and `foreign`, started
/// alternately `ROUNDS` times; returns the last foreign process, still running.
fn handshake_medians(
    native: &Foreign,
    foreign: &Foreign,
    identity: &Identity,
    rt: &tokio::runtime::Runtime,
) -> (Plugin, Handshake, Handshake) {
    const ROUNDS: usize = 5;
    let (mut native_times, mut foreign_times, mut last) = (vec![], vec![], None);
    for _ in 0..ROUNDS {
        native_times.push(handshake(&native.wrapper(), identity, rt).1);
        let (plugin, times) = handshake(&foreign.wrapper(), identity, rt);
        foreign_times.push(times);
        last = Some(plugin);
    }
    let median = |times: &mut Vec<Handshake>| {
        let mut line: Vec<Duration> = times.iter().map(|t| t.line).collect();
        let mut rpc: Vec<Duration> = times.iter().map(|t| t.first_rpc).collect();
        line.sort();
        rpc.sort();
        Handshake {
            line: line[ROUNDS / 2],
            first_rpc: rpc[ROUNDS / 2],
        }
    };
    (
        last.unwrap(),
        median(&mut native_times),
        median(&mut foreign_times),
    )
}

/// The foreign binary's AutoMTLS: Terraform's certificate gets in, another certificate and no
/// certificate do not; Ctrl-C (SIGINT, which wine turns into a console Ctrl-C event) leaves it
/// serving. Prints its median handshake times beside those of this machine's own release zip
/// (started the same way, through a wrapper), for BENCHMARKS.md: information, not a limit.
fn protocol_checks(platform: Platform) {
    let foreign = Foreign::unpack(platform);
    let rt = runtime();
    let identity = Identity::new();
    let native = Foreign::unpack(Platform::LinuxAmd64);
    let (mut plugin, native_times, times) = handshake_medians(&native, &foreign, &identity, &rt);

    let want_network = match platform {
        // go-plugin's transport on Windows is TCP on loopback, within the port range it gave.
        Platform::WindowsAmd64 => "tcp",
        _ => "unix",
    };
    assert_eq!(plugin.network, want_network, "{:?}", plugin.line);
    if platform == Platform::WindowsAmd64 {
        let addr = plugin.socket.to_string_lossy().into_owned();
        let (host, port) = addr.rsplit_once(':').unwrap();
        assert_eq!(host, "127.0.0.1", "{addr}");
        let port: u16 = port.parse().unwrap();
        assert!((10000..=25000).contains(&port), "{addr}");
    }

    let stranger = Identity::new();
    for (who, show) in [
        ("another certificate", Show::Identity(&stranger)),
        ("no certificate", Show::Nothing),
    ] {
        let refused = rt.block_on(async {
            match plugin.connect(show).await {
                Err(_) => true,
                Ok(channel) => ProviderClient::new(channel)
                    .get_metadata(pb::get_metadata::Request {})
                    .await
                    .is_err(),
            }
        });
        assert!(refused, "{}: a client with {who} got in", platform.name());
    }

    // Ctrl-C leaves it serving: an RPC after the interrupt is answered, and the exit that
    // Shutdown asks for is clean (an interrupt that ended it would leave another status).
    let pid = plugin.child.id().to_string();
    run_ok(Command::new("kill").args(["-INT", &pid]));
    rt.block_on(async {
        let channel = plugin.connect(Show::Identity(&identity)).await.unwrap();
        ProviderClient::new(channel.clone())
            .get_metadata(pb::get_metadata::Request {})
            .await
            .expect("serving after Ctrl-C");
        GrpcControllerClient::new(channel)
            .shutdown(Empty {})
            .await
            .unwrap();
    });
    let status = wait_exit(&mut plugin, Duration::from_secs(10));
    assert!(status.success(), "{}: {status:?}", platform.name());

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "handshake {} (median of 5): line {:.1} ms ({:.1}x linux_amd64's {:.1} ms), first RPC {:.1} ms ({:.1}x linux_amd64's {:.1} ms)",
        platform.name(),
        ms(times.line),
        ms(times.line) / ms(native_times.line),
        ms(native_times.line),
        ms(times.first_rpc),
        ms(times.first_rpc) / ms(native_times.first_rpc),
        ms(native_times.first_rpc),
    );
}

/// The process's exit status, once it has exited; fails after `limit` (go-plugin kills a
/// provider 2 s after Shutdown, so a healthy one is long gone by then).
fn wait_exit(plugin: &mut Plugin, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = plugin.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < limit,
            "no exit {limit:?} after Shutdown"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn amd64_protocol_checks() {
    protocol_checks(Platform::LinuxAmd64)
}

#[test]
fn arm64_protocol_checks() {
    protocol_checks(Platform::LinuxArm64)
}

#[test]
fn i386_protocol_checks() {
    protocol_checks(Platform::Linux386)
}

#[test]
fn arm_protocol_checks() {
    protocol_checks(Platform::LinuxArm)
}

#[test]
fn windows_protocol_checks() {
    protocol_checks(Platform::WindowsAmd64)
}
