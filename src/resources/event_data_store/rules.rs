//! The rules of `cloudtrail_event_data_store`'s arguments: each attribute's own (declared on it in
//! the schema, run by the framework with the attribute's path), the replacements AWS forces, and
//! the rules between attributes (`validate`).

use crate::cty::Value;
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, attr_path, quote};
use crate::resources::model::{Field, Model};
use crate::schema::Refusal;

use super::{EXTENDABLE, FIXED, MAX_RETENTION, OPERATORS, StoreModel, TIMEOUTS};

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

pub(super) fn store_name(shown: &str, v: &Value) -> Result<(), Refusal> {
    let name = text(v);
    let ok = (3..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid name",
        format!(
            "{shown} must be 3 to 128 characters of letters, digits, '.', '_' and '-'; got {}.",
            quote(name)
        ),
    ))
}

/// A number of days the API can take (its bounds per billing mode are `validate`'s).
pub(super) fn whole_days(shown: &str, v: &Value) -> Result<(), Refusal> {
    match v.as_i64() {
        Some(n) if i32::try_from(n).is_ok() => Ok(()),
        _ => Err(Refusal::new(
            "Invalid retention_period",
            format!(
                "{shown} must be a whole number of days from 7 to 3653, got {}.",
                v.as_number().map_or_else(
                    || "a value that is not a number".to_owned(),
                    |n| n.to_string()
                )
            ),
        )),
    }
}

pub(super) fn selector_name(shown: &str, v: &Value) -> Result<(), Refusal> {
    let name = text(v);
    if name.chars().count() <= 1000 {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid selector name",
        format!(
            "{shown} must be at most 1000 characters, got {}.",
            name.chars().count()
        ),
    ))
}

pub(super) fn selector_field(shown: &str, v: &Value) -> Result<(), Refusal> {
    let field = text(v);
    let ok = (1..=1000).contains(&field.len())
        && field
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._".contains(&b));
    if ok {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid field",
        format!(
            "{shown} must be a field name such as eventCategory or resources.type (letters, \
             digits, '.' and '_'); got {}.",
            quote(field)
        ),
    ))
}

pub(super) fn selector_value(shown: &str, v: &Value) -> Result<(), Refusal> {
    let value = text(v);
    if (1..=2048).contains(&value.chars().count()) {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid selector value",
        format!(
            "Each of {shown} must be 1 to 2048 characters; got {}.",
            quote(value)
        ),
    ))
}

/// A key ARN, alias ARN, alias name or key ID.
pub(super) fn kms_key(shown: &str, v: &Value) -> Result<(), Refusal> {
    let key = text(v);
    let arn = |kind: &str| {
        let parts: Vec<&str> = key.splitn(6, ':').collect();
        matches!(parts[..], ["arn", p, "kms", region, account, resource]
            if p.starts_with("aws") && !region.is_empty() && account.len() == 12
                && resource.strip_prefix(kind).is_some_and(|r| !r.is_empty()))
    };
    let word = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
    };
    let ok = key.len() <= 2048
        && (arn("key/")
            || arn("alias/")
            || key.strip_prefix("alias/").is_some_and(word)
            || (!key.starts_with("arn:") && !key.contains('/') && word(key)));
    if ok {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid KMS key",
        format!(
            "{shown} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), an alias \
             ARN, an alias name (alias/<name>) or a key ID; got {}.",
            quote(key)
        ),
    ))
}

pub(super) fn billing_mode(shown: &str, v: &Value) -> Result<(), Refusal> {
    match text(v) {
        EXTENDABLE | FIXED => Ok(()),
        other => Err(Refusal::new(
            "Invalid billing_mode",
            format!(
                "{shown} must be \"{EXTENDABLE}\" or \"{FIXED}\", got {}.",
                quote(other)
            ),
        )),
    }
}

