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

mod runtime_inputs;

use mtproto::container::{unpack, ContainerLimits, Numbering, MAX_MESSAGES};
use mtproto::random::SplitMix64;
use mtproto::service::types;
use mtproto::transport::{abridged, full, intermediate, padded, Side};
use mtproto_test_support::interleaved::{self, per_round_ratios, quartiles, Contest, Order};
use mtproto_types::{DeserializeBare, Reader};
use runtime_inputs::{encode_decode, full_outbox, packets, NOW};

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
    let rounds = interleaved::rounds_from_args(60);

    let (container_msg_id, body) = full_container();
    let limits = ContainerLimits::default();
    let mut copy = vec![0u8; body.len()];
    // Each contest: ours, then the baseline it is held against.
    let mut contests = vec![Contest::new("container: unpack into a Vec", 50)
        .entrant(|| {
            let messages = unpack(container_msg_id, black_box(&body), &limits).unwrap();
            for message in &messages {
                black_box(message);
            }
        })
        .entrant(|| container_baseline(&body, &mut copy))];

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
            contests.push(
                Contest::new(
                    format!("framing {size} B: {name} encode+decode vs memcpy"),
                    20,
                )
                .entrant(move || run(&p1, &mut out))
                .entrant(move || {
                    copy.clear();
                    for p in p2.iter() {
                        copy.extend_from_slice(p);
                    }
                    black_box(&copy);
                }),
            );
        }
    }

    let mut times = interleaved::run(&mut contests, rounds, Order::Alternating);
    println!("{rounds} rounds; median (middle half) of per-round ratios ours / baseline");
    for (contest, times) in contests.iter().zip(&mut times) {
        let (lo, mid, hi) = quartiles(&mut per_round_ratios(&times[0], &times[1]));
        let ours = quartiles(&mut times[0]).1;
        let base = quartiles(&mut times[1]).1;
        println!(
            "{:55} {:9.1} us vs {:9.1} us  {mid:5.2}x ({lo:.2}-{hi:.2})",
            contest.name,
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
