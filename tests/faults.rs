//! Faults, each against the real provider binary driven by a real client (OpenTofu 1.12.6)
//! through a fault-injecting HTTP proxy in front of LocalEmu (tests/support/faultproxy.rs):
//! throttling, HTTP 500s, a slow endpoint, connection refused, bad and expired credentials, the
//! endpoint killed in the middle of an apply, and Ctrl-C (StopProvider) during a wait.
//!
//! SIGINT sent to the provider process itself (which must not kill it) is covered by
//! `tests/protocol.rs::mtls_rpcs_and_shutdown`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::faultproxy::{Fault, FaultProxy};
use support::localemu::{self, LocalEmu};
use support::{
    Run, Workdir, client_binary, ingestion_state, newest_tofu, provider_block, runtime, unique_name,
};

const GET: &str = "GetEventDataStore";
const START: &str = "StartEventDataStoreIngestion";
const STOP: &str = "StopEventDataStoreIngestion";

struct Bed {
    wd: Workdir,
    emu: &'static LocalEmu,
    rt: tokio::runtime::Runtime,
    proxy: FaultProxy,
}

fn bed() -> Option<Bed> {
    let bin = client_binary(newest_tofu())?;
    let emu = localemu::shared();
    let proxy = FaultProxy::start(&emu.endpoint);
    Some(Bed {
        wd: Workdir::new(newest_tofu(), bin),
        emu,
        rt: runtime(),
        proxy,
    })
}

impl Bed {
    fn store(&self, ingesting: bool) -> String {
        self.rt
            .block_on(self.emu.create_store(&unique_name("fault"), ingesting))
    }

    fn status(&self, arn: &str) -> String {
        self.rt.block_on(self.emu.status(arn))
    }

    fn config(&self, resources: &str) {
        self.wd
            .write("main.tf", &(block(&self.proxy.endpoint) + resources));
    }

    fn apply_run(&self) -> Run {
        let started = Instant::now();
        let run = self
            .wd
            .run(&["apply", "-no-color", "-input=false", "-auto-approve"]);
        eprintln!(
            "{}: apply exited {} after {:?}",
            std::thread::current().name().unwrap_or("?"),
            run.code,
            started.elapsed()
        );
        run
    }

    fn explain(&self, run: &Run) -> String {
        format!("{}\n--- proxy log\n{}", run.text(), self.proxy.log())
    }
}

/// The suite's provider block with `max_retries = 4`: four attempts per request (hashicorp/aws
/// counts max_retries as attempts, the first included), so two injected failures still succeed.
fn block(endpoint: &str) -> String {
    let b = provider_block(endpoint);
    assert!(b.contains("max_retries = 2"), "provider_block changed: {b}");
    b.replace("max_retries = 2", "max_retries = 4")
}

/// Runs a client command as a child with a deadline; kills it when the deadline passes.
fn run_bounded(mut cmd: Command, limit: Duration) -> (Run, Duration, bool) {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stdout, stderr) = drain(&mut child);
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    (run, elapsed, timed_out)
}

type Reader = std::thread::JoinHandle<String>;

fn drain(child: &mut Child) -> (Reader, Reader) {
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    (
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        }),
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        }),
    )
}

fn apply_args() -> [&'static str; 4] {
    ["apply", "-no-color", "-input=false", "-auto-approve"]
}

/// ThrottlingException (HTTP 400, awsJson1_1) twice on every call, then success: the SDK's
/// standard retries absorb it and the apply succeeds.
#[test]
fn throttling_then_success() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(false);
    bed.config(&ingestion_state("t", &arn, ""));
    bed.proxy.inject(GET, Fault::throttling(), Some(2));
    bed.proxy.inject(START, Fault::throttling(), Some(2));
    let run = bed.apply_run();
    assert_eq!(run.code, 0, "{}", bed.explain(&run));
    assert_eq!(bed.status(&arn), "ENABLED");
    assert_eq!(bed.proxy.injected(GET), 2, "{}", bed.proxy.log());
    assert_eq!(bed.proxy.injected(START), 2, "{}", bed.proxy.log());
    assert_eq!(bed.proxy.forwarded(START), 1, "{}", bed.proxy.log());
    let (code, run) = bed.wd.plan_code();
    assert_eq!(code, 0, "{}", bed.explain(&run));
}

