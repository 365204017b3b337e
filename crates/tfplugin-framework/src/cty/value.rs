use std::collections::BTreeMap;
use std::fmt;

use super::Type;

/// A cty number.
///
/// The decoders produce a canonical form: `Int` for integers that fit `i64`,
/// `Float` for other values exactly representable as `f64`, and `Decimal`
/// (normalised decimal text) for everything else. Keeping inexact decimals
/// such as `0.1` as text matters: Terraform compares planned and applied
/// values exactly, and rounding them to `f64` would read back as a change.
/// Use [`Number::parse`] or [`Number::normalized`] to canonicalise
/// hand-built numbers before comparing them.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
    Decimal(String),
}

/// Decimal exponents beyond this are rejected rather than risking huge
/// expansions; go-cty's 512-bit floats could not hold them meaningfully either.
const MAX_EXP10: i64 = 1_000_000;

/// Up to this many padding zeros are written out in plain notation; beyond it
/// the exponent form is used so tiny input cannot expand to huge text.
const MAX_PLAIN_ZEROS: i64 = 64;

/// A decimal number split into sign, significant digits and a power of ten.
/// `digits` has neither leading nor trailing zeros; empty means zero.
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    fn parse(s: &str) -> Option<Decimal> {
        let bytes = s.as_bytes();
        let mut pos = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                pos += 1;
                true
            }
            Some(b'+') => {
                pos += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        let mut frac_len: i64 = 0;
        let mut seen_digit = false;
        let mut in_frac = false;
        while let Some(&c) = bytes.get(pos) {
            match c {
                b'0'..=b'9' => {
                    seen_digit = true;
                    // Leading zeros carry no information; dropping them early
                    // keeps the digit buffer proportional to significant digits.
                    if !(digits.is_empty() && c == b'0') {
                        digits.push(c);
                    }
                    if in_frac {
                        frac_len += 1;
                    }
                }
                b'.' if !in_frac => in_frac = true,
                _ => break,
            }
            pos += 1;
        }
        if !seen_digit {
            return None;
        }
        let mut exp: i64 = 0;
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            let exp_negative = match bytes.get(pos) {
                Some(b'-') => {
                    pos += 1;
                    true
                }
                Some(b'+') => {
                    pos += 1;
                    false
                }
                _ => false,
            };
            let start = pos;
            while let Some(&c) = bytes.get(pos) {
                if !c.is_ascii_digit() {
                    break;
                }
                exp = exp.saturating_mul(10).saturating_add(i64::from(c - b'0'));
                pos += 1;
            }
            if pos == start {
                return None;
            }
            if exp_negative {
                exp = -exp;
            }
        }
        if pos != bytes.len() {
            return None;
        }
        // Digits after the point that were dropped as leading zeros still
        // shift the exponent, so count the fraction from the raw text.
        exp = exp.saturating_sub(frac_len);
        while digits.last() == Some(&b'0') {
            digits.pop();
            exp = exp.saturating_add(1);
        }
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exp: 0,
            });
        }
        // unsigned_abs: saturation above can leave i64::MIN, whose abs() overflows.
        if exp.unsigned_abs() > MAX_EXP10.unsigned_abs() {
            return None;
        }
        Some(Decimal {
            negative,
            digits,
            exp,
        })
    }

    fn as_i64(&self) -> Option<i64> {
        if self.exp < 0 || self.digits.len() as i64 + self.exp > 19 {
            return None;
        }
        let mut v: i128 = 0;
        for &c in &self.digits {
            v = v * 10 + i128::from(c - b'0');
        }
        for _ in 0..self.exp {
            v *= 10;
        }
        if self.negative {
            v = -v;
        }
        i64::try_from(v).ok()
    }

    /// Whether the value is exactly an `f64`, i.e. `m * 2^e` with `m < 2^53`.
    /// Conservative: numbers with more than 38 significant digits report
    /// false even in the rare cases they are exact, which only means they stay
    /// `Decimal`, still the same number.
    fn is_exact_f64(&self) -> bool {
        if self.digits.len() > 38 {
            return false;
        }
        let mut d: u128 = 0;
        for &c in &self.digits {
            d = d * 10 + u128::from(c - b'0');
        }
        let Ok(k) = u32::try_from(self.exp.unsigned_abs()) else {
            return false;
        };
        let Some(pow5) = 5u128.checked_pow(k) else {
            return false;
        };
        // d * 10^exp = (d * 5^exp) * 2^exp; for a negative exponent the 5s
        // must cancel out of d, leaving an odd part that must fit the mantissa.
        let m = if self.exp >= 0 {
            match d.checked_mul(pow5) {
                Some(m) => m,
                None => return false,
            }
        } else {
            if !d.is_multiple_of(pow5) {
                return false;
            }
            d / pow5
        };
        (m >> m.trailing_zeros()) < (1u128 << 53)
    }

    fn digits_str(&self) -> &str {
        // Only ASCII digits are ever pushed.
        std::str::from_utf8(&self.digits).unwrap_or("0")
    }

    fn text(&self) -> String {
        let digits = self.digits_str();
        if digits.is_empty() {
            return "0".to_owned();
        }
        let sign = if self.negative { "-" } else { "" };
        let len = digits.len() as i64;
        if self.exp >= 0 {
            if self.exp <= MAX_PLAIN_ZEROS {
                let zeros = "0".repeat(self.exp as usize);
                return format!("{sign}{digits}{zeros}");
            }
        } else {
            let k = -self.exp;
            if k < len {
                let (int, frac) = digits.split_at((len - k) as usize);
                return format!("{sign}{int}.{frac}");
            }
            if k - len <= MAX_PLAIN_ZEROS {
                let zeros = "0".repeat((k - len) as usize);
                return format!("{sign}0.{zeros}{digits}");
            }
        }
        format!("{sign}{digits}e{}", self.exp)
    }

    fn to_number(&self) -> Number {
        if let Some(i) = self.as_i64() {
            return Number::Int(i);
        }
        let text = self.text();
        if self.is_exact_f64()
            && let Ok(f) = text.parse::<f64>()
        {
            return Number::Float(f);
        }
        Number::Decimal(text)
    }
}

