//! Test support: a LocalEmu (LocalStack-derived AWS emulator) on a private loopback port.
//!
//! LocalEmu is installed by `scripts/install-tools.sh` at
//! `${TOOLS_DIR:-~/.cache/terraform-provider-cloudtrail/tools}/bin/localemu` (`LOCALEMU_BIN` overrides).
//! Each instance runs as a plain host process with only the cloudtrail and sts services, no
//! persistence, and its own data directory; state lives in memory and dies with the process.
//!
//! * [`LocalEmu::start`] starts an instance owned by the caller; dropping it stops it.
//! * [`shared`] starts one instance per test binary on first use. It is stopped when the test
//!   process exits (even when killed): it runs under a small `sh` wrapper that waits on a pipe
//!   from this process and stops LocalEmu when the pipe closes. Tests sharing it must use unique
//!   store names ([`unique_name`]).
//!
//! Behaviour of LocalEmu 1.3.2 worth knowing: status changes are immediate (Start/Stop ingestion
//! flip between `ENABLED` and `STOPPED_INGESTION` with no `STARTING_INGESTION`/`STOPPING_INGESTION`
//! step); signatures and credentials are not checked (the account is `000000000000` for
//! `AWS_ACCESS_KEY_ID=test`); a bare store ID is resolved in the request's region and account.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudtrail::config::timeout::TimeoutConfig;
use aws_sdk_cloudtrail::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudtrail::error::DisplayErrorContext;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};

/// Region the helpers' clients use.
pub const REGION: &str = "us-east-1";
/// Account LocalEmu assigns to the `test` access key.
pub const ACCOUNT_ID: &str = "000000000000";

const HEALTH_PATH: &str = "/_localemu/health";
const POLL: Duration = Duration::from_millis(100);
/// LocalEmu (hypercorn server) usually exits 0.3-0.5 s after SIGTERM, but now and then its event
/// loop misses the stop request and idles for 4-10 s more; it keeps nothing worth a clean exit.
const STOP_GRACE: Duration = Duration::from_secs(3);
const STATUS_TIMEOUT: Duration = Duration::from_secs(30);
const CATALOG_PREFIX: &str = "service-catalog-";

/// Runs LocalEmu in the background and stops the shared instance when its stdin closes, i.e. when
/// the test process exits however it exits. Args: $1 binary, $2 port, $3 private dir.
/// stdout (a pipe to the test) carries only LocalEmu's pid; everything else goes to the log (stderr).
const WRAPPER: &str = r#"
bin=$1 port=$2 dir=$3
"$bin" start --host 127.0.0.1 --port "$port" </dev/null >&2 2>&1 &
pid=$!
trap '' TERM INT HUP
echo "$pid"
exec >&2
read -r _ || :
alive() { read -r s 2>/dev/null </proc/"$pid"/stat || return 1; s=${s##*) }; [ "${s%% *}" != Z ]; }
kill -TERM "$pid" 2>/dev/null
i=0
while alive && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
alive && kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ -n "$LOCALEMU_KEEP_LOGS" ] && rm -rf "$dir/root" || rm -rf "$dir"
"#;

/// The selector of a Management-events store: the category whose ingestion can be switched.
pub fn management_selector() -> AdvancedEventSelector {
    AdvancedEventSelector::builder()
        .name("Management events")
        .field_selectors(
            AdvancedFieldSelector::builder()
                .field("eventCategory")
                .equals("Management")
                .build()
                .unwrap_or_else(|e| panic!("field selector: {e}")),
        )
        .build()
        .unwrap_or_else(|e| panic!("event selector: {e}"))
}

/// A running LocalEmu instance.
pub struct LocalEmu {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    pub port: u16,
    /// LocalEmu's own pid.
    pid: u32,
    /// Process group of everything this instance started (LocalEmu, or the wrapper and LocalEmu).
    pgid: u32,
    child: Option<Child>,
    /// Shared instance only: the wrapper stops LocalEmu when this pipe closes.
    lifeline: Option<ChildStdin>,
    dir: PathBuf,
}

/// One LocalEmu per test binary, started on first use and stopped when the test process exits.
/// Panics (in every caller) if it cannot be started.
pub fn shared() -> &'static LocalEmu {
    static SHARED: OnceLock<Result<LocalEmu, String>> = OnceLock::new();
    match SHARED.get_or_init(|| LocalEmu::launch(Mode::Shared).map_err(|e| e.to_string())) {
        Ok(emu) => emu,
        Err(e) => panic!("could not start the shared LocalEmu: {e}"),
    }
}

