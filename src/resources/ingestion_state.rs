//! `cloudtrail_ingestion_state`: keeps an event data store's ingestion started (or stopped).
//! Reads top to bottom: schema, validation, plan, apply (the status machine and its wait), read,
//! import.

use std::time::Duration;

use crate::aws::arn::StoreRef;
use crate::aws::errors::{AwsError, ErrorKind};
use crate::aws::store::{Gone, Lookup, STARTABLE_CATEGORIES, Store, StoreInfo};
use crate::aws::{AwsClients, PlanChecks};
use crate::cty::Value;
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, Severity, attr_path};
use crate::resources::{
    ApplyRequest, Ctx, PlanRequest, PlanResponse, Resource, StateResponse, object,
    validate_store_ref,
};
use crate::schema::{Attribute, Block, Nesting, Schema};
use crate::timeouts::parse_duration;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// A refresh is one GetEventDataStore (with the SDK's retries): minutes, not the 10 of a wait.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(2 * 60);
/// The longest pause between two status polls: short enough to notice ENABLED quickly.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(3);
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(200);
/// ConflictException means another change to the store is under way: back off from 1 s to 15 s.
const FIRST_CONFLICT_BACKOFF: Duration = Duration::from_secs(1);
const MAX_CONFLICT_BACKOFF: Duration = Duration::from_secs(15);
/// InvalidEventDataStoreStatusException right after a read means someone else moved the store;
/// looking again a few times settles that race, more means the status is really wrong.
const MAX_STATUS_REFUSALS: u32 = 3;

const STOP_ON_DESTROY_DESCRIPTION: &str = "When `true`, destroying this resource stops ingestion. \
Defaults to `false`: destroy leaves ingestion as it is. A store deleted outside Terraform (pending \
deletion, or gone) ingests nothing and counts as stopped: its destroy succeeds and says so in the \
log. With `create_before_destroy`, a replacement for the same store (`-replace`, a taint) starts \
the store before the old object is destroyed; that destroy then leaves ingestion started, with a \
warning, rather than stop what its replacement has just started.";

fn store_path() -> AttributePath {
    attr_path(&["event_data_store"])
}

pub struct IngestionState;

