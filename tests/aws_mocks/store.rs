//! `cloudtrail_event_data_store` against CloudTrail's mocked answers: every documented error of
//! CreateEventDataStore, GetEventDataStore, UpdateEventDataStore, DeleteEventDataStore and
//! ListEventDataStores is one diagnostic with AWS's message, the request id and advice; and the
//! rules LocalEmu does not enforce (a KMS key is for life, Lake is closed to new accounts, an
//! update sends only what changed, CloudTrail's "busy" is waited out).

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::create_event_data_store::CreateEventDataStoreOutput;
use aws_sdk_cloudtrail::operation::delete_event_data_store::DeleteEventDataStoreOutput;
use aws_sdk_cloudtrail::operation::list_tags::ListTagsOutput;
use aws_sdk_cloudtrail::operation::update_event_data_store::UpdateEventDataStoreOutput;
use aws_smithy_mocks::{Rule, mock};
use terraform_provider_cloudtrail::cty::Value;
use terraform_provider_cloudtrail::diagnostics::{Diagnostic, Diagnostics, Severity, attr_path};
use terraform_provider_cloudtrail::resources::event_data_store::StoreModel;
use terraform_provider_cloudtrail::resources::model::Model;
use terraform_provider_cloudtrail::resources::{ApplyRequest, PlanRequest};

use crate::support::mocks::*;
use terraform_provider_cloudtrail::provider::Provider;

const STORE: &str = "cloudtrail_event_data_store";

/// What each error code is called in its diagnostic's summary.
const SUMMARIES: &[(&str, &str)] = &[
    ("AccessDeniedException", "Access denied"),
    (
        "ChannelExistsForEDSException",
        "A channel sends events to this store",
    ),
    (
        "CloudTrailAccessNotEnabledException",
        "CloudTrail has no trusted access to the organization",
    ),
    ("ConflictException", "The event data store is busy"),
    (
        "EventDataStoreARNInvalidException",
        "Invalid event data store ARN",
    ),
    (
        "EventDataStoreAlreadyExistsException",
        "An event data store with this name exists",
    ),
    (
        "EventDataStoreFederationEnabledException",
        "Lake query federation is on",
    ),
    (
        "EventDataStoreHasOngoingImportException",
        "An import into this store is running",
    ),
    (
        "EventDataStoreMaxLimitExceededException",
        "Too many event data stores",
    ),
    (
        "EventDataStoreNotFoundException",
        "Event data store not found",
    ),
    (
        "EventDataStoreTerminationProtectedException",
        "Termination protection is on",
    ),
    (
        "InactiveEventDataStoreException",
        "The event data store is not active",
    ),
    (
        "InsufficientDependencyServiceAccessPermissionException",
        "CloudTrail lacks a service-linked role permission",
    ),
    (
        "InsufficientEncryptionPolicyException",
        "The KMS key policy does not let CloudTrail use the key",
    ),
    (
        "InvalidEventSelectorsException",
        "Invalid advanced event selectors",
    ),
    (
        "InvalidInsightSelectorsException",
        "CloudTrail returned an error",
    ),
    ("InvalidKmsKeyIdException", "Invalid KMS key"),
    ("InvalidMaxResultsException", "CloudTrail returned an error"),
    ("InvalidNextTokenException", "CloudTrail returned an error"),
    (
        "InvalidParameterException",
        "CloudTrail rejected a parameter",
    ),
    ("InvalidTagParameterException", "Invalid tags"),
    ("KmsException", "KMS refused the key"),
    ("KmsKeyNotFoundException", "KMS key not found"),
    (
        "NoManagementAccountSLRExistsException",
        "The management account has no CloudTrail service-linked role",
    ),
    (
        "NotOrganizationMasterAccountException",
        "Not the organization's management account",
    ),
    ("OperationNotPermittedException", "Operation not permitted"),
    (
        "OrganizationNotInAllFeaturesModeException",
        "The organization does not have all features enabled",
    ),
    (
        "OrganizationsNotInUseException",
        "AWS Organizations is not in use",
    ),
    ("ThrottlingException", "Throttled by CloudTrail"),
    ("UnsupportedOperationException", "Operation not supported"),
];

