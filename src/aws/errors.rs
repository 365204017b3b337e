//! AWS failures as values: the error code callers branch on, how sure the failure is, and one
//! diagnostic with a plain summary, AWS's message and request id, and what to do about it.

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudtrail::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudtrail::operation::RequestId;
use aws_smithy_runtime_api::client::result::ConnectorError;

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

/// What a diagnostic says of a failure: how sure it is about the store, a plain summary, and
/// what to do about it.
#[derive(Debug, Clone, Copy)]
struct Class {
    kind: ErrorKind,
    summary: &'static str,
    advice: &'static str,
}

/// A documented error code and how it is shown.
struct Known {
    code: &'static str,
    class: Class,
}

/// STS's and CloudTrail's two names for an access key AWS does not know.
const INVALID_KEY: Class = Class {
    kind: ErrorKind::Access,
    summary: "Invalid AWS credentials",
    advice: "The access key is not valid. Check access_key/secret_key, the profile, or the AWS_* \
             variables.",
};

/// ... and for a secret key that does not match its access key.
const WRONG_SECRET: Class = Class {
    kind: ErrorKind::Access,
    summary: "Invalid AWS credentials",
    advice: "The secret key does not match the access key. Check secret_key, the profile, or the \
             AWS_* variables.",
};

/// Every error CloudTrail documents for these operations and the common errors every AWS API
/// returns.
const KNOWN: &[Known] = &[
    Known {
        code: "EventDataStoreARNInvalidException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Invalid event data store ARN",
            advice: "Check event_data_store: it must be the ARN of an event data store, or its ID.",
        },
    },
    Known {
        code: "EventDataStoreNotFoundException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Event data store not found",
            advice: "No event data store with this ARN or ID exists in this account and region. Check the \
             value, the account of your credentials and the region.",
        },
    },
    Known {
        code: "InsufficientDependencyServiceAccessPermissionException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "CloudTrail lacks a service-linked role permission",
            advice: "For an organization event data store, the management account needs the \
             AWSServiceRoleForCloudTrail service-linked role with access to AWS Organizations.",
        },
    },
    Known {
        code: "InvalidEventDataStoreCategoryException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "This event data store's ingestion cannot be started or stopped",
            advice: "Only stores of Management, Data, NetworkActivity or ConfigurationItem events can start or \
             stop ingestion; integration and Insights stores cannot. Remove this resource for this \
             store.",
        },
    },
    Known {
        code: "InvalidEventDataStoreStatusException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "The event data store is in a status that does not allow this",
            advice: "Start needs STOPPED_INGESTION and stop needs ENABLED. Run apply again once the store has \
             settled; a store PENDING_DELETION must be restored first.",
        },
    },
    Known {
        code: "InvalidParameterException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "CloudTrail rejected a parameter",
            advice: "Check the argument AWS's message names (for ingestion, event_data_store).",
        },
    },
    Known {
        code: "NoManagementAccountSLRExistsException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "The management account has no CloudTrail service-linked role",
            advice: "Create the AWSServiceRoleForCloudTrail service-linked role in the organization's \
             management account.",
        },
    },
    Known {
        code: "NotOrganizationMasterAccountException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Not the organization's management account",
            advice: "Organization event data stores can only be changed from the management account (or a \
             delegated administrator).",
        },
    },
    Known {
        code: "OperationNotPermittedException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Operation not permitted",
            advice: "CloudTrail does not permit this operation on this store.",
        },
    },
    Known {
        code: "UnsupportedOperationException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Operation not supported",
            advice: "This operation is not supported for this event data store or region.",
        },
    },
    Known {
        code: "ConflictException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "The event data store is busy",
            advice: "Another change to this store is in progress. The provider retries until the resource's \
             timeout; run apply again later or raise timeouts.",
        },
    },
    Known {
        code: "EventDataStoreTerminationProtectedException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Termination protection is on",
            advice: "The store cannot be deleted while termination_protection_enabled is true: set \
             it to false and apply, then destroy.",
        },
    },
    Known {
        code: "EventDataStoreMaxLimitExceededException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Too many event data stores",
            advice: "The account has as many event data stores as this region allows (10 by \
             default; stores pending deletion count for 7 days). Delete or restore-and-reuse a \
             store, or ask AWS Support to raise the quota.",
        },
    },
    Known {
        code: "EventDataStoreAlreadyExistsException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "An event data store with this name exists",
            advice: "Choose another name, or import the existing store: terraform import \
             <address> <its ARN>.",
        },
    },
    Known {
        code: "InsufficientEncryptionPolicyException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "The KMS key policy does not let CloudTrail use the key",
            advice: "Allow the cloudtrail.amazonaws.com service principal kms:GenerateDataKey* and \
             kms:Decrypt in the policy of the key named by kms_key_id.",
        },
    },
    Known {
        code: "KmsKeyNotFoundException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "KMS key not found",
            advice: "kms_key_id names no key, or a key of another region: the key must be in the \
             store's region.",
        },
    },
    Known {
        code: "InvalidKmsKeyIdException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Invalid KMS key",
            advice: "kms_key_id must be a key ARN, key ID, alias name or alias ARN.",
        },
    },
    Known {
        code: "KmsException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "KMS refused the key",
            advice: "Check that the key named by kms_key_id is enabled and its policy allows \
             CloudTrail.",
        },
    },
    Known {
        code: "InvalidEventSelectorsException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Invalid advanced event selectors",
            advice: "Check advanced_event_selector: at most 5 selectors, each with an \
             eventCategory field selector, fields and operators as the CloudTrail Lake guide \
             lists them.",
        },
    },
    Known {
        code: "InvalidTagParameterException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Invalid tags",
            advice: "Check tags: keys of 1 to 128 characters, values up to 256, at most 50.",
        },
    },
    Known {
        code: "OrganizationsNotInUseException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "AWS Organizations is not in use",
            advice: "organization_enabled = true needs an organization: set it to false, or \
             create the store from the organization's management account.",
        },
    },
    Known {
        code: "OrganizationNotInAllFeaturesModeException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "The organization does not have all features enabled",
            advice: "Organization event data stores need AWS Organizations with all features \
             enabled.",
        },
    },
    Known {
        code: "CloudTrailAccessNotEnabledException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "CloudTrail has no trusted access to the organization",
            advice: "Enable trusted access for CloudTrail in AWS Organizations (from the \
             management account), or set organization_enabled = false.",
        },
    },
    Known {
        code: "EventDataStoreFederationEnabledException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "Lake query federation is on",
            advice: "Disable Lake query federation for this store (DisableFederation) before \
             deleting it.",
        },
    },
    Known {
        code: "ChannelExistsForEDSException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "A channel sends events to this store",
            advice: "Delete the channel that has this store as its destination before deleting \
             the store.",
        },
    },
    Known {
        code: "EventDataStoreHasOngoingImportException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "An import into this store is running",
            advice: "Wait for the import to finish (or stop it), then apply again.",
        },
    },
    Known {
        code: "InactiveEventDataStoreException",
        class: Class {
            kind: ErrorKind::Service,
            summary: "The event data store is not active",
            advice: "The store is pending deletion: restore it (RestoreEventDataStore) or \
             remove it from state.",
        },
    },
    Known {
        code: "AccessDeniedException",
        class: Class {
            kind: ErrorKind::Access,
            summary: "Access denied",
            advice: "The credentials lack permission for this CloudTrail action: grant the \
             cloudtrail: action of the operation named above (ingestion needs \
             cloudtrail:GetEventDataStore, cloudtrail:StartEventDataStoreIngestion and \
             cloudtrail:StopEventDataStoreIngestion).",
        },
    },
    Known {
        code: "UnrecognizedClientException",
        class: INVALID_KEY,
    },
    Known {
        code: "InvalidClientTokenId",
        class: INVALID_KEY,
    },
    Known {
        code: "InvalidSignatureException",
        class: WRONG_SECRET,
    },
    Known {
        code: "SignatureDoesNotMatch",
        class: WRONG_SECRET,
    },
    Known {
        code: "ExpiredTokenException",
        class: Class {
            kind: ErrorKind::Access,
            summary: "Expired AWS credentials",
            advice: "The session token has expired. Refresh your credentials (e.g. aws sso login) and run \
             again.",
        },
    },
    Known {
        code: "ThrottlingException",
        class: Class {
            kind: ErrorKind::Transient,
            summary: "Throttled by CloudTrail",
            advice: "Requests were throttled even after retries. Lower -parallelism, raise max_retries, or run \
             again.",
        },
    },
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
    let (code, class, detail) = match err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("Unknown");
            let message = err.message().unwrap_or("(no message)");
            let class = KNOWN
                .iter()
                .find(|k| k.code == code)
                .map(|k| k.class)
                .unwrap_or_else(|| {
                    unknown_code(err.raw_response().map_or(0, |r| r.status().as_u16()))
                });
            let detail = format!(
                "{} for {} failed: {code}: {message}\n{}\nRequest ID: {request_id}",
                ctx.operation, ctx.store, class.advice
            );
            (Some(code.to_owned()), class, detail)
        }
        _ => {
            let unanswered = unanswered(err);
            let detail = format!(
                "{} for {} failed: {}\n{}\nRequest ID: {request_id}",
                ctx.operation, ctx.store, unanswered.text, unanswered.class.advice
            );
            (None, unanswered.class, detail)
        }
    };
    let d = Diagnostic::error(class.summary, detail);
    AwsError {
        code,
        kind: class.kind,
        diagnostic: d.at_opt(ctx.path.clone()),
    }
}

