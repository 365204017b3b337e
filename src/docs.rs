//! The provider's registry docs: the framework's renderer with this provider's name and its page
//! on using it with hashicorp/aws. `scripts/docs.sh` writes them; `tests/docs.rs` fails when
//! `docs/` differs from a fresh render.

use std::path::Path;

use tfplugin_framework::docs::{self as framework, Composition};
pub use tfplugin_framework::docs::{DocsError, Page};

use crate::provider::{CloudTrail, NAME};

const WITH_AWS: Composition = Composition {
    heading: "Use with the hashicorp/aws provider",
    intro: "While hashicorp/aws's `aws_cloudtrail_event_data_store` still manages a store, \
            `cloudtrail_ingestion_state` can decide whether it ingests, as below. To bring the store itself \
            over to `cloudtrail_event_data_store`, see the guide \"Migrating from hashicorp/aws\".",
    dir: "with-aws-provider",
};

/// Renders every generated page, reading examples under `root/examples` (usually the repository).
pub fn render(root: &Path) -> Result<Vec<Page>, DocsError> {
    framework::render::<CloudTrail>(root, NAME, &[WITH_AWS])
}
