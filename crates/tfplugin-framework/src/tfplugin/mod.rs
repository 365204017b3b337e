//! The tfplugin6 Provider gRPC service. Each method is a short pipeline: decode the request into
//! the project's types, call the provider, encode the answer. User-facing failures travel as
//! diagnostics in the response, never as gRPC errors.

mod convert;

use std::sync::Arc;

use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use tfplugin_proto::tfplugin6 as pb;
use tfplugin_proto::tfplugin6::provider_server::Provider as ProviderRpc;

use crate::cty::Type;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::provider::{Dispatcher, Provider};
use crate::registry::Kind;
use crate::resource::{ApplyRequest, ListRequest, ListedObject, MovedState, PlanRequest};
use crate::schema::Schema;

pub(crate) struct ProviderService<P: Provider> {
    /// Shared with the tasks that feed streamed answers (InvokeAction, ListResource).
    provider: Arc<Dispatcher<P>>,
}

impl<P: Provider> ProviderService<P> {
    pub(crate) fn new(provider: P) -> Self {
        ProviderService {
            provider: Arc::new(Dispatcher::new(provider)),
        }
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        move_resource_state: true,
        generate_resource_config: false,
    }
}

fn resource_schema<P: Provider>(type_name: &str) -> Result<Schema, Diagnostics> {
    Dispatcher::<P>::resource_schema(type_name)
}

fn data_source_schema<P: Provider>(type_name: &str) -> Result<Schema, Diagnostics> {
    Dispatcher::<P>::data_source_schema(type_name)
}

/// The identity type of a resource type, if it has an identity.
fn identity_type<P: Provider>(type_name: &str) -> Option<Type> {
    Dispatcher::<P>::resource(type_name)
        .ok()
        .and_then(|r| r.identity_schema())
        .map(|s| s.value_type())
}

/// A stream whose items come from a task; the task ends when the client stops reading.
fn stream_from<T: Send + 'static>(
    rx: tokio::sync::mpsc::Receiver<T>,
) -> impl Stream<Item = Result<T, Status>> + Send + 'static {
    ReceiverStream::new(rx).map(Ok)
}

/// A configuration decoded with `schema`'s type and validated: the diagnostics of either step.
fn validated(
    schema: Result<Schema, Diagnostics>,
    config: Option<&pb::DynamicValue>,
    what: &str,
    validate: impl FnOnce(&crate::cty::Value) -> Diagnostics,
) -> Vec<pb::Diagnostic> {
    let diags = schema
        .and_then(|s| convert::decode(config, &s.value_type(), what))
        .map(|config| validate(&config))
        .unwrap_or_else(|d| d);
    convert::diagnostics(&diags)
}

/// ValidateActionConfig and PlanAction: an action changes no state, so planning one is checking
/// its configuration.
fn validate_action<P: Provider>(
    type_name: &str,
    config: Option<&pb::DynamicValue>,
) -> Vec<pb::Diagnostic> {
    validated(
        Dispatcher::<P>::action(type_name).map(|a| a.schema()),
        config,
        "action configuration",
        |config| Dispatcher::<P>::validate_action(type_name, config),
    )
}

