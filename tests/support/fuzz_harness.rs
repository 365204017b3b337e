//! What each fuzz target checks, in plain Rust: the libFuzzer targets in `fuzz/fuzz_targets/`
//! call these functions (they include this file by path), and so does `tests/bad_input.rs`, which replays the committed corpus and a
//! short seeded mutation run on the stable toolchain in every `cargo test`.
//!
//! Every function must return normally for every input. A panic is a finding: either a crash in
//! the code under test, or a broken property (the decoders' round trip, the ARN rule's
//! postconditions, the handshake's port range).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use terraform_provider_cloudtrail::aws::arn::{self, StoreRef};
use terraform_provider_cloudtrail::cty::{self, Type};
use terraform_provider_cloudtrail::plugin::{self, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use terraform_provider_cloudtrail::provider::Provider;

/// One fuzz target's check.
pub type Check = fn(&[u8]);

/// The fuzz targets, by the name of their binary and of their corpus directory.
pub const TARGETS: &[(&str, Check)] = &[
    ("msgpack_decode", msgpack_decode),
    ("json_decode", json_decode),
    ("arn_parse", arn_parse),
    ("handshake_env", handshake_env),
];

/// A fixed type that reaches every branch of the decoders: every primitive, every collection,
/// nested objects, tuples and dynamic slots (whose concrete type travels in the input).
pub fn rich_type() -> &'static Type {
    static TYPE: OnceLock<Type> = OnceLock::new();
    TYPE.get_or_init(|| {
        Type::object([
            ("name", Type::String),
            ("count", Type::Number),
            ("enabled", Type::Bool),
            ("tags", Type::map(Type::String)),
            ("ids", Type::set(Type::String)),
            ("ports", Type::list(Type::Number)),
            ("pair", Type::tuple(vec![Type::String, Type::Bool])),
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
            ("anything", Type::Dynamic),
            ("nested_dynamic", Type::list(Type::Dynamic)),
        ])
    })
}

/// The real resource's value type, so the fuzzers also walk what Terraform sends every day.
pub fn resource_type() -> &'static Type {
    static TYPE: OnceLock<Type> = OnceLock::new();
    TYPE.get_or_init(|| {
        Provider::resource_schema("cloudtrail_ingestion_state")
            .expect("resource schema")
            .value_type()
    })
}

/// The provider block's value type.
pub fn provider_type() -> &'static Type {
    static TYPE: OnceLock<Type> = OnceLock::new();
    TYPE.get_or_init(|| Provider::provider_schema().value_type())
}

fn types() -> [&'static Type; 4] {
    static DYNAMIC: Type = Type::Dynamic;
    [rich_type(), resource_type(), provider_type(), &DYNAMIC]
}

