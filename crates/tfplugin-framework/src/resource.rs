//! What a resource, a data source, an action and a list resource are to the protocol layer: traits
//! called with decoded values of their own schema and the provider's context `C` (its clients and
//! cancellation token), answering with values and diagnostics. No protobuf type crosses this line.

use std::future::Future;

use crate::cty::{Type, Value};
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::schema::{IdentitySchema, Schema};

/// A PlanResourceChange on raw values: what the registry's `AnyResource` takes.
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

/// An ApplyResourceChange on raw values.
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

/// A managed resource type of a provider whose operations are handed a `C`, written against its
/// model: the framework (`lifecycle`) decodes every value into `Model`, runs `validate`, plans
/// from the schema's declarations, calls `modify_plan`, and turns an apply into `create`,
/// `update` or `delete` by its nulls. No operation sees a raw request.
pub trait Resource<C>: Send + Sync {
    const TYPE_NAME: &'static str;
    /// The struct of the schema's attributes and blocks (`model!`); the registry's check fails
    /// if it names anything else.
    type Model: Model + Send + Sync;
    fn schema() -> Schema;
    /// Static checks only: no remote call (`terraform validate` runs without credentials). Run
    /// again at plan and at apply; values may be unknown at validate.
    fn validate(_config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// What is the resource's own in a plan of a create or an update: plan-time reads, warnings,
    /// private data for the apply. `plan` already holds the schema's plan and the validation
    /// diagnostics.
    fn modify_plan(
        &self,
        _ctx: &C,
        _plan: &mut Plan<Self::Model>,
    ) -> impl Future<Output = ()> + Send {
        async {}
    }
    fn create(
        &self,
        ctx: &C,
        change: Change<Self::Model>,
    ) -> impl Future<Output = Applied<Self::Model>> + Send;
    /// By default what `create` does (`change.prior` tells them apart): for a type whose create
    /// drives an object that may already exist to its plan.
    fn update(
        &self,
        ctx: &C,
        change: Change<Self::Model>,
    ) -> impl Future<Output = Applied<Self::Model>> + Send {
        self.create(ctx, change)
    }
    /// Errors keep the object in state, so that its destroy can be tried again.
    fn delete(&self, ctx: &C, prior: Self::Model) -> impl Future<Output = Diagnostics> + Send;
    fn read(&self, ctx: &C, state: Self::Model) -> impl Future<Output = Read<Self::Model>> + Send;
    /// The object an import ID names, as far as the ID tells (the read that follows fills it).
    fn import(&self, ctx: &C, id: &str) -> Result<Self::Model, Diagnostics>;

    /// The identity schema (Terraform ≥ 1.12, OpenTofu ≥ 1.12), if the type has one.
    fn identity_schema() -> Option<IdentitySchema> {
        None
    }
    /// The identity of the object `state` describes; null while it is not wholly known. By
    /// default the state's attributes of the identity's names.
    fn identity(state: &Self::Model) -> Value {
        let Some(schema) = Self::identity_schema() else {
            return Value::Null;
        };
        let state = state.to_value();
        let mut identity = std::collections::BTreeMap::new();
        for a in &schema.attributes {
            match state.get(a.name) {
                Some(v) if v.is_known() && !v.is_null() => {
                    identity.insert(a.name.to_owned(), v.clone());
                }
                _ => return Value::Null,
            }
        }
        Value::Object(identity)
    }
    /// UpgradeResourceState of a state written under an older version of the schema: the model
    /// it stands for. A type gets one when its schema's version moves; until then there is none.
    fn upgrade_state(version: i64, _json: &[u8]) -> Result<Self::Model, Diagnostics> {
        Err(Diagnostic::error(
            "No state upgrade",
            format!(
                "{} cannot read a state of schema version {version}; this provider has no \
                 upgrade from it.",
                Self::TYPE_NAME
            ),
        )
        .into())
    }
    /// MoveResourceState (a `moved` block from another resource type, possibly of another
    /// provider): the model of the object `source` describes, or `None` when this type does not
    /// take state from that type. No remote call: Terraform calls it on an unconfigured provider.
    fn move_state(_source: &MovedState) -> Option<Result<Self::Model, Diagnostics>> {
        None
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

/// A plan of a create (`prior` is `None`) or an update, as `Resource::modify_plan` gets it.
pub struct Plan<M> {
    pub config: M,
    pub prior: Option<M>,
    /// The schema's plan: defaults, kept computed values, the rest unknown.
    pub planned: M,
    /// Attributes whose change replaces the object (the schema's `requires_replace_if`).
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
    /// Bytes handed to the apply of this plan, which runs in another process; empty means none.
    pub private: Vec<u8>,
}

impl<M> Plan<M> {
    /// Whether the apply makes a new object: a create or a replacement.
    pub fn makes_new(&self) -> bool {
        self.prior.is_none() || !self.requires_replace.is_empty()
    }
}

/// The state of a resource of another type, as `Resource::move_state` gets it.
#[derive(Debug, Clone, Default)]
pub struct MovedState {
    /// The source provider's address, e.g. `registry.terraform.io/hashicorp/aws`.
    pub provider_address: String,
    pub type_name: String,
    pub schema_version: i64,
    /// The state as the source provider wrote it, in JSON.
    pub json: Vec<u8>,
}

impl MovedState {
    /// The source state read with the source type's value type, which the taking type
    /// declares; anything that does not fit it is an error naming the source.
    pub fn decode(&self, ty: &Type) -> Result<Value, Diagnostics> {
        crate::cty::json::decode(&self.json, ty).map_err(|e| {
            Diagnostic::error(
                "Unreadable source state",
                format!(
                    "The state of {} (provider {}, schema version {}) could not be read: {}",
                    self.type_name, self.provider_address, self.schema_version, e.message
                ),
            )
            .into()
        })
    }
}

/// A create (`prior` is `None`) or an update to apply.
pub struct Change<M> {
    pub config: M,
    pub prior: Option<M>,
    pub planned: M,
    /// What the plan put in `Plan::private`.
    pub private: Vec<u8>,
}

/// What a create or an update did. Terraform records `state` even with errors, so it must say
/// what really happened: `None` keeps the prior object (none on a create). A state that is not
/// wholly known cannot be recorded: with errors the prior object is kept instead, without them
/// it is an error of its own.
pub struct Applied<M> {
    pub state: Option<M>,
    pub diagnostics: Diagnostics,
}

/// What a refresh found.
pub enum Read<M> {
    Found(M),
    /// The object no longer exists: it leaves Terraform's state.
    Gone,
    /// The state is kept as it was.
    Failed(Diagnostics),
}

/// An action (Terraform ≥ 1.14): a side effect run on demand or from an `action_trigger`. It
/// changes no state. The framework validates its configuration before `invoke`.
pub trait Action<C>: Send + Sync {
    const TYPE_NAME: &'static str;
    /// The struct of the schema's attributes (`model!`).
    type Model: Model + Send + Sync;
    fn schema() -> Schema;
    /// Static checks only, as for resources.
    fn validate(_config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Runs the action, reporting to `progress` as it goes; the diagnostics end it.
    fn invoke(
        &self,
        ctx: &C,
        config: Self::Model,
        progress: Progress,
    ) -> impl Future<Output = Diagnostics> + Send;
}

/// Where an action reports its progress (InvokeAction's progress events), line by line.
#[derive(Clone)]
pub struct Progress(tokio::sync::mpsc::UnboundedSender<String>);

impl Progress {
    /// A progress sender and the receiving end of its lines.
    pub fn channel() -> (Progress, tokio::sync::mpsc::UnboundedReceiver<String>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (Progress(tx), rx)
    }

    /// Reports one line. A client that stopped listening changes nothing about the work itself,
    /// so this cannot fail.
    pub fn report(&self, line: impl Into<String>) {
        let _ = self.0.send(line.into());
    }
}

/// A list resource (Terraform ≥ 1.14, `terraform query`): finds the remote objects of a managed
/// resource type, each named by that type's identity. The framework validates its
/// configuration before `list`.
pub trait ListResource<C>: Send + Sync {
    /// The managed resource type whose objects it lists: each is its model, named by its
    /// identity.
    type Resource: Resource<C>;
    /// A list resource is named as its managed resource type.
    const TYPE_NAME: &'static str = <Self::Resource as Resource<C>>::TYPE_NAME;
    /// The struct of the `config` block's attributes (`model!`).
    type Model: Model + Send + Sync;
    fn schema() -> Schema;
    fn validate(_config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// Sends each object found to `found`, at most `req.limit` of them; the diagnostics end it.
    fn list(
        &self,
        ctx: &C,
        req: ListRequest<Self::Model>,
        found: Found<<Self::Resource as Resource<C>>::Model>,
    ) -> impl Future<Output = Diagnostics> + Send;
}

/// A ListResource call: raw (`Value`) for the registry, the model for the list resource.
pub struct ListRequest<M = Value> {
    pub config: M,
    /// Each result carries the whole object too (`include_resource = true`).
    pub include_resource_object: bool,
    /// The most results wanted.
    pub limit: usize,
}

/// One object a list resource found, as the registry hands it on.
pub struct ListedObject {
    /// Its identity, in the managed resource type's identity schema.
    pub identity: Value,
    pub display_name: String,
    /// The whole object in the resource's schema, when asked for.
    pub object: Option<Value>,
}

/// Where the registry's list resources send what they find; a closed channel means the client
/// stopped reading.
pub type ListSender = tokio::sync::mpsc::Sender<ListedObject>;

/// Where a list resource sends each object it finds, as its managed resource's model `M`: the
/// framework names it by that resource's identity, and adds the whole object when asked for.
pub struct Found<M> {
    pub(crate) tx: ListSender,
    pub(crate) include_object: bool,
    pub(crate) identity: fn(&M) -> Value,
}

impl<M: Model> Found<M> {
    /// Sends one object; `false` when the client stopped reading (its limit, or Ctrl-C), so that
    /// the list can stop. An object whose identity is not wholly known is not sent.
    pub async fn send(&self, display_name: String, object: M) -> bool {
        let identity = (self.identity)(&object);
        if identity.is_null() {
            return true;
        }
        let listed = ListedObject {
            identity,
            display_name,
            object: self.include_object.then(|| object.to_value()),
        };
        self.tx.send(listed).await.is_ok()
    }
}

/// A data source: reads an object from its configuration. The framework validates the
/// configuration before `read` and keeps a result with unknown values out of Terraform.
pub trait DataSource<C>: Send + Sync {
    const TYPE_NAME: &'static str;
    /// The struct of the schema's attributes and blocks (`model!`).
    type Model: Model + Send + Sync;
    fn schema() -> Schema;
    fn validate(_config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// The whole object, its configuration filled in, or why there is none.
    fn read(
        &self,
        ctx: &C,
        config: Self::Model,
    ) -> impl Future<Output = Result<Self::Model, Diagnostics>> + Send;
}

/// Builds an object value from attribute names and values.
pub fn object<const N: usize>(attrs: [(&str, Value); N]) -> Value {
    Value::Object(attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}