/// A failure without CloudTrail's answer: the words that say what happened, and its class.
struct Unanswered {
    text: String,
    class: Class,
}

/// Classifies a failure before or without an answer by the types in its chain and the SDK's
/// variant, never by its text.
fn unanswered<E>(err: &SdkError<E, aws_smithy_runtime_api::http::Response>) -> Unanswered
where
    E: std::error::Error + Send + Sync + 'static,
{
    // The provider's own errors say it all; the SDK's wrapping around them says nothing.
    if let Some(own) = provider_failure(err) {
        return own;
    }
    if let SdkError::ResponseError(r) = err {
        return Unanswered {
            text: unreadable_response(r.raw().status().as_u16()),
            class: UNREADABLE,
        };
    }
    let text = error_chain(err);
    let class = if in_chain::<CredentialsError>(err) {
        NO_CREDENTIALS
    } else {
        match err {
            SdkError::TimeoutError(_) => TIMED_OUT,
            SdkError::DispatchFailure(d) if d.is_timeout() => TIMED_OUT,
            SdkError::DispatchFailure(_) => UNREACHABLE,
            _ => match chain_find::<ConnectorError>(err) {
                Some(c) if c.is_timeout() => TIMED_OUT,
                Some(_) => UNREACHABLE,
                None => FAILED,
            },
        }
    };
    Unanswered { text, class }
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

fn unknown_code(status: u16) -> Class {
    if status >= 500 {
        Class {
            kind: ErrorKind::Transient,
            summary: "CloudTrail failed to answer",
            advice: "CloudTrail had an internal error even after retries; run again later.",
        }
    } else {
        Class {
            kind: ErrorKind::Service,
            summary: "CloudTrail returned an error",
            advice: "See AWS's message above.",
        }
    }
}

const UNREADABLE: Class = Class {
    kind: ErrorKind::Transient,
    summary: "Unreadable answer from CloudTrail",
    advice: "Check endpoints.cloudtrail / AWS_ENDPOINT_URL_CLOUDTRAIL: something other than \
             CloudTrail, or a proxy, may be answering.",
};

const NO_CREDENTIALS: Class = Class {
    kind: ErrorKind::Access,
    summary: "No valid AWS credentials",
    advice: CREDENTIALS_ADVICE,
};

const TIMED_OUT: Class = Class {
    kind: ErrorKind::Transient,
    summary: "CloudTrail did not answer in time",
    advice: "Check the network path to the endpoint and try again.",
};

const UNREACHABLE: Class = Class {
    kind: ErrorKind::Transient,
    summary: "Cannot reach the CloudTrail endpoint",
    advice: "Check endpoints.cloudtrail / AWS_ENDPOINT_URL_CLOUDTRAIL, the region, and the network.",
};

const FAILED: Class = Class {
    kind: ErrorKind::Transient,
    summary: "The CloudTrail call failed",
    advice: "See the error above.",
};

/// The first error of type `T` in `err`'s chain, `err` included.
fn chain_find<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut source = Some(err);
    while let Some(e) = source {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        source = e.source();
    }
    None
}

