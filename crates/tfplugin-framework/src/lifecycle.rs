//! What the framework does once for every typed resource, data source, action and list resource:
//! decode each value into its model, validate, plan from the schema, turn an apply into create,
//! update or delete by its nulls, and keep unknown values out of what Terraform records. The
//! registry's `Any*` implementations call it.

use crate::cty::Value;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Model;
use crate::plan;
use crate::resource::{
    Action, Applied, ApplyRequest, Change, DataSource, Found, ListRequest, ListResource,
    ListSender, MovedState, Plan, PlanRequest, PlanResponse, Progress, Read, Resource,
    StateResponse,
};
use crate::schema::Schema;

/// The schema's declared attribute checks, then the type's own rules: what every validation is.
pub(crate) fn validation(
    schema: &Schema,
    config: &Value,
    own: impl FnOnce(&Value) -> Diagnostics,
) -> Diagnostics {
    let mut diagnostics = schema.block.check(config);
    diagnostics.extend(own(config));
    diagnostics
}

fn model<M: Model>(v: &Value) -> Option<M> {
    (!v.is_null()).then(|| M::from_value(v))
}

fn not_known(type_name: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        "Provider produced an unknown value",
        format!(
            "{type_name}: {what} returned a state with unknown values, which Terraform cannot \
             record; the state is kept as it was. This is a bug in the provider."
        ),
    )
}

pub(crate) async fn plan<C, R: Resource<C>>(r: &R, ctx: &C, req: PlanRequest) -> PlanResponse {
    let schema = R::schema();
    let (planned, requires_replace) = plan::from_schema(&schema, &req);
    // A destroy: nothing to plan, nothing of the resource's own to add.
    let Some(planned) = model::<R::Model>(&planned) else {
        return PlanResponse::default();
    };
    let mut p = Plan {
        config: R::Model::from_value(&req.config),
        prior: model(&req.prior_state),
        planned,
        requires_replace,
        diagnostics: validation(&schema, &req.config, R::validate),
        private: Vec::new(),
    };
    // What the type adds (remote reads among it) is for a valid configuration only.
    if !p.diagnostics.has_errors() {
        r.modify_plan(ctx, &mut p).await;
    }
    PlanResponse {
        planned_state: p.planned.to_value(),
        planned_identity: Value::Null,
        requires_replace: p.requires_replace,
        diagnostics: p.diagnostics,
        planned_private: p.private,
    }
}

pub(crate) async fn apply<C, R: Resource<C>>(r: &R, ctx: &C, req: ApplyRequest) -> StateResponse {
    let prior = model::<R::Model>(&req.prior_state);
    let Some(planned) = model::<R::Model>(&req.planned_state) else {
        let Some(prior) = prior else {
            return StateResponse::default();
        };
        let diagnostics = r.delete(ctx, prior).await;
        // A failed delete leaves the object in state, so that it can be tried again.
        let state = if diagnostics.has_errors() {
            req.prior_state
        } else {
            Value::Null
        };
        return StateResponse {
            state,
            identity: Value::Null,
            diagnostics,
        };
    };
    let mut diagnostics = validation(&R::schema(), &req.config, R::validate);
    if diagnostics.has_errors() {
        return StateResponse {
            state: req.prior_state,
            identity: Value::Null,
            diagnostics,
        };
    }
    let creating = prior.is_none();
    let change = Change {
        config: R::Model::from_value(&req.config),
        prior,
        planned,
        private: req.planned_private,
    };
    let Applied {
        state,
        diagnostics: more,
    } = if creating {
        r.create(ctx, change).await
    } else {
        r.update(ctx, change).await
    };
    diagnostics.extend(more);
    if creating && state.is_none() && !diagnostics.has_errors() {
        diagnostics.push(Diagnostic::error(
            "Provider produced no object",
            format!(
                "{}: create answered no object and no error. This is a bug in the provider.",
                R::TYPE_NAME
            ),
        ));
    }
    let mut state = state.map_or_else(|| req.prior_state.clone(), |m| m.to_value());
    if !state.is_known() {
        if !diagnostics.has_errors() {
            let op = if creating { "create" } else { "update" };
            diagnostics.push(not_known(R::TYPE_NAME, op));
        }
        state = req.prior_state;
    }
    StateResponse {
        state,
        identity: Value::Null,
        diagnostics,
    }
}

