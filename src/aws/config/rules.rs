//! The rules one attribute of the provider block keeps on its own, declared on the attribute in
//! `schema.rs` (`.check(...)`), so the framework checks them wherever the block is validated.
//! Rules between attributes are `parse.rs`'s.

use crate::cty::Value;
use crate::diagnostics::quote;
use crate::schema::Refusal;
use crate::timeouts::parse_duration;

/// The string a check is given; checks are declared on string attributes only, and a value of
/// another type never reaches them (the codec checks types first).
fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `us-east-1`, `us-gov-west-1`, `eusc-de-east-1`: letters, then dash-separated words, then a
/// number.
pub fn is_region_name(text: &str) -> bool {
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

pub fn is_iam_arn(text: &str, resource_prefix: &str) -> bool {
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

/// An endpoint: an http:// or https:// URL with a host. Echoed without its userinfo.
pub fn url(shown: &str, v: &Value) -> Result<(), Refusal> {
    let text = text(v);
    if text.is_empty() {
        return Ok(());
    }
    check_url(text).map_err(|why| {
        Refusal::new(
            "Invalid URL",
            format!(
                "{shown} must be an http:// or https:// URL with a host, such as \
                 https://host.example:443; got {}: {why}.",
                quote(&crate::aws::proxy::redact(text))
            ),
        )
    })
}

/// A proxy URL (`""` means no proxy).
pub fn proxy_url(shown: &str, v: &Value) -> Result<(), Refusal> {
    let text = text(v);
    if text.is_empty() {
        return Ok(());
    }
    crate::aws::proxy::ProxyUrl::parse(text)
        .map(drop)
        .map_err(|why| {
            let detail = crate::aws::proxy::invalid_detail(shown, text, &why);
            Refusal::new("Invalid proxy URL", detail)
        })
}

pub fn role_arn(shown: &str, v: &Value) -> Result<(), Refusal> {
    let text = text(v);
    if text.is_empty() || is_iam_arn(text, "role/") {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid role ARN",
        format!(
            "{shown} must be the ARN of an IAM role, arn:<partition>:iam::<12-digit \
             account>:role/<name>, such as arn:aws:iam::123456789012:role/deploy; got {}.",
            quote(text)
        ),
    ))
}

/// Each element of `policy_arns`.
pub fn policy_arn(shown: &str, v: &Value) -> Result<(), Refusal> {
    let arn = text(v);
    let account_ok = arn
        .split(':')
        .nth(4)
        .is_some_and(|a| a == "aws" || is_account_id(a));
    if arn_shape(arn, "iam", "policy/") && account_ok {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid policy ARN",
        format!(
            "Each of {shown} must be the ARN of a managed IAM policy, such as \
             arn:aws:iam::aws:policy/ReadOnlyAccess; got {}.",
            quote(arn)
        ),
    ))
}

pub fn policy(shown: &str, v: &Value) -> Result<(), Refusal> {
    let text = text(v);
    if text.is_empty() {
        return Ok(());
    }
    serde_json::from_str::<serde_json::Value>(text)
        .map(drop)
        .map_err(|e| {
            Refusal::new(
                "Invalid policy",
                format!("{shown} must be an IAM policy in JSON; it does not parse: {e}."),
            )
        })
}

/// A session length STS accepts: 15 minutes to 12 hours.
pub fn session_duration(shown: &str, v: &Value) -> Result<(), Refusal> {
    let text = text(v);
    match parse_duration(text) {
        _ if text.is_empty() => Ok(()),
        Ok(d) if (900..=43200).contains(&d.as_secs()) => Ok(()),
        _ => Err(Refusal::new(
            "Invalid session duration",
            format!(
                "{shown} must be a duration such as \"1h\" from 15m to 12h, got {}.",
                quote(text)
            ),
        )),
    }
}

/// STS's rule for session names and source identities: 2 to `max` of `[\w+=,.@-]` and `extra`.
fn sts_name(shown: &str, text: &str, max: usize, extra: &str) -> Result<(), Refusal> {
    let ok = text.is_empty()
        || (2..=max).contains(&text.chars().count())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) || extra.contains(c));
    if ok {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid value",
        format!(
            "{shown} must be 2 to {max} characters of letters, digits and _+=,.@-{extra}; got {}.",
            quote(text)
        ),
    ))
}

/// `session_name` and `source_identity`.
pub fn session_name(shown: &str, v: &Value) -> Result<(), Refusal> {
    sts_name(shown, text(v), 64, "")
}

