//! List resource `cloudtrail_event_data_store` (Terraform ≥ 1.14, `terraform query`): the event
//! data stores of the provider's region, each named by its identity `{ arn }`, so that
//! `terraform query -generate-config-out=…` brings existing stores under management.

use crate::diagnostics::Diagnostics;
use crate::resources::event_data_store::{EventDataStore, StoreModel};
use crate::resources::model::model;
use crate::resources::{
    Ctx, Found, ListRequest, ListResource, Read, Resource, listed_stores, store_list_schema,
};
use crate::schema::Schema;

model! {
    /// The `config` of a `list "cloudtrail_event_data_store"` block.
    pub struct EventDataStoreListModel {
        pub name_prefix: Field<String>,
    }
}

pub struct EventDataStoreList;

impl ListResource<Ctx> for EventDataStoreList {
    type Resource = EventDataStore;
    type Model = EventDataStoreListModel;

    fn schema() -> Schema {
        store_list_schema(
            "Lists the event data stores of the provider's region (ListEventDataStores, every \
             page), except those pending deletion, each with its identity `{ arn }` and its \
             name as display name. With `include_resource = true` each result carries the \
             whole `cloudtrail_event_data_store` object, read as a refresh reads it.",
        )
    }

    async fn list(
        &self,
        ctx: &Ctx,
        req: ListRequest<EventDataStoreListModel>,
        found: Found<StoreModel>,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let prefix = req.config.name_prefix.known_or(String::new());
        let stores = match listed_stores(ctx, &prefix).await {
            Ok(stores) => stores,
            Err(d) => return d.into(),
        };
        let mut sent = 0;
        for listed in stores {
            if sent >= req.limit {
                break;
            }
            let named = StoreModel {
                arn: listed.arn.as_str().into(),
                id: listed.arn.as_str().into(),
                ..StoreModel::default()
            };
            // The whole object only when asked for: it costs a read each.
            let object = if req.include_resource_object {
                match EventDataStore.read(ctx, named).await {
                    Read::Found(m) => m,
                    // Deleted since the list was read.
                    Read::Gone => continue,
                    Read::Failed(d) => {
                        diags.extend(d);
                        continue;
                    }
                }
            } else {
                named
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
