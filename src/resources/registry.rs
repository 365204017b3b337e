//! The one list of the provider's resources, data sources, actions and list resources. The
//! protocol layer, the dispatch and the docs all read their types from here; adding a type is one
//! line.

use tfplugin_framework::registry::Registry;

use crate::resources::Ctx;
use crate::resources::event_data_store::EventDataStore;
use crate::resources::event_data_store_data::EventDataStoreData;
use crate::resources::event_data_store_list::EventDataStoreList;
use crate::resources::ingestion_actions::IngestionAction;
use crate::resources::ingestion_state::IngestionState;
use crate::resources::ingestion_state_list::IngestionStateList;

pub static REGISTRY: Registry<Ctx> = Registry {
    resources: &[&IngestionState, &EventDataStore],
    data_sources: &[&EventDataStoreData],
    actions: &[&IngestionAction::<true>, &IngestionAction::<false>],
    list_resources: &[&IngestionStateList, &EventDataStoreList],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_holds_together() {
        assert_eq!(crate::provider::Provider::check(), Ok(()));
    }

    #[test]
    fn every_type_name_has_the_provider_prefix() {
        let prefix = format!("{}_", crate::provider::NAME);
        let names = REGISTRY
            .resources
            .iter()
            .map(|r| r.type_name())
            .chain(REGISTRY.data_sources.iter().map(|d| d.type_name()))
            .chain(REGISTRY.actions.iter().map(|a| a.type_name()))
            .chain(REGISTRY.list_resources.iter().map(|l| l.type_name()));
        for name in names {
            assert!(name.starts_with(&prefix), "{name}");
        }
    }
}
