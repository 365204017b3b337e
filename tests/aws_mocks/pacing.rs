//! Pacing: one limiter per account and region for Start/Stop, reads never held back

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_smithy_mocks::{Rule, mock};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::diagnostics::Diagnostic;
use terraform_provider_cloudtrail::provider::{CloudTrail, Provider};
use terraform_provider_cloudtrail::resources::ApplyRequest;
use tokio::time::Instant;

use crate::support::mocks::*;

/// CloudTrail's quota as a mock: a Start arriving less than a second after the last accepted one
/// is throttled. Stores start at once when accepted.
struct Quota {
    last_accepted: Option<Instant>,
    accepted: usize,
    throttled: usize,
}

struct Fleet {
    get: Rule,
    starts: Vec<Rule>,
    quota: Arc<Mutex<Quota>>,
}

fn fleet(n: usize) -> Fleet {
    let statuses: Arc<Mutex<HashMap<String, &'static str>>> = Arc::default();
    let quota = Arc::new(Mutex::new(Quota {
        last_accepted: None,
        accepted: 0,
        throttled: 0,
    }));
    let get = mock!(Client::get_event_data_store).then_compute_output({
        let statuses = statuses.clone();
        move |req| {
            let arn = req.event_data_store().unwrap_or_default();
            let status = statuses
                .lock()
                .unwrap()
                .get(arn)
                .copied()
                .unwrap_or("STOPPED_INGESTION");
            store(arn, status, "Management")
        }
    });
    // One rule per store, so the response (retries included) knows which store it starts.
    let starts = (0..n)
        .map(|i| {
            let arn = store_arn(i);
            let statuses = statuses.clone();
            let quota = quota.clone();
            mock!(Client::start_event_data_store_ingestion)
                .match_requests({
                    let arn = arn.clone();
                    move |req| req.event_data_store() == Some(arn.as_str())
                })
                .sequence()
                .http_response(move || {
                    let now = Instant::now();
                    let mut q = quota.lock().unwrap();
                    if q.last_accepted
                        .is_some_and(|last| now - last < Duration::from_secs(1))
                    {
                        q.throttled += 1;
                        return aws_error("ThrottlingException");
                    }
                    q.last_accepted = Some(now);
                    q.accepted += 1;
                    statuses.lock().unwrap().insert(arn.clone(), "ENABLED");
                    ok_body()
                })
                .repeatedly()
                .build()
        })
        .collect();
    Fleet { get, starts, quota }
}

impl Fleet {
    fn provider(&self, pacing: Option<Duration>) -> Arc<Provider> {
        let mut rules: Vec<&Rule> = vec![&self.get];
        rules.extend(self.starts.iter());
        let mut clients = clients_with(&rules, fast_retries());
        if let Some(interval) = pacing {
            clients = clients.with_pacing_interval(interval);
        }
        Arc::new(Provider::new(CloudTrail::with_aws(clients)))
    }
}

struct Outcome {
    created: usize,
    diagnostics: Vec<Diagnostic>,
    elapsed: Duration,
}

/// A plan walk then an apply walk of `n` new resources, `parallelism` at a time, as Terraform
/// runs them.
async fn plan_and_apply(p: &Arc<Provider>, n: usize, parallelism: usize) -> Outcome {
    let t0 = Instant::now();
    let limit = Arc::new(tokio::sync::Semaphore::new(parallelism));
    let mut plans = tokio::task::JoinSet::new();
    for i in 0..n {
        let (p, limit) = (p.clone(), limit.clone());
        plans.spawn(async move {
            let _turn = limit.acquire_owned().await.unwrap();
            let cfg = config(&store_arn(i), None, None);
            let plan = plan_new(&p, &cfg).await;
            (
                cfg,
                (plan.planned_state, plan.planned_private),
                plan.diagnostics,
            )
        });
    }
    let mut diagnostics = Vec::new();
    let mut planned = Vec::new();
    while let Some(r) = plans.join_next().await {
        let (cfg, plan, diags) = r.unwrap();
        diagnostics.extend(diags.0);
        planned.push((cfg, plan));
    }
    let mut applies = tokio::task::JoinSet::new();
    for (cfg, (plan, private)) in planned {
        let (p, limit) = (p.clone(), limit.clone());
        applies.spawn(async move {
            let _turn = limit.acquire_owned().await.unwrap();
            p.apply(
                TYPE,
                ApplyRequest {
                    config: cfg,
                    prior_state: Value::Null,
                    planned_state: plan,
                    planned_private: private,
                },
            )
            .await
        });
    }
    let mut created = 0;
    while let Some(r) = applies.join_next().await {
        let r = r.unwrap();
        if r.state.get("status") == Some(&Value::string("ENABLED")) {
            created += 1;
        }
        diagnostics.extend(r.diagnostics.0);
    }
    Outcome {
        created,
        diagnostics,
        elapsed: t0.elapsed(),
    }
}

