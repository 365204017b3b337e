//! Moving a store over from hashicorp/aws (`moved` from `aws_cloudtrail_event_data_store`): which
//! sources are taken, the source's value type, and how its state maps onto this resource's.

use crate::aws::arn::StoreRef;
use crate::aws::manage::Selector;
use crate::cty::{Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::resources::model::{Field, Set};
use tfplugin_framework::resource::MovedState;

use super::{EXTENDABLE, FieldSelectorModel, MOVED_FROM, SelectorModel, StoreModel};

/// The source provider: `hashicorp/aws` on any registry host, or OpenTofu's bare `aws` (which
/// OpenTofu sent before 1.11.12 and 1.12.4).
fn is_hashicorp_aws(address: &str) -> bool {
    let parts: Vec<String> = address.split('/').map(str::to_ascii_lowercase).collect();
    match parts.as_slice() {
        [t] => t == "aws",
        [ns, t] | [_, ns, t] => ns == "hashicorp" && t == "aws",
        _ => false,
    }
}

/// The value type of hashicorp/aws's `aws_cloudtrail_event_data_store` (schema version 0), as far
/// as the move reads it; attributes of other versions are ignored and missing ones read as null.
fn aws_source_type() -> Type {
    let strings = || Type::list(Type::String);
    let field_selector = Type::object([
        ("field", Type::String),
        ("equals", strings()),
        ("starts_with", strings()),
        ("ends_with", strings()),
        ("not_equals", strings()),
        ("not_starts_with", strings()),
        ("not_ends_with", strings()),
    ]);
    let selector = Type::object([
        ("name", Type::String),
        ("field_selector", Type::set(field_selector)),
    ]);
    Type::object([
        ("arn", Type::String),
        ("id", Type::String),
        ("name", Type::String),
        ("advanced_event_selector", Type::list(selector)),
        ("multi_region_enabled", Type::Bool),
        ("organization_enabled", Type::Bool),
        ("retention_period", Type::Number),
        ("termination_protection_enabled", Type::Bool),
        ("kms_key_id", Type::String),
        ("billing_mode", Type::String),
        ("suspend", Type::String),
        ("tags", Type::map(Type::String)),
        ("tags_all", Type::map(Type::String)),
        ("region", Type::String),
        (
            "timeouts",
            Type::object([
                ("create", Type::String),
                ("update", Type::String),
                ("delete", Type::String),
            ]),
        ),
    ])
}

/// The move of `source`: hashicorp/aws's store, or a refusal that names the one type taken.
pub(super) fn moved_from_aws(source: &MovedState) -> Option<Result<StoreModel, Diagnostics>> {
    if source.type_name != MOVED_FROM || !is_hashicorp_aws(&source.provider_address) {
        return Some(Err(Diagnostic::error(
            "Unsupported move",
            format!(
                "cloudtrail_event_data_store takes the state of {MOVED_FROM} from hashicorp/aws \
                 only, not of {} from {}. Import the store instead: terraform import \
                 <address> <its ARN>.",
                source.type_name, source.provider_address
            ),
        )
        .into()));
    }
    if source.schema_version != 0 {
        return Some(Err(Diagnostic::error(
            "Unsupported source schema version",
            format!(
                "{MOVED_FROM} state of schema version {} cannot be moved: this provider knows \
                 version 0, the only one hashicorp/aws has had. Upgrade this provider.",
                source.schema_version
            ),
        )
        .into()));
    }
    Some(
        source
            .decode(&aws_source_type())
            .and_then(|old| from_aws(&old)),
    )
}

/// hashicorp/aws's state as this resource's: the same names, with
/// - AWS's default selector (which hashicorp/aws stores though no block asks for it) as no block;
/// - an empty `kms_key_id` as null, and empty operators as null;
/// - `suspend` and `tags_all` dropped (ingestion is `cloudtrail_ingestion_state`'s; this
///   provider has no default tags), `start_ingestion` at its default;
/// - `region` from the state, else from the ARN.
fn from_aws(old: &Value) -> Result<StoreModel, Diagnostics> {
    let string = |name: &str| match old.get(name).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Field::Known(s.to_owned()),
        _ => Field::Null,
    };
    let flag = |name: &str, default: bool| {
        Field::Known(old.get(name).and_then(Value::as_bool).unwrap_or(default))
    };
    let Field::Known(arn) = string("arn").or_default_value(String::new()) else {
        return Err(no_arn());
    };
    let store = StoreRef::parse(&arn).map_err(|_| no_arn())?;
    let mut selectors: Vec<SelectorModel> = match old.get("advanced_event_selector") {
        Some(Value::List(items)) => items.iter().map(selector_from_aws).collect(),
        _ => Vec::new(),
    };
    let plain: Vec<Selector> = selectors.iter().map(SelectorModel::to_selector).collect();
    if Selector::is_aws_default(&plain) {
        selectors.clear();
    }
    let tags = match old.get("tags").map(Value::concrete) {
        Some(Value::Map(m)) => Field::Known(
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect(),
        ),
        _ => Field::Null,
    };
    let timeouts = match old.get("timeouts").map(Value::concrete) {
        Some(Value::Object(t)) => Field::Known(Value::Object(t.clone())),
        _ => Field::Null,
    };
    Ok(StoreModel {
        name: string("name"),
        advanced_event_selector: Field::Known(selectors),
        multi_region_enabled: flag("multi_region_enabled", true),
        organization_enabled: flag("organization_enabled", false),
        retention_period: old
            .get("retention_period")
            .and_then(Value::as_i64)
            .map_or(Field::Null, Field::Known),
        termination_protection_enabled: flag("termination_protection_enabled", true),
        kms_key_id: string("kms_key_id"),
        billing_mode: string("billing_mode").or_default_value(EXTENDABLE.to_owned()),
        tags,
        region: string("region").or_default_value(store.region.unwrap_or_default()),
        start_ingestion: Field::Known(true),
        id: arn.as_str().into(),
        arn: arn.as_str().into(),
        status: Field::Null,
        created_timestamp: Field::Null,
        updated_timestamp: Field::Null,
        timeouts,
    })
}

