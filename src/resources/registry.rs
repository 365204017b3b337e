//! The one list of the provider's resources, data sources, actions and list resources. The
//! protocol layer, the provider and the docs all read their types from here; adding a type is
//! one line.

use std::future::Future;
use std::pin::Pin;

use crate::cty::Value;
use crate::diagnostics::Diagnostics;
use crate::resources::event_data_store::EventDataStore;
use crate::resources::ingestion_actions::IngestionAction;
use crate::resources::ingestion_state::IngestionState;
use crate::resources::ingestion_state_list::IngestionStateList;
use crate::resources::{
    Action, ApplyRequest, Ctx, DataSource, Found, ListRequest, ListResource, PlanRequest,
    PlanResponse, Progress, Resource, StateResponse,
};
use crate::schema::{IdentitySchema, Schema};

pub static RESOURCES: &[&dyn AnyResource] = &[&IngestionState];
pub static DATA_SOURCES: &[&dyn AnyDataSource] = &[&EventDataStore];
pub static ACTIONS: &[&dyn AnyAction] = &[&IngestionAction::<true>, &IngestionAction::<false>];
pub static LIST_RESOURCES: &[&dyn AnyListResource] = &[&IngestionStateList];

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A `Resource` behind a pointer: what the registry holds.
pub trait AnyResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn plan<'a>(&'a self, ctx: &'a Ctx, req: PlanRequest) -> BoxFuture<'a, PlanResponse>;
    fn apply<'a>(&'a self, ctx: &'a Ctx, req: ApplyRequest) -> BoxFuture<'a, StateResponse>;
    fn read<'a>(&'a self, ctx: &'a Ctx, state: Value) -> BoxFuture<'a, StateResponse>;
    fn import(&self, ctx: &Ctx, id: &str) -> StateResponse;
    fn identity_schema(&self) -> Option<IdentitySchema>;
    fn identity(&self, state: &Value) -> Value;
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics>;
}

impl<R: Resource> AnyResource for R {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        R::schema()
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        R::validate(config)
    }
    fn plan<'a>(&'a self, ctx: &'a Ctx, req: PlanRequest) -> BoxFuture<'a, PlanResponse> {
        Box::pin(Resource::plan(self, ctx, req))
    }
    fn apply<'a>(&'a self, ctx: &'a Ctx, req: ApplyRequest) -> BoxFuture<'a, StateResponse> {
        Box::pin(Resource::apply(self, ctx, req))
    }
    fn read<'a>(&'a self, ctx: &'a Ctx, state: Value) -> BoxFuture<'a, StateResponse> {
        Box::pin(Resource::read(self, ctx, state))
    }
    fn import(&self, ctx: &Ctx, id: &str) -> StateResponse {
        Resource::import(self, ctx, id)
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        R::identity_schema()
    }
    fn identity(&self, state: &Value) -> Value {
        R::identity(state)
    }
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        R::import_id(identity)
    }
}

/// An `Action` behind a pointer.
pub trait AnyAction: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn invoke<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: Value,
        progress: Progress,
    ) -> BoxFuture<'a, Diagnostics>;
}

impl<A: Action> AnyAction for A {
    fn type_name(&self) -> &'static str {
        A::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        A::schema()
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        A::validate(config)
    }
    fn invoke<'a>(
        &'a self,
        ctx: &'a Ctx,
        config: Value,
        progress: Progress,
    ) -> BoxFuture<'a, Diagnostics> {
        Box::pin(Action::invoke(self, ctx, config, progress))
    }
}

/// A `ListResource` behind a pointer.
pub trait AnyListResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn list<'a>(
        &'a self,
        ctx: &'a Ctx,
        req: ListRequest,
        found: Found,
    ) -> BoxFuture<'a, Diagnostics>;
}

impl<L: ListResource> AnyListResource for L {
    fn type_name(&self) -> &'static str {
        L::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        L::schema()
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        L::validate(config)
    }
    fn list<'a>(
        &'a self,
        ctx: &'a Ctx,
        req: ListRequest,
        found: Found,
    ) -> BoxFuture<'a, Diagnostics> {
        Box::pin(ListResource::list(self, ctx, req, found))
    }
}

/// A `DataSource` behind a pointer.
pub trait AnyDataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value) -> Diagnostics;
    fn read<'a>(&'a self, ctx: &'a Ctx, config: Value) -> BoxFuture<'a, StateResponse>;
}

impl<D: DataSource> AnyDataSource for D {
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }
    fn schema(&self) -> Schema {
        D::schema()
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        D::validate(config)
    }
    fn read<'a>(&'a self, ctx: &'a Ctx, config: Value) -> BoxFuture<'a, StateResponse> {
        Box::pin(DataSource::read(self, ctx, config))
    }
}

pub fn resource(type_name: &str) -> Option<&'static dyn AnyResource> {
    RESOURCES
        .iter()
        .copied()
        .find(|r| r.type_name() == type_name)
}

pub fn data_source(type_name: &str) -> Option<&'static dyn AnyDataSource> {
    DATA_SOURCES
        .iter()
        .copied()
        .find(|d| d.type_name() == type_name)
}

pub fn action(type_name: &str) -> Option<&'static dyn AnyAction> {
    ACTIONS.iter().copied().find(|a| a.type_name() == type_name)
}

pub fn list_resource(type_name: &str) -> Option<&'static dyn AnyListResource> {
    LIST_RESOURCES
        .iter()
        .copied()
        .find(|l| l.type_name() == type_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_unique_and_prefixed() {
        let mut names: Vec<&str> = RESOURCES
            .iter()
            .map(|r| r.type_name())
            .chain(DATA_SOURCES.iter().map(|d| d.type_name()))
            .collect();
        assert!(names.iter().all(|n| n.starts_with("cloudtrail_")));
        let resources = RESOURCES.len();
        names[..resources].sort_unstable();
        names[resources..].sort_unstable();
        assert!(names[..resources].windows(2).all(|w| w[0] != w[1]));
        assert!(names[resources..].windows(2).all(|w| w[0] != w[1]));
        assert!(
            ACTIONS
                .iter()
                .all(|a| a.type_name().starts_with("cloudtrail_"))
        );
    }

    /// Terraform reads list results through the managed resource of the same name's identity.
    #[test]
    fn every_list_resource_lists_a_resource_with_an_identity() {
        for l in LIST_RESOURCES {
            let r = resource(l.type_name()).expect("a resource of the same name");
            assert!(r.identity_schema().is_some(), "{}", l.type_name());
        }
    }
}
