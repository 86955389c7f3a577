//! Outgoing messages: requests numbered and queued, re-sent under new
//! msg_ids when the server asks for it, and packets handed to the caller
//! as [`Transmit`]s.

use std::collections::HashSet;

use crate::container::OutgoingPacket;
use crate::envelope::{EncryptedPlaintext, EnvelopeError};
use crate::msg_id::UnixTime;
use crate::random::RandomSource;

use super::requests::{Purpose, RequestId};
use super::{Session, SessionError};

/// A message to encrypt and send: the fields of [`EncryptedPlaintext`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The server salt in force.
    pub salt: i64,
    /// The session id.
    pub session_id: i64,
    /// The top-level msg_id.
    pub msg_id: i64,
    /// The top-level seq_no.
    pub seq_no: i32,
    /// The body: a container or a single message.
    pub body: Vec<u8>,
}

impl Transmit {
    /// Appends the plaintext layout with random padding from `rng`, for an
    /// encryption layer to encrypt.
    pub fn encode_plaintext(
        &self,
        rng: &mut impl RandomSource,
        out: &mut Vec<u8>,
    ) -> Result<(), EnvelopeError> {
        EncryptedPlaintext {
            salt: self.salt,
            session_id: self.session_id,
            msg_id: self.msg_id,
            seq_no: self.seq_no,
            body: &self.body,
        }
        .encode(rng, out)
    }
}

impl Session {
    /// The next message to encrypt and send, if any.
    pub fn poll_transmit(&mut self, now: UnixTime) -> Option<Transmit> {
        let packet = self.outbox.flush(&mut self.numbering, now)?;
        Some(self.transmit(packet, now))
    }

    /// In HTTP mode ([`SessionConfig::http_wait`](super::SessionConfig::http_wait)):
    /// the next message to send on a new HTTP request, which is `http_wait`
    /// alone when nothing else is queued, so the server can answer within
    /// `max_wait`.
    pub fn poll_long_poll(&mut self, now: UnixTime) -> Option<Transmit> {
        let packet = self.outbox.flush_long_poll(&mut self.numbering, now)?;
        Some(self.transmit(packet, now))
    }

    fn transmit(&mut self, packet: OutgoingPacket, now: UnixTime) -> Transmit {
        if packet.is_container() {
            self.sent_containers.insert(packet.msg_id, packet.contents);
        }
        Transmit {
            salt: self.salt(now),
            session_id: self.session_id,
            msg_id: packet.msg_id,
            seq_no: packet.seq_no,
            body: packet.body,
        }
    }

    /// Adds a request to the table and queues it.
    pub(crate) fn submit(
        &mut self,
        query: Vec<u8>,
        after: Option<RequestId>,
        purpose: Purpose,
        now: UnixTime,
    ) -> RequestId {
        let id = self.requests.insert(query, after, purpose);
        self.number_and_queue(id, now);
        id
    }

    /// Gives `id` a fresh msg_id and seq_no and queues its wire body.
    fn number_and_queue(&mut self, id: RequestId, now: UnixTime) {
        let (msg_id, seq_no) = self.numbering.next(now, true);
        if !self.requests.renumber(id, msg_id, seq_no) {
            return;
        }
        if let Some(message) = self.requests.outgoing(id, self.config.compress_threshold) {
            self.outbox.push(message);
        }
    }

    /// Re-sends the requests among `msg_ids` with new msg_ids, oldest
    /// first (so an `invokeAfterMsg` names its dependency's new id). With
    /// a `bad_msg_notification` `code`, a request sent too often fails
    /// instead.
    pub(crate) fn resend(&mut self, msg_ids: Vec<i64>, code: Option<i32>, now: UnixTime) {
        let mut ids: Vec<(i64, RequestId)> = msg_ids
            .iter()
            .filter_map(|m| self.requests.id_of(*m).map(|id| (*m, id)))
            .collect();
        ids.sort_unstable();
        let stale: HashSet<i64> = ids.iter().map(|(m, _)| *m).collect();
        self.outbox.remove_where(|m| stale.contains(&m.msg_id));
        for (_, id) in ids {
            let attempts = self.requests.get(id).map_or(0, |r| r.attempts);
            if let Some(code) = code.filter(|_| attempts > self.config.max_resends) {
                if let Some(request) = self.requests.finish(id) {
                    self.fail(id, request, SessionError::TooManyResends { attempts, code });
                }
                continue;
            }
            self.number_and_queue(id, now);
        }
    }
}
