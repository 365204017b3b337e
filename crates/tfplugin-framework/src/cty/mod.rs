//! Codec for cty values, the value model of Terraform's plugin protocol.
//! `DynamicValue` payloads (config, state, plans) arrive as msgpack, and raw
//! state in `UpgradeResourceState` as JSON; both are decoded against a [`Type`].

pub mod json;
pub mod msgpack;
mod types;
mod value;

use std::fmt;

pub use types::Type;
pub use value::{Number, Value};

/// Maximum nesting of containers (list, set, map, object, tuple, dynamic
/// wrapper) accepted by the decoders and encoders. Terraform schemas are far
/// shallower; the cap exists so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 64;

/// One step of the path to the place where decoding or encoding failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// Object attribute.
    Attr(String),
    /// Map key.
    Key(String),
    /// List, set or tuple index.
    Index(i64),
}

/// Input could not be decoded as a value of the requested type.
///
/// `path` locates the failure, e.g. `[Attr("timeouts"), Attr("create")]`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(.path, .message))]
pub struct DecodeError {
    pub path: Vec<PathStep>,
    pub message: String,
}

/// A value does not conform to the type it was to be encoded as.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", render(.path, .message))]
pub struct EncodeError {
    pub path: Vec<PathStep>,
    pub message: String,
}

impl DecodeError {
    pub fn new(path: &[PathStep], message: impl Into<String>) -> Self {
        Self {
            path: path.to_vec(),
            message: message.into(),
        }
    }
}

impl EncodeError {
    pub fn new(path: &[PathStep], message: impl Into<String>) -> Self {
        Self {
            path: path.to_vec(),
            message: message.into(),
        }
    }
}

