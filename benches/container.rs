//! Packing and unpacking a full container (1020 messages) against a
//! baseline: a memcpy of the container's bytes plus the per-message decode
//! (the generated `message` decoder run over every entry, no checks, no
//! collection).
//!
//! Run: `cargo bench --bench container -- --warm-up-time 1 --measurement-time 3`

mod runtime_inputs;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mtproto::container::{unpack, ContainerLimits, Numbering, MAX_MESSAGES};
use mtproto::service::types;
use mtproto::transport::Side;
use mtproto_types::{DeserializeBare, Reader};
use runtime_inputs::{full_outbox, NOW};

fn containers(c: &mut Criterion) {
    let mut numbering = Numbering::new(Side::Client);
    let packet = full_outbox(&mut numbering)
        .flush(&mut numbering, NOW)
        .expect("a container");
    assert!(packet.is_container());
    let body = packet.body.clone();
    let limits = ContainerLimits::default();

    let mut group = c.benchmark_group("container_1020");
    group.throughput(Throughput::Bytes(body.len() as u64));

    group.bench_function("pack", |b| {
        b.iter_batched(
            || {
                let mut numbering = Numbering::new(Side::Client);
                let outbox = full_outbox(&mut numbering);
                (numbering, outbox)
            },
            |(mut numbering, mut outbox)| black_box(outbox.flush(&mut numbering, NOW)),
            criterion::BatchSize::SmallInput,
        )
    });

    group.bench_function("unpack", |b| {
        b.iter(|| {
            let messages = unpack(black_box(packet.msg_id), black_box(&body), &limits).unwrap();
            black_box(messages.len())
        })
    });

    let mut copy = vec![0u8; body.len()];
    group.bench_function("baseline_memcpy_plus_decode", |b| {
        b.iter(|| {
            copy.copy_from_slice(black_box(&body));
            let mut reader = Reader::new(black_box(&body[8..]));
            for _ in 0..MAX_MESSAGES {
                // Each decoded message is handed to `black_box` whole: when
                // only its `msg_id` was used, the compiler dropped building
                // the body, and the baseline did less than a decode.
                let message = types::Message::deserialize_bare(&mut reader).unwrap();
                black_box(&message);
            }
            black_box(copy[0])
        })
    });
    group.finish();
}

criterion_group!(benches, containers);
criterion_main!(benches);
