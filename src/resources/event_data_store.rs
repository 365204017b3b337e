//! Data source `cloudtrail_event_data_store`: looks a store up by ARN or ID and exposes its name,
//! status, ingestion state and event categories.

use crate::aws::arn::StoreRef;
use crate::aws::store::{Gone, Lookup};
use crate::cty::{Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::resources::{Ctx, DataSource, StateResponse, object, validate_store_ref};
use crate::schema::{Attribute, Block, Schema};

pub struct EventDataStore;

impl DataSource for EventDataStore {
    const TYPE_NAME: &'static str = "cloudtrail_event_data_store";

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("Reads a CloudTrail Lake event data store by ARN or ID.")
                .attribute(Attribute::string("event_data_store").required().description("ARN of the event data store, or the ID at the end of its ARN."))
                .attribute(Attribute::string("id").computed().description("The store's full ARN."))
                .attribute(Attribute::string("arn").computed().description("The store's full ARN."))
                .attribute(Attribute::string("name").computed().description("The store's name."))
                .attribute(Attribute::string("status").computed().description("The store's status, e.g. `ENABLED` or `STOPPED_INGESTION`."))
                .attribute(Attribute::bool("ingestion_enabled").computed().description("Whether ingestion is started (`ENABLED` or `STARTING_INGESTION`)."))
                .attribute(Attribute::typed("event_categories", Type::list(Type::String)).computed().description("Values of the store's `eventCategory` selectors, e.g. `[\"Management\"]`."))
                .attribute(Attribute::bool("multi_region_enabled").computed().description("Whether the store collects events from all regions."))
                .attribute(Attribute::bool("organization_enabled").computed().description("Whether the store collects events from the whole organization."))
                .attribute(Attribute::number("retention_period").computed().description("Retention in days."))
                .attribute(Attribute::bool("termination_protection_enabled").computed().description("Whether termination protection is on.")),
        )
    }

    fn validate(config: &Value) -> Diagnostics {
        validate_store_ref(config, "event_data_store")
    }

    async fn read(&self, ctx: &Ctx, config: Value) -> StateResponse {
        let mut resp = StateResponse {
            diagnostics: Self::validate(&config),
            ..StateResponse::default()
        };
        if resp.diagnostics.has_errors() {
            return resp;
        }
        let raw = match config.get("event_data_store") {
            Some(Value::String(raw)) => raw.clone(),
            // Terraform defers a data source whose configuration is not yet known, and a
            // required attribute is never null; a client that sends either gets told so.
            Some(Value::Unknown) => {
                resp.diagnostics.push(
                    Diagnostic::error(
                        "event_data_store is not yet known",
                        "The data source can only be read once event_data_store is known.",
                    )
                    .at(attr_path(&["event_data_store"])),
                );
                return resp;
            }
            _ => {
                resp.diagnostics.push(
                    Diagnostic::error(
                        "Missing event_data_store",
                        "event_data_store is required: the ARN or ID of the event data store to read.",
                    )
                    .at(attr_path(&["event_data_store"])),
                );
                return resp;
            }
        };
        let raw = raw.as_str();
        let Ok(store) = StoreRef::parse(raw) else {
            return resp;
        };
        let path = attr_path(&["event_data_store"]);
        let lookup = match ctx
            .aws()
            .and_then(|aws| aws.store(&store, Some(path.clone())))
        {
            Ok(api) => api.get().await.map_err(|e| e.diagnostic),
            Err(d) => Err(d.at(path.clone())),
        };
        match lookup {
            Ok(Lookup::Found(info)) => {
                resp.state = object([
                    ("event_data_store", Value::string(raw)),
                    ("id", Value::string(&info.arn)),
                    ("arn", Value::string(&info.arn)),
                    ("name", Value::string(&info.name)),
                    ("status", Value::string(&info.status)),
                    ("ingestion_enabled", Value::Bool(info.ingestion_enabled())),
                    (
                        "event_categories",
                        Value::List(info.event_categories.iter().map(Value::string).collect()),
                    ),
                    ("multi_region_enabled", Value::Bool(info.multi_region_enabled)),
                    ("organization_enabled", Value::Bool(info.organization_enabled)),
                    (
                        "retention_period",
                        info.retention_period
                            .map(|d| Value::Number(crate::cty::Number::Int(d)))
                            .unwrap_or(Value::Null),
                    ),
                    (
                        "termination_protection_enabled",
                        Value::Bool(info.termination_protection_enabled),
                    ),
                ]);
            }
            Ok(Lookup::Gone(Gone::NotFound(d))) => resp.diagnostics.push(d),
            Ok(Lookup::Gone(Gone::PendingDeletion(info))) => resp.diagnostics.push(
                Diagnostic::error(
                    "Event data store pending deletion",
                    format!("{} has been deleted (PENDING_DELETION); only RestoreEventDataStore can bring it back within 7 days.", info.arn),
                )
                .at(path),
            ),
            Err(d) => resp.diagnostics.push(d),
        }
        resp
    }
}
