//! The sans-IO MTProto session, shaped like quinn-proto's `Connection`.
//!
//! A [`Session`] owns no socket and reads no clock. The caller:
//! * queues requests with [`Session::enqueue`] (a [`RequestId`] comes back);
//! * hands in every decrypted message plaintext with
//!   [`Session::handle_plaintext`];
//! * takes plaintexts to encrypt and send from [`Session::poll_transmit`]
//!   until it returns `None`;
//! * sleeps until [`Session::poll_timeout`] and then calls
//!   [`Session::handle_timeout`] (keep-alive pings, salt refreshes);
//! * drains [`Session::poll_event`]: results of requests, new-session gaps,
//!   updates and the problems the session noticed.
//!
//! Every call that needs the time takes `now`, a [`UnixTime`] on the local
//! clock; the session corrects it to the server's clock itself.
//!
//! # Where encryption goes
//! The session works on the *plaintext* of encrypted messages
//! ([`EncryptedPlaintext`]: salt, session_id, msg_id, seq_no, body). An
//! encryption layer sits between it and the transport: it encrypts what
//! [`Transmit::encode_plaintext`] produces into an
//! [`EncryptedEnvelope`](crate::envelope::EncryptedEnvelope) and decrypts
//! incoming envelopes before [`Session::handle_plaintext`]. That layer is
//! out of scope here; only authenticated plaintexts may be handed in, since
//! their msg_ids move the session's clock.
//!
//! # What it does
//! Pending requests by msg_id; `rpc_result` matched and handed back raw;
//! `rpc_error` as [`RpcError`]; acknowledgments owed (every content-related
//! message, i.e. odd seq_no) and received; `bad_server_salt` and
//! `bad_msg_notification` fixed and the messages re-sent;
//! `new_session_created`; future salts; `rpc_drop_answer`;
//! `invokeAfterMsg` chains; `ping_delay_disconnect`; `http_wait`;
//! `destroy_session`; answers to `msgs_state_req` and `msg_resend_req`;
//! transparent `gzip_packed` both ways.
//!
//! ```
//! use mtproto::msg_id::UnixTime;
//! use mtproto::service::{functions, types};
//! use mtproto::session::{Event, Outcome, Session, SessionConfig};
//! use mtproto_types::{RawObject, Serialize};
//!
//! let now = UnixTime::from_secs(1_700_000_000);
//! let mut session = Session::new(SessionConfig::default(), 0x1234, 0x5a17, now);
//! let request = session.enqueue(&functions::Ping { ping_id: 7 }, now);
//! let sent = session.poll_transmit(now).expect("the ping");
//!
//! // The server's answer, as an encryption layer would hand it over.
//! let pong = types::Pong { msg_id: sent.msg_id, ping_id: 7 };
//! let answer = types::RpcResult { req_msg_id: sent.msg_id, result: RawObject::from_value(&pong) };
//! let server_msg_id = (1_700_000_000i64 << 32) | 1;
//! session.handle_message(now, server_msg_id, 1, &answer.to_bytes()).unwrap();
//!
//! match session.poll_event() {
//!     Some(Event::Response { request: r, outcome: Outcome::Result(bytes) }) => {
//!         assert_eq!(r, request);
//!         assert_eq!(bytes, pong.to_bytes());
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use mtproto_types::{Constructor, Deserialize, RawObject, RemoteCall, Serialize};

use crate::container::{self, ContainerError, ContainerLimits, Numbering, Outbox, OutgoingMessage};
use crate::envelope::{EncryptedPlaintext, EnvelopeError};
use crate::gzip::{self, GzipError, DEFAULT_COMPRESS_THRESHOLD, DEFAULT_MAX_INFLATED};
use crate::msg_id::{BadMsgCode, MsgIdError, MsgIdValidator, UnixTime};
use crate::random::RandomSource;
use crate::rpc_error::RpcError;
use crate::salt::SaltStore;
use crate::service::{functions, types};
use crate::transport::Side;

/// How a session behaves; [`Default`] gives the usual values.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// How often to send `ping_delay_disconnect` (60 s).
    pub ping_interval: Duration,
    /// Its `disconnect_delay` (75 s): the server closes the connection if
    /// no new ping comes within it.
    pub disconnect_delay: Duration,
    /// Outgoing bodies longer than this are gzip_packed when that saves
    /// bytes; `None` never compresses.
    pub compress_threshold: Option<usize>,
    /// The cap on an inflated incoming `gzip_packed` body.
    pub max_inflated: usize,
    /// `Some` in HTTP transport mode: every flush carries this `http_wait`
    /// ([`container::default_http_wait`] has the protocol's defaults).
    pub http_wait: Option<types::HttpWait>,
    /// How many future salts to ask for; `None` never asks.
    pub future_salts: Option<i32>,
    /// Ask for more future salts this long before the last one runs out.
    pub salt_refresh_margin: Duration,
    /// Container limits for packing and unpacking.
    pub container_limits: ContainerLimits,
    /// How many times a message is re-sent after `bad_msg_notification`
    /// before its request fails.
    pub max_resends: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(60),
            disconnect_delay: Duration::from_secs(75),
            compress_threshold: Some(DEFAULT_COMPRESS_THRESHOLD),
            max_inflated: DEFAULT_MAX_INFLATED,
            http_wait: None,
            future_salts: Some(64),
            salt_refresh_margin: Duration::from_secs(600),
            container_limits: ContainerLimits::default(),
            max_resends: 5,
        }
    }
}