/// Renders a path the way a user would write it in HCL: `a.b["k"][0]`.
pub fn format_path(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Attr(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            PathStep::Key(key) => {
                out.push('[');
                // Debug formatting quotes and escapes the key.
                out.push_str(&format!("{key:?}"));
                out.push(']');
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn render(path: &[PathStep], message: &str) -> impl fmt::Display {
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{}: {message}", format_path(path))
    }
}

/// Shared fixtures for the codec tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::{Number, Type, Value};
    use std::collections::BTreeMap;

    pub fn rich_type() -> Type {
        Type::object([
            ("name", Type::String),
            ("small", Type::Number),
            ("negative", Type::Number),
            ("max", Type::Number),
            ("min", Type::Number),
            ("float", Type::Number),
            ("big", Type::Number),
            ("tiny", Type::Number),
            ("enabled", Type::Bool),
            ("disabled", Type::Bool),
            ("tags", Type::map(Type::String)),
            ("ids", Type::set(Type::String)),
            ("ports", Type::list(Type::Number)),
            ("pair", Type::Tuple(vec![Type::String, Type::Bool])),
            (
                "rules",
                Type::list(Type::object([
                    ("id", Type::String),
                    ("weight", Type::Number),
                    ("labels", Type::map(Type::list(Type::String))),
                ])),
            ),
            (
                "timeouts",
                Type::object([("create", Type::String), ("delete", Type::String)]),
            ),
            ("null_str", Type::String),
            ("null_list", Type::list(Type::String)),
            ("null_obj", Type::object([("x", Type::Number)])),
            ("anything", Type::Dynamic),
            ("anything_list", Type::Dynamic),
            ("null_dynamic", Type::Dynamic),
            ("empty_list", Type::list(Type::Bool)),
            ("empty_map", Type::map(Type::Number)),
            ("unicode", Type::String),
        ])
    }

    fn obj<const N: usize>(attrs: [(&str, Value); N]) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    fn num(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    /// Fully known value of [`rich_type`], representable in both msgpack and JSON.
    pub fn rich_known() -> Value {
        obj([
            ("name", Value::string("trail")),
            ("small", num(7)),
            ("negative", num(-42)),
            ("max", num(i64::MAX)),
            ("min", num(i64::MIN)),
            ("float", Value::Number(Number::Float(1.5))),
            (
                "big",
                Value::Number(Number::Decimal("123456789012345678901234567890".into())),
            ),
            ("tiny", Value::Number(Number::Decimal("0.1".into()))),
            ("enabled", Value::Bool(true)),
            ("disabled", Value::Bool(false)),
            (
                "tags",
                Value::Map(BTreeMap::from([
                    ("env".to_owned(), Value::string("prod")),
                    ("team".to_owned(), Value::Null),
                ])),
            ),
            (
                "ids",
                Value::Set(vec![Value::string("b"), Value::string("a")]),
            ),
            ("ports", Value::List(vec![num(80), num(443), Value::Null])),
            (
                "pair",
                Value::Tuple(vec![Value::string("p"), Value::Bool(true)]),
            ),
            (
                "rules",
                Value::List(vec![
                    obj([
                        ("id", Value::string("r1")),
                        ("weight", Value::Number(Number::Float(-0.25))),
                        (
                            "labels",
                            Value::Map(BTreeMap::from([(
                                "k".to_owned(),
                                Value::List(vec![Value::string("v1"), Value::Null]),
                            )])),
                        ),
                    ]),
                    obj([
                        ("id", Value::Null),
                        ("weight", Value::Null),
                        ("labels", Value::Null),
                    ]),
                ]),
            ),
            (
                "timeouts",
                obj([("create", Value::string("10m")), ("delete", Value::Null)]),
            ),
            ("null_str", Value::Null),
            ("null_list", Value::Null),
            ("null_obj", Value::Null),
            (
                "anything",
                Value::Dynamic(
                    Type::object([("k", Type::String)]),
                    Box::new(obj([("k", Value::string("v"))])),
                ),
            ),
            (
                "anything_list",
                Value::Dynamic(
                    Type::list(Type::Number),
                    Box::new(Value::List(vec![num(1), num(2)])),
                ),
            ),
            ("null_dynamic", Value::Null),
            ("empty_list", Value::List(vec![])),
            ("empty_map", Value::Map(BTreeMap::new())),
            (
                "unicode",
                Value::string("héllo \u{1F600} \"q\" \\ \n\t\u{1}"),
            ),
        ])
    }

    /// [`rich_known`] with unknowns placed at several depths (msgpack only).
    pub fn rich_with_unknowns() -> Value {
        let mut v = rich_known();
        if let Value::Object(attrs) = &mut v {
            attrs.insert("name".into(), Value::Unknown);
            attrs.insert("null_obj".into(), Value::Unknown);
            attrs.insert("null_dynamic".into(), Value::Unknown);
            attrs.insert("ports".into(), Value::List(vec![num(1), Value::Unknown]));
            attrs.insert(
                "timeouts".into(),
                obj([("create", Value::Unknown), ("delete", Value::string("5m"))]),
            );
            attrs.insert(
                "anything_list".into(),
                Value::Dynamic(Type::list(Type::Number), Box::new(Value::Unknown)),
            );
            attrs.insert(
                "rules".into(),
                Value::List(vec![obj([
                    ("id", Value::string("r")),
                    ("weight", Value::Unknown),
                    (
                        "labels",
                        Value::Map(BTreeMap::from([(
                            "k".to_owned(),
                            Value::List(vec![Value::Unknown]),
                        )])),
                    ),
                ])]),
            );
        }
        v
    }

    /// Deterministic pseudo-random bytes; avoids a dev-dependency on `rand`.
    pub struct XorShift(pub u64);

    impl XorShift {
        pub fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        pub fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| (self.next_u64() >> 24) as u8).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_includes_path() {
        let err = DecodeError::new(
            &[
                PathStep::Attr("rules".into()),
                PathStep::Index(2),
                PathStep::Attr("tags".into()),
                PathStep::Key("env".into()),
            ],
            "a string is required",
        );
        assert_eq!(
            err.to_string(),
            "rules[2].tags[\"env\"]: a string is required"
        );
        let err = EncodeError::new(&[], "boom");
        assert_eq!(err.to_string(), "boom");
    }
}
