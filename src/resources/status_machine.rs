//! The status machine that starts or stops a store's ingestion and waits for it to settle
//! (like the aws provider's `StateChangeConf` waiter): bounded by a timeout, ended at once by
//! StopProvider, with ConflictException retried and each failure a diagnostic a person can act on.
//! Resources and actions drive stores through `converge` alone.

use std::time::Duration;

use crate::aws::arn::StoreRef;
use crate::aws::errors::{AwsError, ErrorKind};
use crate::aws::status::Status;
use crate::aws::store::{Gone, Lookup, STARTABLE_CATEGORIES, Store, StoreInfo};
use crate::diagnostics::{AttributePath, Diagnostic};
use crate::resources::plan_seen::PlanSeen;
use crate::resources::{Ctx, Progress};

/// The longest pause between two status polls: short enough to notice ENABLED quickly.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(3);
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// ConflictException means another change to the store is under way: back off from 1 s to 15 s.
pub(crate) const FIRST_CONFLICT_BACKOFF: Duration = Duration::from_secs(1);
pub(crate) const MAX_CONFLICT_BACKOFF: Duration = Duration::from_secs(15);
/// InvalidEventDataStoreStatusException right after a read means someone else moved the store;
/// looking again a few times settles that race, more means the status is really wrong.
const MAX_STATUS_REFUSALS: u32 = 3;

/// What the status machine makes of a store that is gone (not found, or pending deletion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfGone {
    /// Create and update: the store must exist to ingest.
    Fail,
    /// Destroy with stop_on_destroy: a deleted store ingests nothing, it counts as stopped.
    Stopped,
}

/// Where to take a store, and how.
pub struct Goal<'a> {
    pub store: &'a StoreRef,
    /// Started (`true`) or stopped.
    pub ingesting: bool,
    pub timeout: Duration,
    /// The plan's read of the store, if it made one.
    pub hint: Option<PlanSeen>,
    pub if_gone: IfGone,
    /// The attribute every diagnostic points at.
    pub path: AttributePath,
    /// `false`: done once CloudTrail accepted the Start or Stop (or the store is already on its
    /// way), without waiting for it to settle.
    pub wait: bool,
    /// Where each status read and each accepted call is reported, if anywhere (an action's
    /// progress events).
    pub progress: Option<Progress>,
}

impl Goal<'_> {
    fn report(&self, message: String) {
        if let Some(p) = &self.progress {
            p.report(message);
        }
    }
}

pub struct Outcome {
    pub last_seen: Option<StoreInfo>,
    /// Set when `IfGone::Stopped` took a deleted store as stopped: why it counts as gone.
    pub gone: Option<&'static str>,
    pub error: Option<Diagnostic>,
}

/// What the status machine learned, kept outside it so a timeout or a cancellation, which drop
/// it mid-flight, can still report the last status seen and the last refusal.
#[derive(Default)]
struct Learned {
    last_seen: Option<StoreInfo>,
    /// The last ConflictException, while the store keeps refusing.
    conflict: Option<AwsError>,
    conflicts: u32,
    gone: Option<&'static str>,
}

enum End {
    Done(Result<(), Diagnostic>),
    Cancelled,
    TimedOut,
}

/// Drives the store to ENABLED or STOPPED_INGESTION and waits for it, within the goal's timeout,
/// until StopProvider cancels it: every AWS call and every pause is abandoned at once.
pub async fn converge(ctx: &Ctx, goal: Goal<'_>) -> Outcome {
    let api = match ctx
        .aws()
        .and_then(|aws| aws.store(goal.store, Some(goal.path.clone())))
    {
        Ok(api) => api,
        Err(d) => {
            return Outcome {
                last_seen: None,
                gone: None,
                error: Some(d.at(goal.path)),
            };
        }
    };
    let mut progress = Learned::default();
    let end = tokio::select! {
        r = drive(&api, &goal, &mut progress) => End::Done(r),
        () = ctx.cancel.cancelled() => End::Cancelled,
        () = tokio::time::sleep(goal.timeout) => End::TimedOut,
    };
    let error = match end {
        End::Done(r) => r.err(),
        End::Cancelled => Some(interrupted(&goal, &progress)),
        End::TimedOut => Some(timed_out(&goal, &progress)),
    };
    Outcome {
        last_seen: progress.last_seen,
        gone: progress.gone,
        error,
    }
}

