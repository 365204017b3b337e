//! Everything that talks to AWS: the provider block's settings turned into an SDK configuration,
//! one CloudTrail client per region, the store reference rule, and AWS errors turned into
//! diagnostics a person can act on.

pub mod arn;
pub mod config;
pub mod errors;
pub mod store;

pub use config::{AwsClients, ProviderConfig};
