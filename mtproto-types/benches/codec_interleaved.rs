//! The codec benchmark's ratios, measured so that a noisy machine cannot
//! skew them: criterion (`codec`) times each library for seconds in turn,
//! and on a shared VM the speed drifts between those stretches (grammers'
//! decode of the same bytes has measured 94 and 156 µs ten minutes apart).
//! Here ours and grammers-tl-types take turns in short rounds on the same
//! inputs as `codec`; each round gives a ratio per operation and the
//! medians over all rounds are reported.
//!
//! `cargo bench -p mtproto-types --features api --bench codec_interleaved [-- ROUNDS]`

mod codec_inputs;

use std::hint::black_box;
use std::time::Instant;

use codec_inputs::*;
use grammers_tl_types::{self as gt, Deserializable, Serializable};
use mtproto::service::types as svc;
use mtproto_types::api::enums::messages::Messages;
use mtproto_types::{Deserialize, Serialize};

/// Calls per library per round: long enough to time (tens of µs each),
/// short enough that the machine's speed barely changes within a round.
const PER_ROUND: u32 = 200;

/// Mean nanoseconds per call of `f` over [`PER_ROUND`] calls.
fn time_ns(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..PER_ROUND {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(PER_ROUND)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One operation, done by both libraries on the same input.
struct Pair<'a> {
    name: &'static str,
    ours: Box<dyn FnMut() + 'a>,
    theirs: Box<dyn FnMut() + 'a>,
}

fn main() {
    // `cargo bench` passes `--bench`; a number among the arguments is the
    // round count.
    let rounds = std::env::args()
        .filter_map(|a| a.parse::<usize>().ok())
        .next()
        .unwrap_or(60)
        .max(1);

    let service = container(&service_bodies());
    let rpc = container(&rpc_result_bodies());
    let messages = messages_messages();
    let service_ours = svc::MsgContainer::from_bytes(&service).unwrap();
    let service_theirs = grammers_manual::container(&service).unwrap();
    let rpc_ours = svc::MsgContainer::from_bytes(&rpc).unwrap();
    let rpc_theirs = grammers_manual::container(&rpc).unwrap();
    let messages_ours = Messages::from_bytes(&messages).unwrap();
    let messages_theirs = gt::enums::messages::Messages::from_bytes(&messages).unwrap();
    // Both libraries write back exactly the bytes they read.
    assert_eq!(service_ours.to_bytes(), service);
    assert_eq!(grammers_manual::serialize(&service_theirs), service);
    assert_eq!(rpc_ours.to_bytes(), rpc);
    assert_eq!(grammers_manual::serialize(&rpc_theirs), rpc);
    assert_eq!(messages_ours.to_bytes(), messages);
    assert_eq!(messages_theirs.to_bytes(), messages);

    let mut pairs = [
        Pair {
            name: "(a) service container, decode",
            ours: Box::new(|| drop(black_box(decode_ours_service(black_box(&service))))),
            theirs: Box::new(|| drop(black_box(decode_theirs_service(black_box(&service))))),
        },
        Pair {
            name: "(a) service container, encode",
            ours: Box::new(|| drop(black_box(black_box(&service_ours).to_bytes()))),
            theirs: Box::new(|| {
                drop(black_box(grammers_manual::serialize(black_box(
                    &service_theirs,
                ))))
            }),
        },
        Pair {
            name: "(b) 1000 rpc_results, decode",
            ours: Box::new(|| {
                black_box(decode_ours_rpc(black_box(&rpc)));
            }),
            theirs: Box::new(|| {
                black_box(decode_theirs_rpc(black_box(&rpc)));
            }),
        },
        Pair {
            name: "(b) 1000 rpc_results, encode",
            ours: Box::new(|| drop(black_box(black_box(&rpc_ours).to_bytes()))),
            theirs: Box::new(|| {
                drop(black_box(grammers_manual::serialize(black_box(
                    &rpc_theirs,
                ))))
            }),
        },
        // Not a library: the most any encoder can gain, copying the finished
        // bytes into a new buffer in place of grammers' encode.
        Pair {
            name: "(b) encode ceiling: memcpy of output",
            ours: Box::new(|| drop(black_box(black_box(&rpc[..]).to_vec()))),
            theirs: Box::new(|| {
                drop(black_box(grammers_manual::serialize(black_box(
                    &rpc_theirs,
                ))))
            }),
        },
        Pair {
            name: "(c) messages.messages x100, decode",
            ours: Box::new(|| {
                drop(black_box(
                    Messages::from_bytes(black_box(&messages)).unwrap(),
                ))
            }),
            theirs: Box::new(|| {
                drop(black_box(
                    gt::enums::messages::Messages::from_bytes(black_box(&messages)).unwrap(),
                ))
            }),
        },
        Pair {
            name: "(c) messages.messages x100, encode",
            ours: Box::new(|| drop(black_box(black_box(&messages_ours).to_bytes()))),
            theirs: Box::new(|| drop(black_box(black_box(&messages_theirs).to_bytes()))),
        },
        Pair {
            name: "(c) encode ceiling: memcpy of output",
            ours: Box::new(|| drop(black_box(black_box(&messages[..]).to_vec()))),
            theirs: Box::new(|| drop(black_box(black_box(&messages_theirs).to_bytes()))),
        },
    ];

    let mut ours = vec![Vec::with_capacity(rounds); pairs.len()];
    let mut theirs = vec![Vec::with_capacity(rounds); pairs.len()];
    let mut ratios = vec![Vec::with_capacity(rounds); pairs.len()];
    for _ in 0..rounds {
        for (i, pair) in pairs.iter_mut().enumerate() {
            let o = time_ns(&mut pair.ours);
            let t = time_ns(&mut pair.theirs);
            ours[i].push(o);
            theirs[i].push(t);
            ratios[i].push(t / o);
        }
    }
    println!("{rounds} rounds of {PER_ROUND} calls each; medians:");
    println!(
        "{:<38} {:>10} {:>10} {:>17}",
        "", "ours", "grammers", "grammers / ours"
    );
    for (i, pair) in pairs.iter().enumerate() {
        println!(
            "{:<38} {:>7.2} µs {:>7.2} µs {:>16.2}x",
            pair.name,
            median(std::mem::take(&mut ours[i])) / 1e3,
            median(std::mem::take(&mut theirs[i])) / 1e3,
            median(std::mem::take(&mut ratios[i])),
        );
    }
}