impl Resource for IngestionState {
    const TYPE_NAME: &'static str = "cloudtrail_ingestion_state";

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("Keeps ingestion of a CloudTrail Lake event data store started (the default) or stopped. Create and update call `StartEventDataStoreIngestion` or `StopEventDataStoreIngestion` and wait for the store to settle; destroy leaves ingestion as it is unless `stop_on_destroy` is set. Ingestion stopped or started outside Terraform shows as a change in the next plan.")
                .attribute(Attribute::string("event_data_store").required().description("ARN of the event data store, or the ID at the end of its ARN. 3 to 256 characters of letters, digits, `.`, `_`, `/`, `-` and `:`. Changing it to another store replaces the resource; switching between the ARN and the ID of the same store does not."))
                .attribute(Attribute::bool("ingestion_enabled").optional().computed().description("`true` (default) keeps ingestion started; `false` keeps it stopped. Refreshed from the store's status, so a change made outside Terraform is detected."))
                .attribute(Attribute::bool("stop_on_destroy").optional().computed().description(STOP_ON_DESTROY_DESCRIPTION))
                .attribute(Attribute::string("id").computed().description("The event data store's full ARN."))
                .attribute(Attribute::string("arn").computed().description("The event data store's full ARN."))
                .attribute(Attribute::string("name").computed().description("The event data store's name."))
                .attribute(Attribute::string("status").computed().description("The store's status after the last apply or refresh: `ENABLED`, `STARTING_INGESTION`, `STOPPING_INGESTION`, `STOPPED_INGESTION`, `CREATED` or `PENDING_DELETION`."))
                .block(
                    "timeouts",
                    Nesting::Single,
                    Block::new("How long to wait for the store to settle.")
                        .attribute(Attribute::string("create").optional().description("Duration such as `10m` (default `10m`)."))
                        .attribute(Attribute::string("update").optional().description("Duration such as `10m` (default `10m`)."))
                        .attribute(Attribute::string("delete").optional().description("Duration such as `10m` (default `10m`); used only with `stop_on_destroy`."))
                        .attribute(Attribute::string("read").optional().description("Duration such as `2m` (default `2m`): how long a refresh waits for CloudTrail to answer.")),
                ),
        )
    }

    fn validate(config: &Value) -> Diagnostics {
        let mut diags = validate_store_ref(config, "event_data_store");
        if let Some(timeouts) = config.get("timeouts") {
            for op in ["create", "update", "delete", "read"] {
                if let Some(text) = timeouts.get(op).and_then(Value::as_str)
                    && let Err(err) = parse_duration(text)
                {
                    diags.push(
                        Diagnostic::error(
                            format!("Invalid timeouts.{op}"),
                            format!("timeouts.{op}: {err}"),
                        )
                        .at(attr_path(&["timeouts", op])),
                    );
                }
            }
        }
        diags
    }

    async fn plan(&self, ctx: &Ctx, req: PlanRequest) -> PlanResponse {
        let mut resp = PlanResponse {
            diagnostics: Self::validate(&req.config),
            ..PlanResponse::default()
        };
        let Value::Object(mut planned) = req.proposed_new_state else {
            // Destroy: nothing to plan.
            return resp;
        };
        let config_bool = |name: &str, default: bool| match req.config.get(name) {
            Some(Value::Bool(b)) => Value::Bool(*b),
            Some(Value::Unknown) => Value::Unknown,
            _ => Value::Bool(default),
        };
        planned.insert(
            "ingestion_enabled".into(),
            config_bool("ingestion_enabled", true),
        );
        planned.insert(
            "stop_on_destroy".into(),
            config_bool("stop_on_destroy", false),
        );

        let computed = ["id", "arn", "name", "status"];
        let new_ref = store_ref(planned.get("event_data_store"));
        let ingestion_changes =
            planned.get("ingestion_enabled") != req.prior_state.get("ingestion_enabled");
        // A known store is read at plan on create, or when the store or ingestion_enabled
        // changes, so a missing or unusable store fails the plan rather than the apply halfway
        // through; a plan without changes (the common case with many resources) makes no call.
        let mut check_store = req.prior_state.is_null() || ingestion_changes;
        if req.prior_state.is_null() {
            for attr in computed {
                planned.insert(attr.into(), Value::Unknown);
            }
        } else {
            let prior_ref = store_ref(req.prior_state.get("event_data_store"));
            let same_store =
                matches!((&prior_ref, &new_ref), (Some(a), Some(b)) if a.same_store(b));
            if !same_store {
                check_store = true;
                resp.requires_replace.push(store_path());
                for attr in computed {
                    planned.insert(attr.into(), Value::Unknown);
                }
            } else {
                for attr in computed {
                    let prior = req.prior_state.get(attr).cloned().unwrap_or(Value::Null);
                    planned.insert(attr.into(), prior);
                }
                if ingestion_changes {
                    planned.insert("status".into(), Value::Unknown);
                }
            }
        }
        resp.planned_state = Value::Object(planned);
        if let (true, Some(store), Some(aws)) = (check_store, &new_ref, ctx.aws.as_deref())
            && !resp.diagnostics.has_errors()
            && aws.plan_checks() != PlanChecks::Off
        {
            let want = resp
                .planned_state
                .get("ingestion_enabled")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let (diags, seen) = check_at_plan(ctx, aws, store, want).await;
            resp.diagnostics.extend(diags);
            if let Some(info) = seen {
                resp.planned_private = PlanSeen::encode(&info);
            }
        }
        resp
    }

    async fn apply(&self, ctx: &Ctx, req: ApplyRequest) -> StateResponse {
        if req.planned_state.is_null() {
            return self.destroy(ctx, req.prior_state).await;
        }
        let mut resp = StateResponse {
            diagnostics: Self::validate(&req.config),
            ..StateResponse::default()
        };
        if resp.diagnostics.has_errors() {
            return resp;
        }
        let Some(store) = store_ref(req.config.get("event_data_store")) else {
            resp.diagnostics.push(
                Diagnostic::error("Missing event_data_store", "event_data_store must be set.")
                    .at(store_path()),
            );
            return resp;
        };
        let want = req
            .planned_state
            .get("ingestion_enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let op = if req.prior_state.is_null() {
            "create"
        } else {
            "update"
        };
        let timeout = timeout_of(&req.config, op);
        let hint = PlanSeen::decode(&req.planned_private);
        // The plan of this apply (Terraform plans each resource again right before applying it,
        // in this process) saw this very store already where it should be: nothing to call.
        if let Some(seen) = hint.as_ref().filter(|h| {
            h.settled_at(target_status(want))
                && StoreRef::parse(&h.arn).is_ok_and(|seen| seen.same_store(&store))
        }) {
            let mut state = req.planned_state.clone();
            seen.fill(&mut state);
            if state.is_known() {
                note_applied(ctx, &seen.arn, want);
                resp.state = state;
                return resp;
            }
        }
        let mut outcome = converge(ctx, &store, want, timeout, hint, IfGone::Fail).await;
        let mut state = req.planned_state.clone();
        match outcome.last_seen.take() {
            Some(info) => {
                if outcome.error.is_none() {
                    note_applied(ctx, &info.arn, want);
                }
                fill_from_store(&mut state, &info, None);
            }
            // Nothing was learned about the store: keep what was there before.
            None if outcome.error.is_some() => state = req.prior_state.clone(),
            None => {}
        }
        if let Some(err) = outcome.error {
            resp.diagnostics.push(err);
            // What really happened is recorded; unknowns cannot be stored.
            if !state.is_known() {
                state = req.prior_state;
            }
        }
        resp.state = state;
        resp
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> StateResponse {
        let mut resp = StateResponse::default();
        let Some(store) = store_ref(state.get("event_data_store")) else {
            resp.diagnostics.push(Diagnostic::error(
                "Invalid state",
                "The stored event_data_store is not a valid event data store ARN or ID; remove the resource from state and import it again.",
            ));
            resp.state = state;
            return resp;
        };
        let lookup = match ctx
            .aws()
            .and_then(|aws| aws.store(&store, Some(store_path())))
        {
            // A refresh is bounded and interruptible like an apply's wait: a hung endpoint must
            // neither stall the plan forever nor outlive Ctrl-C (StopProvider).
            Ok(api) => {
                let limit = timeout_of(&state, "read");
                tokio::select! {
                    r = api.get() => r.map_err(|e| e.diagnostic),
                    () = ctx.cancel.cancelled() => Err(Diagnostic::error(
                        "Interrupted",
                        format!("Stopped while reading {}; the state is kept as it was.", store.raw),
                    )
                    .at(store_path())),
                    () = tokio::time::sleep(limit) => Err(Diagnostic::error(
                        "CloudTrail did not answer in time",
                        format!(
                            "GetEventDataStore for {} did not answer within {}s (timeouts.read). The state is kept as it was; check the endpoint and the network, or raise timeouts.read.",
                            store.raw,
                            limit.as_secs()
                        ),
                    )
                    .at(store_path())),
                }
            }
            Err(d) => Err(d.at(store_path())),
        };
        match lookup {
            Ok(Lookup::Found(info)) => {
                let mut new = state;
                fill_from_store(&mut new, &info, Some(info.ingestion_enabled()));
                if let Value::Object(attrs) = &mut new {
                    // Imported objects carry no flags yet; the defaults keep the next plan empty.
                    if attrs.get("stop_on_destroy").is_none_or(Value::is_null) {
                        attrs.insert("stop_on_destroy".into(), Value::Bool(false));
                    }
                }
                resp.state = new;
            }
            Ok(Lookup::Gone(_)) => {
                tracing::info!(store = %store.raw, "event data store is gone; removing it from state");
                resp.state = Value::Null;
            }
            Err(d) => {
                resp.diagnostics.push(d);
                resp.state = state;
            }
        }
        resp
    }

    fn import(&self, _ctx: &Ctx, id: &str) -> StateResponse {
        let mut resp = StateResponse::default();
        if let Err(err) = StoreRef::parse(id) {
            resp.diagnostics.push(Diagnostic::error(
                "Invalid import ID",
                format!("The import ID must be an event data store ARN or ID: {err}"),
            ));
            return resp;
        }
        resp.state = object([
            ("event_data_store", Value::string(id)),
            ("ingestion_enabled", Value::Null),
            ("stop_on_destroy", Value::Bool(false)),
            ("id", Value::string(id)),
            ("arn", Value::Null),
            ("name", Value::Null),
            ("status", Value::Null),
            ("timeouts", Value::Null),
        ]);
        resp
    }
}

