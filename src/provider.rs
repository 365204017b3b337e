//! The cloudtrail provider as the framework sees it: its block (`aws::config`), its configuration
//! into AWS clients, the context each operation gets, and its registry of types.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tokio_util::sync::CancellationToken;

use crate::aws::config::schema::ProviderBlock;
use crate::aws::{AwsClients, ProviderConfig, config as aws_config_schema};
use crate::cty::Value;
use crate::diagnostics::Diagnostics;
use crate::resources::Ctx;
use crate::schema::Schema;
use tfplugin_framework::model::Model;
use tfplugin_framework::registry::Registry;

/// The provider's local name: `provider "cloudtrail"`, every type name's prefix, its log module.
pub const NAME: &str = "cloudtrail";

/// The source addresses Terraform and OpenTofu know it by (TF_REATTACH_PROVIDERS in debug mode).
pub const ADDRESSES: &[&str] = &[
    "registry.terraform.io/cloudtrail-lake/cloudtrail",
    "registry.opentofu.org/cloudtrail-lake/cloudtrail",
];

/// Every operation by type name on decoded values: what the gRPC service calls, and what the
/// in-process tests drive.
pub type Provider = tfplugin_framework::provider::Dispatcher<CloudTrail>;

#[derive(Default)]
pub struct CloudTrail {
    aws: RwLock<Option<Arc<AwsClients>>>,
    /// Replaced after each StopProvider so later operations are not born cancelled.
    cancel: Mutex<CancellationToken>,
}

impl CloudTrail {
    pub fn new() -> Self {
        Self::default()
    }

    /// A provider configured with `clients` from the start, as ConfigureProvider would leave it
    /// (tests hand it clients built on a mocked CloudTrail configuration).
    pub fn with_aws(clients: AwsClients) -> Self {
        CloudTrail {
            aws: RwLock::new(Some(Arc::new(clients))),
            ..Self::default()
        }
    }
}

impl tfplugin_framework::provider::Provider for CloudTrail {
    type Ctx = Ctx;
    type Block = ProviderBlock;

    fn schema() -> Schema {
        aws_config_schema::schema()
    }

    /// Checks only what is known; unknown values are checked again at ConfigureProvider.
    fn validate(config: &Value) -> Diagnostics {
        if !config.is_known() {
            return Diagnostics::new();
        }
        // The attributes' own checks are the framework's; these are the rules between them.
        match ProviderConfig::from_block(&ProviderBlock::from_value(config)) {
            Ok(_) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
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

    fn stop(&self) {
        let mut token = self.cancel.lock().unwrap_or_else(PoisonError::into_inner);
        token.cancel();
        *token = CancellationToken::new();
    }

    fn registry() -> &'static Registry<Ctx> {
        &crate::resources::registry::REGISTRY
    }
}
