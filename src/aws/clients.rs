//! The CloudTrail clients every resource of the process shares: one per region, each with the
//! call log, and the Start/Stop pacing per account and region. Built from an SDK configuration,
//! or from any CloudTrail configuration (a mocked one in tests).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::Region;
use aws_types::SdkConfig;

use super::arn::StoreRef;
use super::call_log::CallLog;
use super::config::PlanChecks;
use super::pacing::{DEFAULT_INTERVAL, Pacer, Pacers};
use super::store::Store;
use crate::diagnostics::{AttributePath, Diagnostic};

pub struct AwsClients {
    base: aws_sdk_cloudtrail::Config,
    by_region: Mutex<HashMap<String, Client>>,
    pacers: Pacers,
    /// Cleared after a plan-time check could not reach AWS (no credentials, no network): the
    /// other resources of the plan then skip theirs instead of each waiting for the same failure.
    plan_checks: AtomicBool,
    plan_checks_mode: PlanChecks,
    /// The ingestion each store (by full ARN) was last driven to by an apply of this process.
    /// A `create_before_destroy` replacement creates the new object before it destroys the old
    /// one, in the same process: the old object's `stop_on_destroy` must not undo the start.
    applied: Mutex<HashMap<String, bool>>,
}

impl AwsClients {
    /// Clients for the provider block's SDK configuration, with CloudTrail's own endpoint (the
    /// SDK configuration carries none, so STS and the others keep theirs).
    pub fn new(sdk: &SdkConfig, endpoint: Option<String>) -> Self {
        let mut conf = aws_sdk_cloudtrail::config::Builder::from(sdk);
        conf.set_endpoint_url(endpoint);
        Self::from_conf(conf.build())
    }

    /// Clients derived from `base`, which may lack a region (each client sets its own).
    pub fn from_conf(base: aws_sdk_cloudtrail::Config) -> Self {
        AwsClients {
            base,
            by_region: Mutex::new(HashMap::new()),
            pacers: Pacers::new(DEFAULT_INTERVAL),
            plan_checks: AtomicBool::new(true),
            plan_checks_mode: PlanChecks::default(),
            applied: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the spacing of Start/Stop calls (zero turns pacing off).
    pub fn with_pacing_interval(mut self, interval: Duration) -> Self {
        self.pacers = Pacers::new(interval);
        self
    }

    /// Sets what plans do with their read of a store (the provider block's `plan_checks`).
    pub fn with_plan_checks(mut self, mode: PlanChecks) -> Self {
        self.plan_checks_mode = mode;
        self
    }

    pub fn plan_checks(&self) -> PlanChecks {
        self.plan_checks_mode
    }

    pub fn default_region(&self) -> Option<&str> {
        self.base.region().map(Region::as_ref)
    }

    /// The client for `region` (an ARN's region), else for the provider's region, with the region
    /// it uses.
    pub fn client(&self, region: Option<&str>) -> Result<(Client, String), Diagnostic> {
        let Some(region) = region.or(self.default_region()).map(str::to_owned) else {
            return Err(Diagnostic::error(
                "No AWS region",
                "No region is configured: set region in the provider block, or AWS_REGION, or \
                 a region in the profile, or write event_data_store as a full ARN (its region \
                 is used).",
            ));
        };
        let mut map = self
            .by_region
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let client = map.entry(region.clone()).or_insert_with(|| {
            let conf = self
                .base
                .to_builder()
                .region(Region::new(region.clone()))
                .interceptor(CallLog)
                .build();
            Client::from_conf(conf)
        });
        Ok((client.clone(), region))
    }

    /// The calls about one store, reported at `path`.
    pub fn store<'a>(
        &'a self,
        store: &'a StoreRef,
        path: Option<AttributePath>,
    ) -> Result<Store<'a>, Diagnostic> {
        let (client, region) = match self.client(store.region.as_deref()) {
            Ok(c) => c,
            Err(d) => return Err(d.at_opt(path)),
        };
        Ok(Store::new(self, client, region, store, path))
    }

    pub(crate) fn pacer(&self, account: &str, region: &str) -> Arc<Pacer> {
        self.pacers.get(account, region)
    }

    pub(crate) fn plan_checks_enabled(&self) -> bool {
        self.plan_checks.load(Ordering::Relaxed)
    }

    pub(crate) fn disable_plan_checks(&self) {
        self.plan_checks.store(false, Ordering::Relaxed);
    }

    /// Records that an apply of this process drove the store `arn` to ingesting (`true`) or not.
    pub(crate) fn note_applied(&self, arn: &str, ingesting: bool) {
        self.applied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(arn.to_owned(), ingesting);
    }

    /// Whether an apply of this process last started (or kept started) the store `arn`.
    pub(crate) fn started_here(&self, arn: &str) -> bool {
        self.applied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(arn)
            .copied()
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clients(region: Option<&str>) -> AwsClients {
        let mut conf = aws_sdk_cloudtrail::Config::builder()
            .behavior_version(aws_sdk_cloudtrail::config::BehaviorVersion::latest());
        if let Some(r) = region {
            conf = conf.region(Region::new(r.to_owned()));
        }
        AwsClients::from_conf(conf.build())
    }

    #[test]
    fn an_arn_region_wins_over_the_provider_region() {
        let c = clients(Some("us-east-1"));
        let arn =
            StoreRef::parse("arn:aws:cloudtrail:eu-west-1:123456789012:eventdatastore/x").unwrap();
        let (client, region) = c.client(arn.region.as_deref()).unwrap();
        assert_eq!(region, "eu-west-1");
        assert_eq!(
            client.config().region().map(Region::as_ref),
            Some("eu-west-1")
        );
        let id = StoreRef::parse("store-id").unwrap();
        let (client, region) = c.client(id.region.as_deref()).unwrap();
        assert_eq!(region, "us-east-1");
        assert_eq!(
            client.config().region().map(Region::as_ref),
            Some("us-east-1")
        );
    }

    #[test]
    fn an_id_without_any_region_is_a_clear_error() {
        let err = clients(None).client(None).unwrap_err();
        assert_eq!(err.summary, "No AWS region");
        // An ARN still works without a provider region.
        assert!(clients(None).client(Some("ap-south-1")).is_ok());
    }
}