/// A handle for a queued request, stable across re-sends (its msg_id is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u64);

/// Which answer `rpc_drop_answer` got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropAnswer {
    /// `rpc_answer_unknown`: the server remembers nothing of the query
    /// (answered already, or never received).
    Unknown,
    /// `rpc_answer_dropped_running`: cancelled while running; the query
    /// itself was fully processed.
    DroppedRunning,
    /// `rpc_answer_dropped`: the answer was removed from the server's
    /// outgoing queue.
    Dropped {
        /// The dropped answer's msg_id.
        msg_id: i64,
        /// Its seq_no.
        seq_no: i32,
        /// Its length.
        bytes: i32,
    },
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The raw answer (inflated if it was gzip_packed): decode it as the
    /// request's `RemoteCall::Return`.
    Result(Vec<u8>),
    /// The server answered `rpc_error`.
    Error(RpcError),
    /// The request was cancelled with [`Session::cancel`].
    Cancelled(DropAnswer),
    /// The answer could not be used (e.g. a gzip bomb), or the server kept
    /// rejecting the message; the request is over.
    Failed(SessionError),
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A request completed.
    Response {
        /// The request.
        request: RequestId,
        /// How it ended.
        outcome: Outcome,
    },
    /// `new_session_created`: the server started a new session; updates
    /// may have been lost in the gap (fetch the difference).
    NewSession {
        /// The first msg_id the new session covers.
        first_msg_id: i64,
        /// The server's id of the new session.
        unique_id: i64,
        /// Requests re-sent because they predate `first_msg_id`.
        resent: usize,
    },
    /// The server salt changed (bad_server_salt, new_session_created).
    SaltChanged {
        /// The new salt.
        salt: i64,
    },
    /// A message the session does not handle itself (updates), its body
    /// inflated if it was gzip_packed.
    Update {
        /// Its msg_id.
        msg_id: i64,
        /// The body.
        body: Vec<u8>,
    },
    /// An incoming msg_id was refused (not duplicates: those are ignored).
    BadIncomingMsgId(MsgIdError),
    /// An `rpc_result` (or pong, future_salts) for no request we know.
    UnknownResult {
        /// The `req_msg_id` it named.
        req_msg_id: i64,
    },
    /// A `bad_msg_notification` the session cannot fix by itself (18, 19,
    /// 20, 34, 35, 64 or unknown); the message was re-sent anyway.
    BadMsg {
        /// The rejected msg_id.
        msg_id: i64,
        /// The code.
        code: i32,
    },
    /// `msg_resend_req` named messages the session no longer has.
    ResendUnavailable {
        /// Those msg_ids.
        msg_ids: Vec<i64>,
    },
    /// `msgs_state_info` in answer to a state request.
    StateInfo {
        /// The msg_id of our `msgs_state_req`.
        req_msg_id: i64,
        /// One status byte per requested id.
        info: Vec<u8>,
    },
    /// An incoming message broke the protocol; it was dropped.
    ProtocolError {
        /// The offending message.
        msg_id: i64,
        /// What was wrong.
        error: SessionError,
    },
}