/// msgpack: decoding never panics; a decoded value encodes again, decodes to itself, and that
/// encoding is canonical (a second round gives the same bytes).
pub fn msgpack_decode(data: &[u8]) {
    for ty in types() {
        match cty::msgpack::decode(data, ty) {
            Ok(value) => {
                let bytes = cty::msgpack::encode(&value, ty)
                    .unwrap_or_else(|e| panic!("decoded msgpack value does not encode: {e}"));
                let again = cty::msgpack::decode(&bytes, ty)
                    .unwrap_or_else(|e| panic!("re-encoded msgpack does not decode: {e}"));
                assert_eq!(again, value, "msgpack round trip changed the value");
                let bytes2 = cty::msgpack::encode(&again, ty).expect("second encode");
                assert_eq!(bytes2, bytes, "msgpack encoding is not canonical");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

/// JSON (RawState): decoding never panics; a decoded value (which can hold no unknowns) encodes
/// to JSON and to msgpack (what UpgradeResourceState answers) and decodes back to itself.
pub fn json_decode(data: &[u8]) {
    for ty in types() {
        match cty::json::decode(data, ty) {
            Ok(value) => {
                assert!(value.is_known(), "JSON cannot express unknowns");
                let bytes = cty::json::encode(&value, ty)
                    .unwrap_or_else(|e| panic!("decoded JSON value does not encode: {e}"));
                let again = cty::json::decode(&bytes, ty).unwrap_or_else(|e| {
                    panic!(
                        "re-encoded JSON does not decode: {e}: {}",
                        String::from_utf8_lossy(&bytes)
                    )
                });
                assert_eq!(again, value, "JSON round trip changed the value");
                let packed = cty::msgpack::encode(&value, ty).unwrap_or_else(|e| {
                    panic!("JSON-decoded value does not encode as msgpack: {e}")
                });
                let unpacked = cty::msgpack::decode(&packed, ty).expect("msgpack of JSON value");
                assert_eq!(unpacked, value, "JSON value changed through msgpack");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

/// The ARN/ID rule: never panics; what it accepts satisfies the rule it states, and what it
/// refuses is reported with the value escaped (no raw control characters reach a terminal).
pub fn arn_parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match StoreRef::parse(&text) {
        Ok(r) => {
            let chars = text.chars().count();
            assert!((arn::MIN_LEN..=arn::MAX_LEN).contains(&chars), "{text:?}");
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._/-:".contains(c)),
                "{text:?}"
            );
            assert_eq!(r.raw, text);
            assert!(!r.id.is_empty(), "{text:?}");
            assert!(text.ends_with(&r.id), "{text:?}");
            if text.starts_with("arn:") {
                let region = r.region.as_deref().expect("an ARN names a region");
                assert!(!region.is_empty());
                assert!(text.contains(&format!(":cloudtrail:{region}:")), "{text:?}");
                assert!(text.contains(":eventdatastore/"), "{text:?}");
                let account = r.account.as_deref().expect("an ARN names an account");
                assert!(
                    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
                    "{text:?}"
                );
            } else {
                assert_eq!(r.id, text);
                assert!(r.region.is_none() && r.account.is_none());
            }
            assert!(r.same_store(&r));
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(
                !shown.chars().any(char::is_control),
                "control character in the diagnostic: {shown:?}"
            );
            assert!(shown.contains("3 to 256 characters"), "{shown}");
        }
    }
}

/// Splits the input at NUL bytes into the five handshake variables. A field that is exactly
/// `\x01` is absent; a first field of `=` is the right cookie; a certificate field starting with
/// `B64:` is wrapped in PEM armour so the fuzzer reaches the certificate decoder.
pub fn handshake_env(data: &[u8]) {
    let fields: Vec<Option<String>> = data
        .split(|b| *b == 0)
        .map(|f| (f != [1]).then(|| String::from_utf8_lossy(f).into_owned()))
        .collect();
    let field = |i: usize| fields.get(i).cloned().flatten();
    let cookie = match field(0) {
        Some(c) if c == "=" => Some(MAGIC_COOKIE_VALUE.to_owned()),
        other => other,
    };
    let cert = field(4).map(|c| match c.strip_prefix("B64:") {
        Some(body) => format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"),
        None => c,
    });
    let get = |k: &str| match k {
        MAGIC_COOKIE_KEY => cookie.clone(),
        "PLUGIN_PROTOCOL_VERSIONS" => field(1),
        "PLUGIN_MIN_PORT" => field(2),
        "PLUGIN_MAX_PORT" => field(3),
        "PLUGIN_CLIENT_CERT" => cert.clone(),
        _ => None,
    };
    match plugin::parse_env(get) {
        Ok(env) => {
            assert_eq!(cookie.as_deref(), Some(MAGIC_COOKIE_VALUE));
            assert!(env.min_port >= 1 && env.min_port <= env.max_port, "{env:?}");
            if let Some(der) = &env.client_cert {
                assert!(!der.is_empty() || cert.is_some());
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// Cheap deterministic mutations for the stable-toolchain run in the test suite (no libFuzzer
/// there): bit flips, byte overwrites with interesting values, truncation, splices and inserted
/// msgpack length markers.
pub struct Mutator(pub u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    pub fn mutate(&mut self, input: &[u8], other: &[u8]) -> Vec<u8> {
        const INTERESTING: &[u8] = &[
            0x00, 0x01, 0x7f, 0x80, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xd4, 0xd9, 0xdc, 0xdd, 0xde,
            0xdf, 0xff, b'"', b'\\', b'{', b'[', b':', b'/', b'-', b'e',
        ];
        let mut out = input.to_vec();
        for _ in 0..=self.below(3) {
            match self.below(7) {
                0 if !out.is_empty() => {
                    let i = self.below(out.len());
                    out[i] ^= 1 << self.below(8);
                }
                1 if !out.is_empty() => {
                    let i = self.below(out.len());
                    out[i] = INTERESTING[self.below(INTERESTING.len())];
                }
                2 => {
                    let n = self.below(out.len() + 1);
                    out.truncate(n);
                }
                3 => {
                    let at = self.below(out.len() + 1);
                    let from = self.below(other.len() + 1);
                    let len = self.below(other.len() - from + 1);
                    out.splice(at..at, other[from..from + len].iter().copied());
                }
                4 => {
                    let at = self.below(out.len() + 1);
                    let marker: &[u8] = match self.below(4) {
                        0 => &[0xdd, 0xff, 0xff, 0xff, 0xff],
                        1 => &[0xdf, 0x7f, 0xff, 0xff, 0xff],
                        2 => &[0xdb, 0xff, 0xff, 0xff, 0xf0],
                        _ => &[0xc7, 0xff, 0x0c],
                    };
                    out.splice(at..at, marker.iter().copied());
                }
                5 if !out.is_empty() => {
                    let i = self.below(out.len());
                    let n = self.below(out.len() - i + 1);
                    out.drain(i..i + n);
                }
                _ => {
                    let at = self.below(out.len() + 1);
                    let byte = (self.next() >> 32) as u8;
                    out.insert(at, byte);
                }
            }
        }
        out
    }
}
