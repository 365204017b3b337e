//! The provider block's values turned into a [`ProviderConfig`], every rule checked where it is
//! written: each problem is one error at its attribute, naming the value and the rule. Nothing
//! here reads a file or the network (validate runs this too).

use std::collections::BTreeMap;

use super::{PlanChecks, ProviderConfig};
use crate::aws::credentials::{AssumeRole, TokenSource, WebIdentity};
use crate::cty::{PathStep, Value};
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, attr_path, quote};
use crate::timeouts::parse_duration;

/// Reads one block, collecting diagnostics.
struct Reader<'a> {
    value: &'a Value,
    path: AttributePath,
    diags: &'a mut Diagnostics,
}

fn opt_string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl<'a> Reader<'a> {
    fn at(&self, name: &str) -> AttributePath {
        let mut p = self.path.clone();
        p.push(PathStep::Attr(name.to_owned()));
        p
    }

    /// The path as a person writes it, e.g. `assume_role[1].role_arn`.
    fn shown(&self, name: &str) -> String {
        crate::cty::format_path(&self.at(name))
    }

    fn error(&mut self, name: &str, summary: &str, detail: String) {
        self.diags
            .push(Diagnostic::error(summary, detail).at(self.at(name)));
    }

    fn string(&self, name: &str) -> Option<String> {
        opt_string(self.value.get(name))
    }

    /// A string that may be set to "" on purpose (`https_proxy = ""`).
    fn raw_string(&self, name: &str) -> Option<String> {
        self.value
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn bool(&self, name: &str) -> bool {
        self.value
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    fn strings(&self, name: &str) -> Vec<String> {
        match self.value.get(name) {
            Some(Value::List(items) | Value::Set(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }

    fn map(&self, name: &str) -> BTreeMap<String, String> {
        match self.value.get(name) {
            Some(Value::Map(m)) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    fn url(&mut self, name: &str) -> Option<String> {
        let text = self.string(name)?;
        match check_url(&text) {
            Ok(()) => Some(text),
            Err(why) => {
                let shown = self.shown(name);
                self.error(
                    name,
                    "Invalid URL",
                    format!(
                        "{shown} must be an http:// or https:// URL with a host, such as \
                         https://host.example:443; got {}: {why}.",
                        quote(&crate::aws::proxy::redact(&text))
                    ),
                );
                None
            }
        }
    }

    fn role_arn(&mut self, name: &str) -> Option<String> {
        let text = self.string(name)?;
        if is_iam_arn(&text, "role/") {
            return Some(text);
        }
        let shown = self.shown(name);
        self.error(
            name,
            "Invalid role ARN",
            format!(
                "{shown} must be the ARN of an IAM role, arn:<partition>:iam::<12-digit \
                 account>:role/<name>, such as arn:aws:iam::123456789012:role/deploy; got {}.",
                quote(&text)
            ),
        );
        None
    }

    fn policy_arns(&mut self, name: &str) -> Vec<String> {
        let arns = self.strings(name);
        for arn in &arns {
            let account_ok = arn
                .split(':')
                .nth(4)
                .is_some_and(|a| a == "aws" || is_account_id(a));
            if !(arn_shape(arn, "iam", "policy/") && account_ok) {
                let shown = self.shown(name);
                self.error(
                    name,
                    "Invalid policy ARN",
                    format!(
                        "Each of {shown} must be the ARN of a managed IAM policy, such as \
                         arn:aws:iam::aws:policy/ReadOnlyAccess; got {}.",
                        quote(arn)
                    ),
                );
            }
        }
        arns
    }

    fn policy(&mut self, name: &str) -> Option<String> {
        let text = self.string(name)?;
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
            let shown = self.shown(name);
            self.error(
                name,
                "Invalid policy",
                format!("{shown} must be an IAM policy in JSON; it does not parse: {e}."),
            );
            return None;
        }
        Some(text)
    }

    fn session_duration(&mut self, name: &str) -> Option<std::time::Duration> {
        let text = self.string(name)?;
        match parse_duration(&text) {
            Ok(d) if (900..=43200).contains(&d.as_secs()) => Some(d),
            _ => {
                let shown = self.shown(name);
                self.error(
                    name,
                    "Invalid session duration",
                    format!(
                        "{shown} must be a duration such as \"1h\" from 15m to 12h, got {}.",
                        quote(&text)
                    ),
                );
                None
            }
        }
    }

    /// STS's rule for session names and source identities: 2 to 64 of `[\w+=,.@-]`.
    fn sts_name(&mut self, name: &str, max: usize, extra: &str) -> Option<String> {
        let text = self.string(name)?;
        let ok = (2..=max).contains(&text.chars().count())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) || extra.contains(c));
        if !ok {
            let shown = self.shown(name);
            self.error(
                name,
                "Invalid value",
                format!(
                    "{shown} must be 2 to {max} characters of letters, digits and \
                     _+=,.@-{extra}; got {}.",
                    quote(&text)
                ),
            );
            return None;
        }
        Some(text)
    }

    fn region(&mut self, name: &str, skip_validation: bool) -> Option<String> {
        let text = self.string(name)?;
        if !skip_validation && !is_region_name(&text) {
            let shown = self.shown(name);
            self.error(
                name,
                "Invalid AWS region",
                format!(
                    "{shown} must be an AWS region name such as us-east-1, got {}. Set \
                     skip_region_validation = true for an emulator's own region names.",
                    quote(&text)
                ),
            );
        }
        Some(text)
    }

    fn account_ids(&mut self, name: &str) -> Vec<String> {
        let ids = self.strings(name);
        for id in &ids {
            if !is_account_id(id) {
                let shown = self.shown(name);
                self.error(
                    name,
                    "Invalid AWS account ID",
                    format!(
                        "Each of {shown} must be a 12-digit AWS account ID, got {}.",
                        quote(id)
                    ),
                );
            }
        }
        ids
    }

    fn child(&mut self, name: &str) -> Option<Reader<'_>> {
        let value = self.value.get(name).filter(|v| !v.is_null())?;
        Some(Reader {
            value,
            path: self.at(name),
            diags: self.diags,
        })
    }
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `us-east-1`, `us-gov-west-1`, `eusc-de-east-1`: letters, then dash-separated words, then a
/// number.
fn is_region_name(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].len() <= 2
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// `arn:<partition>:<service>:<region>:<account>:<resource starting with prefix>` with an AWS
/// partition (`aws`, `aws-cn`, `aws-us-gov`, ...).
fn arn_shape(text: &str, service: &str, resource_prefix: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [arn, partition, svc, _region, _account, resource] = parts[..] else {
        return false;
    };
    arn == "arn"
        && partition.starts_with("aws")
        && partition[3..]
            .split('-')
            .skip(1)
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && (partition.len() == 3 || partition.as_bytes()[3] == b'-')
        && svc == service
        && resource.len() > resource_prefix.len()
        && resource.starts_with(resource_prefix)
}

fn is_iam_arn(text: &str, resource_prefix: &str) -> bool {
    arn_shape(text, "iam", resource_prefix)
        && text.split(':').nth(3) == Some("")
        && text.split(':').nth(4).is_some_and(is_account_id)
}

fn check_url(text: &str) -> Result<(), String> {
    let uri: http::Uri = text.parse().map_err(|e| format!("{e}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(format!("the scheme {other:?} is not http or https")),
        None => return Err("it has no scheme".to_owned()),
    }
    match uri.host() {
        Some(h) if !h.is_empty() => Ok(()),
        _ => Err("it has no host".to_owned()),
    }
}

impl ProviderConfig {
    /// Parses and checks a wholly known provider block. Every problem is reported, each at its
    /// attribute.
    pub fn from_value(v: &Value) -> Result<ProviderConfig, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut r = Reader {
            value: v,
            path: Vec::new(),
            diags: &mut diags,
        };
        let skip_region_validation = r.bool("skip_region_validation");
        let mut cfg = ProviderConfig {
            region: r.region("region", skip_region_validation),
            profile: r.string("profile"),
            access_key: r.string("access_key"),
            secret_key: r.string("secret_key"),
            token: r.string("token"),
            shared_config_files: r.strings("shared_config_files"),
            shared_credentials_files: r.strings("shared_credentials_files"),
            allowed_account_ids: r.account_ids("allowed_account_ids"),
            forbidden_account_ids: r.account_ids("forbidden_account_ids"),
            custom_ca_bundle: r.string("custom_ca_bundle"),
            http_proxy: r.raw_string("http_proxy"),
            https_proxy: r.raw_string("https_proxy"),
            no_proxy: r.raw_string("no_proxy"),
            insecure: r.bool("insecure"),
            sts_region: r.region("sts_region", skip_region_validation),
            use_fips_endpoint: r.bool("use_fips_endpoint"),
            use_dualstack_endpoint: r.bool("use_dualstack_endpoint"),
            skip_credentials_validation: r.bool("skip_credentials_validation"),
            skip_requesting_account_id: r.bool("skip_requesting_account_id"),
            ec2_metadata_service_endpoint: r.url("ec2_metadata_service_endpoint"),
            ..ProviderConfig::default()
        };
        // Checked only: kept raw above, where "" means "no proxy".
        for name in ["http_proxy", "https_proxy"] {
            if let Some(text) = r.string(name)
                && let Err(why) = crate::aws::proxy::ProxyUrl::parse(&text)
            {
                let detail = crate::aws::proxy::invalid_detail(&r.shown(name), &text, &why);
                r.error(name, "Invalid proxy URL", detail);
            }
        }
        if cfg.access_key.is_some() != cfg.secret_key.is_some() {
            let missing = if cfg.access_key.is_some() {
                "secret_key"
            } else {
                "access_key"
            };
            r.error(
                missing,
                "Incomplete static credentials",
                format!("access_key and secret_key go together; {missing} is not set."),
            );
        }
        if !cfg.allowed_account_ids.is_empty() && !cfg.forbidden_account_ids.is_empty() {
            r.error(
                "forbidden_account_ids",
                "Conflicting account rules",
                "Set allowed_account_ids or forbidden_account_ids, not both.".to_owned(),
            );
        }
        if cfg.skip_requesting_account_id
            && !(cfg.allowed_account_ids.is_empty() && cfg.forbidden_account_ids.is_empty())
        {
            r.error(
                "skip_requesting_account_id",
                "Account rules need the account ID",
                "allowed_account_ids and forbidden_account_ids are checked against the account \
                 the credentials belong to, which skip_requesting_account_id = true leaves \
                 unknown. Remove one or the other."
                    .to_owned(),
            );
        }
        cfg.skip_metadata_api_check = match r.raw_string("skip_metadata_api_check").as_deref() {
            None | Some("") => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => {
                r.error(
                    "skip_metadata_api_check",
                    "Invalid skip_metadata_api_check",
                    format!(
                        "skip_metadata_api_check must be \"\", \"true\" or \"false\", got {}.",
                        quote(other)
                    ),
                );
                None
            }
        };
        if let Some(mode) = r.string("ec2_metadata_service_endpoint_mode") {
            if mode.eq_ignore_ascii_case("ipv4") || mode.eq_ignore_ascii_case("ipv6") {
                cfg.ec2_metadata_service_endpoint_mode = Some(mode);
            } else {
                r.error(
                    "ec2_metadata_service_endpoint_mode",
                    "Invalid ec2_metadata_service_endpoint_mode",
                    format!(
                        "ec2_metadata_service_endpoint_mode must be \"IPv4\" or \"IPv6\", got {}.",
                        quote(&mode)
                    ),
                );
            }
        }
        if let Some(n) = v.get("max_retries").filter(|n| !n.is_null()) {
            match n.as_i64() {
                Some(n) if (0..=1000).contains(&n) => cfg.max_retries = u32::try_from(n).ok(),
                _ => r.error(
                    "max_retries",
                    "Invalid max_retries",
                    format!(
                        "max_retries must be a whole number from 0 to 1000, got {}.",
                        shown(n)
                    ),
                ),
            }
        }
        cfg.retry_mode = r.string("retry_mode");
        match cfg.retry_mode.as_deref() {
            None | Some("standard") => {}
            Some("adaptive") => cfg.adaptive_retries = true,
            Some(other) => {
                let text =
                    format!("retry_mode must be \"standard\" or \"adaptive\", got {other:?}.");
                r.error("retry_mode", "Invalid retry_mode", text);
            }
        }
        if let Some(text) = r.string("plan_checks") {
            match PlanChecks::parse(&text) {
                Some(mode) => cfg.plan_checks = mode,
                None => r.error(
                    "plan_checks",
                    "Invalid plan_checks",
                    format!(
                        "plan_checks must be \"warn\", \"error\" or \"off\", got {}.",
                        quote(&text)
                    ),
                ),
            }
        }
        if let Some(mut e) = r.child("endpoints") {
            cfg.cloudtrail_endpoint = e.url("cloudtrail");
            cfg.sts_endpoint = e.url("sts");
        }
        if let Some(Value::List(blocks)) = v.get("assume_role") {
            for (i, block) in blocks.iter().enumerate() {
                let mut path = attr_path(&["assume_role"]);
                path.push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                let mut a = Reader {
                    value: block,
                    path,
                    diags: r.diags,
                };
                if let Some(role) = parse_assume_role(&mut a) {
                    cfg.assume_roles.push(role);
                }
            }
        }
        if let Some(mut w) = r.child("assume_role_with_web_identity") {
            cfg.web_identity = parse_web_identity(&mut w);
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(cfg)
        }
    }
}

fn parse_assume_role(a: &mut Reader<'_>) -> Option<AssumeRole> {
    let role_arn = a.role_arn("role_arn");
    if a.string("role_arn").is_none() {
        let shown = a.shown("role_arn");
        a.error(
            "role_arn",
            "Missing role_arn",
            format!("{shown} is required: the ARN of the role to assume."),
        );
    }
    let tags = a.map("tags");
    let transitive_tag_keys = a.strings("transitive_tag_keys");
    for key in &transitive_tag_keys {
        if !tags.contains_key(key) {
            let shown = a.shown("transitive_tag_keys");
            a.error(
                "transitive_tag_keys",
                "Unknown transitive tag key",
                format!(
                    "{shown} names {}, which is not a key of tags; STS only passes on tags of \
                     the session.",
                    quote(key)
                ),
            );
        }
    }
    for (k, v) in &tags {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            let shown = a.shown("tags");
            a.error(
                "tags",
                "Invalid session tag",
                format!(
                    "{shown}: keys are 1 to 128 characters and values up to 256, got {} = {}.",
                    quote(k),
                    quote(v)
                ),
            );
        }
    }
    let role = AssumeRole {
        role_arn: role_arn?,
        session_name: a.sts_name("session_name", 64, ""),
        external_id: a.sts_name("external_id", 1224, ":/"),
        duration: a.session_duration("duration"),
        policy: a.policy("policy"),
        policy_arns: a.policy_arns("policy_arns"),
        tags,
        transitive_tag_keys,
        source_identity: a.sts_name("source_identity", 64, ""),
    };
    Some(role)
}

/// The block's values; what it leaves out (role, session name, token file) may come from the
/// environment at configure.
fn parse_web_identity(w: &mut Reader<'_>) -> Option<WebIdentityBlock> {
    let token = w.string("web_identity_token");
    let token_file = w.string("web_identity_token_file");
    if token.is_some() && token_file.is_some() {
        w.error(
            "web_identity_token_file",
            "Conflicting web identity tokens",
            "Set web_identity_token or web_identity_token_file, not both.".to_owned(),
        );
    }
    if let Some(t) = &token
        && !(4..=20000).contains(&t.len())
    {
        w.error(
            "web_identity_token",
            "Invalid web identity token",
            format!(
                "web_identity_token must be 4 to 20000 characters, got {}.",
                t.len()
            ),
        );
    }
    Some(WebIdentityBlock {
        role_arn: w.role_arn("role_arn"),
        session_name: w.sts_name("session_name", 64, ""),
        token: token
            .map(TokenSource::Literal)
            .or(token_file.map(TokenSource::File)),
        duration: w.session_duration("duration"),
        policy: w.policy("policy"),
        policy_arns: w.policy_arns("policy_arns"),
    })
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

/// A configuration value as a person wrote it (not Rust's debug form) for diagnostics.
fn shown(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Bool(b) => b.to_string(),
        Value::Unknown => "an unknown value".to_owned(),
        Value::Null => "null".to_owned(),
        _ => "a collection".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_have_the_aws_shape() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "eusc-de-east-1",
            "ap-southeast-7",
        ] {
            assert!(is_region_name(ok), "{ok}");
        }
        for bad in [
            "us-east",
            "useast1",
            "us-east-1x",
            "US-EAST-1",
            "local",
            "us--1",
        ] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }

    #[test]
    fn role_arns_name_an_iam_role_in_an_account() {
        assert!(is_iam_arn("arn:aws:iam::123456789012:role/deploy", "role/"));
        assert!(is_iam_arn(
            "arn:aws-us-gov:iam::123456789012:role/a/b",
            "role/"
        ));
        for bad in [
            "not-an-arn",
            "arn:aws:iam::123456789012:user/deploy",
            "arn:aws:iam::12345678901:role/deploy",
            "arn:aws:sts::123456789012:role/deploy",
            "arn:aws:iam:us-east-1:123456789012:role/deploy",
            "arn:aws:iam::123456789012:role/",
            "arn:azure:iam::123456789012:role/x",
        ] {
            assert!(!is_iam_arn(bad, "role/"), "{bad}");
        }
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(check_url("https://sts.example:8443").is_ok());
        assert!(check_url("http://127.0.0.1:4566").is_ok());
        assert!(check_url("127.0.0.1:4566").is_err());
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("http://").is_err());
    }

    /// A URL argument's error shows the value without its userinfo.
    #[test]
    fn a_bad_url_is_echoed_without_its_userinfo() {
        let block = crate::resources::object([(
            "ec2_metadata_service_endpoint",
            Value::string("ftp://ci:hunter2@169.254.169.254"),
        )]);
        let Err(diags) = ProviderConfig::from_value(&block) else {
            panic!("an ftp:// endpoint was accepted");
        };
        let text: String = diags.iter().map(|d| d.detail.clone()).collect();
        assert!(text.contains("ftp://xxxxx@169.254.169.254"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
