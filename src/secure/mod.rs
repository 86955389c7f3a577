//! The secure session: an [`AuthKey`] plus a [`Session`], packets in and
//! packets out, sans-IO like the rest of the crate.
//!
//! The [`Session`] works on plaintexts only; [`SecureSession`] sits between
//! it and the transport:
//! * [`SecureSession::handle_packet`] decrypts a packet from the server
//!   (every check of [`decrypt_message`]), checks that it names our
//!   session and carries an odd (server) msg_id, and hands the message to
//!   the session. Each failure is its own [`SecureError`], reported before
//!   the session sees anything, so a forged or stray packet changes no
//!   state.
//! * [`SecureSession::poll_transmit`] takes the session's next message,
//!   pads it with a *random* number of bytes (see [Padding](#padding)) and
//!   encrypts it. Each packet's quick-ack token is remembered so that a
//!   quick ack from the server becomes [`SecureEvent::QuickAck`] naming the
//!   msg_ids that packet carried.
//! * Transport-level signals (error codes such as -404, quick-ack tokens)
//!   go in through [`SecureSession::handle_frame`],
//!   [`SecureSession::handle_transport_error`] and
//!   [`SecureSession::handle_quick_ack`].
//! * [`SecureSession::poll_event`] yields [`SecureEvent`]s: the session's
//!   own [`Event`]s wrapped, plus the transport-level ones. A separate enum
//!   (rather than new [`Event`] variants) keeps the plaintext session
//!   ignorant of a transport it never sees.
//!
//! The key never appears in `Debug` output: [`AuthKey`]'s `Debug` shows its
//! id, and so does [`SecureSession`]'s.
//!
//! # Padding
//! MTProto 2.0 allows 12..=1024 bytes of padding with a total that is a
//! multiple of 16. Always using the least padding makes the packet length a
//! function of the body length, a traffic fingerprint; every packet here
//! gets the least padding plus a uniformly drawn number of extra 16-byte
//! blocks, up to [`SecureSession::max_padding`] bytes in all
//! ([`DEFAULT_MAX_PADDING`] unless set with
//! [`SecureSession::set_max_padding`]; 1024 uses the whole range at an
//! average cost of about half a kilobyte per packet).
//!
//! # Example
//! The client side; the server is simulated with the [`crypto`](crate::crypto)
//! functions.
//!
//! ```
//! use mtproto::crypto::{decrypt_message, encrypt_message, AuthKey};
//! use mtproto::envelope::EncryptedPlaintext;
//! use mtproto::msg_id::UnixTime;
//! use mtproto::random::SplitMix64;
//! use mtproto::secure::{SecureEvent, SecureSession};
//! use mtproto::service::{functions, types};
//! use mtproto::session::{Event, Outcome, Session, SessionConfig};
//! use mtproto::Side;
//! use mtproto_types::{Deserialize, RawObject, Serialize};
//!
//! let key_bytes: [u8; 256] = core::array::from_fn(|i| (i * 13 + 5) as u8);
//! let now = UnixTime::from_secs(1_700_000_000);
//! let session = Session::new(SessionConfig::default(), 0x5e55, 0x5a17, now);
//! let mut client = SecureSession::new(AuthKey::from_bytes(key_bytes), session);
//! let mut rng = SplitMix64::new(1);
//!
//! let request = client.session_mut().enqueue(&functions::Ping { ping_id: 9 }, now);
//! let packet = client.poll_transmit(now, &mut rng).expect("the ping");
//!
//! // The server decrypts what the client sent...
//! let server_key = AuthKey::from_bytes(key_bytes);
//! let plaintext = decrypt_message(&server_key, Side::Client, &packet).unwrap();
//! let sent = EncryptedPlaintext::decode(&plaintext).unwrap();
//! assert_eq!((sent.salt, sent.session_id), (0x5a17, 0x5e55));
//! assert_eq!(functions::Ping::from_bytes(sent.body).unwrap().ping_id, 9);
//!
//! // ...and answers with a pong in an rpc_result.
//! let pong = types::Pong { msg_id: sent.msg_id, ping_id: 9 };
//! let answer = types::RpcResult { req_msg_id: sent.msg_id, result: RawObject::from_value(&pong) };
//! let mut reply = Vec::new();
//! EncryptedPlaintext {
//!     salt: 0x5a17,
//!     session_id: 0x5e55,
//!     msg_id: (1_700_000_000i64 << 32) | 1,
//!     seq_no: 1,
//!     body: &answer.to_bytes(),
//! }
//! .encode(&mut rng, &mut reply)
//! .unwrap();
//! client.handle_packet(&encrypt_message(&server_key, Side::Server, &reply), now).unwrap();
//!
//! match client.poll_event() {
//!     Some(SecureEvent::Session(Event::Response { request: r, outcome: Outcome::Result(bytes) })) => {
//!         assert_eq!(r, request);
//!         assert_eq!(bytes, pong.to_bytes());
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