/// CreateEventDataStore's documented errors.
const CREATE_ERRORS: &[&str] = &[
    "CloudTrailAccessNotEnabledException",
    "ConflictException",
    "EventDataStoreAlreadyExistsException",
    "EventDataStoreMaxLimitExceededException",
    "InsufficientDependencyServiceAccessPermissionException",
    "InsufficientEncryptionPolicyException",
    "InvalidEventSelectorsException",
    "InvalidKmsKeyIdException",
    "InvalidParameterException",
    "InvalidTagParameterException",
    "KmsException",
    "KmsKeyNotFoundException",
    "NoManagementAccountSLRExistsException",
    "NotOrganizationMasterAccountException",
    "OperationNotPermittedException",
    "OrganizationNotInAllFeaturesModeException",
    "OrganizationsNotInUseException",
    "ThrottlingException",
    "UnsupportedOperationException",
];

/// Update's documented errors beyond Create's (less the quota and tag ones).
const UPDATE_ONLY_ERRORS: &[&str] = &[
    "EventDataStoreARNInvalidException",
    "EventDataStoreHasOngoingImportException",
    "EventDataStoreNotFoundException",
    "InactiveEventDataStoreException",
    "InvalidInsightSelectorsException",
];

/// DeleteEventDataStore's documented errors.
const DELETE_ERRORS: &[&str] = &[
    "ChannelExistsForEDSException",
    "ConflictException",
    "EventDataStoreARNInvalidException",
    "EventDataStoreFederationEnabledException",
    "EventDataStoreHasOngoingImportException",
    "EventDataStoreTerminationProtectedException",
    "InactiveEventDataStoreException",
    "InsufficientDependencyServiceAccessPermissionException",
    "InvalidParameterException",
    "NoManagementAccountSLRExistsException",
    "NotOrganizationMasterAccountException",
    "OperationNotPermittedException",
    "UnsupportedOperationException",
];

/// GetEventDataStore's documented errors, and a common one (not found is a gone store).
const GET_ERRORS: &[&str] = &[
    "EventDataStoreARNInvalidException",
    "InvalidParameterException",
    "NoManagementAccountSLRExistsException",
    "OperationNotPermittedException",
    "UnsupportedOperationException",
    "AccessDeniedException",
];

/// ListEventDataStores' documented errors, and a common one.
const LIST_ERRORS: &[&str] = &[
    "InvalidMaxResultsException",
    "InvalidNextTokenException",
    "OperationNotPermittedException",
    "UnsupportedOperationException",
    "AccessDeniedException",
];

fn summary(code: &str) -> &'static str {
    SUMMARIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("CloudTrail returned an error", |(_, s)| s)
}

/// A store as the configuration, plan or state has it: `name` "audit" and the given attributes.
fn model(set: impl FnOnce(&mut StoreModel)) -> Value {
    let mut m = StoreModel {
        name: "audit".into(),
        multi_region_enabled: true.into(),
        organization_enabled: false.into(),
        termination_protection_enabled: false.into(),
        billing_mode: "EXTENDABLE_RETENTION_PRICING".into(),
        start_ingestion: true.into(),
        advanced_event_selector: Vec::new().into(),
        ..StoreModel::default()
    };
    set(&mut m);
    m.to_value()
}

/// The state of the store `ARN`, as an apply leaves it.
fn stored(set: impl FnOnce(&mut StoreModel)) -> Value {
    model(|m| {
        m.arn = ARN.into();
        m.id = ARN.into();
        m.region = "us-east-1".into();
        m.retention_period = 366.into();
        m.status = "ENABLED".into();
        m.created_timestamp = "2026-12-05T00:00:00Z".into();
        m.updated_timestamp = "2026-12-05T00:00:00Z".into();
        set(m);
    })
}

fn created() -> Rule {
    mock!(Client::create_event_data_store).then_output(|| {
        CreateEventDataStoreOutput::builder()
            .event_data_store_arn(ARN)
            .build()
    })
}

