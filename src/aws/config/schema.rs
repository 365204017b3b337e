//! The `provider "cloudtrail"` block as Terraform sees it. Names, nesting and environment
//! variables are hashicorp/aws 6.x's, so a team can copy the block it already has.

use crate::cty::Type;
use crate::schema::{Attribute, Block, Nesting, Schema};

pub fn schema() -> Schema {
    Schema::new(0, provider_block())
}

fn provider_block() -> Block {
    Block::new(
        "Manages the ingestion state of AWS CloudTrail Lake event data stores. Settings follow the \
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
    .attribute(Attribute::number("max_retries").optional().description(
        "Maximum number of attempts for an AWS request that is throttled or fails transiently \
         (5xx, network), the first one included, as the hashicorp/aws provider counts it. \
         Defaults to `AWS_MAX_ATTEMPTS`, then 25; 0 or 1 means no retry.",
    ))
    .attribute(Attribute::string("retry_mode").optional().description(
        "`standard` or `adaptive` (adds client-side rate limiting). Defaults to \
         `AWS_RETRY_MODE`, then `standard`.",
    ))
    .attribute(
        Attribute::string("plan_checks")
            .optional()
            .description(PLAN_CHECKS_DESCRIPTION),
    )
    .attribute(
        Attribute::typed("allowed_account_ids", Type::set(Type::String))
            .optional()
            .description(
                "AWS account IDs the credentials may belong to. Before its first CloudTrail call, \
                 each provider process asks sts:GetCallerIdentity once; any other account is an \
                 error and no CloudTrail call is made. Conflicts with `forbidden_account_ids`.",
            ),
    )
    .attribute(
        Attribute::typed("forbidden_account_ids", Type::set(Type::String))
            .optional()
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
    .attribute(Attribute::string("http_proxy").optional().description(
        "URL (http:// or https://) of a proxy for http:// requests to AWS. Defaults to \
         `HTTP_PROXY` / `http_proxy`. \
         Also used for https:// requests when `https_proxy` is not set (set `https_proxy = \"\"` \
         to prevent that), as hashicorp/aws does.",
    ))
    .attribute(Attribute::string("https_proxy").optional().description(
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
    .attribute(Attribute::string("skip_metadata_api_check").optional().description(
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
            .description(
                "Address of the EC2 instance metadata service, e.g. `http://169.254.169.254`. \
                 Defaults to `AWS_EC2_METADATA_SERVICE_ENDPOINT`.",
            ),
    )
    .attribute(
        Attribute::string("ec2_metadata_service_endpoint_mode")
            .optional()
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
        Attribute::string("role_arn").optional().description(
            "ARN of the IAM role to assume, e.g. `arn:aws:iam::123456789012:role/name`.",
        ),
    )
    .attribute(Attribute::string("session_name").optional().description(
        "Session name recorded in CloudTrail for the assumed role (2 to 64 characters of \
         letters, digits and `+=,.@-`). Defaults to `terraform-provider-cloudtrail`.",
    ))
    .attribute(
        Attribute::string("external_id")
            .optional()
            .description("External ID the role's trust policy requires (2 to 1224 characters)."),
    )
    .attribute(Attribute::string("duration").optional().description(
        "Session length such as `1h` or `15m`, from 15 minutes to 12 hours. Defaults to STS's \
         default (1 hour).",
    ))
    .attribute(policy())
    .attribute(policy_arns())
    .attribute(
        Attribute::typed("tags", Type::map(Type::String))
            .optional()
            .description("Session tags."),
    )
    .attribute(
        Attribute::typed("transitive_tag_keys", Type::set(Type::String))
            .optional()
            .description("Keys of `tags` that pass on to roles assumed later in a chain of roles."),
    )
    .attribute(Attribute::string("source_identity").optional().description(
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
            .description("ARN of the IAM role to assume. Defaults to `AWS_ROLE_ARN`."),
    )
    .attribute(Attribute::string("session_name").optional().description(
        "Session name (2 to 64 characters of letters, digits and `+=,.@-`). Defaults to \
         `AWS_ROLE_SESSION_NAME`, then `terraform-provider-cloudtrail`.",
    ))
    .attribute(
        Attribute::string("web_identity_token")
            .optional()
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
    .attribute(Attribute::string("duration").optional().description(
        "Session length such as `1h`, from 15 minutes to 12 hours. Defaults to STS's default.",
    ))
    .attribute(policy())
    .attribute(policy_arns())
}

/// Session policies, the same in both ways of assuming a role.
fn policy() -> Attribute {
    Attribute::string("policy")
        .optional()
        .description("IAM policy JSON that further restricts the session's permissions.")
}

fn policy_arns() -> Attribute {
    Attribute::typed("policy_arns", Type::set(Type::String))
        .optional()
        .description("ARNs of managed IAM policies that further restrict the session.")
}

fn endpoints_block() -> Block {
    Block::new(
        "Custom service endpoints, e.g. a VPC or FIPS endpoint, or an emulator on loopback. Each \
         service uses only its own.",
    )
    .attribute(Attribute::string("cloudtrail").optional().description(
        "CloudTrail endpoint URL. Defaults to `AWS_ENDPOINT_URL_CLOUDTRAIL`, then \
         `AWS_ENDPOINT_URL`, then the AWS endpoint for the region.",
    ))
    .attribute(Attribute::string("sts").optional().description(
        "STS endpoint URL, for `assume_role`, `assume_role_with_web_identity` and account \
         checks. Defaults to `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`, then the AWS \
         endpoint for `sts_region`.",
    ))
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
