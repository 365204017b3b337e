//! Load: many `cloudtrail_ingestion_state` resources applied and destroyed with
//! `-parallelism=100` by OpenTofu 1.12.6 against LocalEmu: no errors, every resource in state,
//! and the provider's resident memory flat while it works (sampled from /proc).
//!
//! The default suite runs 250 resources; `TPC_LOAD_FULL=1` runs the full 1000 (a few minutes;
//! figures in RELIABILITY.md). `TPC_LOAD_RESOURCES=N` picks any other count.
//! The stores are created with ingestion already ENABLED, so the apply needs no Start calls (which
//! are paced at about one per second) and measures the provider, not the pacing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::localemu;
use support::{Run, Workdir, client_binary, provider_binary, provider_block, unique_name};

/// `verb` for every resource, 100 at a time, with no prompt.
fn all_at_once(verb: &str) -> [&str; 5] {
    [
        verb,
        "-no-color",
        "-input=false",
        "-auto-approve",
        "-parallelism=100",
    ]
}

fn count() -> usize {
    if let Some(n) = std::env::var("TPC_LOAD_RESOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if std::env::var("TPC_LOAD_FULL").is_ok_and(|v| v == "1") {
        1000
    } else {
        250
    }
}

/// Creates `n` stores with ingestion ENABLED, 16 at a time; returns their ARNs.
async fn create_stores(emu: &localemu::LocalEmu, n: usize) -> Vec<String> {
    let client = emu.client().await;
    let selector = localemu::management_selector();
    let prefix = unique_name("load");
    let sem = Arc::new(tokio::sync::Semaphore::new(16));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let client = client.clone();
        let selector = selector.clone();
        let name = format!("{prefix}-{i}");
        let sem = sem.clone();
        tasks.spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let out = client
                .create_event_data_store()
                .name(&name)
                .advanced_event_selectors(selector)
                .termination_protection_enabled(false)
                .start_ingestion(true)
                .send()
                .await
                .unwrap_or_else(|e| panic!("CreateEventDataStore {name}: {e:?}"));
            (i, out.event_data_store_arn().unwrap().to_owned())
        });
    }
    let mut arns = vec![String::new(); n];
    while let Some(r) = tasks.join_next().await {
        let (i, arn) = r.unwrap();
        arns[i] = arn;
    }
    arns
}

/// One RSS sample of one provider process.
#[derive(Clone, Copy, Debug)]
struct Sample {
    /// Since the client started; kept for the debug output of failures.
    #[allow(dead_code)]
    at: Duration,
    pid: u32,
    rss_kib: u64,
}

/// Samples, every 100 ms, the resident memory of every process running the provider binary
/// whose parent is `parent`.
struct Sampler {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    fn start(parent: u32, binary: PathBuf) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                for pid in children_running(parent, &binary) {
                    if let Some(rss_kib) = rss_kib(pid) {
                        samples.push(Sample {
                            at: started.elapsed(),
                            pid,
                            rss_kib,
                        });
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            samples
        });
        Sampler { stop, handle }
    }

    fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

fn children_running(parent: u32, binary: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let ppid = stat
                .rfind(')')
                .and_then(|i| stat[i + 1..].split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            ppid == Some(parent)
                && std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary)
        })
        .collect()
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs the client with `args`, sampling the provider's memory while it runs.
fn run_sampled(wd: &Workdir, args: &[&str]) -> (Run, Duration, Vec<Sample>) {
    let started = Instant::now();
    let mut child: Child = wd
        .command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let binary = std::fs::canonicalize(provider_binary()).unwrap();
    let sampler = Sampler::start(child.id(), binary);
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).unwrap();
        s
    });
    let status = child.wait().unwrap();
    let samples = sampler.finish();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (run, started.elapsed(), samples)
}

/// Memory figures of the provider process that lived longest (the one serving the walk).
struct Memory {
    samples: usize,
    first_quarter_kib: u64,
    last_quarter_kib: u64,
    peak_kib: u64,
}

