//! The parse benchmark's ratios, measured so that a noisy machine cannot
//! skew them: criterion times each parser for seconds in turn, and on a
//! shared VM the speed drifts between those stretches (the same code has
//! measured 1.66x and 2.09x against grammers an hour apart). Here the three
//! parsers take turns in short rounds, each round gives its own ratios, and
//! the medians over all rounds are reported.
//!
//! `cargo bench -p tl-parser --bench parse_interleaved [-- ROUNDS]`

use std::hint::black_box;

use mtproto_test_support::interleaved::{self, median, per_round_ratios, Contest, Order};

const API: &str = include_str!("../../tests/corpus/crates-grammers-tl-types-0.11.0-api.tl");

/// Parses per parser per round: long enough to time, short enough that
/// the machine's speed barely changes within a round.
const PER_ROUND: u32 = 10;

fn main() {
    let rounds = interleaved::rounds_from_args(40);
    let mut contests = [Contest::new("parse", PER_ROUND)
        .entrant(|| {
            black_box(tl_parser::parse(black_box(API)).expect("corpus schema parses"));
        })
        .entrant(|| {
            black_box(tl_parser::parse_syntax(black_box(API)));
        })
        .entrant(|| {
            black_box(grammers_tl_parser::parse_tl_file(black_box(API)).collect::<Vec<_>>());
        })];
    let mut times = interleaved::run(&mut contests, rounds, Order::Fixed).remove(0);
    // Milliseconds per parse.
    for parser in &mut times {
        parser.iter_mut().for_each(|ns| *ns /= 1e6);
    }
    let [ours, syntax, grammers] = &mut times[..] else {
        unreachable!("three parsers")
    };
    let mut parse_ratio = per_round_ratios(grammers, ours);
    let mut syntax_ratio = per_round_ratios(grammers, syntax);
    println!(
        "{rounds} rounds, medians: tl-parser parse {:.3} ms, parse_syntax {:.3} ms, grammers-tl-parser {:.3} ms",
        median(ours),
        median(syntax),
        median(grammers)
    );
    println!(
        "grammers / ours, median of per-round ratios: parse {:.2}x, parse_syntax {:.2}x",
        median(&mut parse_ratio),
        median(&mut syntax_ratio)
    );
}