/// What went wrong with an incoming message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The plaintext envelope is malformed.
    #[error("plaintext envelope: {0}")]
    Envelope(#[from] EnvelopeError),
    /// The plaintext belongs to another session.
    #[error("message for session {found:#018x}, this is session {expected:#018x}")]
    WrongSession {
        /// Our session id.
        expected: i64,
        /// The one in the message.
        found: i64,
    },
    /// A container broke a rule.
    #[error("container: {0}")]
    Container(#[from] ContainerError),
    /// A service message did not decode.
    #[error("{what}: {error}")]
    Decode {
        /// Which message.
        what: &'static str,
        /// The decoder's error.
        error: mtproto_types::Error,
    },
    /// A gzip_packed body did not inflate (bomb, corruption).
    #[error("gzip_packed: {0}")]
    Gzip(#[from] GzipError),
    /// A gzip_packed body inflated to another gzip_packed.
    #[error("gzip_packed inside gzip_packed")]
    NestedGzip,
    /// The server rejected a message more often than allowed.
    #[error("message rejected {attempts} times, last with code {code}")]
    TooManyResends {
        /// Times sent.
        attempts: u32,
        /// The last bad_msg_notification code.
        code: i32,
    },
}

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

/// Compresses `body` into a `gzip_packed` when it is longer than
/// `threshold` and that saves bytes; otherwise returns it unchanged.
pub fn pack_body(body: Vec<u8>, threshold: Option<usize>) -> Vec<u8> {
    let Some(threshold) = threshold else {
        return body;
    };
    match gzip::compress_if_smaller(&body, threshold) {
        Some(packed) => types::GzipPacked {
            packed_data: packed.into(),
        }
        .to_bytes(),
        None => body,
    }
}

/// Inflates `body` if it is a `gzip_packed` (at most `max_inflated`
/// bytes, one level deep); borrows it unchanged otherwise.
pub fn unpack_body(body: &[u8], max_inflated: usize) -> Result<Cow<'_, [u8]>, SessionError> {
    if constructor_of(body) != Some(GZIP_PACKED) {
        return Ok(Cow::Borrowed(body));
    }
    let packed = types::GzipPacked::from_bytes(body).map_err(|error| SessionError::Decode {
        what: "gzip_packed",
        error,
    })?;
    let inflated = gzip::inflate(&packed.packed_data, max_inflated)?;
    if constructor_of(&inflated) == Some(GZIP_PACKED) {
        return Err(SessionError::NestedGzip);
    }
    Ok(Cow::Owned(inflated))
}

const GZIP_PACKED: u32 = <types::GzipPacked as Constructor>::CONSTRUCTOR_ID;
const RPC_ERROR: u32 = <types::RpcError as Constructor>::CONSTRUCTOR_ID;

fn constructor_of(body: &[u8]) -> Option<u32> {
    let id = body.get(..4)?;
    Some(u32::from_le_bytes([id[0], id[1], id[2], id[3]]))
}

fn decode<'a, T: Deserialize<'a>>(what: &'static str, body: &'a [u8]) -> Result<T, SessionError> {
    T::from_bytes(body).map_err(|error| SessionError::Decode { what, error })
}

/// Why the session sent a request; internal ones end silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Caller,
    KeepAlive,
    FutureSalts,
    Drop { target: RequestId },
}

#[derive(Debug, Clone)]
struct Request {
    /// The current msg_id (0 before the first numbering).
    msg_id: i64,
    seq_no: i32,
    /// The query as enqueued, uncompressed and unwrapped.
    query: Vec<u8>,
    /// Run only after this request (`invokeAfterMsg`).
    after: Option<RequestId>,
    purpose: Purpose,
    acked: bool,
    attempts: u32,
    /// `rpc_drop_answer` was sent for it.
    cancelling: bool,
}

/// Containers remembered so that a notification about one reaches its
/// contents.
const REMEMBERED_CONTAINERS: usize = 1024;
/// Cancelled msg_ids remembered so their late answers pass silently.
const REMEMBERED_DROPS: usize = 4096;

/// The client side of an MTProto session. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    session_id: i64,
    salts: SaltStore,
    numbering: Numbering,
    incoming: MsgIdValidator,
    outbox: Outbox,
    requests: HashMap<RequestId, Request>,
    by_msg_id: HashMap<i64, RequestId>,
    next_request: u64,
    containers: HashMap<i64, Vec<i64>>,
    container_order: VecDeque<i64>,
    dropped: HashSet<i64>,
    dropped_order: VecDeque<i64>,
    events: VecDeque<Event>,
    next_ping: UnixTime,
    ping_id: i64,
    salts_in_flight: bool,
}

impl Session {
    /// A new session `session_id` (random, chosen by the caller) starting
    /// with server salt `salt` at local time `now`.
    pub fn new(config: SessionConfig, session_id: i64, salt: i64, now: UnixTime) -> Self {
        let mut outbox = Outbox::new(config.container_limits);
        outbox.set_http_wait(config.http_wait.clone());
        let next_ping = add(now, config.ping_interval);
        Self {
            config,
            session_id,
            salts: SaltStore::new(salt),
            numbering: Numbering::new(Side::Client),
            incoming: MsgIdValidator::for_server_ids(),
            outbox,
            requests: HashMap::new(),
            by_msg_id: HashMap::new(),
            next_request: 0,
            containers: HashMap::new(),
            container_order: VecDeque::new(),
            dropped: HashSet::new(),
            dropped_order: VecDeque::new(),
            events: VecDeque::new(),
            next_ping,
            ping_id: 0,
            salts_in_flight: false,
        }
    }

    /// The session id.
    pub fn session_id(&self) -> i64 {
        self.session_id
    }

    /// The salt the next message would carry.
    pub fn salt(&self, now: UnixTime) -> i64 {
        self.salts.current(self.numbering.server_now(now))
    }

    /// The salts known.
    pub fn salts(&self) -> &SaltStore {
        &self.salts
    }

    /// Requests waiting for an answer (the session's own included).
    pub fn pending_requests(&self) -> usize {
        self.requests.len()
    }

    /// The server's clock minus ours, in msg_id units (2^-32 s).
    pub fn time_offset(&self) -> i64 {
        self.numbering.time_offset()
    }

    /// The msg_id a request was last sent with.
    pub fn msg_id_of(&self, request: RequestId) -> Option<i64> {
        self.requests.get(&request).map(|r| r.msg_id)
    }