/// A store name unique across tests and test processes (3-128 chars of `[A-Za-z0-9._-]`).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{}-{nanos:09}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Owned,
    Shared,
}

impl LocalEmu {
    /// Starts a LocalEmu owned by the caller and waits until it serves CloudTrail requests
    /// (typically 2-3 s; about 3 s more the very first time, while it builds a cache).
    /// Dropping the value stops it. Fails if the binary is missing (run `scripts/install-tools.sh`).
    pub fn start() -> io::Result<LocalEmu> {
        Self::launch(Mode::Owned)
    }

    /// Same as the free function [`shared`].
    pub fn shared() -> &'static LocalEmu {
        shared()
    }

    /// LocalEmu's pid.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// LocalEmu's combined stdout/stderr.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("localemu.log")
    }

    /// The last `lines` lines of LocalEmu's log.
    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log_path(), lines)
    }

    /// A CloudTrail client for this instance (test credentials, us-east-1). Make one per test:
    /// a client's connections belong to the tokio runtime it was first used on.
    pub async fn client(&self) -> aws_sdk_cloudtrail::Client {
        let conf = aws_sdk_cloudtrail::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "localemu"))
            .endpoint_url(&self.endpoint)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_timeout(Duration::from_secs(60))
                    .build(),
            )
            .build();
        aws_sdk_cloudtrail::Client::from_conf(conf)
    }

    /// Creates an event data store for management events, without termination protection,
    /// ingesting or not; returns its ARN
    /// (`arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/<uuid>`).
    pub async fn create_store(&self, name: &str, start_ingestion: bool) -> String {
        let selector = management_selector();
        let out = self
            .client()
            .await
            .create_event_data_store()
            .name(name)
            .advanced_event_selectors(selector)
            .termination_protection_enabled(false)
            .start_ingestion(start_ingestion)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateEventDataStore {name}: {}", DisplayErrorContext(e)));
        out.event_data_store_arn()
            .unwrap_or_else(|| panic!("CreateEventDataStore {name}: no ARN in {out:?}"))
            .to_string()
    }

    /// The store's status (`ENABLED`, `STOPPED_INGESTION`, `PENDING_DELETION`, ...).
    pub async fn status(&self, arn: &str) -> String {
        let out = self
            .client()
            .await
            .get_event_data_store()
            .event_data_store(arn)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetEventDataStore {arn}: {}", DisplayErrorContext(e)));
        out.status()
            .unwrap_or_else(|| panic!("GetEventDataStore {arn}: no status in {out:?}"))
            .as_str()
            .to_string()
    }

    /// StartEventDataStoreIngestion; panics on error.
    pub async fn start_ingestion(&self, arn: &str) {
        self.client()
            .await
            .start_event_data_store_ingestion()
            .event_data_store(arn)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "StartEventDataStoreIngestion {arn}: {}",
                    DisplayErrorContext(e)
                )
            });
    }

    /// StopEventDataStoreIngestion; panics on error.
    pub async fn stop_ingestion(&self, arn: &str) {
        self.client()
            .await
            .stop_event_data_store_ingestion()
            .event_data_store(arn)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "StopEventDataStoreIngestion {arn}: {}",
                    DisplayErrorContext(e)
                )
            });
    }

    /// DeleteEventDataStore (LocalEmu moves it to `PENDING_DELETION`); panics on error.
    pub async fn delete_store(&self, arn: &str) {
        self.client()
            .await
            .delete_event_data_store()
            .event_data_store(arn)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DeleteEventDataStore {arn}: {}", DisplayErrorContext(e)));
    }

    /// Polls the store's status until it is `want`; panics after 30 s.
    pub async fn wait_status(&self, arn: &str, want: &str) {
        let deadline = Instant::now() + STATUS_TIMEOUT;
        loop {
            let got = self.status(arn).await;
            if got == want {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "event data store {arn}: status is {got}, waited {STATUS_TIMEOUT:?} for {want}"
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    fn launch(mode: Mode) -> io::Result<LocalEmu> {
        let bin = binary()?;
        let dir = private_dir()?;
        let root = dir.join("root");
        fs::create_dir_all(root.join("tmp"))?;
        seed_catalog(&root);
        let log_path = dir.join("localemu.log");
        let log = File::create(&log_path)?;
        let port = free_port()?;

        let mut cmd = match mode {
            Mode::Owned => {
                let mut c = Command::new(&bin);
                c.args(["start", "--host", "127.0.0.1", "--port", &port.to_string()])
                    .stdin(Stdio::null())
                    .stdout(log.try_clone()?)
                    .stderr(log);
                c
            }
            Mode::Shared => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(WRAPPER)
                    .arg("localemu-wrapper")
                    .arg(&bin)
                    .arg(port.to_string())
                    .arg(&dir)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(log);
                c
            }
        };
        cmd.process_group(0);
        configure_env(&mut cmd, port, &root);
        let mut child = cmd.spawn().map_err(|e| {
            let _ = fs::remove_dir_all(&dir);
            io::Error::new(e.kind(), format!("could not run {}: {e}", bin.display()))
        })?;
        let pgid = child.id();
        let mut emu = LocalEmu {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            pid: pgid,
            pgid,
            lifeline: child.stdin.take(),
            child: None,
            dir,
        };
        let stdout = child.stdout.take();
        emu.child = Some(child);
        // From here on, dropping `emu` stops whatever was started.
        if let Some(stdout) = stdout {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line)?;
            emu.pid = line.trim().parse().map_err(|_| {
                io::Error::other(format!(
                    "LocalEmu wrapper did not report a pid (got {line:?}); log:\n{}",
                    emu.log_tail(30)
                ))
            })?;
        }
        emu.wait_ready(start_timeout())?;
        emu.warm_up();
        harvest_catalog(&root);
        Ok(emu)
    }

    fn alive(&mut self) -> bool {
        if self.pid == self.pgid
            && let Some(child) = self.child.as_mut()
        {
            return matches!(child.try_wait(), Ok(None));
        }
        process_alive(self.pid)
    }

    /// Polls the health endpoint until cloudtrail is loaded ("running" with eager loading).
    fn wait_ready(&mut self, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.alive() {
                return Err(io::Error::other(format!(
                    "LocalEmu exited during start-up; log {}:\n{}",
                    self.log_path().display(),
                    self.log_tail(40)
                )));
            }
            let req = format!(
                "GET {HEALTH_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.port
            );
            if let Ok((200, body)) = http(self.port, &req, Duration::from_secs(2)) {
                if body.contains(r#""cloudtrail": "running""#)
                    || body.contains(r#""cloudtrail": "available""#)
                {
                    return Ok(());
                }
                if body.contains(r#""cloudtrail": "error""#) {
                    return Err(io::Error::other(format!(
                        "LocalEmu's cloudtrail service failed to load; log {}:\n{}",
                        self.log_path().display(),
                        self.log_tail(40)
                    )));
                }
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "LocalEmu did not become ready within {timeout:?}; log {}:\n{}",
                        self.log_path().display(),
                        self.log_tail(40)
                    ),
                ));
            }
            sleep(POLL);
        }
    }

    /// The first AWS request makes LocalEmu build its service-catalog index (~3 s) unless one was
    /// seeded. An unsigned request with a CloudTrail target does that without touching any service
    /// (LocalEmu answers it with an empty 200).
    fn warm_up(&self) {
        let body = "{}";
        let req = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListEventDataStores\r\n\
             Content-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        );
        let _ = http(self.port, &req, Duration::from_secs(60));
    }
}

