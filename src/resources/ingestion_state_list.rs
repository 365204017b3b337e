//! List resource `cloudtrail_ingestion_state` (Terraform ≥ 1.14, `terraform query`): every event
//! data store of the provider's region, each named by its identity `{ arn }`, so that
//! `terraform query -generate-config-out=…` brings existing stores under management at once.

use crate::aws::arn::StoreRef;
use crate::aws::store::Lookup;
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::resources::ingestion_state::{IngestionState, IngestionStateModel};
use crate::resources::model::model;
use crate::resources::{Ctx, Found, ListRequest, ListResource, listed_stores, store_list_schema};
use crate::schema::Schema;

model! {
    /// The `config` of a `list "cloudtrail_ingestion_state"` block.
    pub struct IngestionStateListModel {
        pub name_prefix: Field<String>,
    }
}

pub struct IngestionStateList;

impl ListResource<Ctx> for IngestionStateList {
    type Resource = IngestionState;
    type Model = IngestionStateListModel;

    fn schema() -> Schema {
        store_list_schema(
            "Lists the event data stores of the provider's region (ListEventDataStores, every \
             page), except those pending deletion, each with its identity `{ arn }` and its \
             name as display name. With `include_resource = true` each result carries the \
             whole `cloudtrail_ingestion_state` object, read with GetEventDataStore.",
        )
    }

    async fn list(
        &self,
        ctx: &Ctx,
        req: ListRequest<IngestionStateListModel>,
        found: Found<IngestionStateModel>,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let prefix = req.config.name_prefix.known_or(String::new());
        let listed = async {
            let aws = ctx.aws()?;
            Ok::<_, Diagnostic>((aws, listed_stores(ctx, &prefix).await?))
        };
        let (aws, stores) = match listed.await {
            Ok(found) => found,
            Err(d) => return d.into(),
        };
        let mut sent = 0;
        for listed in stores {
            if sent >= req.limit {
                break;
            }
            // The whole object only when asked for: it costs a GetEventDataStore each.
            let object = if req.include_resource_object {
                let Ok(store) = StoreRef::parse(&listed.arn) else {
                    continue;
                };
                let lookup = match aws.store(&store, Some(attr_path(&["event_data_store"]))) {
                    Ok(api) => api.get().await.map_err(|e| e.diagnostic),
                    Err(d) => Err(d),
                };
                match lookup {
                    Ok(Lookup::Found(info)) => {
                        let mut model = IngestionStateModel {
                            event_data_store: info.arn.as_str().into(),
                            stop_on_destroy: false.into(),
                            ..IngestionStateModel::default()
                        };
                        model.fill_from(&info, Some(info.ingestion_enabled()));
                        model
                    }
                    // Deleted since the list was read.
                    Ok(Lookup::Gone(_)) => continue,
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                }
            } else {
                // Its identity is all that is sent.
                IngestionStateModel {
                    arn: listed.arn.as_str().into(),
                    ..IngestionStateModel::default()
                }
            };
            if !found.send(listed.name.clone(), object).await {
                // The client stopped reading (its limit, or Ctrl-C).
                break;
            }
            sent += 1;
        }
        diags
    }
}