pub fn external_id(shown: &str, v: &Value) -> Result<(), Refusal> {
    sts_name(shown, text(v), 1224, ":/")
}

/// Each element of `allowed_account_ids` and `forbidden_account_ids`.
pub fn account_id(shown: &str, v: &Value) -> Result<(), Refusal> {
    let id = text(v);
    if is_account_id(id) {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid AWS account ID",
        format!(
            "Each of {shown} must be a 12-digit AWS account ID, got {}.",
            quote(id)
        ),
    ))
}

/// One of the given words, e.g. `retry_mode`'s `standard` or `adaptive`.
fn one_of(shown: &str, text: &str, words: &[&str], ignore_case: bool) -> Result<(), Refusal> {
    let same = |w: &&str| {
        if ignore_case {
            w.eq_ignore_ascii_case(text)
        } else {
            *w == text
        }
    };
    if text.is_empty() || words.iter().any(same) {
        return Ok(());
    }
    let listed: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    let choices = match listed.as_slice() {
        [one, two] => format!("{one} or {two}"),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        [] => String::new(),
    };
    Err(Refusal::new(
        format!("Invalid {shown}"),
        format!("{shown} must be {choices}, got {}.", quote(text)),
    ))
}

pub fn retry_mode(shown: &str, v: &Value) -> Result<(), Refusal> {
    one_of(shown, text(v), &["standard", "adaptive"], false)
}

pub fn plan_checks(shown: &str, v: &Value) -> Result<(), Refusal> {
    one_of(shown, text(v), &["warn", "error", "off"], false)
}

pub fn endpoint_mode(shown: &str, v: &Value) -> Result<(), Refusal> {
    one_of(shown, text(v), &["IPv4", "IPv6"], true)
}

/// A string-typed boolean as hashicorp/aws has it: `""` (unset), `"true"` or `"false"`.
pub fn string_bool(shown: &str, v: &Value) -> Result<(), Refusal> {
    match text(v) {
        "" | "true" | "false" => Ok(()),
        other => Err(Refusal::new(
            format!("Invalid {shown}"),
            format!(
                "{shown} must be \"\", \"true\" or \"false\", got {}.",
                quote(other)
            ),
        )),
    }
}

pub fn max_retries(shown: &str, v: &Value) -> Result<(), Refusal> {
    match v.as_i64() {
        Some(n) if (0..=1000).contains(&n) => Ok(()),
        _ => {
            let got = v.as_number().map_or_else(
                || "a value that is not a number".to_owned(),
                |n| n.to_string(),
            );
            Err(Refusal::new(
                format!("Invalid {shown}"),
                format!("{shown} must be a whole number from 0 to 1000, got {got}."),
            ))
        }
    }
}

/// Session tags: keys of 1 to 128 characters, values up to 256.
pub fn session_tags(shown: &str, v: &Value) -> Result<(), Refusal> {
    let Value::Map(tags) = v.concrete() else {
        return Ok(());
    };
    for (k, v) in tags {
        let v = text(v);
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(Refusal::new(
                "Invalid session tag",
                format!(
                    "{shown}: keys are 1 to 128 characters and values up to 256, got {} = {}.",
                    quote(k),
                    quote(v)
                ),
            ));
        }
    }
    Ok(())
}

pub fn web_identity_token(shown: &str, v: &Value) -> Result<(), Refusal> {
    let len = text(v).len();
    if (4..=20000).contains(&len) {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid web identity token",
        format!("{shown} must be 4 to 20000 characters, got {len}."),
    ))
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
        let refusal = url(
            "ec2_metadata_service_endpoint",
            &Value::string("ftp://ci:hunter2@169.254.169.254"),
        )
        .expect_err("an ftp:// endpoint was accepted");
        assert!(
            refusal.detail.contains("ftp://xxxxx@169.254.169.254"),
            "{refusal:?}"
        );
        assert!(!refusal.detail.contains("hunter2"), "{refusal:?}");
    }

    #[test]
    fn word_choices_name_every_word() {
        let r = plan_checks("plan_checks", &Value::string("loud")).expect_err("refused");
        assert_eq!(
            r.detail,
            "plan_checks must be \"warn\", \"error\" or \"off\", got \"loud\"."
        );
        assert!(endpoint_mode("m", &Value::string("ipv6")).is_ok());
        assert!(retry_mode("m", &Value::string("Standard")).is_err());
    }
}
