//! Message identifiers and sequence numbers.
//!
//! * [`MsgIdGenerator`] makes outgoing `msg_id`s: about unix time × 2^32,
//!   divisible by 4, strictly increasing, on the server's clock as learned
//!   from its messages.
//! * [`SeqNoGenerator`] makes outgoing `seq_no`s by the content-related rule.
//! * [`MsgIdValidator`] checks incoming `msg_id`s: low bits, the
//!   300 s past / 30 s future window, and replays.
//! * [`Numbering`] combines both generators for one side of a session.
//!
//! Nothing here reads a clock: every call that needs the time takes a
//! [`UnixTime`], which a caller makes from `SystemTime::now()` in
//! production and from fixed numbers in tests.
//!
//! ```
//! use mtproto::msg_id::{MsgIdGenerator, MsgIdValidator, UnixTime};
//!
//! let now = UnixTime::from_secs(1_700_000_000);
//! let mut ids = MsgIdGenerator::new();
//! let first = ids.next(now);
//! let second = ids.next(now); // same instant: still increasing
//! assert!(second > first && first % 4 == 0 && second % 4 == 0);
//! assert_eq!(first >> 32, 1_700_000_000);
//!
//! // The server's clock runs 10 s ahead: learn it from one of its msg_ids.
//! let server_msg_id = (1_700_000_010i64 << 32) | 1;
//! ids.correct_from_server_msg_id(server_msg_id, now);
//! assert_eq!(ids.next(now) >> 32, 1_700_000_010);
//!
//! let mut incoming = MsgIdValidator::for_server_ids();
//! let server_now = ids.server_now(now);
//! assert!(incoming.accept(server_msg_id, server_now).is_ok());
//! assert!(incoming.accept(server_msg_id, server_now).is_err(), "a replay");
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, SystemTime};

use crate::Side;

mod numbering;

pub use numbering::Numbering;

/// A point in time as seconds and nanoseconds since the unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(Duration);

impl UnixTime {
    /// `secs` seconds and `nanos` nanoseconds after the epoch; nanoseconds
    /// beyond a second carry over.
    pub fn new(secs: u64, nanos: u32) -> Self {
        Self(Duration::from_secs(secs).saturating_add(Duration::from_nanos(u64::from(nanos))))
    }

    /// Whole seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }

    /// The time `since_epoch` after the epoch.
    pub const fn from_duration(since_epoch: Duration) -> Self {
        Self(since_epoch)
    }

    /// The time since the epoch.
    pub const fn as_duration(self) -> Duration {
        self.0
    }

    /// The time in `msg_id` units: seconds in the high 32 bits, the fraction
    /// of a second in the low 32 (wrapping like the 32-bit seconds of a
    /// `msg_id` do).
    pub fn to_msg_time(self) -> i64 {
        let frac = (u64::from(self.0.subsec_nanos()) << 32) / 1_000_000_000;
        (self.0.as_secs() << 32 | frac) as i64
    }

    /// The time a `msg_id` stands for; negative ones map to the epoch.
    pub fn from_msg_time(msg_id: i64) -> Self {
        let Ok(ticks) = u64::try_from(msg_id) else {
            return Self::default();
        };
        let nanos = ((ticks & 0xffff_ffff) * 1_000_000_000) >> 32;
        Self::new(ticks >> 32, nanos as u32)
    }
}

impl From<SystemTime> for UnixTime {
    /// Times before the epoch map to the epoch.
    fn from(t: SystemTime) -> Self {
        Self(t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default())
    }
}

impl From<Duration> for UnixTime {
    fn from(since_epoch: Duration) -> Self {
        Self(since_epoch)
    }
}

