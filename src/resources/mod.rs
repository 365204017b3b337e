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
