//! Framing throughput of every transport (encode + decode) against a plain
//! copy of the same payload bytes, and capped gzip inflate against plain
//! flate2.
//!
//! Run: `cargo bench --bench framing -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::io::Read;

mod runtime_inputs;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mtproto::gzip::{inflate, DEFAULT_MAX_INFLATED};
use mtproto::random::SplitMix64;
use mtproto::transport::{
    abridged, full, intermediate, padded, Decode, Decoded, Encode, Kind, Side, StreamDecoder,
};
use runtime_inputs::{encode_decode, packets};

/// The same through [`StreamDecoder`], which copies what it is fed into
/// its own buffer (one more copy of every byte).
fn encode_stream_decode<E: Encode, D: Decode>(
    packets: &[Vec<u8>],
    out: &mut Vec<u8>,
    (mut enc, dec): (E, D),
) {
    out.clear();
    for p in packets {
        enc.encode_packet(p, false, out).unwrap();
    }
    // Fed as socket reads would arrive, 64 KiB at a time, draining frames
    // after each read.
    let mut dec = StreamDecoder::new(dec);
    for read in out.chunks(64 * 1024) {
        dec.feed(read);
        while let Some(frame) = dec.next_frame().unwrap() {
            black_box(frame);
        }
    }
}

type Run = fn(&[Vec<u8>], &mut Vec<u8>);

fn runs() -> [(&'static str, Run, Run); 4] {
    [
        (
            "abridged",
            |p, o| {
                encode_decode(
                    p,
                    o,
                    (abridged::Encoder::client(), abridged::Decoder::server()),
                )
            },
            |p, o| {
                encode_stream_decode(
                    p,
                    o,
                    (abridged::Encoder::client(), abridged::Decoder::server()),
                )
            },
        ),
        (
            "intermediate",
            |p, o| {
                encode_decode(
                    p,
                    o,
                    (
                        intermediate::Encoder::client(),
                        intermediate::Decoder::server(),
                    ),
                )
            },
            |p, o| {
                encode_stream_decode(
                    p,
                    o,
                    (
                        intermediate::Encoder::client(),
                        intermediate::Decoder::server(),
                    ),
                )
            },
        ),
        (
            "padded",
            |p, o| {
                encode_decode(
                    p,
                    o,
                    (
                        padded::Encoder::client(SplitMix64::new(1)),
                        padded::Decoder::server(),
                    ),
                )
            },
            |p, o| {
                encode_stream_decode(
                    p,
                    o,
                    (
                        padded::Encoder::client(SplitMix64::new(1)),
                        padded::Decoder::server(),
                    ),
                )
            },
        ),
        (
            "full",
            |p, o| encode_decode(p, o, (full::Encoder::client(), full::Decoder::server())),
            |p, o| encode_stream_decode(p, o, (full::Encoder::client(), full::Decoder::server())),
        ),
    ]
}

fn framing(c: &mut Criterion) {
    for size in [128usize, 4096] {
        let packets = packets(size);
        let total: usize = packets.iter().map(Vec::len).sum();
        let mut group = c.benchmark_group(format!("framing/{size}B-packets"));
        group.throughput(Throughput::Bytes(total as u64));

        // The baseline: copy every payload once into an output buffer, the
        // least any framing that writes into a buffer must do.
        let mut out = Vec::with_capacity(total + 64 * packets.len());
        group.bench_function("memcpy", |b| {
            b.iter(|| {
                out.clear();
                for p in &packets {
                    out.extend_from_slice(p);
                }
                black_box(&out);
            })
        });

        for (name, zero_copy, streamed) in runs() {
            group.bench_function(BenchmarkId::new("encode+decode", name), |b| {
                b.iter(|| zero_copy(&packets, &mut out))
            });
            group.bench_function(BenchmarkId::new("encode+stream-decode", name), |b| {
                b.iter(|| streamed(&packets, &mut out))
            });
        }
        // Where the time goes, for one transport.
        {
            let mut enc = intermediate::Encoder::client();
            out.clear();
            for p in &packets {
                enc.encode_packet(p, false, &mut out).unwrap();
            }
            let wire = out.clone();
            group.bench_function("encode-only", |b| {
                b.iter(|| {
                    let mut enc = intermediate::Encoder::client();
                    out.clear();
                    for p in &packets {
                        enc.encode_packet(p, false, &mut out).unwrap();
                    }
                    black_box(&out);
                })
            });
            group.bench_function("decode-only", |b| {
                b.iter(|| {
                    let mut dec = intermediate::Decoder::server();
                    let mut at = 0;
                    while let Decoded::Frame { frame, consumed } = dec.decode(&wire[at..]).unwrap()
                    {
                        black_box(frame);
                        at += consumed;
                    }
                })
            });
        }
        // A transport picked at run time: boxed, dynamic dispatch.
        group.bench_function(
            BenchmarkId::new("encode+decode", "intermediate-boxed"),
            |b| {
                b.iter(|| {
                    encode_decode(
                        &packets,
                        &mut out,
                        (
                            Kind::Intermediate.encoder(Side::Client, SplitMix64::new(1)),
                            Kind::Intermediate.decoder(Side::Server),
                        ),
                    )
                })
            },
        );
        group.finish();
    }
}

/// A 64 KiB body shaped like TL data: ids, small counters, repeated
/// constructor ids and short strings from a small vocabulary.
fn typical_payload() -> Vec<u8> {
    let words: [&[u8]; 8] = [
        b"alice", b"bob", b"channel", b"photo", b"message", b"reply", b"forward", b"sticker",
    ];
    let mut rng = SplitMix64::new(64);
    let mut body = Vec::with_capacity(64 * 1024);
    while body.len() < 64 * 1024 {
        body.extend_from_slice(&0x3807_3f59u32.to_le_bytes());
        body.extend_from_slice(&(rng.next_u64() & 0xffff_ffff).to_le_bytes());
        body.extend_from_slice(&((rng.next_u64() % 1000) as u32).to_le_bytes());
        let word = words[(rng.next_u64() % 8) as usize];
        body.push(word.len() as u8);
        body.extend_from_slice(word);
        while body.len() % 4 != 0 {
            body.push(0);
        }
    }
    body.truncate(64 * 1024);
    body
}

fn gzip(c: &mut Criterion) {
    let body = typical_payload();
    let packed = mtproto::gzip::compress_if_smaller(&body, 0).expect("compressible");
    let mut group = c.benchmark_group("gzip/inflate-64KiB");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("flate2 GzDecoder::read_to_end", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(black_box(&packed[..]))
                .read_to_end(&mut out)
                .unwrap();
            black_box(out)
        })
    });
    group.bench_function("mtproto::gzip::inflate (capped)", |b| {
        b.iter(|| black_box(inflate(black_box(&packed), DEFAULT_MAX_INFLATED).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, framing, gzip);
criterion_main!(benches);