/// Collapses a fallible pipeline into (value, diagnostics) for the response.
fn split<T: Default>(r: Result<(T, Diagnostics), Diagnostics>) -> (T, Vec<pb::Diagnostic>) {
    match r {
        Ok((v, d)) => (v, convert::diagnostics(&d)),
        Err(d) => (T::default(), convert::diagnostics(&d)),
    }
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata::{
            ActionMetadata, DataSourceMetadata, ListResourceMetadata, ResourceMetadata,
        };
        let names = |kind| {
            P::registry()
                .types(kind)
                .into_iter()
                .map(|t| t.name().to_owned())
        };
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: names(Kind::Resource)
                .map(|type_name| ResourceMetadata { type_name })
                .collect(),
            data_sources: names(Kind::DataSource)
                .map(|type_name| DataSourceMetadata { type_name })
                .collect(),
            list_resources: names(Kind::ListResource)
                .map(|type_name| ListResourceMetadata { type_name })
                .collect(),
            actions: names(Kind::Action)
                .map(|type_name| ActionMetadata { type_name })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let schemas = |kind| {
            let types = P::registry().types(kind).into_iter();
            types.map(|t| (t.name().to_owned(), convert::schema(&t.schema())))
        };
        let action_schema = |(name, schema)| {
            (
                name,
                pb::ActionSchema {
                    schema: Some(schema),
                },
            )
        };
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(convert::schema(&Dispatcher::<P>::provider_schema())),
            resource_schemas: schemas(Kind::Resource).collect(),
            data_source_schemas: schemas(Kind::DataSource).collect(),
            list_resource_schemas: schemas(Kind::ListResource).collect(),
            action_schemas: schemas(Kind::Action).map(action_schema).collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        let identity_schemas = P::registry()
            .resources
            .iter()
            .filter_map(|r| {
                let schema = r.identity_schema()?;
                Some((r.type_name().to_owned(), convert::identity_schema(&schema)))
            })
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas,
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = request.into_inner();
        let result = (|| {
            let schema = Dispatcher::<P>::resource(&req.type_name)?
                .identity_schema()
                .ok_or_else(|| {
                    Diagnostics::from(Diagnostic::error(
                        "No identity",
                        format!("{} has no identity to upgrade.", req.type_name),
                    ))
                })?;
            if req.version > schema.version {
                return Err(Diagnostic::error(
                    "Identity from a newer provider",
                    format!(
                        "The stored identity has version {} but this provider knows up to {}; \
                         use a newer provider version.",
                        req.version, schema.version
                    ),
                )
                .into());
            }
            let ty = schema.value_type();
            let raw = req.raw_identity.unwrap_or_default();
            let value = crate::cty::json::decode(&raw.json, &ty).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid stored identity",
                    format!("The stored identity could not be read: {}", e.message),
                ))
            })?;
            Ok((convert::identity(&value, Some(&ty))?, Diagnostics::new()))
        })();
        let (upgraded_identity, diagnostics) = split(result);
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics,
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validated(
            Ok(Dispatcher::<P>::provider_schema()),
            req.config.as_ref(),
            "provider configuration",
            Dispatcher::<P>::validate_provider,
        );
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics,
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validated(
            resource_schema::<P>(&req.type_name),
            req.config.as_ref(),
            "resource configuration",
            |config| Dispatcher::<P>::validate_resource(&req.type_name, config),
        );
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics,
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validated(
            data_source_schema::<P>(&req.type_name),
            req.config.as_ref(),
            "data source configuration",
            |config| Dispatcher::<P>::validate_data_source(&req.type_name, config),
        );
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics,
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        // Called for every instance on every run: the stored JSON, upgraded by the type when its
        // schema version is older, as msgpack of the current schema.
        let (upgraded_state, diagnostics) =
            split(resource_schema::<P>(&req.type_name).and_then(|s| {
                let raw = req.raw_state.unwrap_or_default();
                if raw.json.is_empty() && !raw.flatmap.is_empty() {
                    return Err(Diagnostic::error(
                        "Unsupported state format",
                        "This state was written in the pre-0.12 flatmap format, which this \
                         provider never produced; remove the resource from state and import it \
                         again.",
                    )
                    .into());
                }
                let value = Dispatcher::<P>::upgrade_state(&req.type_name, req.version, &raw.json)?;
                Ok((
                    Some(convert::encode(&value, &s.value_type(), "upgraded state")?),
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
        let ty = Dispatcher::<P>::provider_schema().value_type();
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
            let ty = resource_schema::<P>(&req.type_name)?.value_type();
            let state = convert::decode(req.current_state.as_ref(), &ty, "current state")?;
            let resp = self.provider.read(&req.type_name, state).await;
            let id_ty = identity_type::<P>(&req.type_name);
            let identity = convert::identity(&resp.identity, id_ty.as_ref())?;
            Ok((
                (
                    Some(convert::encode(&resp.state, &ty, "new state")?),
                    identity,
                ),
                resp.diagnostics,
            ))
        }
        .await;
        let ((new_state, new_identity), diagnostics) = split(result);
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics,
            private,
            new_identity,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let ty = resource_schema::<P>(&req.type_name)?.value_type();
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
            let id_ty = identity_type::<P>(&req.type_name);
            let identity = convert::identity(&resp.planned_identity, id_ty.as_ref())?;
            let private = resp.planned_private;
            let replace = resp
                .requires_replace
                .iter()
                .map(convert::path)
                .collect::<Vec<_>>();
            Ok((
                (Some(planned), replace, private, identity),
                resp.diagnostics,
            ))
        }
        .await;
        let ((planned_state, requires_replace, planned_private, planned_identity), diagnostics) =
            split(result);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private,
            diagnostics,
            planned_identity,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let ty = resource_schema::<P>(&req.type_name)?.value_type();
            let apply = ApplyRequest {
                config: convert::decode(req.config.as_ref(), &ty, "configuration")?,
                prior_state: convert::decode(req.prior_state.as_ref(), &ty, "prior state")?,
                planned_state: convert::decode(req.planned_state.as_ref(), &ty, "planned state")?,
                planned_private: req.planned_private.clone(),
            };
            let resp = self.provider.apply(&req.type_name, apply).await;
            let id_ty = identity_type::<P>(&req.type_name);
            let identity = convert::identity(&resp.identity, id_ty.as_ref())?;
            Ok((
                (
                    Some(convert::encode(&resp.state, &ty, "new state")?),
                    identity,
                ),
                resp.diagnostics,
            ))
        }
        .await;
        let ((new_state, new_identity), diagnostics) = split(result);
        // The plan's private bytes are a hint for this apply only; nothing private is stored.
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: Vec::new(),
            diagnostics,
            new_identity,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let result = (|| {
            let ty = resource_schema::<P>(&req.type_name)?.value_type();
            let id_ty = identity_type::<P>(&req.type_name);
            let resp = if req.id.is_empty() && req.identity.is_some() {
                let identity = convert::decode_identity(req.identity.as_ref(), id_ty.as_ref())?;
                self.provider.import_by_identity(&req.type_name, &identity)
            } else {
                self.provider.import(&req.type_name, &req.id)
            };
            if resp.state.is_null() {
                return Ok((Vec::new(), resp.diagnostics));
            }
            let state = convert::encode(&resp.state, &ty, "imported state")?;
            Ok((
                vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    identity: convert::identity(&resp.identity, id_ty.as_ref())?,
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

    /// A `moved` block from another resource type: the type decides, with no remote call (the
    /// provider is not configured), what the source's state becomes.
    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        tracing::debug!(
            from = %req.source_type_name,
            provider = %req.source_provider_address,
            to = %req.target_type_name,
            "MoveResourceState"
        );
        let source = MovedState {
            provider_address: req.source_provider_address,
            type_name: req.source_type_name,
            schema_version: req.source_schema_version,
            json: req.source_state.map(|s| s.json).unwrap_or_default(),
        };
        let result = (|| {
            let ty = resource_schema::<P>(&req.target_type_name)?.value_type();
            let id_ty = identity_type::<P>(&req.target_type_name);
            let resp = Dispatcher::<P>::move_state(&req.target_type_name, &source);
            if resp.state.is_null() {
                return Ok(((None, None), resp.diagnostics));
            }
            let state = convert::encode(&resp.state, &ty, "moved state")?;
            let identity = convert::identity(&resp.identity, id_ty.as_ref())?;
            Ok(((Some(state), identity), resp.diagnostics))
        })();
        let ((target_state, target_identity), diagnostics) = split(result);
        Ok(Response::new(pb::move_resource_state::Response {
            target_state,
            diagnostics,
            target_private: Vec::new(),
            target_identity,
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let result = async {
            let ty = data_source_schema::<P>(&req.type_name)?.value_type();
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

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validate_action::<P>(&req.type_name, req.config.as_ref());
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics,
        }))
    }

    /// Actions change no state: planning one is checking its configuration.
    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validate_action::<P>(&req.action_type, req.config.as_ref());
        Ok(Response::new(pb::plan_action::Response {
            diagnostics,
            deferred: None,
        }))
    }

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<BoxStream<pb::invoke_action::Event>>, Status> {
        use pb::invoke_action::event::{Completed, Progress, Type};
        let req = request.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let provider = self.provider.clone();
        tokio::spawn(async move {
            let diags = match action_config::<P>(&req.action_type, req.config.as_ref()) {
                Ok(config) => {
                    let (progress, mut lines) = crate::resource::Progress::channel();
                    let run = provider.invoke_action(&req.action_type, config, progress);
                    tokio::pin!(run);
                    let progress_event = |message| pb::invoke_action::Event {
                        r#type: Some(Type::Progress(Progress { message })),
                    };
                    // Progress lines go out as they come, until the action ends; a client gone
                    // away changes nothing: the action still runs to its end.
                    let diags = loop {
                        tokio::select! {
                            diags = &mut run => break diags,
                            Some(message) = lines.recv() => {
                                let _ = tx.send(progress_event(message)).await;
                            }
                        }
                    };
                    // The lines sent just before the end.
                    while let Ok(message) = lines.try_recv() {
                        let _ = tx.send(progress_event(message)).await;
                    }
                    diags
                }
                Err(d) => d,
            };
            let completed = Completed {
                diagnostics: convert::diagnostics(&diags),
            };
            let _ = tx
                .send(pb::invoke_action::Event {
                    r#type: Some(Type::Completed(completed)),
                })
                .await;
        });
        Ok(Response::new(Box::pin(stream_from(rx))))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validated(
            Dispatcher::<P>::list_resource(&req.type_name).map(|l| l.schema()),
            req.config.as_ref(),
            "list configuration",
            |config| Dispatcher::<P>::validate_list_resource(&req.type_name, config),
        );
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics,
        }))
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<BoxStream<pb::list_resource::Event>>, Status> {
        let req = request.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let provider = self.provider.clone();
        tokio::spawn(async move {
            let diags = list_events(&provider, req, &tx).await;
            if !diags.is_empty() {
                let _ = tx
                    .send(pb::list_resource::Event {
                        diagnostic: convert::diagnostics(&diags),
                        ..Default::default()
                    })
                    .await;
            }
        });
        Ok(Response::new(Box::pin(stream_from(rx))))
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

fn action_config<P: Provider>(
    type_name: &str,
    config: Option<&pb::DynamicValue>,
) -> Result<crate::cty::Value, Diagnostics> {
    let ty = Dispatcher::<P>::action(type_name)?.schema().value_type();
    convert::decode(config, &ty, "action configuration")
}

fn list_config<P: Provider>(
    type_name: &str,
    config: Option<&pb::DynamicValue>,
) -> Result<crate::cty::Value, Diagnostics> {
    let ty = Dispatcher::<P>::list_resource(type_name)?
        .schema()
        .value_type();
    convert::decode(config, &ty, "list configuration")
}

/// Runs a list resource and streams what it finds; returns the diagnostics that end it.
async fn list_events<P: Provider>(
    provider: &Dispatcher<P>,
    req: pb::list_resource::Request,
    tx: &tokio::sync::mpsc::Sender<pb::list_resource::Event>,
) -> Diagnostics {
    let config = match list_config::<P>(&req.type_name, req.config.as_ref()) {
        Ok(c) => c,
        Err(d) => return d,
    };
    let (Ok(schema), Some(id_ty)) = (
        resource_schema::<P>(&req.type_name),
        identity_type::<P>(&req.type_name),
    ) else {
        return Diagnostic::error(
            "No identity",
            format!("{} has no identity schema to list by.", req.type_name),
        )
        .into();
    };
    let ty = schema.value_type();
    let (found, mut results) = tokio::sync::mpsc::channel::<ListedObject>(16);
    let list = ListRequest {
        config,
        include_resource_object: req.include_resource_object,
        limit: usize::try_from(req.limit).unwrap_or(0),
    };
    let run = provider.list(&req.type_name, list, found);
    tokio::pin!(run);
    let mut diags = Diagnostics::new();
    let mut running = true;
    loop {
        tokio::select! {
            d = &mut run, if running => {
                diags = d;
                running = false;
            }
            item = results.recv() => {
                // Closed once the list ended and everything it found was sent on.
                let Some(item) = item else { break };
                let event = (|| {
                    Ok::<_, Diagnostics>(pb::list_resource::Event {
                        identity: convert::identity(&item.identity, Some(&id_ty))?,
                        display_name: item.display_name,
                        resource_object: match &item.object {
                            Some(o) => Some(convert::encode(o, &ty, "listed object")?),
                            None => None,
                        },
                        diagnostic: Vec::new(),
                    })
                })();
                match event {
                    // A client that stopped reading (its limit, Ctrl-C) ends the list.
                    Ok(event) => {
                        if tx.send(event).await.is_err() {
                            break;
                        }
                    }
                    Err(d) => {
                        diags.extend(d);
                        break;
                    }
                }
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests;
