//! `cloudtrail_event_data_store`: an event data store itself, with hashicorp/aws's names and block
//! shapes, so a store moves over from `aws_cloudtrail_event_data_store` by a change of type. Reads
//! top to bottom: model and schema, apply (create, update, delete with their waits), read and
//! import; `rules.rs` has the arguments' rules, `moved.rs` the move from hashicorp/aws.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::arn::StoreRef;
use crate::aws::errors::AwsError;
use crate::aws::manage::{Admin, FieldSelector, Selector, StoreDetails, StoreSpec, StoreUpdate};
use crate::aws::status::Status;
use crate::cty::{Type, Value};
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::resources::model::{Field, Model, Set, model};
use crate::resources::status_machine::{FIRST_CONFLICT_BACKOFF, MAX_CONFLICT_BACKOFF};
use crate::resources::{
    Applied, Change, Ctx, Plan, Read, Resource, store_identity_schema, store_import_id,
    store_import_ref,
};
use crate::schema::{Attribute, Block, IdentitySchema, Nesting, Schema};
use crate::timeouts::{TimeoutOp, Timeouts};
use tfplugin_framework::resource::MovedState;

mod moved;
mod rules;

use moved::moved_from_aws;
use rules::{
    billing_mode, billing_mode_replaced, changed, kms_key, kms_key_replaced, region,
    selector_field, selector_name, selector_value, store_name, tags, validate, whole_days,
};

/// hashicorp/aws's waits for this resource.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// A refresh is a GetEventDataStore and a ListTags, with the SDK's retries.
const READ_TIMEOUT: Duration = Duration::from_secs(2 * 60);
/// How often a wait asks for the store's status.
const POLL: Duration = Duration::from_secs(2);

const TIMEOUTS: Timeouts = Timeouts {
    description: "How long to wait for the store to settle.",
    ops: &[
        TimeoutOp {
            name: "create",
            default: DEFAULT_TIMEOUT,
            description: "Duration such as `10m` (default `5m`): creating the store and waiting \
                          until it leaves `CREATED`.",
        },
        TimeoutOp {
            name: "update",
            default: DEFAULT_TIMEOUT,
            description: "Duration such as `10m` (default `5m`): retrying a change while \
                          CloudTrail reports the store busy.",
        },
        TimeoutOp {
            name: "delete",
            default: DEFAULT_TIMEOUT,
            description: "Duration such as `10m` (default `5m`): deleting the store and waiting \
                          until it is `PENDING_DELETION`.",
        },
    ],
};

const EXTENDABLE: &str = "EXTENDABLE_RETENTION_PRICING";
const FIXED: &str = "FIXED_RETENTION_PRICING";
/// The retention CloudTrail gives a store created without one, per billing mode.
const DEFAULT_RETENTION: [(&str, i64); 2] = [(EXTENDABLE, 366), (FIXED, 2557)];
/// The longest retention of each billing mode.
const MAX_RETENTION: [(&str, i64); 2] = [(EXTENDABLE, 3653), (FIXED, 2557)];

/// Where hashicorp/aws's store moves from.
pub const MOVED_FROM: &str = "aws_cloudtrail_event_data_store";

model! {
    /// A `cloudtrail_event_data_store` value: configuration, plan or state.
    pub struct StoreModel {
        pub name: Field<String>,
        pub advanced_event_selector: Field<Vec<SelectorModel>>,
        pub multi_region_enabled: Field<bool>,
        pub organization_enabled: Field<bool>,
        pub retention_period: Field<i64>,
        pub termination_protection_enabled: Field<bool>,
        pub kms_key_id: Field<String>,
        pub billing_mode: Field<String>,
        pub tags: Field<BTreeMap<String, String>>,
        pub region: Field<String>,
        pub start_ingestion: Field<bool>,
        pub id: Field<String>,
        pub arn: Field<String>,
        pub status: Field<String>,
        pub created_timestamp: Field<String>,
        pub updated_timestamp: Field<String>,
        /// Kept as written; `TIMEOUTS` reads it and knows the defaults.
        pub timeouts: Field<Value>,
    }
}

