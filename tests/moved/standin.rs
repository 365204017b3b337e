//! A stand-in for hashicorp/aws, which cannot be downloaded here: a provider on this project's
//! framework that serves `aws_cloudtrail_event_data_store` with hashicorp/aws's schema (version 0,
//! the attributes and blocks of its `event_data_store.go`), so that Terraform and OpenTofu read a
//! state written the way hashicorp/aws writes it. It makes no AWS call: a refresh answers the state
//! as it is, and anything that would change a store is refused.

use tfplugin_framework::cty::{Type, Value};
use tfplugin_framework::diagnostics::{Diagnostic, Diagnostics};
use tfplugin_framework::model::model;
use tfplugin_framework::plugin::{self, ServeMode, ServeOptions};
use tfplugin_framework::provider::Provider;
use tfplugin_framework::registry::Registry;
use tfplugin_framework::resource::{Applied, Change, Read, Resource};
use tfplugin_framework::schema::{Attribute, Block, Nesting, Schema};

model! {
    /// hashicorp/aws's provider block, as far as these tests configure it: not at all.
    pub struct AwsBlock {}
}

model! {
    /// An `aws_cloudtrail_event_data_store`, kept as the state has it.
    pub struct AwsStore {
        pub name: Field<Value>,
        pub advanced_event_selector: Field<Value>,
        pub multi_region_enabled: Field<Value>,
        pub organization_enabled: Field<Value>,
        pub retention_period: Field<Value>,
        pub termination_protection_enabled: Field<Value>,
        pub kms_key_id: Field<Value>,
        pub billing_mode: Field<Value>,
        pub suspend: Field<Value>,
        pub tags: Field<Value>,
        pub tags_all: Field<Value>,
        pub region: Field<Value>,
        pub arn: Field<Value>,
        pub id: Field<Value>,
        pub timeouts: Field<Value>,
    }
}

/// hashicorp/aws 6.x's schema of the resource, as Terraform sees it over the protocol (SDKv2
/// lowers an optional `TypeList` of resources to a list block, a `TypeSet` to a set block).
fn schema() -> Schema {
    let strings = |name: &'static str| {
        Attribute::typed(name, Type::list(Type::String))
            .optional()
            .computed()
    };
    let field_selector = Block::new("")
        .attribute(Attribute::string("field").optional().computed())
        .attribute(strings("equals"))
        .attribute(strings("starts_with"))
        .attribute(strings("ends_with"))
        .attribute(strings("not_equals"))
        .attribute(strings("not_starts_with"))
        .attribute(strings("not_ends_with"));
    let selector = Block::new("")
        .attribute(Attribute::string("name").optional().computed())
        .block("field_selector", Nesting::Set, field_selector);
    let timeouts = Block::new("")
        .attribute(Attribute::string("create").optional())
        .attribute(Attribute::string("update").optional())
        .attribute(Attribute::string("delete").optional());
    Schema::new(
        0,
        Block::new("")
            .attribute(Attribute::string("name").required())
            .block("advanced_event_selector", Nesting::List, selector)
            .attribute(Attribute::bool("multi_region_enabled").optional())
            .attribute(Attribute::bool("organization_enabled").optional())
            .attribute(Attribute::number("retention_period").optional())
            .attribute(Attribute::bool("termination_protection_enabled").optional())
            .attribute(Attribute::string("kms_key_id").optional())
            .attribute(Attribute::string("billing_mode").optional())
            .attribute(Attribute::string("suspend").optional())
            .attribute(Attribute::typed("tags", Type::map(Type::String)).optional())
            .attribute(
                Attribute::typed("tags_all", Type::map(Type::String))
                    .optional()
                    .computed(),
            )
            .attribute(Attribute::string("region").optional().computed())
            .attribute(Attribute::string("arn").computed())
            .attribute(Attribute::string("id").optional().computed())
            .block("timeouts", Nesting::Single, timeouts),
    )
}

fn refused() -> Diagnostics {
    Diagnostic::error(
        "Stand-in provider",
        "This stand-in for hashicorp/aws only holds state for a move; it changes nothing.",
    )
    .into()
}

pub struct AwsStoreResource;

impl Resource<()> for AwsStoreResource {
    const TYPE_NAME: &'static str = "aws_cloudtrail_event_data_store";
    type Model = AwsStore;

    fn schema() -> Schema {
        schema()
    }

    async fn create(&self, _ctx: &(), _change: Change<AwsStore>) -> Applied<AwsStore> {
        Applied {
            state: None,
            diagnostics: refused(),
        }
    }

    async fn delete(&self, _ctx: &(), _prior: AwsStore) -> Diagnostics {
        refused()
    }

    async fn read(&self, _ctx: &(), state: AwsStore) -> Read<AwsStore> {
        Read::Found(state)
    }

    fn import(&self, _ctx: &(), _id: &str) -> Result<AwsStore, Diagnostics> {
        Err(refused())
    }
}

static REGISTRY: Registry<()> = Registry {
    resources: &[&AwsStoreResource],
    data_sources: &[],
    actions: &[],
    list_resources: &[],
};

#[derive(Default)]
pub struct StandinAws;

impl Provider for StandinAws {
    type Ctx = ();
    type Block = AwsBlock;

    fn schema() -> Schema {
        Schema::new(0, Block::new("hashicorp/aws, stood in for."))
    }

    fn validate(_config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn configure(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    fn ctx(&self) {}

    fn stop(&self) {}

    fn registry() -> &'static Registry<()> {
        &REGISTRY
    }
}

/// Serves the stand-in as Terraform launched it; the process's exit code.
pub fn serve() -> std::process::ExitCode {
    let env = match plugin::parse_env(|k| std::env::var(k).ok()) {
        Ok(env) => env,
        Err(err) => {
            eprintln!("stand-in aws: {err}");
            return std::process::ExitCode::from(1);
        }
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return std::process::ExitCode::from(1);
    };
    let options = ServeOptions {
        mode: ServeMode::Plugin(env),
        addresses: &[
            "registry.terraform.io/hashicorp/aws",
            "registry.opentofu.org/hashicorp/aws",
        ],
    };
    match runtime.block_on(plugin::serve(options, StandinAws)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("stand-in aws: {err}");
            std::process::ExitCode::from(1)
        }
    }
}
