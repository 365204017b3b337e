//! `cloudtrail_ingestion_state`: keeps an event data store's ingestion started (or stopped).
//! Reads top to bottom: model and schema (defaults, kept values and replacement are declared
//! there), plan (the plan-time read), apply and destroy (through the status machine), read,
//! import.

use std::time::Duration;

use crate::aws::arn::StoreRef;
use crate::aws::errors::{AwsError, ErrorKind};
use crate::aws::status::Status;
use crate::aws::store::{Gone, Lookup, StoreInfo};
use crate::aws::{AwsClients, PlanChecks};
use crate::cty::Value;
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, Severity, attr_path};
use crate::resources::model::{Model, model};
use crate::resources::plan_seen::PlanSeen;
use crate::resources::status_machine::{
    Goal, IfGone, converge, unusable_category, unusable_status_at,
};
use crate::resources::{
    Applied, Change, Ctx, Plan, Read, Resource, store_identity_schema, store_import_id,
    store_import_ref, validate_store_ref,
};
use crate::schema::{Attribute, Block, IdentitySchema, Schema};
use crate::timeouts::{TimeoutOp, Timeouts};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// A refresh is one GetEventDataStore (with the SDK's retries): minutes, not the 10 of a wait.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(2 * 60);

const TIMEOUTS: Timeouts = Timeouts {
    description: "How long to wait for the store to settle.",
    ops: &[
        TimeoutOp {
            name: "create",
            default: DEFAULT_TIMEOUT,
            description: "Duration such as `10m` (default `10m`).",
        },
        TimeoutOp {
            name: "update",
            default: DEFAULT_TIMEOUT,
            description: "Duration such as `10m` (default `10m`).",
        },
        TimeoutOp {
            name: "delete",
            default: DEFAULT_TIMEOUT,
            description: "Duration such as `10m` (default `10m`); used only with `stop_on_destroy`.",
        },
        TimeoutOp {
            name: "read",
            default: DEFAULT_READ_TIMEOUT,
            description: "Duration such as `2m` (default `2m`): how long a refresh waits for \
                          CloudTrail to answer.",
        },
    ],
};

model! {
    /// A `cloudtrail_ingestion_state` value: configuration, plan or state.
    pub struct IngestionStateModel {
        pub event_data_store: Field<String>,
        pub ingestion_enabled: Field<bool>,
        pub stop_on_destroy: Field<bool>,
        pub id: Field<String>,
        pub arn: Field<String>,
        pub name: Field<String>,
        pub status: Field<String>,
        /// Kept as written; `TIMEOUTS` reads it and knows the defaults.
        pub timeouts: Field<Value>,
    }
}

impl IngestionStateModel {
    /// The store `event_data_store` names, if it is known and a valid reference (validation
    /// reports the invalid ones).
    fn store(&self) -> Option<StoreRef> {
        self.event_data_store
            .known()
            .and_then(|s| StoreRef::parse(s).ok())
    }

    fn ingesting(&self) -> bool {
        self.ingestion_enabled.known_or(true)
    }

    /// Fills the computed attributes from a read of the store; `ingestion` too on a refresh.
    pub(crate) fn fill_from(&mut self, info: &StoreInfo, ingestion: Option<bool>) {
        self.id = info.arn.as_str().into();
        self.arn = info.arn.as_str().into();
        self.name = info.name.as_str().into();
        self.status = info.status.as_str().into();
        if let Some(enabled) = ingestion {
            self.ingestion_enabled = enabled.into();
        }
    }

    fn fill_from_hint(&mut self, seen: &PlanSeen) {
        self.id = seen.arn.as_str().into();
        self.arn = seen.arn.as_str().into();
        self.name = seen.name.as_str().into();
        self.status = seen.status.as_str().into();
    }
}

const DESCRIPTION: &str = "Keeps ingestion of a CloudTrail Lake event data store started (the \
                           default) or stopped. Create and update call \
                           `StartEventDataStoreIngestion` or `StopEventDataStoreIngestion` and \
                           wait for the store to settle; destroy leaves ingestion as it is unless \
                           `stop_on_destroy` is set. Ingestion stopped or started outside \
                           Terraform shows as a change in the next plan. Ingestion has one owner: \
                           a `cloudtrail_event_data_store` only says whether a new store starts \
                           ingesting, then leaves ingestion to this resource.";

