//! The `provider "cloudtrail"` block: its schema, its parsed form, and the SDK configuration it
//! yields. Credentials stay lazy, so configuring makes no AWS call and needs no credentials.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::meta::region::ProvideRegion;
use aws_config::retry::RetryConfig;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use aws_sdk_cloudtrail::config::{Credentials, Region, SharedCredentialsProvider};
use aws_types::SdkConfig;

use super::clients::AwsClients;
use crate::cty::{Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::schema::{Attribute, Block, Nesting, Schema};
use crate::timeouts::parse_duration;

/// Environment variables as a lookup, so tests can pass their own (setting real ones would race
/// with the other tests of the process).
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// hashicorp/aws's default for `max_retries`, which it passes to the SDK as maximum attempts.
pub const DEFAULT_MAX_RETRIES: u32 = 25;

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Manages the ingestion state of AWS CloudTrail Lake event data stores. Settings follow \
             the hashicorp/aws provider's names; anything left out comes from the usual AWS \
             environment variables and shared files.",
        )
        .attribute(Attribute::string("region").optional().description(
            "AWS region for API calls, e.g. `us-east-1`. Defaults to `AWS_REGION`, \
             `AWS_DEFAULT_REGION` or the profile's region. An ARN that names another region is \
             sent to that region.",
        ))
        .attribute(Attribute::string("profile").optional().description(
            "Named profile from the shared config files. Defaults to `AWS_PROFILE`, then \
             `AWS_DEFAULT_PROFILE`.",
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
                    "Session token for temporary credentials given by `access_key` and \
                     `secret_key`.",
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
        .block(
            "assume_role",
            Nesting::Single,
            Block::new("Assume an IAM role with STS before calling CloudTrail.")
                .attribute(
                    Attribute::string("role_arn")
                        .optional()
                        .description("ARN of the role to assume."),
                )
                .attribute(
                    Attribute::string("session_name")
                        .optional()
                        .description("Session name recorded in CloudTrail for the assumed role."),
                )
                .attribute(
                    Attribute::string("external_id")
                        .optional()
                        .description("External ID the role's trust policy requires."),
                )
                .attribute(Attribute::string("duration").optional().description(
                    "Session length as a duration such as `1h` or `15m` (15 minutes to 12 hours).",
                )),
        )
        .block(
            "endpoints",
            Nesting::Single,
            Block::new("Custom service endpoints, e.g. an emulator on loopback.").attribute(
                Attribute::string("cloudtrail").optional().description(
                    "CloudTrail endpoint URL. Defaults to `AWS_ENDPOINT_URL_CLOUDTRAIL`, then \
                     `AWS_ENDPOINT_URL`, then the AWS endpoint for the region.",
                ),
            ),
        ),
    )
}

const PLAN_CHECKS_DESCRIPTION: &str = "What a plan does with what it learns from reading an event \
                                       data store it is about to create or change: `warn` \
                                       (default), `error` or `off`. With `warn`, a store that is \
                                       missing, pending deletion, of a category that cannot \
                                       ingest, or unreadable (access denied, throttled, no \
                                       credentials) is a warning in the plan, and the apply fails \
                                       on it. With `error`, the plan fails on the first four; note \
                                       that this makes `terraform destroy` fail once a store has \
                                       been deleted outside Terraform, because the refresh before \
                                       a destroy drops the store and plans to create it again: get \
                                       out with `destroy -refresh=false` or a `removed {}` block. \
                                       With `off`, a plan makes no AWS call at all (large \
                                       configurations, accounts near CloudTrail's read quota); the \
                                       apply still reads the store first. The check of \
                                       `event_data_store` itself (length, characters, ARN shape) \
                                       is an error in every mode.";

/// What a plan does with its read of the store (the provider block's `plan_checks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanChecks {
    /// Read, and report what apply would fail on as a warning: a plan never fails on the remote
    /// store, so the plan that precedes `destroy` goes through for a deleted store.
    #[default]
    Warn,
    /// Read, and fail the plan on what apply would surely fail on.
    Error,
    /// No AWS call at plan.
    Off,
}

