//! `msg_container`: packing outgoing messages into containers and checking
//! incoming ones.
//!
//! # Limits
//! A container's *payload* is everything after its constructor id and
//! message count: the `message` entries, each a 16-byte header (`msg_id`,
//! `seqno`, `bytes`) and its body. It holds at most [`MAX_PAYLOAD`] bytes
//! (2^15) and [`MAX_MESSAGES`] (1020) messages. Acknowledgments
//! (`msgs_ack`), state requests (`msgs_state_req`), resend requests
//! (`msg_resend_req`) and `http_wait` do not count against the 1020
//! messages, but they are bytes of the payload like any other message, so
//! they count against the 2^15 bytes. Each of the first three carries at
//! most [`MAX_IDS`] (8192) ids; more ids go into further messages.
//!
//! # Outgoing
//! [`Outbox`] is the queue a session flushes, shaped after TDLib's
//! `SessionConnection::flush_packet`: each [`Outbox::flush`] produces one
//! top-level message. It takes at most one message of each id-carrying
//! service kind plus `http_wait`, then queued messages in order while both
//! limits hold. One message goes unwrapped; several are wrapped in a
//! container whose `msg_id` is numbered after (and so above) its contents.
//! A message too large for any container (its entry alone is over 2^15
//! bytes) goes alone, unwrapped; what does not fit waits for the next flush.
//! The packer never produces a container that [`unpack`] rejects.
//!
//! # Incoming
//! [`unpack`] decodes a container without copying its bodies (each
//! [`types::Message::body`] borrows the packet) and checks every rule:
//! inner `msg_id`s below the container's and distinct, no nested
//! containers, each `bytes` within the payload and a multiple of 4, no
//! trailing bytes, and the limits. **Over-limit containers are rejected**:
//! the limits bind both sides (the server's own containers follow them),
//! so a container beyond them is a broken or hostile peer, and checking
//! the count before decoding bounds the memory an incoming container can
//! make us allocate. [`ContainerLimits`] can be loosened for a peer known
//! to exceed them.
//!
//! ```
//! use mtproto::container::{unpack, ContainerLimits, Numbering, Outbox, OutgoingMessage};
//! use mtproto::msg_id::UnixTime;
//! use mtproto::Side;
//! use mtproto_types::Serialize;
//! use mtproto::service::functions::Ping;
//!
//! let now = UnixTime::from_secs(1_700_000_000);
//! let mut numbering = Numbering::new(Side::Client);
//! let mut outbox = Outbox::new(ContainerLimits::default());
//! for ping_id in 0..3 {
//!     let (msg_id, seq_no) = numbering.next(now, true);
//!     outbox.push(OutgoingMessage { msg_id, seq_no, body: Ping { ping_id }.to_bytes() });
//! }
//! outbox.ack(12345 << 32 | 1);
//!
//! let packet = outbox.flush(&mut numbering, now).expect("something to send");
//! assert!(packet.is_container());
//! assert_eq!(packet.contents.len(), 4); // three pings and the msgs_ack
//! let inner = unpack(packet.msg_id, &packet.body, &ContainerLimits::default()).unwrap();
//! assert!(inner.iter().all(|m| m.msg_id < packet.msg_id));
//! assert!(outbox.flush(&mut numbering, now).is_none());
//! ```

use std::collections::VecDeque;

use mtproto_types::{Constructor, DeserializeBare, Reader, Serialize};

use crate::msg_id::UnixTime;
use crate::service::types;

/// Re-exported from [`msg_id`](crate::msg_id), where it lives next to the
/// generators it combines.
pub use crate::msg_id::Numbering;

/// The most messages a container carries, not counting the id-carrying
/// service messages and `http_wait`.
pub const MAX_MESSAGES: usize = 1020;
/// The most payload bytes (message headers and bodies) of a container.
pub const MAX_PAYLOAD: usize = 1 << 15;
/// The most ids in one `msgs_ack`, `msgs_state_req` or `msg_resend_req`.
pub const MAX_IDS: usize = 8192;
/// Bytes of a `message` entry before its body: `msg_id`, `seqno`, `bytes`.
pub const MESSAGE_HEADER_LEN: usize = 16;
/// Bytes of a container before its payload: constructor id and count.
pub const CONTAINER_HEADER_LEN: usize = 8;