/// Throttling that outlasts the retries (max_retries = 4) ends in a diagnostic that names it and
/// says what to do; the attempts are really made.
#[test]
fn throttling_beyond_retries_is_a_clear_error() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(false);
    bed.config(&ingestion_state("t", &arn, ""));
    bed.proxy.inject(START, Fault::throttling(), None);
    let run = bed.apply_run();
    assert_ne!(run.code, 0, "{}", bed.explain(&run));
    let text = run.text();
    assert!(
        text.contains("Throttled by CloudTrail"),
        "{}",
        bed.explain(&run)
    );
    assert!(text.contains("Rate exceeded"), "{text}");
    assert!(text.contains("max_retries"), "{text}");
    assert!(bed.proxy.seen(START) >= 4, "{}", bed.proxy.log());
    assert_eq!(bed.status(&arn), "STOPPED_INGESTION");
}

/// HTTP 500 twice on every call, then success.
#[test]
fn http_500_then_success() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(true);
    let extra = "  ingestion_enabled = false\n";
    bed.config(&ingestion_state("t", &arn, extra));
    bed.proxy.inject(GET, Fault::internal_error(), Some(2));
    bed.proxy.inject(STOP, Fault::internal_error(), Some(2));
    let run = bed.apply_run();
    assert_eq!(run.code, 0, "{}", bed.explain(&run));
    assert_eq!(bed.status(&arn), "STOPPED_INGESTION");
    assert_eq!(bed.proxy.injected(STOP), 2, "{}", bed.proxy.log());
    assert_eq!(bed.proxy.forwarded(STOP), 1, "{}", bed.proxy.log());
}

/// HTTP 500 on every call: a diagnostic with AWS's code, message and request id.
#[test]
fn http_500_forever_is_a_clear_error() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(false);
    bed.config(&ingestion_state("t", &arn, ""));
    bed.proxy.inject("*", Fault::internal_error(), None);
    let (run, elapsed, timed_out) =
        run_bounded(bed.wd.command(&apply_args()), Duration::from_secs(90));
    assert!(!timed_out, "{}", bed.explain(&run));
    assert_ne!(run.code, 0, "{}", bed.explain(&run));
    let text = run.text();
    assert!(text.contains("InternalFailure"), "{}", bed.explain(&run));
    assert!(text.contains("injected internal failure"), "{text}");
    assert!(
        text.contains("Request ID: injected-InternalFailure"),
        "{text}"
    );
    eprintln!("persistent 500: apply failed after {elapsed:?}");
}

/// A slow endpoint past the resource's timeout: every status read takes 1.5 s and the store
/// never leaves STARTING_INGESTION after the Start call; `timeouts { create = "3s" }` ends the
/// wait with a diagnostic, the state records the object, and the next apply converges.
#[test]
fn slow_endpoint_past_the_resource_timeout() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(false);
    bed.config(&ingestion_state(
        "t",
        &arn,
        "  timeouts {\n    create = \"3s\"\n  }\n",
    ));
    bed.proxy
        .inject(GET, stuck_starting(Duration::from_millis(1500)), None);
    let (run, elapsed, timed_out) =
        run_bounded(bed.wd.command(&apply_args()), Duration::from_secs(60));
    assert!(!timed_out, "{}", bed.explain(&run));
    assert_ne!(run.code, 0, "{}", bed.explain(&run));
    let text = run.text();
    assert!(
        text.contains("Timed out waiting for the event data store"),
        "{}",
        bed.explain(&run)
    );
    assert!(text.contains("raise timeouts"), "{text}");
    assert_eq!(bed.proxy.forwarded(START), 1, "{}", bed.proxy.log());
    // What was done is recorded: the object is in state (tainted, as a failed create is), so
    // the next run knows about it; with a responsive endpoint one apply converges.
    let state = bed.wd.ok(&["state", "pull"]).stdout;
    assert!(
        state.contains(&arn) && state.contains("\"tainted\""),
        "{state}"
    );
    bed.proxy.clear();
    bed.wd.apply();
    let (code, run) = bed.wd.plan_code();
    assert_eq!(code, 0, "{}", bed.explain(&run));
    assert_eq!(bed.status(&arn), "ENABLED");
    eprintln!("slow endpoint: apply with a 3 s timeout failed after {elapsed:?}");
}

