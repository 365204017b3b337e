//! The bad-input table's data files (`cases.json`, `formerly_unanswered.json`; `README.md` beside
//! them describes the format): each entry read into the requests it stands for. An entry this
//! loader cannot understand fails the test and names the entry; nothing is skipped.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value as Json};
use terraform_provider_cloudtrail::cty::{self, Number, Type, Value};
use terraform_provider_cloudtrail::provider::Provider;
use tfplugin_proto::tfplugin6 as pb;

use crate::{Call, DATA_SOURCE, RESOURCE};

/// One request of the table and the phrase its error diagnostic must contain.
pub(crate) struct Case {
    pub name: String,
    pub call: Call,
    pub phrase: String,
}

/// The cases of a data file, in its order: one per entry and call. Panics, naming the entry, at
/// the first entry it cannot read.
pub(crate) fn load(file: &str, text: &str) -> Vec<Case> {
    try_load(text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn try_load(text: &str) -> Result<Vec<Case>, String> {
    let entries: Vec<Json> =
        serde_json::from_str(text).map_err(|e| format!("not a JSON list of cases: {e}"))?;
    let mut names = BTreeSet::new();
    let mut cases = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let label = match entry.get("name").and_then(Json::as_str) {
            Some(name) => format!("case {name:?} (entry {})", i + 1),
            None => format!("entry {}", i + 1),
        };
        let built = serde_json::from_value::<Entry>(entry)
            .map_err(|e| e.to_string())
            .and_then(|entry| {
                if !names.insert(entry.name.clone()) {
                    return Err("another case has this name".to_owned());
                }
                entry.cases()
            })
            .map_err(|e| format!("{label}: {e}"))?;
        cases.extend(built);
    }
    if cases.is_empty() {
        return Err("no cases".into());
    }
    Ok(cases)
}

/// An entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    /// Free text for the reader, like a comment.
    #[serde(default, rename = "note")]
    _note: Option<String>,
    call: Option<String>,
    calls: Option<Vec<String>>,
    r#type: Option<String>,
    type_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    config: Option<Json>,
    msgpack: Option<Json>,
    json: Option<Json>,
    patch: Option<Patch>,
    append: Option<Json>,
    #[serde(default, deserialize_with = "present")]
    planned: Option<Json>,
    #[serde(default, deserialize_with = "present")]
    state: Option<Json>,
    id: Option<Json>,
    raw_state: Option<RawState>,
    phrase: String,
}

/// A field given as `null` is there (a null configuration), unlike one left out.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Patch {
    find: Json,
    replace: Json,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    #[serde(default)]
    version: i64,
    json: Option<Json>,
    #[serde(default)]
    flatmap: BTreeMap<String, String>,
}

/// What a call's values are objects of.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Resource,
    DataSource,
    Provider,
}

/// Every call the table knows: its target and the inputs it takes (`config` stands for
/// `config`, `msgpack` or `json`).
const CALLS: &[(&str, Target, &[&str])] = &[
    ("validate_resource", Target::Resource, &["config"]),
    (
        "validate_resource_type",
        Target::Resource,
        &["config", "type_name"],
    ),
    ("plan", Target::Resource, &["config"]),
    ("apply", Target::Resource, &["config"]),
    ("apply_planned", Target::Resource, &["config", "planned"]),
    ("read", Target::Resource, &["state"]),
    ("upgrade", Target::Resource, &["raw_state"]),
    ("import", Target::Resource, &["id"]),
    ("validate_data", Target::DataSource, &["config"]),
    ("read_data", Target::DataSource, &["config"]),
    ("validate_provider", Target::Provider, &["config"]),
    ("configure", Target::Provider, &["config"]),
];

