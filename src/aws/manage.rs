//! The calls that create, change, tag and delete an event data store (the
//! `cloudtrail_event_data_store` resource's), on plain data: `StoreSpec` in, `StoreDetails` out.
//! Errors are `AwsError`s classified by code, as every other call's.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::get_event_data_store::GetEventDataStoreOutput;
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, BillingMode, EventDataStoreStatus, Tag,
};
use aws_smithy_types::date_time::Format;

use super::clients::AwsClients;
use super::errors::{self, AwsError, CallContext, ErrorKind};
use super::status::Status;
use crate::diagnostics::{AttributePath, Diagnostic};

/// One advanced event selector.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selector {
    pub name: Option<String>,
    pub fields: Vec<FieldSelector>,
}

/// One field selector of an advanced event selector; empty operators are not sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSelector {
    pub field: String,
    pub equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_equals: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

impl Selector {
    /// What AWS applies to a store created without selectors: all management events. A store
    /// whose only selector is this one (whatever its name) has AWS's default.
    pub fn is_aws_default(selectors: &[Selector]) -> bool {
        matches!(selectors, [only] if only.fields == Selector::aws_default().fields)
    }

    /// AWS's default selector: "Default management events", all management events.
    pub fn aws_default() -> Selector {
        Selector {
            name: Some("Default management events".to_owned()),
            fields: vec![FieldSelector {
                field: "eventCategory".to_owned(),
                equals: vec!["Management".to_owned()],
                ..FieldSelector::default()
            }],
        }
    }
}

/// A store to create.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoreSpec {
    pub name: String,
    /// `None`: AWS's default selector.
    pub selectors: Option<Vec<Selector>>,
    pub multi_region_enabled: bool,
    pub organization_enabled: bool,
    pub retention_period: Option<i64>,
    pub termination_protection_enabled: bool,
    pub kms_key_id: Option<String>,
    pub billing_mode: String,
    pub tags: BTreeMap<String, String>,
    pub start_ingestion: bool,
}

/// The changes UpdateEventDataStore makes: only what is `Some` is sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoreUpdate {
    pub name: Option<String>,
    pub selectors: Option<Vec<Selector>>,
    pub multi_region_enabled: Option<bool>,
    pub organization_enabled: Option<bool>,
    pub retention_period: Option<i64>,
    pub termination_protection_enabled: Option<bool>,
    pub kms_key_id: Option<String>,
    pub billing_mode: Option<String>,
}

impl StoreUpdate {
    pub fn is_empty(&self) -> bool {
        *self == StoreUpdate::default()
    }
}

/// What GetEventDataStore says of a store, every field the resource keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreDetails {
    pub arn: String,
    pub name: String,
    pub status: Status,
    pub selectors: Vec<Selector>,
    pub multi_region_enabled: bool,
    pub organization_enabled: bool,
    pub retention_period: Option<i64>,
    pub termination_protection_enabled: bool,
    pub kms_key_id: Option<String>,
    pub billing_mode: Option<String>,
    pub created_timestamp: Option<String>,
    pub updated_timestamp: Option<String>,
}

impl StoreDetails {
    /// Values of the `eventCategory` field selectors (Management, Data, ...).
    pub fn event_categories(&self) -> Vec<String> {
        self.selectors
            .iter()
            .flat_map(|s| &s.fields)
            .filter(|f| f.field == "eventCategory")
            .flat_map(|f| f.equals.iter().cloned())
            .collect()
    }
}

/// The management calls of one region's client, reported at `path`.
pub struct Admin {
    client: Client,
    pub region: String,
    path: Option<AttributePath>,
}

impl AwsClients {
    /// The management calls in `region` (the provider's, when `None`).
    pub fn admin(
        &self,
        region: Option<&str>,
        path: Option<AttributePath>,
    ) -> Result<Admin, Diagnostic> {
        let (client, region) = self.client(region).map_err(|d| d.at_opt(path.clone()))?;
        Ok(Admin {
            client,
            region,
            path,
        })
    }
}

impl Admin {
    fn fail<E>(
        &self,
        operation: &str,
        store: &str,
        err: &aws_sdk_cloudtrail::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
    ) -> AwsError
    where
        E: aws_sdk_cloudtrail::error::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
    {
        let ctx = CallContext {
            operation,
            store,
            path: self.path.clone(),
        };
        let failure = errors::classify(&ctx, err);
        tracing::debug!(
            operation,
            store,
            code = failure.code.as_deref().unwrap_or(""),
            "AWS call failed"
        );
        failure
    }