fn memory(samples: &[Sample]) -> Memory {
    let mut by_pid: std::collections::HashMap<u32, Vec<Sample>> = Default::default();
    for s in samples {
        by_pid.entry(s.pid).or_default().push(*s);
    }
    let main = by_pid
        .into_values()
        .max_by_key(|v| v.len())
        .expect("no provider process was seen");
    let q = (main.len() / 4).max(1);
    let median = |part: &[Sample]| {
        let mut v: Vec<u64> = part.iter().map(|s| s.rss_kib).collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    Memory {
        samples: main.len(),
        first_quarter_kib: median(&main[..q]),
        last_quarter_kib: median(&main[main.len() - q..]),
        peak_kib: main.iter().map(|s| s.rss_kib).max().unwrap(),
    }
}

fn check_flat(phase: &str, m: &Memory) {
    eprintln!(
        "{phase}: provider RSS {} samples, first-quarter median {} MiB, last-quarter median {} MiB, peak {} MiB",
        m.samples,
        m.first_quarter_kib / 1024,
        m.last_quarter_kib / 1024,
        m.peak_kib / 1024
    );
    assert!(m.samples >= 5, "{phase}: too few samples to judge memory");
    assert!(
        m.peak_kib < 256 * 1024,
        "{phase}: provider peak RSS {} MiB",
        m.peak_kib / 1024
    );
    assert!(
        m.last_quarter_kib <= m.first_quarter_kib + 32 * 1024,
        "{phase}: provider memory grew from {} to {} MiB",
        m.first_quarter_kib / 1024,
        m.last_quarter_kib / 1024
    );
}

#[test]
fn many_resources_apply_and_destroy_with_parallelism_100() {
    let Some(bin) = client_binary(support::newest_tofu()) else {
        return;
    };
    let n = count();
    let emu = localemu::shared();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let arns = rt.block_on(create_stores(emu, n));
    let created = started.elapsed();

    let wd = Workdir::new("load", bin);
    let list: String = arns.iter().map(|a| format!("    \"{a}\",\n")).collect();
    wd.write(
        "main.tf",
        &(provider_block(&emu.endpoint)
            + &format!(
                "\nlocals {{\n  stores = [\n{list}  ]\n}}\n\nresource \"cloudtrail_ingestion_state\" \"s\" {{\n  for_each         = toset(local.stores)\n  event_data_store = each.value\n}}\n"
            )),
    );

    let (run, apply_took, samples) = run_sampled(&wd, &all_at_once("apply"));
    assert_eq!(run.code, 0, "apply failed:\n{}", tail(&run.text(), 60));
    assert!(
        run.stdout
            .contains(&format!("{n} added, 0 changed, 0 destroyed")),
        "{}",
        tail(&run.stdout, 20)
    );
    let apply_mem = memory(&samples);
    let state = wd.ok(&["state", "list"]).stdout;
    assert_eq!(state.lines().count(), n, "resources missing from state");
    for arn in &arns {
        assert!(state.contains(arn), "{arn} missing from state");
    }

    let (run, destroy_took, samples) = run_sampled(&wd, &all_at_once("destroy"));
    assert_eq!(run.code, 0, "destroy failed:\n{}", tail(&run.text(), 60));
    assert!(
        run.stdout.contains(&format!("{n} destroyed")),
        "{}",
        tail(&run.stdout, 20)
    );
    let destroy_mem = memory(&samples);
    let state = wd.ok(&["state", "list"]).stdout;
    assert!(state.trim().is_empty(), "left in state:\n{state}");
    // Destroy leaves ingestion as it is (stop_on_destroy defaults to false).
    for arn in arns.iter().step_by((n / 10).max(1)) {
        assert_eq!(rt.block_on(emu.status(arn)), "ENABLED", "{arn}");
    }

    eprintln!(
        "load: {n} stores created in {created:?}; apply {apply_took:?}; destroy {destroy_took:?}"
    );
    check_flat("apply", &apply_mem);
    check_flat("destroy", &destroy_mem);
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
