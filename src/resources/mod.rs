//! What a resource and a data source are to the protocol layer: traits called with decoded
//! values of their own schema, a context carrying the AWS clients and the cancellation token,
//! and answers made of values and diagnostics. No protobuf type crosses this line.

pub mod event_data_store;
pub mod ingestion_actions;
pub mod ingestion_state;
pub mod ingestion_state_list;
pub mod model;
pub mod plan;
pub mod plan_seen;
pub mod registry;
pub mod status_machine;

use std::future::Future;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::aws::AwsClients;
use crate::cty::Value;
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use crate::schema::{IdentitySchema, Schema};

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

pub struct PlanRequest {
    pub config: Value,
    pub prior_state: Value,
    pub proposed_new_state: Value,
}

#[derive(Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    /// The planned object's identity (the provider fills it from `Resource::identity`); null
    /// when not yet known, never unknown.
    pub planned_identity: Value,
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
    /// Opaque bytes Terraform hands back to the apply of this plan (which runs in another
    /// process); empty means none.
    pub planned_private: Vec<u8>,
}

pub struct ApplyRequest {
    pub config: Value,
    pub prior_state: Value,
    pub planned_state: Value,
    /// What the plan put in `PlanResponse::planned_private`.
    pub planned_private: Vec<u8>,
}

/// `new_state` is recorded by Terraform even with errors, so it must say what really happened.
#[derive(Default)]
pub struct StateResponse {
    pub state: Value,
    /// The object's identity (the provider fills it from `Resource::identity`); null if none.
    pub identity: Value,
    pub diagnostics: Diagnostics,
}

pub trait Resource: Send + Sync {
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    /// Static checks only: no AWS call (`terraform validate` runs without credentials).
    fn validate(config: &Value) -> Diagnostics;
    fn plan(&self, ctx: &Ctx, req: PlanRequest) -> impl Future<Output = PlanResponse> + Send;
    fn apply(&self, ctx: &Ctx, req: ApplyRequest) -> impl Future<Output = StateResponse> + Send;
    /// `state` Null in the answer means the object is gone and leaves Terraform's state.
    fn read(&self, ctx: &Ctx, state: Value) -> impl Future<Output = StateResponse> + Send;
    fn import(&self, ctx: &Ctx, id: &str) -> StateResponse;

    /// The identity schema (Terraform ≥ 1.12, OpenTofu ≥ 1.12), if the type has one.
    fn identity_schema() -> Option<IdentitySchema> {
        None
    }
    /// The identity of the object `state` describes; null while it is not wholly known.
    fn identity(_state: &Value) -> Value {
        Value::Null
    }
    /// The import ID an identity stands for (`import { identity = { … } }`).
    fn import_id(_identity: &Value) -> Result<String, Diagnostics> {
        Err(Diagnostic::error(
            "Import by identity not supported",
            format!(
                "{} cannot be imported by identity; import it by ID.",
                Self::TYPE_NAME
            ),
        )
        .into())
    }
}

/// An action (Terraform ≥ 1.14): a side effect run on demand or from an `action_trigger`. It
/// changes no state.
pub trait Action: Send + Sync {
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    /// Static checks only, as for resources.
    fn validate(config: &Value) -> Diagnostics;
    /// Runs the action, sending a line to `progress` as it goes; the diagnostics end it.
    fn invoke(
        &self,
        ctx: &Ctx,
        config: Value,
        progress: Progress,
    ) -> impl Future<Output = Diagnostics> + Send;
}

/// Where an action reports its progress (InvokeAction's progress events).
pub type Progress = tokio::sync::mpsc::UnboundedSender<String>;

/// A list resource (Terraform ≥ 1.14, `terraform query`): finds the remote objects of a managed
/// resource type, each named by that type's identity.
pub trait ListResource: Send + Sync {
    /// The managed resource type whose objects it lists (its identity schema is used).
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    fn validate(config: &Value) -> Diagnostics;
    /// Sends each object found to `found`, at most `limit` of them; the diagnostics end it.
    fn list(
        &self,
        ctx: &Ctx,
        req: ListRequest,
        found: Found,
    ) -> impl Future<Output = Diagnostics> + Send;
}

pub struct ListRequest {
    pub config: Value,
    /// Each result carries the whole object too (`include_resource = true`).
    pub include_resource_object: bool,
    /// The most results wanted.
    pub limit: usize,
}

/// One object a list resource found.
pub struct ListedObject {
    /// Its identity, in the managed resource type's identity schema.
    pub identity: Value,
    pub display_name: String,
    /// The whole object in the resource's schema, when asked for.
    pub object: Option<Value>,
}

/// Where a list resource sends what it finds; a closed channel means the client stopped reading.
pub type Found = tokio::sync::mpsc::Sender<ListedObject>;

pub trait DataSource: Send + Sync {
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    fn validate(config: &Value) -> Diagnostics;
    fn read(&self, ctx: &Ctx, config: Value) -> impl Future<Output = StateResponse> + Send;
}

/// Builds an object value from attribute names and values.
pub fn object<const N: usize>(attrs: [(&str, Value); N]) -> Value {
    Value::Object(attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
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