/// The status machine: read, then by status call Start/Stop once or wait; read again at once
/// after a call (the store often settles within it), else back off to a few seconds.
async fn drive(api: &Store<'_>, goal: &Goal<'_>, progress: &mut Learned) -> Result<(), Diagnostic> {
    let want = goal.ingesting;
    let target = Status::settled(want);
    let opposite = Status::settled(!want);
    let mut poll = FIRST_POLL_INTERVAL;
    let mut conflict_backoff = FIRST_CONFLICT_BACKOFF;
    let mut status_refusals = 0;
    // Once CloudTrail accepted the call, a read that still shows the old status is a read that
    // lags behind: wait for it rather than call again.
    let mut requested = false;
    // The plan just read the store and saw it needs the call: make it without reading again.
    // Any refusal (a stale hint, a busy store) falls through to the loop, which reads first.
    if let Some(seen) = goal.hint.as_ref().filter(|h| h.status() == opposite) {
        match api.set_ingestion(want, &seen.arn).await {
            Ok(()) => {
                requested = true;
                goal.report(accepted(api, want));
                if !goal.wait {
                    return Ok(());
                }
            }
            Err(e) if e.kind == ErrorKind::Service => {
                tracing::debug!(store = %api.store.raw, code = e.code.as_deref().unwrap_or(""), "call from the plan's hint refused; reading the store");
            }
            Err(e) => return Err(e.diagnostic),
        }
    }
    loop {
        let info = match api.get().await {
            Ok(Lookup::Found(info)) => info,
            Ok(Lookup::Gone(gone)) if goal.if_gone == IfGone::Stopped => {
                progress.gone = Some(match gone {
                    Gone::NotFound(_) => "not found",
                    Gone::PendingDeletion(_) => "PENDING_DELETION",
                });
                return Ok(());
            }
            Ok(Lookup::Gone(Gone::NotFound(d))) => return Err(d),
            Ok(Lookup::Gone(Gone::PendingDeletion(_))) => {
                return Err(unusable_status(goal, &Status::PendingDeletion));
            }
            Err(e) => return Err(e.diagnostic),
        };
        // What the plan would have refused (plan_checks = "error") the apply refuses too, even
        // for a store already at the target: this resource cannot keep such a store's ingestion.
        if goal.if_gone == IfGone::Fail
            && let Some(d) = unusable_category(&info, &goal.path)
        {
            return Err(d);
        }
        let status = info.status.clone();
        let arn = info.arn.clone();
        if progress
            .last_seen
            .as_ref()
            .is_none_or(|seen| seen.status != status)
        {
            goal.report(format!("{} is {status}", api.store.raw));
        }
        progress.last_seen = Some(info);
        tracing::debug!(store = %api.store.raw, status = %status, target = %target, "event data store status");
        if status == target || (!goal.wait && status == Status::moving(want)) {
            return Ok(());
        }
        if status == opposite {
            if !requested {
                match api.set_ingestion(want, &arn).await {
                    Ok(()) => {
                        requested = true;
                        goal.report(accepted(api, want));
                        if !goal.wait {
                            return Ok(());
                        }
                        progress.conflict = None;
                        poll = FIRST_POLL_INTERVAL;
                        continue;
                    }
                    Err(e) if e.is("ConflictException") => {
                        progress.conflicts += 1;
                        progress.conflict = Some(e);
                        tracing::debug!(store = %api.store.raw, wait_ms = conflict_backoff.as_millis() as u64, "store busy (ConflictException); retrying");
                        tokio::time::sleep(conflict_backoff).await;
                        conflict_backoff = (conflict_backoff * 2).min(MAX_CONFLICT_BACKOFF);
                        continue;
                    }
                    Err(e)
                        if e.is("InvalidEventDataStoreStatusException")
                            && status_refusals < MAX_STATUS_REFUSALS =>
                    {
                        status_refusals += 1;
                    }
                    // Deleted between the read and the call.
                    Err(e)
                        if e.is("EventDataStoreNotFoundException")
                            && goal.if_gone == IfGone::Stopped =>
                    {
                        progress.gone = Some("not found");
                        return Ok(());
                    }
                    Err(e) => return Err(e.diagnostic),
                }
            }
        } else if status != Status::moving(true) && status != Status::moving(false) {
            return Err(unusable_status(goal, &status));
        }
        tokio::time::sleep(poll).await;
        poll = (poll * 2).min(MAX_POLL_INTERVAL);
    }
}

