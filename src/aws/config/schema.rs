//! The `provider "cloudtrail"` block as Terraform sees it. Names, nesting and environment
//! variables are hashicorp/aws 6.x's, so a team can copy the block it already has.

use std::collections::BTreeMap;

use super::rules;
use crate::cty::Type;
use crate::schema::{Attribute, Block, Nesting, Schema};
use tfplugin_framework::model::{Set, model};

model! {
    /// The block as written: each attribute of [`schema`] by name (the drift test holds them
    /// together); `parse.rs` turns it into a `ProviderConfig`.
    pub struct ProviderBlock {
        pub region: Field<String>,
        pub profile: Field<String>,
        pub access_key: Field<String>,
        pub secret_key: Field<String>,
        pub token: Field<String>,
        pub shared_config_files: Field<Vec<String>>,
        pub shared_credentials_files: Field<Vec<String>>,
        pub max_retries: Field<i64>,
        pub retry_mode: Field<String>,
        pub plan_checks: Field<String>,
        pub allowed_account_ids: Field<Set<String>>,
        pub forbidden_account_ids: Field<Set<String>>,
        pub custom_ca_bundle: Field<String>,
        pub http_proxy: Field<String>,
        pub https_proxy: Field<String>,
        pub no_proxy: Field<String>,
        pub insecure: Field<bool>,
        pub sts_region: Field<String>,
        pub use_fips_endpoint: Field<bool>,
        pub use_dualstack_endpoint: Field<bool>,
        pub skip_credentials_validation: Field<bool>,
        pub skip_requesting_account_id: Field<bool>,
        pub skip_metadata_api_check: Field<String>,
        pub skip_region_validation: Field<bool>,
        pub ec2_metadata_service_endpoint: Field<String>,
        pub ec2_metadata_service_endpoint_mode: Field<String>,
        pub assume_role: Field<Vec<AssumeRoleBlock>>,
        pub assume_role_with_web_identity: Field<WebIdentityModel>,
        pub endpoints: Field<EndpointsBlock>,
    }
}

model! {
    /// One `assume_role` block.
    pub struct AssumeRoleBlock {
        pub role_arn: Field<String>,
        pub session_name: Field<String>,
        pub external_id: Field<String>,
        pub duration: Field<String>,
        pub policy: Field<String>,
        pub policy_arns: Field<Set<String>>,
        pub tags: Field<BTreeMap<String, String>>,
        pub transitive_tag_keys: Field<Set<String>>,
        pub source_identity: Field<String>,
    }
}

model! {
    /// The `assume_role_with_web_identity` block.
    pub struct WebIdentityModel {
        pub role_arn: Field<String>,
        pub session_name: Field<String>,
        pub web_identity_token: Field<String>,
        pub web_identity_token_file: Field<String>,
        pub duration: Field<String>,
        pub policy: Field<String>,
        pub policy_arns: Field<Set<String>>,
    }
}

model! {
    /// The `endpoints` block.
    pub struct EndpointsBlock {
        pub cloudtrail: Field<String>,
        pub sts: Field<String>,
    }
}

pub fn schema() -> Schema {
    Schema::new(0, provider_block())
}

