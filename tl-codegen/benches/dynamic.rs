//! The dynamic codec (`tl_codegen::dynamic`, what `tlc decode`/`encode` run)
//! against the generated API layer, on the same bytes: how much slower is
//! reading and writing through the schema at run time and JSON?
//!
//! Run with `cargo bench -p tl-codegen --bench dynamic`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use mtproto_types::Serialize;
use serde_json::{json, Value};
use tl_codegen::dynamic::Registry;

const MTPROTO_TL: &str = include_str!("../../schema/mtproto.tl");
const API_TL: &str = include_str!("../../schema/api.tl");

/// Terms of service with 64 entities and a 2 KiB text: strings, a vector of
/// boxed values, flags and a nested object, as real API results have.
fn value() -> Value {
    let entities: Vec<Value> = (0..64)
        .map(|i| {
            if i % 2 == 0 {
                json!({"_": "messageEntityBold", "offset": i * 30, "length": 12})
            } else {
                json!({"_": "messageEntityTextUrl", "offset": i * 30, "length": 9,
                       "url": format!("https://telegram.org/tos#section-{i}")})
            }
        })
        .collect();
    json!({
        "_": "help.termsOfService",
        "popup": true,
        "id": {"_": "dataJSON", "data": "{\"terms\":\"2026-11\"}"},
        "text": "Terms of Service. ".repeat(114),
        "entities": entities,
        "min_age_confirm": 16
    })
}

fn bench(c: &mut Criterion) {
    let schemas: Vec<_> = [MTPROTO_TL, API_TL]
        .iter()
        .map(|s| tl_parser::parse(s).expect("the schema parses").schema)
        .collect();
    let registry = Registry::new(&schemas).expect("the schemas fit together");
    let json = value();
    let bytes = registry
        .encode_boxed(&json)
        .expect("the value fits the schema");
    let generated = mtproto_types::api::decode_by_id(&bytes)
        .expect("the API layer knows the id")
        .expect("the generated layer reads the bytes");
    assert_eq!(
        generated.to_bytes(),
        bytes,
        "both codecs agree on the bytes"
    );

    let mut group = c.benchmark_group("dynamic_vs_generated");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("decode/generated", |b| {
        b.iter(|| {
            mtproto_types::api::decode_by_id(black_box(&bytes))
                .unwrap()
                .unwrap()
        })
    });
    group.bench_function("decode/dynamic", |b| {
        b.iter(|| registry.decode_boxed(black_box(&bytes)).unwrap())
    });
    group.bench_function("encode/generated", |b| {
        b.iter(|| black_box(&generated).to_bytes())
    });
    group.bench_function("encode/dynamic", |b| {
        b.iter(|| registry.encode_boxed(black_box(&json)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