    /// A request this provider could not build (a required field left empty): its error.
    fn unbuildable(&self, what: &str, err: impl std::fmt::Display) -> AwsError {
        AwsError {
            code: None,
            kind: ErrorKind::Service,
            diagnostic: Diagnostic::error(
                "Invalid event data store request",
                format!("{what}: {err}"),
            )
            .at_opt(self.path.clone()),
        }
    }

    /// CreateEventDataStore; the new store's ARN.
    pub async fn create(&self, spec: &StoreSpec) -> Result<String, AwsError> {
        let mut call = self
            .client
            .create_event_data_store()
            .name(&spec.name)
            .multi_region_enabled(spec.multi_region_enabled)
            .organization_enabled(spec.organization_enabled)
            .termination_protection_enabled(spec.termination_protection_enabled)
            .billing_mode(BillingMode::from(spec.billing_mode.as_str()))
            .start_ingestion(spec.start_ingestion)
            .set_kms_key_id(spec.kms_key_id.clone())
            .set_retention_period(spec.retention_period.map(days));
        if let Some(selectors) = &spec.selectors {
            call = call.set_advanced_event_selectors(Some(self.sdk_selectors(selectors)?));
        }
        for (key, value) in &spec.tags {
            let tag = Tag::builder().key(key).value(value).build();
            call = call.tags_list(tag.map_err(|e| self.unbuildable("tags", e))?);
        }
        let out = call
            .send()
            .await
            .map_err(|e| self.fail("CreateEventDataStore", &spec.name, &e))?;
        out.event_data_store_arn()
            .map(str::to_owned)
            .ok_or_else(|| {
                self.unbuildable(
                    "CreateEventDataStore",
                    "the answer named no event data store ARN",
                )
            })
    }

    /// GetEventDataStore: the store, or `None` when CloudTrail knows no such store.
    pub async fn get(&self, arn: &str) -> Result<Option<StoreDetails>, AwsError> {
        match self.describe(arn).await {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.is("EventDataStoreNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GetEventDataStore, a store CloudTrail does not know being an error like any other.
    pub async fn describe(&self, arn: &str) -> Result<StoreDetails, AwsError> {
        self.client
            .get_event_data_store()
            .event_data_store(arn)
            .send()
            .await
            .map(|out| details(&out, arn))
            .map_err(|e| self.fail("GetEventDataStore", arn, &e))
    }

    /// UpdateEventDataStore with only the changed fields; nothing to change makes no call.
    pub async fn update(&self, arn: &str, change: &StoreUpdate) -> Result<(), AwsError> {
        if change.is_empty() {
            return Ok(());
        }
        let mut call = self
            .client
            .update_event_data_store()
            .event_data_store(arn)
            .set_name(change.name.clone())
            .set_multi_region_enabled(change.multi_region_enabled)
            .set_organization_enabled(change.organization_enabled)
            .set_retention_period(change.retention_period.map(days))
            .set_termination_protection_enabled(change.termination_protection_enabled)
            .set_kms_key_id(change.kms_key_id.clone())
            .set_billing_mode(change.billing_mode.as_deref().map(BillingMode::from));
        if let Some(selectors) = &change.selectors {
            call = call.set_advanced_event_selectors(Some(self.sdk_selectors(selectors)?));
        }
        call.send()
            .await
            .map(drop)
            .map_err(|e| self.fail("UpdateEventDataStore", arn, &e))
    }

    /// DeleteEventDataStore. A store CloudTrail no longer knows counts as deleted.
    pub async fn delete(&self, arn: &str) -> Result<(), AwsError> {
        match self
            .client
            .delete_event_data_store()
            .event_data_store(arn)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let failure = self.fail("DeleteEventDataStore", arn, &e);
                if failure.is("EventDataStoreNotFoundException") {
                    return Ok(());
                }
                Err(failure)
            }
        }
    }

    /// The store's tags (ListTags, every page).
    pub async fn tags(&self, arn: &str) -> Result<BTreeMap<String, String>, AwsError> {
        let mut tags = BTreeMap::new();
        let mut token = None;
        loop {
            let out = self
                .client
                .list_tags()
                .resource_id_list(arn)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.fail("ListTags", arn, &e))?;
            for resource in out.resource_tag_list() {
                for tag in resource.tags_list() {
                    tags.insert(
                        tag.key().to_owned(),
                        tag.value().unwrap_or_default().to_owned(),
                    );
                }
            }
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(tags);
            }
        }
    }

    /// Makes the store's tags `want`, given that they are `have`: RemoveTags, then AddTags, each
    /// only when there is something to send.
    pub async fn set_tags(
        &self,
        arn: &str,
        have: &BTreeMap<String, String>,
        want: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        let gone: Vec<Tag> = have
            .keys()
            .filter(|k| !want.contains_key(*k))
            .map(|k| Tag::builder().key(k).build())
            .collect::<Result<_, _>>()
            .map_err(|e| self.unbuildable("tags", e))?;
        if !gone.is_empty() {
            self.client
                .remove_tags()
                .resource_id(arn)
                .set_tags_list(Some(gone))
                .send()
                .await
                .map_err(|e| self.fail("RemoveTags", arn, &e))?;
        }
        let changed: Vec<Tag> = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<Result<_, _>>()
            .map_err(|e| self.unbuildable("tags", e))?;
        if !changed.is_empty() {
            self.client
                .add_tags()
                .resource_id(arn)
                .set_tags_list(Some(changed))
                .send()
                .await
                .map_err(|e| self.fail("AddTags", arn, &e))?;
        }
        Ok(())
    }

    fn sdk_selectors(
        &self,
        selectors: &[Selector],
    ) -> Result<Vec<AdvancedEventSelector>, AwsError> {
        selectors
            .iter()
            .map(|s| {
                let fields = s
                    .fields
                    .iter()
                    .map(|f| {
                        AdvancedFieldSelector::builder()
                            .field(&f.field)
                            .set_equals(non_empty(&f.equals))
                            .set_starts_with(non_empty(&f.starts_with))
                            .set_ends_with(non_empty(&f.ends_with))
                            .set_not_equals(non_empty(&f.not_equals))
                            .set_not_starts_with(non_empty(&f.not_starts_with))
                            .set_not_ends_with(non_empty(&f.not_ends_with))
                            .build()
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| self.unbuildable("field_selector", e))?;
                AdvancedEventSelector::builder()
                    .set_name(s.name.clone())
                    .set_field_selectors(Some(fields))
                    .build()
                    .map_err(|e| self.unbuildable("advanced_event_selector", e))
            })
            .collect()
    }
}