impl IngestionState {
    async fn destroy(&self, ctx: &Ctx, prior: Value) -> StateResponse {
        let mut resp = StateResponse::default();
        if prior.get("stop_on_destroy").and_then(Value::as_bool) != Some(true) {
            return resp;
        }
        let Some(store) = store_ref(prior.get("event_data_store")) else {
            return resp;
        };
        let arn = prior
            .get("arn")
            .and_then(Value::as_str)
            .unwrap_or(&store.raw);
        if ctx.aws.as_deref().is_some_and(|aws| aws.started_here(arn)) {
            // create_before_destroy: the replacement of this very object started the store a
            // moment ago, in this apply; stopping it now would undo that and leave drift.
            tracing::warn!(store = %store.raw, "not stopping ingestion on destroy: another cloudtrail_ingestion_state started this store in this apply (a create_before_destroy replacement)");
            resp.diagnostics.push(
                Diagnostic::warning(
                    "Ingestion left started on destroy",
                    format!(
                        "stop_on_destroy is set, but {} was started by another \
                         cloudtrail_ingestion_state in this same apply: the replacement of this \
                         resource, created before this object was destroyed \
                         (create_before_destroy). Stopping it would undo that, so ingestion is \
                         left started.",
                        store.raw
                    ),
                )
                .at(store_path()),
            );
            return resp;
        }
        let outcome = converge(
            ctx,
            &store,
            false,
            timeout_of(&prior, "delete"),
            None,
            IfGone::Stopped,
        )
        .await;
        if let Some(gone) = &outcome.gone {
            // A deleted store ingests nothing: it is as stopped as it will ever be.
            tracing::warn!(store = %store.raw, gone = %gone, "event data store is gone; nothing to stop on destroy");
        }
        if let Some(err) = outcome.error {
            resp.diagnostics.push(err);
            // The object stays in state so that destroy can be tried again.
            resp.state = prior;
        }
        resp
    }
}

