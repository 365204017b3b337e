//! The event data store reference rule, kept in one place: what StartEventDataStoreIngestion
//! accepts (3-256 characters of `[a-zA-Z0-9._/\-:]`), plus the ARN's shape when it is an ARN.

use crate::diagnostics::quote;

pub const MIN_LEN: usize = 3;
pub const MAX_LEN: usize = 256;
pub const RULE: &str = "3 to 256 characters, each a letter, digit, '.', '_', '/', '-' or ':' (the \
                        StartEventDataStoreIngestion API's pattern); an ARN must have the form \
                        arn:<partition>:cloudtrail:<region>:<12-digit account>:eventdatastore/<id>, \
                        its region one of its partition's";

/// A validated reference to an event data store: a full ARN or the ID suffix of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRef {
    /// Exactly what the user wrote; this is what is sent to the API.
    pub raw: String,
    /// The part after `eventdatastore/` (the whole value when it is not an ARN).
    pub id: String,
    /// The region named by an ARN, if the value is one.
    pub region: Option<String>,
    /// The 12-digit account named by an ARN, if the value is one.
    pub account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}: got {}. Expected {RULE}.", quote(value))]
pub struct StoreRefError {
    pub value: String,
    pub problem: String,
}

impl StoreRef {
    pub fn parse(value: &str) -> Result<StoreRef, StoreRefError> {
        let fail = |problem: String| StoreRefError {
            value: value.to_owned(),
            problem,
        };
        let chars = value.chars().count();
        if chars < MIN_LEN {
            return Err(fail(format!("too short ({chars} characters)")));
        }
        if chars > MAX_LEN {
            return Err(fail(format!("too long ({chars} characters)")));
        }
        if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
            return Err(fail(format!("character {bad:?} is not allowed")));
        }
        if !value.starts_with("arn:") {
            return Ok(StoreRef {
                raw: value.to_owned(),
                id: value.to_owned(),
                region: None,
                account: None,
            });
        }
        // arn:partition:service:region:account:resource; the resource may itself hold ':'.
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        let [_, partition, service, region, account, resource] = parts.as_slice() else {
            return Err(fail("an ARN needs six ':'-separated parts".to_owned()));
        };
        if partition.is_empty() {
            return Err(fail("the ARN has no partition".to_owned()));
        }
        if *service != "cloudtrail" {
            return Err(fail(format!(
                "the ARN names service {}, not cloudtrail",
                quote(service)
            )));
        }
        if region.is_empty() {
            return Err(fail("the ARN has no region".to_owned()));
        }
        // The region becomes part of the endpoint's host name, so it must be a region of the
        // ARN's own partition: letters, digits and '-', never a '.' or '/' that would move the
        // request (signed, with the session token) to another host.
        let Some((_, example)) = PARTITIONS.iter().find(|(p, _)| p == partition) else {
            return Err(fail(format!(
                "the ARN's partition {} is not one of {}",
                quote(partition),
                PARTITIONS
                    .iter()
                    .map(|(p, _)| *p)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if partition_of_region(region) != Some(*partition) {
            return Err(fail(format!(
                "the ARN's region {} is not a region of partition {partition} (such as {example})",
                quote(region)
            )));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail(format!(
                "the ARN's account {} is not 12 digits",
                quote(account)
            )));
        }
        let Some(id) = resource.strip_prefix("eventdatastore/") else {
            return Err(fail(
                "the ARN's resource must start with \"eventdatastore/\"".to_owned(),
            ));
        };
        if id.is_empty() {
            return Err(fail("the ARN has an empty event data store id".to_owned()));
        }
        Ok(StoreRef {
            raw: value.to_owned(),
            id: id.to_owned(),
            region: Some((*region).to_owned()),
            account: Some((*account).to_owned()),
        })
    }

    /// Two references name the same store when their IDs match (an ARN and its ID suffix).
    pub fn same_store(&self, other: &StoreRef) -> bool {
        self.id == other.id
            && match (&self.region, &other.region) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// AWS's partitions, each with an example region, in the order their region patterns are tried.
const PARTITIONS: &[(&str, &str)] = &[
    ("aws", "us-east-1"),
    ("aws-cn", "cn-north-1"),
    ("aws-us-gov", "us-gov-west-1"),
    ("aws-iso", "us-iso-east-1"),
    ("aws-iso-b", "us-isob-east-1"),
    ("aws-iso-e", "eu-isoe-west-1"),
    ("aws-iso-f", "us-isof-south-1"),
    ("aws-eusc", "eusc-de-east-1"),
];

/// The partition whose region pattern (AWS's partition table, as the SDKs' endpoint rules read
/// it) `region` fits: `<prefix>-<word>-<digits>`, lower-case letters and digits only. The SDK's
/// own table is not public API, hence this copy of its patterns.
fn partition_of_region(region: &str) -> Option<&'static str> {
    let parts: Vec<&str> = region.split('-').collect();
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let digits = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        ["us", "gov", w, n] if word(w) && digits(n) => Some("aws-us-gov"),
        ["us", "iso", w, n] if word(w) && digits(n) => Some("aws-iso"),
        ["us", "isob", w, n] if word(w) && digits(n) => Some("aws-iso-b"),
        ["us", "isof", w, n] if word(w) && digits(n) => Some("aws-iso-f"),
        ["eu", "isoe", w, n] if word(w) && digits(n) => Some("aws-iso-e"),
        ["eusc", "de", w, n] if word(w) && digits(n) => Some("aws-eusc"),
        ["cn", w, n] if word(w) && digits(n) => Some("aws-cn"),
        [p, w, n]
            if ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"].contains(p)
                && word(w)
                && digits(n) =>
        {
            Some("aws")
        }
        _ => None,
    }
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-' | ':')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE";

    #[test]
    fn accepts_arn_and_id() {
        let r = StoreRef::parse(ARN).unwrap();
        assert_eq!(r.id, "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE");
        assert_eq!(r.region.as_deref(), Some("us-east-1"));
        assert_eq!(r.account.as_deref(), Some("123456789012"));
        let id = StoreRef::parse("EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE").unwrap();
        assert_eq!(id.region, None);
        assert!(r.same_store(&id));
        assert!(StoreRef::parse("abc").is_ok());
        assert!(StoreRef::parse(&"a".repeat(256)).is_ok());
        for (partition, region) in PARTITIONS.iter().chain(&[
            ("aws", "ap-southeast-7"),
            ("aws", "mx-central-1"),
            ("aws-cn", "cn-northwest-1"),
            ("aws-us-gov", "us-gov-east-1"),
        ]) {
            let arn = format!("arn:{partition}:cloudtrail:{region}:123456789012:eventdatastore/x");
            assert!(StoreRef::parse(&arn).is_ok(), "{arn}");
        }
    }

    #[test]
    fn rejects_with_the_value_and_the_rule() {
        let cases = [
            ("ab", "too short"),
            (&"a".repeat(257), "too long"),
            ("abc def", "character ' ' is not allowed"),
            ("abc\u{1b}[31m", "character '\\u{1b}' is not allowed"),
            ("ünïcode", "not allowed"),
            (
                "arn:aws:s3:us-east-1:123456789012:eventdatastore/x",
                "not cloudtrail",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:1234:eventdatastore/x",
                "not 12 digits",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:123456789012:trail/x",
                "eventdatastore/",
            ),
            (
                "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/",
                "empty",
            ),
            (
                "arn:aws:cloudtrail::123456789012:eventdatastore/x",
                "no region",
            ),
            (
                "arn::cloudtrail:us-east-1:123456789012:eventdatastore/x",
                "no partition",
            ),
            ("arn:aws:cloudtrail", "six"),
            (
                "arn:aws:cloudtrail:evil.example.com/x:123456789012:eventdatastore/abc",
                "region \"evil.example.com/x\" is not a region of partition aws",
            ),
            (
                "arn:aws:cloudtrail:us-east-1.evil:123456789012:eventdatastore/abc",
                "is not a region of partition aws",
            ),
            (
                "arn:aws:cloudtrail:US-EAST-1:123456789012:eventdatastore/abc",
                "is not a region of partition aws",
            ),
            (
                "arn:aws-cn:cloudtrail:us-east-1:123456789012:eventdatastore/abc",
                "not a region of partition aws-cn (such as cn-north-1)",
            ),
            (
                "arn:aws:cloudtrail:cn-north-1:123456789012:eventdatastore/abc",
                "not a region of partition aws",
            ),
            (
                "arn:evil.example:cloudtrail:us-east-1:123456789012:eventdatastore/abc",
                "partition \"evil.example\" is not one of aws, aws-cn",
            ),
        ];
        for (value, problem) in cases {
            let err = StoreRef::parse(value).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(problem), "{value}: {text}");
            assert!(text.contains("3 to 256 characters"), "{text}");
            assert!(
                !text.contains('\u{1b}'),
                "control characters must be escaped: {text}"
            );
        }
    }

    #[test]
    fn different_ids_or_regions_are_different_stores() {
        let a = StoreRef::parse(ARN).unwrap();
        let b = StoreRef::parse(&ARN.replace("us-east-1", "eu-west-1")).unwrap();
        assert!(!a.same_store(&b));
        assert!(!a.same_store(&StoreRef::parse("other-id").unwrap()));
    }
}