model! {
    /// One `advanced_event_selector` block.
    pub struct SelectorModel {
        pub name: Field<String>,
        pub field_selector: Field<Set<FieldSelectorModel>>,
    }
}

model! {
    /// One `field_selector` block.
    pub struct FieldSelectorModel {
        pub field: Field<String>,
        pub equals: Field<Vec<String>>,
        pub starts_with: Field<Vec<String>>,
        pub ends_with: Field<Vec<String>>,
        pub not_equals: Field<Vec<String>>,
        pub not_starts_with: Field<Vec<String>>,
        pub not_ends_with: Field<Vec<String>>,
    }
}

/// The operators of a field selector, by name, as the model and the API have them.
const OPERATORS: [&str; 6] = [
    "equals",
    "starts_with",
    "ends_with",
    "not_equals",
    "not_starts_with",
    "not_ends_with",
];

impl FieldSelectorModel {
    fn operators(&self) -> [&Field<Vec<String>>; 6] {
        [
            &self.equals,
            &self.starts_with,
            &self.ends_with,
            &self.not_equals,
            &self.not_starts_with,
            &self.not_ends_with,
        ]
    }

    fn to_selector(&self) -> FieldSelector {
        let values = |f: &Field<Vec<String>>| f.known_or(Vec::new());
        FieldSelector {
            field: self.field.known_or(String::new()),
            equals: values(&self.equals),
            starts_with: values(&self.starts_with),
            ends_with: values(&self.ends_with),
            not_equals: values(&self.not_equals),
            not_starts_with: values(&self.not_starts_with),
            not_ends_with: values(&self.not_ends_with),
        }
    }

    /// An operator AWS left empty reads as null, as the configuration leaves it.
    fn of(f: &FieldSelector) -> FieldSelectorModel {
        let values = |v: &Vec<String>| {
            if v.is_empty() {
                Field::Null
            } else {
                Field::Known(v.clone())
            }
        };
        FieldSelectorModel {
            field: f.field.as_str().into(),
            equals: values(&f.equals),
            starts_with: values(&f.starts_with),
            ends_with: values(&f.ends_with),
            not_equals: values(&f.not_equals),
            not_starts_with: values(&f.not_starts_with),
            not_ends_with: values(&f.not_ends_with),
        }
    }
}

impl SelectorModel {
    fn to_selector(&self) -> Selector {
        Selector {
            name: self.name.known().filter(|n| !n.is_empty()).cloned(),
            fields: self
                .field_selector
                .known()
                .map(|s| s.0.iter().map(FieldSelectorModel::to_selector).collect())
                .unwrap_or_default(),
        }
    }

    fn of(s: &Selector) -> SelectorModel {
        SelectorModel {
            name: s.name.clone().map_or(Field::Null, Field::Known),
            field_selector: Field::Known(Set(s
                .fields
                .iter()
                .map(FieldSelectorModel::of)
                .collect())),
        }
    }
}

impl StoreModel {
    /// The selectors as configured; `None` (no block) is AWS's default selector.
    fn selectors(&self) -> Option<Vec<Selector>> {
        let blocks = self.advanced_event_selector.known_or(Vec::new());
        (!blocks.is_empty()).then(|| blocks.iter().map(SelectorModel::to_selector).collect())
    }

    fn billing_mode(&self) -> String {
        self.billing_mode.known_or(EXTENDABLE.to_owned())
    }

    fn tags(&self) -> BTreeMap<String, String> {
        self.tags.known_or(BTreeMap::new())
    }

    /// The store this state names: its ARN, else the ID an import was given.
    fn store(&self) -> Option<StoreRef> {
        self.arn
            .known()
            .or(self.id.known())
            .and_then(|s| StoreRef::parse(s).ok())
    }

