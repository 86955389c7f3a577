//! Numbering of outgoing messages: one `msg_id` and `seq_no` source per
//! session and side, which the outbox and the session share.

use super::{MsgIdGenerator, SeqNoGenerator, UnixTime};
use crate::Side;

/// Numbers outgoing messages: `msg_id` from a [`MsgIdGenerator`] with the
/// low bits of the sending side (0 mod 4 for a client, 1 mod 4 for a
/// server), `seq_no` from a [`SeqNoGenerator`] plus a correction the
/// session applies after `bad_msg_notification` 32/33.
#[derive(Debug, Clone)]
pub struct Numbering {
    ids: MsgIdGenerator,
    seq: SeqNoGenerator,
    side: Side,
    /// Added to every seq_no; always even, so parity is untouched.
    seq_shift: i32,
}

impl Numbering {
    /// Numbering for a new session on `side`.
    pub fn new(side: Side) -> Self {
        Self {
            ids: MsgIdGenerator::new(),
            seq: SeqNoGenerator::new(),
            side,
            seq_shift: 0,
        }
    }

    /// The next `msg_id` at local time `now`.
    pub fn next_msg_id(&mut self, now: UnixTime) -> i64 {
        let id = self.ids.next(now);
        match self.side {
            Side::Client => id,
            // The generator's ids are 0 mod 4 and step by at least 4, so
            // setting bit 0 keeps them increasing and makes them 1 mod 4.
            Side::Server => id | 1,
        }
    }

    /// The next `seq_no`.
    pub fn next_seq_no(&mut self, content_related: bool) -> i32 {
        self.seq.next(content_related).wrapping_add(self.seq_shift)
    }

    /// The next `(msg_id, seq_no)` pair.
    pub fn next(&mut self, now: UnixTime, content_related: bool) -> (i64, i32) {
        (self.next_msg_id(now), self.next_seq_no(content_related))
    }

    /// Moves every later `seq_no` by `2 * content_messages` (negative to
    /// go back), to answer "seq_no too low/high" from the peer.
    pub fn shift_seq_no(&mut self, content_messages: i32) {
        self.seq_shift = self
            .seq_shift
            .wrapping_add(content_messages.wrapping_mul(2));
    }

    /// Starts counting `seq_no` from 0 again, for a new session.
    pub fn reset_seq_no(&mut self) {
        self.seq = SeqNoGenerator::new();
        self.seq_shift = 0;
    }

    /// The msg_id generator, for clock corrections.
    pub fn ids(&mut self) -> &mut MsgIdGenerator {
        &mut self.ids
    }

    /// The server's clock minus ours, in msg_id units (2^-32 s).
    pub fn time_offset(&self) -> i64 {
        self.ids.time_offset()
    }

    /// The server's time as estimated from local time `now`.
    pub fn server_now(&self, now: UnixTime) -> UnixTime {
        self.ids.server_now(now)
    }
}