/// Status reads that turn ENABLED into STARTING_INGESTION, after `delay`.
fn stuck_starting(delay: Duration) -> Fault {
    Fault::Rewrite {
        delay,
        from: "ENABLED",
        to: "STARTING_INGESTION",
    }
}

/// An endpoint that accepts requests and never answers: the apply's wait (in-flight calls
/// included) is bounded by `timeouts { create = "3s" }`. The plan-time check of the store has its
/// own bound and runs at plan and again in the apply walk, so the whole apply takes 13-24 s.
#[test]
fn hung_endpoint_is_bounded_by_the_timeouts() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(false);
    bed.config(&ingestion_state(
        "t",
        &arn,
        "  timeouts {\n    create = \"3s\"\n  }\n",
    ));
    bed.proxy.inject(GET, Fault::Hang, None);
    let (run, elapsed, timed_out) =
        run_bounded(bed.wd.command(&apply_args()), Duration::from_secs(90));
    assert!(
        !timed_out,
        "apply still waiting after {elapsed:?} on a hung endpoint with a 3 s timeout:\n{}",
        bed.explain(&run)
    );
    assert_ne!(run.code, 0, "{}", bed.explain(&run));
    let text = run.text();
    assert!(
        text.contains("Timed out waiting for the event data store"),
        "{}",
        bed.explain(&run)
    );
    assert!(
        text.contains("did not answer in time"),
        "{}",
        bed.explain(&run)
    );
    assert!(
        elapsed < Duration::from_secs(45),
        "took {elapsed:?}:\n{}",
        bed.explain(&run)
    );
    assert_eq!(bed.status(&arn), "STOPPED_INGESTION");
    eprintln!("hung endpoint: apply failed after {elapsed:?}");
}

const READ_3S: &str = "  timeouts {\n    read = \"3s\"\n  }\n";

/// A refresh (ReadResource) against an endpoint that never answers ends with a clear error
/// within `timeouts { read = "3s" }`, and the resource stays in state.
#[test]
fn hung_endpoint_during_refresh_is_bounded() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(true);
    bed.config(&ingestion_state("t", &arn, READ_3S));
    bed.wd.apply();
    bed.proxy.inject(GET, Fault::Hang, None);
    let cmd = bed.wd.command(&["plan", "-no-color", "-input=false"]);
    let (run, elapsed, timed_out) = run_bounded(cmd, Duration::from_secs(60));
    assert!(
        !timed_out,
        "plan still refreshing after {elapsed:?} on a hung endpoint:\n{}",
        bed.explain(&run)
    );
    assert_ne!(run.code, 0, "{}", bed.explain(&run));
    assert!(
        run.text().contains("did not answer in time"),
        "{}",
        bed.explain(&run)
    );
    assert!(
        run.text().contains("timeouts.read"),
        "{}",
        bed.explain(&run)
    );
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    eprintln!("hung refresh: plan failed after {elapsed:?}");
    let list = bed.wd.ok(&["state", "list"]);
    assert!(
        list.stdout.contains("cloudtrail_ingestion_state.t"),
        "{}",
        list.stdout
    );
}

/// Ctrl-C during a refresh that waits on an endpoint that never answers (default read timeout,
/// 2 minutes): StopProvider ends the read at once, as it ends the apply's wait.
#[test]
fn ctrl_c_during_a_hung_refresh_returns_promptly() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(true);
    bed.config(&ingestion_state("t", &arn, ""));
    bed.wd.apply();
    bed.proxy.inject(GET, Fault::Hang, None);
    let mut child = bed
        .wd
        .command(&["plan", "-no-color", "-input=false"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stdout, stderr) = drain(&mut child);
    let started = Instant::now();
    while bed.proxy.seen(GET) < 1 {
        assert!(started.elapsed() < Duration::from_secs(60), "no refresh");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_secs(1));
    let sent = Instant::now();
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let exited = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        if sent.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        code: -1,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    let exit_after = sent.elapsed();
    assert!(
        exited,
        "tofu still refreshing 15 s after Ctrl-C:\n{}",
        bed.explain(&run)
    );
    assert!(run.text().contains("Interrupted"), "{}", bed.explain(&run));
    assert!(
        exit_after < Duration::from_secs(3),
        "tofu took {exit_after:?} to exit after Ctrl-C"
    );
    eprintln!("Ctrl-C during a hung refresh: tofu exited {exit_after:?} after SIGINT");
    bed.proxy.clear();
    let list = bed.wd.ok(&["state", "list"]);
    assert!(
        list.stdout.contains("cloudtrail_ingestion_state.t"),
        "{}",
        list.stdout
    );
}