impl PlanChecks {
    pub fn parse(text: &str) -> Option<PlanChecks> {
        match text {
            "warn" => Some(PlanChecks::Warn),
            "error" => Some(PlanChecks::Error),
            "off" => Some(PlanChecks::Off),
            _ => None,
        }
    }
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
    /// The block's `retry_mode`, when set.
    pub retry_mode: Option<String>,
    pub adaptive_retries: bool,
    pub plan_checks: PlanChecks,
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
                        format!(
                            "max_retries must be a whole number from 0 to 1000, got {}.",
                            shown(n)
                        ),
                    )
                    .at(attr_path(&["max_retries"])),
                ),
            }
        }
        cfg.retry_mode = opt_string(v.get("retry_mode"));
        match cfg.retry_mode.as_deref() {
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
        if let Some(text) = opt_string(v.get("plan_checks")) {
            match PlanChecks::parse(&text) {
                Some(mode) => cfg.plan_checks = mode,
                None => diags.push(
                    Diagnostic::error(
                        "Invalid plan_checks",
                        format!(
                            "plan_checks must be \"warn\", \"error\" or \"off\", got {}.",
                            crate::diagnostics::quote(&text)
                        ),
                    )
                    .at(attr_path(&["plan_checks"])),
                ),
            }
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
                                        format!(
                                            "duration must be a duration such as \"1h\" between \
                                             15m and 12h, got {text:?}."
                                        ),
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

    /// Builds the SDK configuration and the clients. Makes no network call: region comes from
    /// the block, the environment or the profile (never instance metadata), credentials resolve
    /// at first use.
    pub async fn load(&self) -> AwsClients {
        AwsClients::new(&self.sdk_config(&|name| std::env::var(name).ok()).await)
            .with_plan_checks(self.plan_checks)
    }

    /// The profile the provider uses: the block's, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`
    /// (which the Rust SDK ignores but the AWS CLI and the hashicorp/aws provider honour).
    pub fn profile_name(&self, env: Env<'_>) -> Option<String> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        self.profile
            .clone()
            .or_else(|| var("AWS_PROFILE"))
            .or_else(|| var("AWS_DEFAULT_PROFILE"))
    }

    /// Retries as the hashicorp/aws provider makes them: it hands `max_retries` to the AWS SDK
    /// for Go as the maximum number of *attempts* (its docs equate it with `AWS_MAX_ATTEMPTS`),
    /// default 25. Without `max_retries`, `AWS_MAX_ATTEMPTS` applies, then 25; 0 and 1 both mean
    /// a single attempt. `retry_mode` likewise falls back to `AWS_RETRY_MODE`, then standard.
    pub fn retry_config(&self, env: Env<'_>) -> RetryConfig {
        let attempts = self
            .max_retries
            .or_else(|| env("AWS_MAX_ATTEMPTS").and_then(|v| v.trim().parse().ok()))
            .unwrap_or(DEFAULT_MAX_RETRIES)
            .max(1);
        let adaptive = self.adaptive_retries
            || (self.retry_mode.is_none()
                && env("AWS_RETRY_MODE")
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("adaptive")));
        let retry = if adaptive {
            RetryConfig::adaptive()
        } else {
            RetryConfig::standard()
        };
        retry.with_max_attempts(attempts)
    }

    /// The SDK configuration, with environment variables read through `env` (tests pass a map).
    pub async fn sdk_config(&self, env: Env<'_>) -> SdkConfig {
        let profile = self.profile_name(env);
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = &profile {
            loader = loader.profile_name(p);
        }
        let files = self.profile_files();
        if let Some(files) = &files {
            loader = loader.profile_files(files.clone());
        }
        let region = match &self.region {
            Some(r) => Some(Region::new(r.clone())),
            None => match env("AWS_REGION")
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .filter(|r| !r.is_empty())
            {
                Some(r) => Some(Region::new(r)),
                None => {
                    // The profile's region comes from the same files as its credentials.
                    let mut from_profile =
                        aws_config::profile::ProfileFileRegionProvider::builder();
                    if let Some(p) = &profile {
                        from_profile = from_profile.profile_name(p);
                    }
                    if let Some(files) = files {
                        from_profile = from_profile.profile_files(files);
                    }
                    ProvideRegion::region(&from_profile.build()).await
                }
            },
        };
        // Set even when None: left alone, the SDK would ask instance metadata (a network call).
        loader = loader.region(region);
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
        loader = loader.retry_config(self.retry_config(env));
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
        sdk
    }

    fn profile_files(&self) -> Option<ProfileFiles> {
        if self.shared_config_files.is_empty() && self.shared_credentials_files.is_empty() {
            return None;
        }
        let mut files = ProfileFiles::builder()
            .include_default_config_file(self.shared_config_files.is_empty())
            .include_default_credentials_file(self.shared_credentials_files.is_empty());
        for f in &self.shared_config_files {
            files = files.with_file(ProfileFileKind::Config, expand_home(f));
        }
        for f in &self.shared_credentials_files {
            files = files.with_file(ProfileFileKind::Credentials, expand_home(f));
        }
        Some(files.build())
    }
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_owned(),
    }
}