impl Number {
    /// Parses decimal text (optional sign, digits, optional fraction and
    /// exponent) into canonical form. Returns `None` for anything else.
    pub fn parse(s: &str) -> Option<Number> {
        Decimal::parse(s).map(|d| d.to_number())
    }

    /// Canonical number for a float; `None` for NaN, which cty cannot hold.
    pub fn from_f64(f: f64) -> Option<Number> {
        if f.is_nan() {
            return None;
        }
        // 2^63 is exact in f64, so this range check is exact too.
        if f.fract() == 0.0
            && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
        {
            return Some(Number::Int(f as i64));
        }
        Some(Number::Float(f))
    }

    /// Canonical form of this number; `None` if it is NaN or malformed decimal text.
    pub fn normalized(&self) -> Option<Number> {
        match self {
            Number::Int(i) => Some(Number::Int(*i)),
            Number::Float(f) => Number::from_f64(*f),
            Number::Decimal(s) => Number::parse(s),
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.normalized()? {
            Number::Int(i) => Some(i),
            _ => None,
        }
    }

    /// Nearest `f64` (lossy for large integers and decimals).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Decimal(s) => Decimal::parse(s).and_then(|d| d.text().parse().ok()),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Decimal(s) => f.write_str(s),
        }
    }
}

/// A cty value. The type is not carried (except under a `Dynamic` type);
/// the codecs take it as a separate argument, as the plugin protocol does.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements in the order received; no deduplication.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A known-typed value in a `Dynamic`-typed slot. Null and unknown values
    /// of undetermined type in such slots are plain `Null` / `Unknown`.
    Dynamic(Type, Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    /// Short name of the variant, for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
            Value::Dynamic(..) => "dynamic wrapper",
        }
    }

    /// The value inside any `Dynamic` wrappers.
    pub fn concrete(&self) -> &Value {
        let mut v = self;
        while let Value::Dynamic(_, inner) = v {
            v = inner;
        }
        v
    }

    pub fn is_null(&self) -> bool {
        matches!(self.concrete(), Value::Null)
    }

    /// Whether the value itself is unknown (its contents may still be
    /// partially unknown when this is false; see [`Value::is_known`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self.concrete(), Value::Unknown)
    }

    /// Whether the value is wholly known: no `Unknown` anywhere inside.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_known)
            }
            Value::Map(items) | Value::Object(items) => items.values().all(Value::is_known),
            Value::Dynamic(_, inner) => inner.is_known(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.concrete() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.concrete() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.concrete() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// Object attribute; `None` if this is not an object or lacks `attr`.
    pub fn get(&self, attr: &str) -> Option<&Value> {
        match self.concrete() {
            Value::Object(attrs) => attrs.get(attr),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn dec(s: &str) -> Number {
        Number::Decimal(s.to_owned())
    }

    #[test]
    fn parse_canonicalises() {
        let cases: &[(&str, Number)] = &[
            ("0", Number::Int(0)),
            ("-0.000", Number::Int(0)),
            ("42", Number::Int(42)),
            ("+42", Number::Int(42)),
            ("-7", Number::Int(-7)),
            ("1e3", Number::Int(1000)),
            ("12.50", Number::Float(12.5)),
            ("0012.5e1", Number::Int(125)),
            ("9223372036854775807", Number::Int(i64::MAX)),
            ("-9223372036854775808", Number::Int(i64::MIN)),
            // 2^63 is an exact double but not an i64.
            (
                "9223372036854775808",
                Number::Float(9_223_372_036_854_775_808.0),
            ),
            ("18446744073709551615", dec("18446744073709551615")),
            ("1.5", Number::Float(1.5)),
            ("-0.25", Number::Float(-0.25)),
            ("0.1", dec("0.1")),
            (".5", Number::Float(0.5)),
            ("5.", Number::Int(5)),
            (
                "123456789012345678901234567890",
                dec("123456789012345678901234567890"),
            ),
            ("1e100", dec("1e100")),
            ("1E-100", dec("1e-100")),
            ("0.00123", dec("0.00123")),
            ("3.14159", dec("3.14159")),
            // 10^22 = 2^22 * 5^22 and 5^22 < 2^53, so it is an exact double; 10^23 is not.
            ("1e22", Number::Float(1e22)),
            ("1e23", dec("100000000000000000000000")),
        ];
        for (text, want) in cases {
            assert_eq!(Number::parse(text).as_ref(), Some(want), "{text}");
        }
        for bad in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            "0x10",
            "0.5e-99999999999999999999999",
            "5e99999999999999999999",
            "1e-9223372036854775808",
            "1 ",
            " 1",
            "inf",
            "NaN",
            "1e9999999",
        ] {
            assert_eq!(Number::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn canonical_text_round_trips() {
        for text in [
            "0.1",
            "-123.456",
            "1e-100",
            "1e100",
            "0.00123",
            "100000000000000000000000",
        ] {
            let Some(Number::Decimal(s)) = Number::parse(text) else {
                panic!("{text} should stay decimal");
            };
            assert_eq!(Number::parse(&s), Some(Number::Decimal(s.clone())));
        }
    }

    #[test]
    fn from_f64() {
        assert_eq!(Number::from_f64(3.0), Some(Number::Int(3)));
        assert_eq!(Number::from_f64(-0.0), Some(Number::Int(0)));
        assert_eq!(Number::from_f64(2.5), Some(Number::Float(2.5)));
        assert_eq!(Number::from_f64(1e19), Some(Number::Float(1e19)));
        assert_eq!(
            Number::from_f64(f64::INFINITY),
            Some(Number::Float(f64::INFINITY))
        );
        assert_eq!(Number::from_f64(f64::NAN), None);
    }

    #[test]
    fn accessors() {
        let v = Value::Object(BTreeMap::from([
            ("s".to_owned(), Value::string("x")),
            (
                "d".to_owned(),
                Value::Dynamic(Type::Number, Box::new(Value::int(5))),
            ),
            (
                "l".to_owned(),
                Value::List(vec![Value::Bool(true), Value::Unknown]),
            ),
        ]));
        assert_eq!(v.get("s").and_then(Value::as_str), Some("x"));
        assert_eq!(v.get("d").and_then(Value::as_i64), Some(5));
        assert_eq!(v.get("missing"), None);
        assert!(!v.is_known());
        assert!(!v.is_unknown());
        assert!(!v.is_null());
        assert!(Value::Dynamic(Type::String, Box::new(Value::Null)).is_null());
        assert!(Value::Dynamic(Type::String, Box::new(Value::Unknown)).is_unknown());
        assert!(Value::Null.is_known());
        assert_eq!(Value::Bool(false).as_bool(), Some(false));
        assert_eq!(
            Value::Number(Number::Decimal("12.0".into())).as_i64(),
            Some(12)
        );
        assert_eq!(Value::string("1").as_i64(), None);
    }
}
