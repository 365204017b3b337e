//! What a resource, a data source, an action and a list resource are to the protocol layer: traits
//! called with decoded values of their own schema and the provider's context `C` (its clients and
//! cancellation token), answering with values and diagnostics. No protobuf type crosses this line.

use std::future::Future;

use crate::cty::Value;
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use crate::schema::{IdentitySchema, Schema};

pub struct PlanRequest {
    pub config: Value,
    pub prior_state: Value,
    pub proposed_new_state: Value,
}

#[derive(Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    /// The planned object's identity (the framework fills it from `Resource::identity`); null
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

/// `state` is recorded by Terraform even with errors, so it must say what really happened.
#[derive(Default)]
pub struct StateResponse {
    pub state: Value,
    /// The object's identity (the framework fills it from `Resource::identity`); null if none.
    pub identity: Value,
    pub diagnostics: Diagnostics,
}

/// A managed resource type of a provider whose operations are handed a `C`.
pub trait Resource<C>: Send + Sync {
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    /// Static checks only: no remote call (`terraform validate` runs without credentials).
    fn validate(config: &Value) -> Diagnostics;
    fn plan(&self, ctx: &C, req: PlanRequest) -> impl Future<Output = PlanResponse> + Send;
    fn apply(&self, ctx: &C, req: ApplyRequest) -> impl Future<Output = StateResponse> + Send;
    /// `state` Null in the answer means the object is gone and leaves Terraform's state.
    fn read(&self, ctx: &C, state: Value) -> impl Future<Output = StateResponse> + Send;
    fn import(&self, ctx: &C, id: &str) -> StateResponse;

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
pub trait Action<C>: Send + Sync {
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    /// Static checks only, as for resources.
    fn validate(config: &Value) -> Diagnostics;
    /// Runs the action, sending a line to `progress` as it goes; the diagnostics end it.
    fn invoke(
        &self,
        ctx: &C,
        config: Value,
        progress: Progress,
    ) -> impl Future<Output = Diagnostics> + Send;
}

/// Where an action reports its progress (InvokeAction's progress events).
pub type Progress = tokio::sync::mpsc::UnboundedSender<String>;

/// A list resource (Terraform ≥ 1.14, `terraform query`): finds the remote objects of a managed
/// resource type, each named by that type's identity.
pub trait ListResource<C>: Send + Sync {
    /// The managed resource type whose objects it lists (its identity schema is used).
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    fn validate(config: &Value) -> Diagnostics;
    /// Sends each object found to `found`, at most `limit` of them; the diagnostics end it.
    fn list(
        &self,
        ctx: &C,
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

pub trait DataSource<C>: Send + Sync {
    const TYPE_NAME: &'static str;
    fn schema() -> Schema;
    fn validate(config: &Value) -> Diagnostics;
    fn read(&self, ctx: &C, config: Value) -> impl Future<Output = StateResponse> + Send;
}

/// Builds an object value from attribute names and values.
pub fn object<const N: usize>(attrs: [(&str, Value); N]) -> Value {
    Value::Object(attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}