/// Remembers, for this process, what an apply drove `arn` to (see `AwsClients::started_here`).
fn note_applied(ctx: &Ctx, arn: &str, ingesting: bool) {
    if let Some(aws) = ctx.aws.as_deref() {
        aws.note_applied(arn, ingesting);
    }
}

/// The store an `event_data_store` value names, if it is a valid reference (validation reports
/// the invalid ones).
fn store_ref(value: Option<&Value>) -> Option<StoreRef> {
    value
        .and_then(Value::as_str)
        .and_then(|s| StoreRef::parse(s).ok())
}

fn timeout_of(config: &Value, op: &str) -> Duration {
    config
        .get("timeouts")
        .and_then(|t| t.get(op))
        .and_then(Value::as_str)
        .and_then(|s| parse_duration(s).ok())
        .unwrap_or(if op == "read" {
            DEFAULT_READ_TIMEOUT
        } else {
            DEFAULT_TIMEOUT
        })
}

fn fill_from_store(state: &mut Value, info: &StoreInfo, ingestion: Option<bool>) {
    if let Value::Object(attrs) = state {
        attrs.insert("id".into(), Value::string(&info.arn));
        attrs.insert("arn".into(), Value::string(&info.arn));
        attrs.insert("name".into(), Value::string(&info.name));
        attrs.insert("status".into(), Value::string(&info.status));
        if let Some(enabled) = ingestion {
            attrs.insert("ingestion_enabled".into(), Value::Bool(enabled));
        }
    }
}

