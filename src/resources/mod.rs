//! The provider's types (one file each), the context every operation is handed (the AWS clients
//! and the cancellation token), and what they share: the status machine, the plan's read handed
//! to the apply. The traits they implement are the framework's (`tfplugin_framework::resource`).

pub mod event_data_store;
pub mod event_data_store_data;
pub mod event_data_store_list;
pub mod ingestion_actions;
pub mod ingestion_state;
pub mod ingestion_state_list;
pub mod plan_seen;
pub mod registry;
pub mod status_machine;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

pub use tfplugin_framework::resource::{
    Action, Applied, ApplyRequest, Change, DataSource, Found, ListRequest, ListResource,
    ListedObject, Plan, PlanRequest, PlanResponse, Progress, Read, Resource, StateResponse, object,
};
pub use tfplugin_framework::{model, plan};

use crate::aws::AwsClients;
use crate::cty::Value;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// Handed to every operation.
#[derive(Clone)]
pub struct Ctx {
    /// `None` until ConfigureProvider ran with a wholly known provider block.
    pub aws: Option<Arc<AwsClients>>,
    /// Cancelled by StopProvider: every wait and retry loop must watch it.
    pub cancel: CancellationToken,
}

impl Ctx {
    pub fn aws(&self) -> Result<&AwsClients, Diagnostic> {
        self.aws.as_deref().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The cloudtrail provider block could not be configured (its values are not yet \
                 known or invalid), so no AWS call can be made.",
            )
        })
    }
}

/// The ARN/ID rule as a validator: skips null and unknown (checked again at apply), else reports
/// the value and the rule at the attribute.
pub fn validate_store_ref(config: &Value, attr: &'static str) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let Some(text) = config.get(attr).and_then(Value::as_str)
        && let Err(err) = crate::aws::arn::StoreRef::parse(text)
    {
        diags.push(
            Diagnostic::error(format!("Invalid {attr}"), format!("{attr}: {err}"))
                .at(crate::diagnostics::attr_path(&[attr])),
        );
    }
    diags
}

/// `{ arn }`: the identity of a store, as hashicorp/aws gives `aws_cloudtrail_event_data_store`.
pub fn store_identity_schema() -> crate::schema::IdentitySchema {
    crate::schema::IdentitySchema::single(
        "arn",
        crate::cty::Type::String,
        "The event data store's full ARN.",
    )
}

/// The import ID a store identity stands for: its full ARN. An ID alone does not say its account
/// and region, so it is refused.
pub fn store_import_id(identity: &Value) -> Result<String, Diagnostics> {
    let arn = identity.get("arn").and_then(Value::as_str).unwrap_or("");
    let path = crate::diagnostics::attr_path(&["arn"]);
    match crate::aws::arn::StoreRef::parse(arn) {
        Ok(r) if r.account.is_some() => Ok(arn.to_owned()),
        Ok(_) => Err(Diagnostic::error(
            "Invalid identity",
            format!(
                "identity.arn must be the store's full ARN \
                 (arn:<partition>:cloudtrail:<region>:<account>:eventdatastore/<id>), got {}.",
                crate::diagnostics::quote(arn)
            ),
        )
        .at(path)
        .into()),
        Err(err) => Err(
            Diagnostic::error("Invalid identity", format!("identity.arn: {err}"))
                .at(path)
                .into(),
        ),
    }
}

/// An import ID that names a store: its ARN, or its ID.
pub fn store_import_ref(id: &str) -> Result<(), Diagnostics> {
    crate::aws::arn::StoreRef::parse(id)
        .map(drop)
        .map_err(|err| {
            Diagnostic::error(
                "Invalid import ID",
                format!("The import ID must be an event data store ARN or ID: {err}"),
            )
            .into()
        })
}

/// The schema of a list resource of stores: a name prefix.
pub fn store_list_schema(what: &'static str) -> crate::schema::Schema {
    crate::schema::Schema::new(
        0,
        crate::schema::Block::new(what).attribute(
            crate::schema::Attribute::string("name_prefix")
                .optional()
                .description("Only stores whose name starts with this prefix."),
        ),
    )
}

/// The stores of the provider's region whose name starts with `prefix`, pending deletions left
/// out (ListEventDataStores, every page).
pub async fn listed_stores(
    ctx: &Ctx,
    prefix: &str,
) -> Result<Vec<crate::aws::store::Listed>, Diagnostic> {
    let stores = crate::aws::store::list_stores(ctx.aws()?, None, None)
        .await
        .map_err(|e| e.diagnostic)?;
    Ok(stores
        .into_iter()
        .filter(|l| {
            l.name.starts_with(prefix)
                && l.status != Some(crate::aws::status::Status::PendingDeletion)
        })
        .collect())
}
