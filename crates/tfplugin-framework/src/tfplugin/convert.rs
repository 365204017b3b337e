//! The only place that maps between tfplugin6 messages and the project's own types: schemas,
//! diagnostics, attribute paths and DynamicValue.

use crate::cty::{self, PathStep, Type, Value};
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, Severity};
use crate::schema::{Attribute, Block, IdentitySchema, Nesting, Schema};
use tfplugin_proto::tfplugin6 as pb;

pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block)),
    }
}

fn block(b: &Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.name.to_owned(),
                block: Some(block(&nb.block)),
                nesting: match nb.nesting {
                    Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                    Nesting::List => pb::schema::nested_block::NestingMode::List,
                    Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    Nesting::Map => pb::schema::nested_block::NestingMode::Map,
                } as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.to_owned(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: a.name.to_owned(),
        r#type: a.ty.to_json_bytes(),
        description: a.description.to_owned(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecated,
        nested_type: None,
        write_only: false,
        deprecation_message: String::new(),
    }
}

pub fn path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(n) => Selector::AttributeName(n.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.path.as_ref().map(path),
        })
        .collect()
}

/// Decodes a DynamicValue of type `ty`; an absent or empty one is null.
pub fn decode(v: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(v) = v else { return Ok(Value::Null) };
    let result = if !v.msgpack.is_empty() {
        cty::msgpack::decode(&v.msgpack, ty)
    } else if !v.json.is_empty() {
        cty::json::decode(&v.json, ty)
    } else {
        Ok(Value::Null)
    };
    result.map_err(|e| {
        let d = Diagnostic::error(
            format!("Invalid {what}"),
            format!(
                "The {what} sent by Terraform could not be decoded: {}",
                e.message
            ),
        );
        let d = if e.path.is_empty() {
            d
        } else {
            d.at(e.path.clone())
        };
        d.into()
    })
}

pub fn encode(v: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    cty::msgpack::encode(v, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced an invalid value",
                format!("The {what} could not be encoded; this is a bug in the provider: {e}"),
            )
            .into()
        })
}

pub fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.to_owned(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.to_owned(),
            })
            .collect(),
    }
}

/// An identity for the wire; none for a null one (a type without identity, or not known yet).
pub fn identity(
    v: &Value,
    ty: Option<&Type>,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostics> {
    match ty {
        Some(ty) if !v.is_null() => Ok(Some(pb::ResourceIdentityData {
            identity_data: Some(encode(v, ty, "identity")?),
        })),
        _ => Ok(None),
    }
}

/// An identity from the wire; null when absent.
pub fn decode_identity(
    v: Option<&pb::ResourceIdentityData>,
    ty: Option<&Type>,
) -> Result<Value, Diagnostics> {
    match (v.and_then(|i| i.identity_data.as_ref()), ty) {
        (Some(data), Some(ty)) => decode(Some(data), ty, "identity"),
        _ => Ok(Value::Null),
    }
}
