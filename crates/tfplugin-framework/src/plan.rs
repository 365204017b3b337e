//! The part of planning every resource shares, driven by what its schema declares: defaults,
//! computed attributes kept or made unknown, and replacement. `lifecycle` plans every resource
//! with it; a resource's `modify_plan` adds only what is really its own.

use crate::cty::Value;
use crate::diagnostics::{AttributePath, attr_path};
use crate::resource::PlanRequest;
use crate::schema::{PlanModifier, Schema};

/// The planned state and the attributes whose change replaces the resource, from Terraform's
/// proposed new state and the schema. A destroy (proposed state null) plans nothing.
pub fn from_schema(schema: &Schema, req: &PlanRequest) -> (Value, Vec<AttributePath>) {
    let Value::Object(mut planned) = req.proposed_new_state.clone() else {
        return (Value::Null, Vec::new());
    };
    let attributes = &schema.block.attributes;
    for a in attributes {
        if let Some(default) = &a.default {
            let value = match req.config.get(a.name) {
                Some(Value::Unknown) => Value::Unknown,
                Some(v) if !v.is_null() => v.clone(),
                _ => default.clone(),
            };
            planned.insert(a.name.to_owned(), value);
        }
    }
    let prior = &req.prior_state;
    let creating = prior.is_null();
    let mut requires_replace = Vec::new();
    if !creating {
        for a in attributes {
            for m in &a.plan_modifiers {
                if let PlanModifier::RequiresReplaceIf(rule) = m {
                    let before = prior.get(a.name).unwrap_or(&Value::Null);
                    let after = planned.get(a.name).unwrap_or(&Value::Null);
                    if rule.replaces(before, after) {
                        requires_replace.push(attr_path(&[a.name]));
                    }
                }
            }
        }
    }
    let fresh = creating || !requires_replace.is_empty();
    // Computed attributes the configuration leaves null (all of a computed-only one's): unknown
    // for a new object, else as their modifiers say.
    let unset = |name: &str| req.config.get(name).is_none_or(Value::is_null);
    for a in attributes
        .iter()
        .filter(|a| a.computed && a.default.is_none() && unset(a.name))
    {
        let keep = !fresh && a.plan_modifiers.contains(&PlanModifier::UseStateForUnknown);
        let changed = a.plan_modifiers.iter().any(|m| match m {
            PlanModifier::UnknownIfChanged(names) => {
                names.iter().any(|n| planned.get(*n) != prior.get(n))
            }
            _ => false,
        });
        let value = if keep && !changed {
            prior.get(a.name).cloned().unwrap_or(Value::Null)
        } else {
            Value::Unknown
        };
        planned.insert(a.name.to_owned(), value);
    }
    (Value::Object(planned), requires_replace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::object;
    use crate::schema::{Attribute, Block};

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("t")
                .attribute(
                    Attribute::string("key")
                        .required()
                        .requires_replace_if(|a, b| a != b),
                )
                .attribute(Attribute::bool("flag").default(Value::Bool(true)))
                .attribute(Attribute::string("kept").computed().use_state_for_unknown())
                .attribute(
                    Attribute::string("derived")
                        .computed()
                        .use_state_for_unknown()
                        .unknown_if_changed(&["flag"]),
                )
                .attribute(Attribute::string("always").computed()),
        )
    }

    fn value(key: &str, flag: Value, kept: Value) -> Value {
        object([
            ("key", Value::string(key)),
            ("flag", flag),
            ("kept", kept.clone()),
            ("derived", kept.clone()),
            ("always", kept),
        ])
    }

    fn plan(config: Value, prior: Value) -> (Value, Vec<AttributePath>) {
        let mut proposed = config.clone();
        // Terraform proposes the prior value for an unset optional+computed attribute.
        if let (Value::Object(p), Some(flag)) = (&mut proposed, prior.get("flag"))
            && config.get("flag").is_some_and(Value::is_null)
        {
            p.insert("flag".into(), flag.clone());
        }
        from_schema(
            &schema(),
            &PlanRequest {
                config,
                prior_state: prior,
                proposed_new_state: proposed,
            },
        )
    }

    #[test]
    fn a_create_gets_defaults_and_unknown_computed_values() {
        let (p, replace) = plan(value("a", Value::Null, Value::Null), Value::Null);
        assert!(replace.is_empty());
        assert_eq!(p.get("flag"), Some(&Value::Bool(true)));
        for a in ["kept", "derived", "always"] {
            assert_eq!(p.get(a), Some(&Value::Unknown), "{a}");
        }
        let (p, _) = plan(value("a", Value::Unknown, Value::Null), Value::Null);
        assert_eq!(p.get("flag"), Some(&Value::Unknown));
    }

    #[test]
    fn an_update_keeps_prior_values_unless_their_inputs_change() {
        let prior = value("a", Value::Bool(true), Value::string("old"));
        let (p, replace) = plan(value("a", Value::Null, Value::Null), prior.clone());
        assert!(replace.is_empty());
        assert_eq!(p.get("kept"), Some(&Value::string("old")));
        assert_eq!(p.get("derived"), Some(&Value::string("old")));
        assert_eq!(p.get("always"), Some(&Value::Unknown));
        let (p, _) = plan(value("a", Value::Bool(false), Value::Null), prior);
        assert_eq!(p.get("kept"), Some(&Value::string("old")));
        assert_eq!(p.get("derived"), Some(&Value::Unknown));
    }

    #[test]
    fn a_replacement_is_planned_as_new() {
        let prior = value("a", Value::Bool(true), Value::string("old"));
        let (p, replace) = plan(value("b", Value::Null, Value::Null), prior);
        assert_eq!(replace, vec![attr_path(&["key"])]);
        assert_eq!(p.get("kept"), Some(&Value::Unknown));
    }

    #[test]
    fn a_destroy_plans_nothing() {
        let (p, replace) = from_schema(
            &schema(),
            &PlanRequest {
                config: Value::Null,
                prior_state: value("a", Value::Bool(true), Value::string("x")),
                proposed_new_state: Value::Null,
            },
        );
        assert!(p.is_null() && replace.is_empty());
    }

    /// An optional and computed attribute: the configuration's value when set; unset, unknown
    /// for a new object and the prior value (its modifier) on an update.
    #[test]
    fn an_unset_optional_computed_attribute_is_unknown_only_when_new() {
        let schema = Schema::new(
            0,
            Block::new("t").attribute(
                Attribute::number("days")
                    .optional()
                    .computed()
                    .use_state_for_unknown(),
            ),
        );
        let plan = |config: Value, prior: Value| {
            // Terraform proposes the prior value for an unset optional+computed attribute.
            let proposed = match (config.get("days"), prior.get("days")) {
                (Some(Value::Null), Some(p)) => object([("days", p.clone())]),
                _ => config.clone(),
            };
            let req = PlanRequest {
                config,
                prior_state: prior,
                proposed_new_state: proposed,
            };
            from_schema(&schema, &req).0.get("days").cloned()
        };
        let unset = object([("days", Value::Null)]);
        assert_eq!(plan(unset.clone(), Value::Null), Some(Value::Unknown));
        let prior = object([("days", Value::int(90))]);
        assert_eq!(plan(unset, prior.clone()), Some(Value::int(90)));
        let set = object([("days", Value::int(30))]);
        assert_eq!(plan(set.clone(), Value::Null), Some(Value::int(30)));
        assert_eq!(plan(set, prior), Some(Value::int(30)));
    }
}
