//! Typed models of resource and data source values: one struct per schema, converted to and from
//! `cty::Value` in one place (the `model!` macro), so operations read and write fields instead of
//! looking attributes up by name. A field is `Field<T>`: null, unknown (plans only) or known.

use std::collections::BTreeMap;

use crate::cty::{Number, Type, Value};
use crate::schema::{Block, Nesting};

/// An attribute's value as a plan or a state holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Field<T> {
    #[default]
    Null,
    Unknown,
    Known(T),
}

impl<T> Field<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Field::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    /// Known values as they are, null as `default`; unknown stays unknown.
    pub fn or_default_value(self, default: T) -> Field<T> {
        match self {
            Field::Null => Field::Known(default),
            other => other,
        }
    }
}

impl<T: Clone> Field<T> {
    pub fn known_or(&self, default: T) -> T {
        self.known().cloned().unwrap_or(default)
    }
}

impl<T> From<T> for Field<T> {
    fn from(v: T) -> Self {
        Field::Known(v)
    }
}

impl From<&str> for Field<String> {
    fn from(v: &str) -> Self {
        Field::Known(v.to_owned())
    }
}

/// A wholly known value of one cty type. A value of another type (which the codec, checking
/// against the schema, never lets through) reads as null.
pub trait Convert: Sized {
    fn from_known(v: &Value) -> Option<Self>;
    fn to_known(&self) -> Value;
    /// The cty type this converts, where it is one type (a kept `Value` takes any).
    fn cty_type() -> Option<Type>;
    /// Whether this reads and writes a nested block of this nesting and shape (a model is a
    /// single block, a `Vec` of models a list block, and so on).
    fn nested(_nesting: Nesting, _block: &Block) -> bool {
        false
    }
}

/// A scalar: its cty type, how a known value of it is read, how it is written.
macro_rules! scalar {
    ($t:ty, $cty:expr, $read:expr, $write:expr) => {
        impl Convert for $t {
            fn from_known(v: &Value) -> Option<Self> {
                ($read)(v)
            }
            fn to_known(&self) -> Value {
                ($write)(self)
            }
            fn cty_type() -> Option<Type> {
                Some($cty)
            }
        }
    };
}

scalar!(
    String,
    Type::String,
    |v: &Value| v.as_str().map(str::to_owned),
    |s: &String| Value::string(s)
);
scalar!(bool, Type::Bool, Value::as_bool, |b: &bool| Value::Bool(*b));
scalar!(i64, Type::Number, Value::as_i64, |n: &i64| Value::Number(
    Number::Int(*n)
));

/// A value kept as it is (a block that a helper such as `Timeouts` reads).
impl Convert for Value {
    fn from_known(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
    fn to_known(&self) -> Value {
        self.clone()
    }
    fn cty_type() -> Option<Type> {
        None
    }
    fn nested(_nesting: Nesting, _block: &Block) -> bool {
        true
    }
}

impl<T: Convert> Convert for Vec<T> {
    fn from_known(v: &Value) -> Option<Self> {
        match v.concrete() {
            Value::List(items) | Value::Set(items) => items.iter().map(T::from_known).collect(),
            _ => None,
        }
    }
    fn to_known(&self) -> Value {
        Value::List(self.iter().map(Convert::to_known).collect())
    }
    /// A list: a set attribute needs a type of its own, or it would be written back as a list.
    fn cty_type() -> Option<Type> {
        T::cty_type().map(|t| Type::List(Box::new(t)))
    }
    fn nested(nesting: Nesting, block: &Block) -> bool {
        nesting == Nesting::List && T::nested(Nesting::Single, block)
    }
}

/// A cty set, its elements in the order received (Terraform compares sets as sets).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Set<T>(pub Vec<T>);

impl<T: Convert> Convert for Set<T> {
    fn from_known(v: &Value) -> Option<Self> {
        match v.concrete() {
            Value::Set(items) => items
                .iter()
                .map(T::from_known)
                .collect::<Option<_>>()
                .map(Set),
            _ => None,
        }
    }
    fn to_known(&self) -> Value {
        Value::Set(self.0.iter().map(Convert::to_known).collect())
    }
    fn cty_type() -> Option<Type> {
        T::cty_type().map(|t| Type::Set(Box::new(t)))
    }
    fn nested(nesting: Nesting, block: &Block) -> bool {
        nesting == Nesting::Set && T::nested(Nesting::Single, block)
    }
}

/// A cty map with string keys.
impl<T: Convert> Convert for BTreeMap<String, T> {
    fn from_known(v: &Value) -> Option<Self> {
        match v.concrete() {
            Value::Map(items) => items
                .iter()
                .map(|(k, v)| T::from_known(v).map(|v| (k.clone(), v)))
                .collect(),
            _ => None,
        }
    }
    fn to_known(&self) -> Value {
        Value::Map(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_known()))
                .collect(),
        )
    }
    fn cty_type() -> Option<Type> {
        T::cty_type().map(|t| Type::Map(Box::new(t)))
    }
    fn nested(nesting: Nesting, block: &Block) -> bool {
        nesting == Nesting::Map && T::nested(Nesting::Single, block)
    }
}

