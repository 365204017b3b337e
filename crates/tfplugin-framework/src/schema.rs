//! Declarative schemas: attributes and nested blocks with their types, flags and Markdown
//! descriptions, written once in code. The protocol layer turns them into tfplugin6 schemas, the
//! codec derives value types from them, and the docs are generated from the same descriptions.
//! Attributes also declare how they plan (defaults, prior values kept, replacement rules), so
//! `plan` applies them for every resource alike.

use std::collections::BTreeMap;

use crate::cty::{PathStep, Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics};

#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: &'static str,
    pub deprecated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub deprecated: bool,
    /// The value an optional, computed attribute takes when the configuration leaves it unset.
    pub default: Option<Value>,
    pub plan_modifiers: Vec<PlanModifier>,
    /// Rules a known value must keep; the framework checks them before the type's own `validate`.
    pub checks: Vec<Check>,
}

/// A rule that one attribute's value keeps, given where it is (as a person writes the path, e.g.
/// `assume_role[1].role_arn`) and its known, non-null value. A refusal names the attribute, the
/// value and the rule; the framework attaches the attribute's path.
#[derive(Clone, Copy)]
pub enum Check {
    /// The whole value.
    Value(fn(shown: &str, value: &Value) -> Result<(), Refusal>),
    /// Each element of a list or set (each refused element is one error).
    Each(fn(shown: &str, element: &Value) -> Result<(), Refusal>),
}

/// Why a value breaks an attribute's rule: a diagnostic's summary and detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub summary: String,
    pub detail: String,
}

impl Refusal {
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Refusal {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Check")
    }
}

impl PartialEq for Check {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Check::Value(a), Check::Value(b)) | (Check::Each(a), Check::Each(b)) => {
                std::ptr::fn_addr_eq(*a, *b)
            }
            _ => false,
        }
    }
}

/// How a computed attribute, or a change of an attribute, plans (terraform-plugin-framework's
/// plan modifiers, for the cases this provider has).
#[derive(Debug, Clone, PartialEq)]
pub enum PlanModifier {
    /// A computed attribute keeps its prior value, unless the resource is replaced
    /// (the framework's `UseStateForUnknown`).
    UseStateForUnknown,
    /// A computed attribute is unknown in the plan when one of these attributes changes: the
    /// apply computes it anew.
    UnknownIfChanged(&'static [&'static str]),
    /// A change of this attribute replaces the resource when the rule says so.
    RequiresReplaceIf(ReplaceRule),
}

/// `rule(prior, planned)`: whether going from the prior to the planned value replaces the resource.
#[derive(Clone, Copy)]
pub struct ReplaceRule(pub fn(&Value, &Value) -> bool);

impl ReplaceRule {
    pub fn replaces(&self, prior: &Value, planned: &Value) -> bool {
        (self.0)(prior, planned)
    }
}

impl std::fmt::Debug for ReplaceRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplaceRule")
    }
}

impl PartialEq for ReplaceRule {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

/// A managed resource type's identity (Terraform ≥ 1.12, OpenTofu ≥ 1.12): the few attributes
/// that name one remote object for the life of that object, and import it.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdentityAttribute {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    pub required_for_import: bool,
    pub optional_for_import: bool,
}

impl IdentitySchema {
    /// Version 0 with one attribute, required for import: the common case (an ARN, an ID).
    pub fn single(name: &'static str, ty: Type, description: &'static str) -> Self {
        IdentitySchema {
            version: 0,
            attributes: vec![IdentityAttribute {
                name,
                ty,
                description,
                required_for_import: true,
                optional_for_import: false,
            }],
        }
    }