/// A configuration value as a person wrote it (not Rust's debug form) for diagnostics.
fn shown(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => crate::diagnostics::quote(s),
        Value::Bool(b) => b.to_string(),
        Value::Unknown => "an unknown value".to_owned(),
        Value::Null => "null".to_owned(),
        _ => "a collection".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use aws_config::retry::RetryMode;
    use aws_sdk_cloudtrail::config::ProvideCredentials;

    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Sync + use<> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn profile_comes_from_the_block_then_aws_profile_then_aws_default_profile() {
        let cfg = ProviderConfig::default();
        let both = env_of(&[("AWS_PROFILE", "one"), ("AWS_DEFAULT_PROFILE", "two")]);
        assert_eq!(cfg.profile_name(&both).as_deref(), Some("one"));
        let default_only = env_of(&[("AWS_PROFILE", ""), ("AWS_DEFAULT_PROFILE", "two")]);
        assert_eq!(cfg.profile_name(&default_only).as_deref(), Some("two"));
        assert_eq!(cfg.profile_name(&env_of(&[])), None);
        let block = ProviderConfig {
            profile: Some("block".into()),
            ..ProviderConfig::default()
        };
        assert_eq!(block.profile_name(&both).as_deref(), Some("block"));
    }

    /// Shared files with two profiles, each with its own region and keys.
    fn profiles() -> (tempfile::TempDir, ProviderConfig) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let config = dir.path().join("config");
        let credentials = dir.path().join("credentials");
        let write = |path: &std::path::Path, text: &str| {
            std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
        };
        write(
            &config,
            "[profile audit]\nregion = eu-west-3\n[profile other]\nregion = ap-south-1\n",
        );
        write(
            &credentials,
            "[audit]\naws_access_key_id = AKIDAUDIT\naws_secret_access_key = \
             s1\n[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = s2\n",
        );
        let cfg = ProviderConfig {
            shared_config_files: vec![config.display().to_string()],
            shared_credentials_files: vec![credentials.display().to_string()],
            ..ProviderConfig::default()
        };
        (dir, cfg)
    }

    #[tokio::test]
    async fn aws_default_profile_selects_region_and_credentials() {
        let (_dir, cfg) = profiles();
        let sdk = cfg
            .sdk_config(&env_of(&[("AWS_DEFAULT_PROFILE", "audit")]))
            .await;
        assert_eq!(sdk.region().map(Region::as_ref), Some("eu-west-3"));
        // The SDK's chain reads the real AWS_ACCESS_KEY_ID first; only check keys without it.
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            let provider = sdk
                .credentials_provider()
                .unwrap_or_else(|| panic!("no credentials provider"));
            let creds = provider
                .provide_credentials()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(creds.access_key_id(), "AKIDAUDIT");
        }
        let sdk = cfg
            .sdk_config(&env_of(&[
                ("AWS_PROFILE", "other"),
                ("AWS_DEFAULT_PROFILE", "audit"),
            ]))
            .await;
        assert_eq!(sdk.region().map(Region::as_ref), Some("ap-south-1"));
    }

    #[tokio::test]
    async fn region_comes_from_the_block_then_the_environment_then_the_profile() {
        let (_dir, mut cfg) = profiles();
        let env = env_of(&[
            ("AWS_DEFAULT_PROFILE", "audit"),
            ("AWS_REGION", "us-west-2"),
        ]);
        assert_eq!(
            cfg.sdk_config(&env).await.region().map(Region::as_ref),
            Some("us-west-2")
        );
        cfg.region = Some("ca-central-1".into());
        assert_eq!(
            cfg.sdk_config(&env).await.region().map(Region::as_ref),
            Some("ca-central-1")
        );
    }

    #[test]
    fn max_retries_is_the_number_of_attempts_as_in_hashicorp_aws() {
        let none = env_of(&[]);
        let attempts = |cfg: &ProviderConfig, env: Env<'_>| cfg.retry_config(env).max_attempts();
        let with = |n: u32| ProviderConfig {
            max_retries: Some(n),
            ..ProviderConfig::default()
        };
        assert_eq!(attempts(&ProviderConfig::default(), &none), 25);
        assert_eq!(attempts(&with(5), &none), 5);
        assert_eq!(attempts(&with(1), &none), 1);
        assert_eq!(
            attempts(&with(0), &none),
            1,
            "0 means no retry, not no attempt"
        );
        let env = env_of(&[("AWS_MAX_ATTEMPTS", "7")]);
        assert_eq!(attempts(&ProviderConfig::default(), &env), 7);
        assert_eq!(attempts(&with(3), &env), 3, "the block wins");
    }

    #[test]
    fn retry_mode_is_standard_or_adaptive() {
        let parse = |mode: &str| {
            ProviderConfig::from_value(&crate::resources::object([(
                "retry_mode",
                Value::string(mode),
            )]))
        };
        let none = env_of(&[]);
        let adaptive_env = env_of(&[("AWS_RETRY_MODE", "adaptive")]);
        let standard = parse("standard").unwrap_or_else(|_| panic!("standard"));
        let adaptive = parse("adaptive").unwrap_or_else(|_| panic!("adaptive"));
        assert_eq!(standard.retry_config(&none).mode(), RetryMode::Standard);
        assert_eq!(adaptive.retry_config(&none).mode(), RetryMode::Adaptive);
        assert_eq!(
            standard.retry_config(&adaptive_env).mode(),
            RetryMode::Standard,
            "the block wins over AWS_RETRY_MODE"
        );
        assert_eq!(
            ProviderConfig::default().retry_config(&adaptive_env).mode(),
            RetryMode::Adaptive
        );
        let Err(diags) = parse("fast") else {
            panic!("retry_mode \"fast\" accepted")
        };
        assert!(
            diags
                .iter()
                .any(|d| d.path == Some(attr_path(&["retry_mode"]))),
            "{diags:?}"
        );
    }

    #[tokio::test]
    async fn the_clients_get_the_retry_settings() {
        let (_dir, mut cfg) = profiles();
        cfg.region = Some("us-east-1".into());
        cfg.max_retries = Some(4);
        cfg.adaptive_retries = true;
        cfg.retry_mode = Some("adaptive".into());
        let sdk = cfg.sdk_config(&env_of(&[])).await;
        let clients = AwsClients::new(&sdk);
        let (client, region) = clients.client(None).unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(region, "us-east-1");
        let retry = client
            .config()
            .retry_config()
            .unwrap_or_else(|| panic!("no retry config"));
        assert_eq!(
            (retry.max_attempts(), retry.mode()),
            (4, RetryMode::Adaptive)
        );
    }

    /// `max_retries = 2` against a CloudTrail that keeps throttling: two attempts reach it.
    #[tokio::test]
    async fn max_retries_bounds_the_attempts_on_the_wire() {
        use aws_sdk_cloudtrail::Client;
        use aws_smithy_mocks::{RuleMode, mock, mock_client};

        let throttled = mock!(Client::get_event_data_store)
            .sequence()
            .http_status(
                400,
                Some(r#"{"__type":"ThrottlingException","message":"slow down"}"#.to_owned()),
            )
            .repeatedly()
            .build();
        let cfg = ProviderConfig {
            max_retries: Some(2),
            ..ProviderConfig::default()
        };
        let retry = cfg
            .retry_config(&env_of(&[]))
            .with_initial_backoff(Duration::from_millis(1));
        let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&throttled], |b| b
            .retry_config(retry.clone()));
        let result = client
            .get_event_data_store()
            .event_data_store("abc")
            .send()
            .await;
        assert!(result.is_err());
        assert_eq!(throttled.num_calls(), 2);
    }
}
