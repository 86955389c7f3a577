//! The codec benchmark's ratios, measured so that a noisy machine cannot
//! skew them: criterion (`codec`) times each library for seconds in turn,
//! and on a shared VM the speed drifts between those stretches (grammers'
//! decode of the same bytes has measured 94 and 156 µs ten minutes apart).
//! Here ours and grammers-tl-types take turns in short rounds on the same
//! inputs as `codec`; each round gives a ratio per operation and the
//! medians over all rounds are reported.
//!
//! `cargo bench -p mtproto --bench codec_interleaved [-- ROUNDS]`

mod codec_inputs;

use std::hint::black_box;

use codec_inputs::*;
use grammers_tl_types::{self as gt, Deserializable, Serializable};
use mtproto::service::types as svc;
use mtproto_test_support::interleaved::{self, median, per_round_ratios, Contest, Order};
use mtproto_types::api::enums::messages::Messages;
use mtproto_types::{Deserialize, Serialize};

/// Calls per library per round: long enough to time (tens of µs each),
/// short enough that the machine's speed barely changes within a round.
const PER_ROUND: u32 = 200;

fn main() {
    let rounds = interleaved::rounds_from_args(60);

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

    // Each contest: ours, then grammers.
    let mut contests = [
        Contest::new("(a) service container, decode", PER_ROUND)
            .entrant(|| drop(black_box(decode_ours_service(black_box(&service)))))
            .entrant(|| drop(black_box(decode_theirs_service(black_box(&service))))),
        Contest::new("(a) service container, encode", PER_ROUND)
            .entrant(|| drop(black_box(black_box(&service_ours).to_bytes())))
            .entrant(|| {
                drop(black_box(grammers_manual::serialize(black_box(
                    &service_theirs,
                ))))
            }),
        Contest::new("(b) 1000 rpc_results, decode", PER_ROUND)
            .entrant(|| {
                black_box(decode_ours_rpc(black_box(&rpc)));
            })
            .entrant(|| {
                black_box(decode_theirs_rpc(black_box(&rpc)));
            }),
        Contest::new("(b) 1000 rpc_results, encode", PER_ROUND)
            .entrant(|| drop(black_box(black_box(&rpc_ours).to_bytes())))
            .entrant(|| {
                drop(black_box(grammers_manual::serialize(black_box(
                    &rpc_theirs,
                ))))
            }),
        // Not a library: the most any encoder can gain, copying the finished
        // bytes into a new buffer in place of grammers' encode.
        Contest::new("(b) encode ceiling: memcpy of output", PER_ROUND)
            .entrant(|| drop(black_box(black_box(&rpc[..]).to_vec())))
            .entrant(|| {
                drop(black_box(grammers_manual::serialize(black_box(
                    &rpc_theirs,
                ))))
            }),
        Contest::new("(c) messages.messages x100, decode", PER_ROUND)
            .entrant(|| {
                drop(black_box(
                    Messages::from_bytes(black_box(&messages)).unwrap(),
                ))
            })
            .entrant(|| {
                drop(black_box(
                    gt::enums::messages::Messages::from_bytes(black_box(&messages)).unwrap(),
                ))
            }),
        Contest::new("(c) messages.messages x100, encode", PER_ROUND)
            .entrant(|| drop(black_box(black_box(&messages_ours).to_bytes())))
            .entrant(|| drop(black_box(black_box(&messages_theirs).to_bytes()))),
        Contest::new("(c) encode ceiling: memcpy of output", PER_ROUND)
            .entrant(|| drop(black_box(black_box(&messages[..]).to_vec())))
            .entrant(|| drop(black_box(black_box(&messages_theirs).to_bytes()))),
    ];

    let mut times = interleaved::run(&mut contests, rounds, Order::Fixed);
    println!("{rounds} rounds of {PER_ROUND} calls each; medians:");
    println!(
        "{:<38} {:>10} {:>10} {:>17}",
        "", "ours", "grammers", "grammers / ours"
    );
    for (contest, times) in contests.iter().zip(&mut times) {
        let ratio = median(&mut per_round_ratios(&times[1], &times[0]));
        println!(
            "{:<38} {:>7.2} µs {:>7.2} µs {:>16.2}x",
            contest.name,
            median(&mut times[0]) / 1e3,
            median(&mut times[1]) / 1e3,
            ratio,
        );
    }
}
