//! AWS failures as values: the error code callers branch on, how sure the failure is, and one
//! diagnostic with a plain summary, AWS's message and request id, and what to do about it.

use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::RequestId;

use crate::diagnostics::{AttributePath, Diagnostic};

/// What a failed call was doing, for the diagnostic's wording.
pub struct CallContext<'a> {
    pub operation: &'a str,
    pub store: &'a str,
    pub path: Option<AttributePath>,
}

/// How much a failure says about the store itself. Plan-time checks fail the plan only on
/// `Service` answers; the others may well be gone by apply time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// CloudTrail answered about this store or request (not found, wrong category, ...).
    Service,
    /// The credentials are missing, invalid, expired or lack permission.
    Access,
    /// Throttling after retries, 5xx, network and timeouts: may pass on its own.
    Transient,
    /// The provider configuration cannot work (an untrusted certificate, a ruled-out account,
    /// credentials STS refuses or cannot check): not about the store, and it does not pass on
    /// its own, so even a `warn` plan fails on it.
    Config,
}

/// A failed CloudTrail call.
#[derive(Debug, Clone)]
pub struct AwsError {
    /// The service's error code, when CloudTrail answered.
    pub code: Option<String>,
    pub kind: ErrorKind,
    pub diagnostic: Diagnostic,
}