/// What a plan-time read of the store says: errors for what apply would surely fail on (no such
/// store, deleted, a category that cannot start or stop), a warning when AWS could not be asked.
/// Also returns the store as seen, for the apply of this plan.
async fn check_at_plan(
    ctx: &Ctx,
    aws: &AwsClients,
    store: &StoreRef,
    want: bool,
) -> (Diagnostics, Option<StoreInfo>) {
    let mut diags = Diagnostics::new();
    let mut seen = None;
    if !aws.plan_checks_enabled() {
        return (diags, seen);
    }
    let lookup = match aws.store(store, Some(store_path())) {
        Ok(api) => {
            tokio::select! {
                r = api.check() => r,
                () = ctx.cancel.cancelled() => return (diags, seen),
            }
        }
        Err(d) => Err(AwsError {
            code: None,
            kind: ErrorKind::Access,
            diagnostic: d,
        }),
    };
    match lookup {
        Ok(Lookup::Found(info)) => match unusable_category(&info) {
            None => seen = Some(info),
            Some(d) => diags.push(d),
        },
        Ok(Lookup::Gone(Gone::NotFound(d))) => diags.push(d),
        Ok(Lookup::Gone(Gone::PendingDeletion(_))) => {
            diags.push(unusable_status(store, "PENDING_DELETION", want));
        }
        Err(e) if e.kind == ErrorKind::Service => diags.push(e.diagnostic),
        Err(e) => {
            // Without credentials or network every other resource would wait for the same
            // failure: one warning is enough, the apply makes the call again and reports it.
            if e.kind == ErrorKind::Access || e.code.is_none() {
                aws.disable_plan_checks();
            }
            let d = e.diagnostic;
            diags.push(Diagnostic {
                severity: Severity::Warning,
                summary: format!("Could not check the event data store at plan time: {}", d.summary),
                detail: format!(
                    "{}\nThe plan goes on; the apply reads the store again and reports any failure.",
                    d.detail
                ),
                path: d.path,
            });
        }
    }
    if aws.plan_checks() == PlanChecks::Warn {
        // The refresh before a destroy drops a deleted store and plans to create it again; an
        // error here would stop that destroy. The apply reads again and fails on it for real.
        for d in &mut diags.0 {
            if d.severity == Severity::Error {
                d.severity = Severity::Warning;
                d.detail.push_str(
                    "\nThe plan goes on (plan_checks = \"warn\"); applying it will fail on this \
                     unless the store changes first. Set plan_checks = \"error\" in the provider \
                     block to fail the plan instead.",
                );
            }
        }
    }
    (diags, seen)
}

/// What the plan saw of the store, carried to the apply of that plan in `planned_private`.
/// Terraform plans each resource again in the apply walk, in the process that then applies it,
/// so the apply receives a read made moments before. Apply acts on it: a store that needs a
/// Start or Stop gets the call without another read (CloudTrail refuses a call a stale hint would
/// get wrong), and a store already at the target, seen within `HINT_FRESH_FOR`, gets no call.
/// That last case accepts one narrow race: ingestion switched outside Terraform in the moment
/// between that plan and the apply is recorded as it was read, and the next refresh shows it as
/// drift, as it would had the switch come a moment after the apply.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct PlanSeen {
    arn: String,
    #[serde(default)]
    name: String,
    status: String,
    /// When the plan read the store, in milliseconds since the Unix epoch (0: unknown).
    #[serde(default)]
    seen_at_ms: u64,
}

