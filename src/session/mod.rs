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
//! `rpc_error` as [`RpcError`](crate::rpc_error::RpcError); acknowledgments owed (every content-related
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

// `Session` is defined here; its methods live in the modules of what they
// deal with, each public type next to what produces it.
mod answers;
mod body;
mod config;
mod error;
mod event;
mod incoming;
mod keepalive;
mod outgoing;
mod recent;
mod requests;

use std::collections::VecDeque;

use mtproto_types::{RawObject, RemoteCall, Serialize};

use crate::container::{self, Outbox, MSG_CONTAINER_ID};
use crate::envelope::EncryptedPlaintext;
use crate::msg_id::{MsgIdValidator, Numbering, UnixTime};
use crate::salt::SaltStore;
use crate::service::functions;
use crate::Side;

pub use body::{pack_body, unpack_body};
pub use config::SessionConfig;
pub use error::SessionError;
pub use event::{DropAnswer, Event, Outcome};
pub use outgoing::Transmit;
pub use requests::RequestId;

use config::REMEMBERED_CONTAINERS;
use recent::Recent;
use requests::{Purpose, RequestTable};

/// The client side of an MTProto session. See the [module docs](self).
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    session_id: i64,
    salts: SaltStore,
    numbering: Numbering,
    incoming: MsgIdValidator,
    outbox: Outbox,
    requests: RequestTable,
    /// The contents of the containers we sent, by the container's msg_id.
    sent_containers: Recent<i64, Vec<i64>>,
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
        let next_ping = keepalive::add(now, config.ping_interval);
        Self {
            config,
            session_id,
            salts: SaltStore::new(salt),
            numbering: Numbering::new(Side::Client),
            incoming: MsgIdValidator::for_server_ids(),
            outbox,
            requests: RequestTable::new(),
            sent_containers: Recent::new(REMEMBERED_CONTAINERS),
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

    /// Sets the server's clock minus ours, in msg_id units (2^-32 s): the
    /// key exchange measures it before the session exists, and without it
    /// the first messages of a client with a wrong clock are refused.
    pub fn set_time_offset(&mut self, offset: i64) {
        self.numbering.ids().set_time_offset(offset);
    }

    /// The msg_id a request was last sent with.
    pub fn msg_id_of(&self, request: RequestId) -> Option<i64> {
        self.requests.get(request).map(|r| r.msg_id)
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
        let Some(target) = self.requests.get_mut(request) else {
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
        let ids = self.requests.unacknowledged();
        self.resend(ids, None, now);
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
        self.handle_envelope(now, &EncryptedPlaintext::decode(plaintext)?)
    }

    /// Handles a plaintext whose envelope the caller has already decoded
    /// (the secure layer reads its msg_id first): refuses another session's
    /// message before anything changes, then handles its message.
    pub fn handle_envelope(
        &mut self,
        now: UnixTime,
        message: &EncryptedPlaintext<'_>,
    ) -> Result<(), SessionError> {
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
        if RawObject::new(body).constructor_id() != Some(MSG_CONTAINER_ID) {
            self.receive(now, msg_id, seq_no, body);
            return Ok(());
        }
        if !self.accept_id(now, msg_id, seq_no) {
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
            self.receive(now, message.msg_id, message.seqno, message.body.as_bytes());
        }
        Ok(())
    }
}