fn accepted(api: &Store<'_>, want: bool) -> String {
    format!(
        "CloudTrail accepted {} for {}",
        if want {
            "StartEventDataStoreIngestion"
        } else {
            "StopEventDataStoreIngestion"
        },
        api.store.raw
    )
}

fn last_status(progress: &Learned) -> &str {
    progress
        .last_seen
        .as_ref()
        .map_or("not read yet", |i| i.status.as_str())
}

fn interrupted(goal: &Goal<'_>, progress: &Learned) -> Diagnostic {
    Diagnostic::error(
        "Interrupted",
        format!(
            "Terraform asked the provider to stop while {} was on its way to {} (last seen {}). \
             The state records the last status seen; run apply again to finish.",
            goal.store.raw,
            Status::settled(goal.ingesting),
            last_status(progress)
        ),
    )
    .at(goal.path.clone())
}

fn timed_out(goal: &Goal<'_>, progress: &Learned) -> Diagnostic {
    let secs = goal.timeout.as_secs_f64();
    if let Some(conflict) = &progress.conflict {
        return Diagnostic::error(
            "The event data store stayed busy",
            format!(
                "{} was still refusing to {} ingestion after {secs}s: CloudTrail answered \
                 ConflictException {} times (another change to the store is in progress), retried \
                 with backoff until the timeout. Run apply again later, or raise timeouts.\n\
                 Last answer: {}",
                goal.store.raw,
                if goal.ingesting { "start" } else { "stop" },
                progress.conflicts,
                conflict.diagnostic.detail
            ),
        )
        .at(goal.path.clone());
    }
    let where_it_is = match &progress.last_seen {
        Some(info) => format!("is still {}", info.status),
        None => "did not answer a single status read".to_owned(),
    };
    Diagnostic::error(
        "Timed out waiting for the event data store",
        format!(
            "{} {where_it_is} after {secs}s; it was asked to become {}. Run apply again to keep \
             waiting, or raise timeouts.",
            goal.store.raw,
            Status::settled(goal.ingesting)
        ),
    )
    .at(goal.path.clone())
}

/// A store in a status from which ingestion cannot be started or stopped.
fn unusable_status(goal: &Goal<'_>, status: &Status) -> Diagnostic {
    unusable_status_at(goal.store, status, goal.ingesting, goal.path.clone())
}

pub fn unusable_status_at(
    store: &StoreRef,
    status: &Status,
    ingesting: bool,
    path: AttributePath,
) -> Diagnostic {
    let meaning = match status {
        Status::Created => {
            "CREATED: the store is still being created and cannot start or stop ingestion yet. \
             Wait until CloudTrail reports ENABLED or STOPPED_INGESTION, then apply again."
        }
        Status::PendingDeletion => {
            "PENDING_DELETION: the store has been deleted and only a restore \
             (RestoreEventDataStore) can bring it back. Restore it, or remove this resource."
        }
        _ => {
            "a status this provider does not know. Check the store in the CloudTrail console and \
             apply again once it is ENABLED or STOPPED_INGESTION."
        }
    };
    Diagnostic::error(
        format!(
            "Cannot {} ingestion of the event data store",
            if ingesting { "start" } else { "stop" }
        ),
        format!("{} is {meaning}", store.raw),
    )
    .at(path)
}

