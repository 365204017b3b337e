//! The service's dispatch, driven in process with a toy provider: decoding, unknown types,
//! identities filled from state, and failures as diagnostics, never gRPC errors.

use std::sync::atomic::{AtomicUsize, Ordering};

use tonic::Request;

use super::*;
use crate::cty::{self, Value};
use crate::model::model;
use crate::registry::Registry;
use crate::resource::{Applied, Change, MovedState, Plan, Read, Resource, object};
use crate::schema::{Attribute, Block, IdentitySchema};

/// The answer to a request (a gRPC error fails the test).
macro_rules! answer {
    ($s:ident.$rpc:ident($req:expr)) => {
        $s.$rpc(Request::new($req))
            .await
            .expect("answers")
            .into_inner()
    };
}

/// What every toy operation is handed: how many operations ran.
#[derive(Clone, Default)]
struct Count(std::sync::Arc<AtomicUsize>);

struct Toy;

static APPLIED: AtomicUsize = AtomicUsize::new(0);

model! {
    /// A toy thing.
    pub struct ToyModel { pub name: Field<String>, pub id: Field<String> }
}

impl Toy {
    fn applied(change: Change<ToyModel>) -> Applied<ToyModel> {
        APPLIED.fetch_add(1, Ordering::Relaxed);
        let name = change.planned.name;
        Applied {
            state: Some(ToyModel {
                id: name.clone(),
                name,
            }),
            diagnostics: Diagnostics::new(),
        }
    }
}

impl Resource<Count> for Toy {
    const TYPE_NAME: &'static str = "toy_thing";
    type Model = ToyModel;

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("A thing.")
                .attribute(Attribute::string("name").required())
                .attribute(Attribute::string("id").computed()),
        )
    }

    fn validate(config: &Value) -> Diagnostics {
        match config.get("name").and_then(Value::as_str) {
            Some("") => Diagnostic::error("Empty name", "name: must not be empty").into(),
            _ => Diagnostics::new(),
        }
    }

    async fn modify_plan(&self, ctx: &Count, _plan: &mut Plan<ToyModel>) {
        ctx.0.fetch_add(1, Ordering::Relaxed);
    }

    async fn create(&self, _ctx: &Count, change: Change<ToyModel>) -> Applied<ToyModel> {
        Self::applied(change)
    }

    async fn delete(&self, _ctx: &Count, _prior: ToyModel) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(&self, _ctx: &Count, state: ToyModel) -> Read<ToyModel> {
        Read::Found(state)
    }

    fn import(&self, _ctx: &Count, id: &str) -> Result<ToyModel, Diagnostics> {
        Ok(ToyModel {
            name: id.into(),
            id: id.into(),
        })
    }

    fn identity_schema() -> Option<IdentitySchema> {
        Some(IdentitySchema::single("id", cty::Type::String, ""))
    }

    fn import_id(identity: &Value) -> Result<String, Diagnostics> {
        identity
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| Diagnostic::error("No id", "identity: id is required").into())
    }

    /// An `old_thing` of any provider had a `label`, which becomes name and id.
    fn move_state(source: &MovedState) -> Option<Result<ToyModel, Diagnostics>> {
        (source.type_name == "old_thing").then(|| {
            let old = source.decode(&cty::Type::object([("label", cty::Type::String)]))?;
            let label = old.get("label").and_then(Value::as_str).unwrap_or_default();
            Ok(ToyModel {
                name: label.into(),
                id: label.into(),
            })
        })
    }
}

static REGISTRY: Registry<Count> = Registry {
    resources: &[&Toy],
    data_sources: &[],
    actions: &[],
    list_resources: &[],
};

#[derive(Default)]
struct ToyProvider {
    count: Count,
}

crate::model::model! {
    /// The toy provider's block, which has no attributes.
    pub struct ToyBlock {}
}

impl Provider for ToyProvider {
    type Ctx = Count;
    type Block = ToyBlock;
    fn schema() -> Schema {
        Schema::new(0, Block::new("Toy."))
    }
    fn validate(_config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    async fn configure(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    fn ctx(&self) -> Count {
        self.count.clone()
    }
    fn stop(&self) {}
    fn registry() -> &'static Registry<Count> {
        &REGISTRY
    }
}

fn service() -> ProviderService<ToyProvider> {
    ProviderService::new(ToyProvider::default())
}

fn ty() -> Type {
    Toy::schema().value_type()
}

fn dynamic(v: &Value) -> Option<pb::DynamicValue> {
    Some(convert::encode(v, &ty(), "test value").expect("encodes"))
}

fn thing(name: &str, id: Value) -> Value {
    object([("name", Value::string(name)), ("id", id)])
}

#[tokio::test]
async fn metadata_and_schemas_come_from_the_registry() {
    let s = service();
    let meta = answer!(s.get_metadata(pb::get_metadata::Request {}));
    let names: Vec<_> = meta
        .resources
        .iter()
        .map(|r| r.type_name.as_str())
        .collect();
    assert_eq!(names, ["toy_thing"]);
    assert!(meta.data_sources.is_empty());
    let schemas = answer!(s.get_provider_schema(pb::get_provider_schema::Request {}));
    assert!(schemas.resource_schemas.contains_key("toy_thing"));
    let ids =
        answer!(s.get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {}));
    assert!(ids.identity_schemas.contains_key("toy_thing"));
}