/// Nothing listens on the endpoint's port: a diagnostic that says the endpoint cannot be reached
/// and where to look, within seconds.
#[test]
fn connection_refused_is_a_clear_error() {
    let Some(bed) = bed() else { return };
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    bed.wd.write(
        "main.tf",
        &(provider_block(&format!("http://127.0.0.1:{closed}"))
            + &ingestion_state(
                "t",
                "arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/refused",
                "",
            )),
    );
    let (run, elapsed, timed_out) =
        run_bounded(bed.wd.command(&apply_args()), Duration::from_secs(90));
    assert!(!timed_out, "{}", run.text());
    assert_ne!(run.code, 0, "{}", run.text());
    let text = run.text();
    assert!(
        text.contains("Cannot reach the CloudTrail endpoint"),
        "{text}"
    );
    assert!(text.contains("endpoints.cloudtrail"), "{text}");
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    eprintln!("connection refused: apply failed after {elapsed:?}");
}

/// Bad credentials (UnrecognizedClientException) and expired session tokens
/// (ExpiredTokenException): each a diagnostic that says which and what to do, on apply and on
/// refresh, with no store changed.
#[test]
fn invalid_and_expired_credentials_are_clear_errors() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(false);
    bed.config(&ingestion_state("t", &arn, ""));
    for (fault, summary, advice) in [
        (
            Fault::unrecognized_client(),
            "Invalid AWS credentials",
            "Check access_key/secret_key",
        ),
        (
            Fault::expired_token(),
            "Expired AWS credentials",
            "Refresh your credentials",
        ),
    ] {
        bed.proxy.clear();
        bed.proxy.inject("*", fault.clone(), None);
        let run = bed.apply_run();
        assert_ne!(run.code, 0, "{}", bed.explain(&run));
        let text = run.text();
        assert!(text.contains(summary), "{fault:?}: {}", bed.explain(&run));
        assert!(text.contains(advice), "{fault:?}: {text}");
        assert_eq!(bed.status(&arn), "STOPPED_INGESTION");
    }
    // Once in state, a refresh with bad credentials says the same and keeps the resource.
    bed.proxy.clear();
    bed.wd.apply();
    bed.proxy.inject("*", Fault::expired_token(), None);
    let (code, run) = bed.wd.plan_code();
    assert_eq!(code, 1, "{}", bed.explain(&run));
    assert!(
        run.text().contains("Expired AWS credentials"),
        "{}",
        run.text()
    );
    bed.proxy.clear();
    let list = bed.wd.ok(&["state", "list"]);
    assert!(
        list.stdout.contains("cloudtrail_ingestion_state.t"),
        "{}",
        list.stdout
    );
}

