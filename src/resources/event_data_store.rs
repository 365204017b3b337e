//! Data source `cloudtrail_event_data_store`: looks a store up by ARN or ID and exposes its name,
//! status, ingestion state and event categories.

use crate::aws::arn::StoreRef;
use crate::aws::store::{Gone, Lookup};
use crate::cty::{Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::resources::model::{Field, Model, model};
use crate::resources::{Ctx, DataSource, StateResponse, validate_store_ref};
use crate::schema::{Attribute, Block, Schema};

model! {
    /// A `cloudtrail_event_data_store` value.
    pub struct EventDataStoreModel {
        pub event_data_store: Field<String>,
        pub id: Field<String>,
        pub arn: Field<String>,
        pub name: Field<String>,
        pub status: Field<String>,
        pub ingestion_enabled: Field<bool>,
        pub event_categories: Field<Vec<String>>,
        pub multi_region_enabled: Field<bool>,
        pub organization_enabled: Field<bool>,
        pub retention_period: Field<i64>,
        pub termination_protection_enabled: Field<bool>,
    }
}

pub struct EventDataStore;

impl DataSource for EventDataStore {
    const TYPE_NAME: &'static str = "cloudtrail_event_data_store";

    fn schema() -> Schema {
        let computed = |a: Attribute, description| a.computed().description(description);
        Schema::new(
            0,
            Block::new("Reads a CloudTrail Lake event data store by ARN or ID.")
                .attribute(
                    Attribute::string("event_data_store")
                        .required()
                        .description(
                            "ARN of the event data store, or the ID at the end of its ARN.",
                        ),
                )
                .attribute(computed(Attribute::string("id"), "The store's full ARN."))
                .attribute(computed(Attribute::string("arn"), "The store's full ARN."))
                .attribute(computed(Attribute::string("name"), "The store's name."))
                .attribute(computed(
                    Attribute::string("status"),
                    "The store's status, e.g. `ENABLED` or `STOPPED_INGESTION`.",
                ))
                .attribute(computed(
                    Attribute::bool("ingestion_enabled"),
                    "Whether ingestion is started (`ENABLED` or `STARTING_INGESTION`).",
                ))
                .attribute(computed(
                    Attribute::typed("event_categories", Type::list(Type::String)),
                    "Values of the store's `eventCategory` selectors, e.g. `[\"Management\"]`.",
                ))
                .attribute(computed(
                    Attribute::bool("multi_region_enabled"),
                    "Whether the store collects events from all regions.",
                ))
                .attribute(computed(
                    Attribute::bool("organization_enabled"),
                    "Whether the store collects events from the whole organization.",
                ))
                .attribute(computed(
                    Attribute::number("retention_period"),
                    "Retention in days.",
                ))
                .attribute(computed(
                    Attribute::bool("termination_protection_enabled"),
                    "Whether termination protection is on.",
                )),
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
        let path = attr_path(&["event_data_store"]);
        let raw = match EventDataStoreModel::from_value(&config).event_data_store {
            Field::Known(raw) => raw,
            // Terraform defers a data source whose configuration is not yet known, and a
            // required attribute is never null; a client that sends either gets told so.
            Field::Unknown => {
                resp.diagnostics.push(
                    Diagnostic::error(
                        "event_data_store is not yet known",
                        "The data source can only be read once event_data_store is known.",
                    )
                    .at(path),
                );
                return resp;
            }
            Field::Null => {
                resp.diagnostics.push(
                    Diagnostic::error(
                        "Missing event_data_store",
                        "event_data_store is required: the ARN or ID of the event data store to \
                         read.",
                    )
                    .at(path),
                );
                return resp;
            }
        };
        let Ok(store) = StoreRef::parse(&raw) else {
            return resp;
        };
        let lookup = match ctx
            .aws()
            .and_then(|aws| aws.store(&store, Some(path.clone())))
        {
            Ok(api) => api.get().await.map_err(|e| e.diagnostic),
            Err(d) => Err(d.at(path.clone())),
        };
        match lookup {
            Ok(Lookup::Found(info)) => {
                resp.state = EventDataStoreModel {
                    event_data_store: raw.into(),
                    id: info.arn.as_str().into(),
                    arn: info.arn.as_str().into(),
                    name: info.name.as_str().into(),
                    status: info.status.as_str().into(),
                    ingestion_enabled: info.ingestion_enabled().into(),
                    event_categories: info.event_categories.clone().into(),
                    multi_region_enabled: info.multi_region_enabled.into(),
                    organization_enabled: info.organization_enabled.into(),
                    retention_period: info.retention_period.map_or(Field::Null, Field::Known),
                    termination_protection_enabled: info.termination_protection_enabled.into(),
                }
                .to_value();
            }
            Ok(Lookup::Gone(Gone::NotFound(d))) => resp.diagnostics.push(d),
            Ok(Lookup::Gone(Gone::PendingDeletion(info))) => resp.diagnostics.push(
                Diagnostic::error(
                    "Event data store pending deletion",
                    format!(
                        "{} has been deleted (PENDING_DELETION); only RestoreEventDataStore can \
                         bring it back within 7 days.",
                        info.arn
                    ),
                )
                .at(path),
            ),
            Err(d) => resp.diagnostics.push(d),
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_the_schema() {
        assert!(
            crate::resources::model::matches_schema::<EventDataStoreModel>(
                &EventDataStore::schema()
            )
        );
    }
}
