//! msgpack form of cty values, as used in `DynamicValue.msgpack`.
//!
//! Mirrors go-cty's `cty/msgpack`: null is nil, unknown is an extension
//! value, objects are maps of every attribute, and values in `Dynamic` slots
//! are wrapped as `[type JSON, value]`.

use std::collections::BTreeMap;
use std::convert::Infallible;

use rmp::Marker;
use rmp::encode::{self, ByteBuf, ValueWriteError};

use super::{DecodeError, EncodeError, MAX_DEPTH, Number, PathStep, Type, Value};

/// go-cty writes unknowns as fixext1 of extension type 0 with a zero byte.
const UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Decodes a msgpack value of type `ty`. An empty input is a null value,
/// which is how Terraform sends absent optional payloads.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut d = Decoder {
        buf: bytes,
        pos: 0,
        path: Vec::new(),
    };
    let value = d.value(ty, 0)?;
    if d.pos != bytes.len() {
        return Err(DecodeError::new(
            &[],
            format!("{} unexpected trailing bytes", bytes.len() - d.pos),
        ));
    }
    Ok(value)
}

/// Encodes `value` as type `ty`; fails if the value does not conform.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut e = Encoder {
        out: ByteBuf::new(),
        path: Vec::new(),
    };
    e.value(value, ty, 0)?;
    Ok(e.out.into_vec())
}

struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    path: Vec<PathStep>,
}