/// The endpoint dies in the middle of an apply that updates 4 resources and creates 4 more, and
/// comes back with the truth as it was left (some calls landed, their answers were lost). Nothing
/// already in state is lost, the next plan reads the truth, and one more apply converges.
#[test]
fn endpoint_killed_mid_apply_loses_nothing_and_converges() {
    let Some(bed) = bed() else { return };
    let old: Vec<String> = (0..4).map(|_| bed.store(false)).collect();
    let new: Vec<String> = (0..4).map(|_| bed.store(false)).collect();
    let first: String = old
        .iter()
        .enumerate()
        .map(|(i, a)| ingestion_state(&format!("old{i}"), a, ""))
        .collect();
    bed.config(&first);
    bed.wd.apply();
    let second: String = old
        .iter()
        .enumerate()
        .map(|(i, a)| ingestion_state(&format!("old{i}"), a, "  ingestion_enabled = false\n"))
        .chain(
            new.iter()
                .enumerate()
                .map(|(i, a)| ingestion_state(&format!("new{i}"), a, "")),
        )
        .collect();
    bed.config(&second);
    // Start/Stop calls reach LocalEmu but their answers are held back, so the kill catches
    // calls that landed without the provider learning it.
    bed.proxy
        .inject(START, Fault::Delay(Duration::from_millis(400)), None);
    bed.proxy
        .inject(STOP, Fault::Delay(Duration::from_millis(400)), None);
    let mut cmd = bed.wd.command(&apply_args());
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stdout, stderr) = drain(&mut child);
    let before = bed.proxy.seen(START) + bed.proxy.seen(STOP);
    while bed.proxy.seen(START) + bed.proxy.seen(STOP) < before + 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no Start/Stop calls:\n{}",
            bed.proxy.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    bed.proxy.kill();
    let status = child.wait().unwrap();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert_ne!(run.code, 0, "the apply should fail: {}", bed.explain(&run));
    assert!(
        run.text().contains("Cannot reach the CloudTrail endpoint")
            || run.text().contains("The CloudTrail call failed"),
        "{}",
        bed.explain(&run)
    );
    let list = bed.wd.ok(&["state", "list"]).stdout;
    for i in 0..4 {
        assert!(
            list.contains(&format!("cloudtrail_ingestion_state.old{i}")),
            "old{i} lost from state:\n{list}\n{}",
            bed.explain(&run)
        );
    }

    bed.proxy.revive();
    bed.proxy.clear();
    let (code, plan) = bed.wd.plan_code();
    assert!(code == 0 || code == 2, "{}", bed.explain(&plan));
    bed.wd.apply();
    let (code, plan) = bed.wd.plan_code();
    assert_eq!(code, 0, "not converged: {}", bed.explain(&plan));
    let list = bed.wd.ok(&["state", "list"]).stdout;
    assert_eq!(list.lines().count(), 8, "{list}");
    for a in &old {
        assert_eq!(bed.status(a), "STOPPED_INGESTION");
    }
    for a in &new {
        assert_eq!(bed.status(a), "ENABLED");
    }
}

/// Ctrl-C while the provider waits for a store stuck in STARTING_INGESTION: OpenTofu sends
/// StopProvider, the wait ends at once with an "Interrupted" diagnostic, the process exits
/// promptly, and the state records what was done (the store, as last seen).
#[test]
fn ctrl_c_during_a_wait_stops_promptly_and_records_state() {
    let Some(bed) = bed() else { return };
    let arn = bed.store(false);
    bed.config(&ingestion_state("t", &arn, ""));
    bed.proxy.inject(GET, stuck_starting(Duration::ZERO), None);
    let mut cmd = bed.wd.command(&apply_args());
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stdout, stderr) = drain(&mut child);
    let started = Instant::now();
    // Start made, then at least three status reads saying STARTING_INGESTION: a long wait.
    while bed.proxy.forwarded(START) < 1 || bed.proxy.seen(GET) < 4 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never reached the wait:\n{}",
            bed.proxy.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let gets_before = bed.proxy.seen(GET);
    let sent = Instant::now();
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(20),
            "tofu still running 20 s after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let exit_after = sent.elapsed();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert_ne!(run.code, 0, "{}", bed.explain(&run));
    let text = run.text();
    assert!(text.contains("Interrupted"), "{}", bed.explain(&run));
    assert!(text.contains("STARTING_INGESTION"), "{text}");
    // StopProvider answered and the wait ended without another poll cycle's worth of delay; the
    // whole client (state written, provider shut down) is out within 3 s.
    assert!(
        bed.proxy.seen(GET) <= gets_before + 1,
        "the provider kept polling after Ctrl-C:\n{}",
        bed.proxy.log()
    );
    assert!(
        exit_after < Duration::from_secs(3),
        "tofu took {exit_after:?} to exit after Ctrl-C:\n{text}"
    );
    eprintln!("Ctrl-C: tofu exited {exit_after:?} after SIGINT");

    // What was done is recorded: the Start call was made and the object is in state with the
    // last status seen.
    assert_eq!(bed.status(&arn), "ENABLED");
    let state = bed.wd.ok(&["state", "pull"]).stdout;
    assert!(state.contains(&arn), "{state}");
    assert!(state.contains("\"STARTING_INGESTION\""), "{state}");
    // With the truth visible again, one apply converges.
    bed.proxy.clear();
    bed.wd.apply();
    let (code, run) = bed.wd.plan_code();
    assert_eq!(code, 0, "{}", bed.explain(&run));
}