    /// Everything a read of the store says, the rest kept: `advanced_event_selector` stays
    /// empty while the store has AWS's default selector and the state had none (no block means
    /// that default), and a `kms_key_id` written as an ID or alias stays as written while AWS
    /// answers with the ARN of that key.
    fn fill_from(&mut self, d: &StoreDetails, tags: BTreeMap<String, String>) {
        self.id = d.arn.as_str().into();
        self.arn = d.arn.as_str().into();
        self.name = d.name.as_str().into();
        self.status = d.status.as_str().into();
        let none_before = self
            .advanced_event_selector
            .known()
            .is_none_or(Vec::is_empty);
        self.advanced_event_selector = if none_before && Selector::is_aws_default(&d.selectors) {
            Field::Known(Vec::new())
        } else {
            Field::Known(d.selectors.iter().map(SelectorModel::of).collect())
        };
        self.multi_region_enabled = d.multi_region_enabled.into();
        self.organization_enabled = d.organization_enabled.into();
        self.retention_period = d.retention_period.map_or(Field::Null, Field::Known);
        self.termination_protection_enabled = d.termination_protection_enabled.into();
        let same_key = |written: &String, remote: &String| {
            written == remote
                || remote.ends_with(&format!("/{written}"))
                || remote.ends_with(&format!(":{written}"))
        };
        self.kms_key_id = match (&self.kms_key_id, &d.kms_key_id) {
            (Field::Known(written), Some(remote)) if same_key(written, remote) => {
                Field::Known(written.clone())
            }
            (_, remote) => remote.clone().map_or(Field::Null, Field::Known),
        };
        if let Some(mode) = &d.billing_mode {
            self.billing_mode = mode.as_str().into();
        }
        // No tags configured and none on the store: null, as the configuration has it.
        self.tags = if tags.is_empty() && self.tags.is_null() {
            Field::Null
        } else {
            Field::Known(tags)
        };
        if let Ok(r) = StoreRef::parse(&d.arn)
            && let Some(region) = r.region
        {
            self.region = region.into();
        }
        self.created_timestamp = d
            .created_timestamp
            .clone()
            .map_or(Field::Null, Field::Known);
        self.updated_timestamp = d
            .updated_timestamp
            .clone()
            .map_or(Field::Null, Field::Known);
        // Create-only: an imported store's is whether it ingests now.
        self.start_ingestion = self
            .start_ingestion
            .clone()
            .or_default_value(d.status.is_ingesting());
    }
}

const DESCRIPTION: &str = "A CloudTrail Lake event data store. Arguments and blocks have the \
                           names of hashicorp/aws's `aws_cloudtrail_event_data_store`, so a store \
                           managed there moves here with a `moved` block (see the guide \
                           \"Migrating from hashicorp/aws\"). Create, update and destroy wait for \
                           the store to settle. Ingestion has one owner: `start_ingestion` says \
                           whether a new store starts ingesting, and after that this resource \
                           ignores ingestion; keep it started or stopped with a \
                           `cloudtrail_ingestion_state`.";

