//! Caller-provided randomness.
//!
//! The runtime never draws randomness on its own: padding bytes (for the
//! padded intermediate transport and for encrypted MTProto 2.0 messages) come
//! from a [`RandomSource`] the caller hands in. That keeps the crate sans-IO,
//! free of an RNG dependency, and deterministic in tests.

/// A source of random bytes.
///
/// Any `FnMut(&mut [u8])` closure is a source, so a cryptographic RNG from
/// another crate plugs in without a wrapper type:
///
/// ```
/// use mtproto::random::RandomSource;
///
/// // In production this would call e.g. `getrandom::fill(buf)`.
/// let mut source = |buf: &mut [u8]| buf.fill(0x5a);
/// let mut bytes = [0u8; 4];
/// source.fill_bytes(&mut bytes);
/// assert_eq!(bytes, [0x5a; 4]);
/// ```
pub trait RandomSource {
    /// Fills `dest` entirely with random bytes.
    fn fill_bytes(&mut self, dest: &mut [u8]);
}

impl<F: FnMut(&mut [u8])> RandomSource for F {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self(dest)
    }
}

/// A tiny, fast, seedable pseudo-random generator (SplitMix64).
///
/// It is **not** cryptographically secure. It suits tests, benchmarks and
/// transport padding whose only purpose is to vary packet sizes. The padding
/// of encrypted MTProto 2.0 messages feeds `msg_key`, so production code
/// should hand the envelope encoder a CSPRNG instead.
///
/// ```
/// use mtproto::random::{RandomSource, SplitMix64};
///
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// let (mut x, mut y) = ([0u8; 9], [0u8; 9]);
/// a.fill_bytes(&mut x);
/// b.fill_bytes(&mut y);
/// assert_eq!(x, y, "same seed, same bytes");
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// Creates a generator from a seed; equal seeds give equal streams.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Returns the next 64 pseudo-random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl RandomSource for SplitMix64 {
    #[inline]
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let mut chunks = dest.chunks_exact_mut(8);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let word = self.next_u64().to_le_bytes();
            rest.copy_from_slice(&word[..rest.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_seeds_differ_and_all_bytes_are_written() {
        let mut a = SplitMix64::new(1);
        let mut b = SplitMix64::new(2);
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill_bytes(&mut x);
        b.fill_bytes(&mut y);
        assert_ne!(x, y);
        // The 5-byte tail is filled too (probability of 5 zero bytes is 2^-40).
        assert_ne!(&x[8..], &[0u8; 5]);
    }
}
