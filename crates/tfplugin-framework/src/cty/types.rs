use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{DecodeError, MAX_DEPTH};

/// A cty type, as named in provider schemas and dynamic-value wrappers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    /// `cty.DynamicPseudoType`: the concrete type travels with the value.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn object<I: IntoIterator<Item = (&'static str, Type)>>(attrs: I) -> Type {
        Type::Object(
            attrs
                .into_iter()
                .map(|(name, ty)| (name.to_owned(), ty))
                .collect(),
        )
    }

    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    pub fn tuple(elems: Vec<Type>) -> Type {
        Type::Tuple(elems)
    }

    /// The type-constraint JSON used by go-cty, e.g. `["list","string"]`.
    pub fn to_json(&self) -> Json {
        match self {
            Type::String => Json::from("string"),
            Type::Number => Json::from("number"),
            Type::Bool => Json::from("bool"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(t) => Json::Array(vec!["list".into(), t.to_json()]),
            Type::Set(t) => Json::Array(vec!["set".into(), t.to_json()]),
            Type::Map(t) => Json::Array(vec!["map".into(), t.to_json()]),
            Type::Object(attrs) => {
                let attrs = attrs
                    .iter()
                    .map(|(name, ty)| (name.clone(), ty.to_json()))
                    .collect();
                Json::Array(vec!["object".into(), Json::Object(attrs)])
            }
            Type::Tuple(elems) => Json::Array(vec![
                "tuple".into(),
                Json::Array(elems.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// Compact JSON bytes, as expected in `Schema.Attribute.type`.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        // Display of a serde_json::Value is compact and cannot fail, unlike to_vec.
        self.to_json().to_string().into_bytes()
    }

    /// Parses go-cty type JSON. The optional third element of an object type
    /// (optional attribute names) is accepted and ignored.
    pub fn from_json(v: &Json) -> Result<Type, DecodeError> {
        parse(v, 0)
    }

    /// Parses type JSON from raw bytes (as found in a dynamic-value wrapper).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, DecodeError> {
        let v: Json = serde_json::from_slice(bytes)
            .map_err(|e| DecodeError::new(&[], format!("invalid type JSON: {e}")))?;
        Type::from_json(&v)
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Dynamic => "dynamic",
            Type::List(_) => "list",
            Type::Set(_) => "set",
            Type::Map(_) => "map",
            Type::Object(_) => "object",
            Type::Tuple(_) => "tuple",
        }
    }
}

fn err(message: impl Into<String>) -> DecodeError {
    DecodeError::new(&[], message)
}

fn parse(v: &Json, depth: usize) -> Result<Type, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(err("type JSON is nested too deeply"));
    }
    match v {
        Json::String(s) => match s.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(err(format!(
                "invalid type JSON: unknown primitive type {other:?}"
            ))),
        },
        Json::Array(items) => {
            let (kind, rest) = match items.split_first() {
                Some((Json::String(kind), rest)) => (kind.as_str(), rest),
                _ => return Err(err("invalid type JSON: array must start with a type kind")),
            };
            match (kind, rest) {
                ("list", [t]) => Ok(Type::list(parse(t, depth + 1)?)),
                ("set", [t]) => Ok(Type::set(parse(t, depth + 1)?)),
                ("map", [t]) => Ok(Type::map(parse(t, depth + 1)?)),
                ("object", [Json::Object(attrs)]) => parse_object(attrs, depth),
                ("object", [Json::Object(attrs), Json::Array(optional)]) => {
                    // Optional-attribute markers only matter for type conversion,
                    // which this codec does not do; validate their shape and drop them.
                    if optional
                        .iter()
                        .any(|name| !name.as_str().is_some_and(|n| attrs.contains_key(n)))
                    {
                        return Err(err(
                            "invalid type JSON: optional attributes must name object attributes",
                        ));
                    }
                    parse_object(attrs, depth)
                }
                ("tuple", [Json::Array(elems)]) => elems
                    .iter()
                    .map(|t| parse(t, depth + 1))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Type::Tuple),
                _ => Err(err(format!("invalid type JSON for {kind:?}"))),
            }
        }
        _ => Err(err("invalid type JSON: expected a string or an array")),
    }
}

fn parse_object(attrs: &serde_json::Map<String, Json>, depth: usize) -> Result<Type, DecodeError> {
    attrs
        .iter()
        .map(|(name, t)| Ok((name.clone(), parse(t, depth + 1)?)))
        .collect::<Result<BTreeMap<_, _>, _>>()
        .map(Type::Object)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trip() {
        let ty = Type::object([
            ("a", Type::String),
            ("b", Type::list(Type::Number)),
            ("c", Type::set(Type::Bool)),
            ("d", Type::map(Type::Dynamic)),
            ("e", Type::tuple(vec![Type::String, Type::object([])])),
        ]);
        let bytes = ty.to_json_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"["object",{"a":"string","b":["list","number"],"c":["set","bool"],"d":["map","dynamic"],"e":["tuple",["string",["object",{}]]]}]"#
        );
        assert_eq!(Type::from_json_bytes(&bytes).unwrap(), ty);
    }

    #[test]
    fn optional_attrs_ignored() {
        let v = json!(["object", {"a": "string", "b": "number"}, ["b"]]);
        assert_eq!(
            Type::from_json(&v).unwrap(),
            Type::object([("a", Type::String), ("b", Type::Number)])
        );
        let bad = json!(["object", {"a": "string"}, ["zzz"]]);
        assert!(Type::from_json(&bad).is_err());
    }

    #[test]
    fn rejects_malformed() {
        for v in [
            json!("str"),
            json!(1),
            json!(null),
            json!([]),
            json!(["list"]),
            json!(["list", "string", "string"]),
            json!(["object", ["a"]]),
            json!(["tuple", "string"]),
            json!(["frob", "string"]),
            json!({"list": "string"}),
        ] {
            assert!(Type::from_json(&v).is_err(), "{v}");
        }
        assert!(Type::from_json_bytes(b"[\"list\",").is_err());
    }

    #[test]
    fn rejects_deep_nesting() {
        let mut v = json!("string");
        for _ in 0..(MAX_DEPTH + 5) {
            v = json!(["list", v]);
        }
        assert!(Type::from_json(&v).is_err());
    }
}
