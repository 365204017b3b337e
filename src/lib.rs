//! terraform-provider-cloudtrail: a Terraform/OpenTofu provider that manages the ingestion state
//! of AWS CloudTrail Lake event data stores. See ARCHITECTURE.md for the map of modules.

pub mod aws;
pub mod cty;
pub mod diagnostics;
pub mod docs;
pub mod logging;
pub mod plugin;
#[doc(hidden)]
pub mod proto;
pub mod provider;
pub mod resources;
pub mod schema;
pub mod tfplugin;
pub mod timeouts;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
