//! What the session reports through [`Session::poll_event`](super::Session::poll_event):
//! how requests ended, and what it noticed on the way.

use crate::msg_id::MsgIdError;
use crate::rpc_error::RpcError;

use super::{RequestId, SessionError};

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
    /// The request was cancelled with [`Session::cancel`](super::Session::cancel).
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
