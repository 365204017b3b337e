//! Where the provider's AWS credentials come from beyond the SDK's own chain: web identity (block
//! or environment), a chain of `assume_role` steps, and the once-per-process account check with
//! sts:GetCallerIdentity. Every STS call goes to the STS endpoint and region alone, and its
//! failure names STS, the operation and the role, never CloudTrail.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_types::SdkConfig;
use aws_types::region::Region;
use tokio::sync::OnceCell;

/// Where STS calls go: `sts_region` (else the provider's region, else us-east-1) and
/// `endpoints.sts` (else `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else AWS's).
#[derive(Clone, Debug)]
pub struct StsTarget {
    pub region: Region,
    pub endpoint: Option<String>,
}

impl StsTarget {
    /// An STS client for this target, signing with `credentials` (none: unsigned, which
    /// AssumeRoleWithWebIdentity allows). HTTP client, retries and FIPS/dual-stack come from `base`.
    fn client(
        &self,
        base: &SdkConfig,
        credentials: Option<SharedCredentialsProvider>,
    ) -> aws_sdk_sts::Client {
        let mut conf = aws_sdk_sts::config::Builder::from(base).region(self.region.clone());
        // `base` never carries an endpoint URL of its own (each service sets its own), so without
        // one here the SDK resolves STS's regional endpoint.
        conf.set_endpoint_url(self.endpoint.clone());
        conf.set_credentials_provider(credentials);
        aws_sdk_sts::Client::from_conf(conf.build())
    }

    /// `https://sts.<region>.amazonaws.com` or the configured URL, for messages.
    pub fn shown(&self) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| format!("the STS endpoint of {}", self.region))
    }
}

/// One `assume_role` block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub transitive_tag_keys: Vec<String>,
    pub source_identity: Option<String>,
}

/// Where a web identity token comes from. A file is read at every refresh: CI systems rotate it.
/// `Debug` never shows a literal token.
#[derive(Clone, PartialEq)]
pub enum TokenSource {
    Literal(String),
    File(String),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Literal(_) => f.write_str("Literal(<redacted>)"),
            TokenSource::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// `assume_role_with_web_identity`, or its environment form.
#[derive(Clone, Debug, PartialEq)]
pub struct WebIdentity {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub token: TokenSource,
    pub duration: Option<Duration>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
}

const DEFAULT_SESSION_NAME: &str = "terraform-provider-cloudtrail";

/// A failed STS call, worded for the person who configured it.
#[derive(Debug)]
pub struct StsFailure {
    pub operation: &'static str,
    pub role_arn: Option<String>,
    pub endpoint: String,
    pub message: String,
    /// Throttling, 5xx, network: may pass on its own.
    pub transient: bool,
}

impl fmt::Display for StsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "STS {}", self.operation)?;
        if let Some(role) = &self.role_arn {
            write!(f, " of role {role}")?;
        }
        write!(f, " at {} failed: {}", self.endpoint, self.message)
    }
}

impl std::error::Error for StsFailure {}

/// The credentials belong to an account the provider block rules out.
#[derive(Debug, Clone)]
pub struct AccountNotAllowed {
    pub account: String,
    pub rule: String,
}

impl fmt::Display for AccountNotAllowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the credentials belong to AWS account {}, which {}; no CloudTrail call was made",
            self.account, self.rule
        )
    }
}

impl std::error::Error for AccountNotAllowed {}

fn sts_failure<E>(
    operation: &'static str,
    role_arn: Option<&str>,
    target: &StsTarget,
    err: SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> StsFailure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &err {
        SdkError::ServiceError(_) => {
            matches!(err.code(), Some("Throttling" | "ThrottlingException"))
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            true
        }
        _ => false,
    };
    // A response is never quoted: an answer that did not parse may hold the keys STS issued.
    let message = match (err.code(), err.message(), err.raw_response()) {
        (Some(code), Some(message), _) => format!("{code}: {message}"),
        (Some(code), None, _) => code.to_owned(),
        (None, _, Some(raw)) => super::errors::unreadable_response(raw.status().as_u16()),
        // The error and its causes, each once (the SDK's display context adds a Debug dump).
        (None, _, None) => super::errors::error_chain(&err),
    };
    StsFailure {
        operation,
        role_arn: role_arn.map(str::to_owned),
        endpoint: target.shown(),
        message,
        transient,
    }
}