impl Drop for LocalEmu {
    fn drop(&mut self) {
        // Shared instance: EOF tells the wrapper to stop LocalEmu and clean up.
        drop(self.lifeline.take());
        kill_group("TERM", self.pgid);
        if !self.wait_gone(STOP_GRACE) {
            kill_group("KILL", self.pgid);
            self.wait_gone(Duration::from_secs(5));
        }
        if std::thread::panicking() || std::env::var_os("LOCALEMU_KEEP_LOGS").is_some() {
            eprintln!("LocalEmu log kept at {}", self.log_path().display());
            let _ = fs::remove_dir_all(self.dir.join("root"));
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl LocalEmu {
    /// Waits until our child is reaped and no process of the group is left.
    fn wait_gone(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let child_done = match self.child.as_mut() {
                Some(c) => !matches!(c.try_wait(), Ok(None)),
                None => true,
            };
            if child_done && !group_alive(self.pgid) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            sleep(Duration::from_millis(50));
        }
    }
}

fn tools_dir() -> PathBuf {
    match std::env::var_os("TOOLS_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/root"));
            home.join(".cache/terraform-provider-cloudtrail/tools")
        }
    }
}

fn binary() -> io::Result<PathBuf> {
    let bin = match std::env::var_os("LOCALEMU_BIN") {
        Some(b) if !b.is_empty() => PathBuf::from(b),
        _ => tools_dir().join("bin/localemu"),
    };
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "LocalEmu not found at {}; run `scripts/install-tools.sh` first",
                bin.display()
            ),
        ))
    }
}