fn schema() -> Schema {
    let strings = |name: &'static str, what: &'static str| {
        Attribute::typed(name, Type::list(Type::String))
            .optional()
            .check_each(selector_value)
            .description(what)
    };
    let field_selector = Block::new("A condition on one field of the events.")
        .attribute(
            Attribute::string("field")
                .optional()
                .check(selector_field)
                .description(
                    "The field, e.g. `eventCategory` (required in every selector), \
                     `eventSource`, `eventName`, `readOnly`, `resources.type` or \
                     `resources.ARN`.",
                ),
        )
        .attribute(strings("equals", "Values the field equals."))
        .attribute(strings("starts_with", "Prefixes the field starts with."))
        .attribute(strings("ends_with", "Suffixes the field ends with."))
        .attribute(strings("not_equals", "Values the field does not equal."))
        .attribute(strings(
            "not_starts_with",
            "Prefixes the field does not start with.",
        ))
        .attribute(strings(
            "not_ends_with",
            "Suffixes the field does not end with.",
        ));
    let selector = Block::new(
        "An advanced event selector: the events the store collects. Without any, AWS collects \
         all management events (its selector \"Default management events\"). At most 5.",
    )
    .attribute(
        Attribute::string("name")
            .optional()
            .check(selector_name)
            .description("The selector's name, up to 1000 characters."),
    )
    .block("field_selector", Nesting::Set, field_selector);
    let block = Block::new(DESCRIPTION)
        .attribute(
            Attribute::string("name")
                .required()
                .check(store_name)
                .description(
                    "The store's name: 3 to 128 characters of letters, digits, `.`, `_` and \
                     `-`. Changed in place.",
                ),
        )
        .block("advanced_event_selector", Nesting::List, selector)
        .attribute(
            Attribute::bool("multi_region_enabled")
                .default(Value::Bool(true))
                .description(
                    "Whether the store collects events from every region (default `true`).",
                ),
        )
        .attribute(
            Attribute::bool("organization_enabled")
                .default(Value::Bool(false))
                .description(
                    "Whether the store collects the events of every account of the organization \
                     (default `false`); only the management account can change it.",
                ),
        )
        .attribute(
            Attribute::number("retention_period")
                .optional()
                .computed()
                .use_state_for_unknown()
                .check(whole_days)
                .description(
                    "Days the store keeps events: 7 to 3653 with extendable retention pricing, 7 \
                     to 2557 with fixed. Unset, a new store gets AWS's default (366, or 2557 \
                     with fixed pricing) and an existing one keeps its retention. Lowering it \
                     deletes the events older than the new period.",
                ),
        )
        .attribute(
            Attribute::bool("termination_protection_enabled")
                .default(Value::Bool(true))
                .description(
                    "Whether the store refuses deletion (default `true`). Destroy fails while \
                     it is on: set it to `false`, apply, then destroy.",
                ),
        )
        .attribute(
            Attribute::string("kms_key_id")
                .optional()
                .check(kms_key)
                .requires_replace_if(kms_key_replaced)
                .description(
                    "KMS key that encrypts the store's events: key ARN, key ID, alias name or \
                     alias ARN, in the store's region. It can be added to a store in place; \
                     changing or removing it replaces the store (AWS keeps a store's key for \
                     life).",
                ),
        )
        .attribute(
            Attribute::string("billing_mode")
                .default(Value::string(EXTENDABLE))
                .check(billing_mode)
                .requires_replace_if(billing_mode_replaced)
                .description(
                    "`EXTENDABLE_RETENTION_PRICING` (default) or `FIXED_RETENTION_PRICING`. \
                     Fixed can change to extendable in place; extendable to fixed replaces the \
                     store, since AWS allows no such change.",
                ),
        )
        .attribute(
            Attribute::typed("tags", Type::map(Type::String))
                .optional()
                .check(tags)
                .description(
                    "Tags of the store: up to 50, keys of 1 to 128 characters, values up to 256. \
                     This provider has no `default_tags`: every tag is listed here.",
                ),
        )
        .attribute(
            Attribute::string("region")
                .optional()
                .computed()
                .use_state_for_unknown()
                .check(region)
                .requires_replace_if(changed)
                .description(
                    "The store's region (default: the provider's). Changing it replaces the \
                     store.",
                ),
        )
        .attribute(
            Attribute::bool("start_ingestion")
                .default(Value::Bool(true))
                .description(
                    "Whether a new store starts ingesting (default `true`). Read only at create: \
                     after that this resource leaves ingestion alone, so that it and a \
                     `cloudtrail_ingestion_state` never contend.",
                ),
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description("The store's full ARN."),
        )
        .attribute(
            Attribute::string("arn")
                .computed()
                .use_state_for_unknown()
                .description("The store's full ARN."),
        )
        .attribute(
            Attribute::string("status")
                .computed()
                .use_state_for_unknown()
                .description(
                    "The store's status at the last apply or refresh, e.g. `ENABLED` or \
                     `STOPPED_INGESTION`.",
                ),
        )
        .attribute(
            Attribute::string("created_timestamp")
                .computed()
                .use_state_for_unknown()
                .description("When the store was created (RFC 3339)."),
        )
        .attribute(
            Attribute::string("updated_timestamp")
                .computed()
                .use_state_for_unknown()
                .unknown_if_changed(&[
                    "name",
                    "advanced_event_selector",
                    "multi_region_enabled",
                    "organization_enabled",
                    "retention_period",
                    "termination_protection_enabled",
                    "kms_key_id",
                    "billing_mode",
                ])
                .description("When the store was last changed (RFC 3339)."),
        );
    Schema::new(0, TIMEOUTS.add_to(block))
}

