//! The `provider "cloudtrail"` block: its schema, its parsed form, and the SDK configuration it
//! yields. Credentials stay lazy, so configuring makes no AWS call and needs no credentials.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::{Credentials, Region, SharedCredentialsProvider};
use aws_types::SdkConfig;

use crate::cty::{Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::schema::{Attribute, Block, Nesting, Schema};
use crate::timeouts::parse_duration;

/// hashicorp/aws's default for `max_retries`.
pub const DEFAULT_MAX_RETRIES: u32 = 25;

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("Manages the ingestion state of AWS CloudTrail Lake event data stores. Settings follow the hashicorp/aws provider's names; anything left out comes from the usual AWS environment variables and shared files.")
            .attribute(Attribute::string("region").optional().description("AWS region for API calls, e.g. `us-east-1`. Defaults to `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's region. An ARN that names another region is sent to that region."))
            .attribute(Attribute::string("profile").optional().description("Named profile from the shared config files. Defaults to `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`."))
            .attribute(Attribute::string("access_key").optional().sensitive().description("AWS access key ID. Set together with `secret_key`; takes precedence over the environment and profiles."))
            .attribute(Attribute::string("secret_key").optional().sensitive().description("AWS secret access key. Set together with `access_key`."))
            .attribute(Attribute::string("token").optional().sensitive().description("Session token for temporary credentials given by `access_key` and `secret_key`."))
            .attribute(Attribute::typed("shared_config_files", Type::list(Type::String)).optional().description("Paths of shared config files to read instead of `~/.aws/config`."))
            .attribute(Attribute::typed("shared_credentials_files", Type::list(Type::String)).optional().description("Paths of shared credentials files to read instead of `~/.aws/credentials`."))
            .attribute(Attribute::number("max_retries").optional().description("How many times a failed AWS request is retried (throttling, 5xx, network errors). Defaults to 25, as in the hashicorp/aws provider."))
            .attribute(Attribute::string("retry_mode").optional().description("`standard` (default) or `adaptive` (adds client-side rate limiting)."))
            .block(
                "assume_role",
                Nesting::Single,
                Block::new("Assume an IAM role with STS before calling CloudTrail.")
                    .attribute(Attribute::string("role_arn").optional().description("ARN of the role to assume."))
                    .attribute(Attribute::string("session_name").optional().description("Session name recorded in CloudTrail for the assumed role."))
                    .attribute(Attribute::string("external_id").optional().description("External ID the role's trust policy requires."))
                    .attribute(Attribute::string("duration").optional().description("Session length as a duration such as `1h` or `15m` (15 minutes to 12 hours).")),
            )
            .block(
                "endpoints",
                Nesting::Single,
                Block::new("Custom service endpoints, e.g. an emulator on loopback.")
                    .attribute(Attribute::string("cloudtrail").optional().description("CloudTrail endpoint URL. Defaults to `AWS_ENDPOINT_URL_CLOUDTRAIL`, then `AWS_ENDPOINT_URL`, then the AWS endpoint for the region.")),
            ),
    )
}

pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<Duration>,
}

/// The provider block, parsed. No `Debug`: it holds secrets.
#[derive(Default)]
pub struct ProviderConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
    pub max_retries: Option<u32>,
    pub adaptive_retries: bool,
    pub assume_role: Option<AssumeRole>,
    pub cloudtrail_endpoint: Option<String>,
}

fn opt_string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

