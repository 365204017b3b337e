//! AWS failures as diagnostics: a plain summary, AWS's own message and request id, and what to
//! do about it. One table, keyed by the error code, serves every operation.

use aws_sdk_cloudtrail::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::RequestId;

use crate::diagnostics::{AttributePath, Diagnostic};

/// What a failed call was doing, for the diagnostic's wording.
pub struct CallContext<'a> {
    pub operation: &'a str,
    pub store: &'a str,
    pub path: Option<AttributePath>,
}

/// (code, summary, advice) for every error CloudTrail documents for these operations.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "EventDataStoreARNInvalidException",
        "Invalid event data store ARN",
        "Check event_data_store: it must be the ARN of an event data store, or its ID.",
    ),
    (
        "EventDataStoreArnInvalidException",
        "Invalid event data store ARN",
        "Check event_data_store: it must be the ARN of an event data store, or its ID.",
    ),
    (
        "EventDataStoreNotFoundException",
        "Event data store not found",
        "No event data store with this ARN or ID exists in this account and region. Check the value, the account of your credentials and the region.",
    ),
    (
        "InsufficientDependencyServiceAccessPermissionException",
        "CloudTrail lacks a service-linked role permission",
        "For an organization event data store, the management account needs the AWSServiceRoleForCloudTrail service-linked role with access to AWS Organizations.",
    ),
    (
        "InvalidEventDataStoreCategoryException",
        "This event data store's ingestion cannot be started or stopped",
        "Only stores of Management, Data, NetworkActivity or ConfigurationItem events can start or stop ingestion; integration and Insights stores cannot. Remove this resource for this store.",
    ),
    (
        "InvalidEventDataStoreStatusException",
        "The event data store is in a status that does not allow this",
        "Start needs STOPPED_INGESTION and stop needs ENABLED. Run the plan again once the store has settled; a store PENDING_DELETION must be restored first.",
    ),
    (
        "InvalidParameterException",
        "CloudTrail rejected a parameter",
        "Check event_data_store.",
    ),
    (
        "NoManagementAccountSLRExistsException",
        "The management account has no CloudTrail service-linked role",
        "Create the AWSServiceRoleForCloudTrail service-linked role in the organization's management account.",
    ),
    (
        "NotOrganizationMasterAccountException",
        "Not the organization's management account",
        "Organization event data stores can only be changed from the management account (or a delegated administrator).",
    ),
    (
        "OperationNotPermittedException",
        "Operation not permitted",
        "CloudTrail does not permit this operation on this store.",
    ),
    (
        "UnsupportedOperationException",
        "Operation not supported",
        "This operation is not supported for this event data store or region.",
    ),
    (
        "ConflictException",
        "The event data store is busy",
        "Another change to this store is in progress. Retried until the timeout; run apply again later.",
    ),
    (
        "AccessDeniedException",
        "Access denied",
        "The credentials lack permission for this CloudTrail action; grant cloudtrail:GetEventDataStore, cloudtrail:StartEventDataStoreIngestion and cloudtrail:StopEventDataStoreIngestion.",
    ),
    (
        "UnrecognizedClientException",
        "Invalid AWS credentials",
        "The access key is not valid. Check access_key/secret_key, the profile, or the AWS_* variables.",
    ),
    (
        "InvalidClientTokenId",
        "Invalid AWS credentials",
        "The access key is not valid. Check access_key/secret_key, the profile, or the AWS_* variables.",
    ),
    (
        "InvalidSignatureException",
        "Invalid AWS credentials",
        "The secret key does not match the access key. Check secret_key, the profile, or the AWS_* variables.",
    ),
    (
        "SignatureDoesNotMatch",
        "Invalid AWS credentials",
        "The secret key does not match the access key. Check secret_key, the profile, or the AWS_* variables.",
    ),
    (
        "ExpiredTokenException",
        "Expired AWS credentials",
        "The session token has expired. Refresh your credentials (e.g. aws sso login) and run again.",
    ),
    (
        "ThrottlingException",
        "Throttled by CloudTrail",
        "Requests were throttled even after retries. Lower -parallelism or raise max_retries.",
    ),
];

/// Turns any CloudTrail SDK error into one diagnostic.
pub fn diagnostic<E>(
    ctx: &CallContext<'_>,
    err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> Diagnostic
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let request_id = err.request_id().unwrap_or("none");
    let (summary, detail) = match err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("Unknown");
            let message = err.message().unwrap_or("(no message)");
            let (summary, advice) = KNOWN
                .iter()
                .find(|(c, _, _)| *c == code)
                .map(|(_, s, a)| (*s, *a))
                .unwrap_or(("CloudTrail returned an error", "See AWS's message above."));
            (
                summary.to_owned(),
                format!(
                    "{} for {} failed: {code}: {message}\n{advice}\nRequest ID: {request_id}",
                    ctx.operation, ctx.store
                ),
            )
        }
        _ => classify_transport(ctx, &format!("{}", DisplayErrorContext(err)), request_id),
    };
    let d = Diagnostic::error(summary, detail);
    match &ctx.path {
        Some(p) => d.at(p.clone()),
        None => d,
    }
}

fn classify_transport(ctx: &CallContext<'_>, chain: &str, request_id: &str) -> (String, String) {
    let lower = chain.to_ascii_lowercase();
    let (summary, advice) = if lower.contains("credential") {
        (
            "No valid AWS credentials",
            "Set access_key/secret_key or profile in the provider block, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE in the environment.",
        )
    } else if lower.contains("timeout") || lower.contains("timed out") {
        (
            "CloudTrail did not answer in time",
            "Check the network path to the endpoint and try again.",
        )
    } else if lower.contains("connect")
        || lower.contains("dns")
        || lower.contains("dispatch")
        || lower.contains("io error")
    {
        (
            "Cannot reach the CloudTrail endpoint",
            "Check endpoints.cloudtrail / AWS_ENDPOINT_URL_CLOUDTRAIL, the region, and the network.",
        )
    } else {
        ("The CloudTrail call failed", "See the error above.")
    };
    (
        summary.to_owned(),
        format!(
            "{} for {} failed: {chain}\n{advice}\nRequest ID: {request_id}",
            ctx.operation, ctx.store
        ),
    )
}

/// The error code of a service error, for callers that branch on it (not found, conflict).
pub fn code<E: ProvideErrorMetadata>(
    err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> Option<&str> {
    match err {
        SdkError::ServiceError(_) => err.code(),
        _ => None,
    }
}