pub struct EventDataStore;

impl Resource<Ctx> for EventDataStore {
    const TYPE_NAME: &'static str = "cloudtrail_event_data_store";
    type Model = StoreModel;

    fn schema() -> Schema {
        schema()
    }

    fn validate(config: &Value) -> Diagnostics {
        validate(config)
    }

    /// What AWS will do, shown in the plan: the retention a new store gets, and the region it is
    /// created in.
    async fn modify_plan(&self, ctx: &Ctx, plan: &mut Plan<StoreModel>) {
        if plan.makes_new() {
            if plan.planned.retention_period.is_unknown()
                && plan.config.retention_period.is_null()
                && let Field::Known(mode) = &plan.planned.billing_mode
            {
                plan.planned.retention_period = DEFAULT_RETENTION
                    .iter()
                    .find(|(b, _)| b == mode)
                    .map_or(Field::Unknown, |(_, days)| Field::Known(*days));
            }
            if plan.planned.region.is_unknown()
                && plan.config.region.is_null()
                && let Some(region) = ctx.aws.as_deref().and_then(|a| a.default_region())
            {
                plan.planned.region = region.into();
            }
        }
    }

    async fn create(&self, ctx: &Ctx, change: Change<StoreModel>) -> Applied<StoreModel> {
        create(ctx, change).await
    }

    async fn update(&self, ctx: &Ctx, change: Change<StoreModel>) -> Applied<StoreModel> {
        update(ctx, change).await
    }

    async fn delete(&self, ctx: &Ctx, prior: StoreModel) -> Diagnostics {
        delete(ctx, prior).await
    }

    async fn read(&self, ctx: &Ctx, model: StoreModel) -> Read<StoreModel> {
        read(ctx, model).await
    }

    /// `{ arn }`, hashicorp/aws's identity for the store.
    fn identity_schema() -> Option<IdentitySchema> {
        Some(store_identity_schema())
    }

    fn import_id(identity: &Value) -> Result<String, Diagnostics> {
        store_import_id(identity)
    }

    /// By ARN, or by ID in the provider's region; the read that follows fills the rest.
    fn import(&self, _ctx: &Ctx, id: &str) -> Result<StoreModel, Diagnostics> {
        store_import_ref(id)?;
        Ok(StoreModel {
            id: id.into(),
            ..StoreModel::default()
        })
    }

    fn move_state(source: &MovedState) -> Option<Result<StoreModel, Diagnostics>> {
        moved_from_aws(source)
    }
}

/// The client for the store's region: the ARN's, else the model's `region`, else the provider's.
fn admin(ctx: &Ctx, m: &StoreModel) -> Result<Admin, Diagnostic> {
    let region = m
        .store()
        .and_then(|s| s.region)
        .or_else(|| m.region.known().cloned());
    ctx.aws()?.admin(region.as_deref(), None)
}

fn spec(m: &StoreModel) -> StoreSpec {
    StoreSpec {
        name: m.name.known_or(String::new()),
        selectors: m.selectors(),
        multi_region_enabled: m.multi_region_enabled.known_or(true),
        organization_enabled: m.organization_enabled.known_or(false),
        retention_period: m.retention_period.known().copied(),
        termination_protection_enabled: m.termination_protection_enabled.known_or(true),
        kms_key_id: m.kms_key_id.known().cloned(),
        billing_mode: m.billing_mode(),
        tags: m.tags(),
        start_ingestion: m.start_ingestion.known_or(true),
    }
}