    /// The identity's cty type: an object of its attributes.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.to_owned(), a.ty.clone()))
                .collect(),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    pub name: &'static str,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl Attribute {
    fn new(name: &'static str, ty: Type) -> Self {
        Attribute {
            name,
            ty,
            description: "",
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            deprecated: false,
            default: None,
            plan_modifiers: Vec::new(),
            checks: Vec::new(),
        }
    }
    pub fn string(name: &'static str) -> Self {
        Self::new(name, Type::String)
    }
    pub fn bool(name: &'static str) -> Self {
        Self::new(name, Type::Bool)
    }
    pub fn number(name: &'static str) -> Self {
        Self::new(name, Type::Number)
    }
    pub fn typed(name: &'static str, ty: Type) -> Self {
        Self::new(name, ty)
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }
    pub fn description(mut self, text: &'static str) -> Self {
        self.description = text;
        self
    }
    /// Optional and computed, `value` when unset.
    pub fn default(mut self, value: Value) -> Self {
        self.optional = true;
        self.computed = true;
        self.default = Some(value);
        self
    }
    pub fn use_state_for_unknown(mut self) -> Self {
        self.plan_modifiers.push(PlanModifier::UseStateForUnknown);
        self
    }
    pub fn unknown_if_changed(mut self, attributes: &'static [&'static str]) -> Self {
        self.plan_modifiers
            .push(PlanModifier::UnknownIfChanged(attributes));
        self
    }
    pub fn requires_replace_if(mut self, rule: fn(&Value, &Value) -> bool) -> Self {
        self.plan_modifiers
            .push(PlanModifier::RequiresReplaceIf(ReplaceRule(rule)));
        self
    }
    /// A rule the known value keeps (`Check::Value`).
    pub fn check(mut self, rule: fn(&str, &Value) -> Result<(), Refusal>) -> Self {
        self.checks.push(Check::Value(rule));
        self
    }
    /// A rule each element of the known list or set keeps (`Check::Each`).
    pub fn check_each(mut self, rule: fn(&str, &Value) -> Result<(), Refusal>) -> Self {
        self.checks.push(Check::Each(rule));
        self
    }
}