/// A store of a category whose ingestion CloudTrail cannot start or stop (integration and
/// Insights stores), as the error apply reports and a plan reports before it.
pub fn unusable_category(info: &StoreInfo, path: &AttributePath) -> Option<Diagnostic> {
    let bad = info.unstartable_categories();
    if bad.is_empty() {
        return None;
    }
    Some(
        Diagnostic::error(
            "This event data store's ingestion cannot be started or stopped",
            format!(
                "{} collects {} events; CloudTrail starts and stops ingestion only for stores of \
                 {} events (integration and Insights stores have no ingestion to switch). Remove \
                 this resource for this store.",
                info.arn,
                bad.join(", "),
                STARTABLE_CATEGORIES.join(", ")
            ),
        )
        .at(path.clone()),
    )
}

#[cfg(test)]
mod tests {
    //! The machine's transitions, one store at a time, against mocked CloudTrail answers (paused
    //! time: its backoffs and polls cost nothing).
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Arc;

    use aws_sdk_cloudtrail::Client;
    use aws_sdk_cloudtrail::config::retry::RetryConfig;
    use aws_sdk_cloudtrail::operation::get_event_data_store::GetEventDataStoreOutput;
    use aws_sdk_cloudtrail::operation::start_event_data_store_ingestion::StartEventDataStoreIngestionOutput;
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, EventDataStoreStatus,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::aws::AwsClients;
    use crate::diagnostics::attr_path;

    const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/machine";