pub(super) fn tags(shown: &str, v: &Value) -> Result<(), Refusal> {
    let Value::Map(tags) = v.concrete() else {
        return Ok(());
    };
    if tags.len() > 50 {
        return Err(Refusal::new(
            "Too many tags",
            format!("{shown} may hold at most 50 tags, got {}.", tags.len()),
        ));
    }
    for (k, v) in tags {
        let v = text(v);
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(Refusal::new(
                "Invalid tag",
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

pub(super) fn region(shown: &str, v: &Value) -> Result<(), Refusal> {
    let r = text(v);
    let parts: Vec<&str> = r.split('-').collect();
    let ok = parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
    if ok {
        return Ok(());
    }
    Err(Refusal::new(
        "Invalid AWS region",
        format!(
            "{shown} must be an AWS region name such as us-east-1, got {}.",
            quote(r)
        ),
    ))
}

/// A key cannot be changed or removed once a store has one; adding one is in place.
pub(super) fn kms_key_replaced(prior: &Value, planned: &Value) -> bool {
    !prior.is_null() && prior != planned && !planned.is_unknown()
}

/// Extendable pricing cannot go back to fixed.
pub(super) fn billing_mode_replaced(prior: &Value, planned: &Value) -> bool {
    prior.as_str() == Some(EXTENDABLE) && planned.as_str() == Some(FIXED)
}

pub(super) fn changed(prior: &Value, planned: &Value) -> bool {
    !prior.is_null() && !planned.is_unknown() && prior != planned
}

/// The rules between attributes: retention within its billing mode's bounds, at most five
/// selectors, each field selector with at least one operator.
pub(super) fn validate(config: &Value) -> Diagnostics {
    let mut diags = TIMEOUTS.validate(config);
    let m = StoreModel::from_value(config);
    if let (Some(days), Field::Known(_) | Field::Null) =
        (m.retention_period.known(), &m.billing_mode)
    {
        let mode = m.billing_mode();
        let max = MAX_RETENTION
            .iter()
            .find(|(b, _)| *b == mode)
            .map_or(3653, |(_, max)| *max);
        if !(7..=max).contains(days) {
            diags.push(
                Diagnostic::error(
                    "Invalid retention_period",
                    format!(
                        "retention_period must be 7 to {max} days with billing_mode {mode}, got \
                         {days}."
                    ),
                )
                .at(attr_path(&["retention_period"])),
            );
        }
    }
    let selectors = m.advanced_event_selector.known_or(Vec::new());
    if selectors.len() > 5 {
        diags.push(
            Diagnostic::error(
                "Too many advanced_event_selector blocks",
                format!(
                    "A store takes at most 5 advanced_event_selector blocks, got {}.",
                    selectors.len()
                ),
            )
            .at(attr_path(&["advanced_event_selector"])),
        );
    }
    for (i, s) in selectors.iter().enumerate() {
        let fields = s
            .field_selector
            .known()
            .map(|f| f.0.clone())
            .unwrap_or_default();
        if s.field_selector.is_null() || (s.field_selector.known().is_some() && fields.is_empty()) {
            diags.push(
                Diagnostic::error(
                    "Missing field_selector",
                    format!(
                        "advanced_event_selector[{i}] needs at least one field_selector block \
                         (and one on eventCategory)."
                    ),
                )
                .at(selector_path(i)),
            );
        }
        for f in &fields {
            let none = f.operators().iter().all(|o| o.is_null());
            if none {
                diags.push(
                    Diagnostic::error(
                        "field_selector without a condition",
                        format!(
                            "Each field_selector of advanced_event_selector[{i}] needs one of {} \
                             (field {}).",
                            OPERATORS.join(", "),
                            quote(&f.field.known_or(String::new()))
                        ),
                    )
                    .at(selector_path(i)),
                );
            }
        }
    }
    diags
}

fn selector_path(i: usize) -> AttributePath {
    let mut p = attr_path(&["advanced_event_selector"]);
    p.push(crate::cty::PathStep::Index(
        i64::try_from(i).unwrap_or(i64::MAX),
    ));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kms_keys_have_one_of_the_four_shapes() {
        for ok in [
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:123456789012:alias/lake",
            "alias/lake",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
        ] {
            assert!(kms_key("kms_key_id", &Value::string(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:123:key/x",
            "alias/",
            "key id",
        ] {
            assert!(kms_key("kms_key_id", &Value::string(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn replacement_follows_what_aws_cannot_change() {
        let s = Value::string;
        assert!(billing_mode_replaced(&s(EXTENDABLE), &s(FIXED)));
        assert!(!billing_mode_replaced(&s(FIXED), &s(EXTENDABLE)));
        assert!(!kms_key_replaced(&Value::Null, &s("alias/a")));
        assert!(kms_key_replaced(&s("alias/a"), &s("alias/b")));
        assert!(kms_key_replaced(&s("alias/a"), &Value::Null));
        assert!(!kms_key_replaced(&s("alias/a"), &s("alias/a")));
    }

    fn config(set: &[(&str, Value)]) -> Value {
        let mut m = StoreModel {
            name: "lake".into(),
            ..StoreModel::default()
        }
        .to_object();
        for (k, v) in set {
            m.insert((*k).to_owned(), v.clone());
        }
        Value::Object(m)
    }

    #[test]
    fn retention_is_bounded_by_its_billing_mode() {
        let days = |n: i64, mode: &str| {
            validate(&config(&[
                ("retention_period", Value::int(n)),
                ("billing_mode", Value::string(mode)),
            ]))
        };
        assert!(days(3653, EXTENDABLE).is_empty());
        assert!(days(2557, FIXED).is_empty());
        let refused = days(2558, FIXED);
        assert_eq!(refused.iter().count(), 1);
        assert!(
            refused.iter().all(|d| d.detail.contains("7 to 2557")),
            "{refused:?}"
        );
        assert!(!days(6, EXTENDABLE).is_empty());
        assert!(!days(3654, EXTENDABLE).is_empty());
    }
}
