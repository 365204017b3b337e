//! The `provider "cloudtrail"` block: its parsed form, and the SDK configuration, HTTP client and
//! credentials chain it yields. Configuring makes no AWS call and needs no credentials; files it
//! names (CA bundle, token file) are checked here so a mistake points at its attribute.

mod parse;
mod rules;
pub mod schema;

use aws_config::BehaviorVersion;
use aws_config::meta::region::ProvideRegion;
use aws_config::retry::RetryConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use aws_sdk_cloudtrail::config::{Credentials, Region};
use aws_types::SdkConfig;

pub use parse::WebIdentityBlock;
pub use schema::schema;

use super::clients::AwsClients;
use super::credentials::{self, AccountRules, AssumeRole, StsTarget, WebIdentity};
use super::http::{CaBundle, HttpSettings, ProviderHttpClient, ProxySettings, read_ca_bundle};
use super::proxy::{NoProxy, ProxyUrl, invalid_detail};
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};

/// Environment variables as a lookup, so tests can pass their own (setting real ones would race
/// with the other tests of the process).
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// hashicorp/aws's default for `max_retries`, which it passes to the SDK as maximum attempts.
pub const DEFAULT_MAX_RETRIES: u32 = 25;

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
    pub assume_roles: Vec<AssumeRole>,
    pub web_identity: Option<WebIdentityBlock>,
    pub cloudtrail_endpoint: Option<String>,
    pub sts_endpoint: Option<String>,
    pub sts_region: Option<String>,
    pub allowed_account_ids: Vec<String>,
    pub forbidden_account_ids: Vec<String>,
    pub custom_ca_bundle: Option<String>,
    /// `Some("")` is a deliberate empty value (`https_proxy = ""` turns the fallback off).
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    pub no_proxy: Option<String>,
    pub insecure: bool,
    pub use_fips_endpoint: bool,
    pub use_dualstack_endpoint: bool,
    pub skip_credentials_validation: bool,
    pub skip_requesting_account_id: bool,
    pub skip_metadata_api_check: Option<bool>,
    pub ec2_metadata_service_endpoint: Option<String>,
    pub ec2_metadata_service_endpoint_mode: Option<String>,
}

/// The selected profile and the shared files it is read from.
struct Files {
    profile: Option<String>,
    files: Option<ProfileFiles>,
}

/// What the default credentials chain is built on.
struct ChainBase<'a> {
    http: &'a ProviderHttpClient,
    region: Option<Region>,
    files: Files,
    retry: &'a RetryConfig,
}

/// The proxies, and the warning when `http_proxy` also serves https://.
struct Proxies {
    settings: ProxySettings,
    warning: Option<Diagnostic>,
}

/// The outcome of configuring: the clients, and warnings for the person (insecure TLS, proxy
/// fallbacks).
pub struct Configured {
    pub clients: AwsClients,
    pub warnings: Diagnostics,
}

impl ProviderConfig {
    /// Builds the SDK configuration and the clients from the process environment. Makes no
    /// network call: region comes from the block, the environment or the profile (never
    /// instance metadata), credentials resolve at first use.
    pub async fn load(&self) -> Result<Configured, Diagnostics> {
        let env = |name: &str| std::env::var(name).ok();
        let (sdk, warnings) = self.sdk_config_checked(&env).await?;
        Ok(Configured {
            clients: AwsClients::new(&sdk, self.cloudtrail_endpoint_url(&env))
                .with_plan_checks(self.plan_checks),
            warnings,
        })
    }