/// How old a plan's read may be for the apply to trust that the store is already settled. The
/// apply walk's plan and apply of one resource run back to back, well within a second; anything
/// older (a plan's private bytes replayed by some other client) is read again.
const HINT_FRESH_FOR: Duration = Duration::from_secs(5);

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl PlanSeen {
    fn encode(info: &StoreInfo) -> Vec<u8> {
        PlanSeen {
            arn: info.arn.clone(),
            name: info.name.clone(),
            status: info.status.clone(),
            seen_at_ms: now_ms(),
        }
        .to_bytes()
    }

    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Anything unreadable (another version's bytes, none at all) is simply no hint.
    fn decode(bytes: &[u8]) -> Option<PlanSeen> {
        serde_json::from_slice(bytes).ok()
    }

    /// The store was at `target` when read, recently enough to take as now. A clock that went
    /// backwards, or a read from the future, is not trusted either.
    fn settled_at(&self, target: &str) -> bool {
        self.settled_at_time(target, now_ms())
    }

    fn settled_at_time(&self, target: &str, now_ms: u64) -> bool {
        let fresh_ms = u64::try_from(HINT_FRESH_FOR.as_millis()).unwrap_or(u64::MAX);
        self.status == target
            && !self.name.is_empty()
            && self.seen_at_ms != 0
            && now_ms >= self.seen_at_ms
            && now_ms - self.seen_at_ms <= fresh_ms
    }

    fn fill(&self, state: &mut Value) {
        if let Value::Object(attrs) = state {
            for (attr, value) in [
                ("id", &self.arn),
                ("arn", &self.arn),
                ("name", &self.name),
                ("status", &self.status),
            ] {
                attrs.insert(attr.into(), Value::string(value));
            }
        }
    }
}

struct Outcome {
    last_seen: Option<StoreInfo>,
    /// Set when `IfGone::Stopped` took a deleted store as stopped: why it counts as gone.
    gone: Option<String>,
    error: Option<Diagnostic>,
}

/// What the status machine makes of a store that is gone (not found, or pending deletion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IfGone {
    /// Create and update: the store must exist to ingest.
    Fail,
    /// Destroy with stop_on_destroy: a deleted store ingests nothing, it counts as stopped.
    Stopped,
}

/// What the status machine learned, kept outside it so a timeout or a cancellation, which drop
/// it mid-flight, can still report the last status seen and the last refusal.
#[derive(Default)]
struct Progress {
    last_seen: Option<StoreInfo>,
    /// The last ConflictException, while the store keeps refusing.
    conflict: Option<AwsError>,
    conflicts: u32,
    gone: Option<String>,
}

/// Drives the store to ENABLED (`want`) or STOPPED_INGESTION (`!want`) and waits for it, within
/// `timeout`, until StopProvider cancels it: every AWS call and every pause is abandoned at once.
async fn converge(
    ctx: &Ctx,
    store: &StoreRef,
    want: bool,
    timeout: Duration,
    hint: Option<PlanSeen>,
    if_gone: IfGone,
) -> Outcome {
    let api = match ctx
        .aws()
        .and_then(|aws| aws.store(store, Some(store_path())))
    {
        Ok(api) => api,
        Err(d) => {
            return Outcome {
                last_seen: None,
                gone: None,
                error: Some(d.at(store_path())),
            };
        }
    };
    let mut progress = Progress::default();
    let end = tokio::select! {
        r = drive(&api, want, hint, if_gone, &mut progress) => End::Done(r),
        () = ctx.cancel.cancelled() => End::Cancelled,
        () = tokio::time::sleep(timeout) => End::TimedOut,
    };
    let error = match end {
        End::Done(r) => r.err(),
        End::Cancelled => Some(interrupted(store, want, &progress)),
        End::TimedOut => Some(timed_out(store, want, timeout, &progress)),
    };
    Outcome {
        last_seen: progress.last_seen,
        gone: progress.gone,
        error,
    }
}

enum End {
    Done(Result<(), Diagnostic>),
    Cancelled,
    TimedOut,
}

