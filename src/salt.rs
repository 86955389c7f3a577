//! Server salts: the one in force, and future salts from `get_future_salts`.
//!
//! Each future salt is valid from `valid_since` to `valid_until` (server
//! time, unix seconds); they overlap by half an hour. The advice is to use
//! the valid record with the longest remaining lifespan, which is what
//! [`SaltStore::current`] picks; a salt learnt from the server otherwise
//! (`bad_server_salt`, `new_session_created`) is used when no stored
//! record is valid.
//!
//! ```
//! use mtproto::salt::SaltStore;
//! use mtproto::msg_id::UnixTime;
//! use mtproto::service::types::FutureSalt;
//!
//! let mut salts = SaltStore::new(7);
//! salts.add([
//!     FutureSalt { valid_since: 1000, valid_until: 4600, salt: 1 },
//!     FutureSalt { valid_since: 2800, valid_until: 6400, salt: 2 },
//! ]);
//! assert_eq!(salts.current(UnixTime::from_secs(999)), 7);
//! assert_eq!(salts.current(UnixTime::from_secs(2000)), 1);
//! assert_eq!(salts.current(UnixTime::from_secs(3000)), 2, "lives longer");
//! ```

use std::time::Duration;

use crate::msg_id::UnixTime;
use crate::service::types::FutureSalt;

/// The most future salts kept (the server sends at most 64).
pub const MAX_STORED: usize = 64;

/// The salts a session knows.
#[derive(Debug, Clone)]
pub struct SaltStore {
    fallback: i64,
    /// Sorted by `valid_until`, ascending.
    future: Vec<FutureSalt>,
}

impl SaltStore {
    /// A store whose only salt is `salt`.
    pub fn new(salt: i64) -> Self {
        Self {
            fallback: salt,
            future: Vec::new(),
        }
    }

    /// Adds future salts, dropping the oldest beyond [`MAX_STORED`].
    pub fn add(&mut self, salts: impl IntoIterator<Item = FutureSalt>) {
        for salt in salts {
            if salt.valid_until > salt.valid_since && !self.future.contains(&salt) {
                self.future.push(salt);
            }
        }
        self.future.sort_by_key(|s| s.valid_until);
        let excess = self.future.len().saturating_sub(MAX_STORED);
        self.future.drain(..excess);
    }

    /// Replaces everything with `salt`, which the server just said is the
    /// right one: stored records may be stale.
    pub fn reset(&mut self, salt: i64) {
        self.fallback = salt;
        self.future.clear();
    }

    /// The salt to send at server time `server_now`: the valid stored
    /// record with the latest `valid_until`, else the fallback.
    pub fn current(&self, server_now: UnixTime) -> i64 {
        let now = secs(server_now);
        self.future
            .iter()
            .rev()
            .find(|s| i64::from(s.valid_since) <= now && now < i64::from(s.valid_until))
            .map_or(self.fallback, |s| s.salt)
    }

    /// Forgets records that expired before `server_now`.
    pub fn prune(&mut self, server_now: UnixTime) {
        let now = secs(server_now);
        self.future.retain(|s| i64::from(s.valid_until) > now);
    }

    /// The stored future salts, by `valid_until`.
    pub fn future(&self) -> &[FutureSalt] {
        &self.future
    }

    /// When (server time) to ask for more: `margin` before the last stored
    /// salt runs out; `None` when nothing is stored (the lifespan of a
    /// salt learnt otherwise is unknown).
    pub fn refresh_at(&self, margin: Duration) -> Option<UnixTime> {
        let last = self.future.last()?;
        let until = u64::try_from(last.valid_until).unwrap_or(0);
        Some(UnixTime::from_secs(until.saturating_sub(margin.as_secs())))
    }
}

fn secs(t: UnixTime) -> i64 {
    i64::try_from(t.as_duration().as_secs()).unwrap_or(i64::MAX)
}