const MSGS_ACK_ID: u32 = <types::MsgsAck as Constructor>::CONSTRUCTOR_ID;
const MSGS_STATE_REQ_ID: u32 = <types::MsgsStateReq as Constructor>::CONSTRUCTOR_ID;
const MSG_RESEND_REQ_ID: u32 = <types::MsgResendReq as Constructor>::CONSTRUCTOR_ID;
const HTTP_WAIT_ID: u32 = <types::HttpWait as Constructor>::CONSTRUCTOR_ID;
/// The constructor id of `msg_container`.
pub const MSG_CONTAINER_ID: u32 = <types::MsgContainer as Constructor>::CONSTRUCTOR_ID;

/// The limits a container is packed to and checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerLimits {
    /// Messages per container, besides the exempt service messages.
    pub max_messages: usize,
    /// Payload bytes per container.
    pub max_payload: usize,
    /// Ids per `msgs_ack` / `msgs_state_req` / `msg_resend_req`.
    pub max_ids: usize,
}

impl Default for ContainerLimits {
    /// The protocol's limits: 1020 messages, 2^15 bytes, 8192 ids.
    fn default() -> Self {
        Self {
            max_messages: MAX_MESSAGES,
            max_payload: MAX_PAYLOAD,
            max_ids: MAX_IDS,
        }
    }
}

/// Whether a body is one of the service messages that do not count against
/// the container's message limit: `msgs_ack`, `msgs_state_req`,
/// `msg_resend_req`, `http_wait`.
pub fn is_exempt_from_count(body: &[u8]) -> bool {
    matches!(
        constructor_of(body),
        Some(MSGS_ACK_ID | MSGS_STATE_REQ_ID | MSG_RESEND_REQ_ID | HTTP_WAIT_ID)
    )
}

fn constructor_of(body: &[u8]) -> Option<u32> {
    let id = body.get(..4)?;
    Some(u32::from_le_bytes([id[0], id[1], id[2], id[3]]))
}

/// A numbered message waiting in the [`Outbox`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Its `msg_id`.
    pub msg_id: i64,
    /// Its `seq_no`.
    pub seq_no: i32,
    /// The serialized body (a boxed TL value).
    pub body: Vec<u8>,
}

impl OutgoingMessage {
    /// Bytes this message takes in a container's payload.
    pub fn entry_len(&self) -> usize {
        MESSAGE_HEADER_LEN + self.body.len()
    }
}

/// One top-level message produced by [`Outbox::flush`]: a single message,
/// or a container of several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingPacket {
    /// The top-level `msg_id` (the container's, or the single message's).
    pub msg_id: i64,
    /// The top-level `seq_no`.
    pub seq_no: i32,
    /// The top-level body: a `msg_container` or the single message's body.
    pub body: Vec<u8>,
    /// The `msg_id`s carried, in order: the inner messages of a container,
    /// or just `msg_id` for a single message.
    pub contents: Vec<i64>,
}

impl OutgoingPacket {
    /// Whether the body is a container.
    pub fn is_container(&self) -> bool {
        constructor_of(&self.body) == Some(MSG_CONTAINER_ID)
    }
}

/// Parameters of `http_wait`, with the protocol's defaults (`max_delay`
/// 0 ms, `wait_after` 0 ms, `max_wait` 25000 ms).
pub fn default_http_wait() -> types::HttpWait {
    types::HttpWait {
        max_delay: 0,
        wait_after: 0,
        max_wait: 25_000,
    }
}

/// The outgoing queue: numbered messages plus the ids owed in `msgs_ack`,
/// `msgs_state_req` and `msg_resend_req`, packed by [`Outbox::flush`].
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    limits: ContainerLimits,
    queue: VecDeque<OutgoingMessage>,
    acks: VecDeque<i64>,
    state_requests: VecDeque<i64>,
    resend_requests: VecDeque<i64>,
    http_wait: Option<types::HttpWait>,
}