#[tokio::test]
async fn a_plan_is_decoded_dispatched_and_given_its_identity() {
    let s = service();
    let prior = thing("a", Value::string("a"));
    let resp = answer!(s.plan_resource_change(pb::plan_resource_change::Request {
        type_name: "toy_thing".into(),
        prior_state: dynamic(&prior),
        proposed_new_state: dynamic(&prior),
        config: dynamic(&thing("a", Value::Null)),
        ..Default::default()
    }));
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let planned = convert::decode(resp.planned_state.as_ref(), &ty(), "planned").expect("decodes");
    // The toy's schema keeps no computed value: `id` is unknown again.
    assert_eq!(planned.get("id"), Some(&Value::Unknown));
    // Unknown id: no identity yet (never an unknown one).
    assert!(resp.planned_identity.is_none());
    assert_eq!(s.provider.provider().count.0.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn an_apply_answers_the_state_and_the_identity_the_resource_reads_from_it() {
    let s = service();
    let before = APPLIED.load(Ordering::Relaxed);
    let planned = thing("b", Value::Unknown);
    let resp = answer!(s.apply_resource_change(pb::apply_resource_change::Request {
        type_name: "toy_thing".into(),
        prior_state: dynamic(&Value::Null),
        planned_state: dynamic(&planned),
        config: dynamic(&thing("b", Value::Null)),
        planned_private: b"hint".to_vec(),
        ..Default::default()
    }));
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(APPLIED.load(Ordering::Relaxed), before + 1);
    let state = convert::decode(resp.new_state.as_ref(), &ty(), "state").expect("decodes");
    assert_eq!(state, thing("b", Value::string("b")));
    // Nothing private is stored.
    assert!(resp.private.is_empty());
    let id_ty = Toy::identity_schema().expect("has one").value_type();
    let identity =
        convert::decode_identity(resp.new_identity.as_ref(), Some(&id_ty)).expect("decodes");
    assert_eq!(identity, object([("id", Value::string("b"))]));
}

#[tokio::test]
async fn an_unknown_type_is_a_diagnostic_not_a_grpc_error() {
    let s = service();
    let resp = s
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "toy_nothing".into(),
            current_state: dynamic(&thing("a", Value::string("a"))),
            ..Default::default()
        }))
        .await
        .expect("a diagnostic, not a gRPC error")
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");
    assert!(resp.diagnostics[0].detail.contains("toy_nothing"));
    assert!(resp.new_state.is_none());
}

/// Bytes that do not decode are a diagnostic naming what was sent; a value that decodes gets the
/// resource's own validation.
#[tokio::test]
async fn validation_decodes_then_is_the_resources_own() {
    let s = service();
    let undecodable = Some(pb::DynamicValue {
        msgpack: vec![0xc1],
        json: Vec::new(),
    });
    let empty_name = dynamic(&thing("", Value::Null));
    for (config, summary) in [
        (undecodable, "Invalid resource configuration"),
        (empty_name, "Empty name"),
    ] {
        let resp = answer!(
            s.validate_resource_config(pb::validate_resource_config::Request {
                type_name: "toy_thing".into(),
                config,
                ..Default::default()
            })
        );
        assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
        assert_eq!(resp.diagnostics[0].summary, summary);
    }
}

#[tokio::test]
async fn import_by_identity_keeps_the_identity_it_was_given() {
    let s = service();
    let id_ty = Toy::identity_schema().expect("has one").value_type();
    let identity = object([("id", Value::string("c"))]);
    let resp = answer!(s.import_resource_state(pb::import_resource_state::Request {
        type_name: "toy_thing".into(),
        identity: convert::identity(&identity, Some(&id_ty)).expect("encodes"),
        ..Default::default()
    }));
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(resp.imported_resources.len(), 1);
    let imported = &resp.imported_resources[0];
    let got = convert::decode_identity(imported.identity.as_ref(), Some(&id_ty)).expect("decodes");
    assert_eq!(got, identity);
}

fn move_request(from: &str, to: &str) -> pb::move_resource_state::Request {
    pb::move_resource_state::Request {
        source_provider_address: "registry.terraform.io/someone/old".into(),
        source_type_name: from.into(),
        source_state: Some(pb::RawState {
            json: br#"{"label":"moved"}"#.to_vec(),
            flatmap: Default::default(),
        }),
        target_type_name: to.into(),
        ..Default::default()
    }
}

/// The capability is advertised, and a move answers the state the type makes of its source, with
/// the identity read from it; a move from a type it does not take, or to a type that does not
/// exist, is a diagnostic with no state.
#[tokio::test]
async fn a_move_answers_the_new_state_and_its_identity() {
    let s = service();
    let schemas = answer!(s.get_provider_schema(pb::get_provider_schema::Request {}));
    assert!(
        schemas
            .server_capabilities
            .is_some_and(|c| c.move_resource_state)
    );
    let resp = answer!(s.move_resource_state(move_request("old_thing", "toy_thing")));
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = convert::decode(resp.target_state.as_ref(), &ty(), "moved").expect("decodes");
    assert_eq!(state, thing("moved", Value::string("moved")));
    let id_ty = Toy::identity_schema().expect("has one").value_type();
    let identity =
        convert::decode_identity(resp.target_identity.as_ref(), Some(&id_ty)).expect("decodes");
    assert_eq!(identity, object([("id", Value::string("moved"))]));
    for (from, to, summary) in [
        ("other_thing", "toy_thing", "Unsupported move"),
        ("old_thing", "toy_nothing", "Unknown resource type"),
    ] {
        let resp = s
            .move_resource_state(Request::new(move_request(from, to)))
            .await
            .expect("a diagnostic, not a gRPC error")
            .into_inner();
        assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
        assert_eq!(resp.diagnostics[0].summary, summary);
        assert!(resp.target_state.is_none() && resp.target_identity.is_none());
    }
}
