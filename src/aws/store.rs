//! The three CloudTrail calls this provider makes (GetEventDataStore, Start/StopEventDataStore-
//! Ingestion), each logged with its latency and request id, and the store's facts as plain data.

use std::time::Instant;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::RequestId;
use aws_sdk_cloudtrail::types::EventDataStoreStatus;

use super::arn::StoreRef;
use super::errors::{self, CallContext};
use crate::diagnostics::{AttributePath, Diagnostic};

/// What GetEventDataStore says about a store, reduced to what the provider uses.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreInfo {
    pub arn: String,
    pub name: String,
    pub status: String,
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
        matches!(self.status.as_str(), "ENABLED" | "STARTING_INGESTION")
    }
}

pub enum Lookup {
    Found(StoreInfo),
    /// Not found, or PENDING_DELETION (which only a restore can bring back).
    Gone,
}

pub struct Store<'a> {
    pub client: &'a Client,
    pub store: &'a StoreRef,
    pub path: Option<AttributePath>,
}

impl Store<'_> {
    fn ctx<'a>(&'a self, operation: &'a str) -> CallContext<'a> {
        CallContext {
            operation,
            store: &self.store.raw,
            path: self.path.clone(),
        }
    }

    pub async fn get(&self) -> Result<Lookup, Diagnostic> {
        let started = Instant::now();
        let result = self
            .client
            .get_event_data_store()
            .event_data_store(&self.store.raw)
            .send()
            .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(out) => {
                tracing::debug!(operation = "GetEventDataStore", store = %self.store.raw, elapsed_ms, request_id = out.request_id().unwrap_or(""), status = ?out.status(), "AWS call succeeded");
                let status = out
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default();
                if out.status() == Some(&EventDataStoreStatus::PendingDeletion) {
                    return Ok(Lookup::Gone);
                }
                let event_categories = out
                    .advanced_event_selectors()
                    .iter()
                    .flat_map(|s| s.field_selectors())
                    .filter(|f| f.field() == "eventCategory")
                    .flat_map(|f| f.equals().iter().cloned())
                    .collect();
                Ok(Lookup::Found(StoreInfo {
                    arn: out
                        .event_data_store_arn()
                        .unwrap_or(&self.store.raw)
                        .to_owned(),
                    name: out.name().unwrap_or_default().to_owned(),
                    status,
                    event_categories,
                    multi_region_enabled: out.multi_region_enabled().unwrap_or(false),
                    organization_enabled: out.organization_enabled().unwrap_or(false),
                    retention_period: out.retention_period().map(i64::from),
                    termination_protection_enabled: out
                        .termination_protection_enabled()
                        .unwrap_or(false),
                }))
            }
            Err(err) => {
                tracing::debug!(operation = "GetEventDataStore", store = %self.store.raw, elapsed_ms, request_id = err.request_id().unwrap_or(""), code = errors::code(&err).unwrap_or(""), "AWS call failed");
                if errors::code(&err) == Some("EventDataStoreNotFoundException") {
                    return Ok(Lookup::Gone);
                }
                Err(errors::diagnostic(&self.ctx("GetEventDataStore"), &err))
            }
        }
    }

    /// Starts (`enable`) or stops ingestion. `Err(Some(code))` gives callers the code to branch
    /// on (ConflictException, InvalidEventDataStoreStatusException) with the diagnostic.
    pub async fn set_ingestion(&self, enable: bool) -> Result<(), (Option<String>, Diagnostic)> {
        let started = Instant::now();
        let (operation, result) = if enable {
            let r = self
                .client
                .start_event_data_store_ingestion()
                .event_data_store(&self.store.raw)
                .send()
                .await;
            (
                "StartEventDataStoreIngestion",
                r.map(|o| o.request_id().map(str::to_owned)).map_err(|e| {
                    (
                        errors::code(&e).map(str::to_owned),
                        errors::diagnostic(&self.ctx("StartEventDataStoreIngestion"), &e),
                        e.request_id().map(str::to_owned),
                    )
                }),
            )
        } else {
            let r = self
                .client
                .stop_event_data_store_ingestion()
                .event_data_store(&self.store.raw)
                .send()
                .await;
            (
                "StopEventDataStoreIngestion",
                r.map(|o| o.request_id().map(str::to_owned)).map_err(|e| {
                    (
                        errors::code(&e).map(str::to_owned),
                        errors::diagnostic(&self.ctx("StopEventDataStoreIngestion"), &e),
                        e.request_id().map(str::to_owned),
                    )
                }),
            )
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(request_id) => {
                tracing::info!(operation, store = %self.store.raw, elapsed_ms, request_id = request_id.as_deref().unwrap_or(""), "AWS call succeeded");
                Ok(())
            }
            Err((code, diag, request_id)) => {
                tracing::debug!(operation, store = %self.store.raw, elapsed_ms, request_id = request_id.as_deref().unwrap_or(""), code = code.as_deref().unwrap_or(""), "AWS call failed");
                Err((code, diag))
            }
        }
    }
}