impl<T: Convert> Field<T> {
    pub fn from_value(v: &Value) -> Self {
        match v.concrete() {
            Value::Null => Field::Null,
            Value::Unknown => Field::Unknown,
            known => T::from_known(known).map_or(Field::Null, Field::Known),
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Field::Null => Value::Null,
            Field::Unknown => Value::Unknown,
            Field::Known(v) => v.to_known(),
        }
    }
}

/// Whether a field reads a nested block of this nesting and shape ([`Convert::nested`]).
pub type NestedCheck = fn(Nesting, &Block) -> bool;

/// A struct whose fields are a schema's attributes and blocks, by name.
pub trait Model: Sized + Default {
    /// The attribute and block names, in declaration order.
    const ATTRIBUTES: &'static [&'static str];
    /// Each field's name and cty type, where it has one type.
    fn field_types() -> Vec<(&'static str, Option<Type>)>;
    /// Each field's name and whether it reads a nested block of a nesting and shape.
    fn field_blocks() -> Vec<(&'static str, NestedCheck)>;
    fn from_object(attrs: &BTreeMap<String, Value>) -> Self;
    fn to_object(&self) -> BTreeMap<String, Value>;

    /// The model of an object value; null (a destroy, no prior state) reads as all null.
    fn from_value(v: &Value) -> Self {
        match v.concrete() {
            Value::Object(attrs) => Self::from_object(attrs),
            _ => Self::default(),
        }
    }

    fn to_value(&self) -> Value {
        Value::Object(self.to_object())
    }
}

/// A nested single block is a model too.
impl<M: Model> Convert for M {
    fn from_known(v: &Value) -> Option<Self> {
        match v.concrete() {
            Value::Object(attrs) => Some(M::from_object(attrs)),
            _ => None,
        }
    }
    fn to_known(&self) -> Value {
        self.to_value()
    }
    fn cty_type() -> Option<Type> {
        None
    }
    fn nested(nesting: Nesting, block: &Block) -> bool {
        nesting == Nesting::Single && matches_block::<M>(block)
    }
}

/// Declares a model struct whose fields are `Field<T>`s named as the schema's attributes. Used
/// as `model::model!` (exported at the crate root under a hidden name).
#[doc(hidden)]
#[macro_export]
macro_rules! __model {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident: Field<$ty:ty>),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $crate::model::Field<$ty>),*
        }

        impl $crate::model::Model for $name {
            const ATTRIBUTES: &'static [&'static str] = &[$(stringify!($field)),*];

            fn field_types() -> Vec<(&'static str, Option<$crate::cty::Type>)> {
                vec![$((stringify!($field), <$ty as $crate::model::Convert>::cty_type())),*]
            }

            fn field_blocks() -> Vec<(&'static str, $crate::model::NestedCheck)> {
                vec![$((
                    stringify!($field),
                    <$ty as $crate::model::Convert>::nested as $crate::model::NestedCheck,
                )),*]
            }

            // A block of no attributes reads nothing.
            #[allow(unused_variables)]
            fn from_object(
                attrs: &std::collections::BTreeMap<String, $crate::cty::Value>,
            ) -> Self {
                let null = $crate::cty::Value::Null;
                $name {
                    $($field: $crate::model::Field::from_value(
                        attrs.get(stringify!($field)).unwrap_or(&null),
                    )),*
                }
            }

            fn to_object(&self) -> std::collections::BTreeMap<String, $crate::cty::Value> {
                [$((stringify!($field).to_owned(), self.$field.to_value())),*]
                    .into_iter()
                    .collect()
            }
        }
    };
}
pub use crate::__model as model;

/// Whether a model names exactly the schema's attributes and blocks, each attribute's field of
/// its type and each nested block's field of its nesting and shape, all the way down
/// (`Registry::check` holds every type to this, so a model cannot drift from its schema, nor read
/// a value as null because it expected another type).
pub fn matches_schema<M: Model>(schema: &crate::schema::Schema) -> bool {
    matches_block::<M>(&schema.block)
}