impl Outbox {
    /// An empty queue packing to `limits`.
    pub fn new(limits: ContainerLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Queues a numbered message.
    pub fn push(&mut self, message: OutgoingMessage) {
        self.queue.push_back(message);
    }

    /// Queues a numbered message ahead of everything else (a resend that
    /// must precede newer messages).
    pub fn push_front(&mut self, message: OutgoingMessage) {
        self.queue.push_front(message);
    }

    /// Owes an acknowledgment of `msg_id`.
    pub fn ack(&mut self, msg_id: i64) {
        self.acks.push_back(msg_id);
    }

    /// Asks the peer for the state of `msg_ids` (`msgs_state_req`).
    pub fn request_state(&mut self, msg_ids: impl IntoIterator<Item = i64>) {
        self.state_requests.extend(msg_ids);
    }

    /// Asks the peer to resend `msg_ids` (`msg_resend_req`).
    pub fn request_resend(&mut self, msg_ids: impl IntoIterator<Item = i64>) {
        self.resend_requests.extend(msg_ids);
    }

    /// Adds `http_wait` to every flush (HTTP transport), or stops with `None`.
    pub fn set_http_wait(&mut self, http_wait: Option<types::HttpWait>) {
        self.http_wait = http_wait;
    }

    /// Acknowledgments owed and not yet flushed.
    pub fn pending_acks(&self) -> usize {
        self.acks.len()
    }

    /// Numbered messages not yet flushed.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Whether the queued messages include `msg_id`.
    pub fn contains(&self, msg_id: i64) -> bool {
        self.queue.iter().any(|m| m.msg_id == msg_id)
    }

    /// Removes queued messages for which `drop` returns true (e.g. ones
    /// about to be renumbered).
    pub fn remove_where(&mut self, mut drop: impl FnMut(&OutgoingMessage) -> bool) {
        self.queue.retain(|m| !drop(m));
    }

    /// Whether a flush would produce nothing (ignoring `http_wait`, which
    /// only travels with something else or on an explicit flush).
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
            && self.acks.is_empty()
            && self.state_requests.is_empty()
            && self.resend_requests.is_empty()
    }

    /// Like [`flush`](Self::flush), but with `http_wait` set and nothing
    /// else queued, sends `http_wait` alone: the HTTP transport's long poll.
    pub fn flush_long_poll(
        &mut self,
        numbering: &mut Numbering,
        now: UnixTime,
    ) -> Option<OutgoingPacket> {
        if !self.is_empty() {
            return self.flush(numbering, now);
        }
        let body = self.http_wait.as_ref()?.to_bytes();
        let (msg_id, seq_no) = numbering.next(now, false);
        Some(OutgoingPacket {
            msg_id,
            seq_no,
            body,
            contents: vec![msg_id],
        })
    }

    /// Packs the next top-level message, numbering service messages and
    /// the container with `numbering` at `now`; `None` when there is
    /// nothing to send.
    pub fn flush(&mut self, numbering: &mut Numbering, now: UnixTime) -> Option<OutgoingPacket> {
        if self.is_empty() {
            return None;
        }
        let limits = self.limits;
        let max_ids = limits.max_ids.max(1);
        let mut entries: Vec<OutgoingMessage> = Vec::new();
        let mut payload = 0usize;
        // Service messages first, one of each kind per flush; they are not
        // content-related (even seq_no).
        let service: [(&mut VecDeque<i64>, EncodeIds); 3] = [
            (&mut self.acks, |msg_ids| {
                types::MsgsAck { msg_ids }.to_bytes()
            }),
            (&mut self.state_requests, |msg_ids| {
                types::MsgsStateReq { msg_ids }.to_bytes()
            }),
            (&mut self.resend_requests, |msg_ids| {
                types::MsgResendReq { msg_ids }.to_bytes()
            }),
        ];
        for (ids, encode) in service {
            if ids.is_empty() {
                continue;
            }
            // Whole messages of up to `max_ids` ids; one that does not fit
            // beside what is already taken waits rather than being cut into
            // smaller messages. Body: constructor, Vector id, count, ids.
            let take = ids.len().min(max_ids);
            let len = MESSAGE_HEADER_LEN + 12 + 8 * take;
            if !entries.is_empty() && payload + len > limits.max_payload {
                continue;
            }
            let body = encode(ids.drain(..take).collect());
            let (msg_id, seq_no) = numbering.next(now, false);
            payload += MESSAGE_HEADER_LEN + body.len();
            entries.push(OutgoingMessage {
                msg_id,
                seq_no,
                body,
            });
        }
        let mut counted = 0usize;
        if let Some(wait) = &self.http_wait {
            let len = MESSAGE_HEADER_LEN + wait.serialized_len();
            if payload + len <= limits.max_payload {
                let (msg_id, seq_no) = numbering.next(now, false);
                payload += len;
                entries.push(OutgoingMessage {
                    msg_id,
                    seq_no,
                    body: wait.to_bytes(),
                });
            }
        }
        while let Some(next) = self.queue.front() {
            let len = next.entry_len();
            let fits = counted < limits.max_messages && payload + len <= limits.max_payload;
            if !fits {
                // Too large for any container: alone, unwrapped, if nothing
                // else was taken; otherwise it waits for the next flush.
                if entries.is_empty() {
                    entries.extend(self.queue.pop_front());
                }
                break;
            }
            payload += len;
            counted += 1;
            entries.extend(self.queue.pop_front());
        }
        if entries.len() == 1 {
            let single = entries.pop()?;
            return Some(OutgoingPacket {
                msg_id: single.msg_id,
                seq_no: single.seq_no,
                contents: vec![single.msg_id],
                body: single.body,
            });
        }
        let container = types::MsgContainer {
            messages: entries
                .iter()
                .map(|m| types::Message {
                    msg_id: m.msg_id,
                    seqno: m.seq_no,
                    body: mtproto_types::RawObject::new(&m.body[..]),
                })
                .collect(),
        };
        let body = container.to_bytes();
        // Numbered after its contents, so its msg_id is above all of them.
        let (msg_id, seq_no) = numbering.next(now, false);
        Some(OutgoingPacket {
            msg_id,
            seq_no,
            body,
            contents: entries.iter().map(|m| m.msg_id).collect(),
        })
    }
}

