//! The provider block's model turned into a [`ProviderConfig`], with the rules that hold between
//! attributes (each attribute's own rules are declared in `schema.rs` and checked by the framework
//! first). Each problem is one error at its attribute. Nothing here reads a file or the network
//! (validate runs this too).

use std::collections::BTreeMap;

use super::rules::{is_iam_arn, is_region_name};
use super::schema::{AssumeRoleBlock, ProviderBlock, WebIdentityModel};
use super::{PlanChecks, ProviderConfig};
use crate::aws::credentials::{AssumeRole, TokenSource, WebIdentity};
use crate::cty::{PathStep, Value};
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, attr_path, quote};
use crate::timeouts::parse_duration;
use tfplugin_framework::model::{Field, Model, Set};

/// A string argument; `""` counts as unset, as in hashicorp/aws.
fn text(f: &Field<String>) -> Option<String> {
    f.known().filter(|s| !s.is_empty()).cloned()
}

fn flag(f: &Field<bool>) -> bool {
    f.known_or(false)
}

fn strings(f: &Field<Vec<String>>) -> Vec<String> {
    f.known_or(Vec::new())
}

fn set(f: &Field<Set<String>>) -> Vec<String> {
    f.known().map(|s| s.0.clone()).unwrap_or_default()
}

/// A duration that its attribute's check has accepted.
fn duration(f: &Field<String>) -> Option<std::time::Duration> {
    text(f).and_then(|t| parse_duration(&t).ok())
}

fn at(path: &AttributePath, name: &str) -> AttributePath {
    let mut p = path.clone();
    p.push(PathStep::Attr(name.to_owned()));
    p
}

impl ProviderConfig {
    /// The configuration of a wholly known provider block, or every rule it breaks, each at its
    /// attribute: the attributes' declared checks, then the rules between attributes.
    pub fn from_value(v: &Value) -> Result<ProviderConfig, Diagnostics> {
        let mut diags = super::schema().block.check(v);
        match Self::from_block(&ProviderBlock::from_value(v)) {
            Ok(cfg) if !diags.has_errors() => Ok(cfg),
            Ok(_) => Err(diags),
            Err(more) => {
                diags.extend(more);
                Err(diags)
            }
        }
    }

