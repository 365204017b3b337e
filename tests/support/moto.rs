//! Test support: moto's server (PyPI `moto[server]`, installed by `scripts/install-tools.sh`) on a
//! private loopback port, the STS the credentials tests talk to. LocalEmu's own STS answers 500 on
//! Python 3.11; moto answers AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity, and an
//! assumed role's credentials belong to the account in the role's ARN.
//!
//! [`shared`] starts one instance per test binary; a small `sh` watcher holding a pipe from this
//! process stops it when the test process exits, however it exits.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Moto {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    pid: u32,
    /// Closing it (at exit) makes the watcher stop moto.
    _watcher_stdin: ChildStdin,
    // Kept so neither is a zombie while the test process runs; the watcher reaps nothing.
    _moto: Child,
    _watcher: Child,
}

/// Kills moto's process group when stdin closes. $1: moto's pid.
const WATCHER: &str = r#"
trap '' TERM INT HUP
read -r _ || :
kill -TERM -- "-$1" 2>/dev/null
"#;

fn binary() -> std::path::PathBuf {
    let path = super::tools_bin().join(format!("moto_server-{}", super::pinned("MOTO")));
    assert!(
        path.exists(),
        "{} is missing: run `scripts/install-tools.sh`",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Moto {
    fn start() -> Moto {
        let port = free_port();
        let log = tempfile::NamedTempFile::new().unwrap();
        let (log_file, log_path) = log.keep().unwrap();
        let child = Command::new(binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .expect("moto_server starts");
        let pid = child.id();
        let mut watcher = Command::new("sh")
            .args(["-c", WATCHER, "moto-watcher", &pid.to_string()])
            .stdin(Stdio::piped())
            .spawn()
            .expect("watcher starts");
        let endpoint = format!("http://127.0.0.1:{port}");
        // Ready once it answers HTTP at all (moto imports its services lazily).
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                use std::io::Write;
                let _ = s.write_all(b"GET /moto-api/ HTTP/1.0\r\n\r\n");
                let mut buf = [0u8; 12];
                if s.read(&mut buf).is_ok_and(|n| n > 0) {
                    break;
                }
            }
            if Instant::now() > deadline {
                let mut text = String::new();
                let _ =
                    std::fs::File::open(&log_path).and_then(|mut f| f.read_to_string(&mut text));
                panic!("moto did not answer on {endpoint} within 60 s:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            endpoint,
            pid,
            _watcher_stdin: watcher.stdin.take().unwrap(),
            _moto: child,
            _watcher: watcher,
        }
    }
}

/// The one moto of this test binary.
pub fn shared() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}