/// [`matches_schema`] for one block.
pub fn matches_block<M: Model>(block: &Block) -> bool {
    let types = M::field_types();
    let typed_right = block.attributes.iter().all(|a| {
        types
            .iter()
            .all(|(name, ty)| *name != a.name || ty.as_ref().is_none_or(|t| *t == a.ty))
    });
    let blocks = M::field_blocks();
    let nested_right = block.blocks.iter().all(|b| {
        blocks
            .iter()
            .all(|(name, nested)| *name != b.name || nested(b.nesting, &b.block))
    });
    let mut names: Vec<&str> = block
        .attributes
        .iter()
        .map(|a| a.name)
        .chain(block.blocks.iter().map(|b| b.name))
        .collect();
    let mut fields = M::ATTRIBUTES.to_vec();
    names.sort_unstable();
    fields.sort_unstable();
    typed_right && nested_right && names == fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::object;

    model! {
        /// A model with one field of each kind.
        pub struct Thing {
            pub name: Field<String>, pub enabled: Field<bool>, pub days: Field<i64>,
            pub tags: Field<Vec<String>>, pub timeouts: Field<Value>, pub arn: Field<String>,
        }
    }

    #[test]
    fn a_model_round_trips_every_kind_of_field() {
        let m = Thing {
            name: "x".into(),
            enabled: Field::Unknown,
            days: Field::Known(7),
            tags: Field::Known(vec!["Management".into()]),
            ..Thing::default()
        };
        let v = m.to_value();
        assert_eq!(v.get("enabled"), Some(&Value::Unknown));
        assert_eq!(v.get("arn"), Some(&Value::Null));
        assert_eq!(Thing::from_value(&v), m);
        assert_eq!(Thing::from_value(&Value::Null), Thing::default());
        let block = object([("create", Value::string("3s"))]);
        let with_block = Thing {
            timeouts: Field::Known(block.clone()),
            ..Thing::default()
        };
        assert_eq!(with_block.to_value().get("timeouts"), Some(&block));
        assert_eq!(Thing::ATTRIBUTES[0], "name");
    }

    #[test]
    fn a_model_matches_a_schema_by_names_and_types() {
        use crate::schema::{Attribute, Block, Schema};
        let schema = |tags: Type| {
            Schema::new(
                0,
                Block::new("t")
                    .attribute(Attribute::string("name").required())
                    .attribute(Attribute::bool("enabled").optional())
                    .attribute(Attribute::number("days").optional())
                    .attribute(Attribute::typed("tags", tags).optional())
                    .attribute(Attribute::typed("timeouts", Type::Dynamic).optional())
                    .attribute(Attribute::string("arn").computed()),
            )
        };
        assert!(matches_schema::<Thing>(&schema(Type::list(Type::String))));
        // A list field would write a set attribute back as a list.
        assert!(!matches_schema::<Thing>(&schema(Type::set(Type::String))));
        assert!(!matches_schema::<Thing>(&schema(Type::list(Type::Bool))));
    }

    model! {
        /// A nested block's model.
        pub struct Part {
            pub keys: Field<Set<String>>, pub labels: Field<BTreeMap<String, String>>,
        }
    }

    model! {
        /// A model with a list block and a single block of `Part`.
        pub struct Whole {
            pub parts: Field<Vec<Part>>, pub main: Field<Part>,
        }
    }

    fn part_block() -> crate::schema::Block {
        use crate::schema::Attribute;
        Block::new("p")
            .attribute(Attribute::typed("keys", Type::set(Type::String)).optional())
            .attribute(Attribute::typed("labels", Type::map(Type::String)).optional())
    }

    #[test]
    fn sets_maps_and_nested_blocks_round_trip() {
        let part = Part {
            keys: Field::Known(Set(vec!["a".into(), "b".into()])),
            labels: Field::Known([("k".to_owned(), "v".to_owned())].into()),
        };
        let whole = Whole {
            parts: Field::Known(vec![part.clone(), Part::default()]),
            main: Field::Known(part),
        };
        let v = whole.to_value();
        let Some(Value::List(parts)) = v.get("parts") else {
            panic!("{v:?}")
        };
        assert!(matches!(parts[0].get("keys"), Some(Value::Set(k)) if k.len() == 2));
        assert!(matches!(parts[0].get("labels"), Some(Value::Map(_))));
        assert_eq!(Whole::from_value(&v), whole);
    }

    #[test]
    fn nested_blocks_match_by_nesting_and_shape() {
        use crate::schema::{Attribute, Schema};
        let schema = |parts: Nesting, inner: Block| {
            Schema::new(
                0,
                Block::new("w").block("parts", parts, inner).block(
                    "main",
                    Nesting::Single,
                    part_block(),
                ),
            )
        };
        assert!(matches_schema::<Whole>(&schema(
            Nesting::List,
            part_block()
        )));
        // A list field on a set block, or a block whose attributes drifted, is refused.
        assert!(!matches_schema::<Whole>(&schema(
            Nesting::Set,
            part_block()
        )));
        let drifted = part_block().attribute(Attribute::string("extra").optional());
        assert!(!matches_schema::<Whole>(&schema(Nesting::List, drifted)));
        let retyped = Block::new("p")
            .attribute(Attribute::typed("keys", Type::list(Type::String)).optional())
            .attribute(Attribute::typed("labels", Type::map(Type::String)).optional());
        assert!(!matches_schema::<Whole>(&schema(Nesting::List, retyped)));
    }
}
