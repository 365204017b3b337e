//! Test support: a LocalEmu (LocalStack-derived AWS emulator) on a private loopback port.
//!
//! There is one way of starting LocalEmu, `scripts/localemu.sh`, and the tests use it too: each
//! instance is `scripts/localemu.sh start` with its own `LOCALEMU_STATE_DIR` (pid, port, log and
//! data), and `scripts/localemu.sh stop` with the same. The script finds the binary
//! (`scripts/install-tools.sh` puts it in `${TOOLS_DIR:-~/.cache/terraform-provider-cloudtrail/tools}/bin`,
//! `LOCALEMU_BIN` overrides), picks a free loopback port, seeds and keeps the service-catalog cache,
//! waits until CloudTrail answers (`LOCALEMU_START_TIMEOUT`, default 120 s) and prints the log's
//! tail if it does not. Each instance runs with only the cloudtrail and sts services, no
//! persistence, and its own data directory; state lives in memory and dies with the process.
//!
//! * [`LocalEmu::start`] starts an instance owned by the caller; dropping it stops it.
//! * [`shared`] starts one instance per test binary on first use. It is stopped when the test
//!   process exits (even when killed): a small `sh` watcher waits on a pipe from this process and
//!   runs `scripts/localemu.sh stop` when the pipe closes. Tests sharing it must use unique store
//!   names ([`unique_name`]).
//!
//! Behaviour of LocalEmu 1.3.2 worth knowing: status changes are immediate (Start/Stop ingestion
//! flip between `ENABLED` and `STOPPED_INGESTION` with no `STARTING_INGESTION`/`STOPPING_INGESTION`
//! step); signatures and credentials are not checked (the account is `000000000000` for
//! `AWS_ACCESS_KEY_ID=test`); a bare store ID is resolved in the request's region and account.
#![allow(dead_code)]

use std::fs;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudtrail::config::timeout::TimeoutConfig;
use aws_sdk_cloudtrail::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudtrail::error::DisplayErrorContext;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector};
use terraform_provider_cloudtrail::aws::http::{HttpSettings, ProviderHttpClient};

/// Region the helpers' clients use.
pub const REGION: &str = "us-east-1";
/// Account LocalEmu assigns to the `test` access key.
pub const ACCOUNT_ID: &str = "000000000000";

const POLL: Duration = Duration::from_millis(100);
const STATUS_TIMEOUT: Duration = Duration::from_secs(30);

/// Stops the shared instance when its stdin closes, i.e. when the test process exits however it
/// exits. Args: $0 scripts/localemu.sh, $1 the instance's state dir (also in LOCALEMU_STATE_DIR).
const WATCHER: &str = r#"
trap '' TERM INT HUP
read -r _ || :
"$0" stop >/dev/null 2>&1
[ -n "$LOCALEMU_KEEP_LOGS" ] || rm -rf "$1"
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
    /// LocalEmu's own pid (also its process group: the script starts it with `setsid`).
    pid: u32,
    /// Shared instance only: the watcher stops LocalEmu when this pipe closes.
    lifeline: Option<ChildStdin>,
    /// The instance's LOCALEMU_STATE_DIR.
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

/// The shared LocalEmu for synchronous tests (the client-driven ones): each call runs on the
/// test's own runtime.
pub struct Blocking {
    pub emu: &'static LocalEmu,
    rt: tokio::runtime::Runtime,
}

impl Blocking {
    pub fn shared() -> Self {
        Blocking {
            emu: shared(),
            rt: super::runtime(),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.emu.endpoint
    }

    /// A new store, ingestion stopped, named after `prefix`; its ARN.
    pub fn new_store(&self, prefix: &str) -> String {
        self.rt
            .block_on(self.emu.create_store(&unique_name(prefix), false))
    }

    pub fn status(&self, arn: &str) -> String {
        self.rt.block_on(self.emu.status(arn))
    }

    pub fn stop_ingestion(&self, arn: &str) {
        self.rt.block_on(self.emu.stop_ingestion(arn));
    }
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
            // The provider's own HTTP client: the SDK is built without a default one.
            .http_client(ProviderHttpClient::new(HttpSettings::default()))
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

    /// GetEventDataStore; panics on error.
    pub async fn get_store(
        &self,
        arn: &str,
    ) -> aws_sdk_cloudtrail::operation::get_event_data_store::GetEventDataStoreOutput {
        self.client()
            .await
            .get_event_data_store()
            .event_data_store(arn)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetEventDataStore {arn}: {}", DisplayErrorContext(e)))
    }

    /// UpdateEventDataStore of the retention alone, as a change made outside Terraform.
    pub async fn set_retention(&self, arn: &str, days: i32) {
        self.client()
            .await
            .update_event_data_store()
            .event_data_store(arn)
            .retention_period(days)
            .send()
            .await
            .unwrap_or_else(|e| panic!("UpdateEventDataStore {arn}: {}", DisplayErrorContext(e)));
    }

    /// The store's tags (ListTags).
    pub async fn tags(&self, arn: &str) -> Vec<(String, String)> {
        let out = self
            .client()
            .await
            .list_tags()
            .resource_id_list(arn)
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListTags {arn}: {}", DisplayErrorContext(e)));
        let mut tags: Vec<(String, String)> = out
            .resource_tag_list()
            .iter()
            .flat_map(|r| r.tags_list())
            .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
            .collect();
        tags.sort();
        tags
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
        let dir = private_dir()?;
        let out = script(&dir).arg("start").stdin(Stdio::null()).output();
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                return Err(io::Error::new(
                    e.kind(),
                    format!("could not run {}: {e}", script_path().display()),
                ));
            }
        };
        let endpoint = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let port = endpoint
            .strip_prefix("http://127.0.0.1:")
            .and_then(|p| p.parse().ok());
        let pid = fs::read_to_string(dir.join("pid"))
            .ok()
            .and_then(|p| p.trim().parse().ok());
        let mut emu = LocalEmu {
            endpoint,
            port: port.unwrap_or(0),
            pid: pid.unwrap_or(0),
            lifeline: None,
            dir,
        };
        // From here on, dropping `emu` stops whatever was started.
        let (true, Some(_), Some(_)) = (out.status.success(), port, pid) else {
            return Err(io::Error::other(format!(
                "scripts/localemu.sh start failed ({}):\n{}\nlog {}:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end(),
                emu.log_path().display(),
                emu.log_tail(40)
            )));
        };
        if mode == Mode::Shared {
            // `sh -c WATCHER scripts/localemu.sh DIR`: the script path is the watcher's $0.
            let mut cmd = Command::new("sh");
            cmd.arg("-c")
                .arg(WATCHER)
                .arg(script_path())
                .arg(&emu.dir)
                .env("LOCALEMU_STATE_DIR", &emu.dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0);
            let mut child = cmd.spawn()?;
            emu.lifeline = child.stdin.take();
        }
        Ok(emu)
    }
}

impl Drop for LocalEmu {
    fn drop(&mut self) {
        if let Some(lifeline) = self.lifeline.take() {
            // Shared instance: EOF tells the watcher to stop LocalEmu and clean up.
            drop(lifeline);
            return;
        }
        let _ = script(&self.dir)
            .arg("stop")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if std::thread::panicking() || std::env::var_os("LOCALEMU_KEEP_LOGS").is_some() {
            eprintln!("LocalEmu log kept at {}", self.log_path().display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/localemu.sh")
}

/// `scripts/localemu.sh` for the instance whose state lives in `dir`.
fn script(dir: &Path) -> Command {
    let mut cmd = Command::new(script_path());
    cmd.env("LOCALEMU_STATE_DIR", dir);
    cmd
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

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
