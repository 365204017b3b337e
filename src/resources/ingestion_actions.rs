//! Actions `cloudtrail_start_ingestion` and `cloudtrail_stop_ingestion` (Terraform ≥ 1.14): start
//! or stop a store's ingestion on demand (`terraform apply -invoke=…`) or from a resource's
//! `action_trigger`, through the same status machine, pacer and diagnostics as the resource.

use std::time::Duration;

use crate::aws::arn::StoreRef;
use crate::cty::Value;
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, attr_path};
use crate::resources::model::model;
use crate::resources::status_machine::{Goal, IfGone, converge};
use crate::resources::{Action, Ctx, Progress, validate_store_ref};
use crate::schema::{Attribute, Block, Schema};
use crate::timeouts::parse_duration;

/// How long an action waits for the store by default, as the resource does.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

model! {
    /// The configuration of either action.
    pub struct IngestionActionModel {
        pub event_data_store: Field<String>,
        pub wait: Field<bool>,
        pub timeout: Field<String>,
    }
}

/// Both actions: `START` picks which (`cloudtrail_start_ingestion` or `cloudtrail_stop_ingestion`).
pub struct IngestionAction<const START: bool>;

impl<const START: bool> Action<Ctx> for IngestionAction<START> {
    const TYPE_NAME: &'static str = if START {
        "cloudtrail_start_ingestion"
    } else {
        "cloudtrail_stop_ingestion"
    };
    fn schema() -> Schema {
        schema(START)
    }
    type Model = IngestionActionModel;
    fn validate(config: &Value) -> Diagnostics {
        validate(config)
    }
    async fn invoke(
        &self,
        ctx: &Ctx,
        config: IngestionActionModel,
        progress: Progress,
    ) -> Diagnostics {
        invoke(ctx, config, START, progress).await
    }
}

fn store_path() -> AttributePath {
    attr_path(&["event_data_store"])
}

fn schema(start: bool) -> Schema {
    let (description, wait) = if start {
        (
            "Starts ingestion of a CloudTrail Lake event data store (`StartEventDataStoreIngestion`) \
             and, by default, waits until the store is `ENABLED`. A store already ingesting is \
             left as it is. Changes no Terraform state; run it with `terraform apply \
             -invoke=action.cloudtrail_start_ingestion.<name>` or from a resource's \
             `action_trigger`.",
            "`true` (default): wait until the store is `ENABLED`. `false`: done once CloudTrail \
             accepted the call.",
        )
    } else {
        (
            "Stops ingestion of a CloudTrail Lake event data store (`StopEventDataStoreIngestion`) \
             and, by default, waits until the store is `STOPPED_INGESTION`. A store already \
             stopped is left as it is. Changes no Terraform state; run it with `terraform apply \
             -invoke=action.cloudtrail_stop_ingestion.<name>` or from a resource's \
             `action_trigger`.",
            "`true` (default): wait until the store is `STOPPED_INGESTION`. `false`: done once \
             CloudTrail accepted the call.",
        )
    };
    Schema::new(
        0,
        Block::new(description)
            .attribute(
                Attribute::string("event_data_store")
                    .required()
                    .description(
                        "ARN of the event data store, or the ID at the end of its ARN. 3 to 256 \
                 characters of letters, digits, `.`, `_`, `/`, `-` and `:`.",
                    ),
            )
            .attribute(Attribute::bool("wait").optional().description(wait))
            .attribute(
                Attribute::string("timeout")
                    .optional()
                    .description("How long to wait, as a duration such as `10m` (default `10m`)."),
            ),
    )
}

fn validate(config: &Value) -> Diagnostics {
    let mut diags = validate_store_ref(config, "event_data_store");
    if let Some(text) = config.get("timeout").and_then(Value::as_str)
        && let Err(err) = parse_duration(text)
    {
        diags.push(
            Diagnostic::error("Invalid timeout", format!("timeout: {err}"))
                .at(attr_path(&["timeout"])),
        );
    }
    diags
}

async fn invoke(
    ctx: &Ctx,
    model: IngestionActionModel,
    start: bool,
    progress: Progress,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(store) = model
        .event_data_store
        .known()
        .and_then(|s| StoreRef::parse(s).ok())
    else {
        diags.push(
            Diagnostic::error(
                "event_data_store is not known",
                "The action can only run once event_data_store is known.",
            )
            .at(store_path()),
        );
        return diags;
    };
    let timeout = model
        .timeout
        .known()
        .and_then(|t| parse_duration(t).ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    let outcome = converge(
        ctx,
        Goal {
            store: &store,
            ingesting: start,
            timeout,
            hint: None,
            if_gone: IfGone::Fail,
            path: store_path(),
            wait: model.wait.known_or(true),
            progress: Some(progress),
        },
    )
    .await;
    if let Some(err) = outcome.error {
        diags.push(err);
    }
    diags
}