impl AwsError {
    pub fn is(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

const CREDENTIALS_ADVICE: &str = "Check access_key/secret_key or profile in the provider block, or \
                                  AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE in the \
                                  environment.";

/// (code, kind, summary, advice) for every error CloudTrail documents for these operations and
/// the common errors every AWS API returns.
const KNOWN: &[(&str, ErrorKind, &str, &str)] = &[
    (
        "EventDataStoreARNInvalidException",
        ErrorKind::Service,
        "Invalid event data store ARN",
        "Check event_data_store: it must be the ARN of an event data store, or its ID.",
    ),
    (
        "EventDataStoreNotFoundException",
        ErrorKind::Service,
        "Event data store not found",
        "No event data store with this ARN or ID exists in this account and region. Check the \
         value, the account of your credentials and the region.",
    ),
    (
        "InsufficientDependencyServiceAccessPermissionException",
        ErrorKind::Service,
        "CloudTrail lacks a service-linked role permission",
        "For an organization event data store, the management account needs the \
         AWSServiceRoleForCloudTrail service-linked role with access to AWS Organizations.",
    ),
    (
        "InvalidEventDataStoreCategoryException",
        ErrorKind::Service,
        "This event data store's ingestion cannot be started or stopped",
        "Only stores of Management, Data, NetworkActivity or ConfigurationItem events can start or \
         stop ingestion; integration and Insights stores cannot. Remove this resource for this \
         store.",
    ),
    (
        "InvalidEventDataStoreStatusException",
        ErrorKind::Service,
        "The event data store is in a status that does not allow this",
        "Start needs STOPPED_INGESTION and stop needs ENABLED. Run apply again once the store has \
         settled; a store PENDING_DELETION must be restored first.",
    ),
    (
        "InvalidParameterException",
        ErrorKind::Service,
        "CloudTrail rejected a parameter",
        "Check event_data_store.",
    ),
    (
        "NoManagementAccountSLRExistsException",
        ErrorKind::Service,
        "The management account has no CloudTrail service-linked role",
        "Create the AWSServiceRoleForCloudTrail service-linked role in the organization's \
         management account.",
    ),
    (
        "NotOrganizationMasterAccountException",
        ErrorKind::Service,
        "Not the organization's management account",
        "Organization event data stores can only be changed from the management account (or a \
         delegated administrator).",
    ),
    (
        "OperationNotPermittedException",
        ErrorKind::Service,
        "Operation not permitted",
        "CloudTrail does not permit this operation on this store.",
    ),
    (
        "UnsupportedOperationException",
        ErrorKind::Service,
        "Operation not supported",
        "This operation is not supported for this event data store or region.",
    ),
    (
        "ConflictException",
        ErrorKind::Service,
        "The event data store is busy",
        "Another change to this store is in progress. The provider retries until the resource's \
         timeout; run apply again later or raise timeouts.",
    ),
    (
        "AccessDeniedException",
        ErrorKind::Access,
        "Access denied",
        "The credentials lack permission for this CloudTrail action; grant \
         cloudtrail:GetEventDataStore, cloudtrail:StartEventDataStoreIngestion and \
         cloudtrail:StopEventDataStoreIngestion.",
    ),
    (
        "UnrecognizedClientException",
        ErrorKind::Access,
        "Invalid AWS credentials",
        "The access key is not valid. Check access_key/secret_key, the profile, or the AWS_* \
         variables.",
    ),
    (
        "InvalidClientTokenId",
        ErrorKind::Access,
        "Invalid AWS credentials",
        "The access key is not valid. Check access_key/secret_key, the profile, or the AWS_* \
         variables.",
    ),
    (
        "InvalidSignatureException",
        ErrorKind::Access,
        "Invalid AWS credentials",
        "The secret key does not match the access key. Check secret_key, the profile, or the AWS_* \
         variables.",
    ),
    (
        "SignatureDoesNotMatch",
        ErrorKind::Access,
        "Invalid AWS credentials",
        "The secret key does not match the access key. Check secret_key, the profile, or the AWS_* \
         variables.",
    ),
    (
        "ExpiredTokenException",
        ErrorKind::Access,
        "Expired AWS credentials",
        "The session token has expired. Refresh your credentials (e.g. aws sso login) and run \
         again.",
    ),
    (
        "ThrottlingException",
        ErrorKind::Transient,
        "Throttled by CloudTrail",
        "Requests were throttled even after retries. Lower -parallelism, raise max_retries, or run \
         again.",
    ),
];

/// Turns any CloudTrail SDK error into one [`AwsError`].
pub fn classify<E>(
    ctx: &CallContext<'_>,
    err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // The header is the usual source; a modeled error carries the id in its metadata too.
    let request_id = err
        .request_id()
        .or_else(|| err.as_service_error().and_then(|e| e.meta().request_id()))
        .unwrap_or("none (the request did not reach AWS)");
    let (code, kind, summary, detail) = match err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("Unknown");
            let message = err.message().unwrap_or("(no message)");
            let (kind, summary, advice) = KNOWN
                .iter()
                .find(|(c, ..)| *c == code)
                .map(|(_, k, s, a)| (*k, *s, *a))
                .unwrap_or_else(|| {
                    unknown_code(err.raw_response().map_or(0, |r| r.status().as_u16()))
                });
            (
                Some(code.to_owned()),
                kind,
                summary,
                format!(
                    "{} for {} failed: {code}: {message}\n{advice}\nRequest ID: {request_id}",
                    ctx.operation, ctx.store
                ),
            )
        }
        _ => {
            // The provider's own errors say it all; the SDK's wrapping around them says nothing.
            let (chain, (kind, summary, advice)) = match (classify_typed(err), err) {
                (Some((own, class)), _) => (own, class),
                (None, SdkError::ResponseError(r)) => (
                    unreadable_response(r.raw().status().as_u16()),
                    (
                        ErrorKind::Transient,
                        "Unreadable answer from CloudTrail",
                        "Check endpoints.cloudtrail / AWS_ENDPOINT_URL_CLOUDTRAIL: something \
                         other than CloudTrail, or a proxy, may be answering.",
                    ),
                ),
                (None, _) => {
                    let chain = error_chain(err);
                    let class = classify_transport(&chain);
                    (chain, class)
                }
            };
            (
                None,
                kind,
                summary,
                format!(
                    "{} for {} failed: {chain}\n{advice}\nRequest ID: {request_id}",
                    ctx.operation, ctx.store
                ),
            )
        }
    };
    let d = Diagnostic::error(summary, detail);
    AwsError {
        code,
        kind,
        diagnostic: d.at_opt(ctx.path.clone()),
    }
}

/// What a diagnostic says of an answer the SDK could not read: its status only. The body (and
/// the parser's words about it) may hold credentials, such as an STS answer cut short.
pub(crate) fn unreadable_response(status: u16) -> String {
    format!("the answer (HTTP {status}) could not be read; its body is not shown")
}

/// The error and its sources as one line, each cause once (the SDK's own display context adds a
/// Debug dump of the whole tree, which helps nobody reading a plan).
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

fn unknown_code(status: u16) -> (ErrorKind, &'static str, &'static str) {
    if status >= 500 {
        (
            ErrorKind::Transient,
            "CloudTrail failed to answer",
            "CloudTrail had an internal error even after retries; run again later.",
        )
    } else {
        (
            ErrorKind::Service,
            "CloudTrail returned an error",
            "See AWS's message above.",
        )
    }
}

