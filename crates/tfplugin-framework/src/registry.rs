//! A provider's types behind pointers: the `Any*` traits erase each type's static methods, so one
//! `Registry` lists every resource, data source, action and list resource. The protocol layer,
//! the dispatch and the docs all read a provider's types from its registry.

use std::future::Future;
use std::pin::Pin;

use crate::cty::Value;
use crate::diagnostics::Diagnostics;
use crate::lifecycle;
use crate::model::{Model, matches_schema};
use crate::resource::{
    Action, ApplyRequest, DataSource, ListRequest, ListResource, ListSender, MovedState,
    PlanRequest, PlanResponse, Progress, Resource, StateResponse,
};
use crate::schema::{IdentitySchema, Schema};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Every type of a provider whose operations are handed a `C`. Adding a type is one line in the
/// provider's `static` of this.
pub struct Registry<C: 'static> {
    pub resources: &'static [&'static dyn AnyResource<C>],
    pub data_sources: &'static [&'static dyn AnyDataSource<C>],
    pub actions: &'static [&'static dyn AnyAction<C>],
    pub list_resources: &'static [&'static dyn AnyListResource<C>],
}

/// The four kinds of type a provider has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Resource,
    DataSource,
    Action,
    ListResource,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Resource,
        Kind::DataSource,
        Kind::Action,
        Kind::ListResource,
    ];

    /// As a person says it: "data source".
    pub fn name(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::DataSource => "data source",
            Kind::Action => "action",
            Kind::ListResource => "list resource",
        }
    }
}