fn target_status(want: bool) -> &'static str {
    if want { "ENABLED" } else { "STOPPED_INGESTION" }
}

/// The status machine: read, then by status call Start/Stop once or wait; read again at once
/// after a call (the store often settles within it), else back off to a few seconds.
async fn drive(
    api: &Store<'_>,
    want: bool,
    hint: Option<PlanSeen>,
    if_gone: IfGone,
    progress: &mut Progress,
) -> Result<(), Diagnostic> {
    let target = target_status(want);
    let mut poll = FIRST_POLL_INTERVAL;
    let mut conflict_backoff = FIRST_CONFLICT_BACKOFF;
    let mut status_refusals = 0;
    // Once CloudTrail accepted the call, a read that still shows the old status is a read that
    // lags behind: wait for it rather than call again.
    let mut requested = false;
    // The plan just read the store and saw it needs the call: make it without reading again.
    // Any refusal (a stale hint, a busy store) falls through to the loop, which reads first.
    if let Some(seen) = hint.filter(|h| h.status == target_status(!want)) {
        match api.set_ingestion(want, &seen.arn).await {
            Ok(()) => requested = true,
            Err(e) if e.kind == ErrorKind::Service => {
                tracing::debug!(store = %api.store.raw, code = e.code.as_deref().unwrap_or(""), "call from the plan's hint refused; reading the store");
            }
            Err(e) => return Err(e.diagnostic),
        }
    }
    loop {
        let info = match api.get().await {
            Ok(Lookup::Found(info)) => info,
            Ok(Lookup::Gone(gone)) if if_gone == IfGone::Stopped => {
                progress.gone = Some(match gone {
                    Gone::NotFound(_) => "not found".to_owned(),
                    Gone::PendingDeletion(_) => "PENDING_DELETION".to_owned(),
                });
                return Ok(());
            }
            Ok(Lookup::Gone(Gone::NotFound(d))) => return Err(d),
            Ok(Lookup::Gone(Gone::PendingDeletion(_))) => {
                return Err(unusable_status(api.store, "PENDING_DELETION", want));
            }
            Err(e) => return Err(e.diagnostic),
        };
        // What the plan would have refused (plan_checks = "error") the apply refuses too, even
        // for a store already at the target: this resource cannot keep such a store's ingestion.
        if if_gone == IfGone::Fail
            && let Some(d) = unusable_category(&info)
        {
            return Err(d);
        }
        let status = info.status.clone();
        let arn = info.arn.clone();
        progress.last_seen = Some(info);
        tracing::debug!(store = %api.store.raw, status = %status, target, "event data store status");
        match (want, status.as_str()) {
            (_, s) if s == target => return Ok(()),
            (true, "STOPPED_INGESTION") | (false, "ENABLED") if !requested => {
                match api.set_ingestion(want, &arn).await {
                    Ok(()) => {
                        requested = true;
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
                            && if_gone == IfGone::Stopped =>
                    {
                        progress.gone = Some("not found".to_owned());
                        return Ok(());
                    }
                    Err(e) => return Err(e.diagnostic),
                }
            }
            (true, "STOPPED_INGESTION") | (false, "ENABLED") => {}
            (_, "STARTING_INGESTION" | "STOPPING_INGESTION") => {}
            (_, other) => return Err(unusable_status(api.store, other, want)),
        }
        tokio::time::sleep(poll).await;
        poll = (poll * 2).min(MAX_POLL_INTERVAL);
    }
}

fn last_status(progress: &Progress) -> &str {
    progress
        .last_seen
        .as_ref()
        .map_or("not read yet", |i| i.status.as_str())
}

fn interrupted(store: &StoreRef, want: bool, progress: &Progress) -> Diagnostic {
    Diagnostic::error(
        "Interrupted",
        format!(
            "Terraform asked the provider to stop while {} was on its way to {} (last seen {}). The state records the last status seen; run apply again to finish.",
            store.raw,
            target_status(want),
            last_status(progress)
        ),
    )
    .at(store_path())
}

fn timed_out(store: &StoreRef, want: bool, timeout: Duration, progress: &Progress) -> Diagnostic {
    let secs = timeout.as_secs_f64();
    if let Some(conflict) = &progress.conflict {
        return Diagnostic::error(
            "The event data store stayed busy",
            format!(
                "{} was still refusing to {} ingestion after {secs}s: CloudTrail answered ConflictException {} times (another change to the store is in progress), retried with backoff until the timeout. Run apply again later, or raise timeouts.\nLast answer: {}",
                store.raw,
                if want { "start" } else { "stop" },
                progress.conflicts,
                conflict.diagnostic.detail
            ),
        )
        .at(store_path());
    }
    let where_it_is = match &progress.last_seen {
        Some(info) => format!("is still {}", info.status),
        None => "did not answer a single status read".to_owned(),
    };
    Diagnostic::error(
        "Timed out waiting for the event data store",
        format!(
            "{} {where_it_is} after {secs}s; it was asked to become {}. Run apply again to keep waiting, or raise timeouts.",
            store.raw,
            target_status(want)
        ),
    )
    .at(store_path())
}

/// A store of a category whose ingestion CloudTrail cannot start or stop (integration and
/// Insights stores), as the error apply reports and a plan reports before it.
fn unusable_category(info: &StoreInfo) -> Option<Diagnostic> {
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
        .at(store_path()),
    )
}