    /// The block's own `profile`, when it names one.
    fn block_profile(&self) -> Option<&str> {
        self.profile.as_deref().filter(|p| !p.is_empty())
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

    /// Each service's own endpoint: the block's, else `AWS_ENDPOINT_URL_<SERVICE>`, else
    /// `AWS_ENDPOINT_URL`. Never set loader-wide, where every client (STS's too) would inherit it.
    fn endpoint_url(block: Option<&String>, service_var: &str, env: Env<'_>) -> Option<String> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        block
            .cloned()
            .or_else(|| var(service_var))
            .or_else(|| var("AWS_ENDPOINT_URL"))
    }

    pub fn cloudtrail_endpoint_url(&self, env: Env<'_>) -> Option<String> {
        Self::endpoint_url(
            self.cloudtrail_endpoint.as_ref(),
            "AWS_ENDPOINT_URL_CLOUDTRAIL",
            env,
        )
    }

    fn sts_target(&self, sdk_region: Option<&Region>, env: Env<'_>) -> StsTarget {
        StsTarget {
            region: self
                .sts_region
                .clone()
                .map(Region::new)
                .or_else(|| sdk_region.cloned())
                .unwrap_or_else(|| Region::from_static("us-east-1")),
            endpoint: Self::endpoint_url(self.sts_endpoint.as_ref(), "AWS_ENDPOINT_URL_STS", env),
        }
    }

    /// Proxies as hashicorp/aws takes them: each block value wins over its variable, and
    /// `http_proxy` serves https:// too while no https proxy is set at all (with a warning). A
    /// value from the environment gets the same check as the argument, and its error names the
    /// variable.
    fn proxy_settings(&self, env: Env<'_>) -> Result<Proxies, Diagnostics> {
        // (the value, and where it came from: an attribute or a variable)
        let pick = |block: &Option<String>, attr: &'static str, vars: [&'static str; 2]| match block
        {
            Some(v) => Some((v.clone(), attr, true)).filter(|(v, ..)| !v.is_empty()),
            None => vars.into_iter().find_map(|name| {
                env(name)
                    .filter(|v| !v.is_empty())
                    .map(|v| (v, name, false))
            }),
        };
        let check = |found: Option<(String, &'static str, bool)>| {
            let Some((text, name, in_block)) = found else {
                return Ok(None);
            };
            ProxyUrl::parse(&text).map(Some).map_err(|why| {
                Diagnostic::error("Invalid proxy URL", invalid_detail(name, &text, &why))
                    .at_opt(in_block.then(|| attr_path(&[name])))
            })
        };
        let http = check(pick(
            &self.http_proxy,
            "http_proxy",
            ["HTTP_PROXY", "http_proxy"],
        ));
        let https = check(pick(
            &self.https_proxy,
            "https_proxy",
            ["HTTPS_PROXY", "https_proxy"],
        ));
        let (http, mut https) = match (http, https) {
            (Ok(http), Ok(https)) => (http, https),
            (http, https) => return Err(http.err().into_iter().chain(https.err()).collect()),
        };
        let mut warning = None;
        if https.is_none()
            && self.https_proxy.is_none()
            && self.http_proxy.as_deref().is_some_and(|v| !v.is_empty())
            && let Some(block_http) = &http
        {
            https = Some(block_http.clone());
            warning = Some(
                Diagnostic::warning(
                    "Missing HTTPS proxy",
                    format!(
                        "https_proxy is not set, so https:// requests also use http_proxy \
                         ({block_http}), as hashicorp/aws does. Set https_proxy (\"\" for no \
                         proxy) to say so explicitly."
                    ),
                )
                .at(attr_path(&["http_proxy"])),
            );
        }
        let no_proxy = match &self.no_proxy {
            Some(v) => v.clone(),
            None => env("NO_PROXY")
                .filter(|v| !v.is_empty())
                .or_else(|| env("no_proxy"))
                .unwrap_or_default(),
        };
        Ok(Proxies {
            settings: ProxySettings {
                http,
                https,
                no_proxy: NoProxy::parse(&no_proxy),
            },
            warning,
        })
    }

    /// The CA bundle: the block's, else AWS_CA_BUNDLE, else the profile's `ca_bundle`. It
    /// replaces the system's roots, as in hashicorp/aws. The error names the source to fix.
    async fn ca_bundle(&self, env: Env<'_>, files: &Files) -> Result<Option<CaBundle>, Diagnostic> {
        // Each source with the name its error gives, and the attribute only the block has.
        let source = match &self.custom_ca_bundle {
            Some(path) => Some((
                expand_home(path),
                "custom_ca_bundle",
                Some(attr_path(&["custom_ca_bundle"])),
            )),
            None => match env("AWS_CA_BUNDLE").filter(|v| !v.is_empty()) {
                Some(path) => Some((expand_home(&path), "AWS_CA_BUNDLE", None)),
                None => profile_ca_bundle(files.profile.as_deref(), files.files.as_ref())
                    .await
                    .map(|p| (expand_home(&p), "ca_bundle in the profile", None)),
            },
        };
        let Some((path, name, at)) = source else {
            return Ok(None);
        };
        read_ca_bundle(&path).map(Some).map_err(|why| {
            Diagnostic::error(
                "Unusable CA bundle",
                format!("{name}: {why}. It must name a readable PEM file of CA certificates."),
            )
            .at_opt(at)
        })
    }