/// Serializes an id-carrying service message from its ids.
type EncodeIds = fn(Vec<i64>) -> Vec<u8>;

/// Why an incoming container was rejected. Offsets are byte positions in
/// the container's body (its constructor id is at 0).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    /// The body is not a `msg_container`.
    #[error("not a msg_container: constructor {found:#010x} at offset 0")]
    NotAContainer {
        /// The constructor id found (0 if the body is shorter than 4 bytes).
        found: u32,
    },
    /// The TL structure is broken: truncated, a `bytes` that does not fit.
    #[error("malformed container: {0}")]
    Malformed(#[from] mtproto_types::Error),
    /// The message count is negative.
    #[error("container message count {count} at offset 4 is negative")]
    NegativeCount {
        /// The count.
        count: i32,
    },
    /// More messages than the limit allows.
    #[error("container holds {count} messages (counted against the limit), more than {max}")]
    TooManyMessages {
        /// Messages counted against the limit (or the declared count, when
        /// it is already beyond any possible container).
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The payload is larger than the limit.
    #[error("container payload is {len} bytes, more than {max}")]
    PayloadTooLarge {
        /// The payload's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An inner `msg_id` is not lower than the container's.
    #[error("inner message {index} at offset {offset}: msg_id {msg_id:#018x} is not lower than the container's {container_msg_id:#018x}")]
    InnerIdNotLower {
        /// The message's position.
        index: usize,
        /// Offset of its entry.
        offset: usize,
        /// Its msg_id.
        msg_id: i64,
        /// The container's msg_id.
        container_msg_id: i64,
    },
    /// Two inner messages share a `msg_id`.
    #[error("inner message {index} at offset {offset}: msg_id {msg_id:#018x} appears twice in the container")]
    DuplicateInnerId {
        /// The later message's position.
        index: usize,
        /// Offset of its entry.
        offset: usize,
        /// The repeated msg_id.
        msg_id: i64,
    },
    /// A container inside a container.
    #[error("inner message {index} at offset {offset} is itself a msg_container")]
    Nested {
        /// The message's position.
        index: usize,
        /// Offset of its entry.
        offset: usize,
    },
    /// An inner body length that is not a multiple of 4.
    #[error("inner message {index} at offset {offset}: bytes {len} is not a multiple of 4")]
    UnalignedBody {
        /// The message's position.
        index: usize,
        /// Offset of its entry.
        offset: usize,
        /// The declared length.
        len: usize,
    },
    /// An ack, state or resend request with more ids than allowed.
    #[error("inner message {index} at offset {offset} carries {count} ids, more than {max}")]
    TooManyIds {
        /// The message's position.
        index: usize,
        /// Offset of its entry.
        offset: usize,
        /// The ids it declares.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Bytes after the last message.
    #[error("{count} trailing bytes after the last message at offset {offset}")]
    TrailingBytes {
        /// Where they start.
        offset: usize,
        /// How many.
        count: usize,
    },
}

/// Decodes the container `body` that arrived with `container_msg_id`,
/// checking every rule (see the [module docs](self)). The returned bodies
/// borrow `body`.
pub fn unpack<'a>(
    container_msg_id: i64,
    body: &'a [u8],
    limits: &ContainerLimits,
) -> Result<Vec<types::Message<'a>>, ContainerError> {
    let found = constructor_of(body).unwrap_or(0);
    if found != MSG_CONTAINER_ID || body.len() < CONTAINER_HEADER_LEN {
        return Err(ContainerError::NotAContainer { found });
    }
    let mut reader = Reader::new(body);
    reader.read_u32()?;
    let count = reader.read_i32()?;
    let count = usize::try_from(count).map_err(|_| ContainerError::NegativeCount { count })?;
    // Besides the counted messages, a container may carry one of each of
    // the four exempt kinds per flush; anything beyond that is over the
    // limit before a byte of it is decoded, and allocating for it is out.
    if count > limits.max_messages.saturating_add(4) {
        return Err(ContainerError::TooManyMessages {
            count,
            max: limits.max_messages,
        });
    }
    let payload = body.len() - CONTAINER_HEADER_LEN;
    if payload > limits.max_payload {
        return Err(ContainerError::PayloadTooLarge {
            len: payload,
            max: limits.max_payload,
        });
    }
    // The loop keeps little alive (the reader, the `Vec`, one counter):
    // with the entry's index, offset, the last id and an ordering flag
    // kept as well, it spilled to the stack every entry (1.56-1.66x the
    // bench's memcpy + decode baseline, against 1.41-1.49x now). An entry's
    // index is the `Vec`'s length and its offset is recomputed for an error
    // (`entry_offset`); ids are checked for order in a pass of their own.
    let mut messages: Vec<types::Message<'a>> = Vec::with_capacity(count);
    let mut counted = 0usize;
    for _ in 0..count {
        let message = types::Message::deserialize_bare(&mut reader)?;
        let inner = message.body.as_bytes();
        let rule = if message.msg_id >= container_msg_id {
            Some(Rule::IdNotLower)
        } else if inner.len() % 4 != 0 {
            Some(Rule::Unaligned)
        } else {
            match constructor_of(inner) {
                Some(MSG_CONTAINER_ID) => Some(Rule::Nested),
                Some(MSGS_ACK_ID | MSGS_STATE_REQ_ID | MSG_RESEND_REQ_ID) => {
                    // constructor, Vector id, count: the count is at byte 8.
                    let declared = inner
                        .get(8..12)
                        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
                        .unwrap_or(0);
                    (declared > limits.max_ids).then_some(Rule::TooManyIds(declared))
                }
                Some(HTTP_WAIT_ID) => None,
                _ => {
                    counted += 1;
                    (counted > limits.max_messages).then_some(Rule::TooManyMessages)
                }
            }
        };
        if let Some(rule) = rule {
            return Err(broken(
                rule,
                &messages,
                &message,
                container_msg_id,
                counted,
                limits,
            ));
        }
        messages.push(message);
    }
    if !reader.is_empty() {
        return Err(ContainerError::TrailingBytes {
            offset: reader.offset(),
            count: reader.remaining(),
        });
    }
    // Senders number a container's messages in order, so the common case
    // is settled by one comparison per entry; only out-of-order ids pay for
    // a sort to look for duplicates.
    let increasing = messages.windows(2).all(|w| w[0].msg_id < w[1].msg_id);
    if !increasing {
        let mut ids: Vec<(i64, usize)> = messages
            .iter()
            .enumerate()
            .map(|(i, m)| (m.msg_id, i))
            .collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
            let index = pair[0].1.max(pair[1].1);
            return Err(ContainerError::DuplicateInnerId {
                index,
                offset: entry_offset(&messages, index),
                msg_id: pair[0].0,
            });
        }
    }
    Ok(messages)
}

