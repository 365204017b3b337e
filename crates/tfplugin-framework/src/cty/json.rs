//! JSON form of cty values, as in `RawState.json` of `UpgradeResourceState`
//! and `DynamicValue.json`.
//!
//! Decoding is lenient the way state upgrades need: object attributes missing
//! from the JSON are null and attributes unknown to the type are ignored,
//! since stored state may come from an older schema. Primitive values are
//! converted as go-cty does (a number or bool may stand in for a string, and
//! strings may hold numbers and bools). Unknown values cannot be represented.
//!
//! A small parser is used instead of `serde_json::Value` because the latter
//! rounds large or precise numbers to `f64`, which would alter stored state.

use std::collections::BTreeMap;

use super::{DecodeError, EncodeError, MAX_DEPTH, Number, PathStep, Type, Value};

/// Every dynamic wrapper adds an object level to the JSON, so the syntax
/// limit is twice the value limit; the typed walk enforces the real one.
const MAX_JSON_DEPTH: usize = 2 * MAX_DEPTH + 2;

/// Decodes JSON as a value of type `ty`. An empty input is a null value.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let doc = Parser { buf: bytes, pos: 0 }.document()?;
    Walker { path: Vec::new() }.value(&doc, ty, 0)
}

/// Encodes `value` as JSON of type `ty`. Unknown values are an error.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder {
        out: String::new(),
        path: Vec::new(),
    };
    e.value(value, ty, 0)?;
    Ok(e.out.into_bytes())
}