    /// The region: the block's, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's
    /// (from the same files as its credentials). Never instance metadata.
    async fn region(&self, env: Env<'_>, files: &Files) -> Option<Region> {
        if let Some(r) = &self.region {
            return Some(Region::new(r.clone()));
        }
        if let Some(r) = env("AWS_REGION")
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .filter(|r| !r.is_empty())
        {
            return Some(Region::new(r));
        }
        let mut from_profile = aws_config::profile::ProfileFileRegionProvider::builder();
        if let Some(p) = &files.profile {
            from_profile = from_profile.profile_name(p);
        }
        if let Some(f) = files.files.clone() {
            from_profile = from_profile.profile_files(f);
        }
        ProvideRegion::region(&from_profile.build()).await
    }

    /// The block's static keys, if it has them.
    fn static_keys(&self) -> Option<SharedCredentialsProvider> {
        let (ak, sk) = (self.access_key.as_ref()?, self.secret_key.as_ref()?);
        Some(SharedCredentialsProvider::new(Credentials::new(
            ak.clone(),
            sk.clone(),
            self.token.clone(),
            None,
            "provider-block",
        )))
    }

    /// hashicorp/aws's warning, in its words, when the block's profile hides the environment's
    /// keys.
    fn profile_over_env_keys(&self, env: Env<'_>) -> Option<Diagnostic> {
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        (self.static_keys().is_none()
            && self.block_profile().is_some()
            && set("AWS_ACCESS_KEY_ID")
            && set("AWS_SECRET_ACCESS_KEY"))
        .then(|| {
            Diagnostic::warning(
                "Configuration conflict detected",
                "A Profile was specified along with the environment variables \
                 \"AWS_ACCESS_KEY_ID\" and \"AWS_SECRET_ACCESS_KEY\". The Profile is now used \
                 instead of the environment variable credentials. This may lead to unexpected \
                 behavior.",
            )
            .at(attr_path(&["profile"]))
        })
    }

    /// The web identity to assume first, if any, in hashicorp/aws's order (the provider docs list
    /// it): the block's web identity, the block's keys, then the default chain, in which the
    /// environment's web identity comes after the environment's keys and not at all when the
    /// block names a profile. A token file must be readable now, so the error points at it.
    fn web_identity(&self, env: Env<'_>) -> Result<Option<WebIdentity>, Diagnostic> {
        let from_env = self.static_keys().is_none()
            && self.block_profile().is_none()
            && env("AWS_ACCESS_KEY_ID").is_none_or(|v| v.is_empty())
            && env("AWS_WEB_IDENTITY_TOKEN_FILE").is_some_and(|v| !v.is_empty());
        let w = match &self.web_identity {
            Some(block) => block.resolve(env)?,
            None if from_env => WebIdentityBlock::default().resolve(env)?,
            None => return Ok(None),
        };
        if let credentials::TokenSource::File(path) = &w.token
            && let Err(e) = std::fs::metadata(path)
        {
            let (name, at) = match &self.web_identity {
                Some(b) if b.token.is_some() => (
                    "web_identity_token_file",
                    Some(attr_path(&[
                        "assume_role_with_web_identity",
                        "web_identity_token_file",
                    ])),
                ),
                _ => ("AWS_WEB_IDENTITY_TOKEN_FILE", None),
            };
            return Err(Diagnostic::error(
                "Unreadable web identity token file",
                format!(
                    "{name} names {path:?}, which cannot be read: {e}. In CI, check that the job \
                     requests an OIDC token and writes it there before Terraform runs."
                ),
            )
            .at_opt(at));
        }
        Ok(Some(w))
    }

