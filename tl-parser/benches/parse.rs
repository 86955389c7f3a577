//! Parsing the largest corpus schema with this crate and with
//! grammers-tl-parser, in the same run.
//!
//! `parse` is the full pipeline (syntax, ids, validation and type
//! resolution); `parse_syntax` stops after the grammar and the ids, which is
//! what grammers-tl-parser does. Each iteration includes dropping the tree,
//! for all three.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const API: &str = include_str!("../../tests/corpus/crates-grammers-tl-types-0.11.0-api.tl");

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("api.tl (291 KB, 2553 definitions)");
    group.throughput(Throughput::Bytes(API.len() as u64));
    group.bench_function("tl-parser parse (with validation)", |b| {
        b.iter(|| tl_parser::parse(black_box(API)).expect("corpus schema parses"))
    });
    group.bench_function("tl-parser parse_syntax", |b| {
        b.iter(|| tl_parser::parse_syntax(black_box(API)))
    });
    group.bench_function("grammers-tl-parser 1.2.2", |b| {
        b.iter(|| grammers_tl_parser::parse_tl_file(black_box(API)).collect::<Vec<_>>())
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