/// The codes of `bad_msg_notification` (and 48, sent as `bad_server_salt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum BadMsgCode {
    /// 16: msg_id too low (the sender's clock is behind; resynchronise).
    MsgIdTooLow = 16,
    /// 17: msg_id too high (the sender's clock is ahead; resynchronise).
    MsgIdTooHigh = 17,
    /// 18: wrong two low bits of msg_id.
    BadMsgIdBits = 18,
    /// 19: a container's msg_id equals one received before.
    ContainerMsgIdReused = 19,
    /// 20: the message is too old to tell whether it was received.
    MsgTooOld = 20,
    /// 32: seq_no too low.
    SeqNoTooLow = 32,
    /// 33: seq_no too high.
    SeqNoTooHigh = 33,
    /// 34: an even seq_no was expected (not content-related).
    EvenSeqNoExpected = 34,
    /// 35: an odd seq_no was expected (content-related).
    OddSeqNoExpected = 35,
    /// 48: wrong server salt.
    BadServerSalt = 48,
    /// 64: invalid container.
    InvalidContainer = 64,
}

impl BadMsgCode {
    /// The code for a number from the wire, if it is a known one.
    pub fn from_code(code: i32) -> Option<Self> {
        use BadMsgCode::*;
        Some(match code {
            16 => MsgIdTooLow,
            17 => MsgIdTooHigh,
            18 => BadMsgIdBits,
            19 => ContainerMsgIdReused,
            20 => MsgTooOld,
            32 => SeqNoTooLow,
            33 => SeqNoTooHigh,
            34 => EvenSeqNoExpected,
            35 => OddSeqNoExpected,
            48 => BadServerSalt,
            64 => InvalidContainer,
            _ => return None,
        })
    }

    /// The number sent on the wire.
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl fmt::Display for BadMsgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BadMsgCode::*;
        let text = match self {
            MsgIdTooLow => "msg_id too low",
            MsgIdTooHigh => "msg_id too high",
            BadMsgIdBits => "wrong low bits of msg_id",
            ContainerMsgIdReused => "container msg_id reused",
            MsgTooOld => "message too old",
            SeqNoTooLow => "seq_no too low",
            SeqNoTooHigh => "seq_no too high",
            EvenSeqNoExpected => "even seq_no expected",
            OddSeqNoExpected => "odd seq_no expected",
            BadServerSalt => "wrong server salt",
            InvalidContainer => "invalid container",
        };
        write!(f, "{} ({text})", self.code())
    }
}

/// Makes outgoing `msg_id`s.
///
/// Each id is the current time on the server's clock (local time plus the
/// learned offset) in `msg_id` units, with the two low bits cleared, and
/// above every id handed out before: if the clock stands still or goes
/// backwards, ids step by 4.
#[derive(Debug, Clone, Default)]
pub struct MsgIdGenerator {
    /// Server clock minus local clock, in `msg_id` units (2^-32 s).
    offset: i64,
    last: i64,
}

impl MsgIdGenerator {
    /// A generator with no clock offset.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next `msg_id` at local time `now`.
    pub fn next(&mut self, now: UnixTime) -> i64 {
        let id = self.server_msg_time(now) & !3;
        let id = if id > self.last {
            id
        } else {
            self.last.wrapping_add(4)
        };
        self.last = id;
        id
    }

    /// The last id handed out (0 before the first).
    pub fn last(&self) -> i64 {
        self.last
    }

    /// The server's clock minus the local one, in `msg_id` units (2^-32 s).
    pub fn time_offset(&self) -> i64 {
        self.offset
    }

    /// Sets the offset, e.g. one remembered from an earlier connection.
    pub fn set_time_offset(&mut self, offset: i64) {
        self.offset = offset;
    }

    /// The server's current time as estimated from local time `now`; this
    /// is the `now` to validate the server's msg_ids with.
    pub fn server_now(&self, now: UnixTime) -> UnixTime {
        UnixTime::from_msg_time(self.server_msg_time(now))
    }

    fn server_msg_time(&self, now: UnixTime) -> i64 {
        now.to_msg_time().wrapping_add(self.offset)
    }

    /// Learns the server's clock from the msg_id of a message it just sent,
    /// received at local time `now`. Ids keep increasing: if the offset
    /// shrinks, ids step by 4 until the clock catches up.
    ///
    /// Only use ids of authenticated messages (decrypted, `msg_key`
    /// checked); otherwise anyone on the path could move the clock.
    pub fn correct_from_server_msg_id(&mut self, server_msg_id: i64, now: UnixTime) {
        self.offset = server_msg_id.wrapping_sub(now.to_msg_time());
    }