    /// Checks what can only be checked with the environment and the files it names, then builds
    /// the SDK configuration. Errors point at the attribute (or the variable) to fix; every step
    /// runs, so one configure reports every problem.
    pub async fn sdk_config_checked(
        &self,
        env: Env<'_>,
    ) -> Result<(SdkConfig, Diagnostics), Diagnostics> {
        let mut warnings = Diagnostics::new();
        let mut errors = Diagnostics::new();
        let files = Files {
            profile: self.profile_name(env),
            files: self.profile_files(),
        };
        let ca_bundle = self.ca_bundle(env, &files).await.unwrap_or_else(|d| {
            errors.push(d);
            None
        });
        if self.insecure {
            warnings.push(
                Diagnostic::warning(
                    "TLS verification is off",
                    "insecure = true: the certificates of AWS endpoints are not verified, so \
                     anyone on the network path can read and change this provider's AWS \
                     traffic. Use it only against test emulators.",
                )
                .at(attr_path(&["insecure"])),
            );
        }
        let proxy = match self.proxy_settings(env) {
            Ok(p) => {
                warnings.extend(p.warning);
                p.settings
            }
            Err(d) => {
                errors.extend(d);
                ProxySettings::default()
            }
        };
        let http = ProviderHttpClient::new(HttpSettings {
            ca_bundle,
            insecure: self.insecure,
            proxy,
        });
        let region = self.region(env, &files).await;
        let retry = self.retry_config(env);
        warnings.extend(self.profile_over_env_keys(env));

        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http.clone())
            // Set even when None: left alone, the SDK would ask instance metadata (a network
            // call).
            .region(region.clone())
            .retry_config(retry.clone());
        if let Some(p) = &files.profile {
            loader = loader.profile_name(p);
        }
        if let Some(f) = &files.files {
            loader = loader.profile_files(f.clone());
        }
        if self.use_fips_endpoint {
            loader = loader.use_fips(true);
        }
        if self.use_dualstack_endpoint {
            loader = loader.use_dual_stack(true);
        }
        let static_keys = self.static_keys();
        if let Some(keys) = &static_keys {
            loader = loader.credentials_provider(keys.clone());
        } else {
            let base = ChainBase {
                http: &http,
                region,
                files,
                retry: &retry,
            };
            match self.default_chain(base, env) {
                Ok(chain) => loader = loader.credentials_provider(chain),
                Err(d) => errors.push(d),
            }
        }
        let sdk = loader.load().await;
        let sts = self.sts_target(sdk.region(), env);
        let web_identity = self.web_identity(env).unwrap_or_else(|d| {
            errors.push(d);
            None
        });
        if errors.has_errors() {
            return Err(errors);
        }
        let base_credentials = match web_identity {
            Some(w) => Some(credentials::web_identity(&sdk, &sts, w)),
            None => sdk.credentials_provider(),
        };
        let Some(base) = base_credentials else {
            return Ok((sdk, warnings));
        };
        let chain = self.guarded_chain(&sdk, &sts, base);
        Ok((
            sdk.into_builder().credentials_provider(chain).build(),
            warnings,
        ))
    }

    /// Roles assumed on top of the base credentials, in order, then the account guard.
    fn guarded_chain(
        &self,
        sdk: &SdkConfig,
        sts: &StsTarget,
        mut chain: SharedCredentialsProvider,
    ) -> SharedCredentialsProvider {
        if !self.assume_roles.is_empty() {
            chain = credentials::assume_role_chain(sdk, sts, chain, &self.assume_roles);
        }
        let rules = AccountRules {
            allowed: self.allowed_account_ids.clone(),
            forbidden: self.forbidden_account_ids.clone(),
            validate: !self.skip_credentials_validation,
        };
        credentials::guarded(sdk, sts, chain, rules)
    }

    /// The SDK's chain (environment, profile, container, instance metadata) with hashicorp/aws's
    /// switches for instance metadata. Web identity from the environment is handled above, so
    /// its STS call goes to the STS endpoint configured here.
    fn default_chain(
        &self,
        base: ChainBase<'_>,
        env: Env<'_>,
    ) -> Result<aws_config::meta::credentials::CredentialsProviderChain, Diagnostic> {
        use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
        use aws_config::meta::credentials::CredentialsProviderChain;
        use aws_config::provider_config::ProviderConfig as SdkProviderConfig;

        let pc = SdkProviderConfig::without_region()
            .with_region(base.region)
            .with_http_client(base.http.clone())
            .with_retry_config(base.retry.clone());
        let mut from_profile =
            aws_config::profile::ProfileFileCredentialsProvider::builder().configure(&pc);
        if let Some(p) = base.files.profile {
            from_profile = from_profile.profile_name(p);
        }
        if let Some(f) = base.files.files {
            from_profile = from_profile.profile_files(f);
        }
        // aws-sdk-go-v2's order, which hashicorp/aws keeps: a profile named in the provider
        // block comes before the environment's keys; AWS_PROFILE does not.
        let mut chain = if self.block_profile().is_some() {
            CredentialsProviderChain::first_try("Profile", from_profile.build())
        } else {
            CredentialsProviderChain::first_try(
                "Environment",
                EnvironmentVariableCredentialsProvider::new(),
            )
            .or_else("Profile", from_profile.build())
        }
        .or_else(
            "EcsContainer",
            aws_config::ecs::EcsCredentialsProvider::builder()
                .configure(&pc)
                .build(),
        );
        let imds_disabled = self.skip_metadata_api_check.unwrap_or_else(|| {
            env("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
        });
        if imds_disabled {
            return Ok(chain);
        }
        let mut imds = aws_config::imds::Client::builder().configure(&pc);
        if let Some(url) = &self.ec2_metadata_service_endpoint {
            imds = imds.endpoint(url).map_err(|e| {
                Diagnostic::error(
                    "Invalid ec2_metadata_service_endpoint",
                    format!("ec2_metadata_service_endpoint {url:?}: {e}"),
                )
                .at(attr_path(&["ec2_metadata_service_endpoint"]))
            })?;
        }
        if let Some(mode) = &self.ec2_metadata_service_endpoint_mode {
            let mode = if mode.eq_ignore_ascii_case("ipv6") {
                aws_config::imds::client::EndpointMode::IpV6
            } else {
                aws_config::imds::client::EndpointMode::IpV4
            };
            imds = imds.endpoint_mode(mode);
        }
        chain = chain.or_else(
            "Ec2InstanceMetadata",
            aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                .configure(&pc)
                .imds_client(imds.build())
                .build(),
        );
        Ok(chain)
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

/// `ca_bundle` of the selected profile, if the shared config files have one.
async fn profile_ca_bundle(profile: Option<&str>, files: Option<&ProfileFiles>) -> Option<String> {
    let fs = aws_types::os_shim_internal::Fs::real();
    let env = aws_types::os_shim_internal::Env::real();
    let default_files = ProfileFiles::default();
    let set = aws_config::profile::load(
        &fs,
        &env,
        files.unwrap_or(&default_files),
        profile.map(|p| std::borrow::Cow::Owned(p.to_owned())),
    )
    .await
    .ok()?;
    set.get("ca_bundle")
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// `~/` (and on Windows `~\\`) at the start of a path names the home directory, found as the AWS
/// SDK finds it for the shared files: `HOME`, then on Windows `USERPROFILE`, then
/// `HOMEDRIVE` + `HOMEPATH`. Anything else is left as written.
fn expand_home(path: &str) -> String {
    expand_home_with(path, cfg!(windows), |k| std::env::var(k).ok())
}

fn expand_home_with(path: &str, windows: bool, var: impl Fn(&str) -> Option<String>) -> String {
    let rest = match path.strip_prefix("~/") {
        Some(rest) => rest,
        None => match path.strip_prefix("~\\") {
            Some(rest) if windows => rest,
            _ => return path.to_owned(),
        },
    };
    let home = var("HOME").filter(|h| !h.is_empty()).or_else(|| {
        if !windows {
            return None;
        }
        var("USERPROFILE")
            .filter(|h| !h.is_empty())
            .or_else(|| Some(var("HOMEDRIVE")? + &var("HOMEPATH")?))
    });
    match home {
        Some(home) => {
            let separator = if windows { '\\' } else { '/' };
            format!("{}{separator}{rest}", home.trim_end_matches(['/', '\\']))
        }
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use std::time::Duration;

    use crate::cty::Value;
    use crate::diagnostics::attr_path;
    use aws_config::retry::RetryMode;
    use aws_sdk_cloudtrail::config::ProvideCredentials;

    use super::*;

    impl ProviderConfig {
        /// The SDK's configuration from `env`, for tests that check what it holds.
        async fn sdk_config(&self, env: Env<'_>) -> SdkConfig {
            match self.sdk_config_checked(env).await {
                Ok((sdk, _)) => sdk,
                Err(d) => panic!("configuration refused: {d:?}"),
            }
        }
    }

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
            skip_credentials_validation: true,
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

    /// `web_identity_token_file = "~/..."` names a file in the home directory, as in
    /// aws-sdk-go-base.
    #[test]
    fn the_web_identity_token_file_expands_the_home_directory() {
        let block = WebIdentityBlock {
            role_arn: Some("arn:aws:iam::123456789012:role/ci".into()),
            token: Some(credentials::TokenSource::File("~/.ci/oidc-token".into())),
            ..WebIdentityBlock::default()
        };
        let env = env_of(&[("HOME", "/home/runner")]);
        let resolved = block.resolve(&env).unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(
            resolved.token,
            credentials::TokenSource::File("/home/runner/.ci/oidc-token".into())
        );
    }

    #[test]
    fn proxies_come_from_the_block_then_the_environment() {
        let env = env_of(&[
            ("HTTP_PROXY", "http://env-http:1"),
            ("https_proxy", "http://env-https:2"),
            ("NO_PROXY", ".internal"),
        ]);
        let url = |p: Option<ProxyUrl>| p.map(|p| p.to_string());
        let proxies = |cfg: &ProviderConfig, env: Env<'_>| {
            cfg.proxy_settings(env)
                .unwrap_or_else(|d| panic!("refused: {d:?}"))
        };
        let from_env = proxies(&ProviderConfig::default(), &env);
        assert_eq!(
            url(from_env.settings.http).as_deref(),
            Some("http://env-http:1")
        );
        assert_eq!(
            url(from_env.settings.https).as_deref(),
            Some("http://env-https:2")
        );
        assert_eq!(from_env.settings.no_proxy, NoProxy::parse(".internal"));
        assert!(from_env.warning.is_none());
        // The block wins, no_proxy replaces the variable, and http_proxy alone serves https too
        // (hashicorp/aws's legacy mode) with a warning; https_proxy = "" turns that off.
        let block = ProviderConfig {
            http_proxy: Some("http://block:3".into()),
            no_proxy: Some("".into()),
            ..ProviderConfig::default()
        };
        let got = proxies(&block, &env_of(&[]));
        assert_eq!(url(got.settings.https).as_deref(), Some("http://block:3"));
        assert_eq!(got.settings.no_proxy, NoProxy::default());
        assert!(got.warning.is_some());
        let off = ProviderConfig {
            https_proxy: Some(String::new()),
            ..block
        };
        let got = proxies(&off, &env);
        assert_eq!(got.settings.https, None);
        assert!(got.warning.is_none());
    }

    /// The environment's proxy variables get the argument's check, named by the variable, with
    /// no userinfo in the message; the warning that shows http_proxy shows none either.
    #[test]
    fn proxy_variables_are_checked_and_their_passwords_never_shown() {
        let env = env_of(&[
            ("HTTPS_PROXY", "socks5://ci:hunter2-socks@proxy.corp:1080"),
            ("http_proxy", "ftp://ci:hunter2-ftp@proxy.corp:21"),
        ]);
        let Err(errors) = ProviderConfig::default().proxy_settings(&env) else {
            panic!("bad proxy variables accepted");
        };
        let text: String = errors
            .iter()
            .map(|d| format!("{} {}\n", d.summary, d.detail))
            .collect();
        assert_eq!(errors.iter().count(), 2, "{text}");
        for phrase in [
            "HTTPS_PROXY must be an http:// or https:// URL",
            "SOCKS proxies (socks5://) are not supported",
            "http_proxy must be an http:// or https:// URL",
        ] {
            assert!(text.contains(phrase), "{phrase:?} in {text}");
        }
        assert!(!text.contains("hunter2"), "{text}");

        let block = ProviderConfig {
            http_proxy: Some("https://ci:hunter2-block@proxy.corp:3128".into()),
            ..ProviderConfig::default()
        };
        let Ok(got) = block.proxy_settings(&env_of(&[])) else {
            panic!("a good proxy refused");
        };
        let shown = got.warning.map(|d| d.detail).unwrap_or_default();
        assert!(shown.contains("https://xxxxx@proxy.corp:3128"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!format!("{:?}", got.settings).contains("hunter2"));
        assert!(got.settings.https.is_some_and(|p| p.is_tls()));
    }

    /// `ca_bundle` in the profile is read when neither the block nor AWS_CA_BUNDLE names one.
    #[tokio::test]
    async fn the_profile_ca_bundle_is_used_and_checked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let config = dir.path().join("config");
        let missing = dir.path().join("missing.pem");
        std::fs::write(
            &config,
            format!("[profile ci]\nca_bundle = {}\n", missing.display()),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let cfg = ProviderConfig {
            profile: Some("ci".into()),
            shared_config_files: vec![config.display().to_string()],
            skip_credentials_validation: true,
            ..ProviderConfig::default()
        };
        let Err(diags) = cfg.sdk_config_checked(&env_of(&[])).await else {
            panic!("a missing profile ca_bundle was accepted")
        };
        let d = diags
            .iter()
            .next()
            .unwrap_or_else(|| panic!("no diagnostic"));
        assert!(d.detail.contains("ca_bundle in the profile"), "{d:?}");
        assert!(d.detail.contains("missing.pem"), "{d:?}");
        // AWS_CA_BUNDLE wins over the profile.
        let Err(diags) = cfg
            .sdk_config_checked(&env_of(&[("AWS_CA_BUNDLE", "/nonexistent/env.pem")]))
            .await
        else {
            panic!("accepted")
        };
        let d = diags
            .iter()
            .next()
            .unwrap_or_else(|| panic!("no diagnostic"));
        assert!(d.detail.starts_with("AWS_CA_BUNDLE"), "{d:?}");
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
        let clients = AwsClients::new(&sdk, None);
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

    #[test]
    fn home_is_found_as_the_sdk_finds_it_on_each_os() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let windows_user = env(&[("USERPROFILE", "C:\\Users\\ana")]);
        for (path, windows, vars, want) in [
            (
                "~/.aws/ca.pem",
                false,
                env(&[("HOME", "/home/ana")]),
                "/home/ana/.aws/ca.pem",
            ),
            ("~/ca.pem", false, env(&[("USERPROFILE", "/x")]), "~/ca.pem"),
            (
                "~\\ca.pem",
                false,
                env(&[("HOME", "/home/ana")]),
                "~\\ca.pem",
            ),
            (
                "/etc/ca.pem",
                false,
                env(&[("HOME", "/home/ana")]),
                "/etc/ca.pem",
            ),
            (
                "~\\.aws\\ca.pem",
                true,
                windows_user,
                "C:\\Users\\ana\\.aws\\ca.pem",
            ),
            (
                "~/.aws/ca.pem",
                true,
                windows_user,
                "C:\\Users\\ana\\.aws/ca.pem",
            ),
            (
                "~\\ca.pem",
                true,
                env(&[("HOMEDRIVE", "D:"), ("HOMEPATH", "\\Users\\bo")]),
                "D:\\Users\\bo\\ca.pem",
            ),
            (
                "~\\ca.pem",
                true,
                env(&[
                    ("HOME", "C:\\msys\\ana\\"),
                    ("USERPROFILE", "C:\\Users\\ana"),
                ]),
                "C:\\msys\\ana\\ca.pem",
            ),
            ("~\\ca.pem", true, env(&[]), "~\\ca.pem"),
        ] {
            assert_eq!(
                expand_home_with(path, windows, vars),
                want,
                "{path} (windows: {windows})"
            );
        }
    }
}