mod error;

use std::collections::{HashMap, VecDeque};
use std::fmt;

use crate::auth::Authorized;
use crate::container::{self, ContainerLimits, MSG_CONTAINER_ID};
use crate::crypto::{
    decrypt_message, decrypt_message_in_place, encrypt_message_in_place, AuthKey,
    PACKET_HEADER_LEN, PADDING_RANGE,
};
use crate::envelope::EncryptedPlaintext;
use crate::msg_id::UnixTime;
use crate::random::RandomSource;
use crate::session::{Event, Session, SessionConfig, Transmit};
use crate::transport::Frame;
use crate::Side;

use mtproto_types::RawObject;

pub use error::SecureError;

/// The default cap on padding bytes per packet: up to 15 extra 16-byte
/// blocks over the least padding, enough to blur body lengths without
/// doubling small packets on average.
pub const DEFAULT_MAX_PADDING: usize = 256;

/// How many sent packets' quick-ack tokens are remembered. A server quick
/// ack arrives within a round trip, so only recent packets matter, and the
/// bound keeps a client that never gets acks from growing without limit.
pub const REMEMBERED_QUICK_ACKS: usize = 1024;

/// What a [`SecureSession`] reports through [`SecureSession::poll_event`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SecureEvent {
    /// An event of the plaintext session (results, updates, salts, ...).
    Session(Event),
    /// The server quick-acknowledged a packet we sent: it received these
    /// messages (the packet's top-level msg_id first, then, for a
    /// container, the msg_ids inside it).
    QuickAck {
        /// The msg_ids the acknowledged packet carried.
        msg_ids: Vec<i64>,
    },
    /// Transport error -404: the server does not know our auth key (or
    /// could not route the packet). The key must be created anew; the
    /// server closes the connection.
    AuthKeyUnknown,
    /// Transport error -429: too many connections or a transport flood;
    /// reconnect later.
    TransportFlood,
    /// Transport error -444: the DC id given in the connection's first
    /// bytes is invalid.
    InvalidDc,
    /// Another transport error code from the server.
    TransportError {
        /// The (negative) code.
        code: i32,
    },
}

/// An [`AuthKey`] and a client [`Session`]: see the [module docs](self).
pub struct SecureSession {
    key: AuthKey,
    session: Session,
    /// Transport-level events, plus session events moved here so that the
    /// order in which things happened is kept.
    events: VecDeque<SecureEvent>,
    /// Quick-ack token -> the msg_ids of the packet it was computed for.
    quick_acks: HashMap<u32, Vec<i64>>,
    /// The tokens in the order sent, to forget the oldest first.
    quick_ack_order: VecDeque<u32>,
    max_padding: usize,
}

impl fmt::Debug for SecureSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the key id: the key itself must not reach logs.
        f.debug_struct("SecureSession")
            .field("auth_key_id", &self.key.id())
            .field("session", &self.session)
            .field("pending_events", &self.events.len())
            .field("remembered_quick_acks", &self.quick_acks.len())
            .field("max_padding", &self.max_padding)
            .finish()
    }
}

