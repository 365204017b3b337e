//! Criterion benchmarks of the per-RPC hot paths that do not touch the network: the msgpack
//! codec on `cloudtrail_ingestion_state`'s full state object (what every Plan/Apply/Read RPC
//! decodes and encodes) and the event-data-store reference check (run on every validate/plan).
//! Run with `cargo bench --bench codec`; scripts/bench.sh runs it and records the results.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use terraform_provider_cloudtrail::aws::arn::StoreRef;
use terraform_provider_cloudtrail::cty::{Value, msgpack};
use terraform_provider_cloudtrail::resources::Resource;
use terraform_provider_cloudtrail::resources::ingestion_state::IngestionState;

const ARN: &str =
    "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE";

/// A state as apply leaves it: every attribute known, the timeouts block set.
fn applied_state() -> Value {
    let mut timeouts = BTreeMap::new();
    timeouts.insert("create".to_owned(), Value::string("10m"));
    timeouts.insert("update".to_owned(), Value::Null);
    timeouts.insert("delete".to_owned(), Value::Null);
    timeouts.insert("read".to_owned(), Value::Null);
    let mut state = BTreeMap::new();
    state.insert("event_data_store".to_owned(), Value::string(ARN));
    state.insert("ingestion_enabled".to_owned(), Value::Bool(true));
    state.insert("stop_on_destroy".to_owned(), Value::Bool(false));
    state.insert("id".to_owned(), Value::string(ARN));
    state.insert("arn".to_owned(), Value::string(ARN));
    state.insert("name".to_owned(), Value::string("management-events"));
    state.insert("status".to_owned(), Value::string("ENABLED"));
    state.insert("timeouts".to_owned(), Value::Object(timeouts));
    Value::Object(state)
}

/// A planned create: computed attributes unknown, no timeouts block.
fn planned_create() -> Value {
    let Value::Object(mut state) = applied_state() else {
        unreachable!()
    };
    for attr in ["id", "arn", "name", "status"] {
        state.insert(attr.to_owned(), Value::Unknown);
    }
    state.insert("timeouts".to_owned(), Value::Null);
    Value::Object(state)
}

fn codec(c: &mut Criterion) {
    let ty = IngestionState::schema().value_type();
    let mut group = c.benchmark_group("msgpack");
    for (name, value) in [("applied", applied_state()), ("planned", planned_create())] {
        let bytes = msgpack::encode(&value, &ty).unwrap();
        assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), value);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("decode/{name}"), |b| {
            b.iter(|| msgpack::decode(black_box(&bytes), black_box(&ty)).unwrap())
        });
        group.bench_function(format!("encode/{name}"), |b| {
            b.iter(|| msgpack::encode(black_box(&value), black_box(&ty)).unwrap())
        });
    }
    group.finish();
}

fn arn(c: &mut Criterion) {
    let mut group = c.benchmark_group("store_ref");
    for (name, input) in [
        ("arn", ARN),
        ("id", "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"),
        (
            "bad_service",
            "arn:aws:s3:us-east-1:123456789012:eventdatastore/x",
        ),
    ] {
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| StoreRef::parse(black_box(input)))
        });
    }
    group.finish();
}

criterion_group!(benches, codec, arn);
criterion_main!(benches);