/// Failures this provider's own parts raise (its HTTP client, its STS steps), found by type
/// anywhere in the chain.
fn classify_typed(
    err: &(dyn std::error::Error + 'static),
) -> Option<(String, (ErrorKind, &'static str, &'static str))> {
    use super::credentials::{AccountNotAllowed, StsFailure};
    use super::http::{TlsSetupFailed, UntrustedCertificate};
    let mut source = Some(err);
    while let Some(e) = source {
        if e.is::<UntrustedCertificate>() {
            return Some((
                e.to_string(),
                (
                    ErrorKind::Config,
                    "TLS certificate not trusted",
                    "Trust the CA that signs this endpoint's certificate with custom_ca_bundle (or \
                 AWS_CA_BUNDLE), or fix endpoints / the proxy settings if this is not the \
                 endpoint you meant.",
                ),
            ));
        }
        if e.is::<TlsSetupFailed>() {
            return Some((
                e.to_string(),
                (
                    ErrorKind::Config,
                    "No trusted CA certificates",
                    "Install the system's CA certificates, or set custom_ca_bundle.",
                ),
            ));
        }
        if e.is::<AccountNotAllowed>() {
            return Some((
                e.to_string(),
                (
                    ErrorKind::Config,
                    "AWS account not allowed",
                    "Use credentials of an allowed account, or change allowed_account_ids / \
                 forbidden_account_ids.",
                ),
            ));
        }
        if let Some(sts) = e.downcast_ref::<StsFailure>() {
            // Credentials that STS refuses, or cannot be asked about, fail every CloudTrail call
            // of this configuration: a plan must not pass over them (hashicorp/aws fails at
            // configure here).
            let kind = ErrorKind::Config;
            let (summary, advice) = match sts.operation {
                "GetCallerIdentity" if sts.transient => (
                    "Could not check the AWS credentials with STS",
                    "sts:GetCallerIdentity checks the credentials before the first CloudTrail \
                     call, and STS did not answer. Check endpoints.sts / AWS_ENDPOINT_URL_STS, \
                     sts_region and the network, or set skip_credentials_validation = true for \
                     an endpoint without STS.",
                ),
                "GetCallerIdentity" => (
                    "AWS credentials rejected by STS",
                    "sts:GetCallerIdentity checks the credentials before the first CloudTrail \
                     call. Check the credentials, endpoints.sts / AWS_ENDPOINT_URL_STS and \
                     sts_region, or set skip_credentials_validation = true for an endpoint \
                     without STS.",
                ),
                _ => (
                    "Could not assume the IAM role",
                    "Check role_arn, the role's trust policy (it must trust the credentials \
                     that assume it, and external_id or the OIDC token's audience and subject), \
                     endpoints.sts / AWS_ENDPOINT_URL_STS and sts_region.",
                ),
            };
            return Some((e.to_string(), (kind, summary, advice)));
        }
        source = e.source();
    }
    None
}

/// The SDK reports failures before a response (credentials, connection, timeouts) as an error
/// chain of text; these words are stable across SDK versions.
fn classify_transport(chain: &str) -> (ErrorKind, &'static str, &'static str) {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("credential") || lower.contains("identity") || lower.contains("sts ") {
        (
            ErrorKind::Access,
            "No valid AWS credentials",
            CREDENTIALS_ADVICE,
        )
    } else if lower.contains("timeout") || lower.contains("timed out") {
        (
            ErrorKind::Transient,
            "CloudTrail did not answer in time",
            "Check the network path to the endpoint and try again.",
        )
    } else if lower.contains("connect")
        || lower.contains("dns")
        || lower.contains("dispatch")
        || lower.contains("io error")
    {
        (
            ErrorKind::Transient,
            "Cannot reach the CloudTrail endpoint",
            "Check endpoints.cloudtrail / AWS_ENDPOINT_URL_CLOUDTRAIL, the region, and the network.",
        )
    } else {
        (
            ErrorKind::Transient,
            "The CloudTrail call failed",
            "See the error above.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_a_distinct_plain_summary() {
        for (code, _, summary, advice) in KNOWN {
            assert!(!summary.is_empty() && !advice.is_empty(), "{code}");
            assert!(!summary.contains("Exception"), "{code}: {summary}");
        }
    }

    #[test]
    fn transport_failures_are_not_about_the_store() {
        assert_eq!(
            classify_transport("dispatch failure: io error: Connection refused").0,
            ErrorKind::Transient
        );
        assert_eq!(
            classify_transport("failed to load credentials: no providers in chain").0,
            ErrorKind::Access
        );
        assert_eq!(
            classify_transport("operation timeout (all attempts including retries)").1,
            "CloudTrail did not answer in time"
        );
    }
}
