//! The provider as Terraform sees it, in the project's own types: its schemas, its configuration
//! and the dispatch of each operation to the resource or data source named by type.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tokio_util::sync::CancellationToken;

use crate::aws::{AwsClients, ProviderConfig, config as aws_config_schema};
use crate::cty::Value;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::resources::registry::{self, AnyAction, AnyDataSource, AnyListResource, AnyResource};
use crate::resources::{
    ApplyRequest, Ctx, Found, ListRequest, PlanRequest, PlanResponse, Progress, StateResponse,
};
use crate::schema::Schema;

#[derive(Default)]
pub struct Provider {
    aws: RwLock<Option<Arc<AwsClients>>>,
    /// Replaced after each StopProvider so later operations are not born cancelled.
    cancel: Mutex<CancellationToken>,
}

fn unknown_type(kind: &str, type_name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("This provider has no {kind} type {type_name:?}."),
    )
    .into()
}

impl Provider {
    pub fn new() -> Self {
        Self::default()
    }

    /// A provider configured with `clients` from the start, as ConfigureProvider would leave it
    /// (tests hand it clients built on a mocked CloudTrail configuration).
    pub fn with_aws(clients: AwsClients) -> Self {
        Provider {
            aws: RwLock::new(Some(Arc::new(clients))),
            ..Self::default()
        }
    }

    pub fn provider_schema() -> Schema {
        aws_config_schema::schema()
    }

    /// The resource of this type, or the diagnostic every operation on an unknown type gives.
    pub fn resource(type_name: &str) -> Result<&'static dyn AnyResource, Diagnostics> {
        registry::resource(type_name).ok_or_else(|| unknown_type("resource", type_name))
    }

    pub fn data_source(type_name: &str) -> Result<&'static dyn AnyDataSource, Diagnostics> {
        registry::data_source(type_name).ok_or_else(|| unknown_type("data source", type_name))
    }

    pub fn resource_schema(type_name: &str) -> Result<Schema, Diagnostics> {
        Self::resource(type_name).map(|r| r.schema())
    }

    pub fn data_source_schema(type_name: &str) -> Result<Schema, Diagnostics> {
        Self::data_source(type_name).map(|d| d.schema())
    }

    fn ctx(&self) -> Ctx {
        Ctx {
            aws: self
                .aws
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            cancel: self
                .cancel
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }

    /// Checks only what is known; unknown values are checked again at ConfigureProvider.
    pub fn validate_provider(config: &Value) -> Diagnostics {
        if !config.is_known() {
            return Diagnostics::new();
        }
        match ProviderConfig::from_value(config) {
            Ok(_) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    pub async fn configure(&self, config: &Value) -> Diagnostics {
        if !config.is_known() {
            // Values from resources not yet created: operations that need AWS will say so.
            tracing::debug!("provider configuration not yet known; AWS calls wait for apply");
            return Diagnostics::new();
        }
        match ProviderConfig::from_value(config) {
            Ok(cfg) => match cfg.load().await {
                Ok(configured) => {
                    let clients = configured.clients;
                    tracing::debug!(
                        region = clients.default_region().unwrap_or(""),
                        "provider configured"
                    );
                    *self.aws.write().unwrap_or_else(PoisonError::into_inner) =
                        Some(Arc::new(clients));
                    configured.warnings
                }
                Err(d) => d,
            },
            Err(d) => d,
        }
    }

    pub fn stop(&self) {
        let mut token = self.cancel.lock().unwrap_or_else(PoisonError::into_inner);
        token.cancel();
        *token = CancellationToken::new();
    }

    pub fn validate_resource(type_name: &str, config: &Value) -> Diagnostics {
        Self::resource(type_name).map_or_else(|d| d, |r| r.validate(config))
    }

    pub fn validate_data_source(type_name: &str, config: &Value) -> Diagnostics {
        Self::data_source(type_name).map_or_else(|d| d, |d| d.validate(config))
    }

    pub fn action(type_name: &str) -> Result<&'static dyn AnyAction, Diagnostics> {
        registry::action(type_name).ok_or_else(|| unknown_type("action", type_name))
    }

    pub fn list_resource(type_name: &str) -> Result<&'static dyn AnyListResource, Diagnostics> {
        registry::list_resource(type_name).ok_or_else(|| unknown_type("list resource", type_name))
    }

    /// Every identity answered is the resource's own reading of the object it describes: known
    /// once the store's ARN is, null before (a plan of a new object), never unknown.
    pub async fn plan(&self, type_name: &str, req: PlanRequest) -> PlanResponse {
        match Self::resource(type_name) {
            Ok(r) => {
                let mut resp = r.plan(&self.ctx(), req).await;
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
            Ok(r) => with_identity(r, r.apply(&self.ctx(), req).await),
            Err(diagnostics) => failed(diagnostics),
        }
    }

    pub async fn read(&self, type_name: &str, state: Value) -> StateResponse {
        match Self::resource(type_name) {
            Ok(r) => with_identity(r, r.read(&self.ctx(), state).await),
            Err(diagnostics) => failed(diagnostics),
        }
    }

    pub fn import(&self, type_name: &str, id: &str) -> StateResponse {
        match Self::resource(type_name) {
            Ok(r) => with_identity(r, r.import(&self.ctx(), id)),
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

    pub fn validate_action(type_name: &str, config: &Value) -> Diagnostics {
        Self::action(type_name).map_or_else(|d| d, |a| a.validate(config))
    }

    pub async fn invoke_action(
        &self,
        type_name: &str,
        config: Value,
        progress: Progress,
    ) -> Diagnostics {
        match Self::action(type_name) {
            Ok(a) => a.invoke(&self.ctx(), config, progress).await,
            Err(diagnostics) => diagnostics,
        }
    }

    pub fn validate_list_resource(type_name: &str, config: &Value) -> Diagnostics {
        Self::list_resource(type_name).map_or_else(|d| d, |l| l.validate(config))
    }

    pub async fn list(&self, type_name: &str, req: ListRequest, found: Found) -> Diagnostics {
        match Self::list_resource(type_name) {
            Ok(l) => l.list(&self.ctx(), req, found).await,
            Err(diagnostics) => diagnostics,
        }
    }

    pub async fn read_data_source(&self, type_name: &str, config: Value) -> StateResponse {
        match Self::data_source(type_name) {
            Ok(d) => d.read(&self.ctx(), config).await,
            Err(diagnostics) => failed(diagnostics),
        }
    }
}

fn with_identity(r: &dyn AnyResource, mut resp: StateResponse) -> StateResponse {
    resp.identity = r.identity(&resp.state);
    resp
}

fn failed(diagnostics: Diagnostics) -> StateResponse {
    StateResponse {
        diagnostics,
        ..StateResponse::default()
    }
}