impl Entry {
    fn cases(&self) -> Result<Vec<Case>, String> {
        if self.name.is_empty() {
            return Err("`name` is empty".into());
        }
        if self.phrase.is_empty() {
            return Err("`phrase` is empty, which every diagnostic would contain".into());
        }
        let calls = match (&self.call, &self.calls) {
            (Some(call), None) => vec![call.clone()],
            (None, Some(calls)) if !calls.is_empty() => calls.clone(),
            _ => return Err("give `call` (one) or `calls` (a non-empty list)".into()),
        };
        let mut needed = BTreeSet::new();
        for (i, call) in calls.iter().enumerate() {
            if calls[..i].contains(call) {
                return Err(format!("call {call:?} is listed twice"));
            }
            let (target, inputs) = call_info(call)?;
            if target == Target::Provider && self.r#type.is_some() {
                return Err(format!(
                    "`type` names a resource or data source type; {call} has none"
                ));
            }
            needed.extend(inputs.iter().copied());
        }
        for (input, given) in [
            (
                "config",
                self.config.is_some() || self.msgpack.is_some() || self.json.is_some(),
            ),
            ("planned", self.planned.is_some()),
            ("state", self.state.is_some()),
            ("id", self.id.is_some()),
            ("raw_state", self.raw_state.is_some()),
            ("type_name", self.type_name.is_some()),
        ] {
            match (needed.contains(input), given) {
                (true, false) => return Err(format!("its calls need `{input}`")),
                (false, true) => return Err(format!("none of its calls takes `{input}`")),
                _ => {}
            }
        }
        if (self.patch.is_some() || self.append.is_some()) && self.config.is_none() {
            return Err("`patch` and `append` change the encoding of `config`".into());
        }
        let single = calls.len() == 1;
        calls
            .iter()
            .map(|call| {
                Ok(Case {
                    name: if single {
                        self.name.clone()
                    } else {
                        format!("{} ({call})", self.name)
                    },
                    call: self.request(call).map_err(|e| format!("{call}: {e}"))?,
                    phrase: self.phrase.clone(),
                })
            })
            .collect()
    }

    /// The request of `call` (one of `CALLS`).
    fn request(&self, call: &str) -> Result<Call, String> {
        let (target, _) = call_info(call)?;
        let type_name = self.r#type.clone().unwrap_or_else(|| match target {
            Target::DataSource => DATA_SOURCE.to_owned(),
            _ => RESOURCE.to_owned(),
        });
        let ty = match target {
            Target::Resource => Provider::resource_schema(&type_name)
                .map_err(|_| format!("no resource type {type_name:?}"))?
                .value_type(),
            Target::DataSource => Provider::data_source_schema(&type_name)
                .map_err(|_| format!("no data source {type_name:?}"))?
                .value_type(),
            Target::Provider => Provider::provider_schema().value_type(),
        };
        Ok(match call {
            "validate_resource" => Call::ValidateResource {
                type_name,
                config: self.config(&ty)?,
            },
            "validate_resource_type" => Call::ValidateResource {
                type_name: self.type_name.clone().ok_or("no `type_name`")?,
                config: self.config(&ty)?,
            },
            "plan" => Call::Plan {
                type_name,
                config: self.config(&ty)?,
            },
            "apply" => {
                let config = self.config(&ty)?;
                Call::Apply {
                    type_name,
                    planned: config.clone(),
                    config,
                }
            }
            "apply_planned" => Call::Apply {
                type_name,
                config: self.config(&ty)?,
                planned: encoded(self.planned.as_ref().ok_or("no `planned`")?, &ty, "planned")?,
            },
            "read" => Call::Read {
                type_name,
                state: encoded(self.state.as_ref().ok_or("no `state`")?, &ty, "state")?,
            },
            "upgrade" => {
                let raw = self.raw_state.as_ref().ok_or("no `raw_state`")?;
                Call::Upgrade {
                    type_name,
                    version: raw.version,
                    raw_state: pb::RawState {
                        json: match &raw.json {
                            Some(json) => bytes(json, "raw_state.json")?,
                            None => vec![],
                        },
                        flatmap: raw.flatmap.clone().into_iter().collect(),
                    },
                }
            }
            "import" => match value(self.id.as_ref().ok_or("no `id`")?, &Type::String, "id")? {
                (Value::String(id), _) => Call::Import { type_name, id },
                _ => return Err("`id` must be a string".into()),
            },
            "validate_data" => Call::ValidateData {
                type_name,
                config: self.config(&ty)?,
            },
            "read_data" => Call::ReadData {
                type_name,
                config: self.config(&ty)?,
            },
            "validate_provider" => Call::ValidateProvider(self.config(&ty)?),
            "configure" => Call::Configure(self.config(&ty)?),
            other => return Err(format!("no request for call {other:?}")),
        })
    }

    /// The configuration: `config` encoded as `ty` (then patched and appended to), or the
    /// bytes of `msgpack` or `json` as they are.
    fn config(&self, ty: &Type) -> Result<pb::DynamicValue, String> {
        match (&self.config, &self.msgpack, &self.json) {
            (Some(config), None, None) => {
                let mut dv = encoded(config, ty, "config")?;
                if let Some(patch) = &self.patch {
                    let find = bytes(&patch.find, "patch.find")?;
                    let replace = bytes(&patch.replace, "patch.replace")?;
                    let at = dv
                        .msgpack
                        .windows(find.len().max(1))
                        .position(|w| !find.is_empty() && w == find.as_slice())
                        .ok_or("`patch.find` is not in the encoding of `config`")?;
                    dv.msgpack.splice(at..at + find.len(), replace);
                }
                if let Some(append) = &self.append {
                    dv.msgpack.extend(bytes(append, "append")?);
                }
                Ok(dv)
            }
            (None, Some(msgpack), None) => Ok(pb::DynamicValue {
                msgpack: bytes(msgpack, "msgpack")?,
                json: vec![],
            }),
            (None, None, Some(json)) => Ok(pb::DynamicValue {
                msgpack: vec![],
                json: bytes(json, "json")?,
            }),
            _ => Err("give exactly one of `config`, `msgpack` and `json`".into()),
        }
    }
}

