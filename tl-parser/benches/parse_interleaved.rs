//! The parse benchmark's ratios, measured so that a noisy machine cannot
//! skew them: criterion times each parser for seconds in turn, and on a
//! shared VM the speed drifts between those stretches (the same code has
//! measured 1.66x and 2.09x against grammers an hour apart). Here the three
//! parsers take turns in short rounds, each round gives its own ratios, and
//! the medians over all rounds are reported.
//!
//! `cargo bench -p tl-parser --bench parse_interleaved [-- ROUNDS]`

use std::hint::black_box;
use std::time::Instant;

const API: &str = include_str!("../../tests/corpus/crates-grammers-tl-types-0.11.0-api.tl");

/// Parses per parser per round: long enough to time, short enough that
/// the machine's speed barely changes within a round.
const PER_ROUND: u32 = 10;

/// Mean milliseconds per call of `f` over [`PER_ROUND`] calls.
fn time_ms(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..PER_ROUND {
        f();
    }
    start.elapsed().as_secs_f64() * 1e3 / f64::from(PER_ROUND)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; a number among the arguments is the
    // round count.
    let rounds = std::env::args()
        .filter_map(|a| a.parse::<usize>().ok())
        .next()
        .unwrap_or(40)
        .max(1);
    let mut ours = Vec::with_capacity(rounds);
    let mut syntax = Vec::with_capacity(rounds);
    let mut grammers = Vec::with_capacity(rounds);
    let mut parse_ratio = Vec::with_capacity(rounds);
    let mut syntax_ratio = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let p = time_ms(|| {
            black_box(tl_parser::parse(black_box(API)).expect("corpus schema parses"));
        });
        let s = time_ms(|| {
            black_box(tl_parser::parse_syntax(black_box(API)));
        });
        let g = time_ms(|| {
            black_box(grammers_tl_parser::parse_tl_file(black_box(API)).collect::<Vec<_>>());
        });
        ours.push(p);
        syntax.push(s);
        grammers.push(g);
        parse_ratio.push(g / p);
        syntax_ratio.push(g / s);
    }
    println!(
        "{rounds} rounds, medians: tl-parser parse {:.3} ms, parse_syntax {:.3} ms, grammers-tl-parser {:.3} ms",
        median(ours),
        median(syntax),
        median(grammers)
    );
    println!(
        "grammers / ours, median of per-round ratios: parse {:.2}x, parse_syntax {:.2}x",
        median(parse_ratio),
        median(syntax_ratio)
    );
}