/// Retention days as the API's `i32`; validation keeps them within 7 to 3653.
fn days(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn non_empty(values: &[String]) -> Option<Vec<String>> {
    (!values.is_empty()).then(|| values.to_vec())
}

/// Everything GetEventDataStore says of a store, as plain data.
pub(crate) fn details(out: &GetEventDataStoreOutput, fallback_arn: &str) -> StoreDetails {
    let time =
        |t: Option<&aws_smithy_types::DateTime>| t.and_then(|t| t.fmt(Format::DateTime).ok());
    StoreDetails {
        arn: out
            .event_data_store_arn()
            .unwrap_or(fallback_arn)
            .to_owned(),
        name: out.name().unwrap_or_default().to_owned(),
        status: Status::parse(out.status().map_or("", EventDataStoreStatus::as_str)),
        selectors: out
            .advanced_event_selectors()
            .iter()
            .map(|s| Selector {
                name: s.name().map(str::to_owned),
                fields: s
                    .field_selectors()
                    .iter()
                    .map(|f| FieldSelector {
                        field: f.field().to_owned(),
                        equals: f.equals().to_vec(),
                        starts_with: f.starts_with().to_vec(),
                        ends_with: f.ends_with().to_vec(),
                        not_equals: f.not_equals().to_vec(),
                        not_starts_with: f.not_starts_with().to_vec(),
                        not_ends_with: f.not_ends_with().to_vec(),
                    })
                    .collect(),
            })
            .collect(),
        multi_region_enabled: out.multi_region_enabled().unwrap_or(false),
        organization_enabled: out.organization_enabled().unwrap_or(false),
        retention_period: out.retention_period().map(i64::from),
        termination_protection_enabled: out.termination_protection_enabled().unwrap_or(false),
        kms_key_id: out.kms_key_id().map(str::to_owned),
        billing_mode: out.billing_mode().map(|b| b.as_str().to_owned()),
        created_timestamp: time(out.created_timestamp()),
        updated_timestamp: time(out.updated_timestamp()),
    }
}