fn call_info(call: &str) -> Result<(Target, &'static [&'static str]), String> {
    CALLS
        .iter()
        .find(|(name, _, _)| *name == call)
        .map(|(_, target, inputs)| (*target, *inputs))
        .ok_or_else(|| {
            let known: Vec<&str> = CALLS.iter().map(|(name, _, _)| *name).collect();
            format!("unknown call {call:?}; the calls are {}", known.join(", "))
        })
}

/// `spec` as a value of `ty`, encoded as msgpack (as the type its forms make it).
fn encoded(spec: &Json, ty: &Type, at: &str) -> Result<pb::DynamicValue, String> {
    let (value, ty) = value(spec, ty, at)?;
    let msgpack = cty::msgpack::encode(&value, &ty).map_err(|e| format!("{at}: {e}"))?;
    Ok(pb::DynamicValue {
        msgpack,
        json: vec![],
    })
}

/// Objects with one of these keys are forms, not values of an object or map: the first two
/// stand anywhere a value does, the others only as an object's attribute.
const FORMS: &[&str] = &["repeat", "unknown", "as_type", "added_as", "removed"];

/// A form's name (one of `FORMS`) and its object.
type Form<'a> = (&'static str, &'a Map<String, Json>);

/// The form `spec` is, if any. An object type with an attribute of a form's name would make
/// its values ambiguous, so that is an error rather than a guess.
fn form<'a>(spec: &'a Json, ty: &Type, at: &str) -> Result<Option<Form<'a>>, String> {
    let Json::Object(map) = spec else {
        return Ok(None);
    };
    let Some(form) = FORMS.iter().copied().find(|f| map.contains_key(*f)) else {
        return Ok(None);
    };
    if let Type::Object(attrs) = ty
        && attrs.contains_key(form)
    {
        return Err(format!(
            "{at}: {form:?} is both an attribute of this object and a form of the table"
        ));
    }
    Ok(Some((form, map)))
}

/// Checks that the form's object has exactly its keys.
fn keys(
    map: &Map<String, Json>,
    required: &[&str],
    optional: &[&str],
    at: &str,
) -> Result<(), String> {
    for key in required {
        if !map.contains_key(*key) {
            return Err(format!("{at}: this form needs {key:?}"));
        }
    }
    if let Some(key) = map
        .keys()
        .find(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
    {
        return Err(format!("{at}: {key:?} is not part of this form"));
    }
    Ok(())
}

/// `spec` as a value of `ty`, with the type it is sent as: `ty`, unless an attribute inside was
/// sent as another type, added or removed.
fn value(spec: &Json, ty: &Type, at: &str) -> Result<(Value, Type), String> {
    match form(spec, ty, at)? {
        Some(("repeat", map)) => {
            keys(map, &["repeat", "times"], &[], at)?;
            let (Some(text), Some(times), Type::String) =
                (map["repeat"].as_str(), map["times"].as_u64(), ty)
            else {
                return Err(format!(
                    "{at}: \"repeat\" makes a string of a string and a count of times"
                ));
            };
            let times = usize::try_from(times).map_err(|e| format!("{at}: {e}"))?;
            return Ok((Value::String(text.repeat(times)), ty.clone()));
        }
        Some(("unknown", map)) => {
            keys(map, &["unknown"], &[], at)?;
            if map["unknown"] != Json::Bool(true) {
                return Err(format!("{at}: the form is {{\"unknown\": true}}"));
            }
            return Ok((Value::Unknown, ty.clone()));
        }
        Some((form, _)) => {
            return Err(format!(
                "{at}: {form:?} stands only as an object's attribute"
            ));
        }
        None => {}
    }
    let value = match (ty, spec) {
        (_, Json::Null) => Value::Null,
        (Type::String, Json::String(s)) => Value::String(s.clone()),
        (Type::Number, Json::Number(n)) => Value::Number(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Number::Int(i),
            (None, Some(f)) => Number::Float(f),
            (None, None) => return Err(format!("{at}: {n} is no number cty holds")),
        }),
        // Numbers JSON cannot hold (1e999) are written as decimal text.
        (Type::Number, Json::String(s)) => Value::Number(
            Number::parse(s).ok_or_else(|| format!("{at}: {s:?} is not decimal text"))?,
        ),
        (Type::Bool, Json::Bool(b)) => Value::Bool(*b),
        (Type::List(element), Json::Array(items)) => Value::List(elements(items, element, at)?),
        (Type::Set(element), Json::Array(items)) => Value::Set(elements(items, element, at)?),
        (Type::Map(element), Json::Object(map)) => Value::Map(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), same_type(v, element, &format!("{at}[{k:?}]"))?)))
                .collect::<Result<_, String>>()?,
        ),
        (Type::Object(attrs), Json::Object(map)) => return object(map, attrs, at),
        _ => {
            return Err(format!(
                "{at}: {spec} is not a value of type {}",
                ty.to_json()
            ));
        }
    };
    Ok((value, ty.clone()))
}

