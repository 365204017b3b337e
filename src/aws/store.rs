//! The three CloudTrail calls this provider makes (GetEventDataStore, Start/StopEventDataStore-
//! Ingestion) for one store, with Start/Stop paced per account and region, and the store's facts
//! as plain data.

use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::config::timeout::TimeoutConfig;
use aws_sdk_cloudtrail::operation::get_event_data_store::GetEventDataStoreOutput;

use super::arn::StoreRef;
use super::clients::AwsClients;
use super::errors::{self, AwsError, CallContext, ErrorKind};
use super::status::Status;
use crate::diagnostics::{AttributePath, Diagnostic};

/// The categories whose stores can start and stop ingestion (from the `eventCategory` selector).
pub const STARTABLE_CATEGORIES: [&str; 4] =
    ["Management", "Data", "NetworkActivity", "ConfigurationItem"];

/// A plan-time check must not hold a plan up: the SDK's default three attempts within 5 s, then
/// a warning. Terraform plans again in the apply walk, in a new process, so a hung endpoint costs
/// this twice before the apply's own timeout applies.
const CHECK_ATTEMPTS: u32 = 3;
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// What GetEventDataStore says about a store, reduced to what the provider uses.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreInfo {
    pub arn: String,
    pub name: String,
    pub status: Status,
    /// Values of the `eventCategory` field selectors (Management, Data, ...).
    pub event_categories: Vec<String>,
    pub multi_region_enabled: bool,
    pub organization_enabled: bool,
    pub retention_period: Option<i64>,
    pub termination_protection_enabled: bool,
}

impl StoreInfo {
    /// Ingestion counts as enabled while it is on or on its way on.
    pub fn ingestion_enabled(&self) -> bool {
        self.status.is_ingesting()
    }

    /// Categories whose ingestion CloudTrail cannot start or stop (Insights, ActivityAuditLog...).
    pub fn unstartable_categories(&self) -> Vec<&str> {
        self.event_categories
            .iter()
            .map(String::as_str)
            .filter(|c| !STARTABLE_CATEGORIES.contains(c))
            .collect()
    }
}

pub enum Lookup {
    Found(StoreInfo),
    Gone(Gone),
}

/// A store that exists no more, as far as this provider is concerned.
pub enum Gone {
    /// EventDataStoreNotFoundException, as a diagnostic with AWS's message and request id.
    NotFound(Diagnostic),
    /// Deleted: only RestoreEventDataStore can bring it back within 7 days.
    PendingDeletion(StoreInfo),
}

pub struct Store<'a> {
    aws: &'a AwsClients,
    client: Client,
    region: String,
    pub store: &'a StoreRef,
    path: Option<AttributePath>,
}

impl<'a> Store<'a> {
    pub(crate) fn new(
        aws: &'a AwsClients,
        client: Client,
        region: String,
        store: &'a StoreRef,
        path: Option<AttributePath>,
    ) -> Self {
        Store {
            aws,
            client,
            region,
            store,
            path,
        }
    }

    fn ctx<'b>(&'b self, operation: &'b str) -> CallContext<'b> {
        CallContext {
            operation,
            store: &self.store.raw,
            path: self.path.clone(),
        }
    }

    /// GetEventDataStore with the provider's retries.
    pub async fn get(&self) -> Result<Lookup, AwsError> {
        let result = self
            .client
            .get_event_data_store()
            .event_data_store(&self.store.raw)
            .send()
            .await;
        self.lookup(result)
    }