const EVENT_DATA_STORE_DESCRIPTION: &str = "ARN of the event data store, or the ID at the end of \
                                            its ARN. 3 to 256 characters of letters, digits, `.`, \
                                            `_`, `/`, `-` and `:`. Changing it to another store \
                                            replaces the resource; switching between the ARN and \
                                            the ID of the same store does not.";

const INGESTION_ENABLED_DESCRIPTION: &str = "`true` (default) keeps ingestion started; `false` \
                                             keeps it stopped. Refreshed from the store's status, \
                                             so a change made outside Terraform is detected.";

const STOP_ON_DESTROY_DESCRIPTION: &str = "When `true`, destroying this resource stops ingestion. \
                                           Defaults to `false`: destroy leaves ingestion as it is. \
                                           A store deleted outside Terraform (pending deletion, or \
                                           gone) ingests nothing and counts as stopped: its \
                                           destroy succeeds and says so in the log. With \
                                           `create_before_destroy`, a replacement for the same \
                                           store (`-replace`, a taint) starts the store before the \
                                           old object is destroyed; that destroy then leaves \
                                           ingestion started, with a warning, rather than stop \
                                           what its replacement has just started.";

const STATUS_DESCRIPTION: &str = "The store's status after the last apply or refresh: `ENABLED`, \
                                  `STARTING_INGESTION`, `STOPPING_INGESTION`, `STOPPED_INGESTION`, \
                                  `CREATED` or `PENDING_DELETION`.";

fn store_path() -> AttributePath {
    attr_path(&["event_data_store"])
}

/// The replacement rule: another store replaces the resource; the ARN and the ID of the same
/// store do not.
fn another_store(prior: &Value, planned: &Value) -> bool {
    let store = |v: &Value| v.as_str().and_then(|s| StoreRef::parse(s).ok());
    !matches!((store(prior), store(planned)), (Some(a), Some(b)) if a.same_store(&b))
}

pub struct IngestionState;

impl Resource<Ctx> for IngestionState {
    const TYPE_NAME: &'static str = "cloudtrail_ingestion_state";
    type Model = IngestionStateModel;

    fn schema() -> Schema {
        let block = Block::new(DESCRIPTION)
            .attribute(
                Attribute::string("event_data_store")
                    .required()
                    .requires_replace_if(another_store)
                    .description(EVENT_DATA_STORE_DESCRIPTION),
            )
            .attribute(
                Attribute::bool("ingestion_enabled")
                    .default(Value::Bool(true))
                    .description(INGESTION_ENABLED_DESCRIPTION),
            )
            .attribute(
                Attribute::bool("stop_on_destroy")
                    .default(Value::Bool(false))
                    .description(STOP_ON_DESTROY_DESCRIPTION),
            )
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("The event data store's full ARN."),
            )
            .attribute(
                Attribute::string("arn")
                    .computed()
                    .use_state_for_unknown()
                    .description("The event data store's full ARN."),
            )
            .attribute(
                Attribute::string("name")
                    .computed()
                    .use_state_for_unknown()
                    .description("The event data store's name."),
            )
            .attribute(
                Attribute::string("status")
                    .computed()
                    .use_state_for_unknown()
                    .unknown_if_changed(&["ingestion_enabled"])
                    .description(STATUS_DESCRIPTION),
            );
        Schema::new(0, TIMEOUTS.add_to(block))
    }

    fn validate(config: &Value) -> Diagnostics {
        let mut diags = validate_store_ref(config, "event_data_store");
        diags.extend(TIMEOUTS.validate(config));
        diags
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut Plan<IngestionStateModel>) {
        // A known store is read at plan on create, on replacement, or when ingestion_enabled
        // changes, so a missing or unusable store shows in the plan rather than halfway through
        // the apply; a plan without changes (the common case with many resources) makes no call.
        let check_store = plan.makes_new()
            || plan
                .prior
                .as_ref()
                .is_some_and(|prior| plan.planned.ingestion_enabled != prior.ingestion_enabled);
        if let (true, Some(store), Some(aws)) =
            (check_store, plan.planned.store(), ctx.aws.as_deref())
            && !plan.diagnostics.has_errors()
            && aws.plan_checks() != PlanChecks::Off
        {
            let (diags, seen) = check_at_plan(ctx, aws, &store, plan.planned.ingesting()).await;
            plan.diagnostics.extend(diags);
            if let Some(info) = seen {
                plan.private = PlanSeen::encode(&info);
            }
        }
    }

    /// Create and update alike (the trait's `update`): start or stop the store as planned.
    async fn create(
        &self,
        ctx: &Ctx,
        change: Change<IngestionStateModel>,
    ) -> Applied<IngestionStateModel> {
        converge_to_plan(ctx, change).await
    }

    async fn delete(&self, ctx: &Ctx, prior: IngestionStateModel) -> Diagnostics {
        destroy(ctx, prior).await
    }

    async fn read(&self, ctx: &Ctx, mut model: IngestionStateModel) -> Read<IngestionStateModel> {
        let Some(store) = model.store() else {
            return Read::Failed(
                Diagnostic::error(
                    "Invalid state",
                    "The stored event_data_store is not a valid event data store ARN or ID; \
                     remove the resource from state and import it again.",
                )
                .into(),
            );
        };
        let lookup = match ctx
            .aws()
            .and_then(|aws| aws.store(&store, Some(store_path())))
        {
            // A refresh is bounded and interruptible like an apply's wait: a hung endpoint must
            // neither stall the plan forever nor outlive Ctrl-C (StopProvider).
            Ok(api) => {
                let limit = TIMEOUTS.of(&model.timeouts, "read");
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
                            "GetEventDataStore for {} did not answer within {}s (timeouts.read). \
                             The state is kept as it was; check the endpoint and the network, or \
                             raise timeouts.read.",
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
                model.fill_from(&info, Some(info.ingestion_enabled()));
                // Imported objects carry no flags yet; the defaults keep the next plan empty.
                model.stop_on_destroy = model.stop_on_destroy.or_default_value(false);
                Read::Found(model)
            }
            Ok(Lookup::Gone(_)) => {
                tracing::info!(store = %store.raw, "event data store is gone; removing it from \
                                                    state");
                Read::Gone
            }
            Err(d) => Read::Failed(d.into()),
        }
    }

    /// `{ arn }`, read from the state's `arn` by the trait's `identity`.
    fn identity_schema() -> Option<IdentitySchema> {
        Some(store_identity_schema())
    }

    fn import_id(identity: &Value) -> Result<String, Diagnostics> {
        store_import_id(identity)
    }

    fn import(&self, _ctx: &Ctx, id: &str) -> Result<IngestionStateModel, Diagnostics> {
        store_import_ref(id)?;
        Ok(IngestionStateModel {
            event_data_store: id.into(),
            stop_on_destroy: false.into(),
            id: id.into(),
            ..IngestionStateModel::default()
        })
    }
}