fn no_tags() -> Rule {
    mock!(Client::list_tags).then_output(|| ListTagsOutput::builder().build())
}

fn updated() -> Rule {
    mock!(Client::update_event_data_store)
        .then_output(|| UpdateEventDataStoreOutput::builder().build())
}

fn deleted() -> Rule {
    mock!(Client::delete_event_data_store)
        .then_output(|| DeleteEventDataStoreOutput::builder().build())
}

async fn create(p: &Provider, config: Value) -> (Value, Diagnostics) {
    let mut planned = config.clone();
    if let Value::Object(attrs) = &mut planned {
        for a in [
            "id",
            "arn",
            "status",
            "created_timestamp",
            "updated_timestamp",
            "region",
        ] {
            attrs.insert(a.into(), Value::Unknown);
        }
        attrs.insert("retention_period".into(), Value::int(366));
    }
    let r = p
        .apply(
            STORE,
            ApplyRequest {
                config,
                prior_state: Value::Null,
                planned_state: planned,
                planned_private: Vec::new(),
            },
        )
        .await;
    (r.state, r.diagnostics)
}

async fn update(p: &Provider, prior: Value, planned: Value) -> (Value, Diagnostics) {
    let r = p
        .apply(
            STORE,
            ApplyRequest {
                config: planned.clone(),
                prior_state: prior,
                planned_state: planned,
                planned_private: Vec::new(),
            },
        )
        .await;
    (r.state, r.diagnostics)
}

async fn destroy(p: &Provider, prior: Value) -> Diagnostics {
    p.apply(
        STORE,
        ApplyRequest {
            config: Value::Null,
            prior_state: prior,
            planned_state: Value::Null,
            planned_private: Vec::new(),
        },
    )
    .await
    .diagnostics
}

/// One error diagnostic that explains `code` from `operation` on `subject`.
fn explains(
    diags: &Diagnostics,
    operation: &str,
    subject: &str,
    code: &str,
    summary: &str,
) -> Diagnostic {
    assert_eq!(diags.0.len(), 1, "{operation} {code}: {diags:#?}");
    let d = diags.0[0].clone();
    assert_eq!(d.severity, Severity::Error, "{d:#?}");
    assert_explains_on(&d, operation, subject, code, summary);
    d
}

