//! The request table: every request still waiting for its answer, found
//! by its [`RequestId`] or by the msg_id it was last sent with.
//!
//! A request keeps its query as enqueued; what goes on the wire is built
//! from it each time it is sent ([`RequestTable::outgoing`]), since the
//! msg_id an `invokeAfterMsg` names changes when the dependency is re-sent.

use std::collections::HashMap;

use mtproto_types::{RawObject, Serialize};

use super::body::pack_body;
use super::config::REMEMBERED_DROPS;
use super::recent::Recent;
use crate::container::OutgoingMessage;
use crate::service::functions;

/// A handle for a queued request, stable across re-sends (its msg_id is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u64);

/// Why the session sent a request; internal ones end silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Caller,
    KeepAlive,
    FutureSalts,
    Drop { target: RequestId },
}

/// A request waiting for its answer.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The current msg_id (0 before the first numbering).
    pub(crate) msg_id: i64,
    seq_no: i32,
    /// The query as enqueued, uncompressed and unwrapped.
    query: Vec<u8>,
    /// Run only after this request (`invokeAfterMsg`).
    after: Option<RequestId>,
    pub(crate) purpose: Purpose,
    acked: bool,
    pub(crate) attempts: u32,
    /// `rpc_drop_answer` was sent for it.
    pub(crate) cancelling: bool,
}

/// The pending requests, indexed both ways, and the msg_ids of cancelled
/// ones whose late answers are expected.
#[derive(Debug)]
pub(crate) struct RequestTable {
    requests: HashMap<RequestId, Request>,
    by_msg_id: HashMap<i64, RequestId>,
    next_id: u64,
    dropped: Recent<i64>,
}

impl RequestTable {
    pub(crate) fn new() -> Self {
        Self {
            requests: HashMap::new(),
            by_msg_id: HashMap::new(),
            next_id: 0,
            dropped: Recent::new(REMEMBERED_DROPS),
        }
    }

    /// Adds a request not numbered yet; [`renumber`](Self::renumber) it
    /// before sending.
    pub(crate) fn insert(
        &mut self,
        query: Vec<u8>,
        after: Option<RequestId>,
        purpose: Purpose,
    ) -> RequestId {
        let id = RequestId(self.next_id);
        self.next_id += 1;
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
        id
    }

    /// How many requests are pending.
    pub(crate) fn len(&self) -> usize {
        self.requests.len()
    }

    pub(crate) fn get(&self, id: RequestId) -> Option<&Request> {
        self.requests.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: RequestId) -> Option<&mut Request> {
        self.requests.get_mut(&id)
    }

    /// The request last sent as `msg_id`.
    pub(crate) fn id_of(&self, msg_id: i64) -> Option<RequestId> {
        self.by_msg_id.get(&msg_id).copied()
    }

    /// The msg_ids of the pending requests that were sent, with their ids.
    pub(crate) fn sent(&self) -> impl Iterator<Item = (i64, RequestId)> + '_ {
        self.by_msg_id.iter().map(|(msg_id, id)| (*msg_id, *id))
    }

    /// The msg_ids of the requests the server has not acknowledged.
    pub(crate) fn unacknowledged(&self) -> Vec<i64> {
        self.requests
            .values()
            .filter(|r| !r.acked)
            .map(|r| r.msg_id)
            .collect()
    }

    /// Gives `id` the msg_id and seq_no it is about to be sent with; the
    /// old msg_id no longer finds it. `false` if `id` is not pending.
    pub(crate) fn renumber(&mut self, id: RequestId, msg_id: i64, seq_no: i32) -> bool {
        let Some(request) = self.requests.get_mut(&id) else {
            return false;
        };
        if request.msg_id != 0 {
            self.by_msg_id.remove(&request.msg_id);
        }
        request.msg_id = msg_id;
        request.seq_no = seq_no;
        request.acked = false;
        request.attempts += 1;
        self.by_msg_id.insert(msg_id, id);
        true
    }

    /// The message `id` is sent as, under its current msg_id and seq_no:
    /// its query, wrapped in `invokeAfterMsg` naming its dependency's
    /// current msg_id while that one is pending, and compressed past
    /// `compress_threshold`.
    pub(crate) fn outgoing(
        &self,
        id: RequestId,
        compress_threshold: Option<usize>,
    ) -> Option<OutgoingMessage> {
        let request = self.requests.get(&id)?;
        let after = request
            .after
            .and_then(|after| self.requests.get(&after))
            .map(|after| after.msg_id);
        let body = match after {
            // The dependency may have completed already; then the wrapper
            // is pointless and the query goes plain.
            Some(after) => functions::InvokeAfterMsg {
                msg_id: after,
                query: RawObject::new(&request.query[..]),
            }
            .to_bytes(),
            None => request.query.clone(),
        };
        Some(OutgoingMessage {
            msg_id: request.msg_id,
            seq_no: request.seq_no,
            body: pack_body(body, compress_threshold),
        })
    }

    /// Marks the request sent as `msg_id` as received by the server.
    pub(crate) fn acknowledge(&mut self, msg_id: i64) {
        if let Some(request) = self
            .by_msg_id
            .get(&msg_id)
            .and_then(|id| self.requests.get_mut(id))
        {
            request.acked = true;
        }
    }

    /// Removes `id` from the table.
    pub(crate) fn finish(&mut self, id: RequestId) -> Option<Request> {
        let request = self.requests.remove(&id)?;
        self.by_msg_id.remove(&request.msg_id);
        Some(request)
    }

    /// Remembers that the answer to `msg_id` was cancelled, so that a late
    /// one passes silently.
    pub(crate) fn remember_dropped(&mut self, msg_id: i64) {
        self.dropped.insert(msg_id, ());
    }

    /// Whether `msg_id` belongs to a request cancelled lately.
    pub(crate) fn was_dropped(&self, msg_id: i64) -> bool {
        self.dropped.contains(&msg_id)
    }
}