fn no_arn() -> Diagnostics {
    Diagnostic::error(
        "No ARN in the source state",
        format!("The {MOVED_FROM} state names no event data store ARN, so it cannot be moved."),
    )
    .into()
}

fn selector_from_aws(v: &Value) -> SelectorModel {
    let fields = match v.get("field_selector").map(Value::concrete) {
        Some(Value::Set(items) | Value::List(items)) => items
            .iter()
            .map(|f| {
                let values = |name: &str| match f.get(name).map(Value::concrete) {
                    Some(Value::List(vs)) if !vs.is_empty() => Field::Known(
                        vs.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect(),
                    ),
                    _ => Field::Null,
                };
                FieldSelectorModel {
                    field: f
                        .get("field")
                        .and_then(Value::as_str)
                        .map_or(Field::Null, |s| s.into()),
                    equals: values("equals"),
                    starts_with: values("starts_with"),
                    ends_with: values("ends_with"),
                    not_equals: values("not_equals"),
                    not_starts_with: values("not_starts_with"),
                    not_ends_with: values("not_ends_with"),
                }
            })
            .collect(),
        _ => Vec::new(),
    };
    SelectorModel {
        name: v
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map_or(Field::Null, |s| s.into()),
        field_selector: Field::Known(Set(fields)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::model::Model;

    const ARN: &str = "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc";

    #[test]
    fn hashicorp_aws_is_recognised_by_namespace_and_type() {
        for ok in [
            "registry.terraform.io/hashicorp/aws",
            "registry.opentofu.org/hashicorp/aws",
            "mirror.example.com/hashicorp/aws",
            "hashicorp/aws",
            "aws",
            "registry.terraform.io/HashiCorp/AWS",
        ] {
            assert!(is_hashicorp_aws(ok), "{ok}");
        }
        for bad in [
            "registry.terraform.io/hashicorp/awscc",
            "registry.terraform.io/nothashicorp/aws",
            "example.com/x/hashicorp/aws",
            "",
            "cloudtrail",
        ] {
            assert!(!is_hashicorp_aws(bad), "{bad}");
        }
    }

    fn aws_state(json: &str) -> MovedState {
        MovedState {
            provider_address: "registry.terraform.io/hashicorp/aws".into(),
            type_name: MOVED_FROM.into(),
            schema_version: 0,
            json: json.as_bytes().to_vec(),
        }
    }

    /// hashicorp/aws's state of a store with no selector configured: AWS's default selector
    /// becomes no block, `kms_key_id` "" becomes null, `suspend` and `tags_all` go.
    #[test]
    fn a_default_store_moves_over_as_this_resource_writes_it() {
        let json = format!(
            r#"{{"advanced_event_selector":[{{"field_selector":[{{"ends_with":null,"equals":["Management"],"field":"eventCategory","not_ends_with":null,"not_equals":null,"not_starts_with":null,"starts_with":null}}],"name":"Default management events"}}],
            "arn":"{ARN}","billing_mode":"EXTENDABLE_RETENTION_PRICING","id":"{ARN}","kms_key_id":"",
            "multi_region_enabled":true,"name":"lake","organization_enabled":false,"region":"us-east-1",
            "retention_period":2555,"suspend":"true","tags":{{"team":"sec"}},"tags_all":{{"team":"sec","env":"prod"}},
            "termination_protection_enabled":true,"timeouts":null}}"#
        );
        let m = moved_from_aws(&aws_state(&json))
            .expect("taken")
            .expect("moved");
        assert_eq!(m.advanced_event_selector, Field::Known(Vec::new()));
        assert_eq!(m.kms_key_id, Field::Null);
        assert_eq!(m.retention_period, Field::Known(2555));
        assert_eq!(m.arn, Field::Known(ARN.to_owned()));
        assert_eq!(m.region, Field::Known("us-east-1".to_owned()));
        assert_eq!(m.start_ingestion, Field::Known(true));
        assert_eq!(
            m.tags,
            Field::Known([("team".to_owned(), "sec".to_owned())].into())
        );
        assert!(m.to_value().is_known());
        assert!(crate::resources::model::matches_schema::<StoreModel>(
            &super::super::schema()
        ));
    }

    /// An older state (no `region`, `suspend` or `billing_mode`) with selectors of its own keeps
    /// them, and takes its region from the ARN.
    #[test]
    fn an_older_state_with_selectors_moves_over() {
        let json = format!(
            r#"{{"advanced_event_selector":[{{"field_selector":[{{"equals":["Data"],"field":"eventCategory"}},{{"equals":["AWS::S3::Object"],"field":"resources.type"}}],"name":"s3"}}],
            "arn":"{ARN}","id":"{ARN}","name":"lake","retention_period":90}}"#
        );
        let m = moved_from_aws(&aws_state(&json))
            .expect("taken")
            .expect("moved");
        let Field::Known(selectors) = &m.advanced_event_selector else {
            panic!("{m:?}")
        };
        assert_eq!(selectors.len(), 1);
        assert_eq!(
            selectors[0].field_selector.known().map(|s| s.0.len()),
            Some(2)
        );
        assert_eq!(m.region, Field::Known("us-east-1".to_owned()));
        assert_eq!(m.billing_mode, Field::Known(EXTENDABLE.to_owned()));
        assert_eq!(m.multi_region_enabled, Field::Known(true));
    }

    #[test]
    fn only_hashicorp_aws_stores_of_version_0_move() {
        let mut other = aws_state("{}");
        other.type_name = "aws_cloudtrail_trail".into();
        let mut awscc = aws_state("{}");
        awscc.provider_address = "registry.terraform.io/hashicorp/awscc".into();
        for refused in [other, awscc] {
            let Some(Err(d)) = moved_from_aws(&refused) else {
                panic!("{refused:?} taken");
            };
            assert!(d.0[0].detail.contains(MOVED_FROM), "{:?}", d.0[0]);
        }
        let mut newer = aws_state("{}");
        newer.schema_version = 1;
        assert!(moved_from_aws(&newer).is_some_and(|r| r.is_err()));
        assert!(moved_from_aws(&aws_state("{}")).is_some_and(|r| r.is_err()));
    }
}
