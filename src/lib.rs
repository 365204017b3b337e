//! terraform-provider-cloudtrail: a Terraform/OpenTofu provider for AWS CloudTrail Lake, on the
//! workspace's provider framework (`tfplugin_framework`). This crate holds only what is
//! CloudTrail's: `aws` (the provider block, clients, the API calls), `resources` (the types) and
//! `provider` (the two together). See ARCHITECTURE.md for the map of modules.

pub mod aws;
pub mod docs;
pub mod provider;
pub mod resources;

/// The framework's modules the provider's code and tests name as the provider's own.
pub use tfplugin_framework::{cty, diagnostics, logging, plugin, schema, timeouts};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