/// What UpdateEventDataStore must change to take `prior` to `planned`.
fn update_of(prior: &StoreModel, planned: &StoreModel) -> StoreUpdate {
    fn differs<T: Clone + PartialEq>(prior: &Field<T>, planned: &Field<T>) -> Option<T> {
        planned
            .known()
            .filter(|p| prior.known() != Some(*p))
            .cloned()
    }
    // No block is AWS's default selector, which an update must name.
    let selectors = (prior.advanced_event_selector != planned.advanced_event_selector).then(|| {
        planned
            .selectors()
            .unwrap_or_else(|| vec![Selector::aws_default()])
    });
    StoreUpdate {
        name: differs(&prior.name, &planned.name),
        selectors,
        multi_region_enabled: differs(&prior.multi_region_enabled, &planned.multi_region_enabled),
        organization_enabled: differs(&prior.organization_enabled, &planned.organization_enabled),
        retention_period: differs(&prior.retention_period, &planned.retention_period),
        termination_protection_enabled: differs(
            &prior.termination_protection_enabled,
            &planned.termination_protection_enabled,
        ),
        kms_key_id: differs(&prior.kms_key_id, &planned.kms_key_id),
        billing_mode: differs(&prior.billing_mode, &planned.billing_mode),
    }
}

/// Runs `call` until it succeeds, fails otherwise than with ConflictException (CloudTrail's
/// "busy, try again"), the deadline passes or the run is cancelled.
async fn retry_busy<T, F, Fut>(
    ctx: &Ctx,
    deadline: tokio::time::Instant,
    mut call: F,
) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AwsError>>,
{
    // The status machine's backoff for the same answer.
    let mut backoff = FIRST_CONFLICT_BACKOFF;
    loop {
        match call().await {
            Err(e)
                if e.is("ConflictException")
                    && tokio::time::Instant::now() + backoff < deadline =>
            {
                tracing::debug!(
                    wait_ms = backoff.as_millis() as u64,
                    "store busy (ConflictException); retrying"
                );
                tokio::select! {
                    () = tokio::time::sleep(backoff) => backoff = (backoff * 2).min(MAX_CONFLICT_BACKOFF),
                    () = ctx.cancel.cancelled() => return Err(AwsError {
                        code: None,
                        kind: crate::aws::errors::ErrorKind::Transient,
                        diagnostic: interrupted(),
                    }),
                }
            }
            done => return done,
        }
    }
}

fn interrupted() -> Diagnostic {
    Diagnostic::error(
        "Interrupted",
        "Stopped before the event data store settled; the next plan shows where it is.",
    )
}

/// Polls the store until `done` says so, the deadline passes, or the run is cancelled; the last
/// details seen (`None`: CloudTrail knows no such store).
async fn wait_for(
    ctx: &Ctx,
    api: &Admin,
    arn: &str,
    deadline: tokio::time::Instant,
    what: &str,
    done: impl Fn(Option<&StoreDetails>) -> bool,
) -> Result<Option<StoreDetails>, Diagnostic> {
    loop {
        let seen = api.get(arn).await.map_err(|e| e.diagnostic)?;
        if done(seen.as_ref()) {
            return Ok(seen);
        }
        if tokio::time::Instant::now() + POLL >= deadline {
            let status = seen
                .as_ref()
                .map_or("not found".to_owned(), |d| d.status.as_str().to_owned());
            return Err(Diagnostic::error(
                "The event data store did not settle in time",
                format!(
                    "{arn} is {status}, still not {what} at the end of the timeout. Run apply \
                     again, or raise the resource's timeouts."
                ),
            ));
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            () = ctx.cancel.cancelled() => return Err(interrupted()),
        }
    }
}

/// The state after a successful call: what a read says (the planned values where it could not).
async fn settled_state(
    api: &Admin,
    mut planned: StoreModel,
    details: Option<StoreDetails>,
) -> (StoreModel, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(d) = details else {
        return (planned, diags);
    };
    match api.tags(&d.arn).await {
        Ok(tags) => planned.fill_from(&d, tags),
        Err(e) => {
            let tags = planned.tags();
            planned.fill_from(&d, tags);
            diags.push(e.diagnostic);
        }
    }
    (planned, diags)
}

