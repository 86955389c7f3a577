//! A bounded memory of recently seen keys, each with an optional value.
//!
//! The session remembers some msg_ids only for a while (the containers it
//! sent, the requests it cancelled): a server that keeps naming old ones
//! must not make that memory grow without end, so the oldest entry goes
//! once the capacity is reached.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// At most `capacity` keys, the oldest forgotten first; `Recent<K>` is a
/// set, `Recent<K, V>` a map.
#[derive(Debug, Clone)]
pub(crate) struct Recent<K, V = ()> {
    entries: HashMap<K, V>,
    /// Keys oldest first, each once.
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Copy + Eq + Hash, V> Recent<K, V> {
    /// An empty memory of at most `capacity` keys.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Remembers `key` with `value`, forgetting the oldest key when full. A
    /// key already remembered gets the new value and keeps its age.
    pub(crate) fn insert(&mut self, key: K, value: V) {
        if let Some(old) = self.entries.get_mut(&key) {
            *old = value;
            return;
        }
        if self.order.len() >= self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
        if self.capacity > 0 {
            self.order.push_back(key);
            self.entries.insert(key, value);
        }
    }

    /// Whether `key` is still remembered.
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }

    /// The value of `key`, if it is still remembered.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;

    #[test]
    fn remembers_what_was_inserted() {
        let mut recent = Recent::<i64, &str>::new(4);
        recent.insert(1, "one");
        recent.insert(2, "two");
        assert!(recent.contains(&1));
        assert_eq!(recent.get(&2), Some(&"two"));
        assert!(!recent.contains(&3));
        assert_eq!(recent.get(&3), None);
    }

    #[test]
    fn forgets_the_oldest_past_its_capacity() {
        let mut recent = Recent::<i64>::new(3);
        for key in 1..=5 {
            recent.insert(key, ());
        }
        assert!(!recent.contains(&1));
        assert!(!recent.contains(&2));
        assert!((3..=5).all(|key| recent.contains(&key)));
        assert_eq!(recent.entries.len(), 3);
        assert_eq!(recent.order.len(), 3);
    }

    #[test]
    fn inserting_again_replaces_the_value_and_keeps_the_age() {
        let mut recent = Recent::<i64, u8>::new(2);
        recent.insert(1, 10);
        recent.insert(2, 20);
        recent.insert(1, 11);
        assert_eq!(recent.get(&1), Some(&11));
        assert_eq!(recent.order.len(), 2);
        // 1 is still the oldest, so it goes first.
        recent.insert(3, 30);
        assert!(!recent.contains(&1));
        assert_eq!(recent.get(&2), Some(&20));
        assert_eq!(recent.get(&3), Some(&30));
    }

    #[test]
    fn a_zero_capacity_remembers_nothing() {
        let mut recent = Recent::<i64>::new(0);
        recent.insert(1, ());
        assert!(!recent.contains(&1));
        assert!(recent.order.is_empty());
    }
}