    /// Handles the clock part of a `bad_msg_notification`: for codes 16 and
    /// 17 learns the offset from `server_msg_id`, the msg_id of the message
    /// that carried the notification, and returns `true` (the rejected
    /// message must be re-sent with a new id). Other codes change nothing.
    ///
    /// For 17 (too high) the ids handed out so far were all rejected as
    /// being in the future, so the next id may be lower than them: it
    /// follows the corrected clock instead of stepping above them forever.
    pub fn correct_from_bad_msg(&mut self, code: i32, server_msg_id: i64, now: UnixTime) -> bool {
        match BadMsgCode::from_code(code) {
            Some(BadMsgCode::MsgIdTooLow) => {
                self.correct_from_server_msg_id(server_msg_id, now);
                true
            }
            Some(BadMsgCode::MsgIdTooHigh) => {
                self.correct_from_server_msg_id(server_msg_id, now);
                let corrected = self.server_msg_time(now) & !3;
                self.last = self.last.min(corrected.wrapping_sub(4));
                true
            }
            _ => false,
        }
    }
}

/// Makes outgoing `seq_no`s: twice the number of content-related messages
/// sent before, plus 1 if this one is content-related.
///
/// Content-related messages are those that need an acknowledgment: all but
/// containers, acknowledgments and the other service messages that need
/// none.
///
/// ```
/// use mtproto::msg_id::SeqNoGenerator;
///
/// let mut seq = SeqNoGenerator::new();
/// assert_eq!(seq.next(true), 1);  // a request
/// assert_eq!(seq.next(false), 2); // an ack
/// assert_eq!(seq.next(true), 3);
/// assert_eq!(seq.next(false), 4); // the container around them
/// ```
#[derive(Debug, Clone, Default)]
pub struct SeqNoGenerator {
    content_related: u32,
}

impl SeqNoGenerator {
    /// A generator for a new session.
    pub fn new() -> Self {
        Self::default()
    }

    /// The `seq_no` for the next message.
    pub fn next(&mut self, content_related: bool) -> i32 {
        let seq = self.peek(content_related);
        if content_related {
            self.content_related = self.content_related.wrapping_add(1);
        }
        seq
    }

    /// The `seq_no` the next message would get, without counting it.
    pub fn peek(&self, content_related: bool) -> i32 {
        (self.content_related.wrapping_mul(2) | u32::from(content_related)) as i32
    }

    /// How many content-related messages were numbered so far.
    pub fn content_related_sent(&self) -> u32 {
        self.content_related
    }
}

/// Checks the low bit of an incoming `seq_no` against whether the message
/// is content-related: odd for content-related, even otherwise.
pub fn check_seq_no_parity(seq_no: i32, content_related: bool) -> Result<(), BadMsgCode> {
    match (seq_no & 1 == 1, content_related) {
        (true, true) | (false, false) => Ok(()),
        (false, true) => Err(BadMsgCode::OddSeqNoExpected),
        (true, false) => Err(BadMsgCode::EvenSeqNoExpected),
    }
}

/// Why an incoming `msg_id` was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MsgIdError {
    /// The low two bits do not match the sender: a client's ids are 0 mod 4,
    /// a server's 1 or 3 mod 4.
    #[error("msg_id {msg_id:#018x} is {} mod 4, but ids from the {sender} must be {}", msg_id & 3, expected_low_bits(*.sender))]
    BadLowBits {
        /// The rejected id.
        msg_id: i64,
        /// Who sent it.
        sender: Side,
    },
    /// More than the allowed time (300 s) in the past.
    #[error("msg_id {msg_id:#018x} is {:.3} s in the past, beyond the window of {} s", secs_between(*.msg_id, *.now), .window.as_secs())]
    TooLow {
        /// The rejected id.
        msg_id: i64,
        /// The time checked against, in msg_id units.
        now: i64,
        /// The allowed past.
        window: Duration,
    },
    /// More than the allowed time (30 s) in the future.
    #[error("msg_id {msg_id:#018x} is {:.3} s in the future, beyond the window of {} s", -secs_between(*.msg_id, *.now), .window.as_secs())]
    TooHigh {
        /// The rejected id.
        msg_id: i64,
        /// The time checked against, in msg_id units.
        now: i64,
        /// The allowed future.
        window: Duration,
    },
    /// This id was accepted before: a replay or a duplicate. Ignore the
    /// message (acknowledging it again is harmless).
    #[error("msg_id {msg_id:#018x} was received before")]
    Duplicate {
        /// The rejected id.
        msg_id: i64,
    },
    /// The id is in the time window but older than every id still
    /// remembered, so whether it is a replay cannot be told.
    #[error("msg_id {msg_id:#018x} is older than the replay window can vouch for (it remembers ids from {limit:#018x} on)")]
    TooOld {
        /// The rejected id.
        msg_id: i64,
        /// The lowest id the window could accept.
        limit: i64,
    },
}

