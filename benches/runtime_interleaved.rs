//! The runtime's ratios to its baselines, measured so that a noisy machine
//! cannot skew them: criterion (`container`, `framing`) times each function
//! for seconds in turn, and on a shared VM the speed drifts between those
//! stretches (the same container baseline has measured 6.2 and 10.1 µs
//! seconds apart). Here each operation and its baseline take turns in short
//! rounds; each round gives a ratio and the medians over all rounds are
//! reported, with the range of the middle half.
//!
//! `cargo bench --bench runtime_interleaved [-- ROUNDS]`

use std::hint::black_box;
use std::time::Instant;

mod runtime_inputs;

use mtproto::container::{unpack, ContainerLimits, Numbering, MAX_MESSAGES};
use mtproto::random::SplitMix64;
use mtproto::service::types;
use mtproto::transport::{abridged, full, intermediate, padded, Side};
use mtproto_types::{DeserializeBare, Reader};
use runtime_inputs::{encode_decode, full_outbox, packets, NOW};

/// Mean nanoseconds per call of `f` over `calls` calls.
fn time_ns(calls: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(calls)
}

/// An operation and the baseline it is held against, on the same input.
struct Pair<'a> {
    name: String,
    /// Calls per round: enough for a few hundred µs each.
    calls: u32,
    ours: Box<dyn FnMut() + 'a>,
    baseline: Box<dyn FnMut() + 'a>,
}

/// A full container of 1020 pings, as a sender packs it.
fn full_container() -> (i64, Vec<u8>) {
    let mut numbering = Numbering::new(Side::Client);
    let packet = full_outbox(&mut numbering)
        .flush(&mut numbering, NOW)
        .expect("a container");
    assert!(packet.is_container());
    (packet.msg_id, packet.body)
}

/// One transport's `encode_decode` over the packets, into the buffer.
type Framing = fn(&[Vec<u8>], &mut Vec<u8>);

fn main() {
    let rounds = std::env::args()
        .filter_map(|a| a.parse::<usize>().ok())
        .next()
        .unwrap_or(60)
        .max(1);

    let (container_msg_id, body) = full_container();
    let limits = ContainerLimits::default();
    let mut copy = vec![0u8; body.len()];
    let mut pairs = vec![Pair {
        name: "container: unpack into a Vec".into(),
        calls: 50,
        ours: Box::new(|| {
            let messages = unpack(container_msg_id, black_box(&body), &limits).unwrap();
            for message in &messages {
                black_box(message);
            }
        }),
        baseline: Box::new(|| container_baseline(&body, &mut copy)),
    }];

    for size in [128usize, 4096] {
        let packets = packets(size);
        let total: usize = packets.iter().map(Vec::len).sum();
        let runs: [(&str, Framing); 4] = [
            ("abridged", |p, o| {
                encode_decode(
                    p,
                    o,
                    (abridged::Encoder::client(), abridged::Decoder::server()),
                )
            }),
            ("intermediate", |p, o| {
                encode_decode(
                    p,
                    o,
                    (
                        intermediate::Encoder::client(),
                        intermediate::Decoder::server(),
                    ),
                )
            }),
            ("padded", |p, o| {
                encode_decode(
                    p,
                    o,
                    (
                        padded::Encoder::client(SplitMix64::new(1)),
                        padded::Decoder::server(),
                    ),
                )
            }),
            ("full", |p, o| {
                encode_decode(p, o, (full::Encoder::client(), full::Decoder::server()))
            }),
        ];
        let packets = std::rc::Rc::new(packets);
        for (name, run) in runs {
            let (p1, p2) = (packets.clone(), packets.clone());
            let mut out = Vec::with_capacity(total + 64 * packets.len());
            let mut copy = Vec::with_capacity(total + 64 * packets.len());
            pairs.push(Pair {
                name: format!("framing {size} B: {name} encode+decode vs memcpy"),
                calls: 20,
                ours: Box::new(move || run(&p1, &mut out)),
                baseline: Box::new(move || {
                    copy.clear();
                    for p in p2.iter() {
                        copy.extend_from_slice(p);
                    }
                    black_box(&copy);
                }),
            });
        }
    }

    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); pairs.len()];
    let mut times: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); pairs.len()];
    for round in 0..rounds {
        for (i, pair) in pairs.iter_mut().enumerate() {
            // Alternate which goes first, so that neither always runs on a
            // cache the other warmed.
            let (ours, base) = if round % 2 == 0 {
                let o = time_ns(pair.calls, &mut pair.ours);
                (o, time_ns(pair.calls, &mut pair.baseline))
            } else {
                let b = time_ns(pair.calls, &mut pair.baseline);
                (time_ns(pair.calls, &mut pair.ours), b)
            };
            ratios[i].push(ours / base);
            times[i].0.push(ours);
            times[i].1.push(base);
        }
    }
    println!("{rounds} rounds; median (middle half) of per-round ratios ours / baseline");
    for (i, pair) in pairs.iter().enumerate() {
        let (lo, mid, hi) = quartiles(&mut ratios[i]);
        let ours = quartiles(&mut times[i].0).1;
        let base = quartiles(&mut times[i].1).1;
        println!(
            "{:55} {:9.1} us vs {:9.1} us  {mid:5.2}x ({lo:.2}-{hi:.2})",
            pair.name,
            ours / 1e3,
            base / 1e3
        );
    }
}

/// The container baseline: a memcpy of the container's bytes plus the
/// generated `message` decoder over every entry, no checks, no collection.
fn container_baseline(body: &[u8], copy: &mut [u8]) {
    copy.copy_from_slice(black_box(body));
    let mut reader = Reader::new(black_box(&body[8..]));
    for _ in 0..MAX_MESSAGES {
        let message = types::Message::deserialize_bare(&mut reader).unwrap();
        black_box(&message);
    }
    black_box(copy[0]);
}

/// First quartile, median and third quartile.
fn quartiles(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: usize| values[(values.len() - 1) * q / 4];
    (at(1), at(2), at(3))
}