impl Block {
    pub fn new(description: &'static str) -> Self {
        Block {
            description,
            ..Block::default()
        }
    }
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }
    pub fn block(mut self, name: &'static str, nesting: Nesting, block: Block) -> Self {
        // Terraform requires min_items == max_items for single blocks; 0/0 means optional.
        self.blocks.push(NestedBlock {
            name,
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        });
        self
    }

    /// The cty type of a value of this block: an object with one attribute per attribute and
    /// nested block (single blocks are objects, list/set/map blocks collections of objects).
    pub fn value_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.to_owned(), a.ty.clone());
        }
        for b in &self.blocks {
            let inner = b.block.value_type();
            let ty = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::List(Box::new(inner)),
                Nesting::Set => Type::Set(Box::new(inner)),
                Nesting::Map => Type::Map(Box::new(inner)),
            };
            attrs.insert(b.name.to_owned(), ty);
        }
        Type::Object(attrs)
    }

    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Every attribute's declared checks on a value of this block, nested blocks included, each
    /// refusal an error at its attribute. Null and unknown values are not checked (validation
    /// runs again when they are known).
    pub fn check(&self, value: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        self.check_at(value, &mut Vec::new(), &mut diags);
        diags
    }

    fn check_at(&self, value: &Value, path: &mut Vec<PathStep>, diags: &mut Diagnostics) {
        let Value::Object(attrs) = value.concrete() else {
            return;
        };
        for a in self.attributes.iter().filter(|a| !a.checks.is_empty()) {
            let Some(v) = attrs.get(a.name).map(Value::concrete) else {
                continue;
            };
            if v.is_null() || v.is_unknown() {
                continue;
            }
            path.push(PathStep::Attr(a.name.to_owned()));
            let shown = crate::cty::format_path(path);
            for check in &a.checks {
                let refusals: Vec<Refusal> = match (check, v) {
                    (Check::Value(rule), _) => rule(&shown, v).err().into_iter().collect(),
                    (Check::Each(rule), Value::List(items) | Value::Set(items)) => items
                        .iter()
                        .filter(|e| e.is_known() && !e.is_null())
                        .filter_map(|e| rule(&shown, e).err())
                        .collect(),
                    (Check::Each(_), _) => Vec::new(),
                };
                for r in refusals {
                    diags.push(Diagnostic::error(r.summary, r.detail).at(path.clone()));
                }
            }
            path.pop();
        }
        for b in &self.blocks {
            let Some(v) = attrs.get(b.name) else {
                continue;
            };
            path.push(PathStep::Attr(b.name.to_owned()));
            match (b.nesting, v.concrete()) {
                (Nesting::Single, v) => b.block.check_at(v, path, diags),
                (_, Value::List(items) | Value::Set(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        path.push(PathStep::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                        b.block.check_at(item, path, diags);
                        path.pop();
                    }
                }
                (_, Value::Map(items)) => {
                    for (k, item) in items {
                        path.push(PathStep::Key(k.clone()));
                        b.block.check_at(item, path, diags);
                        path.pop();
                    }
                }
                _ => {}
            }
            path.pop();
        }
    }
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_type_includes_blocks_by_nesting() {
        let schema = Schema::new(
            0,
            Block::new("x")
                .attribute(Attribute::string("a").required())
                .block(
                    "t",
                    Nesting::Single,
                    Block::new("").attribute(Attribute::string("c").optional()),
                )
                .block(
                    "l",
                    Nesting::List,
                    Block::new("").attribute(Attribute::bool("b").optional()),
                ),
        );
        let ty = schema.value_type();
        let Type::Object(attrs) = ty else {
            panic!("object expected")
        };
        assert_eq!(attrs.get("a"), Some(&Type::String));
        assert!(matches!(attrs.get("t"), Some(Type::Object(_))));
        assert!(matches!(attrs.get("l"), Some(Type::List(_))));
        let single = &schema.block.blocks[0];
        assert_eq!(single.min_items, single.max_items);
    }

    fn short(shown: &str, v: &Value) -> Result<(), Refusal> {
        match v.as_str() {
            Some(t) if t.len() > 3 => Err(Refusal::new("Too long", format!("{shown}: {t:?}"))),
            _ => Ok(()),
        }
    }

    /// Declared checks run on known values only, at every depth, each refusal at its path.
    #[test]
    fn declared_checks_refuse_at_their_paths() {
        let block = Block::new("x")
            .attribute(Attribute::string("a").optional().check(short))
            .attribute(
                Attribute::typed("s", Type::set(Type::String))
                    .optional()
                    .check_each(short),
            )
            .block(
                "l",
                Nesting::List,
                Block::new("").attribute(Attribute::string("c").optional().check(short)),
            );
        let value = Value::Object(
            [
                ("a".to_owned(), Value::string("long")),
                (
                    "s".to_owned(),
                    Value::Set(vec![
                        Value::string("ok"),
                        Value::string("long"),
                        Value::Unknown,
                        Value::string("longer"),
                    ]),
                ),
                (
                    "l".to_owned(),
                    Value::List(vec![
                        Value::Object([("c".to_owned(), Value::Unknown)].into()),
                        Value::Object([("c".to_owned(), Value::string("long"))].into()),
                    ]),
                ),
            ]
            .into(),
        );
        let details: Vec<String> = block
            .check(&value)
            .iter()
            .map(|d| d.detail.clone())
            .collect();
        assert_eq!(
            details,
            [
                "a: \"long\"",
                "s: \"long\"",
                "s: \"longer\"",
                "l[1].c: \"long\""
            ]
        );
        let paths: Vec<String> = block
            .check(&value)
            .iter()
            .map(|d| crate::cty::format_path(d.path.as_deref().unwrap_or_default()))
            .collect();
        assert_eq!(paths, ["a", "s", "s", "l[1].c"]);
        let unknown = Value::Object([("a".to_owned(), Value::Unknown)].into());
        assert!(block.check(&unknown).is_empty());
    }
}
