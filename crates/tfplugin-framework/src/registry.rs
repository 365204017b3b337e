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
    Action, ApplyRequest, DataSource, Found, ListRequest, ListResource, PlanRequest, PlanResponse,
    Progress, Resource, StateResponse,
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

impl<C> Registry<C> {
    pub fn resource(&self, type_name: &str) -> Option<&'static dyn AnyResource<C>> {
        self.resources
            .iter()
            .copied()
            .find(|r| r.type_name() == type_name)
    }

    pub fn data_source(&self, type_name: &str) -> Option<&'static dyn AnyDataSource<C>> {
        self.data_sources
            .iter()
            .copied()
            .find(|d| d.type_name() == type_name)
    }

    pub fn action(&self, type_name: &str) -> Option<&'static dyn AnyAction<C>> {
        self.actions
            .iter()
            .copied()
            .find(|a| a.type_name() == type_name)
    }

    pub fn list_resource(&self, type_name: &str) -> Option<&'static dyn AnyListResource<C>> {
        self.list_resources
            .iter()
            .copied()
            .find(|l| l.type_name() == type_name)
    }

    /// Type names must be unique within each kind, each type's model names its schema, and a
    /// list resource lists the objects of a managed resource of the same name, through that
    /// resource's identity. The first rule broken, as a message.
    pub fn check(&self) -> Result<(), String> {
        fn unique<'a>(kind: &str, names: impl Iterator<Item = &'a str>) -> Result<(), String> {
            let mut seen = std::collections::BTreeSet::new();
            for name in names {
                if !seen.insert(name) {
                    return Err(format!("two {kind} types are named {name}"));
                }
            }
            Ok(())
        }
        unique("resource", self.resources.iter().map(|r| r.type_name()))?;
        unique(
            "data source",
            self.data_sources.iter().map(|d| d.type_name()),
        )?;
        unique("action", self.actions.iter().map(|a| a.type_name()))?;
        unique(
            "list resource",
            self.list_resources.iter().map(|l| l.type_name()),
        )?;
        let models = (self.resources.iter())
            .map(|r| ("resource", r.type_name(), r.model_matches_schema()))
            .chain(
                (self.data_sources.iter())
                    .map(|d| ("data source", d.type_name(), d.model_matches_schema())),
            )
            .chain(
                (self.actions.iter()).map(|a| ("action", a.type_name(), a.model_matches_schema())),
            )
            .chain(
                (self.list_resources.iter())
                    .map(|l| ("list resource", l.type_name(), l.model_matches_schema())),
            );
        for (kind, name, matches) in models {
            if !matches {
                return Err(format!(
                    "{kind} {name}: its model does not name exactly its schema's attributes and \
                     blocks"
                ));
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
    fn identity_schema(&self) -> Option<IdentitySchema>;
    fn identity(&self, state: &Value) -> Value;
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics>;
}

impl<C: Sync, R: Resource<C>> AnyResource<C> for R {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        R::schema()
    }
    fn model_matches_schema(&self) -> bool {
        matches_schema::<R::Model>(&R::schema())
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        R::validate(config)
    }
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
    fn type_name(&self) -> &'static str {
        A::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        A::schema()
    }
    fn model_matches_schema(&self) -> bool {
        matches_schema::<A::Model>(&A::schema())
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        A::validate(config)
    }
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
    fn list<'a>(&'a self, ctx: &'a C, req: ListRequest, found: Found)
    -> BoxFuture<'a, Diagnostics>;
}

impl<C: Sync, L: ListResource<C>> AnyListResource<C> for L {
    fn type_name(&self) -> &'static str {
        L::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        L::schema()
    }
    fn model_matches_schema(&self) -> bool {
        matches_schema::<L::Model>(&L::schema())
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        L::validate(config)
    }
    fn list<'a>(
        &'a self,
        ctx: &'a C,
        req: ListRequest,
        found: Found,
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
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        D::schema()
    }
    fn model_matches_schema(&self) -> bool {
        matches_schema::<D::Model>(&D::schema())
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        D::validate(config)
    }
    fn read<'a>(&'a self, ctx: &'a C, config: Value) -> BoxFuture<'a, StateResponse> {
        Box::pin(lifecycle::read_data(self, ctx, config))
    }
}