fn expected_low_bits(sender: Side) -> &'static str {
    match sender {
        Side::Client => "0 mod 4",
        Side::Server => "1 or 3 mod 4",
    }
}

fn secs_between(msg_id: i64, now: i64) -> f64 {
    now.wrapping_sub(msg_id) as f64 / 4_294_967_296.0
}

impl MsgIdError {
    /// The `bad_msg_notification` code a server answers this with, if any;
    /// duplicates are silently ignored instead.
    pub fn bad_msg_code(&self) -> Option<BadMsgCode> {
        match self {
            MsgIdError::BadLowBits { .. } => Some(BadMsgCode::BadMsgIdBits),
            MsgIdError::TooLow { .. } => Some(BadMsgCode::MsgIdTooLow),
            MsgIdError::TooHigh { .. } => Some(BadMsgCode::MsgIdTooHigh),
            MsgIdError::TooOld { .. } => Some(BadMsgCode::MsgTooOld),
            MsgIdError::Duplicate { .. } => None,
        }
    }
}

/// How far in the past an incoming msg_id may be.
pub const MAX_PAST: Duration = Duration::from_secs(300);
/// How far in the future an incoming msg_id may be.
pub const MAX_FUTURE: Duration = Duration::from_secs(30);
/// How many accepted ids a validator remembers at most, by default.
pub const DEFAULT_REPLAY_CAPACITY: usize = 8192;

/// Checks incoming `msg_id`s and remembers accepted ones to reject replays.
///
/// An id is accepted when its low bits fit the sender, it lies within
/// [`MAX_PAST`] before and [`MAX_FUTURE`] after `now` (both edges
/// included), and it was not accepted before.
///
/// The replay window never forgets an id it could still accept: it drops
/// remembered ids only once they fall below the time window, and when it
/// holds `capacity` ids it drops the lowest and from then on rejects every
/// id up to that one ([`MsgIdError::TooOld`], code 20) instead of letting
/// its replay through. Ids normally increase, so at capacity only stragglers
/// older than `capacity` newer messages are refused. Memory stays at
/// `capacity` ids.
///
/// Call [`accept`](Self::accept) only for authenticated messages, so that
/// forged ids cannot fill the window.
#[derive(Debug, Clone)]
pub struct MsgIdValidator {
    sender: Side,
    max_past: i64,
    max_future: i64,
    past: Duration,
    future: Duration,
    capacity: usize,
    /// Accepted ids, ascending.
    seen: VecDeque<i64>,
    /// The highest id dropped from `seen`; nothing at or below it passes.
    floor: Option<i64>,
}

fn msg_units(d: Duration) -> i64 {
    UnixTime::from_duration(d).to_msg_time()
}

impl MsgIdValidator {
    /// A validator for ids sent by `sender`.
    pub fn new(sender: Side) -> Self {
        Self {
            sender,
            max_past: msg_units(MAX_PAST),
            max_future: msg_units(MAX_FUTURE),
            past: MAX_PAST,
            future: MAX_FUTURE,
            capacity: DEFAULT_REPLAY_CAPACITY,
            seen: VecDeque::new(),
            floor: None,
        }
    }

    /// For a client: validates the server's ids (1 or 3 mod 4). Check them
    /// against [`MsgIdGenerator::server_now`].
    pub fn for_server_ids() -> Self {
        Self::new(Side::Server)
    }

    /// For a server: validates a client's ids (0 mod 4).
    pub fn for_client_ids() -> Self {
        Self::new(Side::Client)
    }

