//! Parsing the largest corpus schema with this crate and with
//! grammers-tl-parser, in the same run.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const API: &str = include_str!("../../tests/corpus/crates-grammers-tl-types-0.11.0-api.tl");

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_api_tl");
    group.throughput(Throughput::Bytes(API.len() as u64));
    group.bench_function("tl-parser (parse + validate)", |b| {
        b.iter(|| tl_parser::parse(black_box(API)).expect("corpus schema parses"))
    });
    group.bench_function("grammers-tl-parser", |b| {
        b.iter(|| grammers_tl_parser::parse_tl_file(black_box(API)).collect::<Vec<_>>())
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