impl<'a> Decoder<'a> {
    fn err(&self, message: impl Into<String>) -> DecodeError {
        DecodeError::new(&self.path, message)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.buf.get(self.pos..end))
            .ok_or_else(|| self.err("unexpected end of input"))?;
        self.pos += n;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let slice = self.take(N)?;
        slice
            .try_into()
            .map_err(|_| self.err("unexpected end of input"))
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let [b] = self.array::<1>()?;
        Ok(b)
    }

    fn peek(&self) -> Result<Marker, DecodeError> {
        self.buf
            .get(self.pos)
            .map(|&b| Marker::from_u8(b))
            .ok_or_else(|| self.err("unexpected end of input"))
    }

    /// Reads a big-endian length of the given width as usize.
    fn len(&mut self, width: usize) -> Result<usize, DecodeError> {
        let n = match width {
            1 => u32::from(self.byte()?),
            2 => u32::from(u16::from_be_bytes(self.array()?)),
            _ => u32::from_be_bytes(self.array()?),
        };
        usize::try_from(n).map_err(|_| self.err("length too large"))
    }

    /// Upper bound for preallocation: every element takes at least one byte,
    /// so a claimed length beyond the remaining input must not be trusted.
    fn capacity(&self, n: usize) -> usize {
        n.min(self.buf.len().saturating_sub(self.pos))
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, DecodeError> {
        let marker = self.peek()?;
        if self.skip_ext(marker)? {
            // Any extension is an unknown; refinements (type 12) are dropped.
            return Ok(Value::Unknown);
        }
        if marker == Marker::Null {
            self.pos += 1;
            return Ok(Value::Null);
        }
        match ty {
            Type::String => self.string("a string is required").map(Value::String),
            Type::Number => self.number().map(Value::Number),
            Type::Bool => match self.byte_marker() {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                _ => Err(self.err("a bool is required")),
            },
            Type::List(ety) => {
                self.check_depth(depth)?;
                let n = self.array_len("a list is required")?;
                self.elements(n, ety, depth).map(Value::List)
            }
            Type::Set(ety) => {
                self.check_depth(depth)?;
                let n = self.array_len("a set is required")?;
                self.elements(n, ety, depth).map(Value::Set)
            }
            Type::Tuple(etys) => {
                self.check_depth(depth)?;
                let n = self.array_len("a tuple is required")?;
                if n != etys.len() {
                    return Err(self.err(format!(
                        "a tuple of length {} is required ({n} given)",
                        etys.len()
                    )));
                }
                let mut items = Vec::with_capacity(n);
                for (i, ety) in etys.iter().enumerate() {
                    self.path.push(PathStep::Index(i as i64));
                    items.push(self.value(ety, depth + 1)?);
                    self.path.pop();
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(ety) => {
                self.check_depth(depth)?;
                let n = self.map_len("a map is required")?;
                let mut items = BTreeMap::new();
                for _ in 0..n {
                    let key = self.string("map keys must be strings")?;
                    self.path.push(PathStep::Key(key.clone()));
                    if items.contains_key(&key) {
                        return Err(self.err("duplicate map key"));
                    }
                    let v = self.value(ety, depth + 1)?;
                    self.path.pop();
                    items.insert(key, v);
                }
                Ok(Value::Map(items))
            }
            Type::Object(atys) => {
                self.check_depth(depth)?;
                let n = self.map_len("an object is required")?;
                let mut attrs = BTreeMap::new();
                for _ in 0..n {
                    let key = self.string("object attribute names must be strings")?;
                    self.path.push(PathStep::Attr(key.clone()));
                    let Some(aty) = atys.get(&key) else {
                        return Err(self.err("unsupported attribute"));
                    };
                    if attrs.contains_key(&key) {
                        return Err(self.err("duplicate attribute"));
                    }
                    let v = self.value(aty, depth + 1)?;
                    self.path.pop();
                    attrs.insert(key, v);
                }
                if let Some(missing) = atys.keys().find(|k| !attrs.contains_key(*k)) {
                    self.path.push(PathStep::Attr(missing.clone()));
                    return Err(self.err("attribute is missing"));
                }
                Ok(Value::Object(attrs))
            }
            Type::Dynamic => {
                self.check_depth(depth)?;
                let n = self.array_len("a dynamic value must be a [type, value] array")?;
                if n != 2 {
                    return Err(self.err("a dynamic value must be a [type, value] array"));
                }
                let type_json = self.bytes("dynamic value type must be JSON bytes")?;
                let concrete = Type::from_json_bytes(type_json).map_err(|e| self.err(e.message))?;
                if concrete == Type::Dynamic {
                    return Err(self.err("dynamic value wrapper must name a concrete type"));
                }
                let v = self.value(&concrete, depth + 1)?;
                Ok(Value::Dynamic(concrete, Box::new(v)))
            }
        }
    }

    fn check_depth(&self, depth: usize) -> Result<(), DecodeError> {
        if depth >= MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn elements(&mut self, n: usize, ety: &Type, depth: usize) -> Result<Vec<Value>, DecodeError> {
        let mut items = Vec::with_capacity(self.capacity(n));
        for i in 0..n {
            self.path.push(PathStep::Index(i as i64));
            items.push(self.value(ety, depth + 1)?);
            self.path.pop();
        }
        Ok(items)
    }

    /// Consumes the marker byte, which the caller has already peeked.
    fn byte_marker(&mut self) -> Marker {
        let marker = self.peek().unwrap_or(Marker::Reserved);
        self.pos = (self.pos + 1).min(self.buf.len());
        marker
    }

    /// If `marker` starts an extension value, skips all of it.
    fn skip_ext(&mut self, marker: Marker) -> Result<bool, DecodeError> {
        let data_len = match marker {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 | Marker::Ext16 | Marker::Ext32 => {
                self.pos += 1;
                let width = match marker {
                    Marker::Ext8 => 1,
                    Marker::Ext16 => 2,
                    _ => 4,
                };
                let n = self.len(width)?;
                self.take(1)?; // extension type
                self.take(n)?;
                return Ok(true);
            }
            _ => return Ok(false),
        };
        self.take(2 + data_len)?; // marker, extension type, data
        Ok(true)
    }

    fn array_len(&mut self, what: &str) -> Result<usize, DecodeError> {
        match self.byte_marker() {
            Marker::FixArray(n) => Ok(usize::from(n)),
            Marker::Array16 => self.len(2),
            Marker::Array32 => self.len(4),
            _ => Err(self.err(what)),
        }
    }

    fn map_len(&mut self, what: &str) -> Result<usize, DecodeError> {
        match self.byte_marker() {
            Marker::FixMap(n) => Ok(usize::from(n)),
            Marker::Map16 => self.len(2),
            Marker::Map32 => self.len(4),
            _ => Err(self.err(what)),
        }
    }

    /// Raw bytes of a str or bin value (go-cty reads either as bytes).
    fn bytes(&mut self, what: &str) -> Result<&'a [u8], DecodeError> {
        let n = match self.byte_marker() {
            Marker::FixStr(n) => usize::from(n),
            Marker::Str8 | Marker::Bin8 => self.len(1)?,
            Marker::Str16 | Marker::Bin16 => self.len(2)?,
            Marker::Str32 | Marker::Bin32 => self.len(4)?,
            _ => return Err(self.err(what)),
        };
        self.take(n)
    }

    fn string(&mut self, what: &str) -> Result<String, DecodeError> {
        let raw = self.bytes(what)?;
        std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|_| self.err("string is not valid UTF-8"))
    }

    fn number(&mut self) -> Result<Number, DecodeError> {
        const REQUIRED: &str = "a number is required";
        let n = match self.peek()? {
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let text = self.string(REQUIRED)?;
                return Number::parse(&text)
                    .ok_or_else(|| self.err(format!("{text:?} is not a valid number")));
            }
            marker => {
                self.pos += 1;
                match marker {
                    Marker::FixPos(n) => Number::Int(i64::from(n)),
                    Marker::FixNeg(n) => Number::Int(i64::from(n)),
                    Marker::U8 => Number::Int(i64::from(self.byte()?)),
                    Marker::U16 => Number::Int(i64::from(u16::from_be_bytes(self.array()?))),
                    Marker::U32 => Number::Int(i64::from(u32::from_be_bytes(self.array()?))),
                    Marker::U64 => {
                        let u = u64::from_be_bytes(self.array()?);
                        match i64::try_from(u) {
                            Ok(i) => Number::Int(i),
                            // Canonicalises to Float or Decimal as appropriate.
                            Err(_) => {
                                Number::parse(&u.to_string()).ok_or_else(|| self.err(REQUIRED))?
                            }
                        }
                    }
                    Marker::I8 => Number::Int(i64::from(i8::from_be_bytes(self.array()?))),
                    Marker::I16 => Number::Int(i64::from(i16::from_be_bytes(self.array()?))),
                    Marker::I32 => Number::Int(i64::from(i32::from_be_bytes(self.array()?))),
                    Marker::I64 => Number::Int(i64::from_be_bytes(self.array()?)),
                    Marker::F32 => {
                        let f = f32::from_be_bytes(self.array()?);
                        self.float(f64::from(f))?
                    }
                    Marker::F64 => {
                        let f = f64::from_be_bytes(self.array()?);
                        self.float(f)?
                    }
                    _ => return Err(self.err(REQUIRED)),
                }
            }
        };
        Ok(n)
    }

    fn float(&self, f: f64) -> Result<Number, DecodeError> {
        Number::from_f64(f).ok_or_else(|| self.err("NaN is not a valid number"))
    }
}