fn cache_dir() -> PathBuf {
    match std::env::var_os("LOCALEMU_CACHE_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => tools_dir().join("localemu-cache"),
    }
}

fn start_timeout() -> Duration {
    let secs = std::env::var("LOCALEMU_START_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    Duration::from_secs(secs)
}

fn configure_env(cmd: &mut Command, port: u16, root: &Path) {
    for var in [
        "CONFIG_PROFILE",
        "DATA_DIR",
        "LOCALEMU_HOST",
        "LOCALEMU_VOLUME_DIR",
        "IAM_ENFORCEMENT",
        "SIMULATE_THROTTLING",
        "SIMULATE_LATENCY",
        "USE_SSL",
        "LS_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
        // The default twisted server binds 0.0.0.0 whatever the host; hypercorn binds 127.0.0.1
        // only, and stops in ~0.5 s instead of ~4 s.
        .env("GATEWAY_SERVER", "hypercorn")
        .env("SERVICES", "cloudtrail,sts")
        .env("EAGER_SERVICE_LOADING", "1")
        .env("PERSISTENCE", "0")
        // /.dockerenv exists on these machines; in "docker mode" LocalEmu would use (and wipe on
        // start) the shared /tmp/localemu and /var/lib/localemu instead of FILESYSTEM_ROOT.
        .env("OVERRIDE_IN_DOCKER", "0")
        .env("FILESYSTEM_ROOT", root)
        .env("TMPDIR", root.join("tmp"))
        .env("PYTHONUNBUFFERED", "1")
        .env("DEBUG", "0");
}

fn private_dir() -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "localemu-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Copies cached service-catalog indexes where LocalEmu looks for prebuilt ones.
fn seed_catalog(root: &Path) {
    let Ok(entries) = fs::read_dir(cache_dir()) else {
        return;
    };
    let target = root.join("usr/lib/localemu");
    if fs::create_dir_all(&target).is_err() {
        return;
    }
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with(CATALOG_PREFIX) && name_str.ends_with(".dill") {
            let _ = fs::copy(entry.path(), target.join(&name));
        }
    }
}

/// Keeps the index this instance built (if any) for the next instances; atomic, best effort.
fn harvest_catalog(root: &Path) {
    let Ok(entries) = fs::read_dir(root.join("var/lib/localemu/cache")) else {
        return;
    };
    let cache = cache_dir();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name_str = name.to_string_lossy().into_owned();
        if !(name_str.starts_with(CATALOG_PREFIX) && name_str.ends_with(".dill"))
            || cache.join(&name).exists()
        {
            continue;
        }
        if fs::create_dir_all(&cache).is_err() {
            return;
        }
        let tmp = cache.join(format!(".{name_str}.{}", std::process::id()));
        if fs::copy(entry.path(), &tmp).is_ok() && fs::rename(&tmp, cache.join(&name)).is_ok() {
            continue;
        }
        let _ = fs::remove_file(&tmp);
    }
}

/// Sends a raw HTTP request to 127.0.0.1:port and returns (status, body).
fn http(port: u16, request: &str, timeout: Duration) -> io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(request.as_bytes())?;
    // Read until the server closes, or until Content-Length bytes of body have arrived.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if matches!(length, Some(len) if buf.len() >= end + 4 + len) {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no HTTP status line"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// `kill -s SIG -- -PGID` (no libc needed).
fn kill_group(signal: &str, pgid: u32) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{pgid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Fields of /proc/PID/stat after the command name: state, ppid, pgrp, ...
fn proc_stat(path: &Path) -> Option<Vec<String>> {
    let stat = fs::read_to_string(path).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

fn process_alive(pid: u32) -> bool {
    match proc_stat(&PathBuf::from(format!("/proc/{pid}/stat"))) {
        Some(f) => f.first().map(String::as_str) != Some("Z"),
        None => false,
    }
}

/// Whether any live (non-zombie) process is in process group `pgid`.
fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = fs::read_dir("/proc") else {
        return false;
    };
    let pgid = pgid.to_string();
    entries.flatten().any(|e| {
        let name = e.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        match proc_stat(&e.path().join("stat")) {
            Some(f) => f.get(2) == Some(&pgid) && f.first().map(String::as_str) != Some("Z"),
            None => false,
        }
    })
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