fn provider_block() -> Block {
    Block::new(
        "Manages AWS CloudTrail Lake event data stores and their ingestion. Settings follow the \
         hashicorp/aws provider's names; anything left out comes from the usual AWS environment \
         variables and shared files.",
    )
    .attribute(Attribute::string("region").optional().description(
        "AWS region for API calls, e.g. `us-east-1`. Defaults to `AWS_REGION`, \
         `AWS_DEFAULT_REGION` or the profile's region. An ARN that names another region is sent \
         to that region.",
    ))
    .attribute(Attribute::string("profile").optional().description(
        "Named profile from the shared config files. Defaults to `AWS_PROFILE`, then \
         `AWS_DEFAULT_PROFILE`. Set here, its credentials come before the environment's keys \
         and web identity (see Authentication and Configuration).",
    ))
    .attribute(
        Attribute::string("access_key")
            .optional()
            .sensitive()
            .description(
                "AWS access key ID. Set together with `secret_key`; takes precedence over the \
                 environment and profiles.",
            ),
    )
    .attribute(
        Attribute::string("secret_key")
            .optional()
            .sensitive()
            .description("AWS secret access key. Set together with `access_key`."),
    )
    .attribute(
        Attribute::string("token")
            .optional()
            .sensitive()
            .description(
                "Session token for temporary credentials given by `access_key` and `secret_key`.",
            ),
    )
    .attribute(
        Attribute::typed("shared_config_files", Type::list(Type::String))
            .optional()
            .description("Paths of shared config files to read instead of `~/.aws/config`."),
    )
    .attribute(
        Attribute::typed("shared_credentials_files", Type::list(Type::String))
            .optional()
            .description(
                "Paths of shared credentials files to read instead of `~/.aws/credentials`.",
            ),
    )
    .attribute(Attribute::number("max_retries").optional().check(rules::max_retries).description(
        "Maximum number of attempts for an AWS request that is throttled or fails transiently \
         (5xx, network), the first one included, as the hashicorp/aws provider counts it. \
         Defaults to `AWS_MAX_ATTEMPTS`, then 25; 0 or 1 means no retry.",
    ))
    .attribute(Attribute::string("retry_mode").optional().check(rules::retry_mode).description(
        "`standard` or `adaptive` (adds client-side rate limiting). Defaults to \
         `AWS_RETRY_MODE`, then `standard`.",
    ))
    .attribute(
        Attribute::string("plan_checks")
            .optional()
            .check(rules::plan_checks)
            .description(PLAN_CHECKS_DESCRIPTION),
    )
    .attribute(
        Attribute::typed("allowed_account_ids", Type::set(Type::String))
            .optional()
            .check_each(rules::account_id)
            .description(
                "AWS account IDs the credentials may belong to. Before its first CloudTrail call, \
                 each provider process asks sts:GetCallerIdentity once; any other account is an \
                 error and no CloudTrail call is made. Conflicts with `forbidden_account_ids`.",
            ),
    )
    .attribute(
        Attribute::typed("forbidden_account_ids", Type::set(Type::String))
            .optional()
            .check_each(rules::account_id)
            .description(
                "AWS account IDs the credentials must not belong to, checked like \
                 `allowed_account_ids`. Conflicts with `allowed_account_ids`.",
            ),
    )
    .attribute(Attribute::string("custom_ca_bundle").optional().description(
        "Path of a PEM file of CA certificates to trust instead of the system's (for AWS \
         endpoints and an https:// proxy), e.g. for a corporate TLS-inspecting proxy. Defaults \
         to `AWS_CA_BUNDLE`, then `ca_bundle` in the profile.",
    ))
    .attribute(Attribute::string("http_proxy").optional().check(rules::proxy_url).description(
        "URL (http:// or https://) of a proxy for http:// requests to AWS. Defaults to \
         `HTTP_PROXY` / `http_proxy`. \
         Also used for https:// requests when `https_proxy` is not set (set `https_proxy = \"\"` \
         to prevent that), as hashicorp/aws does.",
    ))
    .attribute(Attribute::string("https_proxy").optional().check(rules::proxy_url).description(
        "URL of a proxy for https:// requests to AWS, reached with CONNECT: over TLS for an \
         https:// proxy; SOCKS is not supported. Defaults to `HTTPS_PROXY` / `https_proxy`.",
    ))
    .attribute(Attribute::string("no_proxy").optional().description(
        "Comma-separated hosts, domains (`example.com` for it and its subdomains, \
         `.example.com` or `*.example.com` for its subdomains), `host:port`, IP addresses or CIDR \
         blocks that bypass the proxy, as in Go; `*` bypasses it always. \
         Replaces `NO_PROXY` / `no_proxy`. `localhost` and loopback addresses never use a proxy.",
    ))
    .attribute(Attribute::bool("insecure").optional().description(
        "Skip verifying the TLS certificates of AWS endpoints. For tests against emulators only; \
         every configure warns while it is set. Defaults to `false`.",
    ))
    .attribute(Attribute::string("sts_region").optional().description(
        "Region of the STS endpoint used for `assume_role`, `assume_role_with_web_identity` and \
         account checks. Defaults to `region`.",
    ))
    .attribute(Attribute::bool("use_fips_endpoint").optional().description(
        "Use FIPS endpoints of CloudTrail and STS. Ignored for a service whose endpoint is set in \
         `endpoints`. Defaults to `AWS_USE_FIPS_ENDPOINT`, then `false`.",
    ))
    .attribute(Attribute::bool("use_dualstack_endpoint").optional().description(
        "Use dual-stack (IPv4 and IPv6) endpoints. Ignored for a service whose endpoint is set in \
         `endpoints`. Defaults to `AWS_USE_DUALSTACK_ENDPOINT`, then `false`.",
    ))
    .attribute(Attribute::bool("skip_credentials_validation").optional().description(
        "Skip checking the credentials with sts:GetCallerIdentity. Without it, each provider \
         process makes that call once, before its first CloudTrail call (never while \
         configuring or validating), so bad credentials are reported as such. Set it for \
         endpoints without STS, such as most emulators. Defaults to `false`.",
    ))
    .attribute(Attribute::bool("skip_requesting_account_id").optional().description(
        "Do not learn the account ID. The provider needs it only for `allowed_account_ids` and \
         `forbidden_account_ids`, which cannot be combined with it. Defaults to `false`.",
    ))
    .attribute(Attribute::string("skip_metadata_api_check").optional().check(rules::string_bool).description(
        "`true` leaves the EC2 instance metadata service (IMDS) out of the credentials chain. \
         `\"\"` (default) or `false` keep it. Defaults to `AWS_EC2_METADATA_DISABLED`.",
    ))
    .attribute(Attribute::bool("skip_region_validation").optional().description(
        "Accept a `region` or `sts_region` that does not have the shape of an AWS region name \
         (`us-east-1`, `eusc-de-east-1`), e.g. for emulators. Defaults to `false`.",
    ))
    .attribute(
        Attribute::string("ec2_metadata_service_endpoint")
            .optional()
            .check(rules::url)
            .description(
                "Address of the EC2 instance metadata service, e.g. `http://169.254.169.254`. \
                 Defaults to `AWS_EC2_METADATA_SERVICE_ENDPOINT`.",
            ),
    )
    .attribute(
        Attribute::string("ec2_metadata_service_endpoint_mode")
            .optional()
            .check(rules::endpoint_mode)
            .description(
                "`IPv4` or `IPv6`: which default address of the EC2 instance metadata service \
                 to use. Defaults to `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, then `IPv4`.",
            ),
    )
    .block("assume_role", Nesting::List, assume_role_block())
    .block(
        "assume_role_with_web_identity",
        Nesting::Single,
        web_identity_block(),
    )
    .block("endpoints", Nesting::Single, endpoints_block())
}