    /// Queues a request; its answer comes as [`Event::Response`].
    pub fn enqueue<R: RemoteCall>(&mut self, request: &R, now: UnixTime) -> RequestId {
        self.enqueue_raw(request.to_bytes(), now)
    }

    /// Queues an already serialized request.
    pub fn enqueue_raw(&mut self, query: Vec<u8>, now: UnixTime) -> RequestId {
        self.submit(query, None, Purpose::Caller, now)
    }

    /// Queues requests to run in order: each after the first is wrapped in
    /// `invokeAfterMsg` naming the msg_id of the one before it (renamed
    /// when that one is re-sent).
    pub fn enqueue_ordered<'r, R: RemoteCall + 'r>(
        &mut self,
        requests: impl IntoIterator<Item = &'r R>,
        now: UnixTime,
    ) -> Vec<RequestId> {
        let mut previous = None;
        requests
            .into_iter()
            .map(|request| {
                let id = self.submit(request.to_bytes(), previous, Purpose::Caller, now);
                previous = Some(id);
                id
            })
            .collect()
    }

    /// Asks the server to drop the answer to `request` (`rpc_drop_answer`).
    /// The request then completes with [`Outcome::Cancelled`], or with its
    /// answer if that arrives first. Returns `false` for a request that is
    /// not pending.
    pub fn cancel(&mut self, request: RequestId, now: UnixTime) -> bool {
        let Some(target) = self.requests.get_mut(&request) else {
            return false;
        };
        target.cancelling = true;
        let drop = functions::RpcDropAnswer {
            req_msg_id: target.msg_id,
        };
        self.submit(
            drop.to_bytes(),
            None,
            Purpose::Drop { target: request },
            now,
        );
        true
    }

    /// Asks the server to forget another session of this auth key
    /// (`destroy_session`); the answer is a raw `DestroySessionRes`.
    pub fn destroy_session(&mut self, session_id: i64, now: UnixTime) -> RequestId {
        self.enqueue(&functions::DestroySession { session_id }, now)
    }

    /// Asks the server for the state of some of its messages
    /// (`msgs_state_req`); the answer comes as [`Event::StateInfo`].
    pub fn request_state(&mut self, msg_ids: impl IntoIterator<Item = i64>) {
        self.outbox.request_state(msg_ids);
    }

    /// Re-sends every request the server has not acknowledged, with new
    /// msg_ids: call after reconnecting.
    pub fn resend_unacknowledged(&mut self, now: UnixTime) {
        let ids: Vec<i64> = self
            .requests
            .values()
            .filter(|r| !r.acked)
            .map(|r| r.msg_id)
            .collect();
        self.resend(ids, None, now);
    }

    fn submit(
        &mut self,
        query: Vec<u8>,
        after: Option<RequestId>,
        purpose: Purpose,
        now: UnixTime,
    ) -> RequestId {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        self.requests.insert(
            id,
            Request {
                msg_id: 0,
                seq_no: 0,
                query,
                after,
                purpose,
                acked: false,
                attempts: 0,
                cancelling: false,
            },
        );
        self.number_and_queue(id, now);
        id
    }

    /// Gives `id` a fresh msg_id and seq_no and queues its wire body.
    fn number_and_queue(&mut self, id: RequestId, now: UnixTime) {
        let after_msg_id = self
            .requests
            .get(&id)
            .and_then(|r| r.after)
            .and_then(|after| self.requests.get(&after))
            .map(|after| after.msg_id);
        let (msg_id, seq_no) = self.numbering.next(now, true);
        let Some(request) = self.requests.get_mut(&id) else {
            return;
        };
        if request.msg_id != 0 {
            self.by_msg_id.remove(&request.msg_id);
        }
        request.msg_id = msg_id;
        request.seq_no = seq_no;
        request.acked = false;
        request.attempts += 1;
        let body = match after_msg_id {
            // The dependency may have completed already; then the wrapper
            // is pointless and the query goes plain.
            Some(after) => functions::InvokeAfterMsg {
                msg_id: after,
                query: RawObject::new(&request.query[..]),
            }
            .to_bytes(),
            None => request.query.clone(),
        };
        self.by_msg_id.insert(msg_id, id);
        self.outbox.push(OutgoingMessage {
            msg_id,
            seq_no,
            body: pack_body(body, self.config.compress_threshold),
        });
    }

    /// The next message to encrypt and send, if any.
    pub fn poll_transmit(&mut self, now: UnixTime) -> Option<Transmit> {
        let packet = self.outbox.flush(&mut self.numbering, now)?;
        Some(self.transmit(packet, now))
    }

    /// In HTTP mode ([`SessionConfig::http_wait`]): the next message to
    /// send on a new HTTP request, which is `http_wait` alone when nothing
    /// else is queued, so the server can answer within `max_wait`.
    pub fn poll_long_poll(&mut self, now: UnixTime) -> Option<Transmit> {
        let packet = self.outbox.flush_long_poll(&mut self.numbering, now)?;
        Some(self.transmit(packet, now))
    }

