//! Data source `cloudtrail_event_data_store`: looks a store up by ARN or ID and exposes its name,
//! status, ingestion state, event categories and settings, with the names
//! `cloudtrail_event_data_store` the resource gives them.

use crate::aws::arn::StoreRef;
use crate::aws::status::Status;
use crate::cty::{Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::resources::model::{Field, model};
use crate::resources::{Ctx, DataSource, validate_store_ref};
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
        pub billing_mode: Field<String>,
        pub kms_key_id: Field<String>,
        pub created_timestamp: Field<String>,
        pub updated_timestamp: Field<String>,
    }
}

/// The attributes read from the store: name, type, description.
fn computed() -> [(&'static str, Type, &'static str); 14] {
    [
        ("id", Type::String, "The store's full ARN."),
        ("arn", Type::String, "The store's full ARN."),
        ("name", Type::String, "The store's name."),
        (
            "status",
            Type::String,
            "The store's status, e.g. `ENABLED` or `STOPPED_INGESTION`.",
        ),
        (
            "ingestion_enabled",
            Type::Bool,
            "Whether ingestion is started (`ENABLED` or `STARTING_INGESTION`).",
        ),
        (
            "event_categories",
            Type::list(Type::String),
            "Values of the store's `eventCategory` selectors, e.g. `[\"Management\"]`.",
        ),
        (
            "multi_region_enabled",
            Type::Bool,
            "Whether the store collects events from all regions.",
        ),
        (
            "organization_enabled",
            Type::Bool,
            "Whether the store collects events from the whole organization.",
        ),
        ("retention_period", Type::Number, "Retention in days."),
        (
            "termination_protection_enabled",
            Type::Bool,
            "Whether termination protection is on.",
        ),
        (
            "billing_mode",
            Type::String,
            "`EXTENDABLE_RETENTION_PRICING` or `FIXED_RETENTION_PRICING`.",
        ),
        (
            "kms_key_id",
            Type::String,
            "The KMS key that encrypts the store's events, as AWS names it; null without one.",
        ),
        (
            "created_timestamp",
            Type::String,
            "When the store was created (RFC 3339).",
        ),
        (
            "updated_timestamp",
            Type::String,
            "When the store was last changed (RFC 3339).",
        ),
    ]
}

pub struct EventDataStoreData;

impl DataSource<Ctx> for EventDataStoreData {
    const TYPE_NAME: &'static str = "cloudtrail_event_data_store";
    type Model = EventDataStoreModel;

    fn schema() -> Schema {
        let mut block = Block::new("Reads a CloudTrail Lake event data store by ARN or ID.")
            .attribute(
                Attribute::string("event_data_store")
                    .required()
                    .description("ARN of the event data store, or the ID at the end of its ARN."),
            );
        for (name, ty, description) in computed() {
            block = block.attribute(
                Attribute::typed(name, ty)
                    .computed()
                    .description(description),
            );
        }
        Schema::new(0, block)
    }

    fn validate(config: &Value) -> Diagnostics {
        validate_store_ref(config, "event_data_store")
    }

    async fn read(
        &self,
        ctx: &Ctx,
        config: EventDataStoreModel,
    ) -> Result<EventDataStoreModel, Diagnostics> {
        let path = attr_path(&["event_data_store"]);
        let raw = match config.event_data_store {
            Field::Known(raw) => raw,
            // Terraform defers a data source whose configuration is not yet known, and a
            // required attribute is never null; a client that sends either gets told so.
            Field::Unknown => {
                return Err(Diagnostic::error(
                    "event_data_store is not yet known",
                    "The data source can only be read once event_data_store is known.",
                )
                .at(path)
                .into());
            }
            Field::Null => {
                return Err(Diagnostic::error(
                    "Missing event_data_store",
                    "event_data_store is required: the ARN or ID of the event data store to read.",
                )
                .at(path)
                .into());
            }
        };
        // `validate` has refused an invalid reference already; said again rather than assumed.
        let store = StoreRef::parse(&raw).map_err(|err| {
            Diagnostic::error(
                "Invalid event_data_store",
                format!("event_data_store: {err}"),
            )
            .at(path.clone())
        })?;
        let lookup = match ctx
            .aws()
            .and_then(|aws| aws.admin(store.region.as_deref(), Some(path.clone())))
        {
            Ok(api) => api.describe(&store.raw).await.map_err(|e| e.diagnostic),
            Err(d) => Err(d.at(path.clone())),
        };
        let opt = |v: &Option<String>| v.clone().map_or(Field::Null, Field::Known);
        match lookup {
            Ok(d) if d.status != Status::PendingDeletion => Ok(EventDataStoreModel {
                event_data_store: raw.into(),
                id: d.arn.as_str().into(),
                arn: d.arn.as_str().into(),
                name: d.name.as_str().into(),
                status: d.status.as_str().into(),
                ingestion_enabled: d.status.is_ingesting().into(),
                event_categories: d.event_categories().into(),
                multi_region_enabled: d.multi_region_enabled.into(),
                organization_enabled: d.organization_enabled.into(),
                retention_period: d.retention_period.map_or(Field::Null, Field::Known),
                termination_protection_enabled: d.termination_protection_enabled.into(),
                billing_mode: opt(&d.billing_mode),
                kms_key_id: opt(&d.kms_key_id),
                created_timestamp: opt(&d.created_timestamp),
                updated_timestamp: opt(&d.updated_timestamp),
            }),
            Ok(d) => Err(Diagnostic::error(
                "Event data store pending deletion",
                format!(
                    "{} has been deleted (PENDING_DELETION); only RestoreEventDataStore can bring \
                     it back within 7 days.",
                    d.arn
                ),
            )
            .at(path)
            .into()),
            Err(d) => Err(d.into()),
        }
    }
}
