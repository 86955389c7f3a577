//! Timing by interleaved rounds, for ratios that a noisy machine cannot
//! skew. Criterion times each function for seconds in turn, and on a shared
//! VM the speed drifts between those stretches; here the functions compared
//! take turns in short rounds, each round gives its own ratios, and the
//! benches report medians over all rounds.

use std::time::Instant;

/// The round count: the first number among the command-line arguments
/// (`cargo bench` passes `--bench` and the filter words too), else
/// `default`; at least one.
pub fn rounds_from_args(default: usize) -> usize {
    std::env::args()
        .filter_map(|a| a.parse::<usize>().ok())
        .next()
        .unwrap_or(default)
        .max(1)
}

/// Mean nanoseconds per call of `f` over `calls` calls.
pub fn time_ns(calls: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(calls)
}

/// Functions compared on the same input, timed in turn in every round.
pub struct Contest<'a> {
    /// What the bench prints for this contest.
    pub name: String,
    /// Calls per function per round: long enough to time, short enough
    /// that the machine's speed barely changes within a round.
    pub calls: u32,
    /// The functions compared, in the order of the timings [`run`] returns.
    pub entrants: Vec<Box<dyn FnMut() + 'a>>,
}

impl<'a> Contest<'a> {
    /// A contest without entrants yet.
    pub fn new(name: impl Into<String>, calls: u32) -> Self {
        Contest {
            name: name.into(),
            calls,
            entrants: Vec::new(),
        }
    }

    /// Adds `f` as the next function compared.
    pub fn entrant(mut self, f: impl FnMut() + 'a) -> Self {
        self.entrants.push(Box::new(f));
        self
    }
}

/// In which order a contest's functions run within a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Always as listed.
    Fixed,
    /// As listed in even rounds and reversed in odd ones, so that no
    /// function always runs on a cache another one warmed.
    Alternating,
}

/// Runs every contest `rounds` times and returns the nanoseconds per call,
/// indexed `[contest][entrant][round]`.
pub fn run(contests: &mut [Contest<'_>], rounds: usize, order: Order) -> Vec<Vec<Vec<f64>>> {
    let mut times: Vec<Vec<Vec<f64>>> = contests
        .iter()
        .map(|c| vec![Vec::with_capacity(rounds); c.entrants.len()])
        .collect();
    for round in 0..rounds {
        for (contest, times) in contests.iter_mut().zip(&mut times) {
            let count = contest.entrants.len();
            for turn in 0..count {
                let entrant = match order {
                    Order::Alternating if round % 2 == 1 => count - 1 - turn,
                    _ => turn,
                };
                let ns = time_ns(contest.calls, &mut contest.entrants[entrant]);
                times[entrant].push(ns);
            }
        }
    }
    times
}

/// The ratio of each round: `numerators[i] / denominators[i]`.
pub fn per_round_ratios(numerators: &[f64], denominators: &[f64]) -> Vec<f64> {
    numerators
        .iter()
        .zip(denominators)
        .map(|(n, d)| n / d)
        .collect()
}

/// The median, as the upper of the two middle values for an even count.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// First quartile, median and third quartile, each the lower value where
/// the position falls between two.
pub fn quartiles(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: usize| values[(values.len() - 1) * q / 4];
    (at(1), at(2), at(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn alternating_rounds_reverse_the_order_of_the_entrants() {
        let log = RefCell::new(Vec::new());
        let mut contests = [Contest::new("a and b", 1)
            .entrant(|| log.borrow_mut().push('a'))
            .entrant(|| log.borrow_mut().push('b'))];
        let times = run(&mut contests, 3, Order::Alternating);
        drop(contests);
        assert_eq!(log.into_inner(), ['a', 'b', 'b', 'a', 'a', 'b']);
        assert_eq!(times.len(), 1);
        assert!(times[0].iter().all(|t| t.len() == 3));
    }

    #[test]
    fn statistics_pick_the_documented_elements() {
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 3.0);
        assert_eq!(quartiles(&mut [5.0, 1.0, 4.0, 2.0, 3.0]), (2.0, 3.0, 4.0));
        assert_eq!(per_round_ratios(&[4.0, 9.0], &[2.0, 3.0]), [2.0, 3.0]);
    }
}