fn elements(items: &[Json], element: &Type, at: &str) -> Result<Vec<Value>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| same_type(item, element, &format!("{at}[{i}]")))
        .collect()
}

/// A collection's element: its type cannot change, as all elements share one.
fn same_type(spec: &Json, ty: &Type, at: &str) -> Result<Value, String> {
    let (value, sent) = value(spec, ty, at)?;
    if sent != *ty {
        return Err(format!(
            "{at}: an element of a list, set or map cannot change its type"
        ));
    }
    Ok(value)
}

/// An object of `attrs`: every attribute null but those `map` sets, adds or removes.
fn object(
    map: &Map<String, Json>,
    attrs: &BTreeMap<String, Type>,
    at: &str,
) -> Result<(Value, Type), String> {
    let mut types = attrs.clone();
    let mut values: BTreeMap<String, Value> =
        attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
    for (name, spec) in map {
        let here = format!("{at}.{name}");
        let declared = attrs.get(name);
        let (value, ty) = match (
            form(spec, declared.unwrap_or(&Type::Dynamic), &here)?,
            declared,
        ) {
            (Some(("removed", form)), Some(_)) => {
                keys(form, &["removed"], &[], &here)?;
                if form["removed"] != Json::Bool(true) {
                    return Err(format!("{here}: the form is {{\"removed\": true}}"));
                }
                types.remove(name);
                values.remove(name);
                continue;
            }
            (Some(("as_type", form)), Some(_)) => {
                keys(form, &["as_type"], &["value"], &here)?;
                let ty = type_from(&form["as_type"], &here)?;
                value(form.get("value").unwrap_or(&Json::Null), &ty, &here)?
            }
            (Some(("added_as", form)), None) => {
                keys(form, &["added_as"], &["value"], &here)?;
                let ty = type_from(&form["added_as"], &here)?;
                value(form.get("value").unwrap_or(&Json::Null), &ty, &here)?
            }
            (Some(("added_as", _)), Some(_)) => {
                return Err(format!(
                    "{here} is an attribute already; \"as_type\" sends it as another type"
                ));
            }
            (_, None) => {
                let known: Vec<&str> = attrs.keys().map(String::as_str).collect();
                return Err(format!(
                    "{here} is not an attribute here (\"added_as\" adds one); the attributes are {}",
                    known.join(", ")
                ));
            }
            (_, Some(declared)) => value(spec, declared, &here)?,
        };
        types.insert(name.clone(), ty);
        values.insert(name.clone(), value);
    }
    Ok((Value::Object(values), Type::Object(types)))
}

/// A type in cty's JSON: `"string"`, `["list", "string"]`, `["object", {"a": "bool"}]`.
fn type_from(spec: &Json, at: &str) -> Result<Type, String> {
    Type::from_json(spec).map_err(|e| format!("{at}: {spec} is not a cty type: {e}"))
}