/// rmp's writers cannot fail on a ByteBuf; this discharges their Result types.
fn infallible<T>(r: Result<T, ValueWriteError<Infallible>>) -> T {
    match r {
        Ok(v) => v,
        Err(ValueWriteError::InvalidMarkerWrite(e) | ValueWriteError::InvalidDataWrite(e)) => {
            match e {}
        }
    }
}

struct Encoder {
    // ByteBuf rather than Vec<u8>: with rmp's std feature a Vec writes through
    // io::Write, whose error type would be a failure path that cannot happen.
    out: ByteBuf,
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

    fn len32(&self, n: usize) -> Result<u32, EncodeError> {
        u32::try_from(n).map_err(|_| self.err("too many elements for msgpack"))
    }

    fn str(&mut self, s: &str) -> Result<(), EncodeError> {
        let n = self.len32(s.len())?;
        infallible(encode::write_str_len(&mut self.out, n));
        self.out.as_mut_vec().extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn value(&mut self, value: &Value, ty: &Type, depth: usize) -> Result<(), EncodeError> {
        match (ty, value) {
            (_, Value::Null) => self.out.as_mut_vec().push(0xc0),
            (_, Value::Unknown) => self.out.as_mut_vec().extend_from_slice(&UNKNOWN),
            (Type::Dynamic, Value::Dynamic(concrete, inner)) => {
                self.check_depth(depth)?;
                if *concrete == Type::Dynamic {
                    return Err(self.err("dynamic value wrapper must name a concrete type"));
                }
                infallible(encode::write_array_len(&mut self.out, 2));
                infallible(encode::write_bin(&mut self.out, &concrete.to_json_bytes()));
                self.value(inner, concrete, depth + 1)?;
            }
            (Type::String, Value::String(s)) => self.str(s)?,
            (Type::Bool, Value::Bool(b)) => {
                self.out.as_mut_vec().push(if *b { 0xc3 } else { 0xc2 })
            }
            (Type::Number, Value::Number(n)) => match n.normalized() {
                Some(Number::Int(i)) => {
                    infallible(encode::write_sint(&mut self.out, i));
                }
                Some(Number::Float(f)) => infallible(encode::write_f64(&mut self.out, f)),
                Some(Number::Decimal(text)) => self.str(&text)?,
                None => return Err(self.err(format!("{n} is not a valid number"))),
            },
            (Type::List(ety), Value::List(items)) | (Type::Set(ety), Value::Set(items)) => {
                self.check_depth(depth)?;
                let n = self.len32(items.len())?;
                infallible(encode::write_array_len(&mut self.out, n));
                for (i, item) in items.iter().enumerate() {
                    self.path.push(PathStep::Index(i as i64));
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
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
                let n = self.len32(items.len())?;
                infallible(encode::write_array_len(&mut self.out, n));
                for (i, (item, ety)) in items.iter().zip(etys).enumerate() {
                    self.path.push(PathStep::Index(i as i64));
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
            }
            (Type::Map(ety), Value::Map(items)) => {
                self.check_depth(depth)?;
                let n = self.len32(items.len())?;
                infallible(encode::write_map_len(&mut self.out, n));
                for (key, item) in items {
                    self.path.push(PathStep::Key(key.clone()));
                    self.str(key)?;
                    self.value(item, ety, depth + 1)?;
                    self.path.pop();
                }
            }
            (Type::Object(atys), Value::Object(attrs)) => {
                self.check_depth(depth)?;
                if let Some(extra) = attrs.keys().find(|k| !atys.contains_key(*k)) {
                    self.path.push(PathStep::Attr(extra.clone()));
                    return Err(self.err("unsupported attribute"));
                }
                let n = self.len32(atys.len())?;
                infallible(encode::write_map_len(&mut self.out, n));
                // BTreeMap iterates in byte order, matching go-cty's sort.Strings.
                for (name, aty) in atys {
                    self.path.push(PathStep::Attr(name.clone()));
                    let Some(item) = attrs.get(name) else {
                        return Err(self.err("attribute is missing"));
                    };
                    self.str(name)?;
                    self.value(item, aty, depth + 1)?;
                    self.path.pop();
                }
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
        assert_eq!(&decode(&bytes, ty).unwrap(), value);
    }

    fn small_type() -> Type {
        Type::object([("a", Type::String), ("b", Type::Number)])
    }

    fn small_value() -> Value {
        Value::Object(BTreeMap::from([
            ("a".to_owned(), Value::string("x")),
            ("b".to_owned(), Value::int(1)),
        ]))
    }

    #[test]
    fn rich_object_round_trips() {
        round_trip(&rich_known(), &rich_type());
        round_trip(&rich_with_unknowns(), &rich_type());
        round_trip(&Value::Null, &rich_type());
        round_trip(&Value::Unknown, &rich_type());
    }

    #[test]
    fn every_scalar_round_trips() {
        let numbers = [
            Number::Int(0),
            Number::Int(1),
            Number::Int(-1),
            Number::Int(-33),
            Number::Int(200),
            Number::Int(70_000),
            Number::Int(i64::from(u32::MAX) + 1),
            Number::Int(i64::MAX),
            Number::Int(i64::MIN),
            Number::Float(1.5),
            Number::Float(-1e300),
            Number::Float(f64::INFINITY),
            Number::Float(f64::NEG_INFINITY),
            Number::Decimal("123456789012345678901234567890".into()),
            Number::Decimal("-0.1".into()),
            Number::Decimal("1e-500".into()),
        ];
        for n in numbers {
            round_trip(&Value::Number(n), &Type::Number);
        }
        round_trip(&Value::Bool(true), &Type::Bool);
        round_trip(&Value::Bool(false), &Type::Bool);
        round_trip(&Value::string(""), &Type::String);
        round_trip(&Value::string("x".repeat(40)), &Type::String);
        round_trip(&Value::string("y".repeat(300)), &Type::String);
        round_trip(&Value::string("z".repeat(70_000)), &Type::String);
        round_trip(
            &Value::List((0..20).map(Value::int).collect()),
            &Type::list(Type::Number),
        );
        round_trip(
            &Value::Map((0..20).map(|i| (i.to_string(), Value::int(i))).collect()),
            &Type::map(Type::Number),
        );
    }

    #[test]
    fn known_byte_vectors() {
        assert_eq!(
            encode(&small_value(), &small_type()).unwrap(),
            [0x82, 0xa1, 0x61, 0xa1, 0x78, 0xa1, 0x62, 0x01]
        );
        assert_eq!(encode(&Value::Null, &Type::String).unwrap(), [0xc0]);
        assert_eq!(encode(&Value::Unknown, &Type::String).unwrap(), UNKNOWN);
        assert_eq!(
            encode(&Value::Number(Number::Float(1.5)), &Type::Number).unwrap(),
            [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
        // Integral floats go out as ints, as go-cty does.
        assert_eq!(
            encode(&Value::Number(Number::Float(300.0)), &Type::Number).unwrap(),
            [0xcd, 0x01, 0x2c]
        );
        assert_eq!(
            encode(&Value::int(-100), &Type::Number).unwrap(),
            [0xd0, 0x9c]
        );
        assert_eq!(
            encode(
                &Value::Number(Number::Decimal("0.10".into())),
                &Type::Number
            )
            .unwrap(),
            [0xa3, b'0', b'.', b'1']
        );
        let dynamic = Value::Dynamic(Type::String, Box::new(Value::string("x")));
        let mut want = vec![0x92, 0xc4, 0x08];
        want.extend_from_slice(b"\"string\"");
        want.extend_from_slice(&[0xa1, b'x']);
        assert_eq!(encode(&dynamic, &Type::Dynamic).unwrap(), want);
        assert_eq!(decode(&want, &Type::Dynamic).unwrap(), dynamic);
    }

    #[test]
    fn decodes_go_cty_variants() {
        // Keys out of order are fine.
        let bytes = [0x82, 0xa1, 0x62, 0x01, 0xa1, 0x61, 0xa1, 0x78];
        assert_eq!(decode(&bytes, &small_type()).unwrap(), small_value());
        // Dynamic type JSON as str rather than bin.
        let mut bytes = vec![0x92, 0xa8];
        bytes.extend_from_slice(b"\"number\"");
        bytes.push(0x05);
        assert_eq!(
            decode(&bytes, &Type::Dynamic).unwrap(),
            Value::Dynamic(Type::Number, Box::new(Value::int(5)))
        );
        // Null and unknown dynamics carry no wrapper.
        assert_eq!(decode(&[0xc0], &Type::Dynamic).unwrap(), Value::Null);
        assert_eq!(decode(&UNKNOWN, &Type::Dynamic).unwrap(), Value::Unknown);
        assert_eq!(decode(&[], &rich_type()).unwrap(), Value::Null);
    }

    #[test]
    fn decodes_number_encodings() {
        let cases: &[(&[u8], Number)] = &[
            (&[0x05], Number::Int(5)),
            (&[0xff], Number::Int(-1)),
            (&[0xcc, 0xff], Number::Int(255)),
            (&[0xcd, 0x01, 0x00], Number::Int(256)),
            (&[0xce, 0, 1, 0, 0], Number::Int(65536)),
            (&[0xcf, 0, 0, 0, 0, 0, 0, 0, 7], Number::Int(7)),
            (
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                Number::Decimal("18446744073709551615".into()),
            ),
            (
                &[0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0],
                Number::Float(9_223_372_036_854_775_808.0),
            ),
            (&[0xd0, 0x80], Number::Int(-128)),
            (&[0xd1, 0xff, 0x00], Number::Int(-256)),
            (&[0xd2, 0xff, 0xff, 0xff, 0xfe], Number::Int(-2)),
            (&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], Number::Int(i64::MIN)),
            (&[0xca, 0x3f, 0xc0, 0, 0], Number::Float(1.5)),
            (&[0xca, 0x40, 0x00, 0, 0], Number::Int(2)),
            (&[0xcb, 0x40, 0, 0, 0, 0, 0, 0, 0], Number::Int(2)),
            (&[0xa3, b'1', b'e', b'3'], Number::Int(1000)),
            (&[0xa3, b'0', b'.', b'5'], Number::Float(0.5)),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                decode(bytes, &Type::Number).unwrap(),
                Value::Number(want.clone()),
                "{bytes:x?}"
            );
        }
        for bad in [
            &[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0][..], // NaN
            &[0xa3, b'a', b'b', b'c'],
            &[0xc3],
            &[0x90],
        ] {
            assert!(decode(bad, &Type::Number).is_err(), "{bad:x?}");
        }
    }

    #[test]
    fn refined_unknown_decodes_as_unknown() {
        // ext8, 9 bytes, type 12: {1: false, 2: "arn:"}
        let bytes = [
            0xc7, 0x09, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa4, b'a', b'r', b'n', b':',
        ];
        assert_eq!(decode(&bytes, &Type::String).unwrap(), Value::Unknown);
        // Inside an object, followed by another attribute.
        let mut obj = vec![0x82, 0xa1, b'a'];
        obj.extend_from_slice(&bytes);
        obj.extend_from_slice(&[0xa1, b'b', 0x01]);
        let v = decode(&obj, &small_type()).unwrap();
        assert_eq!(v.get("a"), Some(&Value::Unknown));
        assert_eq!(v.get("b"), Some(&Value::int(1)));
        // Every extension form is an unknown.
        for bytes in [
            &[0xd5, 0x0c, 0x80, 0x00][..],
            &[0xd6, 0x01, 0, 0, 0, 0],
            &[0xd7, 0x01, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0xd8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0xc8, 0x00, 0x01, 0x0c, 0x80],
            &[0xc9, 0x00, 0x00, 0x00, 0x00, 0x0c],
        ] {
            assert_eq!(
                decode(bytes, &Type::Bool).unwrap(),
                Value::Unknown,
                "{bytes:x?}"
            );
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        for (value, ty) in [
            (rich_known(), rich_type()),
            (rich_with_unknowns(), rich_type()),
            (small_value(), small_type()),
        ] {
            let bytes = encode(&value, &ty).unwrap();
            for len in 1..bytes.len() {
                assert!(decode(&bytes[..len], &ty).is_err(), "prefix {len} decoded");
            }
        }
    }

    #[test]
    fn trailing_bytes_rejected() {
        let mut bytes = encode(&small_value(), &small_type()).unwrap();
        bytes.push(0xc0);
        let err = decode(&bytes, &small_type()).unwrap_err();
        assert!(err.message.contains("trailing"), "{err}");
    }

    #[test]
    fn garbage_never_panics() {
        let types = [
            rich_type(),
            Type::Dynamic,
            Type::list(Type::Dynamic),
            Type::map(Type::Number),
            Type::String,
        ];
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for i in 0..4000 {
            let len = (rng.next_u64() % 64) as usize;
            let bytes = rng.bytes(len);
            let _ = decode(&bytes, &types[i % types.len()]);
        }
        // Mutations of valid encodings reach much deeper into the decoder.
        let valid = encode(&rich_with_unknowns(), &rich_type()).unwrap();
        for _ in 0..4000 {
            let mut bytes = valid.clone();
            for _ in 0..=(rng.next_u64() % 4) {
                let at = (rng.next_u64() % bytes.len() as u64) as usize;
                if let Some(b) = bytes.get_mut(at) {
                    *b = rng.next_u64() as u8;
                }
            }
            let _ = decode(&bytes, &rich_type());
        }
    }

    #[test]
    fn huge_claimed_lengths_fail_cleanly() {
        for bytes in [
            &[0xdd, 0xff, 0xff, 0xff, 0xff][..],
            &[0xdf, 0xff, 0xff, 0xff, 0xff],
            &[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'],
            &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00],
        ] {
            assert!(decode(bytes, &Type::list(Type::String)).is_err());
            assert!(decode(bytes, &Type::map(Type::String)).is_err());
        }
    }

    #[test]
    fn object_attribute_mismatches_name_the_path() {
        let ty = Type::object([("timeouts", small_type())]);
        // Missing "b".
        let bytes = [
            0x81, 0xa8, b't', b'i', b'm', b'e', b'o', b'u', b't', b's', 0x81, 0xa1, b'a', 0xc0,
        ];
        let err = decode(&bytes, &ty).unwrap_err();
        assert_eq!(
            err.path,
            [
                PathStep::Attr("timeouts".into()),
                PathStep::Attr("b".into())
            ]
        );
        // Extra "z".
        let bytes = [
            0x81, 0xa8, b't', b'i', b'm', b'e', b'o', b'u', b't', b's', 0x83, 0xa1, b'a', 0xc0,
            0xa1, b'b', 0xc0, 0xa1, b'z', 0xc0,
        ];
        let err = decode(&bytes, &ty).unwrap_err();
        assert_eq!(
            err.path,
            [
                PathStep::Attr("timeouts".into()),
                PathStep::Attr("z".into())
            ]
        );
        assert_eq!(err.to_string(), "timeouts.z: unsupported attribute");
        // Duplicate "a".
        let bytes = [0x82, 0xa1, b'a', 0xc0, 0xa1, b'a', 0xc0];
        assert!(decode(&bytes, &small_type()).is_err());
        // Encoding checks the same.
        let missing = Value::Object(BTreeMap::from([("a".to_owned(), Value::Null)]));
        let err = encode(&missing, &small_type()).unwrap_err();
        assert_eq!(err.path, [PathStep::Attr("b".into())]);
        let mut extra = small_value();
        if let Value::Object(attrs) = &mut extra {
            attrs.insert("zz".into(), Value::Null);
        }
        let err = encode(&extra, &small_type()).unwrap_err();
        assert_eq!(err.path, [PathStep::Attr("zz".into())]);
    }

    #[test]
    fn type_mismatches_are_errors() {
        let list_of_obj = Type::list(small_type());
        // [ {a: 1, b: 1} ] -> a is a number, not a string
        let bytes = [0x91, 0x82, 0xa1, b'a', 0x01, 0xa1, b'b', 0x01];
        let err = decode(&bytes, &list_of_obj).unwrap_err();
        assert_eq!(err.path, [PathStep::Index(0), PathStep::Attr("a".into())]);
        assert!(
            decode(&[0xa1, 0xff], &Type::String).is_err(),
            "invalid UTF-8"
        );
        assert!(decode(&[0x92, 0x01, 0x02], &Type::tuple(vec![Type::Number])).is_err());
        assert!(decode(&[0x81, 0x01, 0x01], &Type::map(Type::Number)).is_err());
        assert!(decode(&[0xc1], &Type::Bool).is_err());
        assert!(decode(&[0x91, 0xc0], &Type::Dynamic).is_err());
        let mut bytes = vec![0x92, 0xa9];
        bytes.extend_from_slice(b"\"dynamic\"");
        bytes.push(0xc0);
        assert!(decode(&bytes, &Type::Dynamic).is_err());

        let err = encode(&Value::string("x"), &Type::Number).unwrap_err();
        assert_eq!(err.message, "a number value is required, found string");
        assert!(encode(&Value::string("x"), &Type::Dynamic).is_err());
        assert!(encode(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
        assert!(encode(&Value::Number(Number::Decimal("1,5".into())), &Type::Number).is_err());
        assert!(encode(&Value::Tuple(vec![]), &Type::tuple(vec![Type::Bool])).is_err());
        assert!(
            encode(
                &Value::Dynamic(Type::String, Box::new(Value::string("x"))),
                &Type::String
            )
            .is_err()
        );
        let err = encode(
            &Value::Map(BTreeMap::from([("k".to_owned(), Value::Bool(true))])),
            &Type::map(Type::String),
        )
        .unwrap_err();
        assert_eq!(err.path, [PathStep::Key("k".into())]);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let depth = MAX_DEPTH + 6;
        let mut ty = Type::Bool;
        let mut value = Value::Bool(true);
        for _ in 0..depth {
            ty = Type::list(ty);
            value = Value::List(vec![value]);
        }
        let mut bytes = vec![0x91; depth];
        bytes.push(0xc3);
        let err = decode(&bytes, &ty).unwrap_err();
        assert!(err.message.contains("nesting"), "{err}");
        assert!(encode(&value, &ty).is_err());

        // Through dynamic wrappers, where the input, not the schema, sets the depth.
        let mut bytes = Vec::new();
        for _ in 0..depth {
            bytes.extend_from_slice(&[0x92, 0xa9]);
            bytes.extend_from_slice(b"\"dynamic\"");
        }
        assert!(decode(&bytes, &Type::Dynamic).is_err());
        let inner = Type::list(Type::Dynamic).to_json_bytes();
        let mut bytes = Vec::new();
        for _ in 0..depth {
            bytes.push(0x92);
            bytes.push(0xc4);
            bytes.push(inner.len() as u8);
            bytes.extend_from_slice(&inner);
            bytes.push(0x91);
        }
        bytes.push(0xc0);
        let err = decode(&bytes, &Type::Dynamic).unwrap_err();
        assert!(err.message.contains("nesting"), "{err}");

        // Just under the limit still works.
        let mut ty = Type::Bool;
        let mut value = Value::Bool(true);
        for _ in 0..MAX_DEPTH {
            ty = Type::list(ty);
            value = Value::List(vec![value]);
        }
        round_trip(&value, &ty);
    }
}