    fn transmit(&mut self, packet: container::OutgoingPacket, now: UnixTime) -> Transmit {
        if packet.is_container() {
            if self.container_order.len() >= REMEMBERED_CONTAINERS {
                if let Some(old) = self.container_order.pop_front() {
                    self.containers.remove(&old);
                }
            }
            self.container_order.push_back(packet.msg_id);
            self.containers.insert(packet.msg_id, packet.contents);
        }
        Transmit {
            salt: self.salt(now),
            session_id: self.session_id,
            msg_id: packet.msg_id,
            seq_no: packet.seq_no,
            body: packet.body,
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called
    /// (local time): the next keep-alive ping or salt refresh.
    pub fn poll_timeout(&self) -> Option<UnixTime> {
        let mut next = self.next_ping;
        if let Some(at) = self.salt_refresh_at() {
            next = next.min(at);
        }
        Some(next)
    }

    fn salt_refresh_at(&self) -> Option<UnixTime> {
        self.config.future_salts?;
        if self.salts_in_flight {
            return None;
        }
        let Some(server_at) = self.salts.refresh_at(self.config.salt_refresh_margin) else {
            // Nothing stored: ask right away (the session's start time).
            return Some(UnixTime::default());
        };
        let local = server_at
            .to_msg_time()
            .wrapping_sub(self.numbering.time_offset());
        Some(UnixTime::from_msg_time(local))
    }

    /// Does what is due at `now`: a `ping_delay_disconnect` every
    /// `ping_interval`, `get_future_salts` before the salts run out.
    pub fn handle_timeout(&mut self, now: UnixTime) {
        if now >= self.next_ping {
            self.ping_id = self.ping_id.wrapping_add(1);
            let ping = functions::PingDelayDisconnect {
                ping_id: self.ping_id,
                disconnect_delay: i32::try_from(self.config.disconnect_delay.as_secs())
                    .unwrap_or(i32::MAX),
            };
            self.submit(ping.to_bytes(), None, Purpose::KeepAlive, now);
            self.next_ping = add(now, self.config.ping_interval);
        }
        if let (Some(num), Some(at)) = (self.config.future_salts, self.salt_refresh_at()) {
            if now >= at {
                self.salts.prune(self.numbering.server_now(now));
                self.salts_in_flight = true;
                let request = functions::GetFutureSalts { num };
                self.submit(request.to_bytes(), None, Purpose::FutureSalts, now);
            }
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Handles a decrypted, authenticated plaintext.
    pub fn handle_plaintext(
        &mut self,
        now: UnixTime,
        plaintext: &[u8],
    ) -> Result<(), SessionError> {
        let message = EncryptedPlaintext::decode(plaintext)?;
        if message.session_id != self.session_id {
            return Err(SessionError::WrongSession {
                expected: self.session_id,
                found: message.session_id,
            });
        }
        self.handle_message(now, message.msg_id, message.seq_no, message.body)
    }

    /// Handles one top-level message (a container or a single message).
    /// Problems inside it become events; an `Err` means the message as a
    /// whole was refused.
    pub fn handle_message(
        &mut self,
        now: UnixTime,
        msg_id: i64,
        seq_no: i32,
        body: &[u8],
    ) -> Result<(), SessionError> {
        self.correct_clock_early(now, msg_id, body);
        if !self.accept_id(now, msg_id, seq_no) {
            return Ok(());
        }
        if constructor_of(body) != Some(container::MSG_CONTAINER_ID) {
            self.dispatch(now, msg_id, body);
            return Ok(());
        }
        let inner = match container::unpack(msg_id, body, &self.config.container_limits) {
            Ok(inner) => inner,
            Err(error) => {
                let error = SessionError::from(error);
                self.events.push_back(Event::ProtocolError {
                    msg_id,
                    error: error.clone(),
                });
                return Err(error);
            }
        };
        for message in inner {
            let body = message.body.as_bytes();
            self.correct_clock_early(now, message.msg_id, body);
            if self.accept_id(now, message.msg_id, message.seqno) {
                self.dispatch(now, message.msg_id, body);
            }
        }
        Ok(())
    }

    /// A `bad_msg_notification` 16/17 says our clock is off; the message
    /// carrying it is itself outside our (wrong) time window, so the clock
    /// is corrected before that message's id is checked.
    fn correct_clock_early(&mut self, now: UnixTime, msg_id: i64, body: &[u8]) {
        if constructor_of(body) != Some(types::BadMsgNotification::CONSTRUCTOR_ID) {
            return;
        }
        let Ok(note) = types::BadMsgNotification::from_bytes(body) else {
            return;
        };
        let ours = self.by_msg_id.contains_key(&note.bad_msg_id)
            || self.containers.contains_key(&note.bad_msg_id);
        if ours {
            self.numbering
                .ids()
                .correct_from_bad_msg(note.error_code, msg_id, now);
        }
    }

    /// Validates an incoming msg_id and owes an ack for a content-related
    /// message. `false`: drop the message.
    fn accept_id(&mut self, now: UnixTime, msg_id: i64, seq_no: i32) -> bool {
        let server_now = self.numbering.server_now(now);
        match self.incoming.accept(msg_id, server_now) {
            Ok(()) => {
                if seq_no & 1 == 1 {
                    self.outbox.ack(msg_id);
                }
                true
            }
            // Already handled; the ack may have been lost, so owe it again.
            Err(MsgIdError::Duplicate { .. }) => {
                if seq_no & 1 == 1 {
                    self.outbox.ack(msg_id);
                }
                false
            }
            Err(error) => {
                self.events.push_back(Event::BadIncomingMsgId(error));
                false
            }
        }
    }

    fn protocol_error(&mut self, msg_id: i64, error: SessionError) {
        self.events
            .push_back(Event::ProtocolError { msg_id, error });
    }

    fn dispatch(&mut self, now: UnixTime, msg_id: i64, body: &[u8]) {
        let body = match unpack_body(body, self.config.max_inflated) {
            Ok(body) => body,
            Err(error) => return self.protocol_error(msg_id, error),
        };
        let body = &body[..];
        let Some(id) = constructor_of(body) else {
            return self.protocol_error(
                msg_id,
                SessionError::Decode {
                    what: "message body",
                    error: mtproto_types::Error::new(
                        mtproto_types::ErrorKind::UnexpectedEof {
                            needed: 4,
                            available: body.len(),
                        },
                        0,
                    ),
                },
            );
        };
        let result = match id {
            types::RpcResult::CONSTRUCTOR_ID => self.on_rpc_result(body),
            types::Pong::CONSTRUCTOR_ID => decode::<types::Pong>("pong", body)
                .map(|pong| self.complete_by_msg_id(pong.msg_id, Outcome::Result(body.to_vec()))),
            types::FutureSalts::CONSTRUCTOR_ID => {
                decode::<types::FutureSalts>("future_salts", body).map(|salts| {
                    self.complete_by_msg_id(salts.req_msg_id, Outcome::Result(body.to_vec()))
                })
            }
            types::MsgsAck::CONSTRUCTOR_ID => {
                decode::<types::MsgsAck>("msgs_ack", body).map(|ack| self.on_ack(&ack.msg_ids))
            }
            types::BadServerSalt::CONSTRUCTOR_ID => {
                decode::<types::BadServerSalt>("bad_server_salt", body)
                    .map(|bad| self.on_bad_server_salt(now, bad))
            }
            types::BadMsgNotification::CONSTRUCTOR_ID => {
                decode::<types::BadMsgNotification>("bad_msg_notification", body)
                    .map(|bad| self.on_bad_msg(now, bad.bad_msg_id, bad.error_code))
            }
            types::NewSessionCreated::CONSTRUCTOR_ID => {
                decode::<types::NewSessionCreated>("new_session_created", body)
                    .map(|created| self.on_new_session(now, created))
            }
            types::MsgsStateReq::CONSTRUCTOR_ID => {
                decode::<types::MsgsStateReq>("msgs_state_req", body)
                    .map(|req| self.answer_state_request(now, msg_id, &req.msg_ids))
            }
            types::MsgResendReq::CONSTRUCTOR_ID => {
                decode::<types::MsgResendReq>("msg_resend_req", body)
                    .map(|req| self.on_resend_request(&req.msg_ids))
            }
            types::MsgsStateInfo::CONSTRUCTOR_ID => {
                decode::<types::MsgsStateInfo>("msgs_state_info", body).map(|info| {
                    self.events.push_back(Event::StateInfo {
                        req_msg_id: info.req_msg_id,
                        info: info.info.to_vec(),
                    })
                })
            }
            types::MsgDetailedInfo::CONSTRUCTOR_ID => {
                decode::<types::MsgDetailedInfo>("msg_detailed_info", body).map(|info| {
                    self.on_ack(&[info.msg_id]);
                    self.on_detailed_info(now, info.answer_msg_id);
                })
            }
            types::MsgNewDetailedInfo::CONSTRUCTOR_ID => {
                decode::<types::MsgNewDetailedInfo>("msg_new_detailed_info", body)
                    .map(|info| self.on_detailed_info(now, info.answer_msg_id))
            }
            _ => {
                self.events.push_back(Event::Update {
                    msg_id,
                    body: body.to_vec(),
                });
                Ok(())
            }
        };
        if let Err(error) = result {
            self.protocol_error(msg_id, error);
        }
    }

    fn on_rpc_result(&mut self, body: &[u8]) -> Result<(), SessionError> {
        let result = decode::<types::RpcResult>("rpc_result", body)?;
        let outcome = match unpack_body(result.result.as_bytes(), self.config.max_inflated) {
            Ok(answer) if constructor_of(&answer) == Some(RPC_ERROR) => {
                match decode::<types::RpcError>("rpc_error", &answer) {
                    Ok(error) => Outcome::Error(RpcError::from_tl(&error)),
                    Err(error) => Outcome::Failed(error),
                }
            }
            Ok(answer) => Outcome::Result(answer.into_owned()),
            Err(error) => Outcome::Failed(error),
        };
        self.complete_by_msg_id(result.req_msg_id, outcome);
        Ok(())
    }

    fn complete_by_msg_id(&mut self, req_msg_id: i64, outcome: Outcome) {
        let Some(id) = self.by_msg_id.get(&req_msg_id).copied() else {
            // Late answers to cancelled requests (`rpc_answer_dropped_running`
            // is sent to the original query too) are expected.
            if !self.dropped.contains(&req_msg_id) {
                self.events.push_back(Event::UnknownResult { req_msg_id });
            }
            return;
        };
        let Some(request) = self.finish(id) else {
            return;
        };
        match request.purpose {
            Purpose::Caller => {
                // The server answers the original query of a drop that
                // caught it running with `rpc_answer_dropped_running` too,
                // possibly before the drop's own answer.
                let dropped_running = matches!(&outcome, Outcome::Result(bytes)
                    if constructor_of(bytes) == Some(types::RpcAnswerDroppedRunning::CONSTRUCTOR_ID));
                let outcome = if request.cancelling && dropped_running {
                    self.remember_dropped(request.msg_id);
                    Outcome::Cancelled(DropAnswer::DroppedRunning)
                } else {
                    outcome
                };
                self.events.push_back(Event::Response {
                    request: id,
                    outcome,
                })
            }
            Purpose::KeepAlive => {}
            Purpose::FutureSalts => {
                self.salts_in_flight = false;
                if let Outcome::Result(bytes) = &outcome {
                    if let Ok(salts) = types::FutureSalts::from_bytes(bytes) {
                        self.salts.add(salts.salts);
                    }
                }
            }
            Purpose::Drop { target } => {
                let answer = match &outcome {
                    Outcome::Result(bytes) => match constructor_of(bytes) {
                        Some(types::RpcAnswerDroppedRunning::CONSTRUCTOR_ID) => {
                            Some(DropAnswer::DroppedRunning)
                        }
                        Some(types::RpcAnswerUnknown::CONSTRUCTOR_ID) => Some(DropAnswer::Unknown),
                        _ => types::RpcAnswerDropped::from_bytes(bytes).ok().map(|d| {
                            DropAnswer::Dropped {
                                msg_id: d.msg_id,
                                seq_no: d.seq_no,
                                bytes: d.bytes,
                            }
                        }),
                    },
                    _ => None,
                };
                // Without a usable answer the original request stays
                // pending: its own answer may still come.
                if let Some(answer) = answer {
                    if let Some(original) = self.finish(target) {
                        self.remember_dropped(original.msg_id);
                        self.events.push_back(Event::Response {
                            request: target,
                            outcome: Outcome::Cancelled(answer),
                        });
                    }
                }
            }
        }
    }

    fn finish(&mut self, id: RequestId) -> Option<Request> {
        let request = self.requests.remove(&id)?;
        self.by_msg_id.remove(&request.msg_id);
        Some(request)
    }

    fn remember_dropped(&mut self, msg_id: i64) {
        if self.dropped_order.len() >= REMEMBERED_DROPS {
            if let Some(old) = self.dropped_order.pop_front() {
                self.dropped.remove(&old);
            }
        }
        self.dropped.insert(msg_id);
        self.dropped_order.push_back(msg_id);
    }

    fn on_ack(&mut self, msg_ids: &[i64]) {
        for msg_id in msg_ids {
            for inner in self.expand(*msg_id) {
                if let Some(request) = self
                    .by_msg_id
                    .get(&inner)
                    .and_then(|id| self.requests.get_mut(id))
                {
                    request.acked = true;
                }
            }
        }
    }

    /// The msg_ids a notification about `msg_id` concerns: a container's
    /// contents, or the message itself.
    fn expand(&self, msg_id: i64) -> Vec<i64> {
        self.containers
            .get(&msg_id)
            .cloned()
            .unwrap_or_else(|| vec![msg_id])
    }

    fn on_bad_server_salt(&mut self, now: UnixTime, bad: types::BadServerSalt) {
        self.salts.reset(bad.new_server_salt);
        self.events.push_back(Event::SaltChanged {
            salt: bad.new_server_salt,
        });
        self.resend(self.expand(bad.bad_msg_id), None, now);
    }

    fn on_bad_msg(&mut self, now: UnixTime, bad_msg_id: i64, code: i32) {
        match BadMsgCode::from_code(code) {
            // The clock was corrected before the message's id was checked.
            Some(
                BadMsgCode::MsgIdTooLow | BadMsgCode::MsgIdTooHigh | BadMsgCode::BadServerSalt,
            ) => {}
            // Jump well past what the server expects, or back below it, as
            // other clients do; the re-sent messages get the new numbers.
            Some(BadMsgCode::SeqNoTooLow) => self.numbering.shift_seq_no(64),
            Some(BadMsgCode::SeqNoTooHigh) => self.numbering.shift_seq_no(-16),
            _ => self.events.push_back(Event::BadMsg {
                msg_id: bad_msg_id,
                code,
            }),
        }
        self.resend(self.expand(bad_msg_id), Some(code), now);
    }

    /// Re-sends the requests among `msg_ids` with new msg_ids, oldest
    /// first (so an `invokeAfterMsg` names its dependency's new id).
    fn resend(&mut self, msg_ids: Vec<i64>, code: Option<i32>, now: UnixTime) {
        let mut ids: Vec<(i64, RequestId)> = msg_ids
            .iter()
            .filter_map(|m| self.by_msg_id.get(m).map(|id| (*m, *id)))
            .collect();
        ids.sort_unstable();
        let stale: HashSet<i64> = ids.iter().map(|(m, _)| *m).collect();
        self.outbox.remove_where(|m| stale.contains(&m.msg_id));
        for (_, id) in ids {
            let attempts = self.requests.get(&id).map_or(0, |r| r.attempts);
            if let Some(code) = code.filter(|_| attempts > self.config.max_resends) {
                if let Some(request) = self.finish(id) {
                    self.fail(id, request, SessionError::TooManyResends { attempts, code });
                }
                continue;
            }
            self.number_and_queue(id, now);
        }
    }

    fn fail(&mut self, id: RequestId, request: Request, error: SessionError) {
        match request.purpose {
            Purpose::Caller => self.events.push_back(Event::Response {
                request: id,
                outcome: Outcome::Failed(error),
            }),
            Purpose::FutureSalts => self.salts_in_flight = false,
            Purpose::KeepAlive | Purpose::Drop { .. } => {}
        }
    }

    fn on_new_session(&mut self, now: UnixTime, created: types::NewSessionCreated) {
        self.salts.reset(created.server_salt);
        self.events.push_back(Event::SaltChanged {
            salt: created.server_salt,
        });
        // Requests older than the new session were lost with the old one.
        let lost: Vec<i64> = self
            .by_msg_id
            .keys()
            .copied()
            .filter(|m| *m < created.first_msg_id)
            .collect();
        let resent = lost.len();
        self.resend(lost, None, now);
        self.events.push_back(Event::NewSession {
            first_msg_id: created.first_msg_id,
            unique_id: created.unique_id,
            resent,
        });
    }

    /// Answers `msgs_state_req` with `msgs_state_info`: one byte per id,
    /// from what the incoming validator knows (1 unknown/too old, 2 not
    /// received, 3 not received and too new, 4 received, +8 if the ack is
    /// already sent).
    fn answer_state_request(&mut self, now: UnixTime, req_msg_id: i64, msg_ids: &[i64]) {
        let server_now = self.numbering.server_now(now);
        let info: Vec<u8> = msg_ids
            .iter()
            .map(|msg_id| match self.incoming.check(*msg_id, server_now) {
                Err(MsgIdError::Duplicate { .. }) => 4 | 8,
                Ok(()) => 2,
                Err(MsgIdError::TooHigh { .. }) => 3,
                Err(_) => 1,
            })
            .collect();
        let answer = types::MsgsStateInfo {
            req_msg_id,
            info: info.into(),
        };
        let (msg_id, seq_no) = self.numbering.next(now, false);
        self.outbox.push(OutgoingMessage {
            msg_id,
            seq_no,
            body: answer.to_bytes(),
        });
    }

    /// Re-sends what we still have, with the same msg_ids (the server
    /// asked for exactly those); reports the rest.
    fn on_resend_request(&mut self, msg_ids: &[i64]) {
        let mut missing = Vec::new();
        for msg_id in msg_ids {
            let request = self
                .by_msg_id
                .get(msg_id)
                .and_then(|id| self.requests.get(id));
            match request {
                Some(_) if self.outbox.contains(*msg_id) => {}
                Some(request) => {
                    let after = request
                        .after
                        .and_then(|a| self.requests.get(&a))
                        .map(|a| a.msg_id);
                    let body = match after {
                        Some(after) => functions::InvokeAfterMsg {
                            msg_id: after,
                            query: RawObject::new(&request.query[..]),
                        }
                        .to_bytes(),
                        None => request.query.clone(),
                    };
                    self.outbox.push(OutgoingMessage {
                        msg_id: *msg_id,
                        seq_no: request.seq_no,
                        body: pack_body(body, self.config.compress_threshold),
                    });
                }
                None => missing.push(*msg_id),
            }
        }
        if !missing.is_empty() {
            self.events
                .push_back(Event::ResendUnavailable { msg_ids: missing });
        }
    }

    /// `msg_(new_)detailed_info`: ack an answer we have, ask for one we do
    /// not.
    fn on_detailed_info(&mut self, now: UnixTime, answer_msg_id: i64) {
        let server_now = self.numbering.server_now(now);
        match self.incoming.check(answer_msg_id, server_now) {
            Err(MsgIdError::Duplicate { .. }) => self.outbox.ack(answer_msg_id),
            _ => self.outbox.request_resend([answer_msg_id]),
        }
    }
}

fn add(t: UnixTime, d: Duration) -> UnixTime {
    UnixTime::from_duration(t.as_duration().saturating_add(d))
}