fn assume_role_block() -> Block {
    Block::new(
        "Assume an IAM role with sts:AssumeRole before calling CloudTrail. Several blocks chain: \
         each role is assumed with the credentials of the one before it, in order.",
    )
    .attribute(
        Attribute::string("role_arn").optional().check(rules::role_arn).description(
            "ARN of the IAM role to assume, e.g. `arn:aws:iam::123456789012:role/name`.",
        ),
    )
    .attribute(Attribute::string("session_name").optional().check(rules::session_name).description(
        "Session name recorded in CloudTrail for the assumed role (2 to 64 characters of \
         letters, digits and `+=,.@-`). Defaults to `terraform-provider-cloudtrail`.",
    ))
    .attribute(
        Attribute::string("external_id")
            .optional()
            .check(rules::external_id)
            .description("External ID the role's trust policy requires (2 to 1224 characters)."),
    )
    .attribute(Attribute::string("duration").optional().check(rules::session_duration).description(
        "Session length such as `1h` or `15m`, from 15 minutes to 12 hours. Defaults to STS's \
         default (1 hour).",
    ))
    .attribute(policy())
    .attribute(policy_arns())
    .attribute(
        Attribute::typed("tags", Type::map(Type::String))
            .optional()
            .check(rules::session_tags)
            .description("Session tags."),
    )
    .attribute(
        Attribute::typed("transitive_tag_keys", Type::set(Type::String))
            .optional()
            .description("Keys of `tags` that pass on to roles assumed later in a chain of roles."),
    )
    .attribute(Attribute::string("source_identity").optional().check(rules::session_name).description(
        "Source identity recorded with the session (2 to 64 characters of letters, digits and \
         `+=,.@-`).",
    ))
}