/// Syntax tree that keeps number text exactly as written.
#[derive(Debug)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    /// For type JSON inside dynamic wrappers; numbers never occur in valid
    /// type JSON, so they become null and fail type parsing.
    fn to_serde(&self) -> serde_json::Value {
        match self {
            Json::Null | Json::Number(_) => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_serde).collect())
            }
            Json::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> DecodeError {
        DecodeError::new(&[], format!("invalid JSON at byte {}: {message}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<u8, DecodeError> {
        let b = self
            .peek()
            .ok_or_else(|| self.err("unexpected end of input"))?;
        self.pos += 1;
        Ok(b)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_byte(&mut self, want: u8) -> Result<(), DecodeError> {
        self.skip_ws();
        if self.peek() == Some(want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", char::from(want))))
        }
    }

    fn document(mut self) -> Result<Json, DecodeError> {
        let v = self.value(0)?;
        self.skip_ws();
        if self.pos != self.buf.len() {
            return Err(self.err("unexpected trailing data"));
        }
        Ok(v)
    }

    fn value(&mut self, depth: usize) -> Result<Json, DecodeError> {
        self.skip_ws();
        match self.peek() {
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Json::Number),
            Some(b'[') => {
                self.enter(depth)?;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.next()? {
                        b',' => {}
                        b']' => return Ok(Json::Array(items)),
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.enter(depth)?;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(entries));
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected an object key"));
                    }
                    let key = self.string()?;
                    self.expect_byte(b':')?;
                    entries.push((key, self.value(depth + 1)?));
                    self.skip_ws();
                    match self.next()? {
                        b',' => {}
                        b'}' => return Ok(Json::Object(entries)),
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            Some(_) => Err(self.err("unexpected character")),
            None => Err(self.err("unexpected end of input")),
        }
    }

    /// Consumes the opening bracket after checking the nesting limit.
    fn enter(&mut self, depth: usize) -> Result<(), DecodeError> {
        if depth >= MAX_JSON_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        self.pos += 1;
        Ok(())
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, DecodeError> {
        let end = self.pos + word.len();
        if self.buf.get(self.pos..end) == Some(word.as_bytes()) {
            self.pos = end;
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Validates RFC 8259 number syntax and returns the text unchanged.
    fn number(&mut self) -> Result<String, DecodeError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        let text = self.buf.get(start..self.pos).unwrap_or_default();
        // The scanned bytes are all ASCII.
        Ok(String::from_utf8_lossy(text).into_owned())
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let mut v = 0;
        for _ in 0..4 {
            let b = self.next()?;
            let d = char::from(b)
                .to_digit(16)
                .ok_or_else(|| self.err("invalid \\u escape"))?;
            v = v * 16 + d;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        self.pos += 1; // opening quote
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => break,
                b'\\' => match self.next()? {
                    b'"' => out.push(b'"'),
                    b'\\' => out.push(b'\\'),
                    b'/' => out.push(b'/'),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'u' => {
                        let mut cp = self.hex4()?;
                        if (0xd800..0xdc00).contains(&cp) {
                            if self.next()? != b'\\' || self.next()? != b'u' {
                                return Err(self.err("unpaired surrogate in \\u escape"));
                            }
                            let low = self.hex4()?;
                            if !(0xdc00..0xe000).contains(&low) {
                                return Err(self.err("unpaired surrogate in \\u escape"));
                            }
                            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                        }
                        let c = char::from_u32(cp)
                            .ok_or_else(|| self.err("unpaired surrogate in \\u escape"))?;
                        let mut buf = [0; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => return Err(self.err("invalid escape")),
                },
                b if b < 0x20 => return Err(self.err("control character in string")),
                b => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| self.err("string is not valid UTF-8"))
    }
}

/// Walks a parsed document along a type, building the value.
struct Walker {
    path: Vec<PathStep>,
}

impl Walker {
    fn err(&self, message: impl Into<String>) -> DecodeError {
        DecodeError::new(&self.path, message)
    }

    fn check_depth(&self, depth: usize) -> Result<(), DecodeError> {
        if depth >= MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn mismatch(&self, want: &str, got: &Json) -> DecodeError {
        self.err(format!("{want} is required, found {}", got.kind()))
    }

    fn value(&mut self, json: &Json, ty: &Type, depth: usize) -> Result<Value, DecodeError> {
        if let Json::Null = json {
            return Ok(Value::Null);
        }
        match ty {
            Type::String => match json {
                Json::String(s) => Ok(Value::String(s.clone())),
                Json::Number(text) => Ok(Value::String(text.clone())),
                Json::Bool(b) => Ok(Value::string(b.to_string())),
                other => Err(self.mismatch("a string", other)),
            },
            Type::Number => match json {
                Json::Number(text) | Json::String(text) => Number::parse(text)
                    .map(Value::Number)
                    .ok_or_else(|| self.err(format!("{text:?} is not a valid number"))),
                other => Err(self.mismatch("a number", other)),
            },
            Type::Bool => match json {
                Json::Bool(b) => Ok(Value::Bool(*b)),
                Json::String(s) if s == "true" => Ok(Value::Bool(true)),
                Json::String(s) if s == "false" => Ok(Value::Bool(false)),
                other => Err(self.mismatch("a bool", other)),
            },
            Type::List(ety) => {
                self.check_depth(depth)?;
                let items = self.array(json, "a list")?;
                self.elements(items, ety, depth).map(Value::List)
            }
            Type::Set(ety) => {
                self.check_depth(depth)?;
                let items = self.array(json, "a set")?;
                self.elements(items, ety, depth).map(Value::Set)
            }
            Type::Tuple(etys) => {
                self.check_depth(depth)?;
                let items = self.array(json, "a tuple")?;
                if items.len() != etys.len() {
                    return Err(self.err(format!(
                        "a tuple of length {} is required ({} given)",
                        etys.len(),
                        items.len()
                    )));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, (item, ety)) in items.iter().zip(etys).enumerate() {
                    self.path.push(PathStep::Index(i as i64));
                    out.push(self.value(item, ety, depth + 1)?);
                    self.path.pop();
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(ety) => {
                self.check_depth(depth)?;
                let Json::Object(entries) = json else {
                    return Err(self.mismatch("a map", json));
                };
                let mut out = BTreeMap::new();
                for (key, item) in entries {
                    self.path.push(PathStep::Key(key.clone()));
                    if out.contains_key(key) {
                        return Err(self.err("duplicate map key"));
                    }
                    let v = self.value(item, ety, depth + 1)?;
                    self.path.pop();
                    out.insert(key.clone(), v);
                }
                Ok(Value::Map(out))
            }
            Type::Object(atys) => {
                self.check_depth(depth)?;
                let Json::Object(entries) = json else {
                    return Err(self.mismatch("an object", json));
                };
                let mut out = BTreeMap::new();
                for (key, item) in entries {
                    // Attributes the type does not know may come from an
                    // older schema; the upgrade logic decides what to keep.
                    let Some(aty) = atys.get(key) else {
                        continue;
                    };
                    self.path.push(PathStep::Attr(key.clone()));
                    if out.contains_key(key) {
                        return Err(self.err("duplicate attribute"));
                    }
                    let v = self.value(item, aty, depth + 1)?;
                    self.path.pop();
                    out.insert(key.clone(), v);
                }
                for name in atys.keys() {
                    if !out.contains_key(name) {
                        out.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(out))
            }
            Type::Dynamic => {
                self.check_depth(depth)?;
                let Json::Object(entries) = json else {
                    return Err(self.mismatch("a {\"value\", \"type\"} object", json));
                };
                let (mut type_json, mut value_json) = (None, None);
                for (key, item) in entries {
                    let slot = match key.as_str() {
                        "type" => &mut type_json,
                        "value" => &mut value_json,
                        _ => {
                            return Err(
                                self.err(format!("unexpected key {key:?} in dynamic value"))
                            );
                        }
                    };
                    if slot.replace(item).is_some() {
                        return Err(self.err(format!("duplicate key {key:?} in dynamic value")));
                    }
                }
                let (Some(type_json), Some(value_json)) = (type_json, value_json) else {
                    return Err(self.err("a dynamic value needs both \"value\" and \"type\""));
                };
                let concrete =
                    Type::from_json(&type_json.to_serde()).map_err(|e| self.err(e.message))?;
                if concrete == Type::Dynamic {
                    return Err(self.err("dynamic value wrapper must name a concrete type"));
                }
                let v = self.value(value_json, &concrete, depth + 1)?;
                Ok(Value::Dynamic(concrete, Box::new(v)))
            }
        }
    }

    fn array<'j>(&self, json: &'j Json, what: &str) -> Result<&'j [Json], DecodeError> {
        match json {
            Json::Array(items) => Ok(items),
            other => Err(self.mismatch(what, other)),
        }
    }

    fn elements(
        &mut self,
        items: &[Json],
        ety: &Type,
        depth: usize,
    ) -> Result<Vec<Value>, DecodeError> {
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            self.path.push(PathStep::Index(i as i64));
            out.push(self.value(item, ety, depth + 1)?);
            self.path.pop();
        }
        Ok(out)
    }
}

struct Encoder {
    out: String,
    path: Vec<PathStep>,
}

impl Encoder {
    fn err(&self, message: impl Into<String>) -> EncodeError {
        EncodeError::new(&self.path, message)
    }

    fn check_depth(&self, depth: usize) -> Result<(), EncodeError> {
        if depth >= MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn str(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    self.out.push_str(&format!("\\u{:04x}", u32::from(c)));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn value(&mut self, value: &Value, ty: &Type, depth: usize) -> Result<(), EncodeError> {
        match (ty, value) {
            (_, Value::Null) => self.out.push_str("null"),
            (_, Value::Unknown) => return Err(self.err("unknown values cannot be encoded as JSON")),
            (Type::Dynamic, Value::Dynamic(concrete, inner)) => {
                self.check_depth(depth)?;
                if *concrete == Type::Dynamic {
                    return Err(self.err("dynamic value wrapper must name a concrete type"));
                }
                self.out.push_str("{\"value\":");
                self.value(inner, concrete, depth + 1)?;
                self.out.push_str(",\"type\":");
                self.out.push_str(&concrete.to_json().to_string());
                self.out.push('}');
            }
            (Type::String, Value::String(s)) => self.str(s),
            (Type::Bool, Value::Bool(b)) => self.out.push_str(if *b { "true" } else { "false" }),
            (Type::Number, Value::Number(n)) => match n.normalized() {
                Some(Number::Float(f)) if !f.is_finite() => {
                    return Err(self.err("infinite numbers cannot be encoded as JSON"));
                }
                // Display of every canonical form is valid JSON number syntax.
                Some(n) => self.out.push_str(&n.to_string()),
                None => return Err(self.err(format!("{n} is not a valid number"))),
            },
            (Type::List(ety), Value::List(items)) | (Type::Set(ety), Value::Set(items)) => {
                self.check_depth(depth)?;
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.path.push(PathStep::Index(i as i64));
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
                self.out.push(']');
            }
            (Type::Tuple(etys), Value::Tuple(items)) => {
                self.check_depth(depth)?;
                if items.len() != etys.len() {
                    return Err(self.err(format!(
                        "a tuple of length {} is required ({} given)",
                        etys.len(),
                        items.len()
                    )));
                }
                self.out.push('[');
                for (i, (item, ety)) in items.iter().zip(etys).enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.path.push(PathStep::Index(i as i64));
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
                self.out.push(']');
            }
            (Type::Map(ety), Value::Map(items)) => {
                self.check_depth(depth)?;
                self.out.push('{');
                for (i, (key, item)) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.path.push(PathStep::Key(key.clone()));
                    self.str(key);
                    self.out.push(':');
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
                self.out.push('}');
            }
            (Type::Object(atys), Value::Object(attrs)) => {
                self.check_depth(depth)?;
                if let Some(extra) = attrs.keys().find(|k| !atys.contains_key(*k)) {
                    self.path.push(PathStep::Attr(extra.clone()));
                    return Err(self.err("unsupported attribute"));
                }
                self.out.push('{');
                for (i, (name, aty)) in atys.iter().enumerate() {
                    self.path.push(PathStep::Attr(name.clone()));
                    let Some(item) = attrs.get(name) else {
                        return Err(self.err("attribute is missing"));
                    };
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.str(name);
                    self.out.push(':');
                    self.value(item, aty, depth + 1)?;
                    self.path.pop();
                }
                self.out.push('}');
            }
            (ty, value) => {
                return Err(self.err(format!(
                    "a {} value is required, found {}",
                    ty.name(),
                    value.kind()
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::cty::fixtures::{XorShift, rich_known, rich_type, rich_with_unknowns};

    fn round_trip(value: &Value, ty: &Type) {
        let bytes = encode(value, ty).unwrap();
        assert_eq!(
            &decode(&bytes, ty).unwrap(),
            value,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }

    fn small_type() -> Type {
        Type::object([("a", Type::String), ("b", Type::Number)])
    }

    #[test]
    fn rich_object_round_trips() {
        round_trip(&rich_known(), &rich_type());
        round_trip(&Value::Null, &rich_type());
        // Also agrees with the msgpack codec.
        let json_value =
            decode(&encode(&rich_known(), &rich_type()).unwrap(), &rich_type()).unwrap();
        let mp = crate::cty::msgpack::encode(&rich_known(), &rich_type()).unwrap();
        assert_eq!(
            crate::cty::msgpack::decode(&mp, &rich_type()).unwrap(),
            json_value
        );
    }

    #[test]
    fn scalars_round_trip() {
        for n in [
            Number::Int(0),
            Number::Int(-5),
            Number::Int(i64::MAX),
            Number::Int(i64::MIN),
            Number::Float(1.5),
            Number::Float(-0.001953125),
            Number::Float(1e19),
            Number::Decimal("123456789012345678901234567890".into()),
            Number::Decimal("1e-500".into()),
            Number::Decimal("3.14159".into()),
        ] {
            round_trip(&Value::Number(n), &Type::Number);
        }
        // A double whose shortest text is not exact reads back as that
        // decimal, which is also how Terraform itself interprets the JSON.
        let bytes = encode(&Value::Number(Number::Float(0.1)), &Type::Number).unwrap();
        assert_eq!(bytes, b"0.1");
        assert_eq!(
            decode(&bytes, &Type::Number).unwrap(),
            Value::Number(Number::Decimal("0.1".into()))
        );
        round_trip(
            &Value::string("\u{0}\u{1f}\u{7f}é\u{10FFFF}"),
            &Type::String,
        );
        round_trip(&Value::Bool(false), &Type::Bool);
    }

    #[test]
    fn known_encoding() {
        let v = Value::Object(BTreeMap::from([
            ("b".to_owned(), Value::int(1)),
            ("a".to_owned(), Value::string("x\"\n")),
        ]));
        assert_eq!(
            encode(&v, &small_type()).unwrap(),
            br#"{"a":"x\"\n","b":1}"#
        );
        let d = Value::Dynamic(
            Type::list(Type::Bool),
            Box::new(Value::List(vec![Value::Bool(true)])),
        );
        assert_eq!(
            encode(&d, &Type::Dynamic).unwrap(),
            br#"{"value":[true],"type":["list","bool"]}"#
        );
    }

    #[test]
    fn unknown_cannot_be_encoded() {
        let err = encode(&rich_with_unknowns(), &rich_type()).unwrap_err();
        assert!(err.message.contains("unknown"), "{err}");
        assert!(!err.path.is_empty());
        assert!(encode(&Value::Number(Number::Float(f64::INFINITY)), &Type::Number).is_err());
    }

    #[test]
    fn raw_state_leniency() {
        let ty = Type::object([
            ("a", Type::String),
            ("b", Type::Number),
            (
                "timeouts",
                Type::object([("create", Type::String), ("delete", Type::String)]),
            ),
        ]);
        let json = br#" { "a": 12.50, "b": "7", "old_attr": {"deep": [1, 2]},
                         "timeouts": {"create": true, "gone": null} } "#;
        let v = decode(json, &ty).unwrap();
        assert_eq!(v.get("a"), Some(&Value::string("12.50")));
        assert_eq!(v.get("b"), Some(&Value::int(7)));
        let t = v.get("timeouts").unwrap();
        assert_eq!(t.get("create"), Some(&Value::string("true")));
        assert_eq!(t.get("delete"), Some(&Value::Null));
        assert_eq!(
            decode(b"{}", &ty).unwrap(),
            Value::Object(BTreeMap::from([
                ("a".to_owned(), Value::Null),
                ("b".to_owned(), Value::Null),
                ("timeouts".to_owned(), Value::Null),
            ]))
        );
        assert_eq!(decode(b"\"true\"", &Type::Bool).unwrap(), Value::Bool(true));
        assert_eq!(decode(b"", &ty).unwrap(), Value::Null);
        // Precision is kept even beyond f64 and u64.
        assert_eq!(
            decode(
                b"[123456789012345678901234567890, 0.1, 18446744073709551615]",
                &Type::list(Type::Number)
            )
            .unwrap(),
            Value::List(vec![
                Value::Number(Number::Decimal("123456789012345678901234567890".into())),
                Value::Number(Number::Decimal("0.1".into())),
                Value::Number(Number::Decimal("18446744073709551615".into())),
            ])
        );
    }

    #[test]
    fn errors_carry_paths() {
        let ty = Type::object([("rules", Type::list(Type::object([("port", Type::Number)])))]);
        let err = decode(br#"{"rules":[{"port":1},{"port":"http"}]}"#, &ty).unwrap_err();
        assert_eq!(
            err.path,
            [
                PathStep::Attr("rules".into()),
                PathStep::Index(1),
                PathStep::Attr("port".into())
            ]
        );
        assert_eq!(
            err.to_string(),
            "rules[1].port: \"http\" is not a valid number"
        );
        let err = decode(
            br#"{"m":{"k":[]}}"#,
            &Type::object([("m", Type::map(Type::String))]),
        )
        .unwrap_err();
        assert_eq!(
            err.path,
            [PathStep::Attr("m".into()), PathStep::Key("k".into())]
        );
        assert!(decode(br#"{"a":"x","a":"y"}"#, &small_type()).is_err());
        assert!(decode(br#"{"k":1,"k":2}"#, &Type::map(Type::Number)).is_err());
        // Encoding is strict about attributes.
        let err = encode(&Value::Object(BTreeMap::new()), &small_type()).unwrap_err();
        assert_eq!(err.path, [PathStep::Attr("a".into())]);
        let extra = Value::Object(BTreeMap::from([("zz".to_owned(), Value::Null)]));
        let err = encode(&extra, &small_type()).unwrap_err();
        assert_eq!(err.path, [PathStep::Attr("zz".into())]);
    }

    #[test]
    fn malformed_json_is_rejected() {
        for bad in [
            &b"{"[..],
            b"{\"a\"",
            b"{\"a\":}",
            b"{\"a\":1,}",
            b"[1,]",
            b"[1 2]",
            b"01",
            b"1.",
            b"-",
            b"1e",
            b"+1",
            b"nul",
            b"tru",
            b"\"abc",
            b"\"\\x\"",
            b"\"\\u12\"",
            b"\"\\ud800\"",
            b"\"\\udc00\"",
            b"\"\\ud800\\u0041\"",
            b"\"\x01\"",
            b"\"\xff\"",
            b"{} {}",
            b"{}x",
            b"{1:2}",
            b"  ",
        ] {
            let ty = Type::map(Type::Dynamic);
            assert!(
                decode(bad, &ty).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            decode(b"\"\\ud83d\\ude00\"", &Type::String).unwrap(),
            Value::string("\u{1F600}")
        );
        assert!(decode(b"{\"value\":1}", &Type::Dynamic).is_err());
        assert!(decode(b"{\"value\":1,\"type\":\"number\",\"x\":1}", &Type::Dynamic).is_err());
        assert!(decode(b"{\"value\":1,\"type\":\"dynamic\"}", &Type::Dynamic).is_err());
        assert!(decode(b"{\"value\":1,\"type\":7}", &Type::Dynamic).is_err());
        assert!(decode(b"[1,2]", &Type::tuple(vec![Type::Number])).is_err());
        assert!(decode(b"1e99999999", &Type::Number).is_err());
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode(&rich_known(), &rich_type()).unwrap();
        for len in 1..bytes.len() {
            assert!(
                decode(&bytes[..len], &rich_type()).is_err(),
                "prefix {len} decoded"
            );
        }
    }

    #[test]
    fn garbage_never_panics() {
        let alphabet = b"{}[]\",:0123456789-+.eEtrufalsn \\u\xff\xc3\xa9abcd";
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let types = [
            rich_type(),
            Type::Dynamic,
            Type::map(Type::list(Type::Dynamic)),
        ];
        for i in 0..4000 {
            let len = (rng.next_u64() % 48) as usize;
            let bytes: Vec<u8> = if i % 2 == 0 {
                rng.bytes(len)
            } else {
                (0..len)
                    .map(|_| {
                        let at = (rng.next_u64() % alphabet.len() as u64) as usize;
                        alphabet.get(at).copied().unwrap_or(b' ')
                    })
                    .collect()
            };
            let _ = decode(&bytes, &types[i % types.len()]);
        }
        let valid = encode(&rich_known(), &rich_type()).unwrap();
        for _ in 0..3000 {
            let mut bytes = valid.clone();
            let at = (rng.next_u64() % bytes.len() as u64) as usize;
            if let Some(b) = bytes.get_mut(at) {
                *b = alphabet
                    .get((rng.next_u64() % alphabet.len() as u64) as usize)
                    .copied()
                    .unwrap_or(b' ');
            }
            let _ = decode(&bytes, &rich_type());
        }
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let deep = MAX_DEPTH + 6;
        let mut ty = Type::Bool;
        for _ in 0..deep {
            ty = Type::list(ty);
        }
        let text = format!("{}true{}", "[".repeat(deep), "]".repeat(deep));
        let err = decode(text.as_bytes(), &ty).unwrap_err();
        assert!(err.message.contains("nesting"), "{err}");
        // Pure syntax nesting far beyond any limit must not overflow the stack.
        let text = "[".repeat(100_000);
        assert!(decode(text.as_bytes(), &Type::Dynamic).is_err());
        let text = format!("{}{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
        assert!(decode(text.as_bytes(), &Type::map(Type::String)).is_err());
        // Dynamic wrappers nested past the limit.
        let mut text = "null".to_owned();
        for _ in 0..deep {
            text = format!("{{\"value\":[{text}],\"type\":[\"list\",\"dynamic\"]}}");
        }
        let err = decode(text.as_bytes(), &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("nest"), "{err}");
    }
}