async fn create(ctx: &Ctx, change: Change<StoreModel>) -> Applied<StoreModel> {
    let deadline = tokio::time::Instant::now() + TIMEOUTS.of(&change.config.timeouts, "create");
    let planned = change.planned;
    let api = match admin(ctx, &planned) {
        Ok(api) => api,
        Err(d) => return failed(d),
    };
    let spec = spec(&planned);
    let arn = match retry_busy(ctx, deadline, || api.create(&spec)).await {
        Ok(arn) => arn,
        Err(e) => return failed(closed_to_new_customers(e.diagnostic)),
    };
    // From here the store exists: whatever happens, state records it, so it is not orphaned.
    let mut state = planned;
    state.arn = arn.as_str().into();
    state.id = arn.as_str().into();
    let waited = wait_for(ctx, &api, &arn, deadline, "ingesting or stopped", |d| {
        d.is_some_and(|d| d.status != Status::Created)
    })
    .await;
    let want = state.tags();
    let (state, diagnostics) = match waited {
        Ok(details) => {
            // Tags asked for at create are checked, and set where they did not take (some
            // emulators drop CreateEventDataStore's TagsList).
            let tagged = match api.tags(&arn).await {
                Ok(have) if have != want => api.set_tags(&arn, &have, &want).await,
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            let (state, mut diagnostics) = settled_state(&api, state, details).await;
            if let Err(e) = tagged {
                diagnostics.push(e.diagnostic);
            }
            (state, diagnostics)
        }
        Err(d) => (known_or_null(state), d.into()),
    };
    Applied {
        state: Some(state),
        diagnostics,
    }
}

async fn update(ctx: &Ctx, change: Change<StoreModel>) -> Applied<StoreModel> {
    let deadline = tokio::time::Instant::now() + TIMEOUTS.of(&change.config.timeouts, "update");
    let Some(prior) = change.prior else {
        return failed(Diagnostic::error(
            "No prior state",
            "An update came without the store's prior state.",
        ));
    };
    let planned = change.planned;
    let Some(arn) = prior.arn.known().cloned() else {
        return failed(Diagnostic::error(
            "No ARN in state",
            "The state names no event data store ARN; import the store again.",
        ));
    };
    let api = match admin(ctx, &prior) {
        Ok(api) => api,
        Err(d) => return failed(d),
    };
    let mut diagnostics = Diagnostics::new();
    let changes = update_of(&prior, &planned);
    if let Err(e) = retry_busy(ctx, deadline, || api.update(&arn, &changes)).await {
        diagnostics.push(e.diagnostic);
        // Nothing changed: the prior state stands.
        return Applied {
            state: None,
            diagnostics,
        };
    }
    let (have, want) = (prior.tags(), planned.tags());
    if have != want
        && let Err(e) = retry_busy(ctx, deadline, || api.set_tags(&arn, &have, &want)).await
    {
        diagnostics.push(e.diagnostic);
    }
    let mut state = planned;
    state.arn = arn.as_str().into();
    state.id = arn.as_str().into();
    let (state, more) = match api.get(&arn).await {
        Ok(details) => settled_state(&api, state, details).await,
        Err(e) => (known_or_null(state), e.diagnostic.into()),
    };
    diagnostics.extend(more);
    Applied {
        state: Some(state),
        diagnostics,
    }
}

async fn delete(ctx: &Ctx, prior: StoreModel) -> Diagnostics {
    let deadline = tokio::time::Instant::now() + TIMEOUTS.of(&prior.timeouts, "delete");
    let Some(arn) = prior.arn.known().cloned() else {
        return Diagnostics::new();
    };
    let api = match admin(ctx, &prior) {
        Ok(api) => api,
        Err(d) => return d.into(),
    };
    if let Err(e) = retry_busy(ctx, deadline, || api.delete(&arn)).await {
        // A store already deleted (outside Terraform, or by an earlier run) refuses a second
        // delete by its status: pending deletion is what this delete waits for anyway.
        let inactive =
            e.is("InactiveEventDataStoreException") || e.is("InvalidEventDataStoreStatusException");
        if inactive
            && let Ok(seen) = api.get(&arn).await
            && seen.is_none_or(|d| d.status == Status::PendingDeletion)
        {
            return Diagnostics::new();
        }
        let protected = e.is("EventDataStoreTerminationProtectedException");
        return if protected {
            e.diagnostic
                .at(attr_path(&["termination_protection_enabled"]))
        } else {
            e.diagnostic
        }
        .into();
    }
    match wait_for(ctx, &api, &arn, deadline, "pending deletion", |d| {
        d.is_none_or(|d| d.status == Status::PendingDeletion)
    })
    .await
    {
        Ok(_) => Diagnostics::new(),
        Err(d) => d.into(),
    }
}

/// A store as a refresh reads it: its details and its tags.
type Remote = (StoreDetails, BTreeMap<String, String>);

async fn read(ctx: &Ctx, mut model: StoreModel) -> Read<StoreModel> {
    let Some(store) = model.store() else {
        return Read::Failed(
            Diagnostic::error(
                "Invalid state",
                "The state names no valid event data store ARN or ID; remove the resource from \
                 state and import it again.",
            )
            .into(),
        );
    };
    let api = match admin(ctx, &model) {
        Ok(api) => api,
        Err(d) => return Read::Failed(d.into()),
    };
    let lookup = async {
        let details = api.get(&store.raw).await?;
        match details {
            Some(d) if d.status != Status::PendingDeletion => {
                let tags = api.tags(&d.arn).await?;
                Ok(Some((d, tags)))
            }
            _ => Ok(None),
        }
    };
    let answer: Result<Option<Remote>, AwsError> = tokio::select! {
        r = lookup => r,
        () = ctx.cancel.cancelled() => return Read::Failed(interrupted().into()),
        () = tokio::time::sleep(READ_TIMEOUT) => return Read::Failed(Diagnostic::error(
            "CloudTrail did not answer in time",
            format!(
                "Reading {} took longer than {}s; the state is kept as it was.",
                store.raw,
                READ_TIMEOUT.as_secs()
            ),
        ).into()),
    };
    match answer {
        Ok(Some((d, tags))) => {
            model.fill_from(&d, tags);
            Read::Found(model)
        }
        // Gone, or deleted (only RestoreEventDataStore brings it back): no longer managed.
        Ok(None) => {
            tracing::info!(store = %store.raw, "event data store is gone or pending deletion; removing it from state");
            Read::Gone
        }
        Err(e) => Read::Failed(e.diagnostic.into()),
    }
}

fn failed(d: Diagnostic) -> Applied<StoreModel> {
    Applied {
        state: None,
        diagnostics: d.into(),
    }
}

/// A state to record after a failure midway: unknown values become null (Terraform records no
/// unknown value; the next refresh fills them in).
fn known_or_null(m: StoreModel) -> StoreModel {
    let mut v = m.to_object();
    for value in v.values_mut() {
        if !value.is_known() {
            *value = Value::Null;
        }
    }
    StoreModel::from_object(&v)
}

/// AWS's refusal of accounts that never used Lake has no error code of its own that AWS
/// documents (CloudFormation shows it as an invalid request), so its message is the one sign:
/// the diagnostic then says plainly what it means.
fn closed_to_new_customers(d: Diagnostic) -> Diagnostic {
    if !d.detail.contains("no longer accepting new customers") {
        return d;
    }
    Diagnostic::error(
        "CloudTrail Lake is closed to new customers",
        format!(
            "AWS stopped accepting new CloudTrail Lake customers on 2026-05-31, and this account \
             has never used Lake, so it cannot create an event data store. Accounts that already \
             use Lake can; create the store from one of them, or use a trail.\n\n{}",
            d.detail
        ),
    )
}