/// One registered type, whatever its kind; what it is asked is computed when asked (GetMetadata
/// needs the names only).
pub enum TypeRef<C: 'static> {
    Resource(&'static dyn AnyResource<C>),
    DataSource(&'static dyn AnyDataSource<C>),
    Action(&'static dyn AnyAction<C>),
    ListResource(&'static dyn AnyListResource<C>),
}

/// `$body` with `$t` bound to the type behind any `TypeRef`: the four `Any*` traits share these
/// methods by name, not by a trait.
macro_rules! on_type {
    ($type_ref:expr, $t:ident => $body:expr) => {
        match $type_ref {
            TypeRef::Resource($t) => $body,
            TypeRef::DataSource($t) => $body,
            TypeRef::Action($t) => $body,
            TypeRef::ListResource($t) => $body,
        }
    };
}

impl<C> TypeRef<C> {
    pub fn name(&self) -> &'static str {
        on_type!(self, t => t.type_name())
    }

    pub fn schema(&self) -> Schema {
        on_type!(self, t => t.schema())
    }

    /// Whether its model names exactly its schema's attributes and blocks, each of its type.
    pub fn model_matches_schema(&self) -> bool {
        on_type!(self, t => t.model_matches_schema())
    }
}

/// The first of `types` named `type_name`.
fn find<T: ?Sized>(
    types: &[&'static T],
    type_name: &str,
    name: impl Fn(&T) -> &str,
) -> Option<&'static T> {
    types.iter().copied().find(|t| name(t) == type_name)
}

impl<C> Registry<C> {
    pub fn resource(&self, type_name: &str) -> Option<&'static dyn AnyResource<C>> {
        find(self.resources, type_name, |t| t.type_name())
    }

    pub fn data_source(&self, type_name: &str) -> Option<&'static dyn AnyDataSource<C>> {
        find(self.data_sources, type_name, |t| t.type_name())
    }

    pub fn action(&self, type_name: &str) -> Option<&'static dyn AnyAction<C>> {
        find(self.actions, type_name, |t| t.type_name())
    }

    pub fn list_resource(&self, type_name: &str) -> Option<&'static dyn AnyListResource<C>> {
        find(self.list_resources, type_name, |t| t.type_name())
    }

    /// The types of `kind`, in registry order.
    pub fn types(&self, kind: Kind) -> Vec<TypeRef<C>> {
        match kind {
            Kind::Resource => self
                .resources
                .iter()
                .map(|&t| TypeRef::Resource(t))
                .collect(),
            Kind::DataSource => self
                .data_sources
                .iter()
                .map(|&t| TypeRef::DataSource(t))
                .collect(),
            Kind::Action => self.actions.iter().map(|&t| TypeRef::Action(t)).collect(),
            Kind::ListResource => (self.list_resources.iter())
                .map(|&t| TypeRef::ListResource(t))
                .collect(),
        }
    }

    /// Type names must be unique within each kind, each type's model names its schema, and a
    /// list resource lists the objects of a managed resource of the same name, through that
    /// resource's identity. The first rule broken, as a message.
    pub fn check(&self) -> Result<(), String> {
        for kind in Kind::ALL {
            let mut seen = std::collections::BTreeSet::new();
            for t in self.types(kind) {
                let kind = kind.name();
                let name = t.name();
                if !seen.insert(name) {
                    return Err(format!("two {kind} types are named {name}"));
                }
                if !t.model_matches_schema() {
                    return Err(format!(
                        "{kind} {name}: its model does not name exactly its schema's attributes \
                         and blocks, each of its type"
                    ));
                }
            }
        }
        for l in self.list_resources {
            match self.resource(l.type_name()) {
                Some(r) if r.identity_schema().is_some() => {}
                Some(_) => {
                    return Err(format!(
                        "list resource {}: its resource has no identity",
                        l.type_name()
                    ));
                }
                None => {
                    return Err(format!(
                        "list resource {}: no resource of that name",
                        l.type_name()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The methods every `Any*` blanket impl forwards alike to the typed trait of `$t`.
macro_rules! forward_common {
    ($t:ident) => {
        fn type_name(&self) -> &'static str {
            $t::TYPE_NAME
        }
        fn schema(&self) -> Schema {
            $t::schema()
        }
        fn model_matches_schema(&self) -> bool {
            matches_schema::<$t::Model>(&$t::schema())
        }
        fn validate(&self, config: &Value) -> Diagnostics {
            crate::lifecycle::validation(&$t::schema(), config, $t::validate)
        }
    };
}

/// A `Resource` behind a pointer, on raw values: what the registry holds and the dispatcher
/// calls. Its one implementation is `lifecycle`'s, for every typed `Resource`.
pub trait AnyResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Whether the type's model names exactly its schema's attributes and blocks.
    fn model_matches_schema(&self) -> bool;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn plan<'a>(&'a self, ctx: &'a C, req: PlanRequest) -> BoxFuture<'a, PlanResponse>;
    fn apply<'a>(&'a self, ctx: &'a C, req: ApplyRequest) -> BoxFuture<'a, StateResponse>;
    fn read<'a>(&'a self, ctx: &'a C, state: Value) -> BoxFuture<'a, StateResponse>;
    fn import(&self, ctx: &C, id: &str) -> StateResponse;
    /// A stored state of schema version `version` (JSON) as a value of the current schema.
    fn upgrade(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics>;
    fn move_state(&self, source: &MovedState) -> StateResponse;
    fn identity_schema(&self) -> Option<IdentitySchema>;
    fn identity(&self, state: &Value) -> Value;
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics>;
}

impl<C: Sync, R: Resource<C>> AnyResource<C> for R {
    forward_common!(R);
    fn plan<'a>(&'a self, ctx: &'a C, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        Box::pin(lifecycle::plan(self, ctx, req))
    }
    fn apply<'a>(&'a self, ctx: &'a C, req: ApplyRequest) -> BoxFuture<'a, StateResponse> {
        Box::pin(lifecycle::apply(self, ctx, req))
    }
    fn read<'a>(&'a self, ctx: &'a C, state: Value) -> BoxFuture<'a, StateResponse> {
        Box::pin(lifecycle::read(self, ctx, state))
    }
    fn import(&self, ctx: &C, id: &str) -> StateResponse {
        lifecycle::import(self, ctx, id)
    }
    fn upgrade(&self, version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
        lifecycle::upgrade::<C, R>(version, json)
    }
    fn move_state(&self, source: &MovedState) -> StateResponse {
        lifecycle::move_state::<C, R>(source)
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        R::identity_schema()
    }
    fn identity(&self, state: &Value) -> Value {
        R::identity(&R::Model::from_value(state))
    }
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        R::import_id(identity)
    }
}

/// An `Action` behind a pointer.
pub trait AnyAction<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Whether the type's model names exactly its schema's attributes and blocks.
    fn model_matches_schema(&self) -> bool;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn invoke<'a>(
        &'a self,
        ctx: &'a C,
        config: Value,
        progress: Progress,
    ) -> BoxFuture<'a, Diagnostics>;
}

impl<C: Sync, A: Action<C>> AnyAction<C> for A {
    forward_common!(A);
    fn invoke<'a>(
        &'a self,
        ctx: &'a C,
        config: Value,
        progress: Progress,
    ) -> BoxFuture<'a, Diagnostics> {
        Box::pin(lifecycle::invoke(self, ctx, config, progress))
    }
}

/// A `ListResource` behind a pointer.
pub trait AnyListResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Whether the type's model names exactly its schema's attributes and blocks.
    fn model_matches_schema(&self) -> bool;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn list<'a>(
        &'a self,
        ctx: &'a C,
        req: ListRequest,
        found: ListSender,
    ) -> BoxFuture<'a, Diagnostics>;
}

impl<C: Sync, L: ListResource<C>> AnyListResource<C> for L {
    forward_common!(L);
    fn list<'a>(
        &'a self,
        ctx: &'a C,
        req: ListRequest,
        found: ListSender,
    ) -> BoxFuture<'a, Diagnostics> {
        Box::pin(lifecycle::list(self, ctx, req, found))
    }
}

/// A `DataSource` behind a pointer.
pub trait AnyDataSource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Whether the type's model names exactly its schema's attributes and blocks.
    fn model_matches_schema(&self) -> bool;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn read<'a>(&'a self, ctx: &'a C, config: Value) -> BoxFuture<'a, StateResponse>;
}

impl<C: Sync, D: DataSource<C>> AnyDataSource<C> for D {
    forward_common!(D);
    fn read<'a>(&'a self, ctx: &'a C, config: Value) -> BoxFuture<'a, StateResponse> {
        Box::pin(lifecycle::read_data(self, ctx, config))
    }
}