/// Bytes: a string (its UTF-8), `{"hex": "c0 ff"}`, or a list of those, concatenated.
fn bytes(spec: &Json, at: &str) -> Result<Vec<u8>, String> {
    match spec {
        Json::String(s) => Ok(s.as_bytes().to_vec()),
        Json::Array(parts) => parts.iter().try_fold(Vec::new(), |mut out, part| {
            out.extend(bytes(part, at)?);
            Ok(out)
        }),
        Json::Object(map) if map.len() == 1 && map.get("hex").is_some_and(Json::is_string) => {
            let digits: Vec<u8> = map["hex"]
                .as_str()
                .unwrap_or_default()
                .bytes()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            if !digits.len().is_multiple_of(2) {
                return Err(format!("{at}: an odd number of hex digits"));
            }
            digits
                .chunks(2)
                .map(|pair| {
                    std::str::from_utf8(pair)
                        .ok()
                        .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                        .ok_or_else(|| {
                            format!(
                                "{at}: {:?} is not a hex byte",
                                String::from_utf8_lossy(pair)
                            )
                        })
                })
                .collect()
        }
        _ => Err(format!(
            "{at}: bytes are a string (its UTF-8), {{\"hex\": \"..\"}} or a list of those, not {spec}"
        )),
    }
}

/// Entries the loader cannot read are errors that name the entry and what is wrong, never
/// skipped cases.
#[test]
fn entries_it_cannot_read_are_refused_by_name() {
    let good = r#""name": "n", "call": "validate_resource", "phrase": "p""#;
    for (entry, expected) in [
        (
            r#"{"name": "n", "call": "validate_resource", "config": {"bogus": "x"}, "phrase": "p"}"#,
            r#"case "n" (entry 1): validate_resource: config.bogus is not an attribute here"#,
        ),
        (
            r#"{"name": "n", "call": "frobnicate", "config": {}, "phrase": "p"}"#,
            r#"case "n" (entry 1): unknown call "frobnicate""#,
        ),
        (
            r#"{"name": "n", "calls": ["plan", "plan"], "config": {}, "phrase": "p"}"#,
            "listed twice",
        ),
        (
            r#"{"name": "n", "config": {}, "phrase": "p"}"#,
            "give `call`",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {}, "phrase": "p", "phrse": "q"}"#,
            "unknown field `phrse`",
        ),
        (
            r#"{"call": "plan", "config": {}, "phrase": "p"}"#,
            "entry 1: missing field `name`",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {}, "phrase": ""}"#,
            "`phrase` is empty",
        ),
        (
            r#"{"name": "n", "call": "import", "phrase": "p"}"#,
            "its calls need `id`",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {}, "id": "x", "phrase": "p"}"#,
            "none of its calls takes `id`",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {}, "msgpack": "", "phrase": "p"}"#,
            "exactly one of `config`, `msgpack` and `json`",
        ),
        (
            r#"{"name": "n", "call": "plan", "type": "cloudtrail_nope", "config": {}, "phrase": "p"}"#,
            r#"no resource type "cloudtrail_nope""#,
        ),
        (
            r#"{"name": "n", "call": "configure", "type": "cloudtrail_nope", "config": {}, "phrase": "p"}"#,
            "`type` names a resource or data source type",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {"event_data_store": 5}, "phrase": "p"}"#,
            "config.event_data_store: 5 is not a value of type \"string\"",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {"event_data_store": {"repeat": "a"}}, "phrase": "p"}"#,
            r#"config.event_data_store: this form needs "times""#,
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {"event_data_store": {"as_type": "strin"}}, "phrase": "p"}"#,
            "is not a cty type",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {"timeouts": {"create": {"removed": false}}}, "phrase": "p"}"#,
            r#"config.timeouts.create: the form is {"removed": true}"#,
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {"status": {"added_as": "string"}}, "phrase": "p"}"#,
            "config.status is an attribute already",
        ),
        (
            r#"{"name": "n", "call": "plan", "config": {}, "patch": {"find": "zz", "replace": ""}, "phrase": "p"}"#,
            "`patch.find` is not in the encoding",
        ),
        (
            r#"{"name": "n", "call": "plan", "msgpack": {"hex": "c"}, "phrase": "p"}"#,
            "msgpack: an odd number of hex digits",
        ),
        (
            r#"{"name": "n", "call": "plan", "msgpack": {"hex": "zz"}, "phrase": "p"}"#,
            r#"msgpack: "zz" is not a hex byte"#,
        ),
    ] {
        let Err(error) = try_load(&format!("[{entry}]")) else {
            panic!("loaded {entry}");
        };
        assert!(
            error.contains(expected),
            "{entry}:\n{error}\nlacks {expected:?}"
        );
    }
    // The entry is named by its position too, and a name is used once.
    let good = format!("{{{good}, \"config\": {{}}}}");
    let Err(error) = try_load(&format!("[{good}, {good}]")) else {
        panic!("loaded a name twice");
    };
    assert!(
        error.contains(r#"case "n" (entry 2): another case has this name"#),
        "{error}"
    );
}
