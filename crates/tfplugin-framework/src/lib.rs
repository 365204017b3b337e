//! A framework for Terraform and OpenTofu providers in Rust: the go-plugin server with AutoMTLS,
//! the tfplugin6 service, the cty codec, schemas, diagnostics, typed models, plan modifiers,
//! timeouts, a registry of types and the registry docs renderer. It knows no cloud: a provider
//! implements `provider::Provider` and the traits of `resource`, and calls `plugin::serve`. No
//! protobuf type is part of its interface.

pub mod cty;
pub mod diagnostics;
pub mod docs;
mod lifecycle;
pub mod logging;
pub mod model;
pub mod plan;
pub mod plugin;
pub mod provider;
pub mod registry;
pub mod resource;
pub mod schema;
mod tfplugin;
pub mod timeouts;