fn web_identity_block() -> Block {
    Block::new(
        "Assume an IAM role with sts:AssumeRoleWithWebIdentity, e.g. with the OIDC token of a \
         GitHub Actions or GitLab CI job. Without this block, `AWS_ROLE_ARN` with \
         `AWS_WEB_IDENTITY_TOKEN_FILE` (and `AWS_ROLE_SESSION_NAME`) do the same. `assume_role` \
         blocks, if any, start from these credentials.",
    )
    .attribute(
        Attribute::string("role_arn")
            .optional()
            .check(rules::role_arn)
            .description("ARN of the IAM role to assume. Defaults to `AWS_ROLE_ARN`."),
    )
    .attribute(Attribute::string("session_name").optional().check(rules::session_name).description(
        "Session name (2 to 64 characters of letters, digits and `+=,.@-`). Defaults to \
         `AWS_ROLE_SESSION_NAME`, then `terraform-provider-cloudtrail`.",
    ))
    .attribute(
        Attribute::string("web_identity_token")
            .optional()
            .check(rules::web_identity_token)
            .sensitive()
            .description("The OIDC token itself. Set this or `web_identity_token_file`."),
    )
    .attribute(
        Attribute::string("web_identity_token_file")
            .optional()
            .description(
                "Path of a file holding the OIDC token; read again at each refresh, as CI \
                 systems rotate it. Set this or `web_identity_token`. Defaults to \
                 `AWS_WEB_IDENTITY_TOKEN_FILE`.",
            ),
    )
    .attribute(Attribute::string("duration").optional().check(rules::session_duration).description(
        "Session length such as `1h`, from 15 minutes to 12 hours. Defaults to STS's default.",
    ))
    .attribute(policy())
    .attribute(policy_arns())
}

/// Session policies, the same in both ways of assuming a role.
fn policy() -> Attribute {
    Attribute::string("policy")
        .optional()
        .check(rules::policy)
        .description("IAM policy JSON that further restricts the session's permissions.")
}

fn policy_arns() -> Attribute {
    Attribute::typed("policy_arns", Type::set(Type::String))
        .optional()
        .check_each(rules::policy_arn)
        .description("ARNs of managed IAM policies that further restrict the session.")
}

fn endpoints_block() -> Block {
    Block::new(
        "Custom service endpoints, e.g. a VPC or FIPS endpoint, or an emulator on loopback. Each \
         service uses only its own.",
    )
    .attribute(
        Attribute::string("cloudtrail")
            .optional()
            .check(rules::url)
            .description(
                "CloudTrail endpoint URL. Defaults to `AWS_ENDPOINT_URL_CLOUDTRAIL`, then \
         `AWS_ENDPOINT_URL`, then the AWS endpoint for the region.",
            ),
    )
    .attribute(
        Attribute::string("sts")
            .optional()
            .check(rules::url)
            .description(
                "STS endpoint URL, for `assume_role`, `assume_role_with_web_identity` and account \
         checks. Defaults to `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`, then the AWS \
         endpoint for `sts_region`.",
            ),
    )
}

pub const PLAN_CHECKS_DESCRIPTION: &str = "What a plan does with what it learns from reading an \
                                           event data store it is about to create or change: \
                                           `warn` (default), `error` or `off`. With `warn`, a \
                                           store that is missing, pending deletion, of a category \
                                           that cannot ingest, or unreadable (access denied, \
                                           throttled, no credentials) is a warning in the plan, \
                                           and the apply fails on it. With `error`, the plan \
                                           fails on the first three (an unreadable store stays \
                                           a warning); note that this makes \
                                           `terraform destroy` fail once a store has been \
                                           deleted outside Terraform, because the refresh before \
                                           a destroy drops the store and plans to create it \
                                           again: get out with `destroy -refresh=false` or a \
                                           `removed {}` block. With `off`, a plan makes no AWS \
                                           call at all (large configurations, accounts near \
                                           CloudTrail's read quota); the apply still reads the \
                                           store first. The check of `event_data_store` itself \
                                           (length, characters, ARN shape) is an error in every \
                                           mode. A provider configuration that can never work \
                                           (an untrusted TLS certificate, a ruled-out account) \
                                           fails the plan in `warn` and `error` modes.";

#[cfg(test)]
mod tests {
    use super::*;

    /// The drift test: the model names exactly the schema's attributes and blocks, each of its
    /// type, nested blocks included.
    #[test]
    fn the_block_model_names_the_schema() {
        assert!(tfplugin_framework::model::matches_schema::<ProviderBlock>(
            &schema()
        ));
        let mut drifted = schema();
        drifted.block.blocks[0]
            .block
            .attributes
            .push(Attribute::string("role_name").optional());
        assert!(!tfplugin_framework::model::matches_schema::<ProviderBlock>(
            &drifted
        ));
    }
}