    /// The configuration of a block whose attributes have kept their declared checks (the
    /// framework runs them first), or every rule between attributes that it breaks.
    pub fn from_block(b: &ProviderBlock) -> Result<ProviderConfig, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut error = |name: &str, summary: &str, detail: String| {
            diags.push(Diagnostic::error(summary, detail).at(attr_path(&[name])));
        };
        let skip_region_validation = flag(&b.skip_region_validation);
        for (name, region) in [("region", &b.region), ("sts_region", &b.sts_region)] {
            if let Some(text) = text(region)
                && !skip_region_validation
                && !is_region_name(&text)
            {
                error(
                    name,
                    "Invalid AWS region",
                    format!(
                        "{name} must be an AWS region name such as us-east-1, got {}. Set \
                         skip_region_validation = true for an emulator's own region names.",
                        quote(&text)
                    ),
                );
            }
        }
        let endpoints = b.endpoints.known().cloned().unwrap_or_default();
        let mut cfg = ProviderConfig {
            region: text(&b.region),
            profile: text(&b.profile),
            access_key: text(&b.access_key),
            secret_key: text(&b.secret_key),
            token: text(&b.token),
            shared_config_files: strings(&b.shared_config_files),
            shared_credentials_files: strings(&b.shared_credentials_files),
            max_retries: b.max_retries.known().and_then(|n| u32::try_from(*n).ok()),
            retry_mode: text(&b.retry_mode),
            adaptive_retries: text(&b.retry_mode).as_deref() == Some("adaptive"),
            plan_checks: text(&b.plan_checks)
                .and_then(|t| PlanChecks::parse(&t))
                .unwrap_or_default(),
            allowed_account_ids: set(&b.allowed_account_ids),
            forbidden_account_ids: set(&b.forbidden_account_ids),
            custom_ca_bundle: text(&b.custom_ca_bundle),
            // Kept as written: "" means "no proxy".
            http_proxy: b.http_proxy.known().cloned(),
            https_proxy: b.https_proxy.known().cloned(),
            no_proxy: b.no_proxy.known().cloned(),
            insecure: flag(&b.insecure),
            sts_region: text(&b.sts_region),
            use_fips_endpoint: flag(&b.use_fips_endpoint),
            use_dualstack_endpoint: flag(&b.use_dualstack_endpoint),
            skip_credentials_validation: flag(&b.skip_credentials_validation),
            skip_requesting_account_id: flag(&b.skip_requesting_account_id),
            skip_metadata_api_check: text(&b.skip_metadata_api_check).map(|t| t == "true"),
            ec2_metadata_service_endpoint: text(&b.ec2_metadata_service_endpoint),
            ec2_metadata_service_endpoint_mode: text(&b.ec2_metadata_service_endpoint_mode),
            cloudtrail_endpoint: text(&endpoints.cloudtrail),
            sts_endpoint: text(&endpoints.sts),
            assume_roles: Vec::new(),
            web_identity: None,
        };
        if cfg.access_key.is_some() != cfg.secret_key.is_some() {
            let missing = if cfg.access_key.is_some() {
                "secret_key"
            } else {
                "access_key"
            };
            error(
                missing,
                "Incomplete static credentials",
                format!("access_key and secret_key go together; {missing} is not set."),
            );
        }
        if !cfg.allowed_account_ids.is_empty() && !cfg.forbidden_account_ids.is_empty() {
            error(
                "forbidden_account_ids",
                "Conflicting account rules",
                "Set allowed_account_ids or forbidden_account_ids, not both.".to_owned(),
            );
        }
        if cfg.skip_requesting_account_id
            && !(cfg.allowed_account_ids.is_empty() && cfg.forbidden_account_ids.is_empty())
        {
            error(
                "skip_requesting_account_id",
                "Account rules need the account ID",
                "allowed_account_ids and forbidden_account_ids are checked against the account \
                 the credentials belong to, which skip_requesting_account_id = true leaves \
                 unknown. Remove one or the other."
                    .to_owned(),
            );
        }
        for (i, block) in b.assume_role.known_or(Vec::new()).iter().enumerate() {
            let mut path = attr_path(&["assume_role"]);
            path.push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
            if let Some(role) = assume_role(block, &path, &mut diags) {
                cfg.assume_roles.push(role);
            }
        }
        if let Some(w) = b.assume_role_with_web_identity.known() {
            cfg.web_identity = Some(web_identity(w, &mut diags));
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(cfg)
        }
    }
}

fn assume_role(
    a: &AssumeRoleBlock,
    path: &AttributePath,
    diags: &mut Diagnostics,
) -> Option<AssumeRole> {
    let shown = |name: &str| crate::cty::format_path(&at(path, name));
    let role_arn = text(&a.role_arn);
    if role_arn.is_none() {
        diags.push(
            Diagnostic::error(
                "Missing role_arn",
                format!(
                    "{} is required: the ARN of the role to assume.",
                    shown("role_arn")
                ),
            )
            .at(at(path, "role_arn")),
        );
    }
    let tags: BTreeMap<String, String> = a.tags.known_or(BTreeMap::new());
    let transitive_tag_keys = set(&a.transitive_tag_keys);
    for key in &transitive_tag_keys {
        if !tags.contains_key(key) {
            diags.push(
                Diagnostic::error(
                    "Unknown transitive tag key",
                    format!(
                        "{} names {}, which is not a key of tags; STS only passes on tags of \
                         the session.",
                        shown("transitive_tag_keys"),
                        quote(key)
                    ),
                )
                .at(at(path, "transitive_tag_keys")),
            );
        }
    }
    Some(AssumeRole {
        role_arn: role_arn?,
        session_name: text(&a.session_name),
        external_id: text(&a.external_id),
        duration: duration(&a.duration),
        policy: text(&a.policy),
        policy_arns: set(&a.policy_arns),
        tags,
        transitive_tag_keys,
        source_identity: text(&a.source_identity),
    })
}