    fn store(status: &str) -> GetEventDataStoreOutput {
        let selector = AdvancedEventSelector::builder()
            .name("management")
            .field_selectors(
                AdvancedFieldSelector::builder()
                    .field("eventCategory")
                    .equals("Management")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        GetEventDataStoreOutput::builder()
            .event_data_store_arn(ARN)
            .name("machine")
            .status(EventDataStoreStatus::from(status))
            .advanced_event_selectors(selector)
            .build()
    }

    /// GetEventDataStore answers these statuses in turn, then the last one for ever.
    fn reads(statuses: &[&'static str]) -> Rule {
        let (&last, first) = statuses.split_last().unwrap();
        let mut seq = mock!(Client::get_event_data_store).sequence();
        for &s in first {
            seq = seq.output(move || store(s));
        }
        seq.output(move || store(last)).repeatedly().build()
    }

    fn start_ok() -> Rule {
        mock!(Client::start_event_data_store_ingestion)
            .then_output(|| StartEventDataStoreIngestionOutput::builder().build())
    }

    /// CloudTrail's ConflictException once, then the call is taken.
    fn start_busy_once() -> Rule {
        mock!(Client::start_event_data_store_ingestion)
            .sequence()
            .http_response(|| {
                let mut r = Response::new(
                    StatusCode::try_from(400).unwrap(),
                    SdkBody::from(r#"{"__type":"ConflictException","message":"busy"}"#),
                );
                r.headers_mut()
                    .insert("content-type", "application/x-amz-json-1.1");
                r
            })
            .output(|| StartEventDataStoreIngestionOutput::builder().build())
            .build()
    }

    fn ctx(rules: &[&Rule]) -> Ctx {
        let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, rules, |b| b
            .retry_config(RetryConfig::disabled()));
        let clients =
            AwsClients::from_conf(client.config().clone()).with_pacing_interval(Duration::ZERO);
        Ctx {
            aws: Some(Arc::new(clients)),
            cancel: CancellationToken::new(),
        }
    }

    fn goal(store: &StoreRef, ingesting: bool, if_gone: IfGone) -> Goal<'_> {
        Goal {
            store,
            ingesting,
            timeout: Duration::from_secs(600),
            hint: None,
            if_gone,
            path: attr_path(&["event_data_store"]),
            wait: true,
            progress: None,
        }
    }

    fn store_ref() -> StoreRef {
        StoreRef::parse(ARN).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopped_store_is_started_once_and_waited_for() {
        let get = reads(&["STOPPED_INGESTION", "STARTING_INGESTION", "ENABLED"]);
        let start = start_ok();
        let r = store_ref();
        let out = converge(&ctx(&[&get, &start]), goal(&r, true, IfGone::Fail)).await;
        assert!(out.error.is_none(), "{:?}", out.error);
        assert_eq!(start.num_calls(), 1);
        assert_eq!(get.num_calls(), 3);
        assert_eq!(out.last_seen.unwrap().status, Status::settled(true));
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_already_there_gets_no_call() {
        let get = reads(&["ENABLED"]);
        let start = start_ok();
        let r = store_ref();
        let out = converge(&ctx(&[&get, &start]), goal(&r, true, IfGone::Fail)).await;
        assert!(out.error.is_none());
        assert_eq!(start.num_calls(), 0);
        assert_eq!(get.num_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn without_wait_it_ends_when_cloudtrail_takes_the_call() {
        let get = reads(&["STOPPED_INGESTION"]);
        let start = start_ok();
        let r = store_ref();
        let mut g = goal(&r, true, IfGone::Fail);
        g.wait = false;
        let out = converge(&ctx(&[&get, &start]), g).await;
        assert!(out.error.is_none());
        assert_eq!((get.num_calls(), start.num_calls()), (1, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_plans_read_saves_the_first_one() {
        let get = reads(&["STARTING_INGESTION", "ENABLED"]);
        let start = start_ok();
        let r = store_ref();
        let mut g = goal(&r, true, IfGone::Fail);
        let info = StoreInfo {
            arn: ARN.into(),
            name: "machine".into(),
            status: Status::parse("STOPPED_INGESTION"),
            event_categories: vec!["Management".into()],
            multi_region_enabled: true,
            organization_enabled: false,
            retention_period: None,
            termination_protection_enabled: false,
        };
        g.hint = PlanSeen::decode(&PlanSeen::encode(&info));
        assert!(g.hint.is_some());
        let out = converge(&ctx(&[&get, &start]), g).await;
        assert!(out.error.is_none(), "{:?}", out.error);
        // The call first, then reads only until it settled.
        assert_eq!((start.num_calls(), get.num_calls()), (1, 2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_store_is_asked_again_after_a_backoff() {
        let get = reads(&["STOPPED_INGESTION", "STOPPED_INGESTION", "ENABLED"]);
        let start = start_busy_once();
        let r = store_ref();
        let began = tokio::time::Instant::now();
        let out = converge(&ctx(&[&get, &start]), goal(&r, true, IfGone::Fail)).await;
        assert!(out.error.is_none(), "{:?}", out.error);
        assert_eq!(start.num_calls(), 2);
        assert!(began.elapsed() >= FIRST_CONFLICT_BACKOFF);
    }

    #[tokio::test(start_paused = true)]
    async fn a_deleted_store_is_stopped_for_a_destroy_and_an_error_otherwise() {
        let r = store_ref();
        let get = reads(&["PENDING_DELETION"]);
        let out = converge(&ctx(&[&get]), goal(&r, false, IfGone::Stopped)).await;
        assert!(out.error.is_none());
        assert_eq!(out.gone, Some("PENDING_DELETION"));

        let get = reads(&["PENDING_DELETION"]);
        let out = converge(&ctx(&[&get]), goal(&r, true, IfGone::Fail)).await;
        let error = out.error.expect("an error");
        assert!(
            error.detail.contains("PENDING_DELETION"),
            "{}",
            error.detail
        );
        assert_eq!(error.path, Some(attr_path(&["event_data_store"])));
    }

    #[tokio::test(start_paused = true)]
    async fn a_store_that_never_settles_times_out_with_its_last_status() {
        let get = reads(&["STARTING_INGESTION"]);
        let r = store_ref();
        let mut g = goal(&r, true, IfGone::Fail);
        g.timeout = Duration::from_secs(30);
        let out = converge(&ctx(&[&get]), g).await;
        let error = out.error.expect("an error");
        assert_eq!(error.summary, "Timed out waiting for the event data store");
        assert!(
            error.detail.contains("STARTING_INGESTION"),
            "{}",
            error.detail
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stop_provider_interrupts_the_wait() {
        let get = reads(&["STARTING_INGESTION"]);
        let r = store_ref();
        let ctx = ctx(&[&get]);
        ctx.cancel.cancel();
        let out = converge(&ctx, goal(&r, true, IfGone::Fail)).await;
        assert_eq!(out.error.expect("an error").summary, "Interrupted");
    }
}
