//! Decoding and encoding with the generated code, side by side with
//! grammers-tl-types 0.11.0 (layer 230, like ours) in the same run.
//!
//! - `service_container`: a `msg_container` of 1000 small service messages
//!   (pong, msgs_ack, new_session_created in turn). grammers-tl-types has
//!   the service types (feature `tl-mtproto`) but leaves `msg_container` and
//!   `message` to grammers-mtproto, which parses them by hand (`manual_tl`:
//!   each body copied into a `Vec<u8>`); `grammers_manual` restates that
//!   parser over grammers' `Cursor`. Decode = container + every body as its
//!   typed value; encode = the container of already serialized bodies.
//! - `rpc_results`: a `msg_container` of 1000 `rpc_result`s with 100-byte
//!   results. Decode = container + every `rpc_result` (result left raw, as
//!   both libraries do: grammers-mtproto copies it out, we borrow it);
//!   encode = the container of serialized bodies.
//! - `messages`: `messages.messages` with 100 messages (text, entities,
//!   peers, dates, replies, every fifth with a photo) and their users and
//!   chat, decoded into each library's types and encoded back.
//!
//! Run: `cargo bench -p mtproto-types --features api --bench codec`.

mod codec_inputs;

use codec_inputs::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use grammers_tl_types::{self as gt, Deserializable, Serializable};
use mtproto::service::types as svc;
use mtproto_types::api::enums::messages::Messages;
use mtproto_types::{Deserialize, Serialize};

fn bench_containers(c: &mut Criterion, name: &str, bodies: &[Vec<u8>]) {
    let bytes = container(bodies);
    let is_rpc = name == "rpc_results";

    let mut group = c.benchmark_group(format!("{name}/decode"));
    if is_rpc {
        group.bench_function("ours", |b| b.iter(|| decode_ours_rpc(black_box(&bytes))));
        group.bench_function("grammers", |b| {
            b.iter(|| decode_theirs_rpc(black_box(&bytes)))
        });
    } else {
        group.bench_function("ours", |b| {
            b.iter(|| decode_ours_service(black_box(&bytes)))
        });
        group.bench_function("grammers", |b| {
            b.iter(|| decode_theirs_service(black_box(&bytes)))
        });
    }
    group.finish();

    let ours = svc::MsgContainer::from_bytes(&bytes).unwrap();
    let theirs = grammers_manual::container(&bytes).unwrap();
    assert_eq!(ours.to_bytes(), bytes);
    assert_eq!(grammers_manual::serialize(&theirs), bytes);
    let mut group = c.benchmark_group(format!("{name}/encode"));
    group.bench_function("ours", |b| b.iter(|| black_box(&ours).to_bytes()));
    group.bench_function("grammers", |b| {
        b.iter(|| grammers_manual::serialize(black_box(&theirs)))
    });
    group.finish();
}

fn service_container(c: &mut Criterion) {
    bench_containers(c, "service_container", &service_bodies());
}

fn rpc_results(c: &mut Criterion) {
    bench_containers(c, "rpc_results", &rpc_result_bodies());
}

fn messages(c: &mut Criterion) {
    let bytes = messages_messages();
    // Both libraries read and write these bytes exactly.
    let ours = Messages::from_bytes(&bytes).unwrap();
    let theirs = gt::enums::messages::Messages::from_bytes(&bytes).unwrap();
    assert_eq!(ours.to_bytes(), bytes);
    assert_eq!(theirs.to_bytes(), bytes);

    let mut group = c.benchmark_group("messages/decode");
    group.bench_function("ours", |b| {
        b.iter(|| Messages::from_bytes(black_box(&bytes)).unwrap())
    });
    group.bench_function("grammers", |b| {
        b.iter(|| gt::enums::messages::Messages::from_bytes(black_box(&bytes)).unwrap())
    });
    group.finish();

    let mut group = c.benchmark_group("messages/encode");
    group.bench_function("ours", |b| b.iter(|| black_box(&ours).to_bytes()));
    group.bench_function("grammers", |b| b.iter(|| black_box(&theirs).to_bytes()));
    group.finish();
}

/// `Reader::read_str` (validating with simdutf8) against what it did
/// before (the same bytes read, then `std::str::from_utf8`), for text of
/// the lengths and scripts messages carry.
fn strings(c: &mut Criterion) {
    let samples = [
        ("ascii-32", "See you at 7 at the usual place?".to_string()),
        ("cyrillic-40", "Привет! Как дела, друг?".to_string()),
        (
            "cyrillic-91",
            "Привет! Как дела? Посмотри ссылку https://example.org/article/42".to_string(),
        ),
        (
            "cyrillic-496",
            "Привет! Как дела? Посмотри ссылку. ".repeat(8),
        ),
        (
            "mixed-4032",
            "Das Treffen ist morgen — 👍 Привет! 你好，世界. ".repeat(64),
        ),
    ];
    let mut group = c.benchmark_group("strings");
    for (name, text) in &samples {
        let mut tl = Vec::new();
        std::borrow::Cow::Borrowed(text.as_str()).serialize_into(&mut tl);
        group.bench_function(format!("{name}/read_str"), |b| {
            b.iter(|| {
                let mut reader = mtproto_types::Reader::new(black_box(&tl));
                black_box(reader.read_str().unwrap());
            })
        });
        group.bench_function(format!("{name}/read_tl_bytes+std-from_utf8"), |b| {
            b.iter(|| {
                let mut reader = mtproto_types::Reader::new(black_box(&tl));
                let bytes = reader.read_tl_bytes().unwrap();
                black_box(std::str::from_utf8(bytes).unwrap());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, service_container, rpc_results, messages, strings);
criterion_main!(benches);
