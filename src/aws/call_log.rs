//! One debug line per CloudTrail operation (TF_LOG=debug): its name, latency, attempts and request
//! id, written by an SDK interceptor once the SDK's retries are over. Never credentials or headers.

use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// Added to every CloudTrail client the provider builds.
#[derive(Debug, Default)]
pub struct CallLog;

#[derive(Debug, Clone)]
struct Started(Instant);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("unknown", Metadata::name);
        let attempts = cfg.load::<RequestAttempts>().map_or(0, |a| a.attempts());
        let elapsed_ms = cfg.load::<Started>().map_or(0, |s| {
            u64::try_from(s.0.elapsed().as_millis()).unwrap_or(u64::MAX)
        });
        let response = context.response();
        let http_status = response.map_or(0, |r| r.status().as_u16());
        // Only the request id is taken from the headers; nothing else of the exchange is logged.
        let request_id = response
            .and_then(|r| {
                r.headers()
                    .get("x-amzn-requestid")
                    .or_else(|| r.headers().get("x-amz-request-id"))
            })
            .unwrap_or("");
        let outcome = match context.output_or_error() {
            Some(Ok(_)) => "ok",
            Some(Err(_)) => "error",
            None => "none",
        };
        tracing::debug!(
            operation,
            elapsed_ms,
            attempts,
            retries = attempts.saturating_sub(1),
            http_status,
            request_id,
            outcome,
            "AWS call"
        );
        Ok(())
    }
}
