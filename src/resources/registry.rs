//! The one list of the provider's resources and data sources. The protocol layer, the provider
//! and the docs all read their types from here; adding a type is one line.

use std::future::Future;
use std::pin::Pin;

use crate::cty::Value;
use crate::diagnostics::Diagnostics;
use crate::resources::event_data_store::EventDataStore;
use crate::resources::ingestion_state::IngestionState;
use crate::resources::{
    ApplyRequest, Ctx, DataSource, PlanRequest, PlanResponse, Resource, StateResponse,
};
use crate::schema::Schema;

pub static RESOURCES: &[&dyn AnyResource] = &[&IngestionState];
pub static DATA_SOURCES: &[&dyn AnyDataSource] = &[&EventDataStore];

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
    }
}