fn into_credentials(
    creds: Option<aws_sdk_sts::types::Credentials>,
    source: &'static str,
) -> Result<Credentials, CredentialsError> {
    let Some(c) = creds else {
        return Err(CredentialsError::unhandled(
            "STS answered without credentials",
        ));
    };
    let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        expiry,
        source,
    ))
}

fn policy_descriptors(arns: &[String]) -> Option<Vec<aws_sdk_sts::types::PolicyDescriptorType>> {
    (!arns.is_empty()).then(|| {
        arns.iter()
            .map(|a| {
                aws_sdk_sts::types::PolicyDescriptorType::builder()
                    .arn(a)
                    .build()
            })
            .collect()
    })
}

fn duration_seconds(d: Option<Duration>) -> Option<i32> {
    d.and_then(|d| i32::try_from(d.as_secs()).ok())
}

/// One step of the `assume_role` chain: the previous step's credentials sign its AssumeRole.
#[derive(Debug)]
struct AssumeRoleStep {
    client: aws_sdk_sts::Client,
    target: StsTarget,
    role: AssumeRole,
}

impl AssumeRoleStep {
    async fn assume(&self) -> Result<Credentials, CredentialsError> {
        let r = &self.role;
        let tags = r
            .tags
            .iter()
            .map(|(k, v)| aws_sdk_sts::types::Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(CredentialsError::invalid_configuration)?;
        let out = self
            .client
            .assume_role()
            .role_arn(&r.role_arn)
            .role_session_name(r.session_name.as_deref().unwrap_or(DEFAULT_SESSION_NAME))
            .set_external_id(r.external_id.clone())
            .set_duration_seconds(duration_seconds(r.duration))
            .set_policy(r.policy.clone())
            .set_policy_arns(policy_descriptors(&r.policy_arns))
            .set_tags((!tags.is_empty()).then_some(tags))
            .set_transitive_tag_keys(
                (!r.transitive_tag_keys.is_empty()).then(|| r.transitive_tag_keys.clone()),
            )
            .set_source_identity(r.source_identity.clone())
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(sts_failure(
                    "AssumeRole",
                    Some(&r.role_arn),
                    &self.target,
                    e,
                ))
            })?;
        tracing::debug!(role = %r.role_arn, "assumed role");
        into_credentials(out.credentials, "AssumeRole")
    }
}

impl ProvideCredentials for AssumeRoleStep {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.assume())
    }
}

#[derive(Debug)]
struct WebIdentityStep {
    client: aws_sdk_sts::Client,
    target: StsTarget,
    identity: WebIdentity,
}

impl WebIdentityStep {
    async fn assume(&self) -> Result<Credentials, CredentialsError> {
        let w = &self.identity;
        let token = match &w.token {
            TokenSource::Literal(t) => t.clone(),
            TokenSource::File(path) => tokio::fs::read_to_string(path)
                .await
                .map_err(|e| {
                    CredentialsError::invalid_configuration(format!(
                        "cannot read the web identity token file {path:?}: {e}"
                    ))
                })?
                .trim()
                .to_owned(),
        };
        let out = self
            .client
            .assume_role_with_web_identity()
            .role_arn(&w.role_arn)
            .role_session_name(w.session_name.as_deref().unwrap_or(DEFAULT_SESSION_NAME))
            .web_identity_token(token)
            .set_duration_seconds(duration_seconds(w.duration))
            .set_policy(w.policy.clone())
            .set_policy_arns(policy_descriptors(&w.policy_arns))
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(sts_failure(
                    "AssumeRoleWithWebIdentity",
                    Some(&w.role_arn),
                    &self.target,
                    e,
                ))
            })?;
        tracing::debug!(role = %w.role_arn, "assumed role with web identity");
        into_credentials(out.credentials, "AssumeRoleWithWebIdentity")
    }
}

impl ProvideCredentials for WebIdentityStep {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.assume())
    }
}

/// The web identity step: its credentials need no other credentials.
pub fn web_identity(
    base: &SdkConfig,
    target: &StsTarget,
    identity: WebIdentity,
) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(WebIdentityStep {
        client: target.client(base, None),
        target: target.clone(),
        identity,
    })
}