impl ProviderConfig {
    /// Parses and checks a wholly known provider block. Every problem is reported, each at its
    /// attribute.
    pub fn from_value(v: &Value) -> Result<ProviderConfig, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut cfg = ProviderConfig {
            region: opt_string(v.get("region")),
            profile: opt_string(v.get("profile")),
            access_key: opt_string(v.get("access_key")),
            secret_key: opt_string(v.get("secret_key")),
            token: opt_string(v.get("token")),
            shared_config_files: string_list(v.get("shared_config_files")),
            shared_credentials_files: string_list(v.get("shared_credentials_files")),
            cloudtrail_endpoint: v
                .get("endpoints")
                .and_then(|e| opt_string(e.get("cloudtrail"))),
            ..ProviderConfig::default()
        };
        if cfg.access_key.is_some() != cfg.secret_key.is_some() {
            let missing = if cfg.access_key.is_some() {
                "secret_key"
            } else {
                "access_key"
            };
            diags.push(
                Diagnostic::error(
                    "Incomplete static credentials",
                    format!("access_key and secret_key go together; {missing} is not set."),
                )
                .at(attr_path(&[missing])),
            );
        }
        if let Some(n) = v.get("max_retries").filter(|n| !n.is_null()) {
            match n.as_i64() {
                Some(n) if (0..=1000).contains(&n) => cfg.max_retries = u32::try_from(n).ok(),
                _ => diags.push(
                    Diagnostic::error(
                        "Invalid max_retries",
                        format!("max_retries must be a whole number from 0 to 1000, got {n:?}."),
                    )
                    .at(attr_path(&["max_retries"])),
                ),
            }
        }
        match opt_string(v.get("retry_mode")).as_deref() {
            None | Some("standard") => {}
            Some("adaptive") => cfg.adaptive_retries = true,
            Some(other) => diags.push(
                Diagnostic::error(
                    "Invalid retry_mode",
                    format!("retry_mode must be \"standard\" or \"adaptive\", got {other:?}."),
                )
                .at(attr_path(&["retry_mode"])),
            ),
        }
        if let Some(url) = &cfg.cloudtrail_endpoint
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            diags.push(
                Diagnostic::error(
                    "Invalid endpoint",
                    format!(
                        "endpoints.cloudtrail must be an http:// or https:// URL, got {url:?}."
                    ),
                )
                .at(attr_path(&["endpoints", "cloudtrail"])),
            );
        }
        if let Some(ar) = v.get("assume_role").filter(|a| !a.is_null()) {
            match opt_string(ar.get("role_arn")) {
                None => diags.push(
                    Diagnostic::error(
                        "Missing role_arn",
                        "assume_role needs role_arn: the ARN of the role to assume.",
                    )
                    .at(attr_path(&["assume_role", "role_arn"])),
                ),
                Some(role_arn) => {
                    let duration = match opt_string(ar.get("duration")) {
                        None => None,
                        Some(text) => match parse_duration(&text) {
                            Ok(d) if (900..=43200).contains(&d.as_secs()) => Some(d),
                            _ => {
                                diags.push(
                                    Diagnostic::error(
                                        "Invalid assume_role duration",
                                        format!("duration must be a duration such as \"1h\" between 15m and 12h, got {text:?}."),
                                    )
                                    .at(attr_path(&["assume_role", "duration"])),
                                );
                                None
                            }
                        },
                    };
                    cfg.assume_role = Some(AssumeRole {
                        role_arn,
                        session_name: opt_string(ar.get("session_name")),
                        external_id: opt_string(ar.get("external_id")),
                        duration,
                    });
                }
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(cfg)
        }
    }

    /// Builds the SDK configuration. Makes no network call: region comes from the block, the
    /// environment or the profile (never instance metadata), credentials resolve at first use.
    pub async fn load(&self) -> AwsClients {
        let profile = self
            .profile
            .clone()
            .or_else(|| non_empty_env("AWS_PROFILE"))
            .or_else(|| non_empty_env("AWS_DEFAULT_PROFILE"));
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = &profile {
            loader = loader.profile_name(p);
        }
        if !self.shared_config_files.is_empty() || !self.shared_credentials_files.is_empty() {
            let mut files = ProfileFiles::builder()
                .include_default_config_file(self.shared_config_files.is_empty())
                .include_default_credentials_file(self.shared_credentials_files.is_empty());
            for f in &self.shared_config_files {
                files = files.with_file(ProfileFileKind::Config, expand_home(f));
            }
            for f in &self.shared_credentials_files {
                files = files.with_file(ProfileFileKind::Credentials, expand_home(f));
            }
            loader = loader.profile_files(files.build());
        }
        let region = match &self.region {
            Some(r) => Some(Region::new(r.clone())),
            None => {
                let mut profile_region = aws_config::profile::ProfileFileRegionProvider::builder();
                if let Some(p) = &profile {
                    profile_region = profile_region.profile_name(p);
                }
                RegionProviderChain::first_try(
                    aws_config::environment::EnvironmentVariableRegionProvider::new(),
                )
                .or_else(profile_region.build())
                .region()
                .await
            }
        };
        if let Some(r) = &region {
            loader = loader.region(r.clone());
        }
        if let (Some(ak), Some(sk)) = (&self.access_key, &self.secret_key) {
            loader = loader.credentials_provider(Credentials::new(
                ak.clone(),
                sk.clone(),
                self.token.clone(),
                None,
                "provider-block",
            ));
        }
        if let Some(url) = &self.cloudtrail_endpoint {
            loader = loader.endpoint_url(url.clone());
        }
        let attempts = self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES) + 1;
        let retry = if self.adaptive_retries {
            RetryConfig::adaptive()
        } else {
            RetryConfig::standard()
        };
        loader = loader.retry_config(retry.with_max_attempts(attempts));
        let mut sdk = loader.load().await;
        if let Some(ar) = &self.assume_role {
            let mut builder = aws_config::sts::AssumeRoleProvider::builder(ar.role_arn.clone())
                .session_name(
                    ar.session_name
                        .clone()
                        .unwrap_or_else(|| "terraform-provider-cloudtrail".to_owned()),
                );
            if let Some(id) = &ar.external_id {
                builder = builder.external_id(id.clone());
            }
            if let Some(d) = ar.duration {
                builder = builder.session_length(d);
            }
            let provider = builder.configure(&sdk).build().await;
            sdk = sdk
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }
        AwsClients::new(sdk)
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_owned(),
    }
}

/// One CloudTrail client per region, built on first use and shared by every resource.
pub struct AwsClients {
    sdk: SdkConfig,
    by_region: Mutex<HashMap<String, Client>>,
}

impl AwsClients {
    pub fn new(sdk: SdkConfig) -> Self {
        AwsClients {
            sdk,
            by_region: Mutex::new(HashMap::new()),
        }
    }

    pub fn default_region(&self) -> Option<&str> {
        self.sdk.region().map(Region::as_ref)
    }

    /// The client for `region` (an ARN's region), else for the provider's region.
    pub fn client(&self, region: Option<&str>) -> Result<Client, Diagnostic> {
        let Some(region) = region.or(self.default_region()).map(str::to_owned) else {
            return Err(Diagnostic::error(
                "No AWS region",
                "No region is configured: set region in the provider block, or AWS_REGION, or \
                 a region in the profile, or write event_data_store as a full ARN (its region \
                 is used).",
            ));
        };
        let mut map = self
            .by_region
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let client = map.entry(region.clone()).or_insert_with(|| {
            let conf = aws_sdk_cloudtrail::config::Builder::from(&self.sdk)
                .region(Region::new(region))
                .build();
            Client::from_conf(conf)
        });
        Ok(client.clone())
    }
}
