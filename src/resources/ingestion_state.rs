//! `cloudtrail_ingestion_state`: keeps an event data store's ingestion started (or stopped).
//! Reads top to bottom: schema, validation, plan, apply (the status machine and its wait), read,
//! import.

use std::time::{Duration, Instant};

use crate::aws::arn::StoreRef;
use crate::aws::store::{Lookup, Store, StoreInfo};
use crate::cty::Value;
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::resources::{
    ApplyRequest, Ctx, PlanRequest, PlanResponse, Resource, StateResponse, object,
    validate_store_ref,
};
use crate::schema::{Attribute, Block, Nesting, Schema};
use crate::timeouts::parse_duration;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// The longest pause between two status polls: short enough to notice ENABLED quickly.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(3);
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(200);

pub struct IngestionState;

impl Resource for IngestionState {
    const TYPE_NAME: &'static str = "cloudtrail_ingestion_state";

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("Keeps ingestion of a CloudTrail Lake event data store started (the default) or stopped. Create and update call `StartEventDataStoreIngestion` or `StopEventDataStoreIngestion` and wait for the store to settle; destroy leaves ingestion as it is unless `stop_on_destroy` is set. Ingestion stopped or started outside Terraform shows as a change in the next plan.")
                .attribute(Attribute::string("event_data_store").required().description("ARN of the event data store, or the ID at the end of its ARN. 3 to 256 characters of letters, digits, `.`, `_`, `/`, `-` and `:`. Changing it to another store replaces the resource; switching between the ARN and the ID of the same store does not."))
                .attribute(Attribute::bool("ingestion_enabled").optional().computed().description("`true` (default) keeps ingestion started; `false` keeps it stopped. Refreshed from the store's status, so a change made outside Terraform is detected."))
                .attribute(Attribute::bool("stop_on_destroy").optional().computed().description("When `true`, destroying this resource stops ingestion. Defaults to `false`: destroy leaves ingestion as it is."))
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
                        .attribute(Attribute::string("delete").optional().description("Duration such as `10m` (default `10m`); used only with `stop_on_destroy`.")),
                ),
        )
    }

    fn validate(config: &Value) -> Diagnostics {
        let mut diags = validate_store_ref(config, "event_data_store");
        if let Some(timeouts) = config.get("timeouts") {
            for op in ["create", "update", "delete"] {
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

    async fn plan(&self, _ctx: &Ctx, req: PlanRequest) -> PlanResponse {
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
        if req.prior_state.is_null() {
            for attr in computed {
                planned.insert(attr.into(), Value::Unknown);
            }
        } else {
            let prior_ref = req
                .prior_state
                .get("event_data_store")
                .and_then(Value::as_str)
                .and_then(|s| StoreRef::parse(s).ok());
            let new_ref = planned
                .get("event_data_store")
                .and_then(Value::as_str)
                .and_then(|s| StoreRef::parse(s).ok());
            let same_store =
                matches!((&prior_ref, &new_ref), (Some(a), Some(b)) if a.same_store(b));
            if !same_store {
                resp.requires_replace.push(attr_path(&["event_data_store"]));
                for attr in computed {
                    planned.insert(attr.into(), Value::Unknown);
                }
            } else {
                for attr in computed {
                    let prior = req.prior_state.get(attr).cloned().unwrap_or(Value::Null);
                    planned.insert(attr.into(), prior);
                }
                if planned.get("ingestion_enabled") != req.prior_state.get("ingestion_enabled") {
                    planned.insert("status".into(), Value::Unknown);
                }
            }
        }
        resp.planned_state = Value::Object(planned);
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
        let Some(store) = req
            .config
            .get("event_data_store")
            .and_then(Value::as_str)
            .and_then(|s| StoreRef::parse(s).ok())
        else {
            resp.diagnostics.push(
                Diagnostic::error("Missing event_data_store", "event_data_store must be set.")
                    .at(attr_path(&["event_data_store"])),
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
        let mut outcome = converge(ctx, &store, want, timeout).await;
        let mut state = req.planned_state.clone();
        match outcome.last_seen.take() {
            Some(info) => fill_from_store(&mut state, &info, None),
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
        let Some(store) = state
            .get("event_data_store")
            .and_then(Value::as_str)
            .and_then(|s| StoreRef::parse(s).ok())
        else {
            resp.diagnostics.push(Diagnostic::error(
                "Invalid state",
                "The stored event_data_store is not a valid event data store ARN or ID; remove the resource from state and import it again.",
            ));
            resp.state = state;
            return resp;
        };
        let lookup = match ctx
            .aws()
            .and_then(|aws| aws.client(store.region.as_deref()))
        {
            Ok(client) => {
                Store {
                    client: &client,
                    store: &store,
                    path: None,
                }
                .get()
                .await
            }
            Err(d) => Err(d),
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
            Ok(Lookup::Gone) => {
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
        let Some(store) = prior
            .get("event_data_store")
            .and_then(Value::as_str)
            .and_then(|s| StoreRef::parse(s).ok())
        else {
            return resp;
        };
        let outcome = converge(ctx, &store, false, timeout_of(&prior, "delete")).await;
        if let Some(err) = outcome.error {
            resp.diagnostics.push(err);
            // The object stays in state so that destroy can be tried again.
            resp.state = prior;
        }
        resp
    }
}

fn timeout_of(config: &Value, op: &str) -> Duration {
    config
        .get("timeouts")
        .and_then(|t| t.get(op))
        .and_then(Value::as_str)
        .and_then(|s| parse_duration(s).ok())
        .unwrap_or(DEFAULT_TIMEOUT)
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

struct Outcome {
    last_seen: Option<StoreInfo>,
    error: Option<Diagnostic>,
}

/// Drives the store to ENABLED (`want`) or STOPPED_INGESTION (`!want`) and waits for it: at most
/// one Start/Stop call per needed transition, the first poll at once, then backing off to a few
/// seconds, ConflictException retried, all within `timeout` and cancelled by StopProvider.
async fn converge(ctx: &Ctx, store: &StoreRef, want: bool, timeout: Duration) -> Outcome {
    let mut outcome = Outcome {
        last_seen: None,
        error: None,
    };
    let client = match ctx
        .aws()
        .and_then(|aws| aws.client(store.region.as_deref()))
    {
        Ok(c) => c,
        Err(d) => {
            outcome.error = Some(d.at(attr_path(&["event_data_store"])));
            return outcome;
        }
    };
    let api = Store {
        client: &client,
        store,
        path: Some(attr_path(&["event_data_store"])),
    };
    let target = if want { "ENABLED" } else { "STOPPED_INGESTION" };
    let deadline = Instant::now() + timeout;
    let mut interval = FIRST_POLL_INTERVAL;
    loop {
        let info = match api.get().await {
            Ok(Lookup::Found(info)) => info,
            Ok(Lookup::Gone) => {
                outcome.error = Some(not_found(store));
                return outcome;
            }
            Err(d) => {
                outcome.error = Some(d);
                return outcome;
            }
        };
        let status = info.status.clone();
        outcome.last_seen = Some(info);
        tracing::debug!(store = %store.raw, status = %status, target, "event data store status");
        match (want, status.as_str()) {
            (_, s) if s == target => return outcome,
            (true, "STOPPED_INGESTION") | (false, "ENABLED") => {
                match api.set_ingestion(want).await {
                    Ok(()) => {
                        // Poll at once: the store often settles within the call.
                        interval = FIRST_POLL_INTERVAL;
                        continue;
                    }
                    // Someone else moved the store meanwhile, or it is busy: look again.
                    Err((Some(code), d))
                        if code == "ConflictException"
                            || code == "InvalidEventDataStoreStatusException" =>
                    {
                        tracing::debug!(store = %store.raw, code, "retrying after a transient refusal");
                        if Instant::now() + interval >= deadline {
                            outcome.error = Some(d);
                            return outcome;
                        }
                    }
                    Err((_, d)) => {
                        outcome.error = Some(d);
                        return outcome;
                    }
                }
            }
            (_, "STARTING_INGESTION" | "STOPPING_INGESTION") => {}
            (_, other) => {
                outcome.error = Some(unusable_status(store, other, want));
                return outcome;
            }
        }
        if Instant::now() + interval >= deadline {
            outcome.error = Some(
                Diagnostic::error(
                    "Timed out waiting for the event data store",
                    format!(
                        "{} is still {status} after {}s; it was asked to become {target}. Run apply again to keep waiting, or raise timeouts.",
                        store.raw,
                        timeout.as_secs()
                    ),
                )
                .at(attr_path(&["event_data_store"])),
            );
            return outcome;
        }
        tokio::select! {
            _ = ctx.cancel.cancelled() => {
                outcome.error = Some(Diagnostic::error(
                    "Interrupted",
                    format!("Stopped while waiting for {} to become {target} (last seen {status}). The state records the last status seen; run apply again to finish.", store.raw),
                ).at(attr_path(&["event_data_store"])));
                return outcome;
            }
            _ = tokio::time::sleep(interval) => {}
        }
        interval = (interval * 2).min(MAX_POLL_INTERVAL);
    }
}

fn not_found(store: &StoreRef) -> Diagnostic {
    Diagnostic::error(
        "Event data store not found",
        format!(
            "No event data store {} exists (or it is pending deletion) in this account and region. Check the ARN or ID, the credentials' account and the region.",
            crate::diagnostics::quote(&store.raw)
        ),
    )
    .at(attr_path(&["event_data_store"]))
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
    .at(attr_path(&["event_data_store"]))
}