/// The block's values; what it leaves out (role, session name, token file) may come from the
/// environment at configure.
fn web_identity(w: &WebIdentityModel, diags: &mut Diagnostics) -> WebIdentityBlock {
    let token = text(&w.web_identity_token);
    let token_file = text(&w.web_identity_token_file);
    if token.is_some() && token_file.is_some() {
        diags.push(
            Diagnostic::error(
                "Conflicting web identity tokens",
                "Set web_identity_token or web_identity_token_file, not both.",
            )
            .at(attr_path(&[
                "assume_role_with_web_identity",
                "web_identity_token_file",
            ])),
        );
    }
    WebIdentityBlock {
        role_arn: text(&w.role_arn),
        session_name: text(&w.session_name),
        token: token
            .map(TokenSource::Literal)
            .or(token_file.map(TokenSource::File)),
        duration: duration(&w.duration),
        policy: text(&w.policy),
        policy_arns: set(&w.policy_arns),
    }
}

/// `assume_role_with_web_identity` as written; [`WebIdentityBlock::resolve`] fills the rest in
/// from the environment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WebIdentityBlock {
    pub role_arn: Option<String>,
    pub session_name: Option<String>,
    pub token: Option<TokenSource>,
    pub duration: Option<std::time::Duration>,
    pub policy: Option<String>,
    pub policy_arns: Vec<String>,
}

impl WebIdentityBlock {
    /// The web identity to assume, with `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` and
    /// `AWS_ROLE_SESSION_NAME` filling what the block leaves out.
    pub fn resolve(&self, env: super::Env<'_>) -> Result<WebIdentity, Diagnostic> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        let path = |name: &str| attr_path(&["assume_role_with_web_identity", name]);
        let role_arn = self.role_arn.clone().or_else(|| var("AWS_ROLE_ARN"));
        let Some(role_arn) = role_arn else {
            return Err(Diagnostic::error(
                "Missing role_arn",
                "assume_role_with_web_identity needs role_arn (or AWS_ROLE_ARN in the \
                 environment): the ARN of the role to assume.",
            )
            .at(path("role_arn")));
        };
        if !is_iam_arn(&role_arn, "role/") {
            return Err(Diagnostic::error(
                "Invalid role ARN",
                format!(
                    "AWS_ROLE_ARN must be the ARN of an IAM role, such as \
                     arn:aws:iam::123456789012:role/deploy; got {}.",
                    quote(&role_arn)
                ),
            ));
        }
        let token = match self.token.clone() {
            // `~` in the block's path is the home directory, as aws-sdk-go-base expands it.
            Some(TokenSource::File(f)) => {
                TokenSource::File(super::expand_home_with(&f, cfg!(windows), env))
            }
            Some(t) => t,
            None => match var("AWS_WEB_IDENTITY_TOKEN_FILE") {
                Some(f) => TokenSource::File(f),
                None => {
                    return Err(Diagnostic::error(
                        "Missing web identity token",
                        "assume_role_with_web_identity needs web_identity_token or \
                         web_identity_token_file (or AWS_WEB_IDENTITY_TOKEN_FILE in the \
                         environment).",
                    )
                    .at(path("web_identity_token_file")));
                }
            },
        };
        Ok(WebIdentity {
            role_arn,
            session_name: self
                .session_name
                .clone()
                .or_else(|| var("AWS_ROLE_SESSION_NAME")),
            token,
            duration: self.duration,
            policy: self.policy.clone(),
            policy_arns: self.policy_arns.clone(),
        })
    }
}