/// `source`, then each role in order, each signed with the credentials before it. Each step's STS
/// client caches what it signs with, so a refresh only repeats the steps that expired.
pub fn assume_role_chain(
    base: &SdkConfig,
    target: &StsTarget,
    source: SharedCredentialsProvider,
    roles: &[AssumeRole],
) -> SharedCredentialsProvider {
    roles.iter().fold(source, |previous, role| {
        SharedCredentialsProvider::new(AssumeRoleStep {
            client: target.client(base, Some(previous)),
            target: target.clone(),
            role: role.clone(),
        })
    })
}

/// What the once-per-process check with sts:GetCallerIdentity looks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountRules {
    pub allowed: Vec<String>,
    pub forbidden: Vec<String>,
    /// `skip_credentials_validation = false`: the call is made even without account rules.
    pub validate: bool,
}

impl AccountRules {
    pub fn needs_call(&self) -> bool {
        self.validate || !self.allowed.is_empty() || !self.forbidden.is_empty()
    }

    fn check(&self, account: &str) -> Result<(), AccountNotAllowed> {
        if self.forbidden.iter().any(|a| a == account) {
            return Err(AccountNotAllowed {
                account: account.to_owned(),
                rule: format!(
                    "forbidden_account_ids lists ({})",
                    self.forbidden.join(", ")
                ),
            });
        }
        if !self.allowed.is_empty() && !self.allowed.iter().any(|a| a == account) {
            return Err(AccountNotAllowed {
                account: account.to_owned(),
                rule: format!(
                    "is not in allowed_account_ids ({})",
                    self.allowed.join(", ")
                ),
            });
        }
        Ok(())
    }
}

/// Checks the credentials once, before they sign anything else: the first CloudTrail call of
/// the process waits for sts:GetCallerIdentity, and a ruled-out account fails every call.
#[derive(Debug)]
struct AccountGuard {
    inner: SharedCredentialsProvider,
    base: SdkConfig,
    target: StsTarget,
    rules: AccountRules,
    /// The account, once known, or why it may not be used. Transient failures are not kept.
    outcome: OnceCell<Result<String, AccountNotAllowed>>,
}

impl AccountGuard {
    async fn provide(&self) -> Result<Credentials, CredentialsError> {
        let creds = self.inner.provide_credentials().await?;
        let outcome = self
            .outcome
            .get_or_try_init(|| async {
                let client = self.target.client(
                    &self.base,
                    Some(SharedCredentialsProvider::new(creds.clone())),
                );
                let who = client.get_caller_identity().send().await.map_err(|e| {
                    CredentialsError::provider_error(sts_failure(
                        "GetCallerIdentity",
                        None,
                        &self.target,
                        e,
                    ))
                })?;
                let account = who.account().unwrap_or_default().to_owned();
                tracing::debug!(%account, "credentials validated with sts:GetCallerIdentity");
                Ok::<_, CredentialsError>(self.rules.check(&account).map(|()| account))
            })
            .await?;
        match outcome {
            Ok(_) => Ok(creds),
            Err(not_allowed) => Err(CredentialsError::invalid_configuration(not_allowed.clone())),
        }
    }
}

impl ProvideCredentials for AccountGuard {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.provide())
    }
}

/// `inner`, checked by `rules` when they need a call.
pub fn guarded(
    base: &SdkConfig,
    target: &StsTarget,
    inner: SharedCredentialsProvider,
    rules: AccountRules,
) -> SharedCredentialsProvider {
    if !rules.needs_call() {
        return inner;
    }
    SharedCredentialsProvider::new(AccountGuard {
        inner,
        base: base.clone(),
        target: target.clone(),
        rules,
        outcome: OnceCell::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_rules_name_the_account_and_the_list() {
        let rules = AccountRules {
            allowed: vec!["111111111111".into()],
            ..AccountRules::default()
        };
        assert!(rules.check("111111111111").is_ok());
        let err = rules.check("222222222222").unwrap_err().to_string();
        assert!(
            err.contains("222222222222") && err.contains("allowed_account_ids (111111111111)"),
            "{err}"
        );
        let rules = AccountRules {
            forbidden: vec!["222222222222".into()],
            ..AccountRules::default()
        };
        assert!(rules.check("111111111111").is_ok());
        let err = rules.check("222222222222").unwrap_err().to_string();
        assert!(err.contains("forbidden_account_ids"), "{err}");
        assert!(!AccountRules::default().needs_call());
    }
}
