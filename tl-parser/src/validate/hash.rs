//! The maps validation keys by name, and the hash behind them: fast on
//! short names, seeded at random so that crafted names cannot collide on
//! purpose.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use crate::ast::Name;

/// The Fx hash (rustc's): a multiply and a rotate per word. Names are
/// short, and SipHash was a tenth of the time of a whole parse. Each map
/// starts it from a random state, so that a crafted file cannot count on
/// colliding names to make the maps (and the check) quadratic.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(tail_word(rest));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The last 1 to 7 bytes of a name as a little-endian word, zero-padded,
/// from overlapping loads. Copying them into a zeroed `[u8; 8]` instead
/// compiled to a `memcpy` call whose bytes the next 8-byte load could not
/// take from the store buffer: that stall was most of the hashing, and
/// hashing a tenth of a validating parse.
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    debug_assert!((1..8).contains(&n));
    if n >= 4 {
        let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
        u64::from(lo) | (u64::from(hi) << (8 * (n - 4)))
    } else {
        u64::from(rest[0])
            | (u64::from(rest[n / 2]) << (8 * (n / 2)))
            | (u64::from(rest[n - 1]) << (8 * (n - 1)))
    }
}

/// Builds [`FxHasher`]s from one random starting state.
#[derive(Clone, Copy)]
pub(super) struct RandomFx(u64);

impl BuildHasher for RandomFx {
    type Hasher = FxHasher;

    fn build_hasher(&self) -> FxHasher {
        FxHasher(self.0)
    }
}

/// A map whose keys are hashed with [`FxHasher`].
pub(super) type FxMap<K, V> = HashMap<K, V, RandomFx>;

impl RandomFx {
    /// A fresh random starting state.
    pub(super) fn new() -> Self {
        RandomFx(RandomState::new().hash_one(0u8))
    }
}

/// An empty [`FxMap`] with room for `n` entries and its own random state.
pub(super) fn map_with_capacity<K, V>(n: usize) -> FxMap<K, V> {
    FxMap::with_capacity_and_hasher(n, RandomFx::new())
}

/// A name as a map key: borrowed from the tree, with its hash computed
/// once. The maps hash nothing themselves ([`Prehashed`]), and compare names
/// only when the hashes are equal, so building the index reads no name from
/// memory: the parser hashed each one while it was in the cache.
#[derive(Clone, Copy)]
pub(super) struct Key<'a> {
    pub(super) hash: u64,
    pub(super) name: &'a Name,
}

impl<'a> Key<'a> {
    /// Hashes `name` from `seed`.
    pub(super) fn new(seed: RandomFx, name: &'a Name) -> Self {
        Key {
            hash: seed.hash_one(name),
            name,
        }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.name == other.name
    }
}

impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes a [`Key`]'s precomputed hash through.
#[derive(Default)]
pub(super) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else still hashes soundly.
        let mut fx = FxHasher(self.0);
        fx.write(bytes);
        self.0 = fx.0;
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map from [`Key`]s, which come hashed.
pub(super) type KeyMap<'a, V> = HashMap<Key<'a>, V, BuildHasherDefault<Prehashed>>;

/// An empty [`KeyMap`] with room for `n` entries.
pub(super) fn key_map<'a, V>(n: usize) -> KeyMap<'a, V> {
    KeyMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

/// First position of each name in a long list (fields, generics). Short
/// lists are scanned; long ones (hostile input can have 100 000 fields) get
/// a map, so that checking every entry stays linear.
pub(super) struct FirstIndex<'a> {
    map: Option<FxMap<&'a str, usize>>,
}

impl<'a> FirstIndex<'a> {
    /// Indexes `names` if there are enough of them to need it.
    pub(super) fn new(names: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let len = names.len();
        // Below this a scan is cheaper than building a map.
        let map = (len > 24).then(|| {
            let mut map = map_with_capacity(len);
            for (k, name) in names.enumerate() {
                map.entry(name).or_insert(k);
            }
            map
        });
        FirstIndex { map }
    }

    /// The first position of `name`: from the map, or from `scan` (the
    /// caller's own search of the short list).
    pub(super) fn find(&self, name: &str, scan: impl FnOnce() -> Option<usize>) -> Option<usize> {
        match &self.map {
            Some(map) => map.get(name).copied(),
            None => scan(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tail_word;

    #[test]
    fn tail_words_are_the_zero_padded_little_endian_bytes() {
        let bytes = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77];
        for n in 1..8 {
            let mut padded = [0u8; 8];
            padded[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(
                tail_word(&bytes[..n]),
                u64::from_le_bytes(padded),
                "{n} bytes"
            );
        }
    }
}