#[tokio::test(start_paused = true)]
async fn two_hundred_resources_at_parallelism_fifty_are_paced_under_the_quota() {
    let fleet = fleet(200);
    let p = fleet.provider(None);
    let out = plan_and_apply(&p, 200, 50).await;
    let q = fleet.quota.lock().unwrap();
    assert!(
        out.diagnostics.is_empty(),
        "{:#?}",
        &out.diagnostics[..out.diagnostics.len().min(3)]
    );
    assert_eq!(out.created, 200);
    assert_eq!(q.throttled, 0, "paced calls must never meet the quota");
    assert_eq!(q.accepted, 200);
    // 200 turns 1.1 s apart: the pacing is what takes the time, and nothing else does.
    assert!(
        out.elapsed >= Duration::from_secs(218) && out.elapsed <= Duration::from_secs(221),
        "{:?}",
        out.elapsed
    );
    let starts: usize = fleet.starts.iter().map(Rule::num_calls).sum();
    eprintln!(
        "per created resource: {} GetEventDataStore (plan check, read after start), {} StartEventDataStoreIngestion; {:?} virtual",
        fleet.get.num_calls() as f64 / 200.0,
        starts as f64 / 200.0,
        out.elapsed
    );
    // The apply acts on what the plan saw (planned_private): Start, then one read.
    assert_eq!(fleet.get.num_calls(), 400);
    assert_eq!(starts, 200);
}

/// The control: the same apply without pacing meets the quota, and the SDK's retries alone do
/// not save it. This is what the test above would see if pacing broke.
#[tokio::test(start_paused = true)]
async fn without_pacing_the_same_apply_is_throttled() {
    let fleet = fleet(200);
    let p = fleet.provider(Some(Duration::ZERO));
    let out = plan_and_apply(&p, 200, 50).await;
    let q = fleet.quota.lock().unwrap();
    assert!(q.throttled > 100, "{}", q.throttled);
    assert!(out.created < 200, "{}", out.created);
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.summary == "Throttled by CloudTrail"),
        "{:#?}",
        out.diagnostics.first()
    );
}

#[tokio::test(start_paused = true)]
async fn reads_are_not_held_back_by_pacing() {
    let fleet = fleet(31);
    let p = fleet.provider(None);
    let mut applies = tokio::task::JoinSet::new();
    for i in 0..30 {
        let p = p.clone();
        applies.spawn(async move { apply_create(&p, &config(&store_arn(i), None, None)).await });
    }
    // Let all thirty read their store and queue for a Start turn.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let t0 = Instant::now();
    let r = p.read(TYPE, state(&store_arn(30), true)).await;
    assert_eq!(
        t0.elapsed(),
        Duration::ZERO,
        "a read waited for Start/Stop turns"
    );
    assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
    assert_eq!(r.state.get("ingestion_enabled"), Some(&Value::Bool(false)));
    assert!(
        fleet.quota.lock().unwrap().accepted < 30,
        "the queue had drained already"
    );
    while let Some(r) = applies.join_next().await {
        assert!(r.unwrap().1.is_empty());
    }
}

#[tokio::test(start_paused = true)]
async fn pacing_is_per_account_and_region() {
    // Each store reads STOPPED_INGESTION once, then ENABLED.
    let reads: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let get = mock!(Client::get_event_data_store).then_compute_output(move |req| {
        let arn = req.event_data_store().unwrap_or_default();
        let mut reads = reads.lock().unwrap();
        let n = reads.entry(arn.to_owned()).or_insert(0);
        *n += 1;
        let status = if *n == 1 {
            "STOPPED_INGESTION"
        } else {
            "ENABLED"
        };
        store(arn, status, "Management")
    });
    let start = start_ok();
    let p = Arc::new(provider(&[&get, &start]));
    let arns = [
        "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/a",
        "arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/b",
        "arn:aws:cloudtrail:eu-west-1:111111111111:eventdatastore/c",
        "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/d",
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for arn in arns {
        let p = p.clone();
        tasks.spawn(async move {
            let t0 = Instant::now();
            let (_, diags) = apply_create(&p, &config(arn, None, None)).await;
            assert!(diags.is_empty(), "{diags:#?}");
            (arn, t0.elapsed())
        });
    }
    let mut took = HashMap::new();
    while let Some(r) = tasks.join_next().await {
        let (arn, elapsed) = r.unwrap();
        took.insert(&arn[arn.len() - 1..], elapsed);
    }
    // a, b and c are three different account+region pairs; d waits for a's turn.
    assert_eq!(
        took["a"] + took["b"] + took["c"],
        Duration::ZERO,
        "{took:?}"
    );
    assert_eq!(took["d"], Duration::from_millis(1100), "{took:?}");
    assert_eq!(start.num_calls(), 4);
}