#[tokio::test(start_paused = true)]
async fn every_create_error_is_one_diagnostic_and_no_state() {
    for code in CREATE_ERRORS {
        let summary = summary(code);
        let call = fails!(create_event_data_store, code);
        let p = provider(&[&call]);
        let (state, diags) = create(&p, model(|_| {})).await;
        explains(&diags, "CreateEventDataStore", "audit", code, summary);
        assert!(state.is_null(), "{code}: no store, no state: {state:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn every_update_error_is_one_diagnostic_and_the_prior_state_stands() {
    let update_errors = CREATE_ERRORS.iter().filter(|c| {
        !matches!(
            **c,
            "EventDataStoreMaxLimitExceededException" | "InvalidTagParameterException"
        )
    });
    for code in update_errors.chain(UPDATE_ONLY_ERRORS) {
        let summary = summary(code);
        let call = fails!(update_event_data_store, code);
        let p = provider(&[&call]);
        let prior = stored(|_| {});
        let planned = stored(|m| m.retention_period = 400.into());
        let (state, diags) = update(&p, prior.clone(), planned).await;
        explains(&diags, "UpdateEventDataStore", ARN, code, summary);
        assert_eq!(
            state, prior,
            "{code}: the store did not change, nor does its state"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn every_delete_error_is_one_diagnostic_and_the_state_is_kept() {
    for code in DELETE_ERRORS {
        let summary = summary(code);
        let call = fails!(delete_event_data_store, code);
        // A store still active: an inactive-store error is an error.
        let get = get_sequence(&["ENABLED"]);
        let p = provider(&[&call, &get]);
        let diags = destroy(&p, stored(|_| {})).await;
        let d = explains(&diags, "DeleteEventDataStore", ARN, code, summary);
        let at = (*code == "EventDataStoreTerminationProtectedException")
            .then(|| attr_path(&["termination_protection_enabled"]));
        assert_eq!(d.path, at, "{code}");
    }
}

/// A store CloudTrail no longer knows is deleted already; one pending deletion is what a delete
/// waits for.
#[tokio::test(start_paused = true)]
async fn a_store_gone_or_pending_deletion_counts_as_deleted() {
    let call = fails!(delete_event_data_store, "EventDataStoreNotFoundException");
    let get = fails!(get_event_data_store, "EventDataStoreNotFoundException");
    let p = provider(&[&call, &get]);
    assert!(destroy(&p, stored(|_| {})).await.is_empty());
    for code in [
        "InactiveEventDataStoreException",
        "InvalidEventDataStoreStatusException",
    ] {
        let call = fails!(delete_event_data_store, code);
        let get = get_sequence(&["PENDING_DELETION"]);
        let p = provider(&[&call, &get]);
        assert!(destroy(&p, stored(|_| {})).await.is_empty(), "{code}");
    }
    let call = deleted();
    let get = get_sequence(&["ENABLED", "PENDING_DELETION"]);
    let p = provider(&[&call, &get]);
    assert!(destroy(&p, stored(|_| {})).await.is_empty());
    assert_eq!(get.num_calls(), 2, "waited until PENDING_DELETION");
}

#[tokio::test(start_paused = true)]
async fn every_get_error_fails_the_refresh_and_keeps_the_state() {
    for code in GET_ERRORS {
        let summary = summary(code);
        let call = fails!(get_event_data_store, code);
        let p = provider(&[&call]);
        let prior = stored(|_| {});
        let r = p.read(STORE, prior.clone()).await;
        explains(&r.diagnostics, "GetEventDataStore", ARN, code, summary);
        assert_eq!(r.state, prior, "{code}");
    }
    let gone = fails!(get_event_data_store, "EventDataStoreNotFoundException");
    let p = provider(&[&gone]);
    let r = p.read(STORE, stored(|_| {})).await;
    assert!(
        r.diagnostics.is_empty() && r.state.is_null(),
        "{:?}",
        r.diagnostics
    );
}

#[tokio::test(start_paused = true)]
async fn every_list_error_is_one_diagnostic() {
    use terraform_provider_cloudtrail::resources::ListRequest;
    for code in LIST_ERRORS {
        let summary = summary(code);
        let call = fails!(list_event_data_stores, code);
        let p = provider(&[&call]);
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let req = ListRequest {
            config: Value::Object([("name_prefix".to_owned(), Value::Null)].into()),
            include_resource_object: false,
            limit: 10,
        };
        let diags = p.list(STORE, req, tx).await;
        explains(&diags, "ListEventDataStores", "us-east-1", code, summary);
        assert!(rx.try_recv().is_err(), "{code}: nothing listed");
    }
}

/// AWS's refusal of accounts that never used Lake (no documented code of its own) says so.
#[tokio::test(start_paused = true)]
async fn lake_closed_to_new_customers_is_said_plainly() {
    let call = mock!(Client::create_event_data_store)
        .sequence()
        .http_response(|| {
            json(
                400,
                r#"{"__type":"InvalidRequestException","message":"CloudTrail Lake is no longer accepting new customers. Existing customers can continue to use their event data stores."}"#,
                "req-closed",
            )
        })
        .repeatedly()
        .build();
    let p = provider(&[&call]);
    let (state, diags) = create(&p, model(|_| {})).await;
    assert!(state.is_null());
    assert_eq!(diags.0.len(), 1, "{diags:#?}");
    let d = &diags.0[0];
    assert_eq!(d.summary, "CloudTrail Lake is closed to new customers");
    assert!(
        d.detail.contains("2026-05-31") && d.detail.contains("req-closed"),
        "{}",
        d.detail
    );
}

/// CloudTrail's "busy" (ConflictException) is waited out within the timeout.
#[tokio::test(start_paused = true)]
async fn a_busy_store_is_retried_until_it_answers() {
    let call = mock!(Client::update_event_data_store)
        .sequence()
        .http_response(|| aws_error("ConflictException"))
        .times(3)
        .output(|| UpdateEventDataStoreOutput::builder().build())
        .build();
    let get = get_sequence(&["ENABLED"]);
    let tags = no_tags();
    let p = provider(&[&call, &get, &tags]);
    let (_, diags) = update(
        &p,
        stored(|_| {}),
        stored(|m| m.retention_period = 400.into()),
    )
    .await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(call.num_calls(), 4, "three busy answers, then the update");
}

/// A change of tags alone sends no UpdateEventDataStore (AWS refuses one that changes nothing)
/// but RemoveTags and AddTags.
#[tokio::test(start_paused = true)]
async fn a_tags_only_change_sends_only_the_tag_calls() {
    use aws_sdk_cloudtrail::operation::add_tags::AddTagsOutput;
    use aws_sdk_cloudtrail::operation::remove_tags::RemoveTagsOutput;
    let upd = updated();
    let add = mock!(Client::add_tags).then_output(|| AddTagsOutput::builder().build());
    let remove = mock!(Client::remove_tags).then_output(|| RemoveTagsOutput::builder().build());
    let get = get_sequence(&["ENABLED"]);
    let tags = no_tags();
    let p = provider(&[&upd, &add, &remove, &get, &tags]);
    let tag = |k: &str, v: &str| -> std::collections::BTreeMap<String, String> {
        [(k.to_owned(), v.to_owned())].into()
    };
    let prior = stored(|m| m.tags = tag("team", "a").into());
    let planned = stored(|m| m.tags = tag("env", "b").into());
    let (_, diags) = update(&p, prior, planned).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(upd.num_calls(), 0);
    assert_eq!((remove.num_calls(), add.num_calls()), (1, 1));
}

/// A KMS key is for life: adding one is in place, changing or removing it replaces the store.
#[tokio::test(start_paused = true)]
async fn a_kms_key_can_be_added_in_place_but_not_changed() {
    let p = provider(&[]);
    let key =
        |k: Option<&str>| stored(|m| m.kms_key_id = k.map_or(Default::default(), |k| k.into()));
    for (before, after, replaces) in [
        (None, Some("alias/lake"), false),
        (Some("alias/lake"), Some("alias/other"), true),
        (Some("alias/lake"), None, true),
        (Some("alias/lake"), Some("alias/lake"), false),
    ] {
        let config = key(after);
        let r = p
            .plan(
                STORE,
                PlanRequest {
                    config: config.clone(),
                    prior_state: key(before),
                    proposed_new_state: config,
                },
            )
            .await;
        assert!(!r.diagnostics.has_errors(), "{:?}", r.diagnostics);
        let replaced = r.requires_replace.contains(&attr_path(&["kms_key_id"]));
        assert_eq!(replaced, replaces, "{before:?} -> {after:?}");
    }
}

/// A create waits for the store to leave CREATED, then checks its tags and sets those that did
/// not take (an emulator drops CreateEventDataStore's); the state is what a read says.
#[tokio::test(start_paused = true)]
async fn a_create_waits_and_sets_tags_that_did_not_take() {
    use aws_sdk_cloudtrail::operation::add_tags::AddTagsOutput;
    let create_call = created();
    let get = get_sequence(&["CREATED", "CREATED", "ENABLED"]);
    let tags = no_tags();
    let add = mock!(Client::add_tags).then_output(|| AddTagsOutput::builder().build());
    let p = provider(&[&create_call, &get, &tags, &add]);
    let config = model(|m| {
        m.tags = [("team".to_owned(), "a".to_owned())]
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>()
            .into()
    });
    let (state, diags) = create(&p, config).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(get.num_calls(), 3, "polled until ENABLED");
    assert_eq!(add.num_calls(), 1);
    assert_eq!(state.get("arn"), Some(&Value::string(ARN)));
    assert_eq!(state.get("status"), Some(&Value::string("ENABLED")));
    assert!(state.is_known(), "{state:?}");
}