/// A rule an inner message broke, found in `unpack`'s loop; the error
/// with its index and offset is built out of the loop by [`broken`].
enum Rule {
    IdNotLower,
    Unaligned,
    Nested,
    TooManyIds(usize),
    TooManyMessages,
}

#[cold]
#[inline(never)]
fn broken(
    rule: Rule,
    before: &[types::Message<'_>],
    message: &types::Message<'_>,
    container_msg_id: i64,
    counted: usize,
    limits: &ContainerLimits,
) -> ContainerError {
    let index = before.len();
    let offset = entry_offset(before, index);
    match rule {
        Rule::IdNotLower => ContainerError::InnerIdNotLower {
            index,
            offset,
            msg_id: message.msg_id,
            container_msg_id,
        },
        Rule::Unaligned => ContainerError::UnalignedBody {
            index,
            offset,
            len: message.body.as_bytes().len(),
        },
        Rule::Nested => ContainerError::Nested { index, offset },
        Rule::TooManyIds(count) => ContainerError::TooManyIds {
            index,
            offset,
            count,
            max: limits.max_ids,
        },
        Rule::TooManyMessages => ContainerError::TooManyMessages {
            count: counted,
            max: limits.max_messages,
        },
    }
}

fn entry_offset(messages: &[types::Message<'_>], index: usize) -> usize {
    CONTAINER_HEADER_LEN
        + messages[..index]
            .iter()
            .map(|m| MESSAGE_HEADER_LEN + m.body.as_bytes().len())
            .sum::<usize>()
}