pub(crate) async fn read<C, R: Resource<C>>(r: &R, ctx: &C, state: Value) -> StateResponse {
    let Some(current) = model::<R::Model>(&state) else {
        return StateResponse::default();
    };
    let (state, diagnostics) = match r.read(ctx, current).await {
        Read::Found(m) => {
            let found = m.to_value();
            if found.is_known() {
                (found, Diagnostics::new())
            } else {
                (state, not_known(R::TYPE_NAME, "read").into())
            }
        }
        Read::Gone => (Value::Null, Diagnostics::new()),
        Read::Failed(diagnostics) => (state, diagnostics),
    };
    StateResponse {
        state,
        identity: Value::Null,
        diagnostics,
    }
}

/// A stored state of schema version `version` as a value of the current schema: read as it is
/// when written by the current version, through the type's `upgrade_state` when older.
pub(crate) fn upgrade<C, R: Resource<C>>(version: i64, json: &[u8]) -> Result<Value, Diagnostics> {
    let schema = R::schema();
    if version > schema.version {
        return Err(Diagnostic::error(
            "State from a newer provider",
            format!(
                "The state has schema version {version} but this provider knows up to {}; use a \
                 newer provider version.",
                schema.version
            ),
        )
        .into());
    }
    if version < schema.version {
        return R::upgrade_state(version, json).map(|m| m.to_value());
    }
    crate::cty::json::decode(json, &schema.value_type()).map_err(|e| {
        Diagnostic::error(
            "Invalid stored state",
            format!("The stored state could not be read: {}", e.message),
        )
        .into()
    })
}

/// The state a resource of another type becomes under this type, wholly known.
pub(crate) fn move_state<C, R: Resource<C>>(source: &MovedState) -> StateResponse {
    let refused = |diagnostics: Diagnostics| StateResponse {
        diagnostics,
        ..StateResponse::default()
    };
    match R::move_state(source) {
        None => refused(
            Diagnostic::error(
                "Unsupported move",
                format!(
                    "{} cannot take the state of {} from provider {}; only the types its \
                     documentation lists can be moved to it.",
                    R::TYPE_NAME,
                    source.type_name,
                    source.provider_address
                ),
            )
            .into(),
        ),
        Some(Err(diagnostics)) => refused(diagnostics),
        Some(Ok(m)) => {
            let state = m.to_value();
            if !state.is_known() {
                return refused(not_known(R::TYPE_NAME, "move").into());
            }
            StateResponse {
                state,
                ..StateResponse::default()
            }
        }
    }
}

pub(crate) fn import<C, R: Resource<C>>(r: &R, ctx: &C, id: &str) -> StateResponse {
    match r.import(ctx, id) {
        Ok(m) if !m.to_value().is_known() => StateResponse {
            diagnostics: not_known(R::TYPE_NAME, "import").into(),
            ..StateResponse::default()
        },
        Ok(m) => StateResponse {
            state: m.to_value(),
            ..StateResponse::default()
        },
        Err(diagnostics) => StateResponse {
            diagnostics,
            ..StateResponse::default()
        },
    }
}

pub(crate) async fn read_data<C, D: DataSource<C>>(d: &D, ctx: &C, config: Value) -> StateResponse {
    let mut diagnostics = validation(&D::schema(), &config, D::validate);
    if diagnostics.has_errors() {
        return StateResponse {
            diagnostics,
            ..StateResponse::default()
        };
    }
    let mut state = Value::Null;
    match d.read(ctx, D::Model::from_value(&config)).await {
        Ok(m) => {
            let found = m.to_value();
            if found.is_known() {
                state = found;
            } else {
                diagnostics.push(not_known(D::TYPE_NAME, "read"));
            }
        }
        Err(more) => diagnostics.extend(more),
    }
    StateResponse {
        state,
        identity: Value::Null,
        diagnostics,
    }
}