impl SecureSession {
    /// Wraps `session` (already set up with its salt and clock offset) with
    /// the key it runs under.
    pub fn new(auth_key: AuthKey, session: Session) -> Self {
        Self {
            key: auth_key,
            session,
            events: VecDeque::new(),
            quick_acks: HashMap::new(),
            quick_ack_order: VecDeque::new(),
            max_padding: DEFAULT_MAX_PADDING,
        }
    }

    /// A new session `session_id` under the key a key exchange produced,
    /// starting with its server salt and its measured clock offset.
    pub fn from_authorized(
        authorized: Authorized,
        config: SessionConfig,
        session_id: i64,
        now: UnixTime,
    ) -> Self {
        let Authorized {
            auth_key,
            server_salt,
            time_offset,
        } = authorized;
        let mut session = Session::new(config, session_id, server_salt, now);
        // Seconds to msg_id units (2^-32 s).
        session.set_time_offset(i64::from(time_offset) << 32);
        Self::new(auth_key, session)
    }

    /// The id of the key (never the key itself).
    pub fn auth_key_id(&self) -> i64 {
        self.key.id()
    }

    /// The plaintext session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The plaintext session, to enqueue requests, handle timeouts and so on.
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The most padding bytes a packet gets.
    pub fn max_padding(&self) -> usize {
        self.max_padding
    }

    /// Sets the most padding bytes a packet gets, clamped to 12..=1024. A
    /// packet always gets at least the least valid padding (12..=27 bytes),
    /// so a cap below 28 means little or no variation.
    pub fn set_max_padding(&mut self, max: usize) {
        self.max_padding = max.clamp(*PADDING_RANGE.start(), *PADDING_RANGE.end());
    }

    /// Handles a packet from the server: decrypts it (as sent by
    /// [`Side::Server`]), checks its session_id and that its msg_id is odd,
    /// and hands the message to the session. Errors other than
    /// [`SecureError::Session`] leave every state unchanged.
    pub fn handle_packet(&mut self, packet: &[u8], now: UnixTime) -> Result<(), SecureError> {
        let plaintext = decrypt_message(&self.key, Side::Server, packet)?;
        self.deliver(&plaintext, now)
    }

    /// [`handle_packet`](Self::handle_packet) without allocating: decrypts
    /// `packet` in place, so its bytes are garbage afterwards (whatever the
    /// outcome) and must be dropped.
    pub fn handle_packet_in_place(
        &mut self,
        packet: &mut [u8],
        now: UnixTime,
    ) -> Result<(), SecureError> {
        let plaintext = decrypt_message_in_place(&self.key, Side::Server, packet)?;
        self.deliver(plaintext, now)
    }

    /// The checks after decryption, then the session.
    fn deliver(&mut self, plaintext: &[u8], now: UnixTime) -> Result<(), SecureError> {
        let message = EncryptedPlaintext::decode(plaintext)?;
        if message.msg_id & 1 == 0 {
            return Err(SecureError::EvenMsgId {
                msg_id: message.msg_id,
            });
        }
        // The salt is deliberately not checked: a client learns new salts
        // from the server (bad_server_salt, future_salts), never the reverse.
        // The session refuses another session's message before it changes.
        let result = self.session.handle_envelope(now, &message);
        self.collect_session_events();
        result.map_err(SecureError::from)
    }

    /// Handles one frame from a transport decoder: a packet goes to
    /// [`handle_packet`](Self::handle_packet), a quick-ack token to
    /// [`handle_quick_ack`](Self::handle_quick_ack).
    pub fn handle_frame(&mut self, frame: Frame<&[u8]>, now: UnixTime) -> Result<(), SecureError> {
        match frame {
            // `quick_ack` is only ever set on packets *to* a server.
            Frame::Packet { payload, .. } => self.handle_packet(payload, now),
            Frame::QuickAck(token) => {
                self.handle_quick_ack(token);
                Ok(())
            }
        }
    }

    /// Handles a transport error code from the server (the
    /// [`TransportError::Server`](crate::transport::TransportError::Server)
    /// a decoder reports): -404, -429 and -444 become their own events,
    /// any other code [`SecureEvent::TransportError`].
    pub fn handle_transport_error(&mut self, code: i32) {
        let event = match code {
            -404 => SecureEvent::AuthKeyUnknown,
            -429 => SecureEvent::TransportFlood,
            -444 => SecureEvent::InvalidDc,
            code => SecureEvent::TransportError { code },
        };
        self.push_event(event);
    }

