//! Everything that talks to AWS: the provider block's settings turned into an SDK configuration,
//! the shared CloudTrail clients with their call log and Start/Stop pacing, the store reference
//! rule, and AWS errors turned into diagnostics a person can act on.

pub mod arn;
pub mod call_log;
pub mod clients;
pub mod config;
pub mod credentials;
pub mod errors;
pub mod http;
pub mod manage;
pub mod pacing;
pub mod proxy;
pub mod status;
pub mod store;

pub use clients::AwsClients;
pub use config::{PlanChecks, ProviderConfig};