fn unusable_status(store: &StoreRef, status: &str, want: bool) -> Diagnostic {
    let meaning = match status {
        "CREATED" => {
            "CREATED: the store is still being created and cannot start or stop ingestion yet. Wait until CloudTrail reports ENABLED or STOPPED_INGESTION, then apply again."
        }
        "PENDING_DELETION" => {
            "PENDING_DELETION: the store has been deleted and only a restore (RestoreEventDataStore) can bring it back. Restore it, or remove this resource."
        }
        _ => {
            "a status this provider does not know. Check the store in the CloudTrail console and apply again once it is ENABLED or STOPPED_INGESTION."
        }
    };
    Diagnostic::error(
        format!(
            "Cannot {} ingestion of the event data store",
            if want { "start" } else { "stop" }
        ),
        format!("{} is {meaning}", store.raw),
    )
    .at(store_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(status: &str, name: &str, at: u64) -> PlanSeen {
        PlanSeen {
            arn: "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/x".into(),
            name: name.into(),
            status: status.into(),
            seen_at_ms: at,
        }
    }

    #[test]
    fn a_fresh_read_at_the_target_is_trusted() {
        let now = 1_000_000_000;
        assert!(seen("ENABLED", "audit", now - 1_000).settled_at_time("ENABLED", now));
        assert!(seen("ENABLED", "audit", now - 5_000).settled_at_time("ENABLED", now));
    }

    #[test]
    fn an_old_future_undated_or_other_status_read_is_not() {
        let now = 1_000_000_000;
        assert!(!seen("ENABLED", "audit", now - 5_001).settled_at_time("ENABLED", now));
        assert!(!seen("ENABLED", "audit", now + 1).settled_at_time("ENABLED", now));
        assert!(!seen("ENABLED", "audit", 0).settled_at_time("ENABLED", now));
        assert!(!seen("STARTING_INGESTION", "audit", now).settled_at_time("ENABLED", now));
        assert!(!seen("ENABLED", "", now).settled_at_time("ENABLED", now));
    }

    #[test]
    fn hints_round_trip_and_older_ones_still_decode() {
        let s = seen("STOPPED_INGESTION", "audit", 42);
        assert_eq!(PlanSeen::decode(&s.to_bytes()), Some(s));
        // Bytes from the version before `name` and `seen_at_ms`: a hint, never a trusted one.
        let old = PlanSeen::decode(br#"{"arn":"a","status":"ENABLED"}"#).unwrap();
        assert!(!old.settled_at("ENABLED"));
        assert_eq!(PlanSeen::decode(b"\xff"), None);
    }
}