    /// Handles a quick-ack token from the server. A token of a packet we
    /// remember becomes [`SecureEvent::QuickAck`] and `true`; an unknown or
    /// repeated one is ignored and gives `false`.
    pub fn handle_quick_ack(&mut self, token: u32) -> bool {
        let Some(msg_ids) = self.quick_acks.remove(&token) else {
            return false;
        };
        // The order queue still holds the token; it is skipped when it
        // comes up for eviction since the map no longer has it.
        self.push_event(SecureEvent::QuickAck { msg_ids });
        true
    }

    /// The next packet to send: the session's next message, randomly
    /// padded and encrypted (`auth_key_id | msg_key | ciphertext`), ready
    /// for a transport encoder. `None` when the session has nothing to send.
    ///
    /// `rng` supplies the padding, which feeds `msg_key`: use a
    /// cryptographically secure source in production.
    pub fn poll_transmit(&mut self, now: UnixTime, rng: &mut impl RandomSource) -> Option<Vec<u8>> {
        let mut packet = Vec::new();
        self.poll_transmit_into(now, rng, &mut packet)
            .then_some(packet)
    }

    /// [`poll_transmit`](Self::poll_transmit) into a buffer the caller
    /// reuses: appends the packet to `out` and returns `true`, or returns
    /// `false` and leaves `out` alone when there is nothing to send.
    pub fn poll_transmit_into(
        &mut self,
        now: UnixTime,
        rng: &mut impl RandomSource,
        out: &mut Vec<u8>,
    ) -> bool {
        let Some(transmit) = self.session.poll_transmit(now) else {
            return false;
        };
        self.collect_session_events();
        self.seal(&transmit, rng, out);
        true
    }

    /// Like [`poll_transmit`](Self::poll_transmit) for HTTP transport mode:
    /// the session's [`poll_long_poll`](Session::poll_long_poll) message.
    pub fn poll_long_poll(
        &mut self,
        now: UnixTime,
        rng: &mut impl RandomSource,
    ) -> Option<Vec<u8>> {
        let transmit = self.session.poll_long_poll(now)?;
        self.collect_session_events();
        let mut packet = Vec::new();
        self.seal(&transmit, rng, &mut packet);
        Some(packet)
    }

    /// The next event: transport-level ones and the session's, in the
    /// order they arose.
    pub fn poll_event(&mut self) -> Option<SecureEvent> {
        self.events
            .pop_front()
            .or_else(|| self.session.poll_event().map(SecureEvent::Session))
    }

    /// Pads, encrypts and remembers the quick-ack token of one message,
    /// appending the packet to `out`.
    fn seal(&mut self, transmit: &Transmit, rng: &mut impl RandomSource, out: &mut Vec<u8>) {
        let padding_len = padding_len(transmit.body.len(), self.max_padding, rng);
        let mut padding = [0u8; 1024];
        let padding = &mut padding[..padding_len];
        rng.fill_bytes(padding);

        let start = out.len();
        out.reserve(
            PACKET_HEADER_LEN + EncryptedPlaintext::HEADER_LEN + transmit.body.len() + padding_len,
        );
        out.resize(start + PACKET_HEADER_LEN, 0);
        EncryptedPlaintext {
            salt: transmit.salt,
            session_id: transmit.session_id,
            msg_id: transmit.msg_id,
            seq_no: transmit.seq_no,
            body: &transmit.body,
        }
        .encode_with_padding(padding, out)
        .expect("the session produces 4-byte aligned bodies and padding_len is valid");
        let token = encrypt_message_in_place(&self.key, Side::Client, &mut out[start..]);
        self.remember_quick_ack(token, carried_msg_ids(transmit));
    }