/// A create or an update: drives the store to the planned ingestion and waits for it to settle.
async fn converge_to_plan(
    ctx: &Ctx,
    change: Change<IngestionStateModel>,
) -> Applied<IngestionStateModel> {
    let op = if change.prior.is_none() {
        "create"
    } else {
        "update"
    };
    let mut diagnostics = Diagnostics::new();
    let Some(store) = change.config.store() else {
        diagnostics.push(
            Diagnostic::error("Missing event_data_store", "event_data_store must be set.")
                .at(store_path()),
        );
        return Applied {
            state: None,
            diagnostics,
        };
    };
    let mut planned = change.planned;
    let want = planned.ingesting();
    let hint = PlanSeen::decode(&change.private);
    // The plan of this apply (Terraform plans each resource again right before applying it, in
    // this process) saw this very store already where it should be: nothing to call.
    if let Some(seen) = hint.as_ref().filter(|h| {
        h.settled_at(&Status::settled(want))
            && StoreRef::parse(&h.arn).is_ok_and(|seen| seen.same_store(&store))
    }) {
        let mut state = planned.clone();
        state.fill_from_hint(seen);
        if state.to_value().is_known() {
            note_applied(ctx, &seen.arn, want);
            return Applied {
                state: Some(state),
                diagnostics,
            };
        }
    }
    let mut outcome = converge(
        ctx,
        Goal {
            store: &store,
            ingesting: want,
            timeout: TIMEOUTS.of(&change.config.timeouts, op),
            hint,
            if_gone: IfGone::Fail,
            path: store_path(),
            wait: true,
            progress: None,
        },
    )
    .await;
    let state = match outcome.last_seen.take() {
        Some(info) => {
            // On success the store is where the plan wanted it; on failure state says what AWS
            // reported, so ingestion_enabled agrees with status and the next plan (even with
            // -refresh=false) still shows the change to make. A state that is still not wholly
            // known is not recorded (the framework keeps the prior object).
            let ingesting = match outcome.error {
                None => {
                    note_applied(ctx, &info.arn, want);
                    None
                }
                Some(_) => Some(info.ingestion_enabled()),
            };
            planned.fill_from(&info, ingesting);
            Some(planned)
        }
        // Nothing was learned about the store: keep what was there before.
        None if outcome.error.is_some() => None,
        None => Some(planned),
    };
    diagnostics.extend(outcome.error);
    Applied { state, diagnostics }
}

