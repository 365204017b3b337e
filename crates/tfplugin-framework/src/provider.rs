//! A provider as the framework sees it (`Provider`: its block, its configuration, its registry of
//! types), and `Dispatcher`, which hands each operation to the type it names, with one "unknown
//! type" diagnostic and every identity read from the object's own state.

use std::future::Future;

use crate::cty::Value;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Model, matches_schema};
use crate::registry::{AnyAction, AnyDataSource, AnyListResource, AnyResource, Registry};
use crate::resource::{
    ApplyRequest, ListRequest, ListSender, MovedState, PlanRequest, PlanResponse, Progress,
    StateResponse,
};
use crate::schema::Schema;

/// A provider: the schema and configuration of its block, and its types.
pub trait Provider: Send + Sync + 'static {
    /// What every operation is handed: the configured clients, a cancellation token.
    type Ctx: Send + Sync + 'static;
    /// The block as a model, held to `schema` by [`Dispatcher::check`] as each type's model is.
    type Block: Model;
    fn schema() -> Schema;
    /// Static checks of the provider block (ValidateProviderConfig); values may be unknown.
    fn validate(config: &Value) -> Diagnostics;
    /// ConfigureProvider; values may be unknown (they come from resources not yet created).
    fn configure(&self, config: &Value) -> impl Future<Output = Diagnostics> + Send;
    /// The context of an operation starting now.
    fn ctx(&self) -> Self::Ctx;
    /// StopProvider: cancel what is in flight (later operations must not start cancelled).
    fn stop(&self);
    fn registry() -> &'static Registry<Self::Ctx>;
}

fn unknown_type(kind: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("This provider has no {kind} type {type_name:?}."),
    )
    .into()
}

fn failed(diagnostics: Diagnostics) -> StateResponse {
    StateResponse {
        diagnostics,
        ..StateResponse::default()
    }
}

/// The operations of `P`, by type name, on decoded values: what the gRPC service calls, and
/// what in-process tests drive.
pub struct Dispatcher<P: Provider> {
    provider: P,
}

impl<P: Provider> Dispatcher<P> {
    pub fn new(provider: P) -> Self {
        Dispatcher { provider }
    }

    pub fn provider(&self) -> &P {
        &self.provider
    }

    pub fn provider_schema() -> Schema {
        P::schema()
    }

    /// The provider holds together: its block's model names its schema, and its registry keeps
    /// [`Registry::check`]'s rules. The first rule broken, as a message.
    pub fn check() -> Result<(), String> {
        if !matches_schema::<P::Block>(&P::schema()) {
            return Err(
                "the provider block's model does not name exactly its schema's \
                        attributes and blocks, each of its type"
                    .to_owned(),
            );
        }
        P::registry().check()
    }

    /// The resource of this type, or the diagnostic every operation on an unknown type gives.
    pub fn resource(type_name: &str) -> Result<&'static dyn AnyResource<P::Ctx>, Diagnostics> {
        P::registry()
            .resource(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }

    pub fn data_source(type_name: &str) -> Result<&'static dyn AnyDataSource<P::Ctx>, Diagnostics> {
        P::registry()
            .data_source(type_name)
            .ok_or_else(|| unknown_type("data source", type_name))
    }

    pub fn action(type_name: &str) -> Result<&'static dyn AnyAction<P::Ctx>, Diagnostics> {
        P::registry()
            .action(type_name)
            .ok_or_else(|| unknown_type("action", type_name))
    }

    pub fn list_resource(
        type_name: &str,
    ) -> Result<&'static dyn AnyListResource<P::Ctx>, Diagnostics> {
        P::registry()
            .list_resource(type_name)
            .ok_or_else(|| unknown_type("list resource", type_name))
    }

    pub fn resource_schema(type_name: &str) -> Result<Schema, Diagnostics> {
        Self::resource(type_name).map(|r| r.schema())
    }

    pub fn data_source_schema(type_name: &str) -> Result<Schema, Diagnostics> {
        Self::data_source(type_name).map(|d| d.schema())
    }

    pub fn validate_provider(config: &Value) -> Diagnostics {
        crate::lifecycle::validation(&P::schema(), config, P::validate)
    }

    /// Configures only a block that keeps its attributes' declared checks.
    pub async fn configure(&self, config: &Value) -> Diagnostics {
        let checked = P::schema().block.check(config);
        if checked.has_errors() {
            return Self::validate_provider(config);
        }
        self.provider.configure(config).await
    }

    pub fn stop(&self) {
        self.provider.stop();
    }

    pub fn validate_resource(type_name: &str, config: &Value) -> Diagnostics {
        Self::resource(type_name).map_or_else(|d| d, |r| r.validate(config))
    }

    pub fn validate_data_source(type_name: &str, config: &Value) -> Diagnostics {
        Self::data_source(type_name).map_or_else(|d| d, |d| d.validate(config))
    }

    pub fn validate_action(type_name: &str, config: &Value) -> Diagnostics {
        Self::action(type_name).map_or_else(|d| d, |a| a.validate(config))
    }

    pub fn validate_list_resource(type_name: &str, config: &Value) -> Diagnostics {
        Self::list_resource(type_name).map_or_else(|d| d, |l| l.validate(config))
    }

    /// Every identity answered is the resource's own reading of the object it describes: known
    /// once the object is, null before (a plan of a new object), never unknown.
    pub async fn plan(&self, type_name: &str, req: PlanRequest) -> PlanResponse {
        match Self::resource(type_name) {
            Ok(r) => {
                let mut resp = r.plan(&self.provider.ctx(), req).await;
                resp.planned_identity = r.identity(&resp.planned_state);
                resp
            }
            Err(diagnostics) => PlanResponse {
                diagnostics,
                ..PlanResponse::default()
            },
        }
    }

    pub async fn apply(&self, type_name: &str, req: ApplyRequest) -> StateResponse {
        match Self::resource(type_name) {
            Ok(r) => with_identity(r, r.apply(&self.provider.ctx(), req).await),
            Err(diagnostics) => failed(diagnostics),
        }
    }

    pub async fn read(&self, type_name: &str, state: Value) -> StateResponse {
        match Self::resource(type_name) {
            Ok(r) => with_identity(r, r.read(&self.provider.ctx(), state).await),
            Err(diagnostics) => failed(diagnostics),
        }
    }

    pub fn import(&self, type_name: &str, id: &str) -> StateResponse {
        match Self::resource(type_name) {
            Ok(r) => with_identity(r, r.import(&self.provider.ctx(), id)),
            Err(diagnostics) => failed(diagnostics),
        }
    }

    /// UpgradeResourceState: a stored state (JSON, of schema version `version`) as a value of
    /// the type's current schema.
    pub fn upgrade_state(type_name: &str, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        Self::resource(type_name)?.upgrade(version, json)
    }

    /// MoveResourceState: the state of another resource type as one of `type_name`, with its
    /// identity.
    pub fn move_state(type_name: &str, source: &MovedState) -> StateResponse {
        match Self::resource(type_name) {
            Ok(r) => with_identity(r, r.move_state(source)),
            Err(diagnostics) => failed(diagnostics),
        }
    }

    /// `import { identity = { … } }`: the object the identity names, which keeps that identity.
    pub fn import_by_identity(&self, type_name: &str, identity: &Value) -> StateResponse {
        let id = Self::resource(type_name).and_then(|r| r.import_id(identity));
        match id {
            Ok(id) => {
                let mut resp = self.import(type_name, &id);
                if !resp.state.is_null() {
                    resp.identity = identity.clone();
                }
                resp
            }
            Err(diagnostics) => failed(diagnostics),
        }
    }

    pub async fn invoke_action(
        &self,
        type_name: &str,
        config: Value,
        progress: Progress,
    ) -> Diagnostics {
        match Self::action(type_name) {
            Ok(a) => a.invoke(&self.provider.ctx(), config, progress).await,
            Err(diagnostics) => diagnostics,
        }
    }

    pub async fn list(&self, type_name: &str, req: ListRequest, found: ListSender) -> Diagnostics {
        match Self::list_resource(type_name) {
            Ok(l) => l.list(&self.provider.ctx(), req, found).await,
            Err(diagnostics) => diagnostics,
        }
    }

    pub async fn read_data_source(&self, type_name: &str, config: Value) -> StateResponse {
        match Self::data_source(type_name) {
            Ok(d) => d.read(&self.provider.ctx(), config).await,
            Err(diagnostics) => failed(diagnostics),
        }
    }
}

fn with_identity<C>(r: &dyn AnyResource<C>, mut resp: StateResponse) -> StateResponse {
    resp.identity = r.identity(&resp.state);
    resp
}