pub(crate) async fn invoke<C, A: Action<C>>(
    a: &A,
    ctx: &C,
    config: Value,
    progress: Progress,
) -> Diagnostics {
    let mut diagnostics = validation(&A::schema(), &config, A::validate);
    if !diagnostics.has_errors() {
        let config = A::Model::from_value(&config);
        diagnostics.extend(a.invoke(ctx, config, progress).await);
    }
    diagnostics
}

pub(crate) async fn list<C, L: ListResource<C>>(
    l: &L,
    ctx: &C,
    req: ListRequest,
    found: ListSender,
) -> Diagnostics {
    let mut diagnostics = validation(&L::schema(), &req.config, L::validate);
    if !diagnostics.has_errors() {
        let found = Found {
            tx: found,
            include_object: req.include_resource_object,
            identity: <L::Resource as Resource<C>>::identity,
        };
        let req = ListRequest {
            config: L::Model::from_value(&req.config),
            include_resource_object: req.include_resource_object,
            limit: req.limit,
        };
        diagnostics.extend(l.list(ctx, req, found).await);
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::model::{Field, model};
    use crate::registry::Registry;
    use crate::resource::object;
    use crate::schema::{Attribute, Block, IdentitySchema, Schema};

    model! {
        /// The test resource's value.
        pub struct Rec { pub name: Field<String>, pub id: Field<String> }
    }

    /// A resource that records its calls and answers as its flags say.
    #[derive(Default)]
    struct Scripted {
        calls: Mutex<Vec<String>>,
        /// create, update, delete and read fail.
        fail: bool,
        /// create and update leave `id` unknown.
        unknown_id: bool,
        /// read finds nothing.
        gone: bool,
        /// create and update answer no object.
        nothing: bool,
    }

    fn error() -> Diagnostics {
        Diagnostic::error("Scripted failure", "as asked").into()
    }

    fn schema() -> Schema {
        Schema::new(
            1,
            Block::new("t")
                .attribute(
                    Attribute::string("name")
                        .required()
                        .requires_replace_if(|a, b| a != b),
                )
                .attribute(Attribute::string("id").computed().use_state_for_unknown()),
        )
    }

    impl Scripted {
        /// Every flag off but those `set` turns on.
        fn with(set: impl FnOnce(&mut Scripted)) -> Scripted {
            let mut scripted = Scripted::default();
            set(&mut scripted);
            scripted
        }

        fn calls(&self) -> Vec<String> {
            self.calls.lock().expect("not poisoned").clone()
        }

        fn note(&self, call: String) {
            self.calls.lock().expect("not poisoned").push(call);
        }

        fn applied(&self, op: &str, change: Change<Rec>) -> Applied<Rec> {
            self.note(format!(
                "{op} private={}",
                String::from_utf8_lossy(&change.private)
            ));
            let id = if self.unknown_id {
                Field::Unknown
            } else {
                change.planned.name.clone()
            };
            Applied {
                state: (!self.nothing).then_some(Rec {
                    name: change.planned.name,
                    id,
                }),
                diagnostics: if self.fail {
                    error()
                } else {
                    Diagnostics::new()
                },
            }
        }
    }

    impl Resource<()> for Scripted {
        const TYPE_NAME: &'static str = "test_rec";
        type Model = Rec;

        fn schema() -> Schema {
            schema()
        }

        fn validate(config: &Value) -> Diagnostics {
            match config.get("name").and_then(Value::as_str) {
                Some("bad") => Diagnostic::error("Bad name", "name: not \"bad\"").into(),
                _ => Diagnostics::new(),
            }
        }

        async fn modify_plan(&self, _ctx: &(), plan: &mut Plan<Rec>) {
            self.note(format!("plan new={}", plan.makes_new()));
            plan.private = b"seen".to_vec();
        }

        async fn create(&self, _ctx: &(), change: Change<Rec>) -> Applied<Rec> {
            self.applied("create", change)
        }

        async fn update(&self, _ctx: &(), change: Change<Rec>) -> Applied<Rec> {
            self.applied("update", change)
        }

        async fn delete(&self, _ctx: &(), prior: Rec) -> Diagnostics {
            self.note(format!("delete {}", prior.id.known_or(String::new())));
            if self.fail {
                error()
            } else {
                Diagnostics::new()
            }
        }

        async fn read(&self, _ctx: &(), state: Rec) -> Read<Rec> {
            if self.gone {
                Read::Gone
            } else if self.fail {
                Read::Failed(error())
            } else {
                Read::Found(Rec {
                    id: "read".into(),
                    ..state
                })
            }
        }

        fn import(&self, _ctx: &(), id: &str) -> Result<Rec, Diagnostics> {
            Ok(Rec {
                id: id.into(),
                ..Rec::default()
            })
        }

        fn identity_schema() -> Option<IdentitySchema> {
            Some(IdentitySchema::single("id", crate::cty::Type::String, ""))
        }

        /// Version 0 had only `name`, which was also the id.
        fn upgrade_state(version: i64, json: &[u8]) -> Result<Rec, Diagnostics> {
            let ty = crate::cty::Type::object([("name", crate::cty::Type::String)]);
            match version {
                0 => {
                    let old = crate::cty::json::decode(json, &ty)
                        .map_err(|e| Diagnostics::from(Diagnostic::error("Bad", e.message)))?;
                    let name = Field::from_value(old.get("name").unwrap_or(&Value::Null));
                    Ok(Rec {
                        id: name.clone(),
                        name,
                    })
                }
                _ => Err(error()),
            }
        }

        /// Takes `old_rec` (a `title`) of any provider; a title "later" has no id yet.
        fn move_state(source: &MovedState) -> Option<Result<Rec, Diagnostics>> {
            if source.type_name != "old_rec" {
                return None;
            }
            let ty = crate::cty::Type::object([("title", crate::cty::Type::String)]);
            Some(source.decode(&ty).map(|old| {
                let title = Field::from_value(old.get("title").unwrap_or(&Value::Null));
                Rec {
                    id: if title.known().is_some_and(|t| t == "later") {
                        Field::Unknown
                    } else {
                        title.clone()
                    },
                    name: title,
                }
            }))
        }
    }

    fn rec(name: &str, id: Value) -> Value {
        object([("name", Value::string(name)), ("id", id)])
    }

    fn config(name: &str) -> Value {
        rec(name, Value::Null)
    }

    async fn plan_of(r: &Scripted, cfg: Value, prior: Value) -> PlanResponse {
        let proposed = match (&cfg, prior.get("id")) {
            // Terraform proposes the prior value of an unset computed attribute.
            (Value::Object(c), Some(id)) => {
                let mut p = c.clone();
                p.insert("id".into(), id.clone());
                Value::Object(p)
            }
            _ => cfg.clone(),
        };
        plan(
            r,
            &(),
            PlanRequest {
                config: cfg,
                prior_state: prior,
                proposed_new_state: proposed,
            },
        )
        .await
    }

    async fn apply_of(r: &Scripted, cfg: Value, prior: Value, planned: Value) -> StateResponse {
        apply(
            r,
            &(),
            ApplyRequest {
                config: cfg,
                prior_state: prior,
                planned_state: planned,
                planned_private: b"seen".to_vec(),
            },
        )
        .await
    }

    #[tokio::test]
    async fn a_plan_is_the_schemas_plus_the_resources_own() {
        let r = Scripted::default();
        let p = plan_of(&r, config("a"), Value::Null).await;
        assert_eq!(p.planned_state, rec("a", Value::Unknown));
        assert_eq!(p.planned_private, b"seen");
        assert!(p.diagnostics.is_empty());
        let kept = plan_of(&r, config("a"), rec("a", Value::string("a"))).await;
        assert_eq!(kept.planned_state, rec("a", Value::string("a")));
        let replaced = plan_of(&r, config("b"), rec("a", Value::string("a"))).await;
        assert_eq!(replaced.requires_replace.len(), 1);
        assert_eq!(
            r.calls(),
            ["plan new=true", "plan new=false", "plan new=true"]
        );
        let bad = plan_of(&r, config("bad"), Value::Null).await;
        assert!(bad.diagnostics.has_errors());
        // An invalid configuration is not the type's to plan (it may read remote objects).
        assert_eq!(r.calls().len(), 3);
    }

    #[tokio::test]
    async fn a_destroy_plan_asks_the_resource_nothing() {
        let r = Scripted::default();
        let p = plan_of(&r, Value::Null, rec("a", Value::string("a"))).await;
        assert!(p.planned_state.is_null());
        assert!(r.calls().is_empty());
    }

    #[tokio::test]
    async fn an_apply_is_a_create_an_update_or_a_delete_by_its_nulls() {
        let r = Scripted::default();
        let prior = rec("a", Value::string("a"));
        let created = apply_of(&r, config("a"), Value::Null, rec("a", Value::Unknown)).await;
        assert_eq!(created.state, prior);
        let updated = apply_of(&r, config("a"), prior.clone(), prior.clone()).await;
        assert_eq!(updated.state, prior);
        let deleted = apply_of(&r, Value::Null, prior.clone(), Value::Null).await;
        assert!(deleted.state.is_null() && deleted.diagnostics.is_empty());
        assert_eq!(
            r.calls(),
            ["create private=seen", "update private=seen", "delete a"]
        );
    }

    #[tokio::test]
    async fn a_failed_delete_keeps_the_object() {
        let r = Scripted {
            fail: true,
            ..Scripted::default()
        };
        let prior = rec("a", Value::string("a"));
        let resp = apply_of(&r, Value::Null, prior.clone(), Value::Null).await;
        assert_eq!(resp.state, prior);
        assert!(resp.diagnostics.has_errors());
    }

    /// A create by `r` records no object and says `summary`; an update keeps the prior one.
    async fn create_refused_and_update_kept(r: &Scripted, summary: &str) {
        let created = apply_of(r, config("a"), Value::Null, rec("a", Value::Unknown)).await;
        assert!(created.state.is_null());
        assert_eq!(created.diagnostics.0[0].summary, summary);
        let prior = rec("a", Value::string("a"));
        let updated = apply_of(r, config("a"), prior.clone(), prior.clone()).await;
        assert_eq!(updated.state, prior);
    }

    #[tokio::test]
    async fn unknown_values_never_reach_the_state() {
        let r = Scripted::with(|s| s.unknown_id = true);
        create_refused_and_update_kept(&r, "Provider produced an unknown value").await;
        let prior = rec("a", Value::string("a"));
        // With the resource's own error, that error is the only one.
        let failing = Scripted {
            unknown_id: true,
            fail: true,
            ..Scripted::default()
        };
        let resp = apply_of(&failing, config("a"), prior.clone(), prior.clone()).await;
        assert_eq!(resp.state, prior);
        assert_eq!(resp.diagnostics.0.len(), 1);
        assert_eq!(resp.diagnostics.0[0].summary, "Scripted failure");
    }

    #[tokio::test]
    async fn a_create_that_answers_nothing_without_an_error_is_one() {
        let r = Scripted::with(|s| s.nothing = true);
        // An update that answers nothing keeps the prior object.
        create_refused_and_update_kept(&r, "Provider produced no object").await;
    }

    #[tokio::test]
    async fn an_apply_that_fails_validation_calls_nothing_and_keeps_the_object() {
        let r = Scripted::default();
        let prior = rec("a", Value::string("a"));
        let resp = apply_of(
            &r,
            config("bad"),
            prior.clone(),
            rec("bad", Value::string("a")),
        )
        .await;
        assert_eq!(resp.state, prior);
        assert_eq!(resp.diagnostics.0[0].summary, "Bad name");
        assert!(r.calls().is_empty());
    }

    #[tokio::test]
    async fn a_read_finds_loses_or_keeps_the_object() {
        let state = rec("a", Value::string("a"));
        let found = read(&Scripted::default(), &(), state.clone()).await;
        assert_eq!(found.state, rec("a", Value::string("read")));
        let gone = Scripted {
            gone: true,
            ..Scripted::default()
        };
        assert!(read(&gone, &(), state.clone()).await.state.is_null());
        let failing = Scripted {
            fail: true,
            ..Scripted::default()
        };
        let kept = read(&failing, &(), state.clone()).await;
        assert_eq!(kept.state, state);
        assert!(kept.diagnostics.has_errors());
    }

    #[test]
    fn an_import_is_the_model_the_id_gives() {
        let resp = import(&Scripted::default(), &(), "x");
        assert_eq!(
            resp.state,
            object([("name", Value::Null), ("id", Value::string("x"))])
        );
    }

    model! {
        /// A model that forgot `id`.
        pub struct Short { pub name: Field<String> }
    }

    /// A resource whose model does not name its schema.
    struct Drifted;

    impl Resource<()> for Drifted {
        const TYPE_NAME: &'static str = "test_drifted";
        type Model = Short;
        fn schema() -> Schema {
            schema()
        }
        async fn create(&self, _ctx: &(), _change: Change<Short>) -> Applied<Short> {
            unreachable!("never applied")
        }
        async fn update(&self, _ctx: &(), _change: Change<Short>) -> Applied<Short> {
            unreachable!("never applied")
        }
        async fn delete(&self, _ctx: &(), _prior: Short) -> Diagnostics {
            unreachable!("never applied")
        }
        async fn read(&self, _ctx: &(), _state: Short) -> Read<Short> {
            unreachable!("never read")
        }
        fn import(&self, _ctx: &(), _id: &str) -> Result<Short, Diagnostics> {
            unreachable!("never imported")
        }
    }

    static SCRIPTED: Scripted = Scripted {
        calls: Mutex::new(Vec::new()),
        fail: false,
        unknown_id: false,
        gone: false,
        nothing: false,
    };

    /// A data source, an action and a list resource on `Rec` that count their calls; the name
    /// "bad" fails validation, and the data source answers `id` unknown for "unknown".
    #[derive(Default)]
    struct Counted(std::sync::atomic::AtomicUsize);

    impl Counted {
        fn called(&self) -> usize {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
        }
        fn calls(&self) -> usize {
            self.0.load(std::sync::atomic::Ordering::Relaxed)
        }
    }

    /// What every `Counted` impl shares with `Scripted`: name, model, schema, validation.
    macro_rules! rec_type {
        () => {
            const TYPE_NAME: &'static str = "test_rec";
            type Model = Rec;
            fn schema() -> Schema {
                schema()
            }
            fn validate(config: &Value) -> Diagnostics {
                Scripted::validate(config)
            }
        };
    }

    impl DataSource<()> for Counted {
        rec_type!();
        async fn read(&self, _ctx: &(), config: Rec) -> Result<Rec, Diagnostics> {
            self.called();
            let id = match config.name.known().map(String::as_str) {
                Some("unknown") => Field::Unknown,
                _ => "found".into(),
            };
            Ok(Rec { id, ..config })
        }
    }

    impl Action<()> for Counted {
        rec_type!();
        async fn invoke(&self, _ctx: &(), config: Rec, progress: Progress) -> Diagnostics {
            self.called();
            progress.report(config.name.known_or(String::new()));
            Diagnostics::new()
        }
    }

    impl ListResource<()> for Counted {
        type Resource = Scripted;
        rec_type!();
        async fn list(&self, _ctx: &(), req: ListRequest<Rec>, found: Found<Rec>) -> Diagnostics {
            self.called();
            let name = req.config.name.known_or(String::new());
            let found_one = Rec {
                name: name.clone().into(),
                id: format!("{name}-1").into(),
            };
            assert!(found.send(name.clone(), found_one).await);
            // No identity yet: not sent.
            assert!(found.send(name, Rec::default()).await);
            Diagnostics::new()
        }
    }

    #[tokio::test]
    async fn a_data_source_is_read_only_with_a_valid_configuration_and_answers_no_unknowns() {
        let d = Counted::default();
        let found = read_data(&d, &(), config("a")).await;
        assert_eq!(found.state, rec("a", Value::string("found")));
        let bad = read_data(&d, &(), config("bad")).await;
        assert_eq!(bad.diagnostics.0[0].summary, "Bad name");
        assert_eq!(d.calls(), 1);
        let unknown = read_data(&d, &(), config("unknown")).await;
        assert!(unknown.state.is_null());
        assert_eq!(
            unknown.diagnostics.0[0].summary,
            "Provider produced an unknown value"
        );
    }

    #[tokio::test]
    async fn actions_and_lists_run_only_with_a_valid_configuration() {
        let a = Counted::default();
        let (progress, mut lines) = Progress::channel();
        assert!(
            invoke(&a, &(), config("a"), progress.clone())
                .await
                .is_empty()
        );
        assert_eq!(lines.try_recv().ok().as_deref(), Some("a"));
        let refused = invoke(&a, &(), config("bad"), progress).await;
        assert_eq!(refused.0[0].summary, "Bad name");
        assert_eq!(a.calls(), 1);

        let l = Counted::default();
        let (found, mut results) = tokio::sync::mpsc::channel(2);
        let list_of = |name: &str| ListRequest {
            config: config(name),
            include_resource_object: false,
            limit: 10,
        };
        assert!(list(&l, &(), list_of("a"), found.clone()).await.is_empty());
        // Named by the resource's identity; the object without identity is not sent.
        let sent = results.try_recv().expect("one object");
        assert_eq!(sent.identity, object([("id", Value::string("a-1"))]));
        assert_eq!((sent.display_name.as_str(), sent.object), ("a", None));
        assert!(results.try_recv().is_err());
        let refused = list(&l, &(), list_of("bad"), found).await;
        assert_eq!(refused.0[0].summary, "Bad name");
        assert_eq!(l.calls(), 1);
    }

    static GOOD: Registry<()> = Registry {
        resources: &[&SCRIPTED],
        data_sources: &[],
        actions: &[],
        list_resources: &[],
    };

    static DRIFTED: Registry<()> = Registry {
        resources: &[&SCRIPTED, &Drifted],
        data_sources: &[],
        actions: &[],
        list_resources: &[],
    };

    #[test]
    fn the_registry_refuses_a_model_that_does_not_name_its_schema() {
        assert_eq!(GOOD.check(), Ok(()));
        let err = DRIFTED.check().expect_err("refused");
        assert!(err.contains("test_drifted"), "{err}");
    }

    /// A state of the current version reads as it is, an older one goes through the type's
    /// upgrade, a newer one is refused.
    #[test]
    fn stored_states_upgrade_by_their_version() {
        let current = upgrade::<(), Scripted>(1, br#"{"name":"a","id":"x"}"#);
        assert_eq!(current.expect("read"), rec("a", Value::string("x")));
        let old = upgrade::<(), Scripted>(0, br#"{"name":"a"}"#);
        assert_eq!(old.expect("upgraded"), rec("a", Value::string("a")));
        let newer = upgrade::<(), Scripted>(2, b"{}").expect_err("refused");
        assert_eq!(newer.0[0].summary, "State from a newer provider");
        let broken = upgrade::<(), Scripted>(1, b"{\"name\":").expect_err("refused");
        assert_eq!(broken.0[0].summary, "Invalid stored state");
    }

    /// A move from a type the resource takes becomes its state; from any other type, or to a
    /// state with unknown values, it is refused with no state.
    #[test]
    fn moves_are_taken_only_from_declared_types() {
        let from = |type_name: &str, json: &[u8]| MovedState {
            provider_address: "registry.terraform.io/other/old".into(),
            type_name: type_name.into(),
            schema_version: 0,
            json: json.to_vec(),
        };
        let moved = move_state::<(), Scripted>(&from("old_rec", br#"{"title":"t"}"#));
        assert!(moved.diagnostics.is_empty(), "{:?}", moved.diagnostics);
        assert_eq!(moved.state, rec("t", Value::string("t")));
        for (source, summary) in [
            (from("other_rec", br#"{"title":"t"}"#), "Unsupported move"),
            (
                from("old_rec", br#"{"title":"later"}"#),
                "Provider produced an unknown value",
            ),
            (
                from("old_rec", br#"{"title":1,"#),
                "Unreadable source state",
            ),
        ] {
            let refused = move_state::<(), Scripted>(&source);
            assert_eq!(refused.state, Value::Null);
            assert_eq!(refused.diagnostics.0[0].summary, summary);
        }
    }
}