    /// Changes the time window.
    pub fn with_window(mut self, past: Duration, future: Duration) -> Self {
        self.past = past;
        self.future = future;
        self.max_past = msg_units(past);
        self.max_future = msg_units(future);
        self
    }

    /// Changes how many ids are remembered (at least 1).
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// How many ids are remembered now.
    pub fn remembered(&self) -> usize {
        self.seen.len()
    }

    /// Checks `msg_id` at time `now` without remembering it.
    pub fn check(&self, msg_id: i64, now: UnixTime) -> Result<(), MsgIdError> {
        let low_bits_ok = match self.sender {
            Side::Client => msg_id & 3 == 0,
            Side::Server => msg_id & 1 == 1,
        };
        if !low_bits_ok {
            return Err(MsgIdError::BadLowBits {
                msg_id,
                sender: self.sender,
            });
        }
        let now = now.to_msg_time();
        if msg_id < now.saturating_sub(self.max_past) {
            return Err(MsgIdError::TooLow {
                msg_id,
                now,
                window: self.past,
            });
        }
        if msg_id > now.saturating_add(self.max_future) {
            return Err(MsgIdError::TooHigh {
                msg_id,
                now,
                window: self.future,
            });
        }
        if let Some(floor) = self.floor.filter(|floor| msg_id <= *floor) {
            return Err(MsgIdError::TooOld {
                msg_id,
                limit: floor.wrapping_add(1),
            });
        }
        let pos = match self.seen.binary_search(&msg_id) {
            Ok(_) => return Err(MsgIdError::Duplicate { msg_id }),
            Err(pos) => pos,
        };
        // Ids below the window's low edge are dropped before inserting, so
        // they do not count against the capacity.
        let expired = self
            .seen
            .partition_point(|id| *id < now.saturating_sub(self.max_past));
        if self.seen.len() - expired >= self.capacity && pos <= expired {
            return Err(MsgIdError::TooOld {
                msg_id,
                limit: self.seen[expired].wrapping_add(1),
            });
        }
        Ok(())
    }

    /// Checks `msg_id` at time `now` and, if it passes, remembers it.
    pub fn accept(&mut self, msg_id: i64, now: UnixTime) -> Result<(), MsgIdError> {
        self.check(msg_id, now)?;
        let low_edge = now.to_msg_time().saturating_sub(self.max_past);
        while let Some(&oldest) = self.seen.front() {
            if oldest >= low_edge {
                break;
            }
            self.forget_oldest();
        }
        let pos = self.seen.partition_point(|id| *id < msg_id);
        self.seen.insert(pos, msg_id);
        if self.seen.len() > self.capacity {
            self.forget_oldest();
        }
        Ok(())
    }

    fn forget_oldest(&mut self) {
        if let Some(oldest) = self.seen.pop_front() {
            // Ascending order means `oldest` is above any earlier floor.
            self.floor = Some(oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_time_round_trips_to_the_nanosecond_scale() {
        let t = UnixTime::new(1_700_000_000, 500_000_000);
        assert_eq!(t.to_msg_time(), (1_700_000_000i64 << 32) | 0x8000_0000);
        let back = UnixTime::from_msg_time(t.to_msg_time());
        assert_eq!(back, t);
        assert_eq!(UnixTime::from_msg_time(-5), UnixTime::default());
    }

    #[test]
    fn bad_msg_codes_round_trip() {
        for code in [16, 17, 18, 19, 20, 32, 33, 34, 35, 48, 64] {
            assert_eq!(BadMsgCode::from_code(code).unwrap().code(), code);
        }
        assert_eq!(BadMsgCode::from_code(21), None);
    }

    #[test]
    fn seq_no_parity() {
        assert_eq!(check_seq_no_parity(3, true), Ok(()));
        assert_eq!(check_seq_no_parity(4, false), Ok(()));
        assert_eq!(
            check_seq_no_parity(4, true),
            Err(BadMsgCode::OddSeqNoExpected)
        );
        assert_eq!(
            check_seq_no_parity(5, false),
            Err(BadMsgCode::EvenSeqNoExpected)
        );
    }
}