    fn remember_quick_ack(&mut self, token: u32, msg_ids: Vec<i64>) {
        while self.quick_ack_order.len() >= REMEMBERED_QUICK_ACKS {
            if let Some(old) = self.quick_ack_order.pop_front() {
                self.quick_acks.remove(&old);
            }
        }
        // A (2^-31 likely) token collision replaces the older packet's ids:
        // the newer packet is the one the server is about to acknowledge.
        self.quick_acks.insert(token, msg_ids);
        self.quick_ack_order.push_back(token);
    }

    /// Queues an event after whatever the session reported before it.
    fn push_event(&mut self, event: SecureEvent) {
        self.collect_session_events();
        self.events.push_back(event);
    }

    fn collect_session_events(&mut self) {
        while let Some(event) = self.session.poll_event() {
            self.events.push_back(SecureEvent::Session(event));
        }
    }
}

/// A padding length for a body of `body_len` bytes: the least valid
/// padding plus a uniformly drawn number of extra 16-byte blocks, at most
/// `max_padding` bytes in all (or the least padding if that is more).
fn padding_len(body_len: usize, max_padding: usize, rng: &mut impl RandomSource) -> usize {
    let least = EncryptedPlaintext::min_padding(body_len);
    let extra_blocks = max_padding.saturating_sub(least) / 16;
    if extra_blocks == 0 {
        return least;
    }
    let mut draw = [0u8; 4];
    rng.fill_bytes(&mut draw);
    // At most 63 + 1 choices against 2^32 draws: the modulo bias is below
    // 2^-25, far under anything visible in packet lengths.
    let blocks = u32::from_le_bytes(draw) as usize % (extra_blocks + 1);
    least + 16 * blocks
}

/// The msg_ids a sent message carries: its own, then those inside it if it
/// is a container.
fn carried_msg_ids(transmit: &Transmit) -> Vec<i64> {
    let mut ids = vec![transmit.msg_id];
    if RawObject::new(&transmit.body).constructor_id() == Some(MSG_CONTAINER_ID) {
        // Our own containers are well-formed; generous limits so that no
        // receive-side cap hides a message we did send.
        let limits = ContainerLimits::default();
        if let Ok(inner) = container::unpack(transmit.msg_id, &transmit.body, &limits) {
            ids.extend(inner.iter().map(|m| m.msg_id));
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SplitMix64;

    #[test]
    fn padding_stays_valid_and_varies() {
        let mut rng = SplitMix64::new(3);
        for body_len in (0..200).step_by(4) {
            let mut seen = std::collections::HashSet::new();
            for _ in 0..200 {
                let len = padding_len(body_len, 1024, &mut rng);
                assert!(PADDING_RANGE.contains(&len), "{len}");
                assert_eq!((32 + body_len + len) % 16, 0);
                seen.insert(len);
            }
            assert!(seen.len() > 10, "body {body_len}: {seen:?}");
        }
    }

    #[test]
    fn padding_cap_is_respected() {
        let mut rng = SplitMix64::new(4);
        for _ in 0..500 {
            let len = padding_len(20, DEFAULT_MAX_PADDING, &mut rng);
            assert!(len <= DEFAULT_MAX_PADDING);
        }
        // A cap below the least padding still yields a valid length.
        assert_eq!(
            padding_len(4, 12, &mut rng),
            EncryptedPlaintext::min_padding(4)
        );
    }

    #[test]
    fn quick_ack_memory_is_bounded() {
        let now = UnixTime::from_secs(1_700_000_000);
        let session = Session::new(SessionConfig::default(), 1, 2, now);
        let mut secure = SecureSession::new(AuthKey::from_bytes([7; 256]), session);
        for token in 0..(REMEMBERED_QUICK_ACKS as u32 + 10) {
            secure.remember_quick_ack(token | 0x8000_0000, vec![i64::from(token)]);
        }
        assert_eq!(secure.quick_acks.len(), REMEMBERED_QUICK_ACKS);
        assert!(
            !secure.handle_quick_ack(0x8000_0000),
            "the oldest is forgotten"
        );
        assert!(secure.handle_quick_ack(0x8000_0000 | REMEMBERED_QUICK_ACKS as u32));
    }
}