fn in_chain<T: std::error::Error + 'static>(err: &(dyn std::error::Error + 'static)) -> bool {
    chain_find::<T>(err).is_some()
}

/// Failures this provider's own parts raise (its HTTP client, its STS steps), found by type
/// anywhere in the chain.
fn provider_failure(err: &(dyn std::error::Error + 'static)) -> Option<Unanswered> {
    use super::credentials::{AccountNotAllowed, StsFailure};
    use super::http::{TlsSetupFailed, UntrustedCertificate};
    let mut source = Some(err);
    while let Some(e) = source {
        // The provider's own failures, all of which configuration alone causes.
        let config = if e.is::<UntrustedCertificate>() {
            Some((
                "TLS certificate not trusted",
                "Trust the CA that signs this endpoint's certificate with custom_ca_bundle (or \
                 AWS_CA_BUNDLE), or fix endpoints / the proxy settings if this is not the \
                 endpoint you meant.",
            ))
        } else if e.is::<TlsSetupFailed>() {
            Some((
                "No trusted CA certificates",
                "Install the system's CA certificates, or set custom_ca_bundle.",
            ))
        } else if e.is::<AccountNotAllowed>() {
            Some((
                "AWS account not allowed",
                "Use credentials of an allowed account, or change allowed_account_ids / \
                 forbidden_account_ids.",
            ))
        } else {
            // Credentials that STS refuses, or cannot be asked about, fail every CloudTrail call
            // of this configuration: a plan must not pass over them (hashicorp/aws fails at
            // configure here).
            e.downcast_ref::<StsFailure>()
                .map(|sts| match sts.operation {
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
                })
        };
        if let Some((summary, advice)) = config {
            let kind = ErrorKind::Config;
            return Some(Unanswered {
                text: e.to_string(),
                class: Class {
                    kind,
                    summary,
                    advice,
                },
            });
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_a_distinct_plain_summary() {
        for Known { code, class } in KNOWN {
            assert!(
                !class.summary.is_empty() && !class.advice.is_empty(),
                "{code}"
            );
            assert!(
                !class.summary.contains("Exception"),
                "{code}: {}",
                class.summary
            );
        }
    }

    type GetError = SdkError<
        aws_sdk_cloudtrail::operation::get_event_data_store::GetEventDataStoreError,
        aws_smithy_runtime_api::http::Response,
    >;

    fn summary_of(err: GetError) -> &'static str {
        unanswered(&err).class.summary
    }

    /// By the SDK's variant and the types in the chain, never by the words: "credentials" in an
    /// I/O error is still I/O.
    #[test]
    fn failures_without_an_answer_are_classified_by_type() {
        assert_eq!(
            summary_of(GetError::timeout_error("slow")),
            TIMED_OUT.summary
        );
        assert_eq!(
            summary_of(GetError::dispatch_failure(ConnectorError::timeout(
                "slow".into()
            ))),
            TIMED_OUT.summary
        );
        assert_eq!(
            summary_of(GetError::dispatch_failure(ConnectorError::io(
                "no credentials in this refusal".into()
            ))),
            UNREACHABLE.summary
        );
        assert_eq!(
            summary_of(GetError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::not_loaded("no provider")),
                None
            ))),
            NO_CREDENTIALS.summary
        );
        assert_eq!(
            summary_of(GetError::construction_failure(
                CredentialsError::not_loaded("no provider")
            )),
            NO_CREDENTIALS.summary
        );
        assert_eq!(
            summary_of(GetError::construction_failure("timeout in the words only")),
            FAILED.summary
        );
    }
}