    /// GetEventDataStore for a plan-time check: few attempts and a short deadline, because the
    /// apply makes the same call again and reports what this one could not.
    pub async fn check(&self) -> Result<Lookup, AwsError> {
        let quick = aws_sdk_cloudtrail::config::Builder::new()
            .retry_config(RetryConfig::standard().with_max_attempts(CHECK_ATTEMPTS))
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(CHECK_TIMEOUT)
                    .build(),
            );
        let call = self
            .client
            .get_event_data_store()
            .event_data_store(&self.store.raw)
            .customize()
            .config_override(quick)
            .send();
        // Credential resolution may sit outside the SDK's operation timeout; bound it all.
        match tokio::time::timeout(CHECK_TIMEOUT + Duration::from_secs(1), call).await {
            Ok(result) => self.lookup(result),
            Err(_) => {
                // The credentials come first (STS for a role, web identity or the account
                // check), so the silence may be STS's: say both, and which endpoints.
                let d = Diagnostic::error(
                    "AWS did not answer in time",
                    format!(
                        "GetEventDataStore for {}, with the credentials it needs first (from STS \
                         when assume_role, assume_role_with_web_identity or the account check is \
                         configured), took longer than {}s. Check endpoints.cloudtrail and \
                         endpoints.sts and the network path to them.",
                        self.store.raw,
                        CHECK_TIMEOUT.as_secs()
                    ),
                );
                Err(AwsError {
                    code: None,
                    kind: ErrorKind::Transient,
                    diagnostic: d.at_opt(self.path.clone()),
                })
            }
        }
    }

    fn lookup(
        &self,
        result: Result<
            GetEventDataStoreOutput,
            aws_sdk_cloudtrail::error::SdkError<
                aws_sdk_cloudtrail::operation::get_event_data_store::GetEventDataStoreError,
                aws_smithy_runtime_api::http::Response,
            >,
        >,
    ) -> Result<Lookup, AwsError> {
        match result {
            Ok(out) => {
                let info = store_info(&out, &self.store.raw);
                if info.status == Status::PendingDeletion {
                    return Ok(Lookup::Gone(Gone::PendingDeletion(info)));
                }
                Ok(Lookup::Found(info))
            }
            Err(err) => {
                let failure = errors::classify(&self.ctx("GetEventDataStore"), &err);
                tracing::debug!(operation = "GetEventDataStore", store = %self.store.raw, code = failure.code.as_deref().unwrap_or(""), "AWS call failed");
                if failure.is("EventDataStoreNotFoundException") {
                    return Ok(Lookup::Gone(Gone::NotFound(failure.diagnostic)));
                }
                Err(failure)
            }
        }
    }

    /// Starts (`enable`) or stops ingestion, after waiting for this account and region's turn.
    /// `arn` is the store's full ARN as GetEventDataStore returned it: its account picks the pacer
    /// whether the user wrote an ARN or an ID.
    pub async fn set_ingestion(&self, enable: bool, arn: &str) -> Result<(), AwsError> {
        let account = StoreRef::parse(arn)
            .ok()
            .and_then(|r| r.account)
            .or_else(|| self.store.account.clone())
            .unwrap_or_default();
        self.aws.pacer(&account, &self.region).turn().await;
        let operation = if enable {
            "StartEventDataStoreIngestion"
        } else {
            "StopEventDataStoreIngestion"
        };
        let (ctx, raw, client) = (self.ctx(operation), &self.store.raw, &self.client);
        let result = if enable {
            let call = client.start_event_data_store_ingestion();
            let r = call.event_data_store(raw).send().await;
            r.map(drop).map_err(|e| errors::classify(&ctx, &e))
        } else {
            let call = client.stop_event_data_store_ingestion();
            let r = call.event_data_store(raw).send().await;
            r.map(drop).map_err(|e| errors::classify(&ctx, &e))
        };
        match &result {
            Ok(()) => {
                tracing::info!(operation, store = %self.store.raw, "ingestion change requested")
            }
            Err(e) => {
                tracing::debug!(operation, store = %self.store.raw, code = e.code.as_deref().unwrap_or(""), "AWS call failed")
            }
        }
        result
    }
}

/// What the ingestion side uses of everything GetEventDataStore says.
fn store_info(out: &GetEventDataStoreOutput, fallback_arn: &str) -> StoreInfo {
    let d = super::manage::details(out, fallback_arn);
    StoreInfo {
        event_categories: d.event_categories(),
        arn: d.arn,
        name: d.name,
        status: d.status,
        multi_region_enabled: d.multi_region_enabled,
        organization_enabled: d.organization_enabled,
        retention_period: d.retention_period,
        termination_protection_enabled: d.termination_protection_enabled,
    }
}

/// A store as ListEventDataStores names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub arn: String,
    pub name: String,
    /// Present where the API still fills the (deprecated) status of its summaries.
    pub status: Option<Status>,
}

/// Every event data store of `region` (the provider's, when `None`), following
/// ListEventDataStores' pages. Reads never wait at the pacer.
pub async fn list_stores(
    aws: &AwsClients,
    region: Option<&str>,
    path: Option<AttributePath>,
) -> Result<Vec<Listed>, AwsError> {
    let (client, region) = aws.client(region).map_err(|d| AwsError {
        code: None,
        kind: ErrorKind::Access,
        diagnostic: d.at_opt(path.clone()),
    })?;
    let what = format!("the event data stores of {region}");
    let ctx = CallContext {
        operation: "ListEventDataStores",
        store: &what,
        path,
    };
    let mut pages = client.list_event_data_stores().into_paginator().send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| errors::classify(&ctx, &e))?;
        for s in page.event_data_stores() {
            let Some(arn) = s.event_data_store_arn() else {
                continue;
            };
            found.push(Listed {
                arn: arn.to_owned(),
                name: s.name().unwrap_or_default().to_owned(),
                #[allow(deprecated)]
                status: s.status().map(|st| Status::parse(st.as_str())),
            });
        }
    }
    Ok(found)
}
