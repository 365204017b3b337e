//! The tfplugin6 Provider gRPC service. Each method is a short pipeline: decode the request into
//! the project's types, call the provider, encode the answer. User-facing failures travel as
//! diagnostics in the response, never as gRPC errors.

mod convert;

use std::collections::HashMap;

use tonic::{Request, Response, Status};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use crate::provider::Provider;
use crate::resources::registry::{DATA_SOURCES, RESOURCES};
use crate::resources::{ApplyRequest, PlanRequest};
use crate::schema::Schema;

pub struct ProviderService {
    provider: Provider,
}

impl ProviderService {
    pub fn new() -> Self {
        ProviderService {
            provider: Provider::new(),
        }
    }
}

impl Default for ProviderService {
    fn default() -> Self {
        Self::new()
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

fn resource_schema(type_name: &str) -> Result<Schema, Diagnostics> {
    Provider::resource_schema(type_name)
}

fn data_source_schema(type_name: &str) -> Result<Schema, Diagnostics> {
    Provider::data_source_schema(type_name)
}

/// Collapses a fallible pipeline into (value, diagnostics) for the response.
fn split<T: Default>(r: Result<(T, Diagnostics), Diagnostics>) -> (T, Vec<pb::Diagnostic>) {
    match r {
        Ok((v, d)) => (v, convert::diagnostics(&d)),
        Err(d) => (T::default(), convert::diagnostics(&d)),
    }
}

#[tonic::async_trait]
impl ProviderRpc for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: RESOURCES
                .iter()
                .map(|r| pb::get_metadata::ResourceMetadata {
                    type_name: r.type_name().to_owned(),
                })
                .collect(),
            data_sources: DATA_SOURCES
                .iter()
                .map(|d| pb::get_metadata::DataSourceMetadata {
                    type_name: d.type_name().to_owned(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let resource_schemas: HashMap<String, pb::Schema> = RESOURCES
            .iter()
            .map(|r| (r.type_name().to_owned(), convert::schema(&r.schema())))
            .collect();
        let data_source_schemas: HashMap<String, pb::Schema> = DATA_SOURCES
            .iter()
            .map(|d| (d.type_name().to_owned(), convert::schema(&d.schema())))
            .collect();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(convert::schema(&Provider::provider_schema())),
            resource_schemas,
            data_source_schemas,
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        let ty = Provider::provider_schema().value_type();
        let diags = match convert::decode(req.config.as_ref(), &ty, "provider configuration") {
            Ok(config) => Provider::validate_provider(&config),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = resource_schema(&req.type_name)
            .and_then(|s| {
                convert::decode(
                    req.config.as_ref(),
                    &s.value_type(),
                    "resource configuration",
                )
            })
            .map(|config| Provider::validate_resource(&req.type_name, &config))
            .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = data_source_schema(&req.type_name)
            .and_then(|s| {
                convert::decode(
                    req.config.as_ref(),
                    &s.value_type(),
                    "data source configuration",
                )
            })
            .map(|config| Provider::validate_data_source(&req.type_name, &config))
            .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        // Called for every instance on every run: re-encode the stored JSON (schema version 0
        // is the only one so far) as msgpack of the current schema.
        let (upgraded_state, diagnostics) = split(resource_schema(&req.type_name).and_then(|s| {
            let ty = s.value_type();
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() && !raw.flatmap.is_empty() {
                return Err(Diagnostic::error(
                    "Unsupported state format",
                    "This state was written in the pre-0.12 flatmap format, which this provider \
                     never produced; remove the resource from state and import it again.",
                )
                .into());
            }
            if req.version > s.version {
                return Err(Diagnostic::error(
                    "State from a newer provider",
                    format!(
                        "The state has schema version {} but this provider knows up to {}; use a \
                         newer provider version.",
                        req.version, s.version
                    ),
                )
                .into());
            }
            let value = crate::cty::json::decode(&raw.json, &ty).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid stored state",
                    format!("The stored state could not be read: {}", e.message),
                ))
            })?;
            Ok((
                Some(convert::encode(&value, &ty, "upgraded state")?),
                Diagnostics::new(),
            ))
        }));
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics,
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(terraform_version = %req.terraform_version, "ConfigureProvider");
        let ty = Provider::provider_schema().value_type();
        let diags = match convert::decode(req.config.as_ref(), &ty, "provider configuration") {
            Ok(config) => self.provider.configure(&config).await,
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        let private = req.private.clone();
        let result = async {
            let ty = resource_schema(&req.type_name)?.value_type();
            let state = convert::decode(req.current_state.as_ref(), &ty, "current state")?;
            let resp = self.provider.read(&req.type_name, state).await;
            Ok((
                Some(convert::encode(&resp.state, &ty, "new state")?),
                resp.diagnostics,
            ))
        }
        .await;
        let (new_state, diagnostics) = split(result);
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics,
            private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let ty = resource_schema(&req.type_name)?.value_type();
            let plan = PlanRequest {
                config: convert::decode(req.config.as_ref(), &ty, "configuration")?,
                prior_state: convert::decode(req.prior_state.as_ref(), &ty, "prior state")?,
                proposed_new_state: convert::decode(
                    req.proposed_new_state.as_ref(),
                    &ty,
                    "proposed state",
                )?,
            };
            let resp = self.provider.plan(&req.type_name, plan).await;
            let planned = convert::encode(&resp.planned_state, &ty, "planned state")?;
            let private = resp.planned_private;
            let replace = resp
                .requires_replace
                .iter()
                .map(convert::path)
                .collect::<Vec<_>>();
            Ok(((Some(planned), replace, private), resp.diagnostics))
        }
        .await;
        let ((planned_state, requires_replace, planned_private), diagnostics) = split(result);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private,
            diagnostics,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let ty = resource_schema(&req.type_name)?.value_type();
            let apply = ApplyRequest {
                config: convert::decode(req.config.as_ref(), &ty, "configuration")?,
                prior_state: convert::decode(req.prior_state.as_ref(), &ty, "prior state")?,
                planned_state: convert::decode(req.planned_state.as_ref(), &ty, "planned state")?,
                planned_private: req.planned_private.clone(),
            };
            let resp = self.provider.apply(&req.type_name, apply).await;
            Ok((
                Some(convert::encode(&resp.state, &ty, "new state")?),
                resp.diagnostics,
            ))
        }
        .await;
        let (new_state, diagnostics) = split(result);
        // The plan's private bytes are a hint for this apply only; nothing private is stored.
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: Vec::new(),
            diagnostics,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let result = (|| {
            let ty = resource_schema(&req.type_name)?.value_type();
            let resp = self.provider.import(&req.type_name, &req.id);
            if resp.state.is_null() {
                return Ok((Vec::new(), resp.diagnostics));
            }
            let state = convert::encode(&resp.state, &ty, "imported state")?;
            Ok((
                vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    ..Default::default()
                }],
                resp.diagnostics,
            ))
        })();
        let (imported_resources, diagnostics) = split(result);
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics,
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let ty = data_source_schema(&req.type_name)?.value_type();
            let config = convert::decode(req.config.as_ref(), &ty, "configuration")?;
            let resp = self.provider.read_data_source(&req.type_name, config).await;
            if resp.diagnostics.has_errors() && resp.state.is_null() {
                return Ok((None, resp.diagnostics));
            }
            Ok((
                Some(convert::encode(&resp.state, &ty, "data source state")?),
                resp.diagnostics,
            ))
        }
        .await;
        let (state, diagnostics) = split(result);
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics,
            ..Default::default()
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider: cancelling in-flight operations");
        self.provider.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}