/// A destroy: leaves ingestion as it is unless `stop_on_destroy` is set.
async fn destroy(ctx: &Ctx, model: IngestionStateModel) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if model.stop_on_destroy.known() != Some(&true) {
        return diagnostics;
    }
    let Some(store) = model.store() else {
        return diagnostics;
    };
    let arn = model.arn.known().map_or(store.raw.as_str(), String::as_str);
    if ctx.aws.as_deref().is_some_and(|aws| aws.started_here(arn)) {
        // create_before_destroy: the replacement of this very object started the store a moment
        // ago, in this apply; stopping it now would undo that and leave drift.
        tracing::warn!(store = %store.raw, "not stopping ingestion on destroy: another \
                                            cloudtrail_ingestion_state started this store in this \
                                            apply (a create_before_destroy replacement)");
        diagnostics.push(
            Diagnostic::warning(
                "Ingestion left started on destroy",
                format!(
                    "stop_on_destroy is set, but {} was started by another \
                     cloudtrail_ingestion_state in this same apply: the replacement of this \
                     resource, created before this object was destroyed \
                     (create_before_destroy). Stopping it would undo that, so ingestion is left \
                     started.",
                    store.raw
                ),
            )
            .at(store_path()),
        );
        return diagnostics;
    }
    let outcome = converge(
        ctx,
        Goal {
            store: &store,
            ingesting: false,
            timeout: TIMEOUTS.of(&model.timeouts, "delete"),
            hint: None,
            if_gone: IfGone::Stopped,
            path: store_path(),
            wait: true,
            progress: None,
        },
    )
    .await;
    if let Some(gone) = outcome.gone {
        // A deleted store ingests nothing: it is as stopped as it will ever be.
        tracing::warn!(store = %store.raw, gone = %gone, "event data store is gone; nothing to \
                                                          stop on destroy");
    }
    // An error keeps the object in state, so that destroy can be tried again.
    diagnostics.extend(outcome.error);
    diagnostics
}

/// Remembers, for this process, what an apply drove `arn` to (see `AwsClients::started_here`).
fn note_applied(ctx: &Ctx, arn: &str, ingesting: bool) {
    if let Some(aws) = ctx.aws.as_deref() {
        aws.note_applied(arn, ingesting);
    }
}

/// What a plan-time read of the store says: errors for what apply would surely fail on (no such
/// store, deleted, a category that cannot start or stop), warnings instead with
/// `plan_checks = "warn"`, and a warning when AWS could not be asked. Also returns the store as
/// seen, for the apply of this plan.
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
    let mut config_error = None;
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
        Ok(Lookup::Found(info)) => match unusable_category(&info, &store_path()) {
            None => seen = Some(info),
            Some(d) => diags.push(d),
        },
        Ok(Lookup::Gone(Gone::NotFound(d))) => diags.push(d),
        Ok(Lookup::Gone(Gone::PendingDeletion(_))) => {
            diags.push(unusable_status_at(
                store,
                &Status::PendingDeletion,
                want,
                store_path(),
            ));
        }
        Err(e) if e.kind == ErrorKind::Service => diags.push(e.diagnostic),
        Err(e) if e.kind == ErrorKind::Config => {
            // The same for every resource, and never passes on its own: one error, no more calls.
            aws.disable_plan_checks();
            config_error = Some(e.diagnostic);
        }
        Err(e) => {
            // Without credentials or network every other resource would wait for the same
            // failure: one warning is enough, the apply makes the call again and reports it.
            if e.kind == ErrorKind::Access || e.code.is_none() {
                aws.disable_plan_checks();
            }
            let d = e.diagnostic;
            diags.push(Diagnostic {
                severity: Severity::Warning,
                summary: format!(
                    "Could not check the event data store at plan time: {}",
                    d.summary
                ),
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
    if let Some(d) = config_error {
        diags.push(d);
    }
    (diags, seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_store_in_another_form_does_not_replace() {
        let arn = Value::string("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc");
        assert!(!another_store(&arn, &Value::string("abc")));
        assert!(another_store(&arn, &Value::string("xyz")));
        assert!(another_store(&arn, &Value::Unknown));
    }
}
